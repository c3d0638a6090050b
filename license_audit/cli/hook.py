"""license-audit hook install: a git hook that audits the repository before it is pushed (or committed)."""

from __future__ import annotations

import os
import shlex
import stat
import sys
from pathlib import Path

import click

from license_audit.errors import InputError

MARKER = "# license-audit-hook: written by `license-audit hook install`; delete this file to remove it."
STAGES = ("pre-push", "pre-commit")
FIX_HINT = (
    "license-audit: \\`license-audit fix .\\` shows the changes that settle the mechanical findings "
    "(base_model, license copies, NOTICE, attribution); \\`license-audit fix . --write\\` applies them"
)
DONE = {"pre-push": "pushed", "pre-commit": "committed"}


def hook_script(stage: str) -> str:
    # `license-audit` from PATH when there is one; else the interpreter that installed the hook, so a
    # virtualenv install keeps working from git's non-activated shell.
    fallback = f"{shlex.quote(sys.executable)} -m license_audit"
    return "\n".join(
        [
            "#!/bin/sh",
            MARKER,
            f"# Runs at {stage}: a model repository whose audit finds an error is not {DONE[stage]}.",
            'cd "$(git rev-parse --show-toplevel)" || exit 2',
            "if command -v license-audit >/dev/null 2>&1; then",
            '  la() { license-audit "$@"; }',
            "else",
            f'  la() {{ {fallback} "$@"; }}',
            "fi",
            "la audit . && exit 0",
            "rc=$?",
            # The way out of a failing hook: the fix of the mechanical findings, shown, then applied.
            f'[ "$rc" -eq 1 ] && echo "{FIX_HINT}" >&2',
            'exit "$rc"',
            "",
        ]
    )


def hooks_dir(repo_dir: Path) -> Path:
    """The hooks folder git uses for repo_dir (follows worktrees and core.hooksPath)."""
    import git  # GitPython, imported only for this command

    try:
        repo = git.Repo(repo_dir, search_parent_directories=True)
        rel = repo.git.rev_parse("--git-path", "hooks")
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        raise InputError(f"{repo_dir}: not inside a git repository") from None
    except git.GitCommandError as exc:
        raise InputError(f"{repo_dir}: git cannot name its hooks folder ({exc.stderr.strip()})") from None
    path = Path(rel)
    return path if path.is_absolute() else Path(repo.working_tree_dir or repo_dir) / path


def install(repo_dir: Path, stage: str) -> tuple[Path, str]:
    folder = hooks_dir(repo_dir)
    path = folder / stage
    script = hook_script(stage)
    if path.exists() or path.is_symlink():
        try:
            current = path.read_text(encoding="utf-8", errors="replace")
        except OSError as exc:
            raise InputError(f"{path}: cannot be read ({exc.strerror})") from None
        if MARKER not in current or path.is_symlink():
            raise InputError(
                f"{path}: a {stage} hook that license-audit did not write exists; not overwritten "
                f"(add `license-audit audit .` to it, or move it away and install again)"
            )
        if current == script:
            return path, "up to date"
    folder.mkdir(parents=True, exist_ok=True)
    path.write_text(script, encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH | stat.S_IRUSR)
    return path, "installed"


@click.group("hook")
def command():
    """Git hooks that run the audit before a push or commit."""


@command.command("install")
@click.option(
    "--stage", type=click.Choice(STAGES), default="pre-push", show_default=True, help="The git hook to write."
)
@click.option(
    "--repo",
    "repo_dir",
    type=click.Path(file_okay=False),
    default=".",
    show_default=True,
    help="The git repository to install the hook in.",
)
def install_command(stage, repo_dir):
    """Write .git/hooks/STAGE running `license-audit audit .`; a hook it did not write is never replaced."""
    path, state = install(Path(repo_dir), stage)
    shown = os.path.relpath(path) if not os.path.relpath(path).startswith("..") else str(path)
    click.echo(f"{shown}: {state}")
