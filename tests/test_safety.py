"""A pre-publish gate reads and never writes: read-only commands leave the audited repository unchanged."""

from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path

import pytest

from tests.conftest import card, license_text


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
