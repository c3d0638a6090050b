"""Modified licenses: a copy with clauses added, removed or changed is reported modified, with the
changed lines, never as the standard license alone; what a license itself allows is no modification."""

from __future__ import annotations

import json
import re

import pytest
from conftest import card, license_text, write_tree

from license_audit.catalog import load_catalog
from license_audit.identify import identify_text

CAT = load_catalog()

KIMI_CLAUSE = """
Our only modification part is that, if the Software (or any derivative works
thereof) is used for any of your commercial products or services that have
more than 100 million monthly active users, or more than 20 million US dollars
(or equivalent in other currencies) in monthly revenue, you shall prominently
display "Kimi K2" on the user interface of such product or service.
"""


def texts(found):
    return [m for m in found if m.kind == "text"]


def the_one(found):
    t = texts(found)
    assert len(t) == 1, found
    return t[0]


def mit_copy(holder: str = "2025 Example Corp.") -> str:
    return license_text("mit").replace("<year> <copyright holders>", holder)


def cc_web_copy(lic_id: str) -> str:
    """A Creative Commons 4.0 license as copied from its web page: no list labels ("a.", "iii.", "1."),
    no links in the preamble, no CC0 line in the notice after the terms."""
    text = re.sub(r"(?m)^(\s*)(?:[a-z]{1,4}|\d+)\.\s+", r"\1", license_text(lic_id))
    text = re.sub(r"(?m)^\s*wiki\.creativecommons\.org/\S+\s*$", "", text)
    cc0 = r"The\s+text\s+of\s+the\s+Creative\s+Commons\s+public\s+licenses\s+is\s+dedicated[^.]*CC0[^.]*\."
    web = re.sub(cc0, "", text)
    assert web != text and "CC0" not in web
    return web


# ---- modified copies ------------------------------------------------------------------------------


def modified_cases() -> dict[str, tuple[str, str, str]]:
    """name -> (text, standard license id, words of the change)."""
    bsd = license_text("bsd-3-clause")
    apache = license_text("apache-2.0")
    llama = license_text("llama2")
    return {
        "mit-plus-attribution-clause": (
            mit_copy().replace("MIT License", "Modified MIT License") + KIMI_CLAUSE,
            "mit",
            "Kimi K2",
        ),
        "bsd-non-commercial": (
            bsd.replace("are permitted provided that", "are permitted for non-commercial purposes only, provided that"),
            "bsd-3-clause",
            "non-commercial",
        ),
        "bsd-added-condition": (
            bsd.replace(
                "THIS SOFTWARE IS PROVIDED",
                "4. This software may not be used for military purposes.\n\nTHIS SOFTWARE IS PROVIDED",
            ),
            "bsd-3-clause",
            "military",
        ),
        "apache-grant-changed": (
            apache.replace(
                "worldwide, non-exclusive, no-charge, royalty-free, irrevocable",
                "worldwide, non-exclusive, non-commercial, revocable",
            ),
            "apache-2.0",
            "revocable",
        ),
        "llama-threshold-changed": (llama.replace("700 million", "100 million"), "llama2", "100 million"),
        # Terms of the publisher's own after the end of the terms, where the appendix (how to apply the license)
        # stands: added terms all the same, not the appendix filled in.
        "apache-terms-after-the-appendix": (
            apache + "\n\nADDITIONAL TERMS\n\nYou may not use the Model or any Derivatives for any commercial purpose"
            " without prior written permission from Acme Corp. You shall not use the Model to improve any other"
            " large language model.\n",
            "apache-2.0",
            "improve any other",
        ),
        # A period of the terms changed on a line that opens with "copyright holder": terms, not a copyright line.
        "gpl-cure-period-changed": (
            license_text("gpl-3.0").replace("prior to 30 days after", "prior to 60 days after"),
            "gpl-3.0",
            "60 days",
        ),
        # So where the number opens a line of its own.
        "gpl-cure-period-changed-at-a-line-start": (
            license_text("gpl-3.0").replace("prior to 30 days after", "prior to\n90 days after"),
            "gpl-3.0",
            "90 days",
        ),
        # An item put in the list of prohibited uses, however short, extends what the policy prohibits.
        "use-policy-item-added": (
            license_text("llama3.1-acceptable-use-policy").replace(
                "    * Guns and illegal weapons (including weapon development)\n",
                "    * Guns and illegal weapons (including weapon development)\n    * Gambling\n",
            ),
            "llama3.1-acceptable-use-policy",
            "Gambling",
        ),
        # A copy that differs from the reference every few lines (its list labels lost) is still compared
        # word by word: the one restriction added is the change, on its own line.
        "cc-web-copy-revocable": (
            cc_web_copy("cc-by-nc-4.0").replace(
                "non-sublicensable, non-exclusive, irrevocable license to",
                "non-sublicensable, non-exclusive, revocable license to",
            ),
            "cc-by-nc-4.0",
            "revocable",
        ),
    }


@pytest.mark.parametrize("name", sorted(modified_cases()))
def test_a_modified_copy_is_reported_modified_with_its_changed_lines(name):
    text, _standard, words = modified_cases()[name]
    found = identify_text(text, CAT)
    # Never the standard license alone: every text match is flagged modified.
    assert texts(found) and all(m.modified for m in texts(found)), found
    m = the_one(found)
    assert m.changes
    lines = text.splitlines()
    shown = [c for c in m.changes if words.lower() in c.text.lower()]
    assert shown, m.changes
    c = shown[0]
    assert words.lower() in " ".join(lines[c.start_line - 1 : c.end_line]).lower()
    d = m.to_dict()
    assert d["modified"] is True and d["changes"][0]["start_line"] >= 1


NO_MERGE_CLAUSE = """All tensors ("weights") provided by the Software shall not be conjoined with
other tensors ("merging") unless given explicit permission by the license holder.
Utilities including but not limited to "mergekit", "MergeMonster", are forbidden
from use in conjunction with this Software.

"""


@pytest.mark.parametrize(
    "text",
    [
        # A clause inserted between MIT's notice condition and its disclaimer.
        mit_copy().replace("THE SOFTWARE IS PROVIDED", NO_MERGE_CLAUSE + "THE SOFTWARE IS PROVIDED"),
        # The "NOMERGE License" of the 152334H/miqu-1-70b-sf card: that clause, a new title and "NOT merge" in
        # the grant.
        mit_copy("2024 152334H")
        .replace("MIT License", "NOMERGE License")
        .replace("modify, merge,", "modify, NOT merge,")
        .replace("THE SOFTWARE IS PROVIDED", NO_MERGE_CLAUSE + "THE SOFTWARE IS PROVIDED"),
    ],
)
def test_a_clause_inserted_inside_mit_is_mit_modified_not_a_license_of_fewer_clauses(text):
    # MIT-0 holds every word of MIT but its notice condition: read as MIT-0, the copy's MIT condition would
    # be reported as a change of the publisher's.
    m = the_one(identify_text(text, CAT))
    assert (m.id, m.modified) == ("mit", True)
    added = " ".join(c.text for c in m.changes if c.change != "removed")
    assert "mergekit" in added and "permission notice shall be included" not in added


def test_another_license_named_in_what_a_copy_adds_is_read():
    alternative = (
        "Alternatively, this software may be distributed under the terms of the\n"
        'GNU General Public License ("GPL") version 2 as published by the Free\nSoftware Foundation.\n\n'
    )
    found = identify_text(mit_copy().replace("THE SOFTWARE IS PROVIDED", alternative + "THE SOFTWARE IS PROVIDED"), CAT)
    assert (the_one(found).id, the_one(found).modified) == ("mit", True)
    assert [(m.spdx, m.start_line) for m in found if m.kind == "reference"] == [("GPL-2.0-only", 16)], found


def test_a_removed_clause_is_a_modification():
    bsd = license_text("bsd-3-clause")
    start = bsd.index("Neither the name")
    end = bsd.index("THIS SOFTWARE IS PROVIDED")
    found = identify_text(bsd[:start] + bsd[end:], CAT)
    assert found and not any(m.id == "bsd-3-clause" and not m.modified for m in found), found


def test_kimi_k2_modified_mit_is_its_own_catalog_entry():
    found = identify_text(license_text("modified-mit"), CAT)
    m = the_one(found)
    assert (m.id, m.modified) == ("modified-mit", True)
    assert any("Kimi K2" in c.text for c in m.changes)
    # Re-wrapped, it is still Kimi's license rather than MIT.
    rewrapped = " ".join(license_text("modified-mit").split())
    m = the_one(identify_text(rewrapped, CAT))
    assert (m.id, m.modified) == ("modified-mit", True)


def test_gpt2_modified_mit_is_its_own_catalog_entry():
    # OpenAI's GPT-2 LICENSE (github.com/openai/gpt-2): MIT with a request about content made with GPT-2 and a
    # notice that content the software creates need not carry; titled as Kimi K2's license is, not Kimi K2's.
    m = the_one(identify_text(license_text("gpt2-modified-mit"), CAT))
    assert m.id == "gpt2-modified-mit" and m.modified
    assert any("GPT-2" in c.text for c in m.changes)
    assert CAT.get("gpt2-modified-mit").raw.get("modifies") == "mit"


def test_minimax_model_license_is_in_the_catalog():
    m = the_one(identify_text(license_text("minimax-model-license"), CAT))
    assert m.id == "minimax-model-license" and not m.modified


# ---- variants the license allows --------------------------------------------------------------------


def allowed_variants() -> dict[str, tuple[str, str]]:
    mit = license_text("mit")
    apache = license_text("apache-2.0")
    return {
        "mit-copyright-filled": (mit_copy("2019-2024 The Example Authors"), "mit"),
        "mit-without-title": (mit_copy().replace("MIT License\n", ""), "mit"),
        "mit-optional-paragraph": (
            mit_copy().replace(
                "this permission notice shall", "this permission notice (including the next paragraph) shall"
            ),
            "mit",
        ),
        "mit-holder-named-in-disclaimer": (
            mit.replace("AUTHORS OR COPYRIGHT HOLDERS", "EXAMPLE CORP."),
            "mit",
        ),
        "apache-appendix-filled": (
            apache.replace("[yyyy] [name of copyright owner]", "2024 Example Corp."),
            "apache-2.0",
        ),
        "apache-without-appendix": (apache[: apache.index("APPENDIX")], "apache-2.0"),
        # The appendix's sample header written as the licensee's own, after the terms.
        "apache-own-header-after-the-terms": (
            apache[: apache.index("APPENDIX")]
            + 'Copyright 2024 Acme Corp.\n\nLicensed under the Apache License, Version 2.0 (the "License"); you may'
            " not use this file except in compliance with the License.\n",
            "apache-2.0",
        ),
        "llama-gated-acceptance-line": (
            license_text("llama3.1").replace(
                "By using or distributing", "By clicking “I Accept” below or by using or distributing", 1
            ),
            "llama3.1",
        ),
        "cc-web-copy": (cc_web_copy("cc-by-4.0"), "cc-by-4.0"),
        # A link put into a line of the terms adds its words, and nothing to the terms.
        "mit-with-a-link": (
            mit_copy().replace(
                "this permission notice shall",
                "this permission notice (https://github.com/example-org/example-model/blob/main/LICENSE) shall",
            ),
            "mit",
        ),
        # The preamble "does not form part of our licenses": a copy may start at the license's title.
        "cc-without-preamble": (
            (t := license_text("cc-by-nc-4.0"))[
                t.index("Creative Commons Attribution-NonCommercial 4.0 International") :
            ],
            "cc-by-nc-4.0",
        ),
        # A copy that numbers its sections as a part of a larger document ("2.5." for "5.") is the license.
        "apache-sections-renumbered": (
            re.sub(r"(?m)^(\s*)(\d)\. (Redistribution|Trademarks|Disclaimer of Warranty)", r"\g<1>2.\2. \3", apache),
            "apache-2.0",
        ),
        # Copyright lines in the forms copies give them, a holder's name with "Research" in it included.
        "mit-copyright-portions": (
            mit_copy(
                "2024 Foo\nPortions Copyright (c) 2016-2024 Foo Corp., Bar Inc., and the Baz Project contributors"
            ),
            "mit",
        ),
        "mit-copyright-mid-sentence": (
            mit_copy("2024 Foo\nThis software is copyright 2024 by Foo and its many authors"),
            "mit",
        ),
        "mit-copyright-research-institute": (
            mit_copy("2024 Shanghai AI Laboratory and Foo Research Institute. All rights reserved."),
            "mit",
        ),
        # A statement about whose copyright it is, in place of the copyright line.
        "mit-copyright-statement": (
            mit_copy().replace(
                "Copyright (c) 2025 Example Corp.",
                "Copyrights are respective of each contributor listed at the beginning of each definition file.",
            ),
            "mit",
        ),
        # The 2024 editions of the Gemma Terms of Use, with the clause of Section 4.1 the 2025 edition dropped.
        "gemma-2024-edition": (
            license_text("gemma").replace(
                "Google may update Gemma from time to time.",
                "Google may update Gemma from time to time, and you must make reasonable efforts to use the latest "
                "version of Gemma.",
            ),
            "gemma",
        ),
        "gpl-old-fsf-address": (
            license_text("gpl-2.0").replace(
                "51 Franklin Street, Fifth Floor, Boston, MA  02110-1301  USA",
                "59 Temple Place, Suite 330, Boston, MA  02111-1307  USA",
            ),
            "gpl-2.0",
        ),
    }


@pytest.mark.parametrize("name", sorted(allowed_variants()))
def test_an_allowed_variant_is_not_a_modification(name):
    text, lic_id = allowed_variants()[name]
    m = the_one(identify_text(text, CAT))
    assert m.id == lic_id and not m.modified and not m.changes, m
    assert m.confidence >= 0.9


def test_unlicense_optional_line_is_not_a_modification():
    unlicense = CAT.get("unlicense")
    if unlicense is None:
        pytest.skip("no Unlicense entry in the catalog")
    full = license_text("unlicense")
    without = full.replace(" For more information,\nplease refer to <https://unlicense.org/>", "")
    assert without != full
    for text in (full, without):
        m = the_one(identify_text(text, CAT))
        assert m.id == "unlicense" and not m.modified, m


def test_reference_copies_are_never_modified():
    for lic in CAT:
        if lic.text_path is not None and not lic.raw.get("modifies"):
            assert not any(m.modified for m in identify_text(lic.reference_copy() or "", CAT)), lic.id


# ---- the rule ----------------------------------------------------------------------------------------


def test_license_modified_finding_names_what_changed(cli, tmp_path):
    text, _, _ = modified_cases()["bsd-non-commercial"]
    root = write_tree(tmp_path / "repo", {"README.md": card("license: bsd-3-clause"), "LICENSE": text})
    res = cli("audit", str(root), "--format", "json", "--no-history")
    report = json.loads(res.output)
    found = [f for f in report["findings"] if f["rule"] == "license-modified"]
    assert len(found) == 1 and found[0]["severity"] == "warning"
    assert "non-commercial" in found[0]["message"] and found[0]["path"] == "LICENSE"
    lic = report["license_files"][0]["licenses"][0]
    assert lic["modified"] is True and lic["changes"]


def test_a_kimi_derivative_declaring_mit_is_told_the_terms_differ(cli, tmp_path):
    root = write_tree(tmp_path / "repo", {"README.md": card("license: mit"), "LICENSE": license_text("modified-mit")})
    report = json.loads(cli("audit", str(root), "--format", "json", "--no-history").output)
    rules = {f["rule"] for f in report["findings"]}
    assert {"license-modified", "license-mismatch"} <= rules
    modified = next(f for f in report["findings"] if f["rule"] == "license-modified")
    assert "Kimi K2" in modified["message"]


def test_rule_is_listed(cli):
    assert "license-modified" in cli("rules", "list").output
    assert "warning" in cli("rules", "show", "license-modified").output


def test_a_long_diff_cut_at_words_both_copies_hold_once_finds_what_a_full_word_diff_finds():
    from difflib import SequenceMatcher

    from license_audit.identify.modified import _MAX_DIFF, _opcodes

    ref = license_text("gpl-3.0").split()
    copy = [w for k, w in enumerate(ref) if k % 97 != 50]  # a word gone every few lines
    copy[1000:1000] = ["only", "for", "research"]
    assert len(ref) * len(copy) > _MAX_DIFF
    full = [op for op in SequenceMatcher(None, ref, copy, autojunk=False).get_opcodes() if op[0] != "equal"]
    assert _opcodes(ref, copy) == full


def test_a_copy_that_only_leaves_out_what_its_license_allows_is_settled_without_the_long_tail(monkeypatch):
    from license_audit.identify import matchers

    def no_long_tail(*args, **kwargs):
        raise AssertionError("the long tail was asked")

    monkeypatch.setattr(matchers, "_long_tail", no_long_tail)
    m = the_one(identify_text(cc_web_copy("cc-by-4.0"), CAT))
    assert m.id == "cc-by-4.0" and not m.modified


def test_a_modified_license_s_own_text_under_a_card_that_declares_it_is_no_warning(cli, tmp_path):
    # Kimi K2's Modified MIT, word for word, under `license_name: modified-mit`: the terms the card names.
    front = "license: other\nlicense_name: modified-mit"
    root = write_tree(tmp_path / "repo", {"README.md": card(front), "LICENSE": license_text("modified-mit")})
    report = json.loads(cli("audit", str(root), "--format", "json", "--no-history").output)
    assert "license-modified" not in {f["rule"] for f in report["findings"]}
    # A clause of its own changed, it is warned of again.
    changed = license_text("modified-mit").replace("100 million", "10 million")
    root = write_tree(tmp_path / "repo2", {"README.md": card(front), "LICENSE": changed})
    report = json.loads(cli("audit", str(root), "--format", "json", "--no-history").output)
    assert "license-modified" in {f["rule"] for f in report["findings"]}


# ---- another license named beside a copy ---------------------------------------------------------------

# The dual-licensing sentence of the Linux drivers and wpa_supplicant under BSD terms.
GPL_ALTERNATIVE = (
    'Alternatively, this software may be distributed under the terms of the GNU General Public License ("GPL")\n'
    "version 2 as published by the Free Software Foundation.\n"
)


def _mit() -> str:
    return license_text("mit").replace("<year> <copyright holders>", "2020 Jane Doe")


@pytest.mark.parametrize("where", ["after", "before"])
@pytest.mark.parametrize("lic", ["mit", "bsd-3-clause"])
def test_a_license_offered_beside_a_copy_is_named_not_taken_into_it(lic, where):
    copy = _mit() if lic == "mit" else license_text(lic)
    text = copy + "\n" + GPL_ALTERNATIVE if where == "after" else GPL_ALTERNATIVE + "\n" + copy
    found = identify_text(text, CAT)
    line = text.split("\n").index(GPL_ALTERNATIVE.split("\n")[0]) + 1
    assert [(m.id, m.kind, m.modified) for m in found if m.kind == "text"] == [(lic, "text", False)], found
    assert [(m.spdx, m.start_line) for m in found if m.kind == "reference"] == [("GPL-2.0-only", line)]


def test_a_license_the_copy_only_denies_is_not_named():
    # "does not contain any code subject to the GNU General Public License": nothing is under it.
    denial = "The licensor warrants that the Software does not contain any code subject to the GNU\nGeneral Public License.\n"
    found = identify_text(_mit() + "\n" + denial, CAT)
    assert [m.id for m in found] == ["mit"], found


def test_a_license_the_text_itself_names_is_not_named_again():
    # GPL-2.0's closing words recommend the GNU Lesser (Library) General Public License for libraries.
    gpl = license_text("gpl-2.0")
    assert "Lesser General Public License" in gpl
    assert [m.id for m in identify_text(gpl, CAT)] == ["gpl-2.0"]
    library = gpl.replace("GNU Lesser General Public License", "GNU Library General Public License")
    assert [m.id for m in identify_text(library, CAT)] == ["gpl-2.0"]


@pytest.mark.parametrize(
    "heading",
    [
        "You may use this file under the terms of the BSD license as follows:",
        "Open source under the BSD License.",
    ],
)
def test_a_heading_that_puts_the_work_under_the_copy_s_own_license_is_no_change(heading):
    found = identify_text(heading + "\n\n" + license_text("bsd-3-clause"), CAT)
    assert [(m.id, m.kind, m.modified) for m in found] == [("bsd-3-clause", "text", False)], found


def test_a_copy_with_a_paragraph_cut_out_is_that_license_modified():
    # pnthang04/PCB-Prune-YOLO's LICENSE: MIT without its "IN NO EVENT SHALL ..." paragraph.
    text = _mit()
    cut = text[: text.index("IN NO EVENT")].rstrip() + "\n"
    assert "IN NO EVENT" not in cut
    found = identify_text(cut, CAT)
    assert [(m.id, m.kind, m.modified) for m in found] == [("mit", "text", True)], found
    [removed] = [ch for ch in found[0].changes if ch.change == "removed"]
    assert "in no event shall the authors" in removed.text
