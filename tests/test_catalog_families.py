"""Every license a family in rules/families.yaml names is in the catalog, so a derivative that declares
such a family gets that license's duties rather than `upstream-license-unknown`."""

from __future__ import annotations

import pytest
import yaml
from conftest import audit_json, card, rules_of

from license_audit.catalog import load_catalog
from license_audit.resources import rules_dir

ADDED = ["baichuan2", "baichuan", "stabilityai-ai-community", "llama-license"]


def test_the_added_families_licenses_are_in_the_catalog():
    catalog = load_catalog()
    for lic_id in ADDED:
        lic = catalog.get(lic_id)
        assert lic is not None, lic_id
        assert lic.obligations, lic_id


def test_families_name_licenses_the_catalog_holds_except_the_known_gaps():
    families = yaml.safe_load((rules_dir() / "families.yaml").read_text(encoding="utf-8"))
    catalog = load_catalog()
    named = {lic for fam in families.values() if isinstance(fam, dict) for lic in fam.get("licenses", [])}
    missing = {lic for lic in named if catalog.get(lic) is None}
    assert not missing, missing


@pytest.mark.parametrize(
    ("front", "lic_id", "duty_rule"),
    [
        (
            "license: other\nlicense_name: baichuan2\nbase_model: baichuan-inc/Baichuan2-7B-Base",
            "baichuan2",
            None,
        ),
        (
            "license: other\nlicense_name: stabilityai-ai-community\n"
            "base_model: stabilityai/stable-diffusion-3.5-large",
            "stabilityai-ai-community",
            "upstream-license-missing",
        ),
        # Falcon 2 11B is under its own TII license, not the Apache-2.0 of Falcon 7B and 40B.
        ("license: apache-2.0\nbase_model: tiiuae/falcon-11B", "falcon-2-11b-license", "attribution-missing"),
        # Falcon 3 and Falcon-H1 are under the TII Falcon License of December 2024.
        ("license: apache-2.0\nbase_model: tiiuae/Falcon3-7B-Instruct", "falcon-llm-license", "license-incompatible"),
        ("license: mit\nbase_model: tiiuae/Falcon-H1-1.5B-Deep-Instruct", "falcon-llm-license", "attribution-missing"),
        # EXAONE 3.5 is under the 1.1 - NC edition of LG's agreement, EXAONE 4.0 under 1.2 - NC.
        (
            "license: apache-2.0\nbase_model: LGAI-EXAONE/EXAONE-3.5-7.8B-Instruct",
            "exaone-1.1-nc",
            "license-incompatible",
        ),
        ("license: apache-2.0\nbase_model: LGAI-EXAONE/EXAONE-4.0-1.2B", "exaone-1.2-nc", "license-incompatible"),
        # HunyuanVideo and Hunyuan3D-2 each publish their own edition of Tencent's agreement.
        (
            "license: other\nlicense_name: tencent-hunyuan-community\nbase_model: tencent/HunyuanVideo",
            "tencent-hunyuan-video",
            "upstream-notice-missing",
        ),
        ("license: mit\nbase_model: tencent/Hunyuan3D-2mini", "tencent-hunyuan-3d-2", "usage-threshold"),
        # MedGemma is Gemma-based, but Google publishes it under the Health AI Developer Foundations terms.
        (
            "license: apache-2.0\nbase_model: google/medgemma-4b-it",
            "health-ai-developer-foundations",
            "upstream-notice-missing",
        ),
        (
            "license: apache-2.0\nbase_model: databricks/dbrx-instruct",
            "databricks-open-model-license",
            "upstream-notice-missing",
        ),
    ],
)
def test_a_derivative_of_the_family_gets_its_duties(cli, make_repo, front, lic_id, duty_rule):
    repo = make_repo({"README.md": card(front)})
    report, _ = audit_json(cli, repo)
    assert "upstream-license-unknown" not in rules_of(report)
    assert any(c["license"] == lic_id for c in report["lineage"]), report["lineage"]
    if duty_rule:
        assert duty_rule in rules_of(report)


def test_a_commercial_license_on_a_llama_1_derivative_is_incompatible(cli, make_repo):
    repo = make_repo({"README.md": card("license: apache-2.0\nbase_model: huggyllama/llama-7b")})
    report, _ = audit_json(cli, repo)
    assert "upstream-license-unknown" not in rules_of(report)
    bad = [f for f in report["findings"] if f["rule"] == "license-incompatible"]
    # The LLaMA License grants no sublicense (1.a) and bars terms inconsistent with it (2.d): the first reason.
    assert bad and "LLaMA (1) non-commercial bespoke model license does not allow relicensing" in bad[0]["message"]


def test_a_stability_derivative_that_carries_its_duties_passes_them(cli, make_repo):
    text = (rules_dir() / "licenses" / "texts" / "stabilityai-ai-community.txt").read_text(encoding="utf-8")
    notice = "This Stability AI Model is licensed under the Stability AI Community License, Copyright ©  Stability AI Ltd. All Rights Reserved\n"
    body = "# Model\n\nPowered by Stability AI. Use is subject to the Stability AI Acceptable Use Policy.\n"
    front = "license: other\nlicense_name: stabilityai-ai-community\nbase_model: stabilityai/stable-diffusion-3.5-large"
    repo = make_repo({"README.md": card(front, body), "LICENSE.md": text, "NOTICE": notice})
    report, _ = audit_json(cli, repo)
    found = rules_of(report)
    for rule in (
        "upstream-license-unknown",
        "upstream-license-missing",
        "upstream-notice-missing",
        "attribution-missing",
    ):
        assert rule not in found, report["findings"]


def test_the_stability_non_commercial_license_is_terms_of_its_own(cli, make_repo):
    """The Non-Commercial Research Community License of SDXL-Turbo's and SD-Turbo's release is identified by its
    text and its `license_name`, apart from the Stability AI Community License; a derivative that carries its
    duties (the Agreement, the Notice line, the acceptable use policy) passes them."""
    from license_audit.identify import identify_text

    catalog = load_catalog()
    nc = (rules_dir() / "licenses" / "texts" / "sai-nc-community.txt").read_text(encoding="utf-8")
    community = (rules_dir() / "licenses" / "texts" / "stabilityai-ai-community.txt").read_text(encoding="utf-8")
    assert [m.id for m in identify_text(nc, catalog) if m.kind == "text"] == ["sai-nc-community"]
    assert "sai-nc-community" not in [m.id for m in identify_text(community, catalog)]
    assert catalog.get("sai-nc-community").commercial_use is False
    notice = (
        "This Stability AI Model is licensed under the Stability AI Non-Commercial Research Community License, "
        "Copyright (c) Stability AI Ltd. All Rights Reserved.\n"
    )
    body = "# Turbo Anime\n\nResearch use only. Use is subject to the Stability AI Acceptable Use Policy.\n"
    front = "license: other\nlicense_name: sai-nc-community\nbase_model: stabilityai/sd-turbo"
    repo = make_repo({"README.md": card(front, body), "LICENSE.md": nc, "NOTICE": notice})
    report, _ = audit_json(cli, repo)
    found = rules_of(report)
    for rule in ("upstream-license-unknown", "upstream-license-missing", "upstream-notice-missing"):
        assert rule not in found, report["findings"]
    # the same card without the Notice line and the Agreement owes both
    bare = make_repo({"README.md": card(front, body)})
    found = rules_of(audit_json(cli, bare)[0])
    assert {"upstream-license-missing", "upstream-notice-missing"} <= set(found)


def test_an_sdxl_turbo_derivative_gets_the_non_commercial_terms_not_sdxls(cli, make_repo):
    """SDXL-Turbo shares SDXL's name but not its license: a derivative declaring it under a commercial
    license is told the base forbids commercial use, never given OpenRAIL++'s terms."""
    repo = make_repo({"README.md": card("license: apache-2.0\nbase_model: stabilityai/sdxl-turbo")})
    report, _ = audit_json(cli, repo)
    licenses = {c["license"] for c in report["lineage"]}
    assert "sai-nc-community" in licenses and "openrail++" not in licenses, report["lineage"]
    assert "license-incompatible" in rules_of(report)


def test_a_pipeline_class_is_read_without_its_runtime_prefix_or_task_variant():
    from license_audit.errors import InputError
    from license_audit.lineage.families import Families, family_from_dict, pipeline_class

    assert pipeline_class("OnnxStableDiffusionImg2ImgPipeline") == "StableDiffusionPipeline"
    assert pipeline_class("FlaxStableDiffusionInpaintPipeline") == "StableDiffusionPipeline"
    assert pipeline_class("StableDiffusionXLPipeline") == "StableDiffusionXLPipeline"
    fam = family_from_dict(
        "x", {"licenses": ["mit"], "pipelines": [{"class": "XPipeline", "pad_token": "<pad>"}]}, "families.yaml"
    )
    fams = Families([fam])
    assert fams.by_pipeline("OnnxXPipeline", "<pad>") is fam
    assert fams.by_pipeline("XPipeline", "!") is None and fams.by_pipeline(None, "<pad>") is None
    with pytest.raises(InputError, match="each pipeline needs a 'class'"):
        family_from_dict("x", {"licenses": ["mit"], "pipelines": ["XPipeline"]}, "families.yaml")


@pytest.mark.parametrize(
    "front",
    [
        "license: apple-ascl\nbase_model: apple/OpenELM-3B-Instruct",
        "license: other\nlicense_name: health-ai-developer-foundations\nbase_model: google/medgemma-4b-it",
        "license: other\nlicense_name: falcon-llm-license\nbase_model: tiiuae/Falcon3-10B-Instruct",
        # The name Tencent's cards give several editions of its agreement: the base's edition.
        "license: other\nlicense_name: tencent-hunyuan-community\nbase_model: tencent/HunyuanVideo",
        "license: other\nlicense_name: tencent-hunyuan-community\nbase_model: Tencent-Hunyuan/HunyuanDiT-v1.2",
    ],
)
def test_the_hub_keys_and_license_names_of_these_bases_are_known(cli, make_repo, front):
    repo = make_repo({"README.md": card(front)})
    report, _ = audit_json(cli, repo)
    assert "license-unknown" not in rules_of(report), report["findings"]


# ---- Ultralytics YOLO ----------------------------------------------------------------------------------------

# pnthang04/PCB-Prune-YOLO's Hub card (docs/HF_P10_MODEL_CARD.md), shortened: an MIT-labelled YOLOv8n fine-tune.
_YOLOV8_FT = card(
    "license: mit\nlibrary_name: ultralytics\npipeline_tag: object-detection\ntags:\n  - yolov8\n  - depgraph\n"
    "  - torch-pruning",
    "# PCB-Prune-YOLO P10 DepGraph\n\nFine-tuned structurally pruned YOLOv8n detector for the six DeepPCB defect "
    "classes.\n",
)


def test_an_mit_yolov8_fine_tune_is_told_ultralytics_agpl_terms(cli, make_repo):
    report, _ = audit_json(cli, make_repo({"README.md": _YOLOV8_FT}), "--no-history", "--offline")
    [cand] = [c for c in report["lineage"] if c.get("family") == "ultralytics-yolo"]
    assert cand["license"] == "agpl-3.0"
    assert {"license-incompatible", "upstream-license-missing"} <= rules_of(report), report["findings"]


def test_a_declared_yolo11_base_settles_its_license_while_yolov8s_depends_on_the_date(cli, make_repo):
    # YOLO11 was AGPL-3.0 from its release; YOLOv8 was GPL-3.0 until Ultralytics relicensed it in 2023.
    def errors(base):
        front = f"license: mit\nbase_model: {base}\nlibrary_name: ultralytics"
        report, _ = audit_json(cli, make_repo({"README.md": card(front)}), "--no-history", "--offline")
        return rules_of(report, "error"), rules_of(report)

    strict, _ = errors("Ultralytics/YOLO11")
    assert {"license-incompatible", "upstream-license-missing"} <= strict
    dated, found = errors("Ultralytics/YOLOv8")
    assert "license-incompatible" in found and "license-incompatible" not in dated


@pytest.mark.parametrize(
    ("name", "family"),
    [
        ("keremberke/yolov8m-table-extraction", "ultralytics-yolo"),
        ("yolov5s", "ultralytics-yolo"),
        ("Ultralytics/YOLOv5", "ultralytics-yolo"),
        ("yolo11n-seg", "yolo11"),
        ("YOLOv11 fine-tuned on PPE", "yolo11"),
        # Other authors' YOLO generations, under their own licenses
        ("jameslahm/yolov10n", None),
        ("WongKinYiu/yolov9-c", None),
        ("yolov3", None),
    ],
)
def test_only_ultralytics_own_yolo_generations_name_its_families(name, family):
    from license_audit.lineage.families import load_families

    fm = load_families().match_name(name)
    assert (fm.family.id if fm else None) == family


# ---- Cohere (CohereForAI, renamed CohereLabs) -------------------------------------------------------------------


@pytest.mark.parametrize(
    "base",
    [
        "CohereForAI/c4ai-command-r-plus",
        "CohereForAI/c4ai-command-r-08-2024",
        "CohereLabs/c4ai-command-r7b-12-2024",
        "CohereLabs/c4ai-command-a-03-2025",
        "CohereForAI/aya-expanse-32b",
        "CohereLabs/aya-vision-8b",
    ],
)
def test_a_cohere_release_relicensed_apache_is_told_its_cc_by_nc_terms(cli, make_repo, base):
    repo = make_repo({"README.md": card(f"license: apache-2.0\nbase_model: {base}", "# my-finetune\n")})
    report, _ = audit_json(cli, repo, "--no-history", "--offline")
    assert {c["license"] for c in report["lineage"]} == {"cc-by-nc-4.0"}, report["lineage"]
    assert {"license-incompatible", "upstream-license-missing"} <= rules_of(report, "error"), report["findings"]


@pytest.mark.parametrize(
    ("name", "family"),
    [
        ("Command-R 35B v1.0", "command-r"),  # andrewcanis/c4ai-command-r-v01-GGUF's title
        ("c4ai-command-r-plus-iMat.GGUF", "command-r"),
        ("Command R+", "command-r"),
        ("c4ai-command-r7b-12-2024", "command-r7b"),
        ("command_a_03_2025", "command-a"),
        ("aya-23-35B", "aya-23"),
        ("aya-expanse-8b", "aya-expanse"),
        ("aya-vision-32b", "aya-vision"),
        # Aya 101 is Apache-2.0; the terms of these releases were not read; English is not a model name
        ("CohereForAI/aya-101", None),
        ("CohereLabs/command-a-vision-07-2025", None),
        ("CohereForAI/c4ai-command-r7b-arabic-02-2025", None),
        ("LLM agent to command a drone", None),
        ("command-runner", None),
    ],
)
def test_the_cohere_families_are_named_by_their_releases_names(name, family):
    from license_audit.lineage.families import load_families

    fm = load_families().match_name(name)
    assert (fm.family.id if fm else None) == family
