"""The documented shape of rules/ (JSON Schemas in rules/schema/) and `license-audit rules check DIR`."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import card, write_tree

jsonschema = pytest.importorskip("jsonschema")

from license_audit.catalog import CATEGORIES, DETAIL_KEYS, Obligation, license_from_dict  # noqa: E402
from license_audit.registry import KnownModel, model_from_dict  # noqa: E402
from license_audit.resources import rules_dir  # noqa: E402
from license_audit.rule_ids import KIND_RULES, UNCHECKED_KINDS  # noqa: E402
from license_audit.rulecheck import check_folder, schema  # noqa: E402

GOOD_LICENSE = """\
# Acme Model License 1.0 (https://acme.example/license, 2025-01-01)
id: acme
spdx: LicenseRef-acme
name: Acme Model License
category: model-community
identify:
  reference_text: texts/acme.txt
  phrases: [acme model license agreement]
obligations:
  - kind: notice-text
    clause: "3"
    quote: "You must carry the notice"
    notice_text: "Built on Acme"
    file: NOTICE
  - kind: attribution
    clause: "4"
    quote: "display Powered by Acme"
    display_phrases: ["Powered by Acme"]
"""
GOOD_MODEL = """\
id: acme/Base-7B
family: acme
license: acme
released: "2025-01-01"
signature: {model_type: llama, hidden_size: 4096}
"""


def org_rules(tmp_path: Path, files: dict[str, str]) -> Path:
    return write_tree(tmp_path / "org-rules", files)


@pytest.mark.parametrize("kind", ["license", "model", "sources"])
def test_schemas_are_draft_2020_12(kind):
    doc = schema(kind)
    assert doc["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(doc)


def test_every_shipped_rules_file_validates():
    result = check_folder(rules_dir())
    assert [str(p) for p in result.problems] == []
    assert result.licenses == len(list((rules_dir() / "licenses").glob("*.yaml")))
    assert result.models == len([p for p in (rules_dir() / "models").glob("*.yaml") if not p.name.startswith("_")])


def test_license_schema_matches_what_the_loader_reads():
    doc = schema("license")
    ob = doc["$defs"]["obligation"]
    assert set(ob["properties"]["kind"]["enum"]) == set(KIND_RULES) | set(UNCHECKED_KINDS)
    assert doc["properties"]["category"]["enum"] == list(CATEGORIES)
    # Every obligation key the schema allows is a typed Obligation field, and the other way round.
    keys = set(ob["properties"])
    for name, sub in doc["$defs"].items():
        if name.startswith("kind-"):
            assert name.removeprefix("kind-") in ob["properties"]["kind"]["enum"]
            keys |= set(sub["properties"])
    assert keys == {f.name for f in dataclasses.fields(Obligation)}
    assert set(DETAIL_KEYS) <= keys


def test_model_schema_matches_what_the_loader_reads():
    props = set(schema("model")["properties"])
    fields = {f.name for f in dataclasses.fields(KnownModel)} - {"raw"}
    # `source` in YAML is where the signature comes from; on KnownModel it is the file the entry is in.
    assert props == fields


def test_renamed_keys_load_under_their_former_names():
    lic = license_from_dict(
        {
            "id": "acme",
            "spdx": "LicenseRef-acme",
            "name": "Acme",
            "identify": {"text": "texts/acme.txt"},
            "obligations": [
                {"kind": "notice-text", "text": "Built on Acme"},
                {"kind": "attribution", "phrases": ["Powered by Acme"]},
            ],
        }
    )
    assert lic.identify["reference_text"] == "texts/acme.txt"
    assert lic.obligations[0].notice_text == "Built on Acme"
    assert lic.obligations[1].display_phrases == ["Powered by Acme"]
    assert model_from_dict({"id": "a/b", "family": "f", "license": "mit", "base_models": ["x/y"]}).base_model == ["x/y"]


def test_rules_check_valid_folder_is_one_line_exit_0(cli, tmp_path):
    rules = org_rules(
        tmp_path,
        {"licenses/acme.yaml": GOOD_LICENSE, "licenses/texts/acme.txt": "Acme Model License Agreement\n"},
    )
    write_tree(rules, {"models/acme__Base-7B.yaml": GOOD_MODEL})
    res = cli("rules", "check", rules)
    assert res.exit_code == 0
    assert res.output == f"{rules}: 1 license and 1 model valid\n"


def test_rules_check_names_file_line_and_key_exit_1(cli, tmp_path):
    bad = (
        GOOD_LICENSE.replace("notice_text:", "text:")
        .replace("category: model-community", "category: community")
        .replace("    file: NOTICE\n", "    file: NOTICE\n    colour: red\n")
    )
    rules = org_rules(tmp_path, {"licenses/acme.yaml": bad, "models/acme__Base-7B.yaml": GOOD_MODEL + "licence: x\n"})
    res = cli("rules", "check", rules)
    assert res.exit_code == 1
    lic, model = rules / "licenses" / "acme.yaml", rules / "models" / "acme__Base-7B.yaml"
    assert res.output.splitlines() == [
        f'{lic}:5: category: "community" is not one of {", ".join(CATEGORIES)}',
        f"{lic}:7: identify.reference_text: 'texts/acme.txt' is not a file",
        f"{lic}:13: obligations[0] (notice-text): 'text' is now called 'notice_text'; rename it",
        f"{lic}:15: obligations[0] (notice-text): unknown key 'colour' "
        "(known keys: applies_to, clause, file, kind, models, notice_text, quote)",
        f"{model}:6: top level: unknown key 'licence' (known keys: aliases, base_model, checkpoint_files, copyright, family, id, "
        "license, license_note, licenses, multimodal, native_quantization, notice, released, shape_shared, "
        "signature, size, source, terms, tokenizer, variants)",
    ]


@pytest.mark.parametrize(
    "files, says",
    [
        ({"licenses/a.yaml": "id: [\n"}, "a.yaml:2: not valid YAML"),
        ({"licenses/a.yaml": "- just a list\n"}, "a.yaml:1: expected a mapping of keys"),
        ({"licenses/a.yaml": "id: acme\nname: Acme\n"}, "a.yaml:1: top level: missing required key 'spdx'"),
        ({"licenses/a.yaml": "id: Acme\nspdx: LicenseRef-Acme\nname: A\n"}, 'a.yaml:1: id: "Acme" is not valid'),
        ({"licenses/a.yaml": "id: acme\nspdx: LicenseRef-x\nname: A\n"}, "a.yaml:2: spdx: 'LicenseRef-x' must be"),
        (
            {"licenses/a.yaml": "id: acme\nspdx: MIT\nname: A\nobligations:\n  - kind: licence-copy\n"},
            'a.yaml:5: obligations[0] (licence-copy).kind: "licence-copy" is not one of',
        ),
        (
            {
                "licenses/a.yaml": "id: acme\nspdx: MIT\nname: A\nobligations:\n  - {kind: usage-threshold, "
                "clause: '2', quote: q, monthly_active_users: lots}\n"
            },
            "a.yaml:5: obligations[0] (usage-threshold).monthly_active_users must be a whole number, not a string",
        ),
        ({"models/m.yaml": "id: a/m\nfamily: f\nlicense: nosuch\n"}, "m.yaml:3: license: 'nosuch' is not a license"),
        ({"models/m.yaml": "id: a/m\nfamily: f\nlicense: mit\nlicense: mit\n"}, "m.yaml:4: 'license' is given twice"),
        ({"models/m.yaml": "id: a/m\nfamily: f\nlicense: mit\nsignature: 5\n"}, "signature must be a mapping"),
        ({"models/m.yaml": "id: a/m\nfamily: f\nlicense: mit\nbase_models: [x/y]\n"}, "'base_models' is now called"),
        (
            {"models/_sources.yaml": "a/m: {family: f, released: '2024-01-01'}\n"},
            "_sources.yaml:1: a/m: missing required key",
        ),
    ],
)
def test_rules_check_reports_each_problem(cli, tmp_path, files, says):
    res = cli("rules", "check", org_rules(tmp_path, files))
    assert res.exit_code == 1
    assert says in res.output and "Traceback" not in res.output


@pytest.mark.parametrize("make", ["missing", "empty", "file"])
def test_rules_check_unreadable_folder_is_exit_2(cli, tmp_path, make):
    target = tmp_path / "rules"
    if make == "empty":
        target.mkdir()
    elif make == "file":
        target.write_text("x")
    res = cli("rules", "check", target)
    assert res.exit_code == 2


def test_rules_check_finds_what_an_audit_with_the_folder_uses(cli, make_repo, tmp_path):
    """A folder `rules check` passes is one an audit loads, and its duties are checked."""
    rules = org_rules(
        tmp_path,
        {
            "licenses/acme.yaml": GOOD_LICENSE,
            "licenses/texts/acme.txt": "Acme Model License Agreement\n",
            "models/acme__Base-7B.yaml": GOOD_MODEL,
        },
    )
    assert cli("rules", "check", rules).exit_code == 0
    repo = make_repo({"README.md": card("license: other\nlicense_name: acme\nbase_model: acme/Base-7B")})
    res = cli("audit", repo, "--rules", rules, "--format", "json")
    assert "Built on Acme" in res.output and "Powered by Acme" in res.output


def test_audit_does_not_import_jsonschema(tmp_path):
    repo = write_tree(tmp_path / "m", {"README.md": card("license: mit")})
    args = ["audit", str(repo), "--format", "json", "--no-history"]
    code = (
        f"from license_audit.cli import main\ntry:\n    main({args!r})\nexcept SystemExit:\n    pass\n"
        "import sys\nprint('jsonschema' in sys.modules, file=sys.stderr)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path)
    assert proc.stderr.strip().splitlines()[-1] == "False"
