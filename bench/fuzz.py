"""Mutation fuzzing of every parser that reads repo bytes: any traceback is a crash, and the inputs tried are counted.

Each parser gets valid seed documents mutated deterministically (fixed random seed: same inputs every run):
bit flips, truncation, splices and insertions of tokens that break parsers (brackets, YAML anchors and
tags, NUL, BOM, huge numbers, deep nesting). A parser may refuse an input only with its documented error
type; anything else is a crash and is printed with the input that caused it.
Baseline: json.loads over the same byte strings, so the throughput figure is a ratio on this machine.
"""

from __future__ import annotations

import json
import random
import struct
import sys
import tempfile
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SEED = 20261125
BUDGET_S = float(sys.argv[1]) if len(sys.argv) > 1 else 4.0  # per parser
MAX_INPUTS = 50_000

TOKENS = [
    b"{",
    b"}",
    b"[",
    b"]",
    b"---\n",
    b"&a ",
    b"*a",
    b"!!python/object:os.system ",
    b"\x00",
    b"\xef\xbb\xbf",
    b"\xff\xfe",
    b"1e999999",
    b"-0",
    b'"',
    b"\\u0000",
    b"\r\n",
    b"\t",
    b": ",
    b"- ",
    b"[" * 200,
    b"{" * 200,
    b"NaN",
    b"Infinity",
    b"\xf0\x9f\x98\x80",
    b"\xed\xa0\x80",
    b"<script>",
    b"%YAML 1.1\n",
    b"? ",
    b"|\n",
]


def mutate(rng: random.Random, data: bytes, seeds: list[bytes]) -> bytes:
    buf = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        op = rng.randrange(6)
        pos = rng.randint(0, len(buf)) if buf else 0
        if op == 0 and buf:
            i = rng.randrange(len(buf))
            buf[i] ^= 1 << rng.randrange(8)
        elif op == 1:
            buf[pos:pos] = rng.choice(TOKENS)
        elif op == 2:
            del buf[pos:]
        elif op == 3 and buf:
            j = rng.randint(pos, len(buf))
            buf[pos:pos] = buf[pos:j] * rng.randint(1, 3)
        elif op == 4:
            other = rng.choice(seeds)
            k = rng.randint(0, len(other))
            buf = buf[:pos] + bytearray(other[k:])
        else:
            buf[pos:pos] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
    return bytes(buf)


def seeds_card() -> list[bytes]:
    return [
        b"---\nlicense: llama3.1\nbase_model:\n- meta-llama/Llama-3.1-8B\nbase_model_relation: finetune\n"
        b"model_name: Llama-3.1-Foo\ntags: [a, b]\n---\n# Foo\nFine-tuned from Llama 3.1.\n",
        b"---\nlicense: other\nlicense_name: deepseek\nlicense_link: LICENSE\n---\n\nBuilt with Llama\n",
        b"# No front matter\n\nJust prose, licensed under the Apache License, Version 2.0.\n",
    ]


def seeds_json() -> list[bytes]:
    cfg = {
        "architectures": ["LlamaForCausalLM"],
        "hidden_size": 4096,
        "num_hidden_layers": 32,
        "rope_scaling": {"factor": 8.0, "rope_type": "llama3"},
        "vocab_size": 128256,
        "eos_token_id": [1, 2],
        "quantization_config": {"quant_method": "awq", "bits": 4},
    }
    return [
        json.dumps(cfg).encode(),
        json.dumps({"peft_type": "LORA", "base_model_name_or_path": "x/y"}).encode(),
        b'{"a": [1, 2.5, null, true, "s"]}',
    ]


def seeds_license() -> list[bytes]:
    lic = ROOT / "rules" / "licenses" / "texts"
    texts = [p.read_bytes()[:6000] for p in sorted(lic.glob("*.txt"))[:6]]
    return texts or [b"MIT License\n\nPermission is hereby granted, free of charge"]


def seeds_safetensors() -> list[bytes]:
    header = json.dumps(
        {
            "__metadata__": {"format": "pt"},
            "model.embed_tokens.weight": {"dtype": "BF16", "shape": [32, 8], "data_offsets": [0, 512]},
            "lm_head.weight": {"dtype": "F32", "shape": [8, 32], "data_offsets": [512, 1536]},
        }
    ).encode()
    return [struct.pack("<Q", len(header)) + header + bytes(1536)]


def targets():
    """(name, parse(bytes), exception types that are a documented refusal, seeds)."""
    import yaml

    from license_audit.card import parse_card
    from license_audit.catalog import load_catalog
    from license_audit.identify import identify_text
    from license_audit.safeio import JSONProblem, decode_text, load_yaml, parse_json

    catalog = load_catalog(())
    out = [
        ("model card front matter", lambda b: parse_card(decode_text(b)), (), seeds_card()),
        ("config.json (parse_json)", lambda b: parse_json(decode_text(b)), (JSONProblem,), seeds_json()),
        ("YAML (bounded safe loader)", lambda b: load_yaml(decode_text(b)), (yaml.YAMLError,), seeds_card()),
        ("license identification", lambda b: identify_text(decode_text(b), catalog), (), seeds_license()),
    ]
    out += optional_targets()
    return out


def seeds_tokenizer() -> list[bytes]:
    vocab = {f"tok{i}": i for i in range(40)}
    doc = {
        "model": {"type": "BPE", "vocab": vocab, "merges": ["t o", "to k"]},
        "added_tokens": [{"id": 40, "content": "<|im_start|>", "special": True}],
    }
    cfg = {"chat_template": "{% for m in messages %}<|im_start|>{{ m.role }}{% endfor %}", "eos_token": "<|im_end|>"}
    return [
        json.dumps(doc).encode(),
        json.dumps(cfg).encode(),
        json.dumps({"model": {"type": "Unigram", "vocab": [["a", -1.0], ["b", -2.0]]}}).encode(),
    ]


def seeds_policy() -> list[bytes]:
    return [
        b"fail-on: warning\nseverity:\n  license-unknown: info\nlicenses:\n  allow: [mit, apache-2.0]\n"
        b"  deny: [cc-by-nc-4.0]\nwaivers:\n  - rule: upstream-notice-missing\n    upstream: a/b\n"
        b"    reason: NOTICE is published on the website\n    expires: 2027-01-31\n",
        b"version: 1\nwaivers:\n- {rule: license-unknown, path: 'LICENSE*', reason: reviewed}\n",
    ]


def seeds_gguf(tmp: Path) -> list[bytes]:
    import gguf
    import numpy as np

    path = tmp / "seed.gguf"
    w = gguf.GGUFWriter(str(path), "llama")
    w.add_block_count(2)
    w.add_embedding_length(8)
    w.add_head_count(2)
    w.add_base_model_count(1)
    w.add_base_model_repo_url(0, "https://huggingface.co/meta-llama/Llama-3.1-8B")
    w.add_token_list([f"t{i}" for i in range(16)])
    w.add_tensor("token_embd.weight", np.zeros((4, 8), dtype=np.float32))
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    return [path.read_bytes()]


def optional_targets():
    """Parsers of weights, tokenizers and the policy file (lineage and policy modules)."""
    from license_audit.artifacts import gguf_metadata, read_safetensors_header, tensor_entries
    from license_audit.errors import InputError
    from license_audit.policy import parse_policy
    from license_audit.safeio import JSONProblem, decode_text, parse_json
    from license_audit.tokenizer import fingerprint

    tmp = Path(tempfile.mkdtemp(prefix="fuzz-"))
    scratch = tmp / "input.bin"

    def via_file(reader):
        def run(data: bytes):
            scratch.write_bytes(data)
            return reader(scratch)

        return run

    def tokenizer(data: bytes):
        doc = parse_json(decode_text(data))
        return fingerprint(doc, doc if isinstance(doc, dict) else None)

    return [
        (
            "safetensors header",
            via_file(lambda p: tensor_entries(read_safetensors_header(p))),
            (ValueError,),
            seeds_safetensors(),
        ),
        ("GGUF metadata (bounded walk)", via_file(gguf_metadata), (ValueError,), seeds_gguf(tmp)),
        ("tokenizer.json / tokenizer_config", tokenizer, (JSONProblem,), seeds_tokenizer()),
        ("policy file", lambda b: parse_policy(decode_text(b), ".license-audit.yaml"), (InputError,), seeds_policy()),
    ]


def run_target(name, fn, allowed, seeds) -> tuple[int, int, float, list[str]]:
    rng = random.Random(f"{SEED}:{name}")
    inputs = []
    tried = crashes = 0
    problems: list[str] = []
    t0 = time.perf_counter()
    while tried < MAX_INPUTS and time.perf_counter() - t0 < BUDGET_S:
        data = mutate(rng, rng.choice(seeds), seeds)
        inputs.append(data)
        tried += 1
        try:
            fn(data)
        except allowed:
            pass
        except Exception as exc:  # a crash: the parser let an unexpected exception out
            crashes += 1
            if len(problems) < 3:
                frame = traceback.extract_tb(exc.__traceback__)[-1]
                problems.append(
                    f"  {type(exc).__name__}: {exc} at {Path(frame.filename).name}:{frame.lineno} "
                    f"on input {data[:80]!r}"
                )
    took = time.perf_counter() - t0
    # Baseline: json.loads (C parser) over the same inputs, errors ignored.
    b0 = time.perf_counter()
    for data in inputs:
        try:
            json.loads(data)
        except Exception:
            pass
    base = time.perf_counter() - b0
    return tried, crashes, took / max(base, 1e-9), problems


def audit_repos(count: int) -> tuple[int, int, list[str]]:
    """Whole audits of repos made of mutated files: crawl -> identify -> lineage -> checks -> JSON."""
    from license_audit.errors import AuditError
    from license_audit.pipeline import AuditOptions, run_audit
    from license_audit.render import render_report

    rng = random.Random(SEED)
    crashes = 0
    problems = []
    cards, jsons, lics = seeds_card(), seeds_json(), seeds_license()
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(count):
            repo = Path(tmp) / f"r{i}"
            repo.mkdir()
            (repo / "README.md").write_bytes(mutate(rng, rng.choice(cards), cards))
            (repo / "config.json").write_bytes(mutate(rng, jsons[0], jsons))
            (repo / "adapter_config.json").write_bytes(mutate(rng, jsons[1], jsons))
            (repo / "LICENSE").write_bytes(mutate(rng, rng.choice(lics), lics))
            try:
                render_report(run_audit(str(repo), AuditOptions(history=False)), "json")
            except AuditError:
                pass
            except Exception as exc:
                crashes += 1
                if len(problems) < 3:
                    problems.append(f"  {type(exc).__name__}: {exc} in repo {i}")
    return count, crashes, problems


def main() -> int:
    total = total_crashes = 0
    print(f"{'parser':34} {'inputs':>8} {'crashes':>8} {'time vs json.loads':>19}")
    for name, fn, allowed, seeds in targets():
        tried, crashes, ratio, problems = run_target(name, fn, allowed, seeds)
        total += tried
        total_crashes += crashes
        print(f"{name:34} {tried:8d} {crashes:8d} {ratio:18.1f}x")
        for p in problems:
            print(p)
    n, crashes, problems = audit_repos(300)
    total += n
    total_crashes += crashes
    print(f"{'whole audit of mutated repos':34} {n:8d} {crashes:8d} {'-':>19}")
    for p in problems:
        print(p)
    print(f"total: {total} inputs, {total_crashes} crashes")
    return 1 if total_crashes else 0


if __name__ == "__main__":
    sys.exit(main())
