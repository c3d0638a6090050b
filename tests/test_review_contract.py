"""Acceptance checks against CONTRACT.md from a hostile user's side: bad input is one clear line and exit 2
(or a finding), never an internal error; JSON keeps its documented shape."""

from __future__ import annotations

import pytest

from conftest import audit_json, card


def _one_clear_line(res) -> str:
    assert res.exit_code == 2, res.output
    out = res.output.strip()
    assert "internal error" not in out and "Traceback" not in out
    return out


@pytest.mark.parametrize("spec", ["hf:a b/c", "hf:owner/name@", "hf:owner/name@@x", "hf:-owner/name",
                                  "hf:owner/na..me", "hf:owner/name@a b"])
def test_malformed_hub_target_is_a_usage_error(cli, spec):
    out = _one_clear_line(cli("audit", spec, "--offline"))
    assert "hf:OWNER/NAME" in out


def test_empty_target_is_an_error_not_the_current_folder(cli):
    out = _one_clear_line(cli("audit", ""))
    assert "TARGET is empty" in out


@pytest.mark.parametrize("command", ["audit", "lineage", "notice"])
def test_missing_or_empty_rules_folder_is_an_error(cli, make_repo, tmp_path, command):
    repo = make_repo({"README.md": card("license: mit"), "LICENSE": "MIT License\n"})
    out = _one_clear_line(cli(command, repo, "--rules", tmp_path / "nope"))
    assert "rules folder not found" in out
    (tmp_path / "empty").mkdir()
    out = _one_clear_line(cli(command, repo, "--rules", tmp_path / "empty"))
    assert "neither licenses/ nor models/" in out
