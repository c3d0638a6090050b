"""Targets: a local folder, a git work tree, or a Hugging Face Hub repository (`hf:OWNER/NAME[@REV]`).

`open_target` turns the TARGET argument into a folder on disk that the crawler reads, plus what the
report says about it. Hub targets are materialised (small files only, never weights) by sources.hub.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from license_audit.errors import TargetError
from license_audit.report import TargetInfo

if TYPE_CHECKING:
    from license_audit.crawl import Snapshot
    from license_audit.history import History


@dataclass
class Target:
    """An opened target: the folder the crawl reads and what the report says about it."""

    info: TargetInfo
    root: Path
    name: str
    notes: list[str] = field(default_factory=list)
    # A Hub target reads its history through the client that opened it, so nothing is fetched twice.
    history_loader: Callable[[], History] | None = None
    # A git target that is a folder inside a larger work tree: the folder's path there ("models/x/").
    git_prefix: str | None = None
    # Files the repository holds but that were not materialised in `root` (weights of a Hub repo).
    remote_files: list[str] = field(default_factory=list)
    # Parsed safetensors headers (Snapshot.safetensors) gathered while opening the target.
    safetensors: dict[str, dict] = field(default_factory=dict)
    cleanup: Callable[[], None] | None = None

    def crawl(self) -> Snapshot:
        """The Snapshot of the target: its folder, plus the files and safetensors headers known remotely."""
        from license_audit.crawl import crawl

        return crawl(self.root, self.remote_files, self.safetensors)

    def close(self) -> None:
        if self.cleanup is not None:
            self.cleanup()
            self.cleanup = None


def is_hub_spec(spec: str) -> bool:
    return spec.startswith("hf:")


# The Hub's own rule for OWNER and NAME (huggingface_hub.utils.validate_repo_id), checked here so that
# a malformed target is a usage error before huggingface_hub is imported.
_HUB_PART = re.compile(r"^(?!-|\.)(?!.*(--|\.\.))[\w.-]{1,96}(?<![-.])$", re.ASCII)


def is_hub_repo_id(repo_id: str) -> bool:
    """Whether `repo_id` can name a Hub repository (OWNER/NAME, or a legacy NAME without owner), as opposed
    to what cards also put in `base_model`: local paths, URLs, free text."""
    parts = repo_id.split("/")
    return 1 <= len(parts) <= 2 and all(_HUB_PART.match(p) for p in parts)


def parse_hub_spec(spec: str) -> tuple[str, str | None]:
    body = spec[3:]
    repo, at, rev = body.partition("@")
    parts = repo.split("/")
    if (
        len(parts) != 2
        or not all(_HUB_PART.match(p) for p in parts)
        or (at and (not rev or "@" in rev or any(c.isspace() for c in rev)))
    ):
        raise TargetError(f"{spec}: a Hub target is hf:OWNER/NAME or hf:OWNER/NAME@REVISION")
    return repo, (rev or None)


def git_head(root: Path) -> str | None:
    """The HEAD commit of a git work tree, or None: one `git rev-parse`, never GitPython's import
    (every audit of a git work tree asks this, with or without history)."""
    from license_audit.gitcmd import head

    return head(root)


def open_local(spec: str) -> Target:
    if not spec.strip():
        raise TargetError("the TARGET is empty: give a model folder or hf:OWNER/NAME")
    root = Path(spec)  # taken as given: the shell has expanded `~` or chosen not to (a folder named `~x`)
    if not root.exists():
        raise TargetError(f"{spec}: no such folder")
    if not root.is_dir():
        raise TargetError(f"{spec}: not a folder (give the model's folder, not a file)")
    root = root.resolve()
    from license_audit.gitcmd import is_git_dir

    if is_git_dir(root):
        raise TargetError(
            f"{spec}: a git repository's own folder (HEAD, objects, refs), not a model's files: "
            "audit its work tree, or a clone of a bare repository"
        )
    is_git = (root / ".git").exists()
    rev = git_head(root) if is_git else None
    return Target(TargetInfo("git" if is_git else "local", str(Path(spec)), rev), root, root.name)


def open_git_subfolder(spec: str) -> Target | None:
    """A model folder tracked inside a larger repository (a monorepo) as a `git` target whose history
    is limited to the folder; None when it is no such folder.

    Not what open_local does: CONTRACT targets are a work tree or a plain folder, and a folder inside a
    repository (the bundled examples) is audited as `local`, with a revision-free, stable report. This is
    for a future option; load_history passes `git_prefix` to git_history(root, prefix).
    """
    root = Path(spec).resolve()
    inner = git_subfolder(root) if root.is_dir() and not (root / ".git").exists() else None
    if inner is None:
        return None
    top, prefix = inner
    return Target(TargetInfo("git", str(Path(spec)), git_head(top)), root, root.name, git_prefix=prefix)


def git_subfolder(root: Path) -> tuple[Path, str] | None:
    """(work tree top, folder path inside it) when root is a folder with tracked files in an enclosing
    git work tree; None otherwise (an untracked folder under a home-directory repository is no git target)."""
    top = next((p for p in root.parents if os.path.lexists(p / ".git")), None)
    if top is None:
        return None
    from license_audit.gitcmd import locate

    if locate(top)[0] is None:  # a broken `.git`, or one pointing at another repository: no git target
        return None
    prefix = root.relative_to(top).as_posix()
    try:
        import git

        from license_audit.history import safe_git

        tracked = safe_git(git.Repo(top)).git.ls_files("-z", "--", f"{prefix}/")
    except Exception:
        return None
    return (top, prefix) if tracked else None


def open_target(spec: str, offline: bool = False, history: bool = True) -> Target:
    if is_hub_spec(spec):
        from license_audit.sources import hub

        repo_id, revision = parse_hub_spec(spec)
        return hub.open_hub(repo_id, revision, offline=offline, history=history)
    return open_local(spec)
