"""Reference texts of the model licenses and use policies: each copy is its own license, in every usual
format, never another known license, and a copy with a clause changed or removed is reported modified."""

from __future__ import annotations

import re

import pytest
from conftest import license_text
from test_identify import FORMATS

from license_audit.catalog import load_catalog
from license_audit.identify import identify_file, identify_text

CAT = load_catalog()

MODEL_TEXTS = [
    "falcon-180b-license",
    "falcon-2-11b-license",
    "falcon-llm-license",
    "tii-falcon-llm",
    "cogvlm2",
    "codegeex4",
    "cogvideox",
    "health-ai-developer-foundations",
    "apple-ascl",
    "exaone-1.1-nc",
    "exaone-1.2-nc",
    "tencent-hunyuan-video",
    "tencent-hunyuan-dit",
    "tencent-hunyuan-3d-2",
    "tencent-hunyuan-large",
    "databricks-open-model-license",
    "llama-license",
    "opt-175b-license",
    "deepfloyd-if-license",
    "apple-amlr",
    "openmdw-1.0",
    "mnpl",
    "mrl",
    "gemma-prohibited-use-policy",
    "falcon-2-11b-acceptable-use-policy",
    "llama2-acceptable-use-policy",
    "llama3-acceptable-use-policy",
    "llama3.1-acceptable-use-policy",
    "llama3.2-acceptable-use-policy",
    "llama3.3-acceptable-use-policy",
    "llama4-acceptable-use-policy",
]
POLICIES = [i for i in MODEL_TEXTS if i.endswith("-policy")]


def texts(found):
    return [m for m in found if m.kind == "text"]


@pytest.mark.parametrize("lic_id", MODEL_TEXTS)
def test_each_entry_has_its_reference_text(lic_id):
    lic = CAT.get(lic_id)
    assert lic is not None and lic.text_path is not None and lic.text_path.is_file(), lic_id
    assert lic.reference_copy() == license_text(lic_id)


@pytest.mark.parametrize("fmt", ["as-is", "markdown", "rewrapped", "unwrapped", "copyright-prepended"])
@pytest.mark.parametrize("lic_id", MODEL_TEXTS)
def test_a_copy_is_that_license_alone(lic_id, fmt):
    text = license_text(lic_id)
    if fmt != "as-is":
        text = FORMATS[fmt](text)
    found = identify_text(text, CAT)
    # Nothing else: the Llama 3.2+ policies name their Community License inside the terms.
    assert [m.id for m in found] == [lic_id], found
    m = found[0]
    assert m.kind == "text" and not m.modified and m.confidence >= 0.9, m


@pytest.mark.parametrize("lic_id", POLICIES)
def test_a_policy_file_is_its_family_policy_not_other(lic_id):
    found = identify_file("USE_POLICY.md", license_text(lic_id), CAT)
    assert [m.id for m in found] == [lic_id], found
    assert CAT.get(lic_id).category == "use-policy"


def _without_line(text: str, words: str) -> str:
    line = next(ln for ln in text.splitlines(keepends=True) if words in ln)
    return text.replace(line, "", 1)


def modified_cases() -> dict[str, tuple[str, str]]:
    """license id -> (a modified copy, words of the change)."""
    out = {
        "mnpl": (
            license_text("mnpl").replace(
                "for testing, research, Personal, or evaluation purposes in Non-Production Environments",
                "for any purpose, including commercial use",
            ),
            "commercial use",
        ),
        "mrl": (
            license_text("mrl").replace(
                "and Outputs for Research Purposes.", "and Outputs for any purpose, including commercial use."
            ),
            "commercial use",
        ),
        "falcon-180b-license": (
            license_text("falcon-180b-license").replace(
                "Your copyright license to use the Work shall be royalty free and without charge.",
                "Your copyright license to use the Work shall be subject to a monthly fee payable to TII.",
            ),
            "monthly fee",
        ),
        "falcon-2-11b-license": (
            license_text("falcon-2-11b-license").replace(
                "Your copyright license to use the Work shall be royalty free and without charge.",
                "Your copyright license to use the Work shall be subject to a monthly fee payable to TII.",
            ),
            "monthly fee",
        ),
        "falcon-llm-license": (
            license_text("falcon-llm-license").replace(
                "Your copyright license to use the Work shall be royalty free and without charge.",
                "Your copyright license to use the Work shall be subject to a monthly fee payable to TII.",
            ),
            "monthly fee",
        ),
        "tii-falcon-llm": (
            license_text("tii-falcon-llm").replace(
                "the Relevant Percentage shall be 10%", "the Relevant Percentage shall be 25%"
            ),
            "25%",
        ),
        "cogvlm2": (
            license_text("cogvlm2").replace(
                "Registered users may use the models for commercial activities free of charge",
                "Registered users may not use the models for commercial activities",
            ),
            "may not use",
        ),
        "codegeex4": (
            license_text("codegeex4").replace(
                "The copyright notice and this license notice shall be included in all copies",
                "The copyright notice may be left out of copies",
            ),
            "left out",
        ),
        "cogvideox": (
            license_text("cogvideox").replace(
                "must not exceed 1 million visits per month", "must not exceed 1 billion visits per month"
            ),
            "billion",
        ),
        "health-ai-developer-foundations": (
            license_text("health-ai-developer-foundations").replace(
                "2. for any use that could cause a Health Regulatory Authority to deem Google to be a "
                '"manufacturer" of a medical device; or\n',
                "",
            ),
            "manufacturer",
        ),
        "apple-ascl": (
            license_text("apple-ascl").replace(
                "to use, reproduce, modify and redistribute the Apple\nSoftware",
                "to use and reproduce, for non-commercial purposes only, the Apple\nSoftware",
            ),
            "non-commercial",
        ),
        "exaone-1.1-nc": (
            license_text("exaone-1.1-nc").replace(
                "solely for research purposes", "for any purpose, commercial or not", 1
            ),
            "commercial or not",
        ),
        "exaone-1.2-nc": (
            license_text("exaone-1.2-nc").replace(
                "solely for research and educational purposes", "for any purpose, commercial or not", 1
            ),
            "commercial or not",
        ),
        "tencent-hunyuan-3d-2": (
            license_text("tencent-hunyuan-3d-2").replace(
                "greater than 1 million monthly", "greater than 1 billion monthly"
            ),
            "billion",
        ),
        "databricks-open-model-license": (
            license_text("databricks-open-model-license").replace(
                "You will not use DBRX or DBRX Derivatives or any Output to improve any other\n"
                "large language model (excluding DBRX or DBRX Derivatives).\n",
                "",
            ),
            "improve any other",
        ),
        "llama-license": (
            license_text("llama-license").replace(
                "solely for your non-commercial research purposes", "for any purpose, including commercial use"
            ),
            "commercial use",
        ),
        "deepfloyd-if-license": (
            license_text("deepfloyd-if-license").replace(
                "solely for your non-commercial research purposes", "for any purpose, including commercial use"
            ),
            "commercial use",
        ),
        "apple-amlr": (
            license_text("apple-amlr").replace(
                "limited to Research Purposes\n  as well.", "available for any purpose,\n  commercial use included."
            ),
            "commercial use",
        ),
        "openmdw-1.0": (
            license_text("openmdw-1.0").replace(
                "free of charge, to deal in the Model Materials",
                "free of charge for non-commercial use only, to deal in the Model Materials",
            ),
            "non-commercial use only",
        ),
        "gemma-prohibited-use-policy": (
            _without_line(license_text("gemma-prohibited-use-policy"), "Tracking or monitoring people"),
            "tracking or monitoring people",
        ),
    }
    for lic_id in POLICIES:
        if lic_id.startswith("llama"):
            out[lic_id] = (_without_line(license_text(lic_id), "Guns and illegal weapons"), "guns and illegal weapons")
    return out


@pytest.mark.parametrize("fmt", ["as-is", "markdown", "rewrapped"])
@pytest.mark.parametrize("lic_id", sorted(modified_cases()))
def test_a_modified_copy_is_reported_modified(lic_id, fmt):
    text, words = modified_cases()[lic_id]
    assert text != license_text(lic_id)
    if fmt != "as-is":
        text = FORMATS[fmt](text)
    found = identify_text(text, CAT)
    assert texts(found) and all(m.modified for m in texts(found)), found
    m = texts(found)[0]
    assert m.id == lic_id
    assert any(words in c.text.lower() for c in m.changes), m.changes


def test_the_mistral_licenses_are_told_apart():
    # MNPL-0.1 mirrors MRL-0.1 section by section: each copy is its own license, never both.
    assert [m.id for m in identify_text(license_text("mnpl"), CAT)] == ["mnpl"]
    assert [m.id for m in identify_text(FORMATS["rewrapped"](license_text("mrl")), CAT)] == ["mrl"]


@pytest.mark.parametrize("fmt", ["as-is", "markdown", "unwrapped"])
def test_the_llama_1_and_opt_licenses_are_told_apart(fmt):
    # The LLaMA License and the DeepFloyd IF License are the OPT-175B License Agreement retitled, each with its
    # own attribution notice and added clauses: each copy is its own license, never another nor a modified copy.
    for lic_id in ("llama-license", "opt-175b-license", "deepfloyd-if-license"):
        text = license_text(lic_id) if fmt == "as-is" else FORMATS[fmt](license_text(lic_id))
        found = identify_text(text, CAT)
        assert [(m.id, m.kind, m.modified) for m in found] == [(lic_id, "text", False)], found


def test_openrail_names_the_bigscience_open_rail_m_text():
    # The Hub's generic `openrail` key has the general-purpose Open RAIL-M, BigScience's, as its text; an
    # exact copy of that text is still the more specific bigscience-openrail-m.
    openrail = CAT.get("openrail")
    assert openrail is not None and openrail.reference_copy() == license_text("bigscience-openrail-m")
    for text in (license_text("bigscience-openrail-m"), FORMATS["unwrapped"](license_text("bigscience-openrail-m"))):
        found = identify_text(text, CAT)
        assert [(m.id, m.modified) for m in found] == [("bigscience-openrail-m", False)], found


@pytest.mark.parametrize(
    "lic_id", ["falcon-180b-license", "falcon-2-11b-license", "falcon-llm-license", "gpl-3.0", "mpl-2.0"]
)
def test_a_copy_without_its_section_numbers_is_not_modified(lic_id):
    # Text copied from a web page often loses the numbers of its sections ("10. Limitation of Liability").
    text = re.sub(r"(?m)^(\s*)\d+\.(?=\s)", r"\1", license_text(lic_id))
    assert text != license_text(lic_id)
    found = texts(identify_text(text, CAT))
    assert [(m.id, m.modified) for m in found] == [(lic_id, False)], found


def test_an_amount_left_out_is_a_change_even_where_a_line_breaks():
    # "prior to 30 days" without its "30" is another term, on one line or across two.
    text = license_text("gpl-3.0").replace("prior to 30 days after\nyou", "prior to\ndays after you", 1)
    assert text != license_text("gpl-3.0")
    (m,) = texts(identify_text(text, CAT))
    assert m.modified and any(c.text == "30" for c in m.changes), m


def _lettered(text: str) -> tuple[str, int]:
    """`text` with its "1." list labels numbered as web pages number nested lists ("1.", then "a.", then
    "i."), by their indentation; and how many labels were rewritten."""
    romans = ["i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix"]

    def label(m: re.Match) -> str:
        depth, n = len(m.group(1).expandtabs(4)) // 3, int(m.group(2))
        return m.group(1) + (str(n) if depth == 0 else chr(96 + n) if depth == 1 else romans[n - 1]) + "."

    return re.subn(r"(?m)^([ \t]*)(\d)\.(?=\s)", label, text)


@pytest.mark.parametrize("lic_id", ["llama3-acceptable-use-policy", "llama2-acceptable-use-policy"])
def test_a_copy_numbering_its_lists_otherwise_is_that_license_whole(lic_id):
    # How a copy numbers its list items ("a." and "i." on a web page, "1." in the publisher's file) is
    # layout: the copy holds the license whole, unmodified.
    text, n = _lettered(license_text(lic_id))
    assert n >= 20
    (m,) = texts(identify_text(text, CAT))
    assert (m.id, m.modified) == (lic_id, False) and m.confidence >= 0.99, m


def test_a_policy_after_its_license_takes_in_its_own_title_line():
    # meta-llama/llama3's LICENSE: the license, then the policy in an earlier edition under its own title
    # line ("Meta Llama 3 Acceptable Use Policy", whose first phrase starts a word in), its lists lettered;
    # here as the Hub's copy has it, with the click-through words (not word for word the catalog's copy).
    text = license_text("llama3").replace(
        "By using or distributing", "By clicking “I Accept” below or by using or distributing", 1
    )
    assert text != license_text("llama3")
    title = text.split("\n").index("Meta Llama 3 Acceptable Use Policy") + 1
    found = identify_text(text, CAT)
    assert [(m.id, m.kind) for m in found] == [("llama3", "text"), ("llama3-acceptable-use-policy", "text")], found
    assert found[0].end_line < title == found[1].start_line and found[1].confidence >= 0.9, found


def test_list_labels_are_the_numbering_at_line_starts():
    from license_audit.identify.normalize import list_labels, tokenize

    toks = tokenize("a. Engage in\n  ii. Violence\n(b) Harm\n- 3) Fraud\n1.2. Scope\ne.g. this\na copy\nI agree\n")
    assert [toks.words[k] for k in sorted(list_labels(toks))] == ["a", "ii", "b", "3", "1", "2"]


def test_an_apple_repository_license_file_is_the_apple_sample_code_license_unmodified():
    # Apple's repositories (apple/ml-fastvit, apple/ml-mobileclip) open without "Disclaimer:", carry their
    # own year, and end with a pointer to the repository's ACKNOWLEDGEMENTS file: none of it is a change.
    text = license_text("apple-ascl").replace("Disclaimer: IMPORTANT:", "IMPORTANT:").replace("2024", "2023")
    text += (
        "\n\n-------------------------------------------------------------------------------\n"
        "SOFTWARE DISTRIBUTED WITH ML-FastViT:\n\n"
        "The ML-FastViT software includes a number of subcomponents with separate\n"
        "copyright notices and license terms - please see the file ACKNOWLEDGEMENTS.\n"
        "-------------------------------------------------------------------------------\n"
    )
    found = identify_text(text, CAT)
    assert [(m.id, m.spdx, m.kind, m.modified) for m in found] == [("apple-ascl", "AML", "text", False)], found


@pytest.mark.parametrize("name", ["Apple MIT License", "Apple Sample Code License"])
def test_the_apple_sample_code_license_is_named_alone(name):
    # "Apple MIT License" names AML, not MIT as well.
    assert [(m.id, m.kind) for m in identify_text(f"License: {name}\n", CAT)] == [("apple-ascl", "reference")]


def test_the_hunyuan_editions_are_told_apart():
    # The editions differ in a release name and date, the territory (HunyuanDiT and Hunyuan-Large exclude only
    # the EU) and, for Hunyuan3D 2.0, the user threshold: each copy is its own edition, unmodified.
    for lic_id in ("tencent-hunyuan-video", "tencent-hunyuan-dit", "tencent-hunyuan-3d-2", "tencent-hunyuan-large"):
        found = identify_text(license_text(lic_id), CAT)
        assert [(m.id, m.modified) for m in texts(found)] == [(lic_id, False)], (lic_id, found)


@pytest.mark.parametrize(
    ("lic_id", "was", "now"),
    [
        ("llama3-acceptable-use-policy", "Violence or terrorism", "Violence, terrorism or gambling"),
        ("falcon-llm-license", "Relevant Model", "Relevant Models"),
    ],
)
def test_a_copy_run_into_paragraphs_keeps_its_list_labels_as_words(lic_id, was, now):
    # A web page's text pasted whole: each paragraph one line, its list labels mid-line, where they are
    # words, not labels. A copy that is not word for word the reference reads as well run in as laid out.
    laid_out = license_text(lic_id).replace(was, now, 1)
    run_in = "\n\n".join(" ".join(ln.strip() for ln in p.split("\n")) for p in re.split(r"\n\s*\n", laid_out))
    scored = {}
    for name, text in (("laid out", laid_out), ("run in", run_in)):
        (m,) = [m for m in identify_text(text, CAT) if m.id == lic_id]
        scored[name] = (m.confidence, m.modified)
    assert scored["run in"][0] >= scored["laid out"][0] - 0.01, scored
    assert scored["run in"][1] == scored["laid out"][1], scored


def test_a_copyright_line_after_the_license_that_holds_terms_is_a_change():
    # Lines after a license's end that only say who holds the copyright are not terms; one that adds a royalty is.
    mit = license_text("mit")
    added = "Copyright 2024 Foo Inc. Any use of this model requires paying Foo Inc. a royalty of 5 percent of revenue."
    (m,) = identify_text(mit + "\n\n" + added + "\n", CAT)
    assert m.id == "mit" and m.modified and any("royalty" in c.text for c in m.changes), m
    (m,) = identify_text(mit + "\n\nCopyright 2024 Foo Inc. All rights reserved.\n", CAT)
    assert (m.id, m.modified) == ("mit", False), m
