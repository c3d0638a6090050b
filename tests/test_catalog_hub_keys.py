"""The Hub's `license:` keys the catalog holds without a reference copy of their own (their texts are
the SPDX list's, which the long tail identifies): a card declaring one is checked, not `license-unknown`;
a non-commercial one behaves as cc-by-nc-4.0 does; each duty's quote is in the SPDX list's text; and the
text is still identified as that license."""

from __future__ import annotations

import gzip
import json
import re

import pytest
from conftest import audit_json, card, rules_of

from license_audit.catalog import load_catalog
from license_audit.checks.obligations import incompatibility
from license_audit.identify import identify_text
from license_audit.identify.normalize import words

HUB_KEYS = [
    "cc-by-nc-2.0",
    "cc-by-nc-3.0",
    "cc-by-nc-sa-2.0",
    "cc-by-nc-sa-3.0",
    "cc-by-nc-nd-3.0",
    "cc-by-2.0",
    "cc-by-2.5",
    "cc-by-3.0",
    "cc-by-sa-3.0",
    "isc",
    "bsl-1.0",
    "zlib",
    "wtfpl",
    "cdla-permissive-2.0",
    "odc-by",
    "odbl",
]
NONCOMMERCIAL = [k for k in HUB_KEYS if "-nc-" in k]
NO_DUTIES = {"wtfpl"}  # its one term puts no condition on derivatives
APACHE_BASE = "Qwen/Qwen2.5-0.5B"  # Apache-2.0 in the registry


def _spdx_text(spdx: str) -> str | None:
    """The license's text as the long tail's template library holds it (its markup removed)."""
    from license_audit.identify.longtail import _library

    lib = _library()
    if lib is None:
        return None
    for entry in json.loads(gzip.decompress((lib[1] / "_engine" / "licenses.json.gz").read_bytes())):
        if entry["id"] == spdx and entry["lre"]:
            text = re.sub(r"//\*\*.*?\*\*//", "", entry["lre"], flags=re.S)
            return re.sub(r"__\d+__", " ", text.replace("((", "").replace("))??", ""))
    return None


def test_every_key_is_in_the_catalog_under_its_hub_key():
    cat = load_catalog()
    for key in HUB_KEYS:
        lic = cat.get(key)
        assert lic is not None and lic.id == key and lic.raw.get("hf_license") == key, key


@pytest.mark.parametrize("key", HUB_KEYS)
def test_a_card_declaring_the_key_is_not_license_unknown(cli, make_repo, key):
    repo = make_repo({"README.md": card(f"license: {key}\nbase_model: {APACHE_BASE}")})
    report, _ = audit_json(cli, repo)
    assert "license-unknown" not in rules_of(report), report["findings"]


@pytest.mark.parametrize("key", NONCOMMERCIAL)
def test_noncommercial_keys_behave_as_cc_by_nc_4(key):
    cat = load_catalog()
    lic = cat.get(key)
    assert lic.commercial_use is False and lic.category == cat.get("cc-by-nc-4.0").category
    # A derivative may not be offered for commercial use under a permissive license...
    assert incompatibility(lic, cat.get("apache-2.0"), "apache-2.0")
    assert bool(incompatibility(cat.get("cc-by-nc-4.0"), cat.get("apache-2.0"), "apache-2.0"))
    # ...and an Apache-2.0 upstream permits the non-commercial terms on its derivative.
    assert not incompatibility(cat.get("apache-2.0"), lic, key)


@pytest.mark.parametrize("key", NONCOMMERCIAL)
def test_noncommercial_upstream_with_an_apache_card_is_incompatible(cli, make_repo, key):
    repo = make_repo({"README.md": card(f"license: apache-2.0\nbase_model: acme/base-{key}")})
    rules = make_repo({"models/acme.yaml": f"id: acme/base-{key}\nfamily: acme\nlicense: {key}\n"})
    report, _ = audit_json(cli, repo, "--rules", str(rules))
    assert "license-incompatible" in rules_of(report, "error"), report["findings"]


@pytest.mark.parametrize("key", HUB_KEYS)
def test_quotes_are_in_the_spdx_text(key):
    lic = load_catalog().get(key)
    text = _spdx_text(lic.spdx)
    if text is None:
        pytest.skip("the SPDX template library is not installed")
    corpus = " " + " ".join(words(text)) + " "
    assert bool(lic.obligations) != (key in NO_DUTIES)
    for ob in lic.obligations:
        for frag in ob.quote.split("..."):
            needle = " ".join(words(frag))
            assert f" {needle} " in corpus, (key, ob.kind, frag)


@pytest.mark.parametrize("key", HUB_KEYS)
def test_the_spdx_text_is_identified_as_the_key(key):
    lic = load_catalog().get(key)
    text = _spdx_text(lic.spdx)
    if text is None:
        pytest.skip("the SPDX template library is not installed")
    found = [m for m in identify_text(text, load_catalog()) if m.kind == "text"]
    assert [m.id for m in found] == [key], found


@pytest.mark.parametrize(
    "upstream,declared,bad",
    [
        ("cc-by-sa-3.0", "mit", True),
        ("cc-by-sa-3.0", "cc-by-sa-4.0", False),
        ("cc-by-sa-3.0", "cc-by-sa-3.0", False),
        ("cc-by-nc-sa-2.0", "cc-by-nc-sa-4.0", False),
        ("cc-by-nc-sa-3.0", "cc-by-nc-4.0", True),
        ("cc-by-nc-nd-3.0", "cc-by-nc-nd-3.0", True),
        ("cc-by-nc-2.0", "cc-by-nc-sa-4.0", False),
        ("cc-by-3.0", "apache-2.0", False),
        ("cc-by-2.0", "mit", False),
        ("odbl", "apache-2.0", True),
        ("odbl", "odbl", False),
        ("odc-by", "odc-by", False),
        ("isc", "apache-2.0", False),
        ("cdla-permissive-2.0", "mit", False),
    ],
)
def test_compatibility(upstream, declared, bad):
    cat = load_catalog()
    assert bool(incompatibility(cat.get(upstream), cat.get(declared), declared)) == bad
