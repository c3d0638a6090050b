"""Findings on repository shapes seen in published model repositories: each test builds synthetic content
shaped like a real case (a copy without Git LFS, a license only in LICENSE, a name only in the title)."""

from __future__ import annotations

from conftest import audit_json, card, license_text, rules_of

LFS = "version https://git-lfs.github.com/spec/v1\noid sha256:{}\nsize 17078415\n".format("b" * 64)


def findings_of(report: dict, rule: str) -> list[dict]:
    return [f for f in report["findings"] if f["rule"] == rule]


# ------------------------------------------------------------------- tokenizer files left as LFS pointers


def test_tokenizer_files_left_as_lfs_pointers_are_noted_not_invalid(cli, make_repo):
    repo = make_repo(
        {
            "README.md": card("license: mit"),
            "LICENSE": license_text("mit"),
            "tokenizer.json": LFS,
            "tokenizer.model": LFS,
        }
    )
    report, _ = audit_json(cli, repo)
    assert "invalid-file" not in rules_of(report)
    note = next(n for n in report["notes"] if "tokenizer files not present" in n)
    assert "tokenizer.json" in note and "tokenizer.model" in note


def test_a_malformed_tokenizer_json_is_still_invalid(cli, make_repo):
    repo = make_repo({"README.md": card("license: mit"), "LICENSE": license_text("mit"), "tokenizer.json": "{oops"})
    report, _ = audit_json(cli, repo)
    assert [f["path"] for f in findings_of(report, "invalid-file")] == ["tokenizer.json"]
