"""Vocabulary evidence: identical, extended, unrelated and reused vocabularies, from every file kind that holds one.

With the llama-cpp-python source distribution in a cache folder (LICENSE_AUDIT_VOCAB_CACHE, ~/.cache/license-audit
or /tmp/lcp), the fixtures use the real Llama 2 / Llama 3 / Falcon vocabularies against the shipped registry;
otherwise small synthetic vocabularies against a registry entry given with --rules.
"""

from __future__ import annotations

import functools
import json
import os
import struct
from pathlib import Path

import pytest
import yaml
from conftest import card, config_of

from license_audit.catalog import load_catalog
from license_audit.crawl import crawl
from license_audit.lineage import find_lineage
from license_audit.registry import load_registry
from license_audit.safeio import parse_json
from license_audit.tokenizer import (
    Vocabulary,
    relate_vocabulary,
    vocabulary_fingerprint,
)
from license_audit.vocab_files import VocabProblem, sentencepiece_pieces, tokenizer_json_tokens


def _sdist() -> Path | None:
    places = [os.environ.get("LICENSE_AUDIT_VOCAB_CACHE"), Path.home() / ".cache" / "license-audit", "/tmp/lcp"]
    for place in places:
        if place and Path(place).is_dir():
            found = sorted(Path(place).glob("llama_cpp_python-*.tar.gz"))
            if found:
                return found[-1]
    return None


SDIST = _sdist()


@functools.cache
def _library():
    from license_audit.registry_vocab import VocabLibrary

    return VocabLibrary([SDIST])


@functools.cache
def real_tokens(name: str) -> list[str]:
    from license_audit.registry_vocab import tokens_of_file

    path = _library()._find(f"ggml-vocab-{name}.gguf")
    assert path is not None
    return tokens_of_file(path)[0]


def synthetic(prefix: str, n: int) -> list[str]:
    return ["<unk>", "<s>", "</s>"] + [f"▁{prefix}{i}" for i in range(n - 3)]


def tokenizer_json(tokens: list[str], added: list[str] = ()) -> dict:
    return {
        "version": "1.0",
        "model": {"type": "BPE", "vocab": {t: i for i, t in enumerate(tokens)}, "merges": ["a b"]},
        "added_tokens": [{"id": len(tokens) + i, "content": t, "special": True} for i, t in enumerate(added)],
    }


def sentencepiece_model(pieces: list[str]) -> bytes:
    """A SentencePiece ModelProto with the given pieces (field 1: piece, score, type)."""

    def varint(n: int) -> bytes:
        out = b""
        while True:
            b, n = n & 0x7F, n >> 7
            out += bytes([b | (0x80 if n else 0)])
            if not n:
                return out

    body = b""
    for i, p in enumerate(pieces):
        raw = p.encode()
        sub = b"\x0a" + varint(len(raw)) + raw + b"\x15" + struct.pack("<f", -float(i)) + b"\x18\x01"
        body += b"\x0a" + varint(len(sub)) + sub
    trainer = b"\x12\x04\x08\x01\x10\x02"  # another field (trainer_spec): skipped
    return trainer + body


def lineage(cli, path, *extra) -> list[dict]:
    res = cli("lineage", path, "--format", "json", *extra)
    assert res.exit_code == 0, res.output
    return json.loads(res.output)["candidates"]


class Case:
    """What a scenario compares with: the real registry and vocabularies, or a synthetic stand-in."""

    def __init__(self, tmp_path: Path):
        self.real = SDIST is not None
        self.rules: list[str] = []
        if self.real:
            self.llama2 = real_tokens("llama-spm")
            self.llama3 = real_tokens("llama-bpe")
            self.other = real_tokens("aquila")  # a vocabulary no registry entry uses
            self.llama2_id = "meta-llama/Llama-2-7b-hf"
            self.llama3_id = "meta-llama/Llama-3.3-70B-Instruct"
            return
        self.llama2 = synthetic("a", 3000)
        self.llama3 = synthetic("b", 5000)
        self.other = synthetic("c", 4000)
        rules = tmp_path / "rules" / "models"
        rules.mkdir(parents=True)
        reg = load_registry()
        for src, new, tokens in (
            ("meta-llama/Llama-2-7b-hf", "acme/Shape-7B", self.llama2),
            ("meta-llama/Llama-3.3-70B-Instruct", "acme/Big-70B", self.llama3),
        ):
            raw = dict(reg.get(src).raw)
            raw.update(id=new, family=new.split("/")[1].lower(), aliases=[], tokenizer=vocabulary_fingerprint(tokens))
            raw.pop("source", None)
            (rules / f"{new.split('/')[1]}.yaml").write_text(yaml.safe_dump(raw))
        self.rules = ["--rules", str(tmp_path / "rules")]
        self.llama2_id, self.llama3_id = "acme/Shape-7B", "acme/Big-70B"

    def shape(self, which: str, **changes) -> dict:
        cfg = config_of("meta-llama/Llama-2-7b-hf" if which == "llama2" else "meta-llama/Llama-3.3-70B-Instruct")
        cfg.update(changes)
        return cfg


@pytest.fixture
def case(tmp_path):
    return Case(tmp_path)


def own_card():
    return card("license: apache-2.0\nmodel_name: Acme-LM", "# Acme-LM\nTrained in house.\n")


def by_model(cands: list[dict]) -> dict[str, dict]:
    return {c["model"]: c for c in cands}


@pytest.mark.parametrize("kind", ["tokenizer.json", "tokenizer.model", "vocab.json"])
def test_base_vocabulary_kept_whole_on_the_base_shape_is_derived(cli, make_repo, case, kind):
    files = {"README.md": own_card(), "config.json": case.shape("llama2")}
    if kind == "tokenizer.json":
        files[kind] = tokenizer_json(case.llama2)
    elif kind == "tokenizer.model":
        files[kind] = sentencepiece_model(case.llama2)
    else:
        files[kind] = {t: i for i, t in enumerate(case.llama2)}
    c = by_model(lineage(cli, make_repo(files), *case.rules))[case.llama2_id]
    assert c["confidence"] >= 0.8, c
    assert any(e.startswith(f"{kind}: ") and "identical" in e for e in c["evidence"]), c["evidence"]


def test_vocabulary_extended_by_appended_pieces_is_derived(cli, make_repo, case):
    new = [f"▁新{i}" for i in range(4000)]
    repo = make_repo(
        {
            "README.md": own_card(),
            "config.json": case.shape("llama2", vocab_size=len(case.llama2) + len(new)),
            "tokenizer.json": tokenizer_json(case.llama2 + new),
        }
    )
    c = by_model(lineage(cli, repo, *case.rules))[case.llama2_id]
    assert c["confidence"] >= 0.8
    assert any(f"extends the base's {len(case.llama2)}" in e for e in c["evidence"]), c["evidence"]


def test_shape_match_with_an_unrelated_vocabulary_is_independent(cli, make_repo, case):
    # The Stockmark / CALM2 pattern: the base's shape, a vocabulary of its own.
    repo = make_repo(
        {
            "README.md": own_card(),
            "config.json": case.shape("llama2", vocab_size=len(case.other), bos_token_id=11, eos_token_id=11),
            "tokenizer.json": tokenizer_json(case.other),
        }
    )
    assert lineage(cli, repo, *case.rules) == []  # nothing at 0.5 or above
    every = find_lineage(crawl(repo), load_registry(tuple(case.rules[1:])), min_confidence=0.0)
    named = [c for c in every if c.model == case.llama2_id or case.llama2_id in c.alternatives]
    assert named and all(c.confidence < 0.5 for c in named)
    assert any("an own vocabulary" in e for c in named for e in c.evidence)


def test_same_shape_config_alone_stays_possible(cli, make_repo, case):
    # Without the tokenizer the same repository is only "possibly derived": the vocabulary decides.
    repo = make_repo({"README.md": own_card(), "config.json": case.shape("llama2", vocab_size=len(case.other) + 5)})
    top = lineage(cli, repo, *case.rules)[0]
    assert 0.5 <= top["confidence"] < 0.8


def test_reused_tokenizer_on_a_shape_no_base_has_is_only_possible(cli, make_repo, case):
    # The TinyLlama pattern: Llama 2's vocabulary on a small shape of its own (TinyLlama itself is a known base
    # now, so the shape here is one no registry entry has).
    cfg = case.shape(
        "llama2",
        hidden_size=1536,
        intermediate_size=4608,
        num_hidden_layers=18,
        num_attention_heads=12,
        num_key_value_heads=4,
    )
    repo = make_repo({"README.md": own_card(), "config.json": cfg, "tokenizer.json": tokenizer_json(case.llama2)})
    cands = lineage(cli, repo, *case.rules)
    top = cands[0]
    family = {case.llama2_id, *top.get("alternatives", [])}
    assert top["model"] == case.llama2_id or case.llama2_id in family
    assert 0.5 <= top["confidence"] < 0.8, top
    assert any("not proof on its own" in e for e in top["evidence"])
    assert sum(1 for c in cands if c["confidence"] >= 0.5) == 1  # one candidate for the shared vocabulary


def test_pruned_model_with_its_family_vocabulary_and_rope_is_found_at_family_level(cli, make_repo, case):
    # The Minitron / Nemotron pattern: a 70B model pruned in depth and width, its vocabulary and rope kept.
    cfg = case.shape("llama3", num_hidden_layers=48, intermediate_size=20480)
    repo = make_repo({"README.md": own_card(), "config.json": cfg, "tokenizer.json": tokenizer_json(case.llama3)})
    cands = lineage(cli, repo, *case.rules)
    top = cands[0]
    reg_family = {m.family for m in load_registry() if m.id == case.llama3_id} or {"big-70b"}
    assert top["family"] in reg_family | {"llama3", "llama3.1", "llama3.2", "llama3.3", "big-70b"}
    assert 0.5 <= top["confidence"] < 0.8, top
    assert any("pruned or searched (NAS)" in e for e in top["evidence"]), top["evidence"]


def test_gguf_tokens_are_compared_too(cli, make_repo, case, tmp_path):
    gguf = pytest.importorskip("gguf")
    path = tmp_path / "model.gguf"
    w = gguf.GGUFWriter(str(path), "llama")
    w.add_tokenizer_model("llama")
    w.add_token_list(case.llama2)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    repo = make_repo({"README.md": own_card(), "config.json": case.shape("llama2"), "model.gguf": path.read_bytes()})
    c = by_model(lineage(cli, repo, *case.rules))[case.llama2_id]
    assert c["confidence"] >= 0.8 and any("model.gguf" in e and "identical" in e for e in c["evidence"])


# --- the fingerprint itself -------------------------------------------------------------------------


def test_relations_from_a_fingerprint():
    base = synthetic("a", 2000)
    fp = vocabulary_fingerprint(base + ["<|pad|>"] * 0, base_size=1900)
    assert relate_vocabulary(fp, Vocabulary(list(base))).kind == "identical"
    assert relate_vocabulary(fp, Vocabulary(base + ["x", "y"])).kind == "extended"
    # the trained part kept, special tokens after it replaced (Qwen2.5 -> Qwen3)
    assert relate_vocabulary(fp, Vocabulary(base[:1900] + ["<think>"] * 100)).kind == "identical"
    # the same tokens in another order: contained, not identical
    assert relate_vocabulary(fp, Vocabulary(list(reversed(base)))).kind == "contains"
    other = relate_vocabulary(fp, Vocabulary(synthetic("z", 2000)))
    assert other.kind == "different" and other.share < 0.1
    assert "vocab_sha256" in fp and all(t not in json.dumps(fp) for t in base[3:10])  # no token stored


def test_tokenizer_json_fast_path_agrees_with_a_full_parse():
    doc = tokenizer_json(synthetic("a", 500), ["<|im_start|>", "<|im_end|>"])
    doc["normalizer"] = {"type": "NFC"}
    text = json.dumps(doc, indent=2)
    assert tokenizer_json_tokens(text, parse_json) == (
        synthetic("a", 500),
        synthetic("a", 500) + ["<|im_start|>", "<|im_end|>"],
    )
    # "vocab" twice (a hostile or unusual file): the whole document is parsed instead
    doc["extra"] = {"vocab": {"x": 0}}
    assert tokenizer_json_tokens(json.dumps(doc), parse_json)[0] == synthetic("a", 500)


def test_sentencepiece_reader_is_bounded():
    data = sentencepiece_model(["<unk>", "▁a", "▁b"])
    assert sentencepiece_pieces(data) == ["<unk>", "▁a", "▁b"]
    for bad in (data[:-3], b"\x0a\xff\xff\xff\xff\x0f", b"\x0f", b""):
        with pytest.raises(VocabProblem):
            sentencepiece_pieces(bad)


def test_broken_tokenizer_model_is_a_problem_not_a_crash(cli, make_repo, case):
    repo = make_repo(
        {"README.md": own_card(), "config.json": case.shape("llama2", vocab_size=99), "tokenizer.model": b"\x0a\xff"}
    )
    res = cli("lineage", repo, "--format", "json", *case.rules)
    assert res.exit_code == 0, res.output


# --- the shipped registry -----------------------------------------------------------------------------


def test_every_registry_license_is_in_the_catalog():
    catalog = load_catalog()
    for m in load_registry():
        for lic in m.all_licenses:
            assert catalog.get(lic) is not None, f"{m.id}: license {lic} is not in rules/licenses"


def test_every_registry_entry_has_a_source():
    sources = yaml.safe_load((Path(__file__).parents[1] / "rules" / "models" / "_sources.yaml").read_text())
    tokenizers = sources.get("_tokenizers", {})
    for m in load_registry():
        assert m.source is not None and m.raw.get("source", "").startswith(
            ("config.json of ", "model_index.json and component configs of ")
        ), m.id
        assert m.id in sources, m.id
        name = m.tokenizer.get("name")
        if name:
            assert name in tokenizers and tokenizers[name]["source"], m.id


def test_fingerprints_cover_the_families_with_public_vocabularies():
    reg = load_registry()
    with_fp = [m for m in reg if m.tokenizer.get("vocab_sha256")]
    assert {m.family for m in with_fp} >= {"llama2", "llama3.1", "qwen2.5", "qwen3", "falcon"}
    # no vocabulary is stored: fingerprints stay small
    for m in with_fp:
        assert len(json.dumps(m.tokenizer)) < 4096, m.id
