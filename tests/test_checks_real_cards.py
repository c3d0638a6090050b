"""Findings on card and repository forms seen in published model repositories, each built here from
synthetic content shaped like the real form: a chat checkpoint named in prose, a mixture-of-experts size,
a license said in a card's body without a version, an image credit, a license badge, a license the catalog
does not hold."""

from __future__ import annotations

import json

from conftest import audit_json, card, config_of, license_text, rules_of


def findings_of(report: dict, rule: str) -> list[dict]:
    return [f for f in report["findings"] if f["rule"] == rule]


# ------------------------------------------------- the checkpoint the repository names, not its entry


def test_a_chat_checkpoint_named_in_prose_is_the_upstream_findings_and_notice_name(cli, make_repo, tmp_path):
    # The registry's Llama-2-13b-hf entry answers for meta-llama/Llama-2-13b-chat-hf too; the card links the
    # chat model, so the base to declare is the chat model, not the entry.
    repo = make_repo(
        {
            "README.md": card(
                "license: llama2",
                "# Fjord-13B\n\nFjord-13B is a variant of [Llama 2 13b Chat]"
                "(https://huggingface.co/meta-llama/Llama-2-13b-chat-hf), finetuned on Norwegian data.\n",
            ),
            "config.json": config_of("meta-llama/Llama-2-13b-hf"),
        }
    )
    report, _ = audit_json(cli, repo)
    undeclared = findings_of(report, "base-model-undeclared")
    assert [f["upstream"] for f in undeclared] == ["meta-llama/Llama-2-13b-chat-hf"], report["findings"]
    assert "base_model: meta-llama/Llama-2-13b-chat-hf" in undeclared[0]["fix"]
    assert {f["upstream"] for f in report["findings"] if f["upstream"]} == {"meta-llama/Llama-2-13b-chat-hf"}
    cand = report["lineage"][0]
    assert cand["model"] == "meta-llama/Llama-2-13b-chat-hf" and "checkpoint" not in cand

    out = cli("notice", str(repo))
    assert out.exit_code == 0, out.output
    assert "meta-llama/Llama-2-13b-chat-hf (finetune)" in out.output
    assert "meta-llama/Llama-2-13b-hf (" not in out.output

    fixed = cli("fix", str(repo), "--offline")
    assert "+base_model: meta-llama/Llama-2-13b-chat-hf" in fixed.output, fixed.output


def test_the_entry_itself_is_named_when_no_other_checkpoint_is(cli, make_repo):
    repo = make_repo({"README.md": card("license: llama2"), "config.json": config_of("meta-llama/Llama-2-13b-hf")})
    report, _ = audit_json(cli, repo)
    assert [f["upstream"] for f in findings_of(report, "base-model-undeclared")] == ["meta-llama/Llama-2-13b-hf"]
    assert "checkpoint" not in report["lineage"][0]


# ------------------------------------------------------------- a mixture of experts' size in a name


def test_a_mixture_of_experts_name_keeps_its_experts_in_the_family_label(cli, make_repo):
    repo = make_repo({"README.md": "# Radiant Mixtral 8x7B Fusion\n\nA fusion model, suitable for commercial use.\n"})
    report, _ = audit_json(cli, repo)
    labels = {c["model"] for c in report["lineage"]} | {f["upstream"] for f in report["findings"] if f["upstream"]}
    assert labels == {"Mixtral 8x7B (family)"}, report
    assert not any("Mixtral 7B" in f["message"] for f in report["findings"])


# ---------------------------------------------------------- "License: Apache", a version not given


def test_license_apache_in_a_card_body_is_apache_2_0_and_cannot_be_granted_on_llama_3(cli, make_repo):
    repo = make_repo(
        {
            "README.md": card(
                "library_name: peft\nbase_model: meta-llama/Meta-Llama-3-8B-Instruct\nmodel_name: Llama-3-8B-orpo-zh",
                "# Model Card\n\n- **Developed by:** someone\n- **License:** Apache\n- **Finetuned from:** Llama 3\n",
            )
        }
    )
    report, _ = audit_json(cli, repo)
    card_refs = [lf for lf in report["license_files"] if lf["path"] == "README.md"]
    assert [(m["id"], m["start_line"]) for m in card_refs[0]["licenses"]] == [("apache-2.0", 10)]
    incompatible = findings_of(report, "license-incompatible")
    assert len(incompatible) == 1 and incompatible[0]["severity"] == "error", report["findings"]
    assert "line 10 states `apache-2.0`" in incompatible[0]["message"]
    assert "llama3" in incompatible[0]["fix"]
    missing = findings_of(report, "license-missing")
    assert missing and "apache-2.0" not in missing[0]["fix"], missing


def test_an_apache_license_named_with_another_version_is_that_version(cli, make_repo, tmp_path):
    files = {
        "v11/README.md": "# M\n\nLicensed under the Apache License, Version 1.1\n",
        "plain/README.md": "# M\n\nThis project is licensed under the Apache License.\n",
        "spark/README.md": "# M\n\nWe use Apache Spark for data preparation. License: MIT\n",
    }
    repo = make_repo(files)
    out = cli("identify", "--format", "json", *(str(repo / rel) for rel in files))
    found = {row["path"].split("/")[-2]: [m["id"] for m in row["licenses"]] for row in json.loads(out.output)}
    assert found == {"v11": ["apache-1.1"], "plain": ["apache-2.0"], "spark": ["mit"]}


# ------------------------------------------------------------------ an image credit in a card


def test_an_image_credit_license_is_not_the_models(cli, make_repo):
    repo = make_repo(
        {
            "README.md": card(
                "license: apache-2.0",
                "# Model\n\n```python\n# Image attribution: Jane Doe, CC0, via Wikimedia Commons\n"
                'image_url = "https://upload.wikimedia.org/x.png"\n```\n\nPhoto by Joe, CC BY-SA 4.0\n',
            ),
            "LICENSE": license_text("apache-2.0"),
        }
    )
    report, _ = audit_json(cli, repo)
    ids = {m["id"] for lf in report["license_files"] for m in lf["licenses"]}
    assert ids == {"apache-2.0"}, report["license_files"]


# -------------------------------------------------------------- a license badge against the card


BADGE = "[![License](https://img.shields.io/badge/License-Apache_2.0-blue.svg)](https://huggingface.co/x)"


def test_a_license_badge_that_contradicts_the_front_matter_is_a_mismatch(cli, make_repo):
    repo = make_repo(
        {
            "README.md": card("license: llama2\nbase_model: meta-llama/Llama-2-13b-hf", f"{BADGE}\n\n# Model\n"),
            "config.json": config_of("meta-llama/Llama-2-13b-hf"),
        }
    )
    report, _ = audit_json(cli, repo)
    found = findings_of(report, "license-mismatch")
    assert len(found) == 1 and found[0]["severity"] == "error", report["findings"]
    assert found[0]["path"] == "README.md"
    assert "`llama2`" in found[0]["message"] and "`apache-2.0`" in found[0]["message"]
    assert "line 6" in found[0]["message"] and "does not allow" in found[0]["fix"]


def test_badges_that_agree_or_speak_for_the_code_are_no_mismatch(cli, make_repo):
    code_badge = "![Code License](https://img.shields.io/badge/Code_License-MIT-green)"
    repo = make_repo(
        {
            "README.md": card("license: apache-2.0", f"{BADGE} {code_badge}\n\n# Model\n\n- **License:** Apache 2.0\n"),
            "LICENSE": license_text("apache-2.0"),
        }
    )
    report, _ = audit_json(cli, repo)
    assert "license-mismatch" not in rules_of(report), report["findings"]


def test_a_license_line_that_contradicts_the_front_matter_is_a_mismatch(cli, make_repo):
    repo = make_repo(
        {"README.md": card("license: mit", "# Model\n\n- **License:** cc-by-nc-4.0\n"), "LICENSE": license_text("mit")}
    )
    report, _ = audit_json(cli, repo)
    found = findings_of(report, "license-mismatch")
    assert [f["path"] for f in found] == ["README.md"] and "`cc-by-nc-4.0`" in found[0]["message"]


# ------------------------------------------- a card license the catalog does not hold is said, not passed


def test_an_unknown_card_license_on_a_gemma_derivative_says_what_cannot_be_checked(cli, make_repo):
    repo = make_repo(
        {
            "README.md": card(
                "license: other\nlicense_name: acme-health-terms\nlicense_link: https://acme.example/terms\n"
                "base_model: google/gemma-2-9b-it"
            ),
            "GEMMA_LICENSE": license_text("gemma"),
            "NOTICE": "Gemma is provided under and subject to the Gemma Terms of Use found at ai.google.dev/gemma/terms\n",
        }
    )
    report, _ = audit_json(cli, repo)
    unknown = findings_of(report, "license-unknown")
    assert [f["path"] for f in unknown] == ["README.md"], report["findings"]
    msg = unknown[0]["message"]
    assert "acme-health-terms" in msg and "https://acme.example/terms" in msg
    assert "use restrictions the Gemma Terms of Use" in msg
    # Not taken for a proprietary license that settles the question either way.
    assert "license-incompatible" not in rules_of(report)


def test_an_unknown_card_license_on_noncommercial_weights_says_it_is_not_established(cli, make_repo):
    repo = make_repo({"README.md": card("license: other\nlicense_name: acme-research-terms\nbase_model: acme/base-nc")})
    rules = make_repo({"models/acme.yaml": "id: acme/base-nc\nfamily: acme\nlicense: cc-by-nc-4.0\n"})
    report, _ = audit_json(cli, repo, "--rules", str(rules))
    found = findings_of(report, "license-incompatible")
    assert found and "not a license the catalog holds" in found[0]["message"], report["findings"]
    assert "permits it" not in found[0]["message"]
    assert [f["path"] for f in findings_of(report, "license-unknown")] == ["README.md"]


def test_an_unknown_card_license_on_a_llama_derivative_is_still_incompatible(cli, make_repo):
    repo = make_repo(
        {"README.md": card("license: other\nlicense_name: acme-terms\nbase_model: meta-llama/Llama-2-13b-hf")}
    )
    report, _ = audit_json(cli, repo)
    assert "license-incompatible" in rules_of(report, "error"), report["findings"]


# ------------------------------------------------------- fix on an adapter nested in an application


def test_fix_on_a_nested_adapter_writes_where_the_repositorys_card_and_license_are(cli, make_repo):
    repo = make_repo(
        {
            "README.md": "# Strawberry\n\nA text adventure driven by a fine-tuned Llama 3 8B.\n",
            "LICENSE": license_text("mit"),
            "lora_adapter/README.md": card(
                "library_name: peft", "# Model Card\n\n- **License:** [More Information Needed]\n"
            ),
            "lora_adapter/adapter_config.json": {
                "peft_type": "LORA",
                "base_model_name_or_path": "meta-llama/Meta-Llama-3-8B-Instruct",
            },
        }
    )
    out = cli("fix", str(repo), "--offline")
    written = [line[len("+++ b/") :] for line in out.output.splitlines() if line.startswith("+++ b/")]
    assert set(written) == {"README.md", "LICENSE-LLAMA3", "NOTICE"}, out.output
    done = cli("fix", str(repo), "--offline", "--write")
    assert done.exit_code == 0, done.output
    assert (repo / "LICENSE-LLAMA3").is_file() and (repo / "NOTICE").is_file()
    assert not (repo / "lora_adapter" / "NOTICE").exists()
    assert "base_model: meta-llama/Meta-Llama-3-8B-Instruct" in (repo / "README.md").read_text(encoding="utf-8")
    assert (repo / "LICENSE").read_text(encoding="utf-8") == license_text("mit")


def test_a_registry_ancestor_is_named_as_its_child_names_it(cli, make_repo):
    # Zephyr's base_model is mistralai/Mistral-7B-v0.1, which the registry's Mistral-7B-Instruct-v0.1 entry
    # answers for: the duty and the NOTICE name the base model, not the instruct model.
    repo = make_repo(
        {
            "README.md": card("license: mit\nbase_model: HuggingFaceH4/zephyr-7b-beta"),
            "config.json": config_of("HuggingFaceH4/zephyr-7b-beta"),
            "LICENSE": license_text("mit"),
        }
    )
    report, _ = audit_json(cli, repo)
    upstreams = {f["upstream"] for f in report["findings"] if f["upstream"]}
    assert "mistralai/Mistral-7B-v0.1" in upstreams, report["findings"]
    assert "mistralai/Mistral-7B-Instruct-v0.1" not in upstreams
    out = cli("notice", str(repo))
    assert "mistralai/Mistral-7B-v0.1 (the base of HuggingFaceH4/zephyr-7b-beta)" in out.output, out.output
    assert "Mistral-7B-Instruct-v0.1" not in out.output


# ------------------------------------------------------- a Notice line only in the card, not in a file


def test_a_notice_line_only_in_the_card_is_owed_in_a_notice_file_too(cli, make_repo):
    notice = "Llama 2 is licensed under the LLAMA 2 Community License, Copyright (c) Meta Platforms, Inc. All Rights Reserved."
    files = {
        "README.md": card(
            "license: llama2\nbase_model: meta-llama/Llama-2-13b-chat-hf",
            f"# Model\n\nSee the acceptable use policy.\n\n{notice}\n",
        ),
        "LICENSE": license_text("llama2"),
        "config.json": config_of("meta-llama/Llama-2-13b-hf"),
    }
    report, _ = audit_json(cli, make_repo(files))
    found = findings_of(report, "upstream-notice-missing")
    assert [(f["severity"], f["path"]) for f in found] == [("warning", "NOTICE")], report["findings"]
    assert "README.md carries it" in found[0]["message"]
    report, _ = audit_json(cli, make_repo({**files, "NOTICE": notice + "\n"}))
    assert "upstream-notice-missing" not in rules_of(report), report["findings"]


def test_after_relicensing_a_license_line_left_in_the_body_is_named(cli, make_repo):
    repo = make_repo(
        {
            "README.md": card(
                "library_name: peft\nbase_model: meta-llama/Meta-Llama-3-8B-Instruct\nmodel_name: Llama-3-8B-orpo-zh",
                "# Model Card\n\n- **License:** Apache\n",
            )
        }
    )
    done = cli("fix", str(repo), "--offline", "--write", "--relicense")
    assert done.exit_code == 0, done.output
    assert "license: llama3" in (repo / "README.md").read_text(encoding="utf-8")
    assert "license-mismatch (README.md)" in done.output, done.output
    report, _ = audit_json(cli, repo)
    assert [(f["rule"], f["severity"]) for f in report["findings"] if f["severity"] != "info"] == [
        ("license-mismatch", "error")
    ], report["findings"]
