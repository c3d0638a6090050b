"""Property and hostile-input tests for the parsers that read repository bytes: card, JSON, YAML."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
import yaml
from conftest import audit_json, rules_of
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from license_audit.card import parse_card
from license_audit.crawl import crawl
from license_audit.safeio import JSONProblem, decode_text, load_yaml, parse_json

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(st.text(max_size=400))
def test_card_parser_never_raises_on_text(text):
    c = parse_card(text)
    assert isinstance(c.metadata, dict)
    assert isinstance(c.base_models, list)


yaml_ish = st.text(alphabet=st.sampled_from(list("-:[]{}&*!|>'\"#\n\t abcxyz0123,.%@`")), max_size=200)


@FUZZ
@given(yaml_ish)
def test_card_front_matter_never_raises(body):
    c = parse_card(f"---\n{body}\n---\n# title\n")
    assert isinstance(c.metadata, dict)
    try:
        expected = yaml.safe_load(body)
    except yaml.YAMLError:
        # Not YAML: the card says so instead of raising.
        assert c.problems and not c.metadata
        return
    if isinstance(expected, dict) and "---" not in body:
        assert c.metadata == {str(k): v for k, v in expected.items()}


@FUZZ
@given(st.binary(max_size=300))
def test_decode_text_accepts_any_bytes(data):
    assert isinstance(decode_text(data), str)


@FUZZ
@given(st.text(max_size=300))
def test_parse_json_raises_only_jsonproblem(text):
    try:
        parse_json(text)
    except JSONProblem:
        pass


@FUZZ
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=5),
        lambda kids: st.lists(kids, max_size=3) | st.dictionaries(st.text(max_size=3), kids, max_size=3),
        max_leaves=30,
    )
)
def test_parse_json_round_trips_valid_documents(obj):
    assert parse_json(json.dumps(obj)) == obj


def test_deep_json_is_refused():
    with pytest.raises(JSONProblem):
        parse_json("[" * 100000 + "]" * 100000)


def test_yaml_alias_bomb_is_refused():
    lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    prev = "a"
    for name in "bcdefghijklmnop":
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]")
        prev = name
    with pytest.raises(yaml.YAMLError):
        load_yaml("\n".join(lines))


def test_deeply_nested_front_matter_is_an_invalid_file_finding(cli, make_repo):
    # PyYAML composes nested collections by recursion: 600 levels exhaust the interpreter stack unless bounded.
    repo = make_repo({"README.md": "---\nlicense: mit\nx: " + "[" * 600 + "]" * 600 + "\n---\n# x\n"})
    report, _ = audit_json(cli, repo)
    bad = [f for f in report["findings"] if f["rule"] == "invalid-file"]
    assert bad and bad[0]["path"] == "README.md" and bad[0]["line"] == 3, report["findings"]
    assert "nesting deeper than" in bad[0]["message"]
    # A card's real nesting (model-index results) stays far below the bound.
    assert load_yaml("a: " + "[" * 40 + "]" * 40) == {"a": json.loads("[" * 40 + "]" * 40)}


def test_yaml_python_tags_are_refused():
    with pytest.raises(yaml.YAMLError):
        load_yaml("!!python/object/apply:os.system ['echo pwned']")


def test_card_with_python_tag_is_a_problem_not_execution(tmp_path):
    c = parse_card("---\nlicense: !!python/object/apply:os.system ['touch %s']\n---\n" % (tmp_path / "pwned"))
    assert c.problems and not (tmp_path / "pwned").exists()


def test_hostile_repository(cli, make_repo, tmp_path):
    repo = make_repo(
        {
            "README.md": "---\nlicense: [\n---\n",
            "LICENSE-WEIGHTS": b"\x00\x01\x02 binary",
            "NOTICE": "\xe9t\xe9 ".encode("latin-1") * 10,
            "config.json": "[" * 5000 + "]" * 5000,
            "tokenizer_config.json": '{"a": NaN',
        }
    )
    (repo / "LICENSE").symlink_to("/etc/passwd")
    (repo / "loop").mkdir()
    (repo / "loop" / "again").symlink_to(repo / "loop", target_is_directory=True)
    report, _ = audit_json(cli, repo)
    bad = {f["path"] for f in report["findings"] if f["rule"] == "invalid-file"}
    assert {"README.md", "LICENSE", "LICENSE-WEIGHTS", "config.json", "tokenizer_config.json"} <= bad


def test_large_license_file_is_capped(make_repo):
    repo = make_repo({"LICENSE": "x " * (3 * 1024 * 1024)})
    snap = crawl(repo)
    assert "LICENSE" in snap.truncated
    assert len(snap.license_texts["LICENSE"]) <= 2 * 1024 * 1024


def test_license_missing_ignores_notice_only(cli, make_repo):
    report, _ = audit_json(cli, make_repo({"README.md": "# x\n", "NOTICE": "Copyright 2026 Someone\n"}))
    assert "license-missing" in rules_of(report)


def test_no_traceback_on_unreadable_file(tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root reads files regardless of their mode")
    repo = tmp_path / "r"
    repo.mkdir()
    (repo / "LICENSE").write_text("MIT")
    (repo / "LICENSE").chmod(0)
    proc = subprocess.run([sys.executable, "-m", "license_audit", "audit", str(repo)], capture_output=True, text=True)
    assert "Traceback" not in proc.stderr and proc.returncode in (0, 1)
