"""Vendor model licenses real cards name: the `license` and `license_name` values the cards write name the
entry, and a derivative that drops the license's text (or the attribution and name its terms ask for) is told so."""

from __future__ import annotations

import pytest
from conftest import audit_json, card, license_text, rules_of

from license_audit.catalog import load_catalog
from license_audit.registry import load_registry

CAT = load_catalog()


@pytest.mark.parametrize(
    "name, lic_id",
    [
        ("tii-falcon-llm", "tii-falcon-llm"),  # tiiuae/falcon-7b's card before the relicensing
    ],
)
def test_the_name_a_card_writes_is_the_entry(name, lic_id):
    lic = CAT.get(name)
    assert lic is not None and lic.id == lic_id


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
