"""The README's "Known bases" table names every family the registry holds, with the licenses of that family's
entries in the same row, so a reader sees what lineage can recognise without opening rules/models."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from license_audit.resources import rules_dir

README = Path(__file__).resolve().parents[1] / "README.md"


def _table_rows() -> list[str]:
    text = README.read_text(encoding="utf-8")
    section = text.split("\n## Known bases\n", 1)[1].split("\n## ", 1)[0]
    return [ln for ln in section.splitlines() if ln.startswith("| ") and not ln.startswith("| Publisher")]


def _entries() -> list[dict]:
    out = []
    for path in sorted((rules_dir() / "models").glob("*.yaml")):
        if not path.name.startswith("_"):
            out.append(yaml.safe_load(path.read_text(encoding="utf-8")))
    return out


def test_every_registry_family_is_in_the_readme_with_its_licenses():
    rows = _table_rows()
    cells = [
        (set(re.findall(r"`([^`]+)`", r.split("|")[2])), set(re.findall(r"`([^`]+)`", r.split("|")[3]))) for r in rows
    ]
    missing = []
    for entry in _entries():
        row = next((lics for fams, lics in cells if entry["family"] in fams), None)
        if row is None:
            missing.append(f"family {entry['family']} ({entry['id']})")
        elif entry["license"] not in row:
            missing.append(f"license {entry['license']} in the row of {entry['family']} ({entry['id']})")
    assert not missing, "README.md 'Known bases' lacks: " + "; ".join(sorted(set(missing)))


def test_the_readme_names_no_family_the_registry_lacks():
    families = {e["family"] for e in _entries()}
    named = {f for r in _table_rows() for f in re.findall(r"`([^`]+)`", r.split("|")[2])}
    assert named <= families, named - families
