"""Findings on card and repository forms seen in published model repositories, each built here from
synthetic content shaped like the real form: a chat checkpoint named in prose, a mixture-of-experts size,
a license said in a card's body without a version, an image credit, a license badge, a license the catalog
does not hold."""

from __future__ import annotations

from conftest import audit_json, card, config_of


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
    assert cand["checkpoint"] == "meta-llama/Llama-2-13b-chat-hf"

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
