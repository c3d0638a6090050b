"""Weight-level lineage (`lineage DIR --against BASE_DIR`) and safetensors-header evidence, on tiny synthetic checkpoints."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import numpy as np
import pytest

from license_audit.artifacts import read_safetensors_header
from license_audit.lineage.weights import compare_checkpoints

HIDDEN, INTER, LAYERS, VOCAB = 64, 160, 4, 512


def write_safetensors(path: Path, tensors: dict[str, np.ndarray], dtype: str = "F32") -> None:
    header, blobs, off = {"__metadata__": {"format": "pt"}}, [], 0
    for name in sorted(tensors):
        arr = tensors[name]
        if dtype == "BF16":
            raw = (arr.astype(np.float32).view(np.uint32) >> 16).astype("<u2").tobytes()
        else:
            raw = arr.astype("<f4").tobytes()
        header[name] = {"dtype": dtype, "shape": list(arr.shape), "data_offsets": [off, off + len(raw)]}
        blobs.append(raw)
        off += len(raw)
    head = json.dumps(header).encode()
    head += b" " * (-len(head) % 8)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(struct.pack("<Q", len(head)) + head + b"".join(blobs))


def checkpoint(seed: int, vocab: int = VOCAB) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    t = {
        "model.embed_tokens.weight": rng.normal(0, 0.02, (vocab, HIDDEN)),
        "lm_head.weight": rng.normal(0, 0.02, (vocab, HIDDEN)),
        "model.norm.weight": np.ones(HIDDEN),
    }
    for i in range(LAYERS):
        p = f"model.layers.{i}"
        t[f"{p}.input_layernorm.weight"] = np.ones(HIDDEN)
        for proj in ("q_proj", "k_proj", "v_proj", "o_proj"):
            t[f"{p}.self_attn.{proj}.weight"] = rng.normal(0, 0.02, (HIDDEN, HIDDEN))
        t[f"{p}.mlp.gate_proj.weight"] = rng.normal(0, 0.02, (INTER, HIDDEN))
        t[f"{p}.mlp.up_proj.weight"] = rng.normal(0, 0.02, (INTER, HIDDEN))
        t[f"{p}.mlp.down_proj.weight"] = rng.normal(0, 0.02, (HIDDEN, INTER))
    return t


def noisy(base: dict[str, np.ndarray], scale: float, seed: int = 99) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {k: v + rng.normal(0, scale, v.shape) for k, v in base.items()}


@pytest.fixture
def ckpts(tmp_path):
    base = checkpoint(1)
    write_safetensors(tmp_path / "base" / "model.safetensors", base)
    write_safetensors(tmp_path / "tuned" / "model.safetensors", noisy(base, 0.002))
    write_safetensors(tmp_path / "independent" / "model.safetensors", checkpoint(2))
    # Two shards, bf16, vocabulary extended by 64 rows: still the base's weights.
    ext = noisy(base, 0.002, seed=5)
    rng = np.random.default_rng(7)
    for key in ("model.embed_tokens.weight", "lm_head.weight"):
        ext[key] = np.concatenate([ext[key], rng.normal(0, 0.02, (64, HIDDEN))])
    names = sorted(ext)
    write_safetensors(
        tmp_path / "extended" / "model-00001-of-00002.safetensors", {k: ext[k] for k in names[:10]}, "BF16"
    )
    write_safetensors(
        tmp_path / "extended" / "model-00002-of-00002.safetensors", {k: ext[k] for k in names[10:]}, "BF16"
    )
    return tmp_path


def test_fine_tuned_pair_scores_high_and_independent_near_zero(ckpts):
    tuned = compare_checkpoints(ckpts / "tuned", ckpts / "base")
    indep = compare_checkpoints(ckpts / "independent", ckpts / "base")
    assert tuned.similarity > 0.95 and tuned.verdict == "derived"
    assert abs(indep.similarity) < 0.1 and indep.verdict == "independent"
    # per layer, and norms (constant initialisation) are never counted
    assert [layer["layer"] for layer in tuned.layers] == ["0", "1", "2", "3", "other"]
    assert all(layer["similarity"] > 0.9 for layer in tuned.layers)
    assert tuned.skipped.get("1-d") == LAYERS + 1


def test_sampling_is_bounded(ckpts):
    res = compare_checkpoints(ckpts / "tuned", ckpts / "base")
    # at most 4 slices x 1024 elements x 4 bytes per tensor side, far less than the files
    assert res.bytes_read <= res.tensors_compared * 2 * 4 * 1024 * 4
    total = sum(p.stat().st_size for p in (ckpts / "tuned").iterdir()) + sum(
        p.stat().st_size for p in (ckpts / "base").iterdir()
    )
    assert res.bytes_read < total


def test_bf16_shards_and_extended_vocabulary(ckpts):
    res = compare_checkpoints(ckpts / "extended", ckpts / "base")
    assert res.verdict == "derived" and res.tensors_compared == LAYERS * 7 + 2


def test_lineage_against_cli(cli, ckpts):
    (ckpts / "tuned" / "README.md").write_text("---\nlicense: mit\n---\n# Tuned\n")
    tok = lambda toks: json.dumps({"model": {"type": "BPE", "vocab": {t: i for i, t in enumerate(toks)}}})  # noqa: E731
    (ckpts / "base" / "tokenizer.json").write_text(tok(["a", "b", "c"]))
    (ckpts / "tuned" / "tokenizer.json").write_text(tok(["a", "b", "c", "d"]))
    (ckpts / "base" / "README.md").write_text("---\nmodel_name: tiny-base\nlicense: llama3.1\n---\n# Base\n")
    res = cli("lineage", ckpts / "tuned", "--against", ckpts / "base", "--format", "json")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output)
    assert doc["weights"]["verdict"] == "derived"
    cand = doc["candidates"][0]
    assert cand["model"] == "tiny-base" and cand["confidence"] >= 0.8
    assert cand["license"] == "llama3.1"  # the base's own card says what its derivatives owe
    assert any(e.startswith("weights:") for e in cand["evidence"])
    assert any("vocabulary extends the base's 3 tokens" in e for e in cand["evidence"])
    text = cli("lineage", ckpts / "independent", "--against", ckpts / "base").output
    assert "independent" in text and "layer 0" in text
    # same input, same bytes
    assert cli("lineage", ckpts / "tuned", "--against", ckpts / "base", "--format", "json").output == res.output


def test_against_without_weights_is_exit_2(cli, ckpts, tmp_path):
    (tmp_path / "empty").mkdir()
    res = cli("lineage", ckpts / "tuned", "--against", tmp_path / "empty")
    assert res.exit_code == 2 and "no safetensors" in res.output


def test_header_reader_caps_and_rejects(tmp_path):
    bad = tmp_path / "huge.safetensors"
    bad.write_bytes(struct.pack("<Q", 10**12) + b"{}")
    with pytest.raises(ValueError, match="cap"):
        read_safetensors_header(bad)
    trunc = tmp_path / "trunc.safetensors"
    trunc.write_bytes(struct.pack("<Q", 100) + b"{")
    with pytest.raises(ValueError, match="truncated"):
        read_safetensors_header(trunc)


def test_hostile_safetensors_is_a_finding_not_a_crash(cli, make_repo):
    repo = make_repo({"README.md": "---\nlicense: mit\n---\n", "model.safetensors": struct.pack("<Q", 10**12) + b"{}"})
    res = cli("audit", repo, "--format", "json")
    assert res.exit_code in (0, 1)
    doc = json.loads(res.output)
    assert any(f["rule"] == "invalid-file" and f["path"] == "model.safetensors" for f in doc["findings"])


def test_headers_identify_a_model_without_config(cli, make_repo, tmp_path):
    # A registry entry whose dims match the synthetic checkpoint; the repo ships weights but no config.json.
    rules = tmp_path / "rules" / "models"
    rules.mkdir(parents=True)
    (rules / "acme.yaml").write_text(
        "id: acme/Tiny-Base\nfamily: tiny\nlicense: mit\nsignature:\n"
        f"  hidden_size: {HIDDEN}\n  intermediate_size: {INTER}\n  num_hidden_layers: {LAYERS}\n  vocab_size: {VOCAB}\n"
        "  model_type: llama\n"
    )
    repo = make_repo({"README.md": "---\nlicense: mit\n---\n"})
    write_safetensors(repo / "model.safetensors", checkpoint(3))
    doc = json.loads(cli("lineage", repo, "--format", "json", "--rules", tmp_path / "rules").output)
    cand = next(c for c in doc["candidates"] if c["model"] == "acme/Tiny-Base")
    assert 0.5 <= cand["confidence"] < 0.8  # shapes alone: possible, never an accusation
    assert "safetensors headers" in cand["evidence"][0]


def test_headers_known_remotely_are_used(make_repo, tmp_path):
    """A Hub target lists weights it did not download; their headers arrive as Snapshot.safetensors."""
    from license_audit.crawl import crawl
    from license_audit.lineage.evidence import collect_candidates
    from license_audit.registry import Registry, model_from_dict

    repo = make_repo({"README.md": "---\nlicense: mit\n---\n"})
    snap = crawl(repo)
    snap.files.append("model.safetensors")  # listed, not on disk: no problem line, no crash
    header = {
        name: {"dtype": "F32", "shape": list(arr.shape), "data_offsets": [0, 0]} for name, arr in checkpoint(1).items()
    }
    snap.safetensors = {"model.safetensors": header}
    reg = Registry(
        [
            model_from_dict(
                {
                    "id": "acme/Tiny-Base",
                    "family": "tiny",
                    "license": "mit",
                    "signature": {
                        "hidden_size": HIDDEN,
                        "intermediate_size": INTER,
                        "num_hidden_layers": LAYERS,
                        "vocab_size": VOCAB,
                    },
                }
            )
        ]
    )
    cands = collect_candidates(snap, reg)
    assert cands and cands[0].model == "acme/Tiny-Base" and "safetensors headers (1 file(s)" in cands[0].evidence[0]


def test_independent_weights_overrule_a_config_match(cli, ckpts):
    from conftest import config_of

    cfg = json.dumps(config_of("Qwen/Qwen3-8B"))
    (ckpts / "base" / "config.json").write_text(cfg)
    (ckpts / "independent" / "config.json").write_text(cfg)
    alone = json.loads(cli("lineage", ckpts / "independent", "--format", "json").output)["candidates"]
    assert alone[0]["model"] == "Qwen/Qwen3-8B" and alone[0]["confidence"] >= 0.8
    doc = json.loads(cli("lineage", ckpts / "independent", "--against", ckpts / "base", "--format", "json").output)
    assert doc["weights"]["verdict"] == "independent"
    assert all(c["model"] != "Qwen/Qwen3-8B" for c in doc["candidates"])
