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


# ------------------------------------------------------- the license only in LICENSE, no card license


def _adapter_repo(**files) -> dict:
    return {
        "README.md": "# Support-Chat-8B\n\nA LoRA adapter. License: see LICENSE.\n",
        "adapter_config.json": {
            "peft_type": "LORA",
            "base_model_name_or_path": "meta-llama/Llama-3.1-8B-Instruct",
            "r": 16,
        },
        **files,
    }


def test_a_license_file_the_upstream_does_not_allow_is_a_warning_that_states_both_readings(cli, make_repo):
    repo = make_repo(_adapter_repo(LICENSE=license_text("apache-2.0")))
    report, _ = audit_json(cli, repo)
    found = findings_of(report, "license-incompatible")
    assert found, report["findings"]
    f = found[0]
    assert f["severity"] == "warning" and f["path"] == "LICENSE"
    assert "`apache-2.0`" in f["message"] and "Llama 3.1" in f["message"]
    assert "covers only the code" in f["message"]
    assert "`llama3.1`" in f["fix"]


def test_a_license_file_beside_the_upstream_terms_is_not_read_as_a_relicensing(cli, make_repo):
    third_party = "# Third-party licenses\n\nThe adapter is subject to the Llama 3.1 Community License Agreement.\n"
    repo = make_repo(_adapter_repo(LICENSE=license_text("mit"), **{"THIRD_PARTY_LICENSES.md": third_party}))
    report, _ = audit_json(cli, repo)
    assert "license-incompatible" not in rules_of(report)


def test_a_weights_license_file_speaks_for_the_model_before_the_code_license(cli, make_repo):
    repo = make_repo(_adapter_repo(LICENSE=license_text("mit"), MODEL_LICENSE="Our own model terms, unpublished.\n"))
    report, _ = audit_json(cli, repo)
    assert "license-incompatible" not in rules_of(report)
