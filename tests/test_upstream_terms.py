"""Upstream terms by checkpoint, and duties when the evidence fits checkpoints under different terms."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import audit_json, card, config_of, license_text, write_tree

from license_audit.errors import InputError
from license_audit.registry import load_registry, model_from_dict, split_revision

ROOT = Path(__file__).resolve().parents[1]
DEEPSEEK_MIT = license_text("mit").replace("Copyright (c) <year> <copyright holders>", "Copyright (c) 2023 DeepSeek")
V3_CONFIG = json.dumps(config_of("deepseek-ai/DeepSeek-V3"), indent=2)


def by_rule(report: dict) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for f in report["findings"]:
        out.setdefault(f["rule"], []).append(f)
    return out


# --- the registry ---------------------------------------------------------------------------------


def test_deepseek_v3_terms_by_checkpoint():
    v3 = load_registry().get("deepseek-ai/DeepSeek-V3-0324")
    assert v3 is not None and v3.id == "deepseek-ai/DeepSeek-V3"
    [dec] = v3.terms_for("deepseek-ai/DeepSeek-V3")
    assert dec.licenses == ("deepseek", "mit") and dec.source
    [mar] = v3.terms_for("deepseek-ai/DeepSeek-V3-0324")
    assert mar.licenses == ("mit",) and mar.source
    assert len(v3.terms_for()) == 2  # no checkpoint named: each of them
    # An entry without `terms` has one: its licenses.
    [r1] = load_registry().get("deepseek-ai/DeepSeek-R1").terms_for()
    assert r1.licenses == ("mit",)


def test_terms_by_revision_and_validation():
    entry = model_from_dict(
        {
            "id": "acme/M",
            "family": "m",
            "license": "mit",
            "terms": [
                {"licenses": ["openrail"], "revisions": ["aaaa1111"], "source": "acme/M@aaaa1111 LICENSE"},
                {"licenses": ["mit"], "revisions": ["bbbb2222"], "source": "acme/M@bbbb2222 LICENSE"},
            ],
        }
    )
    assert [t.licenses for t in entry.terms_for("acme/M", "aaaa1111ffff")] == [("openrail",)]
    assert len(entry.terms_for("acme/M")) == 2  # revision unknown: both
    assert len(entry.terms_for("acme/M", "aaaa")) == 2  # too short to be a commit id
    assert split_revision("acme/M@bbbb2222") == ("acme/M", "bbbb2222")
    with pytest.raises(InputError, match="source"):
        model_from_dict({"id": "a/b", "family": "f", "license": "mit", "terms": [{"licenses": ["mit"]}]})


# --- duties under ambiguity -----------------------------------------------------------------------


def test_ambiguous_candidates_keep_common_duties_and_warn_for_the_rest(cli):
    report, code = audit_json(cli, ROOT / "examples" / "deepseek-v3-relabelled", "--no-history")
    assert code == 1
    rules = by_rule(report)
    # Duties every fitting checkpoint imposes (MIT text, DeepSeek's copyright line, declaring the base).
    assert {f["severity"] for f in rules["upstream-notice-missing"]} == {"error"}
    [mit_copy] = [f for f in rules["upstream-license-missing"] if "under the MIT License, which" in f["message"]]
    assert mit_copy["severity"] == "error"
    [undeclared] = rules["base-model-undeclared"]
    assert undeclared["severity"] == "error"
    for name in ("DeepSeek-V3-0324", "DeepSeek-R1", "DeepSeek-V3.1"):
        assert f"deepseek-ai/{name}" in undeclared["fix"]
    # Duties of the DeepSeek License Agreement only: warnings naming the checkpoint and how to settle it.
    only_dec = [
        *rules["use-restrictions-missing"],
        *rules["license-incompatible"],
        *[
            f
            for f in rules["upstream-license-missing"]
            if "under the DeepSeek License Agreement, which" in f["message"]
        ],
    ]
    assert len(only_dec) == 3
    for f in only_dec:
        assert f["severity"] == "warning"
        assert "it holds if the base is deepseek-ai/DeepSeek-V3 (December 2024 weights)" in f["message"]
        assert "deepseek-ai/DeepSeek-V3-0324 (March 2025 update): MIT License" in f["message"]
        assert f["fix"].startswith("Declare `base_model:` with the exact repository")


def test_incompatible_for_every_candidate_stays_an_error(cli, make_repo):
    # Llama-3.1-70B-Instruct and Llama-3.3-70B-Instruct share a config and differ in license; neither allows Apache-2.0.
    cfg = json.dumps(config_of("meta-llama/Llama-3.1-70B-Instruct"))
    root = make_repo({"README.md": card("license: apache-2.0"), "config.json": cfg})
    report, _ = audit_json(cli, root)
    lineage = report["lineage"][0]
    assert lineage["alternatives"], lineage
    incompatible = by_rule(report)["license-incompatible"]
    assert incompatible and {f["severity"] for f in incompatible} == {"error"}


@pytest.mark.parametrize(
    ("base", "deepseek_duties"),
    [("deepseek-ai/DeepSeek-V3-0324", False), ("deepseek-ai/DeepSeek-V3", True)],
)
def test_declared_base_resolves_the_ambiguity(cli, tmp_path, base, deepseek_duties):
    root = write_tree(
        tmp_path / "m",
        {
            "README.md": card(f"license: apache-2.0\nbase_model: {base}"),
            "config.json": V3_CONFIG,
            "LICENSE": license_text("apache-2.0"),
            "NOTICE": DEEPSEEK_MIT,
        },
    )
    report, code = audit_json(cli, root, "--fail-on", "error")
    [cand] = [c for c in report["lineage"] if c["declared"]]
    rules = by_rule(report)
    if deepseek_duties:
        # The December 2024 weights: their license's duties are certain, and errors.
        assert code == 1 and cand["license"] == "deepseek" and "checkpoint" not in cand
        assert {f["severity"] for f in rules["license-incompatible"]} == {"error"}
        assert {f["severity"] for f in rules["use-restrictions-missing"]} == {"error"}
    else:
        # MIT: the notice and the copyright line kept in NOTICE are all it asks.
        assert code == 0, rules
        assert cand["license"] == "mit" and cand["model"] == base and "checkpoint" not in cand
        assert not any("Only some" in f["message"] for f in report["findings"])


def test_declared_checkpoint_is_named_and_its_mit_duties_are_errors(cli, tmp_path):
    root = write_tree(
        tmp_path / "m",
        {"README.md": card("license: apache-2.0\nbase_model: deepseek-ai/DeepSeek-V3-0324"), "config.json": V3_CONFIG},
    )
    report, code = audit_json(cli, root)
    assert code == 1
    rules = by_rule(report)
    for rule in ("upstream-license-missing", "upstream-notice-missing"):
        [f] = rules[rule]
        assert f["severity"] == "error" and f["upstream"] == "deepseek-ai/DeepSeek-V3-0324"
        assert "DeepSeek License" not in f["message"]
    assert "license-incompatible" not in rules and "use-restrictions-missing" not in rules


def test_rules_check_reads_terms(cli, tmp_path):
    good = "id: acme/M\nfamily: m\nlicense: mit\nterms:\n- {licenses: [mit], checkpoints: [acme/M], source: acme/M LICENSE}\n"
    bad = good.replace("licenses: [mit]", "licenses: [acme-x]").replace(", source: acme/M LICENSE", "")
    root = write_tree(tmp_path / "ok", {"models/acme__M.yaml": good})
    assert cli("rules", "check", str(root)).exit_code == 0
    root = write_tree(tmp_path / "bad", {"models/acme__M.yaml": bad})
    res = cli("rules", "check", str(root))
    assert res.exit_code == 1
    assert "terms[0]: missing required key 'source'" in res.output
    assert "terms[0].licenses[0]: 'acme-x' is not a license in the catalog" in res.output
