"""Safety promises of a pre-publish gate: it reads, it never writes; it starts fast by importing little."""

from __future__ import annotations

import hashlib
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


def tree_state(root: Path) -> dict[str, tuple]:
    """Every entry under root (not following links) with its bytes' hash, mode and mtime."""
    state = {}
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        for name in dirnames + filenames:
            p = Path(dirpath) / name
            st = p.lstat()
            digest = None
            if p.is_file() and not p.is_symlink():
                digest = hashlib.sha256(p.read_bytes()).hexdigest()
            elif p.is_symlink():
                digest = "->" + os.readlink(p)
            state[str(p.relative_to(root))] = (digest, st.st_mode, st.st_mtime_ns)
    return state


def git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args], cwd=repo, check=True, capture_output=True
    )


@pytest.mark.parametrize(
    "command",
    [
        ("audit", "--format", "json"),
        ("audit", "--format", "markdown"),
        ("identify", "LICENSE"),
        ("lineage",),
        ("notice",),
    ],
)
def test_read_only_commands_leave_the_repo_byte_for_byte_unchanged(cli, make_repo, command):
    repo = make_repo(
        {
            "README.md": card("license: llama3.1\nbase_model: meta-llama/Llama-3.1-8B"),
            "LICENSE": license_text("llama3.1"),
            "config.json": {"hidden_size": 4096, "num_hidden_layers": 32, "vocab_size": 128256},
        }
    )
    (repo / "link-in").symlink_to("LICENSE")
    try:
        git(repo, "init", "-q")
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-m", "initial")
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("git is not available")
    before = tree_state(repo)
    args = [c if c != "LICENSE" else str(repo / "LICENSE") for c in command]
    if command[0] != "identify":
        args.insert(1, str(repo))
    result = cli(*args)
    if result.exit_code == 2 and "No such command" in result.output:
        pytest.skip(f"{command[0]} is not built yet")
    assert result.exit_code in (0, 1), result.output
    assert tree_state(repo) == before


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
