"""`audit --format cyclonedx-json`: a CycloneDX 1.6 ML-BOM of the model, its licenses, findings and upstreams."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import card, config_of, license_text, llama_repo

from license_audit.report import Candidate, Finding, ModelInfo, Report, TargetInfo, Upstream

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted(p.name for p in (ROOT / "examples").iterdir() if p.is_dir())


def _bom_text(cli, path, *extra) -> str:
    res = cli("audit", path, "--format", "cyclonedx-json", *extra)
    assert res.exit_code in (0, 1), res.output
    return res.output


def _bom(cli, path, *extra) -> dict:
    return json.loads(_bom_text(cli, path, *extra))


def _validate(text: str) -> None:
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator

    errors = JsonStrictValidator(SchemaVersion.V1_6).validate_str(text, all_errors=True)
    assert errors is None, "\n".join(str(e) for e in errors)


def _props(obj: dict) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for p in obj.get("properties", []):
        out.setdefault(p["name"], []).append(p["value"])
    return out


def _licenses(comp: dict) -> list[dict]:
    return [entry["license"] for entry in comp.get("licenses", [])]


@pytest.mark.parametrize("example", EXAMPLES)
def test_bom_of_each_example_is_valid_cyclonedx_1_6(cli, example):
    text = _bom_text(cli, ROOT / "examples" / example)
    _validate(text)
    bom = json.loads(text)
    assert bom["specVersion"] == "1.6" and bom["bomFormat"] == "CycloneDX"
    model = bom["metadata"]["component"]
    assert model["type"] == "machine-learning-model"
    assert model["modelCard"]["modelParameters"]["task"] == "text-generation"
    assert {c["type"] for c in bom.get("components", [])} <= {"machine-learning-model"}


def test_validator_rejects_what_the_schema_forbids(cli):
    # The test above would pass vacuously if the validator accepted anything.
    bom = _bom(cli, ROOT / "examples" / "deepseek-v3-relabelled")
    bom["metadata"]["component"]["modelCard"]["modelParameters"]["layers"] = 61
    with pytest.raises(AssertionError, match="layers"):
        _validate(json.dumps(bom))


def test_deepseek_example_names_deepseek_v3_as_ancestor_with_its_license(cli):
    bom = _bom(cli, ROOT / "examples" / "deepseek-v3-relabelled")
    model = bom["metadata"]["component"]
    ancestors = model["pedigree"]["ancestors"]
    assert [a["name"] for a in ancestors] == ["deepseek-ai/DeepSeek-V3"]
    anc = ancestors[0]
    assert anc["type"] == "machine-learning-model"
    assert anc["purl"] == "pkg:huggingface/deepseek-ai/DeepSeek-V3"
    lics = _licenses(anc)
    assert {lic.get("id") or lic.get("name") for lic in lics} == {"MIT", "LicenseRef-deepseek"}
    assert all(lic["acknowledgement"] == "declared" for lic in lics)
    assert anc["copyright"] == "Copyright (c) 2023 DeepSeek"
    # The same model as a component of the BOM, with the evidence behind the claim.
    comp = next(c for c in bom["components"] if c["name"] == "deepseek-ai/DeepSeek-V3")
    props = _props(comp)
    assert props["license-audit:lineage:status"] == ["derived"]
    assert props["license-audit:lineage:confidence"] == ["0.97"]
    assert props["license-audit:lineage:declared"] == ["false"]
    assert props["license-audit:lineage:relation"] == ["finetune"]
    assert any("architecture fields equal" in e for e in props["license-audit:lineage:evidence"])
    # Config-identical models it may stand for are said, not resolved by a guess.
    assert "deepseek-ai/DeepSeek-R1" in props["license-audit:lineage:alternative"]
    assert comp["modelCard"]["modelParameters"]["modelArchitecture"] == "DeepseekV3ForCausalLM"
    deps = {d["ref"]: d.get("dependsOn", []) for d in bom["dependencies"]}
    assert deps[model["bom-ref"]] == [comp["bom-ref"]]


def test_model_licenses_declared_and_found_with_their_location(cli):
    bom = _bom(cli, ROOT / "examples" / "deepseek-v3-relabelled")
    lics = _licenses(bom["metadata"]["component"])
    declared = [lic for lic in lics if lic["acknowledgement"] == "declared"]
    assert [(lic["id"], _props(lic)["license-audit:location"]) for lic in declared] == [
        ("Apache-2.0", ["README.md (front matter `license`)"])
    ]
    found = {_props(lic)["license-audit:location"][0]: lic for lic in lics if lic["acknowledgement"] == "concluded"}
    assert set(found) == {"LICENSE (lines 3-13)", "README.md (line 14)"}
    assert found["LICENSE (lines 3-13)"]["id"] == "Apache-2.0"
    assert _props(found["LICENSE (lines 3-13)"])["license-audit:kind"] == ["reference"]


def test_license_not_on_the_spdx_list_is_a_license_ref_name(cli, make_repo):
    repo = make_repo(llama_repo())
    bom = _bom(cli, repo)
    _validate(json.dumps(bom))
    lics = _licenses(bom["metadata"]["component"])
    found = next(lic for lic in lics if _props(lic)["license-audit:location"][0].startswith("LICENSE "))
    assert found == found | {"name": "LicenseRef-llama3.1", "acknowledgement": "concluded"}
    assert "id" not in found and found["url"].startswith("https://")
    unknown = make_repo({"README.md": card("license: other\nlicense_name: acme-weights-1.0")})
    lics = _licenses(_bom(cli, unknown)["metadata"]["component"])
    assert [lic["name"] for lic in lics] == ["LicenseRef-acme-weights-1.0"]


def test_a_name_every_edition_goes_by_concludes_none_and_says_which_it_may_be(cli, make_repo):
    # As in the SPDX document: "the Llama license" concludes no edition; a property names them all.
    body = "# Poet\n\nThis model is released under the Llama license.\n"
    bom = _bom(cli, make_repo({"README.md": card("base_model: Qwen/Qwen2.5-7B-Instruct", body)}))
    _validate(json.dumps(bom))
    component = bom["metadata"]["component"]
    assert not [lic for lic in _licenses(component) if lic["acknowledgement"] == "concluded"], component
    (ambiguous,) = _props(component)["license-audit:ambiguous"]
    assert ambiguous.startswith("README.md (line 7): one of LicenseRef-llama-license, LicenseRef-llama2, ")


def test_every_finding_is_a_group_of_properties(cli):
    bom = _bom(cli, ROOT / "examples" / "deepseek-v3-relabelled")
    report, _ = _json(cli, ROOT / "examples" / "deepseek-v3-relabelled")
    props = _props(bom["metadata"]["component"])
    for n, f in enumerate(report["findings"], 1):
        key = f"license-audit:finding:{n:03d}"
        assert props[f"{key}:rule"] == [f["rule"]]
        assert props[f"{key}:severity"] == [f["severity"]]
        assert props[f"{key}:path"] == [f["path"]]
        assert props[f"{key}:message"] == [f["message"]]
    assert f"license-audit:finding:{len(report['findings']) + 1:03d}:rule" not in props


def _json(cli, path):
    res = cli("audit", path, "--format", "json")
    return json.loads(res.output), res.exit_code


def test_finding_commit_and_waiver_become_properties():
    from license_audit.formats.cyclonedx import to_dict

    findings = [
        Finding("license-file-removed", "error", "gone", path="LICENSE", commit="a" * 40),
        Finding("license-unknown", "warning", "odd", path="LICENSE", waived=True, waiver_reason="reviewed"),
    ]
    report = Report(TargetInfo("local", "m"), ModelInfo("m", None, None, [], None), [], [], findings)
    props = _props(to_dict(report)["metadata"]["component"])
    assert props["license-audit:finding:001:commit"] == ["a" * 40]
    assert "license-audit:finding:002:commit" not in props
    assert props["license-audit:finding:002:waived"] == ["true"]
    assert props["license-audit:finding:002:waiver-reason"] == ["reviewed"]


def test_possibly_derived_upstream_is_listed_but_not_claimed_as_ancestor():
    from license_audit.formats.cyclonedx import render

    cand = Candidate("acme/Base-7B", None, "finetune", False, 0.6, "apache-2.0", ["tokenizer: same vocabulary"])
    report = Report(
        TargetInfo("local", "m"),
        ModelInfo("m", "apache-2.0", None, [], None),
        [],
        [cand],
        [],
        upstreams=[Upstream(cand, None, [])],
    )
    text = render(report)
    _validate(text)
    bom = json.loads(text)
    assert "pedigree" not in bom["metadata"]["component"]
    comp = bom["components"][0]
    assert comp["name"] == "acme/Base-7B"
    assert _props(comp)["license-audit:lineage:status"] == ["possibly derived"]
    assert [lic["id"] for lic in _licenses(comp)] == ["Apache-2.0"]
    deps = {d["ref"]: d.get("dependsOn", []) for d in bom["dependencies"]}
    assert deps["model"] == []


def test_registry_chain_nests_ancestors_and_dependencies(cli, make_repo, tmp_path):
    rules = tmp_path / "rules"
    (rules / "models").mkdir(parents=True)
    (rules / "models" / "acme.yaml").write_text(
        "id: acme/Llama-3.1-Chat\nfamily: acme-chat\nlicense: llama3.1\nbase_model: meta-llama/Llama-3.1-8B\n"
    )
    repo = make_repo(
        llama_repo(
            **{
                "README.md": card(
                    "license: llama3.1\nbase_model: acme/Llama-3.1-Chat\nmodel_name: Llama-3.1-Tiny",
                    "# Llama-3.1-Tiny\n\nBuilt with Llama.\n",
                ),
                # Without a config the base is reached only through the registry entry's base_model.
                "config.json": None,
            }
        )
    )
    text = _bom_text(cli, repo, "--rules", rules)
    _validate(text)
    bom = json.loads(text)
    top = bom["metadata"]["component"]["pedigree"]["ancestors"]
    chat = next(a for a in top if a["name"] == "acme/Llama-3.1-Chat")
    assert [a["name"] for a in chat["pedigree"]["ancestors"]] == ["meta-llama/Llama-3.1-8B"]
    deps = {d["ref"]: d.get("dependsOn", []) for d in bom["dependencies"]}
    assert deps["pkg:huggingface/acme/Llama-3.1-Chat"] == ["pkg:huggingface/meta-llama/Llama-3.1-8B"]
    base = next(c for c in bom["components"] if c["name"] == "meta-llama/Llama-3.1-8B")
    assert _props(base)["license-audit:lineage:through"] == ["acme/Llama-3.1-Chat"]


def test_model_card_task_from_the_card_wins_over_the_architecture(cli, make_repo):
    repo = make_repo(
        {
            "README.md": card("license: mit\npipeline_tag: text-classification"),
            "LICENSE": license_text("mit"),
            "config.json": {"architectures": ["BertForMaskedLM"], "model_type": "bert"},
        }
    )
    params = _bom(cli, repo)["metadata"]["component"]["modelCard"]["modelParameters"]
    assert params == {
        "task": "text-classification",
        "architectureFamily": "bert",
        "modelArchitecture": "BertForMaskedLM",
    }
    repo = make_repo({"README.md": card("license: mit"), "LICENSE": license_text("mit")})
    assert "modelCard" not in _bom(cli, repo)["metadata"]["component"]


def test_same_input_same_bytes_and_serial_only_when_asked(cli, make_repo):
    example = ROOT / "examples" / "deepseek-v3-relabelled"
    a, b = _bom_text(cli, example), _bom_text(cli, example)
    assert a == b
    bom = json.loads(a)
    assert "serialNumber" not in bom and "timestamp" not in bom["metadata"]
    s1, s2 = _bom_text(cli, example, "--bom-serial"), _bom_text(cli, example, "--bom-serial")
    _validate(s1)
    one, two = json.loads(s1), json.loads(s2)
    assert one["serialNumber"].startswith("urn:uuid:") and one["serialNumber"] != two["serialNumber"]
    assert one["metadata"]["timestamp"]
    res = cli("audit", example, "--format", "json", "--bom-serial")
    assert res.exit_code == 2 and "--bom-serial" in res.output


def test_hub_target_is_named_by_purl_at_its_revision():
    from license_audit.formats.cyclonedx import to_dict

    report = Report(
        TargetInfo("hub", "acme/Tiny-1B", "b" * 40), ModelInfo("Tiny-1B", "mit", None, [], None), [], [], []
    )
    model = to_dict(report)["metadata"]["component"]
    assert model["bom-ref"] == model["purl"] == f"pkg:huggingface/acme/Tiny-1B@{'b' * 40}"
    assert model["version"] == "b" * 40


def test_bom_renders_from_the_report_without_resolving_again(monkeypatch):
    from license_audit import registry
    from license_audit.formats.cyclonedx import render
    from license_audit.pipeline import run_audit

    report = run_audit(str(ROOT / "examples" / "deepseek-v3-relabelled"))

    def refuse(*args, **kwargs):
        raise AssertionError("the registry was loaded again after the audit")

    monkeypatch.setattr(registry, "load_registry", refuse)
    assert "deepseek-ai/DeepSeek-V3" in render(report)


def test_cyclonedx_is_imported_only_for_its_format(tmp_path):
    repo = tmp_path / "m"
    repo.mkdir()
    (repo / "README.md").write_text(card("license: mit"))
    (repo / "config.json").write_text(json.dumps(config_of("meta-llama/Llama-3.1-8B")))
    probe = (
        "import sys\nfrom license_audit.cli import main\n"
        "try:\n    main([sys.argv[1], sys.argv[2], '--format', sys.argv[3], '--no-history'])\n"
        "except SystemExit:\n    pass\n"
        "print('cyclonedx' in sys.modules, file=sys.stderr)"
    )
    env = dict(os.environ, HF_HUB_OFFLINE="1")
    seen = {}
    for fmt in ("json", "cyclonedx-json"):
        proc = subprocess.run(
            [sys.executable, "-c", probe, "audit", str(repo), fmt], capture_output=True, text=True, env=env
        )
        seen[fmt] = proc.stderr.strip().splitlines()[-1]
    assert seen == {"json": "False", "cyclonedx-json": "True"}


def test_base_model_that_is_no_hub_id_gets_no_purl_or_hub_link(cli, make_repo):
    repo = make_repo(
        {
            "README.md": card("license: apache-2.0\nbase_model: /home/someone/.cache/models/acme/my-base-14B"),
            "LICENSE": license_text("apache-2.0"),
        }
    )
    text = _bom_text(cli, repo)
    _validate(text)
    bom = json.loads(text)
    comps = {c["name"]: c for c in bom.get("components", [])}
    local = comps["/home/someone/.cache/models/acme/my-base-14B"]
    assert "purl" not in local and "externalReferences" not in local
    assert local["bom-ref"] == "model:/home/someone/.cache/models/acme/my-base-14B"
