"""The GitHub Action: action.yml's inputs and the script it runs (action/audit.sh), run here as the runner would."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "action" / "audit.sh"
BASH = shutil.which("bash")
pytestmark = pytest.mark.skipif(BASH is None, reason="bash is not installed")


@pytest.fixture
def workspace(tmp_path):
    """A checkout with the examples in a subfolder, and `license-audit` on PATH as this interpreter runs it."""
    ws = tmp_path / "ws"
    shutil.copytree(ROOT / "examples", ws / "models")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    tool = bin_dir / "license-audit"
    tool.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m license_audit "$@"\n')
    tool.chmod(0o755)
    return ws


def run_action(ws: Path, **inputs: str) -> tuple[subprocess.CompletedProcess, dict[str, str]]:
    out = ws.parent / "github-output"
    out.write_text("")
    env = {k: v for k, v in os.environ.items() if not k.startswith("INPUT_")}
    env.update({f"INPUT_{k.upper()}": v for k, v in inputs.items()})
    bin_dir = ws.parent / "bin"
    env.update(PATH=f"{bin_dir}{os.pathsep}{env.get('PATH', '')}", GITHUB_OUTPUT=str(out), HF_HUB_OFFLINE="1")
    proc = subprocess.run([BASH, str(SCRIPT)], cwd=ws, env=env, capture_output=True, text=True, timeout=300)
    outputs = dict(line.split("=", 1) for line in out.read_text().splitlines() if "=" in line)
    return proc, outputs


def test_failing_example_writes_sarif_where_it_says_and_exits_1(workspace):
    proc, outputs = run_action(workspace, path="models/deepseek-v3-relabelled", sarif="reports/audit.sarif")
    assert proc.returncode == 1, proc.stderr
    assert outputs == {"exit-code": "1", "sarif-file": "reports/audit.sarif"}
    sarif = json.loads((workspace / "reports" / "audit.sarif").read_text())
    results = sarif["runs"][0]["results"]
    assert "base-model-undeclared" in {r["ruleId"] for r in results}
    # Locations from the repository root, where code scanning looks for them.
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results}
    assert uris and all(u.startswith("models/deepseek-v3-relabelled/") for u in uris)
    assert all((workspace / u).is_file() for u in uris)
    # The log shows the report in the asked format.
    assert "base-model-undeclared" in proc.stdout and "ERROR" in proc.stdout


def test_passing_example_exits_0_and_format_is_the_logs(workspace):
    proc, outputs = run_action(workspace, path="models/llama31-compliant", format="json")
    assert proc.returncode == 0, proc.stderr
    assert outputs["exit-code"] == "0" and outputs["sarif-file"] == "license-audit.sarif"
    assert (workspace / "license-audit.sarif").is_file()
    assert json.loads(proc.stdout)["summary"]["error"] == 0


def test_fail_on_and_policy_reach_the_audit(workspace):
    proc, outputs = run_action(workspace, path="models/deepseek-v3-relabelled", fail_on="never")
    assert proc.returncode == 0 and outputs["exit-code"] == "0"
    policy = workspace / "policy.yaml"
    policy.write_text("fail-on: never\n")
    proc, _ = run_action(workspace, path="models/deepseek-v3-relabelled", policy=str(policy))
    # --fail-on given by the action (error) wins over the policy's, as on the command line.
    assert proc.returncode == 1
    proc, outputs = run_action(workspace, path="models/llama31-compliant", policy="missing.yaml")
    assert proc.returncode == 2 and outputs == {"exit-code": "2", "sarif-file": ""}


def test_unreadable_target_exits_2_without_sarif(workspace):
    proc, outputs = run_action(workspace, path="models/not-there")
    assert proc.returncode == 2
    assert outputs == {"exit-code": "2", "sarif-file": ""}
    assert not (workspace / "license-audit.sarif").exists()
    assert "license-audit: error:" in proc.stderr


def test_action_yml_passes_every_input_to_the_script():
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    assert action["runs"]["using"] == "composite"
    assert {"path", "fail-on", "policy", "format", "upload"} <= set(action["inputs"])
    steps = action["runs"]["steps"]
    audit = next(s for s in steps if s.get("id") == "audit")
    assert "action/audit.sh" in audit["run"]
    script = SCRIPT.read_text()
    for name in audit["env"]:
        assert name in script
    upload = next(s for s in steps if "upload-sarif" in s.get("uses", ""))
    assert "inputs.upload == 'true'" in upload["if"]
    assert "exit" in steps[-1]["run"]
