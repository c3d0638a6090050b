"""Vendor model licenses real cards name: the `license` and `license_name` values the cards write name the
entry, and a derivative that drops the license's text (or the attribution and name its terms ask for) is told so."""

from __future__ import annotations

import pytest
from conftest import audit_json, card, license_text, rules_of

from license_audit.catalog import load_catalog
from license_audit.identify import identify_text
from license_audit.registry import load_registry

CAT = load_catalog()


@pytest.mark.parametrize(
    "name, lic_id",
    [
        ("tii-falcon-llm", "tii-falcon-llm"),  # tiiuae/falcon-7b's card before the relicensing
        ("cogvlm2", "cogvlm2"),  # THUDM/cogvlm2-llama3-chat-19B
        ("codegeex4", "codegeex4"),  # THUDM/codegeex4-all-9b
        ("cogvideox-license", "cogvideox"),  # cards linking THUDM/CogVideoX-5b's LICENSE
    ],
)
def test_the_name_a_card_writes_is_the_entry(name, lic_id):
    lic = CAT.get(name)
    assert lic is not None and lic.id == lic_id


@pytest.mark.parametrize(
    "front", ["license: other\nlicense_name: cogvlm2", "license: other\nlicense_name: cogvideox-license"]
)
def test_a_card_naming_the_license_beside_its_own_copy_is_that_license(cli, make_repo, front):
    lic_id = "cogvlm2" if "cogvlm2" in front else "cogvideox"
    repo = make_repo({"README.md": card(front + "\nlicense_link: LICENSE"), "LICENSE": license_text(lic_id)})
    report, _ = audit_json(cli, repo, "--no-history", "--offline")
    assert not {"license-unknown", "license-mismatch", "license-modified"} & rules_of(report), report["findings"]


def test_cogvlm_v1_edition_is_the_cogvlm2_text_changed_not_the_cogvlm2_license():
    # THUDM/CogVLM's MODEL_LICENSE has the same title and puts the weights under Llama 2, not Llama 3.
    text = license_text("cogvlm2")
    v1 = text.replace(
        "For the CogVLM2 open source model based on the LLama3 series model as the base model, the Llama3 license "
        "conditions (https://llama.meta.com/llama3/license/, a copy of this repository license conditions)",
        "For CogVLM-17B version, Llama2 license conditions (https://ai.meta.com/llama/license/)",
    )
    assert v1 != text
    (m,) = [m for m in identify_text(v1, CAT) if m.kind == "text"]
    assert m.id == "cogvlm2" and m.modified


def test_a_codegeex4_fine_tune_without_the_license_attribution_or_name_is_told_each(cli, make_repo):
    front = "license: other\nlicense_name: codegeex4\nbase_model: THUDM/codegeex4-all-9b"
    repo = make_repo({"README.md": card(front, "# Coder-Helper\n")})
    report, code = audit_json(cli, repo, "--no-history", "--offline")
    assert code == 1
    assert {"upstream-license-missing", "attribution-missing", "name-prefix-required"} <= rules_of(report, "error")
    fixed = make_repo(
        {
            "README.md": card(
                front + "\nmodel_name: CodeGeeX4-Helper", "# CodeGeeX4-Helper\n\nBuilt with CodeGeeX4.\n"
            ),
            "LICENSE": license_text("codegeex4"),
        }
    )
    report, _ = audit_json(cli, fixed, "--no-history", "--offline")
    left = {"upstream-license-missing", "attribution-missing", "name-prefix-required"} & rules_of(report)
    assert not left, report["findings"]


def test_a_fine_tune_of_a_first_release_falcon_model_owes_the_tii_falcon_llm_license(cli, make_repo):
    # cognitivecomputations/samantha-falcon-7b was trained on Falcon-7B under its first license, and its card says
    # so; a quantized copy declaring that license without carrying it or TII's statement is told both.
    front = "license: tii-falcon-llm\nbase_model: cognitivecomputations/samantha-falcon-7b"
    repo = make_repo({"README.md": card(front, "# Samantha-Falcon-7B-GGUF\n")})
    report, code = audit_json(cli, repo, "--no-history", "--offline")
    assert code == 1
    assert {"upstream-license-missing", "attribution-missing"} <= rules_of(report, "error"), report["findings"]
    missing = next(f for f in report["findings"] if f["rule"] == "upstream-license-missing")
    assert "TII Falcon LLM License" in missing["message"]
    fixed = make_repo(
        {
            "README.md": card(
                front,
                "# Samantha-Falcon-7B-GGUF\n\nSamantha-Falcon-7B-GGUF is built using Falcon LLM technology from the "
                "Technology Innovation Institute.\n",
            ),
            "LICENSE.txt": license_text("tii-falcon-llm"),
        }
    )
    report, _ = audit_json(cli, fixed, "--no-history", "--offline")
    assert not {"upstream-license-missing", "attribution-missing"} & rules_of(report), report["findings"]
    # Falcon-7B itself is under Apache-2.0 since TII's relicensing: the earlier license is the family's former one.
    assert load_registry().get("tiiuae/falcon-7b").license == "apache-2.0"


@pytest.mark.parametrize(
    "title, lic_id",
    [("CogVideoX-5b Anime LoRA", "cogvideox"), ("CogVLM2 fine-tuned on receipts", "cogvlm2")],
)
def test_a_derivative_named_after_the_model_owes_its_license(cli, make_repo, title, lic_id):
    # No base declared: the name says the family, whose license does not allow relicensing under Apache-2.0.
    repo = make_repo({"README.md": card("license: apache-2.0", body=f"# {title}\n\nA fine-tune of it.\n")})
    report, _ = audit_json(cli, repo, "--no-history", "--offline")
    assert lic_id in {ln.get("license") for ln in report["lineage"]}, report["lineage"]
    assert "license-incompatible" in rules_of(report), report["findings"]


# ---- the Coqui Public Model License (XTTS) ----------------------------------------------------------------


@pytest.mark.parametrize("name", ["coqui-public-model-license", "CPML", "Coqui Public Model License"])
def test_the_names_xtts_cards_use_are_the_cpml(name):
    lic = CAT.get(name)
    assert lic is not None and lic.id == "coqui-public-model-license" and not lic.commercial_use


@pytest.mark.parametrize(
    "text",
    [
        "This model is licensed under [Coqui Public Model License](https://coqui.ai/cpml).\n",  # coqui/XTTS-v2
        "The model weights are under Coqui Public Model License 1.0.0 (LICENSE-MODEL).\n",  # jasonppy/VoiceCraft
        "https://coqui.ai/cpml.txt\n",
    ],
)
def test_statements_of_the_cpml_name_it(text):
    assert [m.id for m in identify_text(text, CAT)] == ["coqui-public-model-license"]


def test_the_cpml_text_is_that_license():
    (m,) = identify_text(license_text("coqui-public-model-license"), CAT)
    assert (m.id, m.kind, m.modified) == ("coqui-public-model-license", "text", False)


def test_an_xtts_fine_tune_relicensed_and_without_the_terms_is_told_each(cli, make_repo):
    front = "license: apache-2.0\nbase_model: coqui/XTTS-v2\npipeline_tag: text-to-speech"
    repo = make_repo({"README.md": card(front, "# XTTS-v2 German\n\nFine-tuned from coqui/XTTS-v2.\n")})
    report, _ = audit_json(cli, repo, "--no-history", "--offline")
    assert {"license-incompatible", "upstream-license-missing"} <= rules_of(report)
    [up] = [c for c in report["lineage"] if c["model"] == "coqui/XTTS-v2"]
    assert up["license"] == "coqui-public-model-license"
    # Under its own terms, with their URL in the card (the terms allow the URL in place of a copy), it passes.
    ok = make_repo(
        {
            "README.md": card(
                "license: other\nlicense_name: coqui-public-model-license\nlicense_link: https://coqui.ai/cpml\n"
                "base_model: coqui/XTTS-v2",
                "# XTTS-v2 German\n\nFine-tuned from coqui/XTTS-v2. Non-commercial use only: "
                "[Coqui Public Model License](https://coqui.ai/cpml.txt).\n",
            )
        }
    )
    report, _ = audit_json(cli, ok, "--no-history", "--offline")
    assert not {"license-incompatible", "upstream-license-missing"} & rules_of(report), report["findings"]


# ---- the FLUX.1 [dev] Non-Commercial License: the Attribution Notice of 3.b -------------------------------

_FLUX_LORA = card(
    # multimodalart/flux-tarot-v1's front matter, the widget left out
    "base_model: black-forest-labs/FLUX.1-dev\nlicense: other\nlicense_name: flux-1-dev-non-commercial-license\n"
    "license_link: https://huggingface.co/black-forest-labs/FLUX.1-dev/blob/main/LICENSE.md\ntags:\n- flux\n- lora",
    "# FLUX Tarot v1\n\nA tarot card LoRA trained with the public domain card set of Raider Waite 1920.\n",
)
_FLUX_NOTICE_LINE = (
    "The FLUX.1 [dev] Model is licensed by Black Forest Labs Inc. under the FLUX.1 [dev] Non-Commercial License. "
    "Copyright Black Forest Labs Inc."
)
_FLUX_LIABILITY_LINE = (
    "IN NO EVENT SHALL BLACK FOREST LABS INC. BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN "
    "ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH USE OF THIS MODEL."
)


def _flux_notice_findings(report: dict) -> list[dict]:
    return [f for f in report["findings"] if f["rule"] == "upstream-notice-missing"]


def test_the_flux_dev_attribution_notice_is_both_quoted_lines():
    # 3.b quotes the notice as two lines; the second, the liability line, is part of it.
    text = license_text("flux-1-dev-non-commercial-license")
    assert _FLUX_NOTICE_LINE in text and _FLUX_LIABILITY_LINE in text
    [ob] = CAT.get("flux-1-dev-non-commercial-license").obligations_of("notice-text")
    assert ob.notice_text == f"{_FLUX_NOTICE_LINE} {_FLUX_LIABILITY_LINE}"


def test_a_flux_dev_notice_without_the_liability_line_is_incomplete(cli, make_repo):
    files = {"README.md": _FLUX_LORA, "LICENSE": license_text("flux-1-dev-non-commercial-license")}
    repo = make_repo({**files, "NOTICE": _FLUX_NOTICE_LINE + "\n"})
    report, code = audit_json(cli, repo, "--no-history", "--offline")
    assert code == 1 and _flux_notice_findings(report), report["findings"]
    # The notice as 3.b lays it out, two lines, is carried.
    whole = make_repo({**files, "NOTICE": f"{_FLUX_NOTICE_LINE}\n{_FLUX_LIABILITY_LINE}\n"})
    report, _ = audit_json(cli, whole, "--no-history", "--offline")
    assert not _flux_notice_findings(report), report["findings"]


def test_fix_writes_a_flux_dev_notice_the_audit_accepts(cli, make_repo):
    repo = make_repo({"README.md": _FLUX_LORA})
    assert cli("fix", repo, "--write").exit_code == 0
    notice = (repo / "NOTICE").read_text(encoding="utf-8")
    assert _FLUX_NOTICE_LINE in notice and _FLUX_LIABILITY_LINE in notice
    report, _ = audit_json(cli, repo, "--no-history", "--offline")
    assert not _flux_notice_findings(report), report["findings"]


# ---- the Tencent Hunyuan Community License editions: use restrictions travel (5(a)) -----------------------


@pytest.mark.parametrize(
    "base, lic_id",
    [
        ("tencent/HunyuanVideo", "tencent-hunyuan-video"),
        ("Tencent-Hunyuan/HunyuanDiT-v1.2-Diffusers", "tencent-hunyuan-dit"),
        ("tencent/Hunyuan3D-2", "tencent-hunyuan-3d-2"),
        ("tencent/Tencent-Hunyuan-Large", "tencent-hunyuan-large"),
        ("tencent/Hunyuan-A13B-Instruct", "tencent-hunyuan-a13b"),
    ],
)
def test_a_hunyuan_derivative_under_a_permissive_license_drops_the_use_restrictions(cli, make_repo, base, lic_id):
    # Each edition's 5(a): the use restrictions must be an enforceable provision of any agreement governing the
    # use or distribution of the works; MIT grants use without them.
    assert "enforceable provision" in license_text(lic_id)
    assert {"permissive", "public-domain", "copyleft"} <= set(CAT.get(lic_id).derivatives["forbid_categories"])
    repo = make_repo({"README.md": card(f"license: mit\nbase_model: {base}", "# Demo LoRA\n")})
    report, _ = audit_json(cli, repo, "--no-history", "--offline")
    bad = [f for f in report["findings"] if f["rule"] == "license-incompatible"]
    assert bad and "use restrictions" in bad[0]["message"], report["findings"]


# ---- the C4AI Acceptable Use Policy (Cohere's open-weight releases) ---------------------------------------


def test_the_c4ai_acceptable_use_policy_is_identified_as_a_policy():
    (m,) = identify_text(license_text("c4ai-acceptable-use-policy"), CAT)
    assert (m.id, m.kind, m.modified) == ("c4ai-acceptable-use-policy", "text", False)
    assert CAT.get("c4ai-acceptable-use-policy").category == "use-policy"
    # CohereForAI/c4ai-command-r-plus's card
    line = (
        "- License: [CC-BY-NC](https://cohere.com/c4ai-cc-by-nc-license), requires also adhering to "
        "[C4AI's Acceptable Use Policy](https://docs.cohere.com/docs/c4ai-acceptable-use-policy)\n"
    )
    assert "c4ai-acceptable-use-policy" in [m.id for m in identify_text(line, CAT) if m.kind == "reference"]


# ---- the CreativeML Open RAIL++-M License: SD2's edition and SDXL's -----------------------------------------


def _sdxl_edition() -> str:
    """The July 26, 2023 edition of stabilityai/stable-diffusion-xl-base-1.0's LICENSE.md, made from the SD2 edition
    by its differences (Stability-AI/generative-models model_licenses/LICENSE-SDXL1.0 holds the same words)."""
    text = license_text("openrail++")
    for old, new in (
        ("Copyright (c) 2022 Stability AI and contributors", "Copyright (c) 2023 Stability AI"),
        ("dated November 24, 2022", "dated July 26, 2023"),
        ("the use of the Model in very specific", "the use of the model in very specific"),
        ("thus, this License aims", "thus, this agreement aims"),
        ("This License governs the use", "This CreativeML Open RAIL++-M License governs the use"),
    ):
        assert old in text
        text = text.replace(old, new)
    return text


def test_the_sdxl_edition_of_openrail_plus_plus_is_that_license_unmodified():
    (m,) = [m for m in identify_text(_sdxl_edition(), CAT) if m.kind == "text"]
    assert (m.id, m.modified) == ("openrail++", False)


def test_an_sdxl_lora_carrying_stabilitys_sdxl_license_is_not_told_it_is_modified(cli, make_repo):
    # The shape of latent-consistency/lcm-lora-sdxl with the base's LICENSE.md beside it.
    front = "license: openrail++\nbase_model: stabilityai/stable-diffusion-xl-base-1.0\nlibrary_name: diffusers"
    body = "# Latent Consistency Model (LCM) LoRA: SDXL\n\nUse restrictions: see Attachment A of LICENSE.md.\n"
    repo = make_repo({"README.md": card(front, body), "LICENSE.md": _sdxl_edition()})
    report, _ = audit_json(cli, repo, "--no-history", "--offline")
    assert not {"license-modified", "upstream-license-missing"} & rules_of(report), report["findings"]


# ---- Stable Cascade's edition of the Stability AI Non-Commercial Research Community License ------------------


def test_stable_cascades_edition_is_its_own_terms_not_sdxl_turbos_modified():
    # Same title and date as SDXL-Turbo's edition, but another grant and a governing-law clause.
    (m,) = [m for m in identify_text(license_text("stable-cascade-nc-community"), CAT) if m.kind == "text"]
    assert (m.id, m.modified) == ("stable-cascade-nc-community", False)
    (m,) = [m for m in identify_text(license_text("sai-nc-community"), CAT) if m.kind == "text"]
    assert (m.id, m.modified) == ("sai-nc-community", False)
    assert CAT.get("stable-cascade-nc-community").commercial_use is False


def test_a_copy_of_stable_cascade_under_its_own_license_name_and_text_is_consistent(cli, make_repo):
    # stabilityai/stable-cascade's front matter with its LICENSE beside it
    front = (
        "pipeline_tag: text-to-image\nlicense: other\nlicense_name: stable-cascade-nc-community\nlicense_link: LICENSE"
    )
    repo = make_repo(
        {"README.md": card(front, "# Stable Cascade\n"), "LICENSE": license_text("stable-cascade-nc-community")}
    )
    report, _ = audit_json(cli, repo, "--no-history", "--offline")
    assert not {"license-mismatch", "license-unknown", "license-modified"} & rules_of(report), report["findings"]


def test_a_stable_cascade_lora_relicensed_mit_is_told_the_non_commercial_terms(cli, make_repo):
    repo = make_repo({"README.md": card("license: mit\nbase_model: stabilityai/stable-cascade", "# Pixel art LoRA\n")})
    report, _ = audit_json(cli, repo, "--no-history", "--offline")
    assert {c["license"] for c in report["lineage"]} == {"stable-cascade-nc-community"}, report["lineage"]
    assert {"license-incompatible", "upstream-license-missing", "upstream-notice-missing"} <= rules_of(report, "error")
