"""A catalog license's text in other forms than its reference copy: adopted under another name (its title
and licensor replaced, perhaps a clause changed), one edition of a bilingual license alone (English or
Chinese), an edition the reference text differs from. Each is reported as what it is, never as the
standard license alone, and never as `other` when the catalog holds the text."""

from __future__ import annotations

import json

import pytest
from conftest import SHARED, card, license_text, write_tree

from license_audit.catalog import load_catalog
from license_audit.identify import identify_text

CAT = load_catalog()


def texts(found):
    return [m for m in found if m.kind == "text"]


def english(lic_id: str) -> str:
    """The English edition of a ChatGLM license (after its Chinese one), with the license's title."""
    full = license_text(lic_id)
    return full.splitlines()[0] + "\n\n" + full[full.index("1. Definitions") :]


def chinese(lic_id: str) -> str:
    """The Chinese edition of a ChatGLM license alone, with the license's title."""
    full = license_text(lic_id)
    return full[: full.index("1. Definitions")]


def adopted(text: str, name: str = "AcmeLM-7B") -> str:
    """`text` with the ChatGLM2-6B model team's names put as another publisher's."""
    out = text.replace("The ChatGLM2-6B License", f"The {name} License").replace("ChatGLM2-6B", name)
    return out.replace("license@zhipuai.cn", "legal@acme.example")


NON_COMMERCIAL = "copyright license to use the Software solely for your non-commercial research purposes."


# ---- one edition of a bilingual license ------------------------------------------------------------


@pytest.mark.parametrize("lic_id", ["chatglm-6b-license", "chatglm2-6b-license", "chatglm3-6b-license", "glm-4"])
def test_the_english_edition_alone_is_the_license_unmodified(lic_id):
    for text in (english(lic_id), english(lic_id).split("\n", 2)[2]):  # with and without the title
        found = texts(identify_text(text, CAT))
        assert [(m.id, m.modified) for m in found] == [(lic_id, False)], found


@pytest.mark.parametrize("lic_id", ["chatglm-6b-license", "chatglm2-6b-license", "chatglm3-6b-license", "glm-4"])
def test_the_chinese_edition_alone_is_the_license_not_other(lic_id):
    found = identify_text(chinese(lic_id), CAT)
    assert "other" not in {m.id for m in found}
    body = texts(found)
    assert [(m.id, m.modified, m.renamed) for m in body] == [(lic_id, False, False)], found


def test_a_chinese_edition_with_a_clause_changed_is_modified_with_that_change():
    text = chinese("chatglm2-6b-license")
    grant = "许可方特此授予您非排他性"
    assert grant in text
    changed = text.replace(grant, "许可方特此仅为非商业研究目的授予您非排他性")
    (m,) = texts(identify_text(changed, CAT))
    assert m.id == "chatglm2-6b-license" and m.modified and not m.renamed
    assert any("非商业研究目的" in c.text and c.change == "added" for c in m.changes), m.changes
    line = changed.splitlines().index(next(ln for ln in changed.splitlines() if "非商业" in ln)) + 1
    assert all(c.start_line == line for c in m.changes)


# ---- adopted under another name ---------------------------------------------------------------------


def test_a_license_adopted_under_another_name_is_that_text_renamed_never_the_license_itself():
    found = identify_text(adopted(english("chatglm2-6b-license")), CAT)
    (m,) = texts(found)
    assert (m.id, m.modified, m.renamed) == ("chatglm2-6b-license", True, True)
    assert m.to_dict()["renamed"] is True and m.to_dict()["modified"] is True


def test_a_text_renamed_for_a_license_of_its_family_is_that_license_s_edition():
    # THUDM's first ChatGLM3-6B License (ChatGLM3 MODEL_LICENSE @ bd5bfb2, 2023-10-27) is the ChatGLM2-6B
    # License's text under ChatGLM3's name, which the catalog's later edition of the ChatGLM3-6B License does not
    # hold word for word: the ChatGLM3-6B License, not a license of its own.
    text = english("chatglm2-6b-license").replace("ChatGLM2-6B", "ChatGLM3-6B")
    (m,) = texts(identify_text(text, CAT))
    assert (m.id, m.modified, m.renamed) == ("chatglm3-6b-license", False, False)
    # Under a name no license of the family has, it stays the adopted text.
    (m,) = texts(identify_text(adopted(english("chatglm2-6b-license")), CAT))
    assert (m.id, m.renamed) == ("chatglm2-6b-license", True)


def test_an_adopted_license_with_a_clause_changed_names_the_change():
    text = adopted(english("chatglm2-6b-license")).replace("copyright license to use the Software.", NON_COMMERCIAL)
    assert NON_COMMERCIAL in text
    (m,) = texts(identify_text(text, CAT))
    assert (m.id, m.modified, m.renamed) == ("chatglm2-6b-license", True, True)
    assert any("non-commercial research" in c.text for c in m.changes), m.changes
    # The names put in for the ChatGLM2-6B model team's are the adoption, not changes of their own.
    assert not any("AcmeLM" in c.text for c in m.changes), m.changes


def test_a_name_left_behind_does_not_make_an_adopted_text_the_license():
    text = adopted(english("chatglm2-6b-license"))
    kept = text.replace("AcmeLM-7B Model Team", "ChatGLM2-6B Model Team", 1)
    assert kept != text
    (m,) = texts(identify_text(kept, CAT))
    assert (m.id, m.renamed) == ("chatglm2-6b-license", True)


def test_a_bilingual_adopted_copy_is_read_by_its_words():
    (m,) = texts(identify_text(adopted(license_text("chatglm2-6b-license")), CAT))
    assert (m.id, m.renamed) == ("chatglm2-6b-license", True)


def test_the_closer_of_two_editions_of_one_template_is_named_alone():
    # ChatGLM-6B's text adds a parenthesis to its "Software" definition; ChatGLM2-6B's does not.
    (m,) = texts(identify_text(adopted(english("chatglm2-6b-license")), CAT))
    assert m.alternatives == ()


@pytest.mark.parametrize("lic_id", ["mit", "apache-2.0", "bsd-3-clause", "gpl-3.0"])
def test_an_spdx_license_is_never_read_as_a_model_license_built_on_it(lic_id):
    # The Falcon 180B license is built on Apache-2.0 and Kimi K2's on MIT: their texts share much.
    text = license_text(lic_id).replace("Apache", "Acme").replace("MIT", "Acme")
    assert not any(m.renamed for m in identify_text(text, CAT))


def test_terms_of_their_own_stay_other():
    text = """Acme Model License

1. Grant. Acme Corporation grants you a limited, non-exclusive, non-transferable license to use the
model weights for internal evaluation and academic research only.

2. Restrictions. You may not use the model or its outputs in any commercial product or service, offer
it as a hosted service, or use it to train a competing model. You must keep this license with every
copy of the weights you make and may not remove any attribution notice.

3. Termination. This license terminates automatically if you break any of its terms; on termination
you must delete every copy of the model in your possession.

4. No warranty. The model is provided as is, without warranty of any kind, and Acme is not liable for
any damages arising from its use. This license is governed by the laws of the State of Delaware.
"""
    found = identify_text(text, CAT)
    assert {m.id for m in found} == {"other"}, found


# ---- in an audit ----------------------------------------------------------------------------------


def test_an_adopted_license_is_its_own_and_does_not_stand_for_the_upstream_copy(cli, tmp_path):
    text = adopted(english("chatglm2-6b-license")).replace("copyright license to use the Software.", NON_COMMERCIAL)
    root = write_tree(
        tmp_path / "repo",
        {"README.md": card("license: other\nbase_model: THUDM/chatglm2-6b"), "MODEL_LICENSE": text},
    )
    report = json.loads(cli("audit", str(root), "--format", "json", "--no-history", "--offline").output)
    modified = [f for f in report["findings"] if f["rule"] == "license-modified"]
    assert len(modified) == 1
    assert "adopted under another name" in modified[0]["message"]
    assert "non-commercial" in modified[0]["message"]
    # The publisher's own license is not to be swapped for the standard text.
    assert "restore" not in modified[0]["fix"] and "license_name" in modified[0]["fix"]
    # The upstream's own license still has to travel: a renamed copy is not it.
    assert "upstream-license-missing" in {f["rule"] for f in report["findings"]}
    (lic,) = report["license_files"][0]["licenses"]
    assert lic["renamed"] is True


def test_the_spdx_document_concludes_an_adopted_license_as_terms_of_its_own(cli, tmp_path):
    root = write_tree(
        tmp_path / "repo",
        {"README.md": card("license: other"), "MODEL_LICENSE": adopted(english("chatglm2-6b-license"))},
    )
    doc = json.loads(cli("audit", str(root), "--format", "spdx-json", "--no-history", "--offline").output)
    (model,) = [p for p in doc["packages"] if p["name"] == "repo"]
    assert model["licenseConcluded"] == "LicenseRef-other"


# ---- real repositories ------------------------------------------------------------------------------

REPOS = SHARED / "data" / "model-repos"


def _repo_file(name: str, path: str) -> str:
    p = REPOS / name / path
    if not p.is_file():
        pytest.skip(f"{p} is not here")
    return p.read_text(encoding="utf-8")


def test_characterglm_model_license_is_chatglm_text_adopted_non_commercial():
    text = _repo_file("characterglm-6b-publisher-github", "MODEL_LICENSE")
    (m,) = texts(identify_text(text, CAT))
    assert (m.id, m.modified, m.renamed) == ("chatglm2-6b-license", True, True)
    assert any("non-commercial" in c.text for c in m.changes)


def test_an_older_edition_of_a_policy_after_its_title_is_that_policy():
    text = _repo_file("../license-texts/llama3-community-license-with-aup", "LICENSE")
    found = identify_text(text, CAT)
    policy = [m for m in texts(found) if m.id == "llama3-acceptable-use-policy"]
    assert len(policy) == 1 and not policy[0].renamed and policy[0].alternatives == ()
    assert "other" not in {m.id for m in found}


# ---- the OpenAtom Model License and vivo's BlueLM license -------------------------------------------


def _editions(lic_id: str) -> tuple[str, str]:
    """(English lines, Chinese lines) of a bilingual reference text."""
    lines = license_text(lic_id).splitlines()
    cjk = [ln for ln in lines if any("\u4e00" <= ch <= "\u9fff" for ch in ln)]
    return "\n".join(ln for ln in lines if ln not in cjk) + "\n", "\n".join(cjk) + "\n"


@pytest.mark.parametrize("lic_id", ["openatom-model-license-1.0", "bluelm-model-license"])
def test_each_edition_of_a_bilingual_pdf_license_alone_is_the_license(lic_id):
    for edition in _editions(lic_id):
        body = texts(identify_text(edition, CAT))
        assert [(m.id, m.modified) for m in body] == [(lic_id, False)], body
    assert "other" not in {m.id for e in _editions(lic_id) for m in identify_text(e, CAT)}


def test_a_license_named_only_in_chinese_is_a_reference():
    (m,) = identify_text("模型权重以开放原子模型许可证发布。\n", CAT)
    assert (m.id, m.kind) == ("openatom-model-license-1.0", "reference")


def test_the_openatom_license_is_permissive_and_asks_for_the_license_notices_and_change_notes():
    lic = CAT.get("openatom-model-license-1.0")
    assert lic is not None and lic.commercial_use and lic.category == "permissive"
    kinds = {o.kind for o in lic.obligations}
    assert {"license-copy", "copyright", "modification-notice"} <= kinds
    bluelm = CAT.get("bluelm-model-license")
    assert bluelm is not None and not bluelm.commercial_use
    assert "noncommercial" in {o.kind for o in bluelm.obligations}


def test_a_chinese_text_without_latin_words_is_read_by_its_title_and_ideographs():
    _, chinese_lines = _editions("openatom-model-license-1.0")
    bare = "".join(ch for ch in chinese_lines if not ch.isascii() or ch == "\n")
    assert not any(ch.isalnum() and ch.isascii() for ch in bare)
    found = identify_text(bare, CAT)
    assert [(m.id, m.kind) for m in found] == [("openatom-model-license-1.0", "text")], found


@pytest.mark.parametrize("fmt", ["text", "markdown", "html"])
def test_reports_say_an_adopted_text_is_not_the_license_itself(cli, tmp_path, fmt):
    root = write_tree(
        tmp_path / "repo",
        {"README.md": card("license: other"), "MODEL_LICENSE": adopted(english("chatglm2-6b-license"))},
    )
    out = cli("audit", str(root), "--format", fmt, "--no-history", "--offline").output
    # The license files' list, not only the finding, says what the text is.
    listed = (
        "chatglm2-6b-license [modified, adopted under another name]"
        if fmt == "text"
        else ("chatglm2-6b-license (text, modified, adopted under another name,")
    )
    assert listed in out
