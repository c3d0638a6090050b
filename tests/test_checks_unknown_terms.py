"""A license file holding terms no known license explains is reported as unknown (license-unknown), whatever
known licenses it names or copies beside them: the shape of the MiniCPM Model Community License, whose
preamble says its users "must comply with Apache 2.0 and" its own terms, under a card that says
`license: apache-2.0`. A known license in a form its own wording allows stays silent."""

from __future__ import annotations

from conftest import audit_json, card, license_text, rules_of


def findings_of(report: dict, rule: str) -> list[dict]:
    return [f for f in report["findings"] if f["rule"] == rule]


# Custom model terms shaped like the MiniCPM Model Community License (a preamble that names Apache 2.0, a
# grant, attribution and naming duties, a cap on commercial use), under another name.
CUSTOM_TERMS = """# Acme Model Community License Agreement

Version 1.0, June 5, 2024

## Preamble

The weights of the Acme series models are open for academic research. Commercial use is allowed after filling out a registration questionnaire. Community use of the Acme series models must comply with Apache 2.0 and the "Acme Model Community License Agreement".

## 1. Grant of Rights

You are granted a non-exclusive, worldwide, non-transferable, royalty-free, limited license to use, copy, distribute, reproduce, create derivative works from, and modify the Acme materials.

## 2. Distribution and Redistribution

If you distribute Acme model materials or any derivative works thereof, you must provide a copy of this agreement and prominently display "Built with Acme". A model trained, fine-tuned or improved with the Acme models must include "Acme" in its name. You may not use the Acme models or their outputs to improve any other large language model.

## 3. Additional Commercial Terms

Deployments on more than 5,000 edge devices, or applications with more than 1 million daily active users, need written authorization from Acme, which may grant it at its discretion.
"""

APACHE_CARD = card("license: apache-2.0")


def test_custom_terms_that_mention_apache_are_unknown_not_apache(cli, make_repo):
    repo = make_repo({"README.md": APACHE_CARD, "LICENSE": CUSTOM_TERMS})
    report, _ = audit_json(cli, repo)
    unknown = findings_of(report, "license-unknown")
    assert [(f["path"], f["severity"]) for f in unknown] == [("LICENSE", "warning")], report["findings"]
    msg = unknown[0]["message"]
    # Where the unknown terms stand, what the file names beside them, and that agreement with the card is open.
    assert "lines 9-19" in msg and "reference to the Apache License 2.0 (line 7)" in msg, msg
    assert "whether it is the `apache-2.0` the card declares" in msg, msg
    assert unknown[0]["line"] == 9


def test_custom_terms_without_a_license_named_are_unknown(cli, make_repo):
    terms = CUSTOM_TERMS.replace("must comply with Apache 2.0 and the", "must comply with the")
    repo = make_repo({"README.md": APACHE_CARD, "LICENSE": terms})
    report, _ = audit_json(cli, repo)
    unknown = findings_of(report, "license-unknown")
    assert [f["message"] for f in unknown] == ["LICENSE matches no known license, so what it grants cannot be checked."]


def test_a_license_named_inside_unknown_terms_does_not_agree_with_the_card(cli, make_repo):
    # The file copies the MIT License and holds custom terms naming Apache 2.0: the card's `apache-2.0` is
    # nowhere but inside the unknown terms, so the copy that is known differs from the card.
    mit = license_text("mit").replace("<year> <copyright holders>", "2024 Acme")
    repo = make_repo({"README.md": APACHE_CARD, "LICENSE": f"{mit}\n\n{CUSTOM_TERMS}"})
    report, _ = audit_json(cli, repo)
    mismatch = findings_of(report, "license-mismatch")
    assert [(f["path"], f["severity"]) for f in mismatch] == [("LICENSE", "error")], report["findings"]
    assert "`apache-2.0`" in mismatch[0]["message"] and "mit" in mismatch[0]["message"]
    unknown = findings_of(report, "license-unknown")
    assert len(unknown) == 1 and "the text of the MIT License" in unknown[0]["message"], report["findings"]


def test_custom_terms_beside_a_known_license_text_are_unknown(cli, make_repo):
    # Two licenses in one file, the custom one first: the Apache copy does not make the whole file known.
    repo = make_repo({"README.md": APACHE_CARD, "LICENSE": f"{CUSTOM_TERMS}\n\n{license_text('apache-2.0')}"})
    report, _ = audit_json(cli, repo)
    unknown = findings_of(report, "license-unknown")
    assert [f["path"] for f in unknown] == ["LICENSE"], report["findings"]
    assert "the text of the Apache License 2.0" in unknown[0]["message"]
    assert "license-mismatch" not in rules_of(report)


def test_a_known_license_in_the_forms_its_wording_allows_stays_silent(cli, make_repo):
    apache = license_text("apache-2.0")
    end = "END OF TERMS AND CONDITIONS"
    mit = license_text("mit").replace("<year> <copyright holders>", "2024 Acme")
    forms = {
        "apache-2.0": [
            apache,
            apache[: apache.index(end) + len(end)] + "\n",  # the how-to-apply appendix left out
            apache.replace("[yyyy] [name of copyright owner]", "2024 Acme Inc."),
            "Copyright 2024 Acme Inc.\n\n" + apache,
        ],
        # The X11-style wording the SPDX template allows: "this permission notice (including the next paragraph)".
        "mit": [mit, mit.replace("permission notice shall", "permission notice (including the next paragraph) shall")],
    }
    assert all(len(set(texts)) == len(texts) for texts in forms.values())  # each form differs from the others
    for key, texts in forms.items():
        for text in texts:
            repo = make_repo({"README.md": card(f"license: {key}"), "LICENSE": text})
            report, _ = audit_json(cli, repo)
            found = rules_of(report) & {"license-unknown", "license-mismatch", "license-modified"}
            assert not found, (key, text[:200], report["findings"])
