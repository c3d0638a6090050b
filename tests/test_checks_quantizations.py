"""Duties on the card forms of published quantizations and re-uploads (llama.cpp GGUF, MLX, AWQ), each
built here from a reduced copy of the real form: Meta's license copied into the gate prompt, llama.cpp's
title, a name kept from the upstream, a model-index name, a licensor's own release."""

from __future__ import annotations

from conftest import LLAMA_NOTICE, audit_json, card, license_text


def findings_of(report: dict, rule: str) -> list[dict]:
    return [f for f in report["findings"] if f["rule"] == rule]


# The gate prompt Meta's Llama 3.1 cards carry, and that quantizers copy with the rest of the front matter
# (YAML double-quoted, as the Hub writes it): the clauses requiring the attribution and the Notice quote both.
LLAMA31_GATE = (
    'extra_gated_prompt: "### LLAMA 3.1 COMMUNITY LICENSE AGREEMENT\\nLlama 3.1 Version\\\n'
    "  \\ Release Date: July 23, 2024\\n\\nb. Redistribution and Use.\\ni. If you distribute or make available the Llama\\\n"
    "  \\ Materials (or any derivative works thereof), you shall (A) provide a copy of this Agreement\\\n"
    "  \\ with any such Llama Materials; and (B) prominently display “Built with Llama”\\\n"
    "  \\ on a related website, user interface, blogpost, about page, or product documentation.\\n\\\n"
    "  iii. You must retain in all copies of the Llama Materials that you distribute the following attribution\\\n"
    "  \\ notice within a “Notice” text file distributed as a part of such copies: “Llama 3.1 is licensed\\\n"
    '  \\ under the Llama 3.1 Community License, Copyright © Meta Platforms, Inc. All Rights Reserved.”\\n"\n'
    "extra_gated_fields:\n  First Name: text\n"
)
LLAMA31_QUANT = (
    "base_model: meta-llama/Meta-Llama-3.1-8B-Instruct\nlicense: llama3.1\nquantized_by: bartowski\n"
    "model_name: Llama-3.1-8B-Instruct-GGUF\n"
)


def test_the_license_in_the_gate_prompt_is_no_attribution_and_no_notice(cli, make_repo):
    repo = make_repo({"README.md": card(LLAMA31_QUANT + LLAMA31_GATE, "# Llama-3.1-8B-Instruct-GGUF\n")})
    report, code = audit_json(cli, repo, "--no-history", "--offline")
    assert code == 1
    attribution = findings_of(report, "attribution-missing")
    assert [f["severity"] for f in attribution] == ["error"], report["findings"]
    assert '"Built with Llama"' in attribution[0]["message"]
    notice = findings_of(report, "upstream-notice-missing")
    assert [f["severity"] for f in notice] == ["error"], notice
    assert "the repository does not carry it" in notice[0]["message"]


def test_the_attribution_and_notice_beside_the_gate_prompt_are_met(cli, make_repo):
    repo = make_repo(
        {
            "README.md": card(LLAMA31_QUANT + LLAMA31_GATE, "# Llama-3.1-8B-Instruct-GGUF\n\nBuilt with Llama.\n"),
            "NOTICE": LLAMA_NOTICE,
        }
    )
    report, _ = audit_json(cli, repo, "--no-history", "--offline")
    assert not findings_of(report, "attribution-missing"), report["findings"]
    assert not findings_of(report, "upstream-notice-missing"), report["findings"]


def test_a_license_copied_into_the_card_body_quotes_the_attribution_without_displaying_it(cli, make_repo):
    # Identification reads the whole short body as the license's text: the card's own line above the copy
    # still displays the phrase, and the copy's quotation of it does not.
    body = "# Llama-3.1-Harbor\n\n{}## License\n\n" + license_text("llama3.1")
    front = "license: llama3.1\nbase_model: meta-llama/Meta-Llama-3.1-8B-Instruct\nmodel_name: Llama-3.1-Harbor"
    quoting = make_repo({"README.md": card(front, body.format(""))})
    report, _ = audit_json(cli, quoting, "--no-history", "--offline")
    assert [f["severity"] for f in findings_of(report, "attribution-missing")] == ["error"], report["findings"]
    assert "does not carry it" in findings_of(report, "upstream-notice-missing")[0]["message"]

    stating = make_repo({"README.md": card(front, body.format("A fine-tune. Built with Llama.\n\n"))})
    report, _ = audit_json(cli, stating, "--no-history", "--offline")
    assert not findings_of(report, "attribution-missing"), report["findings"]
