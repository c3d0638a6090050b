"""The parsed-rules cache changes speed, never results: same documents, rebuilt when a file changes."""

from __future__ import annotations

import datetime as dt
import json
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


def test_temporary_rules_folders_do_not_pile_up(cache, tmp_path):
    from license_audit.rulecache import KEEP_FOLDERS

    for i in range(KEEP_FOLDERS + 6):
        folder = tmp_path / f"rules{i}"
        folder.mkdir()
        (folder / "a.yaml").write_text(f"id: a{i}\n")
        load_folder([folder / "a.yaml"], load_yaml_file)
    kept = list(cache.glob("rules-*.json"))
    assert len(kept) == KEEP_FOLDERS
    # The newest folder's documents are among those kept.
    assert load_folder(
        [tmp_path / f"rules{KEEP_FOLDERS + 5}" / "a.yaml"], lambda p: pytest.fail("the newest folder was pruned")
    ) == [{"id": f"a{KEEP_FOLDERS + 5}"}]


# The compiled identification index (phrases ranked, reference copies tokenised) is cached too.
def _compiled_view(cc):
    return (
        [
            (
                cl.lic.id,
                [(n.text, n.length, n.key, n.key2, n.words) for n in cl.phrases + cl.references + cl.reference_end],
                [p.pattern for p in cl.patterns],
                cl.min_words,
                cl.shadowed_by,
                cl.required_end,
                cl.ref_words,
                cl.ref_hash,
                cl.keys,
                cl.ref_keys,
                str(cl.text_path),
            )
            for cl in cc.licenses
        ],
        cc.exact,
    )


def test_compiled_index_is_read_back_equal_and_identifies_the_same(cache, monkeypatch):
    from license_audit.catalog import Catalog, load_catalog
    from license_audit.identify import compiled
    from license_audit.identify.matchers import identify_text

    fresh = Catalog(list(load_catalog()))
    first = compiled.compile_catalog(fresh)
    assert len(list(cache.glob("identify-*.json"))) == 1
    again = Catalog(list(load_catalog()))
    monkeypatch.setattr(compiled, "tokenize", lambda *a, **k: pytest.fail("compiled again although cached"))
    second = compiled.compile_catalog(again)
    assert _compiled_view(second) == _compiled_view(first)
    assert first.exact, "no reference copy was hashed"
    text = (rules_dir() / "licenses" / "texts" / "llama3.1.txt").read_text(encoding="utf-8")
    assert [(m.id, m.confidence) for m in identify_text(text, again)] == [("llama3.1", 1.0)]


def test_compiled_index_follows_an_edited_license(cache, tmp_path):
    from license_audit.catalog import Catalog, load_catalog, load_licenses_from
    from license_audit.identify.matchers import identify_text

    folder = tmp_path / "licenses"
    folder.mkdir()
    rule = folder / "acme.yaml"
    rule.write_text(
        "id: acme\nspdx: LicenseRef-acme\nname: ACME\nidentify:\n  phrases:\n"
        "    - the acme weights license agreement\n    - acme grants you a limited license\n"
    )
    text = "THE ACME WEIGHTS LICENSE AGREEMENT\nACME grants you a limited license.\n"

    def catalog():
        cat = Catalog(list(load_catalog()))
        for lic in load_licenses_from(folder):
            cat.add(lic)
        return cat

    assert [(m.id, m.confidence) for m in identify_text(text, catalog())] == [("acme", 0.99)]
    # One of the two phrases no longer in the text: half the confidence, not the cached full match.
    rule.write_text(rule.read_text().replace("acme grants you", "acme lends you"))
    os.utime(rule, ns=(1, 1))
    assert [(m.id, m.confidence) for m in identify_text(text, catalog())] == [("acme", 0.495)]
    assert len(list(cache.glob("identify-*.json"))) == 2


def test_damaged_compiled_index_is_compiled_again(cache):
    from license_audit.catalog import Catalog, load_catalog
    from license_audit.identify import compiled

    expected = _compiled_view(compiled.compile_catalog(Catalog(list(load_catalog()))))
    for f in cache.glob("identify-*.json"):
        doc = json.loads(f.read_text())
        doc["licenses"][0]["phrases"] = "not a list of needles"
        f.write_text(json.dumps(doc))
    assert _compiled_view(compiled.compile_catalog(Catalog(list(load_catalog())))) == expected
    for f in cache.glob("identify-*.json"):
        f.write_text("{not json")
    assert _compiled_view(compiled.compile_catalog(Catalog(list(load_catalog())))) == expected


def test_no_home_directory_means_no_cache_not_a_failure(monkeypatch, cli, tmp_path):
    from pathlib import Path

    from license_audit.resources import cache_dir

    def no_home():
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.delenv("LICENSE_AUDIT_CACHE", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setattr(Path, "home", staticmethod(no_home))
    assert cache_dir() is None
    (tmp_path / "README.md").write_text("---\nlicense: mit\n---\n# m\n")
    res = cli("audit", tmp_path, "--format", "json", "--no-history")
    assert res.exit_code in (0, 1), res.output


def test_cached_index_with_wrong_types_or_depth_is_compiled_again(cache):
    from license_audit.catalog import Catalog, load_catalog
    from license_audit.identify import compiled

    expected = _compiled_view(compiled.compile_catalog(Catalog(list(load_catalog()))))
    (f,) = cache.glob("identify-*.json")
    doc = json.loads(f.read_text())
    doc["licenses"][0]["required_end"] = ["not", "a", "string"]
    f.write_text(json.dumps(doc))
    assert _compiled_view(compiled.compile_catalog(Catalog(list(load_catalog())))) == expected
    f.write_text("[" * 100_000 + "]" * 100_000)  # deeper than json can recurse
    assert _compiled_view(compiled.compile_catalog(Catalog(list(load_catalog())))) == expected


def test_a_fifo_in_the_cache_is_skipped_not_waited_on(cache):
    import threading

    from license_audit import rulecache

    cache.mkdir(parents=True, exist_ok=True)
    os.mkfifo(cache / "identify-fifo.json")
    result = []
    t = threading.Thread(target=lambda: result.append(rulecache.read("identify-fifo.json")), daemon=True)
    t.start()
    t.join(10)
    assert not t.is_alive() and result == [None]


def test_index_built_by_other_code_is_not_read_back(cache, tmp_path):
    from license_audit import rulecache

    src = tmp_path / "module.py"
    src.write_text("x = 1\n")
    first = rulecache.key(1, rulecache.code_stamp(str(src)))
    src.write_text("x = 22\n")
    assert rulecache.key(1, rulecache.code_stamp(str(src))) != first
