"""Registry bases whose terms depend on the release: OPT under its own non-commercial agreement, Vicuna v1.3
(LLaMA 1's terms) against v1.5 (Llama 2's), Falcon-40B relicensed to Apache-2.0. Each fixture is a fine-tune
folder built from the generated registry entry's own signature."""

from __future__ import annotations

import json

import yaml

from license_audit.registry import load_registry
from license_audit.resources import rules_dir


def finetune_of(tmp_path, model_id: str, card: str = "---\nlicense: apache-2.0\n---\n# A chat fine-tune\n"):
    entry = yaml.safe_load((rules_dir() / "models" / (model_id.replace("/", "__") + ".yaml")).read_text())
    root = tmp_path / model_id.replace("/", "__")
    root.mkdir()
    (root / "config.json").write_text(json.dumps(entry["signature"]))
    (root / "README.md").write_text(card)
    return root


def audit(cli, root) -> dict:
    res = cli("audit", root, "--format", "json", "--no-history")
    assert res.exit_code in (0, 1), res.output
    return json.loads(res.output)


def test_an_opt_finetune_is_held_to_the_opt_license(cli, tmp_path):
    report = audit(cli, finetune_of(tmp_path, "facebook/opt-1.3b"))
    found = {f["rule"]: f for f in report["findings"]}
    assert "facebook/opt-1.3b" in found["base-model-undeclared"]["message"]
    # The OPT-175B License Agreement keeps derivatives under it and asks for its text and attribution notice.
    assert "OPT-175B License Agreement" in found["license-incompatible"]["message"]
    assert "upstream-license-missing" in found
    assert "OPT-175B is licensed under the OPT-175B license" in found["upstream-notice-missing"]["message"]


def test_vicuna_releases_carry_the_terms_of_their_own_llama(cli, tmp_path):
    reg = load_registry()
    assert reg.get("lmsys/vicuna-7b-v1.3").license == "llama-license"
    assert reg.get("lmsys/vicuna-7b-v1.5").license == "llama2"
    assert reg.get("lmsys/vicuna-7b-v1.5").base_model == ["meta-llama/Llama-2-7b-hf"]

    out = cli("lineage", finetune_of(tmp_path, "lmsys/vicuna-7b-v1.3")).output
    # LLaMA 1's shape: a match is "possibly derived" and says why, under LLaMA 1's non-commercial terms.
    assert "lmsys/vicuna-7b-v1.3" in out and "llama-license" in out and "not proof on its own" in out

    # v1.5 repeats Llama-2-7B's config: the earlier release leads and Vicuna is named as the same config.
    out = cli("lineage", finetune_of(tmp_path, "lmsys/vicuna-7b-v1.5")).output
    first = out.splitlines()[0]
    assert first.startswith("meta-llama/Llama-2-7b-hf") and "license llama2" in first
    assert "same config as lmsys/vicuna-7b-v1.5" in out


def test_falcon_40b_names_the_license_of_its_first_release(cli, tmp_path):
    out = cli("lineage", finetune_of(tmp_path, "tiiuae/falcon-40b")).output
    assert out.splitlines()[0].startswith("tiiuae/falcon-40b") and "license apache-2.0" in out
    assert "TII Falcon LLM License 1.0" in out
