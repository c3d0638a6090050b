"""Start-up: what each command imports, and the console entry points."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import card, license_text

HEAVY = ("huggingface_hub", "git", "spdx_tools", "gguf", "numpy", "ray", "jinja2", "requests")


def imported_after(code: str, cwd: Path) -> set[str]:
    """Run `code` in a fresh interpreter and return which HEAVY modules it left imported."""
    probe = code + f"\nimport sys\nprint(','.join(m for m in {HEAVY!r} if m in sys.modules), file=sys.stderr)"
    env = dict(os.environ, HF_HUB_OFFLINE="1")
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=cwd, env=env)
    last = proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else ""
    return set(filter(None, last.split(",")))


def run_cli(*args: str) -> str:
    return f"from license_audit.cli import main\ntry:\n    main({list(args)!r})\nexcept SystemExit:\n    pass"


def test_version_imports_nothing_heavy(tmp_path):
    assert imported_after(run_cli("--version"), tmp_path) == set()


def test_json_audit_of_plain_folder_imports_only_what_it_uses(tmp_path):
    repo = tmp_path / "m"
    repo.mkdir()
    (repo / "README.md").write_text(card("license: mit"))
    (repo / "LICENSE").write_text(license_text("mit"))
    assert imported_after(run_cli("audit", str(repo), "--format", "json", "--no-history"), tmp_path) == set()


def test_plain_folder_audit_imports_no_history_or_policy_code(tmp_path):
    repo = tmp_path / "m"
    repo.mkdir()
    (repo / "README.md").write_text(card("license: mit"))
    code = run_cli("audit", str(repo), "--format", "json") + (
        "\nimport sys\nprint(','.join(m for m in ('license_audit.history', 'license_audit.policy') "
        "if m in sys.modules), file=sys.stderr)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path)
    assert proc.stderr.strip().splitlines()[-1:] in ([], [""])


def test_console_entry_runs_the_cli_and_restores_the_collector():
    """`license-audit` (license_audit.console:run) raises the collector's threshold while it starts up
    and freezes it on the way out; in-process callers get their settings back."""
    import gc

    from license_audit.console import run

    before = gc.get_threshold()
    try:
        with pytest.raises(SystemExit) as exc:
            run(["--version"])
        assert exc.value.code in (0, None)
        assert gc.get_threshold() == before
    finally:
        gc.unfreeze()


def test_module_entry_is_the_console_entry(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "license_audit", "audit", str(tmp_path / "missing")], capture_output=True, text=True
    )
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "error" in proc.stderr


def test_import_of_the_package_loads_none_of_its_modules(tmp_path):
    code = "import sys, license_audit\nprint(sorted(m for m in sys.modules if m.startswith('license_audit')))"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path)
    assert proc.stdout.strip() == "['license_audit']", proc.stderr
    assert imported_after("import license_audit", tmp_path) == set()


def test_public_names_resolve_on_first_use():
    import license_audit
    from license_audit import pipeline, report

    assert license_audit.audit is pipeline.audit and license_audit.Report is report.Report
    for name in license_audit.__all__:
        assert getattr(license_audit, name) is not None
    assert set(license_audit.__all__) <= set(dir(license_audit))
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        license_audit.nothing  # noqa: B018
