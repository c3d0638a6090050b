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


# ---------------------------------------------------------------- the name a Llama derivative goes by

_LLAMA31_CARD = "license: llama3.1\nbase_model: meta-llama/Llama-3.1-8B-Instruct"


def _prefix_findings(cli, make_repo, folder: str, title: str, front: str = _LLAMA31_CARD) -> list[dict]:
    repo = make_repo({"README.md": card(front, f"# {title}\n\nBuilt with Llama.\n")}, name=folder)
    report, _ = audit_json(cli, repo)
    return findings_of(report, "name-prefix-required")


def test_a_title_that_breaks_the_name_rule_is_checked_beside_the_folder_name(cli, make_repo):
    (f,) = _prefix_findings(cli, make_repo, "llama31-8b-merge", "1PARAM-8B-ModelStock")
    assert f["severity"] == "warning"
    assert '"1PARAM-8B-ModelStock" (README.md\'s title)' in f["message"]
    assert "not established" in f["message"] and "llama31-8b-merge" in f["message"]


def test_a_name_broken_by_folder_and_title_alike_is_an_error_naming_both(cli, make_repo):
    (f,) = _prefix_findings(cli, make_repo, "reflection-70b", "Reflection Llama-3.1 70B")
    assert f["severity"] == "error"
    assert '"reflection-70b" (the folder name)' in f["message"] and "Reflection Llama-3.1 70B" in f["message"]
    assert '"Llama-reflection-70b"' in f["fix"]


def test_the_card_model_name_is_the_name_when_set(cli, make_repo):
    front = _LLAMA31_CARD + "\nmodel_name: Llama-3.1-Chatty"
    assert not _prefix_findings(cli, make_repo, "chatty", "Chatty: a helpful model", front)


def test_a_template_title_is_no_name(cli, make_repo):
    assert not _prefix_findings(cli, make_repo, "llama-3.1-chatty", "Model Card for Model ID")


# ------------------------------------------------------------------------- license names in sentences


def test_no_license_name_doubles_the_article_in_a_sentence():
    from license_audit.catalog import load_catalog

    for lic in load_catalog():
        assert not lic.name.lower().startswith("the "), f'"the {lic.name}" reads badly in findings ({lic.id})'


# ------------------------------------------------------------- an adapter on an MIT or Apache base


def _adapter_on(base: str, **files) -> dict:
    return {
        "adapter_config.json": {"peft_type": "LORA", "base_model_name_or_path": base, "r": 8},
        **files,
    }


def test_copy_duties_of_an_mit_base_are_stated_as_unsettled_for_an_adapter(cli, make_repo):
    report, _ = audit_json(cli, make_repo(_adapter_on("microsoft/phi-2")))
    duties = [f for f in report["findings"] if f["rule"].startswith("upstream-") and f["upstream"] == "microsoft/phi-2"]
    assert duties, report["findings"]
    for f in duties:
        assert f["severity"] == "warning", f
        assert "adapter" in f["message"] and "not settled" in f["message"]


def test_copy_duties_of_an_mit_base_stay_errors_for_a_merged_fine_tune(cli, make_repo):
    front = "license: mit\nbase_model: microsoft/phi-2"
    report, _ = audit_json(cli, make_repo({"README.md": card(front)}))
    duties = [f for f in report["findings"] if f["rule"] == "upstream-license-missing"]
    assert duties and all(f["severity"] == "error" and "not settled" not in f["message"] for f in duties)


def test_llama_duties_bind_an_adapter_without_doubt(cli, make_repo):
    report, _ = audit_json(cli, make_repo(_adapter_on("meta-llama/Llama-3.1-8B-Instruct")))
    duties = findings_of(report, "upstream-license-missing")
    assert duties and all("not settled" not in f["message"] for f in duties)


# ------------------------------------------------------------- a license named only in the card's prose


def test_a_license_named_only_in_prose_is_said_and_the_fix_names_its_card_field(cli, make_repo):
    body = "# Gemma 3 12B It GGUF\n\n**Base Model:** Gemma 3 12B\n\n**License:** gemma\n"
    report, _ = audit_json(cli, make_repo({"README.md": body}))
    (f,) = findings_of(report, "license-missing")
    assert "line 5 names the Gemma Terms of Use only in prose" in f["message"]
    assert "`license: gemma`" in f["fix"]


def test_a_misspelt_licence_key_is_named(cli, make_repo):
    report, _ = audit_json(cli, make_repo({"README.md": card("licence: license\nlibrary_name: peft")}))
    (f,) = findings_of(report, "license-missing")
    assert "`licence: license`" in f["message"] and "instead of `license:`" in f["message"]


def test_prose_naming_several_licenses_is_no_declaration(cli, make_repo):
    body = "# Model\n\nTrained on data under CC-BY-4.0; the code is under the MIT License.\n"
    report, _ = audit_json(cli, make_repo({"README.md": body}))
    (f,) = findings_of(report, "license-missing")
    assert "only in prose" not in f["message"]


# ------------------------------------------------------------ commercial use under the licensor's conditions


def test_commercial_registration_terms_are_a_reminder_quoting_them(cli, make_repo):
    front = "license: other\nbase_model: baichuan-inc/Baichuan2-7B-Base\nlibrary_name: peft"
    report, _ = audit_json(cli, make_repo({"README.md": card(front)}))
    reminders = [f for f in findings_of(report, "usage-threshold") if "conditions of its own" in f["message"]]
    assert reminders and all(f["severity"] == "info" for f in reminders)
    assert any("Daily Active Users" in f["message"] for f in reminders)
    assert all(f["clause"].startswith("Baichuan 2 Model Community License Agreement") for f in reminders)


# ----------------------------------------------------------------------- no upstream established


def test_an_audit_that_finds_no_base_says_upstream_duties_were_not_checked(cli, make_repo):
    body = "# PortraitPlus\n\nA DreamBooth model trained on the base 1.5 model.\n"
    report, _ = audit_json(cli, make_repo({"README.md": card("license: creativeml-openrail-m", body)}))
    assert not report["lineage"]
    assert any(n.startswith("lineage: no base model was established") for n in report["notes"])


def test_a_declared_base_needs_no_such_note(cli, make_repo):
    front = "license: llama3.1\nbase_model: meta-llama/Llama-3.1-8B-Instruct"
    report, _ = audit_json(cli, make_repo({"README.md": card(front)}))
    assert not any(n.startswith("lineage: no base model") for n in report.get("notes", []))
