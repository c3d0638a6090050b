"""rules/ and templates/ ship inside the wheel (checked on the installed distribution, as CI installs it)."""

import json
from importlib import metadata

import pytest


def _dist():
    try:
        return metadata.distribution("model-license-audit")
    except metadata.PackageNotFoundError:
        pytest.skip("model-license-audit is not installed (tests run from a source tree)")


def test_wheel_carries_rules_and_templates():
    dist = _dist()
    direct = dist.read_text("direct_url.json")
    if direct and json.loads(direct).get("dir_info", {}).get("editable"):
        pytest.skip("editable install: data comes from the source tree")
    names = {str(f) for f in dist.files or []}
    assert "license_audit/rules/licenses/mit.yaml" in names
    assert "license_audit/rules/licenses/texts/llama3.1.txt" in names
    assert "license_audit/rules/schema/license.schema.json" in names
    assert "license_audit/rules/schema/model.schema.json" in names
    assert any(n.startswith("license_audit/rules/models/") for n in names)
    assert "license_audit/templates/report.txt.j2" in names


def test_console_script_declared():
    dist = _dist()
    eps = {ep.name: ep.value for ep in dist.entry_points if ep.group == "console_scripts"}
    assert eps.get("license-audit") == "license_audit.console:run"
