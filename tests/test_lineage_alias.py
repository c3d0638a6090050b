"""A declared base that a registry entry answers to as an alias (the base checkpoint of an instruct entry, a
renamed repository, a mirror) is reported under the id the card gives, with the entry's facts; a match by
shape alone names the entry."""

from __future__ import annotations

from conftest import audit_json, card, config_of, license_text

MISTRAL_BASE = "mistralai/Mistral-7B-v0.1"  # an alias of the mistralai/Mistral-7B-Instruct-v0.1 entry
MISTRAL_ENTRY = "mistralai/Mistral-7B-Instruct-v0.1"


def test_a_declared_alias_is_reported_under_its_own_id_in_text_and_json(cli, make_repo):
    repo = make_repo({"README.md": card(f"license: apache-2.0\nbase_model: {MISTRAL_BASE}")})
    report, _ = audit_json(cli, repo)
    [cand] = report["lineage"]
    assert cand["model"] == MISTRAL_BASE and cand["declared"] is True
    assert cand["family"] == "mistral" and cand["license"] == "apache-2.0"
    assert "checkpoint" not in cand
    assert {f["upstream"] for f in report["findings"] if f["upstream"]} == {MISTRAL_BASE}
    # The entry the facts come from is named as such, never as the base.
    assert any(f"through the entry {MISTRAL_ENTRY}" in e for e in cand["evidence"])

    text = cli("audit", str(repo)).output
    lineage = text.split("Lineage:", 1)[1].split("Findings:", 1)[0]
    assert f"  {MISTRAL_BASE} [finetune, declared, 100%, license apache-2.0]" in lineage
    assert "declared as" not in text
    assert f"{MISTRAL_ENTRY} [" not in text and f"{MISTRAL_ENTRY} (" not in text


def test_every_report_format_names_the_declared_alias(cli, make_repo):
    repo = make_repo({"README.md": card(f"license: apache-2.0\nbase_model: {MISTRAL_BASE}")})
    for fmt in ("sarif", "spdx-json", "cyclonedx-json", "markdown", "html"):
        out = cli("audit", str(repo), "--format", fmt).output
        assert MISTRAL_BASE in out, fmt
        # The entry appears only in the evidence line that says where the facts come from.
        assert out.count(MISTRAL_ENTRY) <= 1, (fmt, out.count(MISTRAL_ENTRY))


def test_fix_and_notice_name_the_declared_alias(cli, make_repo):
    repo = make_repo({"README.md": card("license: gemma\nbase_model: google/gemma-2b")})
    report, _ = audit_json(cli, repo)
    assert [c["model"] for c in report["lineage"]] == ["google/gemma-2b"]
    notice = cli("notice", str(repo), "--offline")
    assert notice.exit_code == 0, notice.output
    assert "google/gemma-2b (finetune)" in notice.output and "gemma-2b-it" not in notice.output
    fixed = cli("fix", str(repo), "--offline")
    assert "google/gemma-2b" in fixed.output and "gemma-2b-it" not in fixed.output, fixed.output


def test_fix_declares_the_alias_the_prose_names(cli, make_repo):
    body = "# Tiny\n\nFine-tuned from [Gemma 2B](https://huggingface.co/google/gemma-2b) on recipes.\n"
    repo = make_repo({"README.md": card("license: gemma", body), "config.json": config_of("google/gemma-2b-it")})
    report, _ = audit_json(cli, repo)
    assert report["lineage"][0]["model"] == "google/gemma-2b"
    assert [f["upstream"] for f in report["findings"] if f["rule"] == "base-model-undeclared"] == ["google/gemma-2b"]
    fixed = cli("fix", str(repo), "--offline")
    assert "+base_model: google/gemma-2b\n" in fixed.output, fixed.output


def test_a_shape_only_match_keeps_the_entry_id(cli, make_repo):
    repo = make_repo({"README.md": card("license: gemma"), "config.json": config_of("google/gemma-2b-it")})
    report, _ = audit_json(cli, repo)
    cand = next(c for c in report["lineage"] if c["family"] == "gemma")
    assert cand["model"] == "google/gemma-2b-it" and "checkpoint" not in cand
    assert not any("through the entry" in e for e in cand["evidence"])


def test_a_shape_only_match_in_a_config_identical_set_keeps_its_wording(cli, make_repo):
    # Llama-3.1-70B-Instruct's entry answers to meta-llama/Meta-Llama-3.1-70B-Instruct as well: by shape
    # alone, the entry is named, with the config-identical Llama 3.3 as its alternative.
    cfg = config_of("meta-llama/Llama-3.3-70B-Instruct")
    report, _ = audit_json(cli, make_repo({"README.md": card("license: llama3.1"), "config.json": cfg}))
    top = report["lineage"][0]
    assert top["model"] == "meta-llama/Llama-3.1-70B-Instruct" and "checkpoint" not in top
    assert "same config as meta-llama/Llama-3.3-70B-Instruct (llama3.3)" in top["evidence"]
    assert not any("through the entry" in e for e in top["evidence"])


def test_a_declared_alias_keeps_the_terms_of_its_checkpoint(cli, make_repo):
    # DeepSeek-V3-Base is published under the December 2024 terms (DeepSeek License + MIT code), 0324 under MIT.
    cfg = config_of("deepseek-ai/DeepSeek-V3")
    for base, lic in (("deepseek-ai/DeepSeek-V3-Base", "deepseek"), ("deepseek-ai/DeepSeek-V3-0324", "mit")):
        repo = make_repo({"README.md": card(f"license: mit\nbase_model: {base}"), "config.json": cfg})
        report, _ = audit_json(cli, repo)
        [cand] = [c for c in report["lineage"] if c["declared"]]
        assert (cand["model"], cand["license"]) == (base, lic)


def test_a_declared_revision_is_kept_as_the_checkpoint(cli, make_repo):
    repo = make_repo({"README.md": card(f"license: apache-2.0\nbase_model: {MISTRAL_BASE}@7231864")})
    report, _ = audit_json(cli, repo)
    [cand] = report["lineage"]
    assert cand["model"] == MISTRAL_BASE and cand["checkpoint"] == f"{MISTRAL_BASE}@7231864"
    text = cli("audit", str(repo)).output
    assert f"{MISTRAL_BASE} (declared as {MISTRAL_BASE}@7231864)" in text


def test_a_base_declared_as_a_hub_url_is_reported_under_the_repo_id(cli, make_repo):
    repo = make_repo(
        {"README.md": card(f"license: apache-2.0\nbase_model: https://huggingface.co/{MISTRAL_BASE.lower()}")}
    )
    report, _ = audit_json(cli, repo)
    assert [c["model"] for c in report["lineage"]] == [MISTRAL_BASE]


def test_a_mismatched_declared_alias_is_named_as_declared(cli, make_repo):
    files = {
        "README.md": card(f"license: apache-2.0\nbase_model: {MISTRAL_BASE}"),
        "LICENSE": license_text("apache-2.0"),
        "config.json": config_of("google/gemma-2b-it"),
    }
    report, _ = audit_json(cli, make_repo(files))
    assert [f["upstream"] for f in report["findings"] if f["rule"] == "base-model-mismatch"] == [MISTRAL_BASE]


def test_a_mirror_named_by_an_adapter_is_reported_as_named(cli, make_repo):
    adapter = '{"peft_type": "LORA", "base_model_name_or_path": "ybelkada/falcon-7b-sharded-bf16"}'
    files = {
        "README.md": card("license: apache-2.0"),
        "LICENSE": license_text("apache-2.0"),
        "adapter_config.json": adapter,
    }
    report, _ = audit_json(cli, make_repo(files))
    [cand] = report["lineage"]
    assert (cand["model"], cand["relation"], cand["license"]) == (
        "ybelkada/falcon-7b-sharded-bf16",
        "adapter",
        "apache-2.0",
    )
    assert cand["family"] == "falcon"


def test_a_copy_of_an_alias_is_a_copy_of_that_repository(cli, make_repo):
    body = "# gemma-2b\n\nThis is a mirror of [google/gemma-2b](https://huggingface.co/google/gemma-2b).\n"
    repo = make_repo({"README.md": card("license: gemma", body), "config.json": config_of("google/gemma-2b-it")})
    report, _ = audit_json(cli, repo)
    [cand] = report["lineage"]
    assert (cand["model"], cand.get("copy")) == ("google/gemma-2b", True)
    assert any("recognised as a copy of google/gemma-2b " in e for e in cand["evidence"])
    assert not [f for f in report["findings"] if f["rule"] == "base-model-undeclared"]
