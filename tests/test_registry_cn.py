"""Registry entries of Chinese and Korean labs' bases: the cases their licenses and configs add (a distill that
keeps its base's config, GLM-4's own model license, a release whose license differs from its predecessor's)."""

from __future__ import annotations

import json

from conftest import audit_json, card, config_of, license_text

from license_audit.catalog import load_catalog
from license_audit.registry import load_registry


def lineage(cli, path) -> list[dict]:
    res = cli("lineage", path, "--format", "json")
    assert res.exit_code == 0, res.output
    return json.loads(res.output)["candidates"]


def test_r1_distill_is_config_identical_to_its_qwen_base(cli, make_repo):
    # DeepSeek-R1-Distill-Qwen-32B ships Qwen2.5-32B's config unchanged: a fine-tune of either matches both, the
    # base released first leads, and the distill (MIT, with Apache-2.0 travelling from its base) is named beside it.
    reg = load_registry()
    distill = reg.get("deepseek-ai/DeepSeek-R1-Distill-Qwen-32B")
    assert distill.signature == reg.get("Qwen/Qwen2.5-32B").signature
    assert distill.licenses == ["mit", "apache-2.0"] and distill.base_model == ["Qwen/Qwen2.5-32B"]
    repo = make_repo(
        {
            "README.md": card("license: mit", "# A reasoning fine-tune\n"),
            "config.json": config_of("deepseek-ai/DeepSeek-R1-Distill-Qwen-32B"),
        }
    )
    top = lineage(cli, repo)[0]
    assert top["model"] == "Qwen/Qwen2.5-32B" and top["confidence"] >= 0.9
    assert any("DeepSeek-R1-Distill-Qwen-32B" in e for e in top["evidence"]), top["evidence"]


def test_glm4_9b_derivative_owes_the_glm4_license_duties(cli, make_repo):
    # The glm-4-9b License: a copy of the agreement, "Built with glm-4" and a model name beginning with "glm-4".
    assert load_catalog().get("glm-4") is not None
    assert load_registry().get("THUDM/glm-4-9b-chat").license == "glm-4"
    repo = make_repo(
        {
            "README.md": card(
                "license: other\nlicense_name: glm-4\nbase_model: THUDM/glm-4-9b-chat", "# Chat-Helper\n"
            ),
            "config.json": config_of("THUDM/glm-4-9b-chat"),
        }
    )
    doc, code = audit_json(cli, repo)
    rules = {f["rule"] for f in doc["findings"]}
    assert code == 1
    assert {"upstream-license-missing", "attribution-missing", "name-prefix-required"} <= rules, rules
    # With the agreement copied, the attribution shown and the name prefixed, those duties are met.
    fixed = make_repo(
        {
            "README.md": card(
                "license: other\nlicense_name: glm-4\nbase_model: THUDM/glm-4-9b-chat\nmodel_name: glm-4-9b-chat-helper",
                "# glm-4-9b-chat-helper\n\nBuilt with glm-4.\n",
            ),
            "LICENSE": license_text("glm-4"),
            "config.json": config_of("THUDM/glm-4-9b-chat"),
        }
    )
    doc, _ = audit_json(cli, fixed)
    left = {f["rule"] for f in doc["findings"]} & {
        "upstream-license-missing",
        "attribution-missing",
        "name-prefix-required",
    }
    assert not left, doc["findings"]


def test_glm4_license_text_is_recognised():
    from license_audit.identify import identify_text

    hits = identify_text(license_text("glm-4"), load_catalog())
    assert hits and hits[0].id == "glm-4"


def test_kimi_k25_is_its_own_base_under_the_modified_mit_license(cli, make_repo):
    # Kimi K2.5 keeps Kimi K2's architecture but not its config (longer context, another rope factor, a vision
    # tower): a fine-tune of K2.5 is matched to K2.5, whose entry carries the Modified MIT License and says that its
    # edition names "Kimi K2.5" in the display duty.
    reg = load_registry()
    k25, k2 = reg.get("moonshotai/Kimi-K2.5"), reg.get("moonshotai/Kimi-K2-Instruct")
    assert k25.license == "modified-mit" and "Kimi K2.5" in (k25.license_note or "")
    assert k25.signature != k2.signature
    repo = make_repo(
        {"README.md": card("license: other", "# A K2.5 fine-tune\n"), "config.json": config_of("moonshotai/Kimi-K2.5")}
    )
    top = lineage(cli, repo)[0]
    assert top["model"] == "moonshotai/Kimi-K2.5", top


def test_sophgo_copies_leave_out_their_compile_length():
    # Copies made for a TPU compile set the sequence length; those entries carry no context length rather than a
    # wrong one.
    reg = load_registry()
    for rid in ("Qwen/QwQ-32B", "Qwen/Qwen2-VL-7B-Instruct", "THUDM/glm-4v-9b", "Qwen/Qwen-VL-Chat"):
        assert "max_position_embeddings" not in reg.get(rid).signature, rid


def test_hunyuan_a13b_derivative_owes_the_notice_and_the_use_restrictions(cli, make_repo):
    # The Hunyuan A13B edition of the Tencent Hunyuan Community License: a copy of the agreement, the "Notice" text
    # file and the use restrictions passed on to users; the publisher's own config.json identifies the base.
    assert load_registry().get("tencent/Hunyuan-A13B-Instruct").license == "tencent-hunyuan-a13b"
    repo = make_repo(
        {
            "README.md": card("license: other\nlicense_name: tencent-hunyuan-a13b", "# A13B-Helper\n"),
            "config.json": config_of("tencent/Hunyuan-A13B-Instruct"),
        }
    )
    assert lineage(cli, repo)[0]["model"] == "tencent/Hunyuan-A13B-Instruct"
    doc, _ = audit_json(cli, repo)
    rules = {f["rule"] for f in doc["findings"]}
    assert {"upstream-license-missing", "upstream-notice-missing", "use-restrictions-missing"} <= rules, rules
