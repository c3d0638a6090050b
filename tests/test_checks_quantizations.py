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


# ------------------------------------------------------------ "Llama" at the beginning, as a word


def test_a_name_begins_with_the_prefix_as_a_word():
    from license_audit.checks.obligations import begins_with

    for name, prefix in [
        ("Llama-3-8B-Chat", "Llama 3"),
        ("llama3-chat", "Llama 3"),
        ("Llama 3 Chat", "Llama 3"),
        ("Llama-3.1-8B", "Llama"),
        ("Llama3.1-Harbor", "Llama"),
        ("LLaMA-2-13b", "Llama"),
        ("LlamaGuard-7b", "Llama"),  # Meta's own name: the next word joined by a capital
    ]:
        assert begins_with(name, prefix), (name, prefix)
    for name, prefix in [
        ("Llamacpp imatrix Quantizations of Meta-Llama-3.1-8B-Instruct", "Llama"),  # the llama.cpp tool's name
        ("LLAMACPP-quants", "Llama"),
        ("Llama-30B-Harbor", "Llama 3"),
        ("Meta-Llama-3-8B-Instruct", "Llama 3"),
    ]:
        assert not begins_with(name, prefix), (name, prefix)


def test_the_llama_cpp_title_does_not_begin_with_llama(cli, make_repo):
    front = "base_model: meta-llama/Meta-Llama-3.1-8B-Instruct\nlicense: llama3.1\nquantized_by: bartowski"
    body = "## Llamacpp imatrix Quantizations of Meta-Llama-3.1-8B-Instruct\n\nBuilt with Llama.\n"
    repo = make_repo({"README.md": card(front, body)}, name="harbor-gguf")
    report, _ = audit_json(cli, repo, "--no-history", "--offline")
    prefix = findings_of(report, "name-prefix-required")
    assert len(prefix) == 1, report["findings"]
    message = prefix[0]["message"]
    assert '"Llamacpp imatrix Quantizations of Meta-Llama-3.1-8B-Instruct" (README.md\'s title)' in message
    assert "does;" not in message and message.endswith("do not."), message


# ------------------------------------------------------- a quantization keeping the upstream's own name

LLAMA3_QUANT = "base_model: meta-llama/Meta-Llama-3-8B-Instruct\nlicense: llama3\nbase_model_relation: {}"
LLAMA3_BODY = "# {}\n\nBuilt with Meta Llama 3.\n"


def _prefix_finding(cli, make_repo, name: str, relation: str) -> dict:
    repo = make_repo({"README.md": card(LLAMA3_QUANT.format(relation), LLAMA3_BODY.format(name))}, name=name)
    report, _ = audit_json(cli, repo, "--no-history", "--offline")
    found = findings_of(report, "name-prefix-required")
    assert len(found) == 1, report["findings"]
    return found[0]


def test_a_quantization_keeping_meta_s_name_is_told_the_clause_may_not_reach_it(cli, make_repo):
    # QuantFactory/Meta-Llama-3-8B-Instruct-GGUF: Meta's own name and a format; the naming clause covers
    # models made by creating, training, fine-tuning or otherwise improving one.
    f = _prefix_finding(cli, make_repo, "Meta-Llama-3-8B-Instruct-GGUF", "quantized")
    assert f["severity"] == "warning"
    assert 'quantization that keeps "Llama 3" in its name' in f["message"] and "not settled" in f["message"]
    assert '(e.g. "Llama-3-8B-Instruct-GGUF")' in f["fix"], f["fix"]


def test_a_renamed_quantization_and_a_fine_tune_owe_the_prefix(cli, make_repo):
    renamed = _prefix_finding(cli, make_repo, "Harbor-8B-GGUF", "quantized")
    assert renamed["severity"] == "error" and "not settled" not in renamed["message"]
    assert '(e.g. "Llama-3-Harbor-8B-GGUF")' in renamed["fix"], renamed["fix"]

    tuned = _prefix_finding(cli, make_repo, "Meta-Llama-3-8B-Harbor", "finetune")
    assert tuned["severity"] == "error" and "not settled" not in tuned["message"]
    assert '(e.g. "Llama-3-8B-Harbor")' in tuned["fix"], tuned["fix"]  # never "Llama 3-Meta-Llama-3-..."


def test_a_suggested_name_holds_the_prefix_once():
    from license_audit.checks.obligations import _renamed, begins_with

    for name, prefix, upstream, want in [
        ("Meta-Llama-3-8B-Instruct-GGUF", "Llama 3", "Meta-Llama-3-8B-Instruct", "Llama-3-8B-Instruct-GGUF"),
        ("Harbor-Llama-3.1-8B", "Llama", "Llama-3.1-8B", "Llama-3.1-8B-Harbor"),
        ("Harbor-8B", "Llama", "Llama-3.1-8B", "Llama-Harbor-8B"),
    ]:
        got = _renamed([name], prefix, upstream)
        assert got == want and begins_with(got, prefix), (name, got)


# ------------------------------------------------------ the model's names: model-index, not a section

ITA_FRONT = (
    "license: llama3\nbase_model: meta-llama/Meta-Llama-3-8B\nmodel-index:\n- name: Llama-3-8b-Ita\n  results: []"
)
ITA_BODY = (
    "## Model Architecture\n- **Base Model:** [Meta-Llama-3-8B](https://huggingface.co/meta-llama/Meta-Llama-3-8B)\n"
    "- **Specialization:** Italian Language\n\nBuilt with Meta Llama 3.\n\n## Evaluation\n\nSee the leaderboard.\n"
)


def test_a_section_heading_is_no_title_and_the_model_index_name_is_read():
    from license_audit.card import parse_card

    card_ = parse_card(card(ITA_FRONT, ITA_BODY))
    assert card_.title is None and card_.index_name == "Llama-3-8b-Ita"
    for heading in ("# Model Details", "## Model Sources [optional]", "## Model Information", "## Prompt Format:"):
        assert parse_card(f"{heading}\n\ntext\n").title is None, heading
    assert (
        parse_card("## Llamacpp imatrix Quantizations of Phi-3.5-mini-instruct\n").title
        == "Llamacpp imatrix Quantizations of Phi-3.5-mini-instruct"
    )


def test_a_card_named_by_its_model_index_begins_with_the_prefix(cli, make_repo):
    named = make_repo({"README.md": card(ITA_FRONT, ITA_BODY)}, name="Llama-3-8b-Ita")
    report, _ = audit_json(cli, named, "--no-history", "--offline")
    assert not findings_of(report, "name-prefix-required"), report["findings"]

    # A folder named otherwise: the card's model-index name is a published name that does begin with it.
    other = make_repo({"README.md": card(ITA_FRONT, ITA_BODY)}, name="ita-8b")
    report, _ = audit_json(cli, other, "--no-history", "--offline")
    (f,) = findings_of(report, "name-prefix-required")
    assert f["severity"] == "warning", f
    assert '"Llama-3-8b-Ita" (README.md model-index name) does' in f["message"], f["message"]
    assert "Model Architecture" not in f["message"]


def test_a_banner_heading_is_no_name(cli, make_repo):
    # unsloth's GGUF cards open with a banner, not the model's name.
    from license_audit.card import parse_card

    assert parse_card(card("license: mit", "# Finetune your own Reasoning model like R1 with Unsloth!\n")).title is None
    assert parse_card(card("license: mit", "# Quants!\n")).title == "Quants!"  # a word is still a name
    front = "base_model: deepseek-ai/DeepSeek-R1-Distill-Llama-8B\nlicense: llama3.1\nmodel_name: DeepSeek-R1-Distill-Llama-8B-GGUF"
    body = "# Finetune your own Reasoning model like R1 with Unsloth!\n\nGGUF quantizations.\n"
    report, _ = audit_json(cli, make_repo({"README.md": card(front, body)}), "--offline")
    [f] = [f for f in report["findings"] if f["rule"] == "name-prefix-required"]
    assert "Unsloth!" not in f["message"] and f["severity"] == "warning", f
