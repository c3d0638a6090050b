"""license-audit notice: the NOTICE a derivative owes, in a marked block that regenerates idempotently."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import DEEPSEEK_MIT, audit_json, card, config_of, license_text, rules_of

from license_audit.notice import MD_MARKERS, TEXT_MARKERS

ROOT = Path(__file__).resolve().parents[1]
BEGIN, END = TEXT_MARKERS


def _copy_example(tmp_path, name):
    dst = tmp_path / name
    shutil.copytree(ROOT / "examples" / name, dst)
    return dst


def test_notice_names_upstream_copyright_licenses_and_changes(cli):
    res = cli("notice", ROOT / "examples" / "deepseek-v3-relabelled")
    assert res.exit_code == 0, res.output
    out = res.output
    assert out.startswith(BEGIN) and out.rstrip().endswith(END)
    assert "deepseek-ai/DeepSeek-V3 (finetune)" in out
    assert "Copyright (c) 2023 DeepSeek" in out
    assert "License: DeepSeek License Agreement (LicenseRef-deepseek)" in out
    assert "https://github.com/deepseek-ai/DeepSeek-V3/blob/main/LICENSE-MODEL" in out
    assert "License: MIT License (MIT)" in out and "https://opensource.org/license/mit" in out
    assert "Statement of changes:" in out and "Sakura-LM-3 is a fine-tuned version of deepseek-ai/DeepSeek-V3" in out


def test_notice_carries_the_fixed_notice_text_of_the_license(cli, make_repo):
    repo = make_repo(
        {
            "README.md": card("license: llama3.1\nbase_model: meta-llama/Llama-3.1-8B\nbase_model_relation: quantized"),
            "config.json": config_of("meta-llama/Llama-3.1-8B"),
        }
    )
    out = cli("notice", repo).output
    notice = "Llama 3.1 is licensed under the Llama 3.1 Community License, Copyright © Meta Platforms, Inc. All Rights Reserved."
    assert f"\n{notice}\n" in out
    assert "is a quantized version of meta-llama/Llama-3.1-8B" in out


def test_notice_owes_what_the_checks_hold_an_unregistered_base_to(cli, make_repo):
    # A base the registry does not know is held to the vendor license the card declares; the NOTICE
    # reads that resolution from the report, so --write fixes the notice finding the audit raises.
    repo = make_repo({"README.md": card("license: llama3.1\nbase_model: someone/private-llama-tune")})
    before, _ = audit_json(cli, repo)
    assert "upstream-notice-missing" in rules_of(before)
    out = cli("notice", repo).output
    assert "License: Llama 3.1 Community License Agreement (LicenseRef-llama3.1)" in out
    assert "\nLlama 3.1 is licensed under the Llama 3.1 Community License" in out
    assert cli("notice", repo, "--write").exit_code == 0
    after, _ = audit_json(cli, repo)
    assert "upstream-notice-missing" not in rules_of(after)


def test_notice_without_write_changes_nothing(cli, tmp_path):
    repo = _copy_example(tmp_path, "deepseek-v3-relabelled")
    before = sorted(p.name for p in repo.iterdir())
    out = tmp_path / "NOTICE.out"
    assert cli("notice", repo, "--output", out).exit_code == 0
    assert BEGIN in out.read_text(encoding="utf-8")
    assert sorted(p.name for p in repo.iterdir()) == before


def test_write_fixes_the_notice_findings_and_is_idempotent(cli, tmp_path):
    repo = _copy_example(tmp_path, "deepseek-v3-relabelled")
    before, _ = audit_json(cli, repo)
    assert "upstream-notice-missing" in rules_of(before)
    res = cli("notice", repo, "--write")
    assert res.exit_code == 0, res.output
    assert "wrote NOTICE" in res.output and "wrote LICENSE-MIT" in res.output
    # The MIT template's copyright line carries the upstream's own (a copy is the upstream's real terms).
    assert (repo / "LICENSE-MIT").read_text(encoding="utf-8") == DEEPSEEK_MIT
    after, _ = audit_json(cli, repo)
    assert "upstream-notice-missing" not in rules_of(after)
    assert not [f for f in after["findings"] if f["rule"] == "upstream-license-missing" and "MIT" in f["message"]]

    snapshot = {p.name: p.read_bytes() for p in repo.iterdir()}
    res2 = cli("notice", repo, "--write")
    assert "NOTICE is up to date" in res2.output and "wrote" not in res2.output
    assert {p.name: p.read_bytes() for p in repo.iterdir()} == snapshot


def test_user_text_around_the_block_is_kept(cli, tmp_path):
    repo = _copy_example(tmp_path, "deepseek-v3-relabelled")
    (repo / "NOTICE").write_text("Sakura-LM-3\nCopyright 2025 Sakura Labs\n", encoding="utf-8")
    cli("notice", repo, "--write")
    text = (repo / "NOTICE").read_text(encoding="utf-8")
    assert text.startswith("Sakura-LM-3\nCopyright 2025 Sakura Labs\n\n" + BEGIN)
    # The user edits above and below the block; a regeneration replaces only the block.
    edited = "Header by hand\n" + text.replace(END, END + "\nFooter by hand").replace(
        "Statement of changes:", "Statement of changes (stale):"
    )
    (repo / "NOTICE").write_text(edited, encoding="utf-8")
    cli("notice", repo, "--write")
    final = (repo / "NOTICE").read_text(encoding="utf-8")
    assert final == "Header by hand\n" + text.replace(END, END + "\nFooter by hand")


def test_existing_license_files_are_never_overwritten(cli, tmp_path):
    repo = _copy_example(tmp_path, "deepseek-v3-relabelled")
    (repo / "LICENSE-MIT").write_text("my own words\n", encoding="utf-8")
    res = cli("notice", repo, "--write")
    assert "kept LICENSE-MIT" in res.output
    assert (repo / "LICENSE-MIT").read_text(encoding="utf-8") == "my own words\n"


def test_license_copy_already_present_is_referenced_not_copied(cli, tmp_path):
    repo = _copy_example(tmp_path, "llama31-compliant")
    files = sorted(p.name for p in repo.iterdir())
    cli("notice", repo, "--write")
    assert sorted(p.name for p in repo.iterdir()) == files  # LICENSE already is the Llama 3.1 text
    assert "A copy of the license is in LICENSE." in (repo / "NOTICE").read_text(encoding="utf-8")


def test_markdown_notice_uses_html_comment_markers(cli, make_repo):
    repo = make_repo(
        {
            "README.md": card("license: apache-2.0"),
            "config.json": config_of("Qwen/Qwen2.5-32B"),
            "NOTICE.md": "# Notices\n",
        }
    )
    cli("notice", repo, "--write")
    text = (repo / "NOTICE.md").read_text(encoding="utf-8")
    assert text.startswith("# Notices\n\n" + MD_MARKERS[0]) and MD_MARKERS[1] in text
    assert not (repo / "NOTICE").exists()


def test_no_upstream_writes_no_notice(cli, make_repo):
    repo = make_repo({"README.md": card("license: mit"), "LICENSE": license_text("mit")})
    res = cli("notice", repo, "--write")
    assert res.exit_code == 0 and not (repo / "NOTICE").exists()


@pytest.mark.parametrize("content", [f"{BEGIN}\nhalf a block\n", f"text\n{END}\n"])
def test_broken_markers_are_a_clear_error(cli, make_repo, content):
    repo = make_repo(
        {"README.md": card("license: apache-2.0"), "config.json": config_of("Qwen/Qwen2.5-32B"), "NOTICE": content}
    )
    res = cli("notice", repo, "--write")
    assert res.exit_code == 2 and "markers" in res.output
    assert (repo / "NOTICE").read_text(encoding="utf-8") == content


def test_notice_link_out_of_the_repository_is_refused(cli, make_repo, tmp_path):
    outside = tmp_path / "elsewhere.txt"
    outside.write_text("secret\n", encoding="utf-8")
    repo = make_repo({"README.md": card("license: apache-2.0"), "config.json": config_of("Qwen/Qwen2.5-32B")})
    (repo / "NOTICE").symlink_to(outside)
    res = cli("notice", repo, "--write")
    assert res.exit_code == 2 and "NOTICE" in res.output
    assert outside.read_text(encoding="utf-8") == "secret\n"


def test_write_with_output_writes_the_files_and_reports_to_the_output(cli, tmp_path):
    repo = _copy_example(tmp_path, "deepseek-v3-relabelled")
    res = cli("notice", repo, "--write", "--output", tmp_path / "done.txt")
    assert res.exit_code == 0, res.output
    assert "wrote NOTICE" in (tmp_path / "done.txt").read_text(encoding="utf-8")
    assert (repo / "NOTICE").is_file() and "wrote" not in res.output


def test_write_refuses_hub_targets(cli):
    res = cli("notice", "hf:acme/model", "--write")
    assert res.exit_code == 2 and "local folder" in res.output


def test_a_license_without_catalog_text_is_named_not_invented(cli, make_repo, tmp_path):
    rules = tmp_path / "rules"
    (rules / "licenses").mkdir(parents=True)
    (rules / "models").mkdir()
    (rules / "licenses" / "acme-model.yaml").write_text(
        "id: acme-model\nspdx: LicenseRef-acme-model\nname: ACME Model License\nurl: https://acme.example/license\n"
        "obligations:\n  - kind: license-copy\n    file: LICENSE-ACME\n",
        encoding="utf-8",
    )
    (rules / "models" / "acme__base.yaml").write_text(
        'id: acme/base\nfamily: acme\nlicense: acme-model\ncopyright: ["Copyright 2024 ACME Corp."]\n', encoding="utf-8"
    )
    repo = make_repo({"README.md": card("license: other\nlicense_name: acme-model\nbase_model: acme/base")})
    res = cli("notice", repo, "--write", "--rules", rules)
    assert res.exit_code == 0, res.output
    assert (
        "not written: LICENSE-ACME. Add the full text of the ACME Model License as LICENSE-ACME (the licensor "
        "publishes it at https://acme.example/license); the catalog has no reference text of it to copy."
    ) in res.output
    after, _ = audit_json(cli, repo, "--rules", rules)
    missing = [f for f in after["findings"] if f["rule"] == "upstream-license-missing"]
    # The audit's finding names the same file and the same place to get the text from.
    assert [(f["path"], f["fix"]) for f in missing] == [
        (
            "LICENSE-ACME",
            "Add the full text of the ACME Model License as LICENSE-ACME (the licensor publishes it at "
            "https://acme.example/license); the catalog has no reference text of it to copy.",
        )
    ]
    assert not (repo / "LICENSE-ACME").exists()
    notice = (repo / "NOTICE").read_text(encoding="utf-8")
    assert "Copyright 2024 ACME Corp." in notice and "https://acme.example/license" in notice
    assert "A copy of the license" not in notice


def test_llama3_derivative_gets_the_llama3_license_copy_written(cli, make_repo):
    repo = make_repo(
        {
            "README.md": card(
                "license: llama3\nbase_model: meta-llama/Meta-Llama-3-8B-Instruct\nbase_model_relation: finetune"
            ),
            "config.json": config_of("meta-llama/Meta-Llama-3-8B-Instruct"),
        }
    )
    res = cli("notice", repo, "--write")
    assert res.exit_code == 0, res.output
    assert "no reference text" not in res.output
    # The card declares the Llama 3 license: its copy is the model's LICENSE, the name the license asks for.
    assert "wrote LICENSE (Meta Llama 3 Community License Agreement)" in res.output
    assert (repo / "LICENSE").read_text(encoding="utf-8") == license_text("llama3")
    assert "META LLAMA 3 COMMUNITY LICENSE AGREEMENT" in license_text("llama3")
    notice = (repo / "NOTICE").read_text(encoding="utf-8")
    assert (
        "Meta Llama 3 is licensed under the Meta Llama 3 Community License, Copyright © Meta Platforms, Inc." in notice
    )
    assert "A copy of the license is in LICENSE." in notice
    after, _ = audit_json(cli, repo)
    assert not [f for f in after["findings"] if f["rule"] == "upstream-license-missing"]
