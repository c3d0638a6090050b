"""The Hub's `license:` keys the catalog holds without a reference copy of their own (their texts are
the SPDX list's, which the long tail identifies): a card declaring one is checked, not `license-unknown`;
a non-commercial one behaves as cc-by-nc-4.0 does; a copyleft one keeps derivatives under it; each duty's
quote is in the SPDX list's text; and the text is still identified as that license."""

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
    "afl-3.0",
    "artistic-2.0",
    "bsd-3-clause-clear",
    "ecl-2.0",
    "epl-1.0",
    "epl-2.0",
    "eupl-1.1",
    "eupl-1.2",
    "lppl-1.3c",
    "ms-pl",
    "osl-3.0",
    "postgresql",
    "ofl-1.1",
    "ncsa",
    "pddl",
    "cdla-sharing-1.0",
    "cdla-permissive-1.0",
    "etalab-2.0",
]
# The Hub's keys for model licenses, whose entries hold the publisher's text as their reference copy.
MODEL_KEYS = ["deepfloyd-if-license", "apple-amlr", "openmdw-1.0"]
NONCOMMERCIAL = [k for k in HUB_KEYS if "-nc-" in k]
# The copyleft keys among the ones the SPDX long tail identifies: a derivative stays under them.
COPYLEFT = [
    "cc-by-sa-3.0",
    "odbl",
    "osl-3.0",
    "epl-1.0",
    "epl-2.0",
    "eupl-1.1",
    "eupl-1.2",
    "ms-pl",
    "ofl-1.1",
    "cdla-sharing-1.0",
]
NO_DUTIES = {"wtfpl", "pddl"}  # their terms put no condition on derivatives
APACHE_BASE = "Qwen/Qwen2.5-0.5B"  # Apache-2.0 in the registry


def _spdx_template(spdx: str) -> str | None:
    """The license's template as the long tail's template library holds it (its markup kept)."""
    from license_audit.identify.longtail import _library

    lib = _library()
    if lib is None:
        return None
    for entry in json.loads(gzip.decompress((lib[1] / "_engine" / "licenses.json.gz").read_bytes())):
        if entry["id"] == spdx and entry["lre"]:
            return re.sub(r"//\*\*.*?\*\*//", "", entry["lre"], flags=re.S)
    return None


def _spdx_text(spdx: str) -> str | None:
    """The license's text as the long tail's template library holds it (its markup removed)."""
    lre = _spdx_template(spdx)
    if lre is None:
        return None
    return re.sub(r"__\d+__", " ", lre.replace("((", "").replace("))??", ""))


_ANY = ""  # the edge label a placeholder (__N__, up to N words of a name) takes for any word


def _template_graph(lre: str) -> tuple[list[list[tuple[str | None, int]]], int]:
    """The template as a word automaton: edges[state] lists (word, next state), word None for a free move.
    `((a || b))` is a choice, `((a))??` an optional part, `__N__` up to N words of any kind."""
    edges: list[list[tuple[str | None, int]]] = [[]]

    def state() -> int:
        edges.append([])
        return len(edges) - 1

    def seq(tokens: list[str], i: int, start: int) -> tuple[int, int, str]:
        """Reads a sequence from tokens[i] on, from state `start`; returns (end state, next index, the
        token that stopped it)."""
        cur = start
        while i < len(tokens):
            tok = tokens[i]
            if tok in ("||", "))", "))??"):
                return cur, i + 1, tok
            if tok == "((":
                end = state()
                i += 1
                while True:
                    alt_end, i, stop = seq(tokens, i, cur)
                    edges[alt_end].append((None, end))
                    if stop != "||":
                        break
                if stop == "))??":
                    edges[cur].append((None, end))
                cur = end
                continue
            m = re.fullmatch(r"__(\d+)__", tok)
            if m:
                end = state()
                edges[cur].append((None, end))
                for _ in range(int(m.group(1))):
                    nxt = state()
                    edges[cur].append((_ANY, nxt))
                    edges[nxt].append((None, end))
                    cur = nxt
                cur = end
            else:
                for w in words(tok):
                    nxt = state()
                    edges[cur].append((w, nxt))
                    cur = nxt
            i += 1
        return cur, i, ""

    tokens = [t for t in re.split(r"(\(\(|\)\)\?\?|\)\)|\|\||__\d+__)", lre) if t.strip()]
    end, _, _ = seq(tokens, 0, 0)
    return edges, end


def _in_template(needle: list[str], lre: str) -> bool:
    """Whether the words `needle` run on in a row somewhere in a text the template matches."""
    edges, _ = _template_graph(lre)

    def closure(states: set[int]) -> set[int]:
        todo, seen = list(states), set(states)
        while todo:
            for w, nxt in edges[todo.pop()]:
                if w is None and nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        return seen

    current = closure(set(range(len(edges))))
    for word in needle:
        current = closure({nxt for s in current for w, nxt in edges[s] if w in (word, _ANY)})
        if not current:
            return False
    return True


def test_every_key_is_in_the_catalog_under_its_hub_key():
    cat = load_catalog()
    for key in HUB_KEYS + MODEL_KEYS:
        lic = cat.get(key)
        assert lic is not None and lic.id == key and lic.raw.get("hf_license") == key, key


@pytest.mark.parametrize("key", HUB_KEYS + MODEL_KEYS)
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


@pytest.mark.parametrize("key", [*NONCOMMERCIAL, "deepfloyd-if-license", "apple-amlr"])
def test_noncommercial_upstream_with_an_apache_card_is_incompatible(cli, make_repo, key):
    repo = make_repo({"README.md": card(f"license: apache-2.0\nbase_model: acme/base-{key}")})
    rules = make_repo({"models/acme.yaml": f"id: acme/base-{key}\nfamily: acme\nlicense: {key}\n"})
    report, _ = audit_json(cli, repo, "--rules", str(rules))
    assert "license-incompatible" in rules_of(report, "error"), report["findings"]


def test_a_quote_is_found_along_one_path_of_the_template():
    lre = "Redistributions ((of || in)) ((source code || works)) must retain the ((above))?? __2__ notice."
    assert _in_template(words("redistributions of source code must retain the notice"), lre)
    assert _in_template(words("in works must retain the above copyright notice"), lre)
    assert not _in_template(words("of in source code"), lre)  # both sides of a choice
    assert not _in_template(words("source code works"), lre)
    assert not _in_template(words("must retain the above a b c notice"), lre)  # more words than __2__ holds


@pytest.mark.parametrize("key", COPYLEFT)
def test_copyleft_keys_keep_derivatives_under_them(key):
    cat = load_catalog()
    lic = cat.get(key)
    assert lic.sharealike and lic.derivatives.get("relicense") == "same"
    for permissive in ("apache-2.0", "mit"):
        assert incompatibility(lic, cat.get(permissive), permissive), (key, permissive)
    assert not incompatibility(lic, lic, key)


@pytest.mark.parametrize("key", COPYLEFT)
def test_copyleft_upstream_with_a_permissive_card_is_incompatible(cli, make_repo, key):
    repo = make_repo({"README.md": card(f"license: mit\nbase_model: acme/base-{key}")})
    rules = make_repo({"models/acme.yaml": f"id: acme/base-{key}\nfamily: acme\nlicense: {key}\n"})
    report, _ = audit_json(cli, repo, "--rules", str(rules))
    assert "license-incompatible" in rules_of(report, "error"), report["findings"]


def _spdx_text_or_skip(spdx: str) -> str:
    text = _spdx_text(spdx)
    if text is None:
        pytest.skip("the SPDX template library is not installed")
    return text


@pytest.mark.parametrize("key", HUB_KEYS)
def test_quotes_are_in_the_spdx_text(key):
    lic = load_catalog().get(key)
    _spdx_text_or_skip(lic.spdx)
    lre = _spdx_template(lic.spdx)
    assert lre is not None
    assert bool(lic.obligations) != (key in NO_DUTIES)
    for ob in lic.obligations:
        for frag in ob.quote.split("..."):
            assert _in_template(words(frag), lre), (key, ob.kind, frag)


@pytest.mark.parametrize("key", HUB_KEYS)
def test_the_spdx_text_is_identified_as_the_key(key):
    lic = load_catalog().get(key)
    text = _spdx_text_or_skip(lic.spdx)
    found = [m for m in identify_text(text, load_catalog()) if m.kind == "text"]
    assert [m.id for m in found] == [key], found
