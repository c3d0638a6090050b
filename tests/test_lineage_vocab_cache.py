"""The observed vocabulary's digest in the derived-data cache: a repeated audit does not decode the tokenizer
again, a changed file is read again, and a hostile or broken cache file changes no result."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from test_lineage_vocabulary import Case, by_model, lineage, own_card, tokenizer_json

import license_audit.vocab_files as vocab_files


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    where = tmp_path / "cache"
    monkeypatch.setenv("LICENSE_AUDIT_CACHE", str(where))
    return where


@pytest.fixture
def case(tmp_path):
    return Case(tmp_path)


def _digests(cache: Path) -> list[Path]:
    return sorted(cache.glob("vocab-*.json"))


def _no_decoding(monkeypatch):
    def refuse(*_a, **_k):
        raise AssertionError("the tokenizer file was decoded again")

    monkeypatch.setattr(vocab_files, "tokenizer_json_tokens", refuse)


def test_repeated_audit_reads_the_cached_digest(cli, make_repo, case, cache, monkeypatch):
    repo = make_repo(
        {"README.md": own_card(), "config.json": case.shape("llama2"), "tokenizer.json": tokenizer_json(case.llama2)}
    )
    first = lineage(cli, repo, *case.rules)
    assert by_model(first)[case.llama2_id]["confidence"] >= 0.8
    assert len(_digests(cache)) == 1
    _no_decoding(monkeypatch)
    assert lineage(cli, repo, *case.rules) == first


def test_a_changed_tokenizer_is_read_again(cli, make_repo, case, cache):
    files = {
        "README.md": own_card(),
        "config.json": case.shape("llama2"),
        "tokenizer.json": tokenizer_json(case.llama2),
    }
    repo = make_repo(files)
    assert by_model(lineage(cli, repo, *case.rules))[case.llama2_id]["confidence"] >= 0.8
    tok = Path(repo) / "tokenizer.json"
    st = tok.stat()
    tok.write_text(json.dumps(tokenizer_json(case.other)), encoding="utf-8")
    os.utime(tok, ns=(st.st_atime_ns, st.st_mtime_ns))  # same mtime: the size and inode still tell
    after = lineage(cli, repo, *case.rules)
    assert case.llama2_id not in by_model(after) or by_model(after)[case.llama2_id]["confidence"] < 0.8


@pytest.mark.parametrize(
    "content",
    [
        "not json",
        "[]",
        '{"where": "tokenizer.json", "count": -1, "total": 0, "full_size": 0, "hashes": [], "present": []}',
        '{"where": "x", "count": 5, "total": 5, "full_size": 0, "hashes": [[0, 5, "zz"]], "present": []}',
        '{"where": "x", "count": 5, "total": 5, "full_size": 0, "hashes": [[2, 5, "' + "a" * 64 + '"]], "present": []}',
        '{"where": "x", "count": 5, "total": 5, "full_size": 0, "hashes": [], "present": ["1"]}',
        "[" * 100_000,
        " " * (9 * 1024 * 1024) + "{}",
    ],
)
def test_a_broken_or_hostile_cache_file_changes_nothing(cli, make_repo, case, cache, content):
    repo = make_repo(
        {"README.md": own_card(), "config.json": case.shape("llama2"), "tokenizer.json": tokenizer_json(case.llama2)}
    )
    first = lineage(cli, repo, *case.rules)
    [digest] = _digests(cache)
    digest.write_text(content, encoding="utf-8")
    assert lineage(cli, repo, *case.rules) == first


def test_each_vocabulary_file_has_its_own_digest(cli, make_repo, case, cache):
    # The file's own state picks the cache name: a digest of another repository's vocabulary is never read.
    kept = make_repo(
        {"README.md": own_card(), "config.json": case.shape("llama2"), "tokenizer.json": tokenizer_json(case.llama2)}
    )
    assert by_model(lineage(cli, kept, *case.rules))[case.llama2_id]["confidence"] >= 0.8
    other = make_repo(
        {
            "README.md": own_card(),
            "config.json": case.shape("llama2", vocab_size=len(case.other), bos_token_id=11, eos_token_id=11),
            "tokenizer.json": tokenizer_json(case.other),
        }
    )
    assert lineage(cli, other, *case.rules) == []
    assert len(_digests(cache)) == 2
    assert lineage(cli, other, *case.rules) == []


def test_a_digest_without_sampled_tokens_reads_the_file_when_they_are_needed(cli, make_repo, case, cache):
    # An own vocabulary on a known shape is told apart by its sampled tokens: a digest that lacks them (made by
    # a run that did not need them) reads the vocabulary again, gives the same answer and is completed.
    repo = make_repo(
        {
            "README.md": own_card(),
            "config.json": case.shape("llama2", vocab_size=len(case.other), bos_token_id=11, eos_token_id=11),
            "tokenizer.json": tokenizer_json(case.other),
        }
    )
    first = lineage(cli, repo, *case.rules)
    [digest] = _digests(cache)
    doc = json.loads(digest.read_text(encoding="utf-8"))
    assert "present" in doc
    del doc["present"]
    digest.write_text(json.dumps(doc), encoding="utf-8")
    assert lineage(cli, repo, *case.rules) == first
    assert "present" in json.loads(digest.read_text(encoding="utf-8"))


def test_the_same_tokenizer_file_in_another_repository_is_not_decoded_again(cli, make_repo, case, cache, monkeypatch):
    files = {
        "README.md": own_card(),
        "config.json": case.shape("llama2"),
        "tokenizer.json": tokenizer_json(case.llama2),
    }
    first = lineage(cli, make_repo(files), *case.rules)
    assert by_model(first)[case.llama2_id]["confidence"] >= 0.8
    assert len(sorted(cache.glob("vocabsha-*.json"))) == 1
    copy = make_repo(files)  # another path and inode, the same bytes
    _no_decoding(monkeypatch)
    assert lineage(cli, copy, *case.rules) == first
    assert len(_digests(cache)) == 2  # the copy's own state now answers for it too


def test_another_content_is_decoded(cli, make_repo, case, cache, monkeypatch):
    files = {
        "README.md": own_card(),
        "config.json": case.shape("llama2"),
        "tokenizer.json": tokenizer_json(case.llama2),
    }
    lineage(cli, make_repo(files), *case.rules)
    decoded = []
    real = vocab_files.tokenizer_json_tokens
    monkeypatch.setattr(vocab_files, "tokenizer_json_tokens", lambda *a: decoded.append(1) or real(*a))
    shape = case.shape("llama2", vocab_size=len(case.other), bos_token_id=11, eos_token_id=11)
    other = dict(files, **{"config.json": shape, "tokenizer.json": tokenizer_json(case.other)})
    assert lineage(cli, make_repo(other), *case.rules) == []
    assert decoded == [1]
