"""The parsed-rules cache changes speed, never results: same documents, rebuilt when a file changes."""

from __future__ import annotations

import datetime as dt
import os

import pytest

from license_audit.catalog import load_yaml_file
from license_audit.resources import rules_dir
from license_audit.rulecache import load_folder


@pytest.fixture
def cache(tmp_path, monkeypatch):
    where = tmp_path / "cache"
    monkeypatch.setenv("LICENSE_AUDIT_CACHE", str(where))
    return where


def shipped(kind: str):
    return [p for p in sorted((rules_dir() / kind).glob("*.yaml")) if not p.name.startswith("_")]


@pytest.mark.parametrize("kind", ["licenses", "models"])
def test_cached_documents_equal_the_parsed_ones(cache, kind):
    files = shipped(kind)
    first = load_folder(files, load_yaml_file)
    assert list(cache.glob("rules-*.json")), "the cache was not written"
    second = load_folder(files, lambda p: pytest.fail("parsed again although the cache is current"))
    assert second == first == [load_yaml_file(p) for p in files]
    assert [list(d) for d in second] == [list(d) for d in first]  # key order too (it orders output)


def test_edited_file_rebuilds_and_replaces_the_old_cache(cache, tmp_path):
    folder = tmp_path / "rules"
    folder.mkdir()
    (folder / "a.yaml").write_text("id: a\nreleased: 2024-07-23\n")
    files = [folder / "a.yaml"]
    assert load_folder(files, load_yaml_file) == [{"id": "a", "released": dt.date(2024, 7, 23)}]
    (folder / "a.yaml").write_text("id: b\nreleased: 2025-01-02\n")
    os.utime(folder / "a.yaml", ns=(1, 1))
    assert load_folder(files, load_yaml_file) == [{"id": "b", "released": dt.date(2025, 1, 2)}]
    assert len(list(cache.glob("rules-*.json"))) == 1


def test_documents_json_cannot_carry_are_not_cached(cache, tmp_path):
    folder = tmp_path / "rules"
    folder.mkdir()
    (folder / "a.yaml").write_text("id: a\n1: integer key\n")
    assert load_folder([folder / "a.yaml"], load_yaml_file) == [{"id": "a", 1: "integer key"}]
    assert not list(cache.glob("rules-*.json"))


def test_corrupt_cache_is_ignored(cache):
    files = shipped("licenses")
    expected = load_folder(files, load_yaml_file)
    for f in cache.glob("rules-*.json"):
        f.write_text("{not json")
    assert load_folder(files, load_yaml_file) == expected


def test_cache_can_be_switched_off(monkeypatch, tmp_path):
    monkeypatch.setenv("LICENSE_AUDIT_CACHE", "0")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    load_folder(shipped("licenses"), load_yaml_file)
    assert not list(tmp_path.rglob("rules-*.json"))
