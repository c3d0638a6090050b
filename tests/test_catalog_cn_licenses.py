"""Model licenses of Chinese labs that real repositories carry: each text is identified as its own license,
unmodified and alone, a derivative that leaves it out owes it, and a card naming the license resolves it."""

from __future__ import annotations

import pytest
from conftest import audit_json, card, license_text, rules_of

from license_audit.catalog import load_catalog
from license_audit.identify import identify_text
from license_audit.lineage.families import load_families

CAT = load_catalog()


def _texts(found):
    return [(m.id, m.kind, m.modified) for m in found if m.kind == "text"]


def _audit(cli, make_repo, files: dict) -> dict:
    report, _ = audit_json(cli, make_repo(files), "--no-history", "--offline")
    return report


def _lines(text: str, cjk: bool) -> str:
    """The lines of a bilingual reference in Chinese (`cjk`) or in English."""
    lines = text.splitlines()
    return "\n".join(ln for ln in lines if any("\u4e00" <= ch <= "\u9fff" for ch in ln) == cjk) + "\n"


# ---- the MiniCPM Model Community License Agreement ------------------------------------------------


def test_the_minicpm_license_text_is_that_license_alone_not_apache():
    # Its preamble says community use "must comply with Apache 2.0 and the MiniCPM Model Community License
    # Agreement": part of the terms, not a reference that makes the file Apache's.
    found = identify_text(license_text("minicpm-model-license"), CAT)
    assert [(m.id, m.kind) for m in found] == [("minicpm-model-license", "text")], found
    assert not found[0].modified


def test_the_minicpm_license_without_its_markdown_headings_is_unmodified():
    # The first commit of the file (OpenBMB/MiniCPM 6ad727e) has the same words without the "##" headings.
    plain = "\n".join(ln.lstrip("#").strip() for ln in license_text("minicpm-model-license").splitlines()) + "\n"
    assert _texts(identify_text(plain, CAT)) == [("minicpm-model-license", "text", False)]


def test_a_minicpm_copy_with_a_duty_dropped_is_modified():
    text = license_text("minicpm-model-license").replace(
        ' If you create, train, fine-tune, or improve an AI model using the MiniCPM series models, the model must include "MiniCPM" in its name.',
        "",
    )
    assert text != license_text("minicpm-model-license")
    (m,) = [m for m in identify_text(text, CAT) if m.kind == "text"]
    assert m.id == "minicpm-model-license" and m.modified


def test_the_minicpm_text_under_an_apache_card_is_not_taken_for_apache(cli, make_repo):
    # A copy of a MiniCPM-V 2.x repository: the card's `license: apache-2.0` is the code's, the file the weights'.
    report = _audit(
        cli, make_repo, {"README.md": card("license: apache-2.0"), "LICENSE": license_text("minicpm-model-license")}
    )
    (lf,) = report["license_files"]
    assert [(m["id"], m["kind"]) for m in lf["licenses"]] == [("minicpm-model-license", "text")]
    (bad,) = [f for f in report["findings"] if f["rule"] == "license-mismatch"]
    assert "apache-2.0" in bad["message"] and "minicpm-model-license" in bad["message"]


MINICPM_FINETUNE = "license: other\nlicense_name: minicpm-model-license\nbase_model: someone/MiniCPM-2B-dpo-bf16"


def test_a_minicpm_derivative_without_the_agreement_owes_it(cli, make_repo):
    report = _audit(cli, make_repo, {"README.md": card(MINICPM_FINETUNE, "# MiniCPM-2B-helper\n")})
    found = rules_of(report)
    assert {"upstream-license-missing", "attribution-missing", "use-restrictions-missing"} <= found, found
    assert "usage-threshold" in found  # commercial use after registration, within 5,000 devices or 1M DAU
    missing = [f for f in report["findings"] if f["rule"] == "upstream-license-missing"]
    assert "MiniCPM Model Community License Agreement" in missing[0]["message"]
    # With the agreement, "Built with 面壁MiniCPM", the attribution statement and Appendix A carried, those
    # duties are met.
    body = (
        "# MiniCPM-2B-helper\n\nBuilt with 面壁MiniCPM.\n\nMiniCPM is licensed under the MiniCPM Model Community "
        "License, © OpenBMB Platforms, Inc. All rights reserved.\n\nUse is subject to the usage restrictions of "
        "Appendix A of the license.\n"
    )
    files = {"README.md": card(MINICPM_FINETUNE, body), "LICENSE": license_text("minicpm-model-license")}
    left = rules_of(_audit(cli, make_repo, files))
    assert not left & {"upstream-license-missing", "attribution-missing", "use-restrictions-missing"}, left


def test_a_card_under_the_earlier_minicpm_license_still_names_the_family(cli, make_repo):
    # OpenBMB relicensed MiniCPM to Apache-2.0 on 2025-06-06: the family's license is Apache-2.0 now, and a card
    # under the MiniCPM Model License names a MiniCPM model under those terms.
    fam = load_families().get("minicpm")
    assert fam.licenses == ("apache-2.0",) and fam.former_licenses == ("minicpm-model-license",)
    assert "2025-06-06" in fam.license_note
    report = _audit(
        cli, make_repo, {"README.md": card("license: other\nlicense_name: minicpm-model-license", "# Helper\n")}
    )
    (top,) = report["lineage"]
    assert top["family"] == "minicpm" and top["license"] == "minicpm-model-license"
    assert "upstream-license-missing" in rules_of(report)


@pytest.mark.parametrize(
    ("name", "family"),
    [
        ("openbmb/MiniCPM-2B-sft-bf16", "minicpm"),
        ("someone/MiniCPM3-4B-GGUF", "minicpm"),
        ("someone/MiniCPM-V-2_6-int4", "minicpm"),
        # MiniCPM4 and MiniCPM-V 4 were Apache-2.0 from their release; MiniCPM-Llama3-V 2.5 says Llama 3.
        ("someone/MiniCPM4-8B-GGUF", None),
        ("someone/MiniCPM-V-4-int4", None),
        ("someone/MiniCPM-Llama3-V-2_5-int4", "llama3"),
    ],
)
def test_the_minicpm_family_is_named_by_the_releases_it_covers(name, family):
    match = load_families().match_name(name)
    assert (match.family.id if match else None) == family, match


# ---- the Skywork Community License ----------------------------------------------------------------


@pytest.mark.parametrize("edition", ["bilingual", "english", "chinese"])
def test_the_skywork_license_and_each_of_its_pdfs_is_that_license(edition):
    text = license_text("skywork-community-license")
    if edition != "bilingual":
        text = _lines(text, cjk=edition == "chinese")
    found = identify_text(text, CAT)
    assert _texts(found) == [("skywork-community-license", "text", False)], found
    assert "other" not in {m.id for m in found}


def test_a_skywork_copy_with_the_attribution_clause_dropped_is_modified():
    text = license_text("skywork-community-license")
    start = text.index("15. You agree and understand")
    cut = text[:start] + text[text.index("16. You agree and understand") :]
    (m,) = [m for m in identify_text(cut, CAT) if m.kind == "text"]
    assert m.id == "skywork-community-license" and m.modified


SKYWORK_FINETUNE = "license: other\nlicense_name: skywork-community-license\nbase_model: someone/Skywork-13B-chat-sft"


def test_a_skywork_derivative_without_the_agreement_owes_it(cli, make_repo):
    report = _audit(cli, make_repo, {"README.md": card(SKYWORK_FINETUNE, "# Sky-helper\n")})
    found = rules_of(report, "error")
    assert {"upstream-license-missing", "attribution-missing"} <= found, report["findings"]
    files = {
        "README.md": card(SKYWORK_FINETUNE, "# Sky-helper\n\nSkywork Inside: developed based on the Skywork Model.\n"),
        "LICENSE": license_text("skywork-community-license"),
    }
    assert not rules_of(_audit(cli, make_repo, files)) & {"upstream-license-missing", "attribution-missing"}


def test_an_apache_card_on_a_skywork_13b_derivative_is_no_license_skywork_grants(cli, make_repo):
    # The grant is non-transferable and non-sublicensable (II): a derivative stays under the agreement.
    report = _audit(cli, make_repo, {"README.md": card("license: apache-2.0\nbase_model: Skywork/Skywork-13B-base")})
    (top,) = report["lineage"]
    assert top["family"] == "skywork" and top["license"] == "skywork-community-license"
    assert "license-incompatible" in rules_of(report)


# ---- the XVERSE Model License Agreement -----------------------------------------------------------


def test_the_xverse_license_is_that_license_alone():
    found = identify_text(license_text("xverse-model-license"), CAT)
    assert [(m.id, m.kind, m.modified) for m in found] == [("xverse-model-license", "text", False)], found


def test_an_xverse_copy_that_drops_the_notice_it_asks_for_is_modified():
    text = license_text("xverse-model-license")
    start = text.index("并随附提示")
    cut = text[:start] + text[text.index("保留所有权利.”。") + len("保留所有权利.”。") :]
    (m,) = [m for m in identify_text(cut, CAT) if m.kind == "text"]
    assert m.id == "xverse-model-license" and m.modified


def test_the_xverse_license_is_named_by_its_chinese_title():
    (m,) = identify_text("模型权重的使用需遵循《元象 XVERSE 大模型许可协议》。\n", CAT)
    assert (m.id, m.kind) == ("xverse-model-license", "reference")


XVERSE_FINETUNE = "license: other\nlicense_name: xverse-model-license\nbase_model: someone/XVERSE-13B-sft"


def test_an_xverse_derivative_without_the_agreement_and_its_notice_owes_them(cli, make_repo):
    report = _audit(cli, make_repo, {"README.md": card(XVERSE_FINETUNE, "# Helper\n")})
    assert {"upstream-license-missing", "upstream-notice-missing"} <= rules_of(report, "error"), report["findings"]
    files = {
        "README.md": card(XVERSE_FINETUNE, "# Helper\n"),
        "MODEL_LICENSE": license_text("xverse-model-license"),
        "NOTICE": "XVERSE 大模型以 XVERSE 大模型协议发布， Copyright (c) 深圳元象信息科技有限公司. 保留所有权利.\n",
    }
    assert not rules_of(_audit(cli, make_repo, files)) & {"upstream-license-missing", "upstream-notice-missing"}


def test_an_apache_card_on_an_xverse_derivative_is_no_license_xverse_grants(cli, make_repo):
    # The XVERSE cards' `license: apache-2.0` is the code's; the weights' grant is non-sublicensable.
    report = _audit(cli, make_repo, {"README.md": card("license: apache-2.0\nbase_model: xverse/XVERSE-13B-Chat")})
    (top,) = report["lineage"]
    assert top["family"] == "xverse" and top["license"] == "xverse-model-license"
    assert "license-incompatible" in rules_of(report)
