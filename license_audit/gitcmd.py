"""git, run directly on an audited (untrusted) work tree: the commands an audit's history needs.

An audit of a git work tree runs two git processes, one `log` and one `cat-file --batch` for the blobs
it reads (plus `rev-parse` where the repository's layout is not the common one).
Through GitPython they cost its import, 30 ms, which is a third of a whole audit's budget (issue 8: an
audit within 10x of `python -c pass`); run directly they cost what git costs. GitPython stays the tool
for managing repositories (`hook install`, monorepo folders), where start-up does not matter.

Every command gets the same guard rails: the repository's configured programs are switched off
(fsmonitor, pager, signature display), no GIT_DIR-style variable from the caller's environment (a hook's)
can point it at another repository, and output is bytes, decoded by the caller.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

# Configured programs git would otherwise run on the audited repository's behalf.
SAFE_OPTIONS = ("-c", "core.fsmonitor=false", "-c", "core.pager=cat", "-c", "log.showSignature=false", "--no-pager")
# Variables git exports to hooks (and people set by hand) that would redirect a command to another repository.
REDIRECTS = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_COMMON_DIR", "GIT_OBJECT_DIRECTORY",
             "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_NAMESPACE")
TIMEOUT = 600  # seconds for one command: a walk of a huge history, never an endless wait


class GitError(Exception):
    """A git command failed (or git is missing): `status` is its exit code, `stderr` its first line."""

    def __init__(self, status: int | None, stderr: str):
        super().__init__(stderr or f"git exited with {status}")
        self.status = status
        self.stderr = stderr


def env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in REDIRECTS}


def _first_line(data: bytes) -> str:
    for line in data.decode("utf-8", "replace").splitlines():
        if line.strip():
            return line.strip()
    return ""


class Git:
    """git commands on the work tree at `root`; blobs through persistent `cat-file` processes."""

    def __init__(self, root: Path):
        """`root`: the work tree, or a folder inside it; commands run at the work tree's top, so paths
        and pathspecs are relative to it (as GitPython's are)."""
        self.root = Path(root)
        self._batch: subprocess.Popen | None = None
        dot_git = self.root / ".git"
        if dot_git.is_dir() and not dot_git.is_symlink() and (dot_git / "HEAD").is_file():
            # The common layout answers without a git process: the top is here, and a shallow clone is
            # one whose `shallow` file exists (what --is-shallow-repository checks).
            self.git_dir, self.shallow = dot_git.resolve(), (dot_git / "shallow").exists()
            return
        out = self.run("rev-parse", "--absolute-git-dir", "--show-toplevel", "--is-shallow-repository")
        lines = out.decode("utf-8", "surrogateescape").splitlines()
        if len(lines) != 3:
            raise GitError(None, "not a git work tree")
        self.git_dir, self.root = Path(lines[0]), Path(lines[1])
        self.shallow = lines[2] == "true"

    def _argv(self, *args: str) -> list[str]:
        return ["git", "-C", str(self.root), *SAFE_OPTIONS, *args]

    def run(self, *args: str) -> bytes:
        """stdout of `git ARGS`; GitError when it fails."""
        try:
            proc = subprocess.run(self._argv(*args), capture_output=True, env=env(), timeout=TIMEOUT, check=False)
        except (OSError, subprocess.SubprocessError) as exc:
            raise GitError(None, f"git could not run ({type(exc).__name__})") from None
        if proc.returncode != 0:
            raise GitError(proc.returncode, _first_line(proc.stderr))
        return proc.stdout

    def blob(self, ref: str, limit: int) -> bytes | None:
        """The content of the blob `ref` names (`<commit>:<path>`); None when there is none, when it is
        another kind of object, or when it is larger than `limit` bytes (then never held in memory)."""
        if "\n" in ref:
            # cat-file --batch reads one reference per line: a path with a newline is resolved to its
            # object id first, as an argument, where any byte is fine.
            try:
                ref = self.run("rev-parse", "--verify", "--quiet", ref).decode("ascii").strip()
            except (GitError, UnicodeDecodeError):
                return None
            if not _is_sha(ref):
                return None
        if self._batch is None:
            try:
                self._batch = subprocess.Popen(self._argv("cat-file", "--batch"), stdin=subprocess.PIPE,
                                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env())
            except OSError:
                raise GitError(None, "git could not run") from None
        proc = self._batch
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.write(ref.encode("utf-8", "surrogateescape") + b"\n")
        proc.stdin.flush()
        header = proc.stdout.readline().split()
        if len(header) != 3:
            if not header:
                raise GitError(proc.poll(), "cat-file ended")
            return None  # "<ref> missing" / "<ref> ambiguous": no content follows
        kind, size = header[1], int(header[2])
        if kind != b"blob" or size > limit:
            remaining = size + 1  # skipped in chunks: a huge object is read past, never kept
            while remaining:
                chunk = proc.stdout.read(min(remaining, 1 << 20))
                if not chunk:
                    raise GitError(proc.poll(), "cat-file ended early")
                remaining -= len(chunk)
            return None
        data = proc.stdout.read(size + 1)  # the content and its terminating newline
        if len(data) != size + 1:
            raise GitError(proc.poll(), "cat-file ended early")
        return data[:size]

    def close(self) -> None:
        proc, self._batch = self._batch, None
        if proc is None:
            return
        try:
            assert proc.stdin is not None
            proc.stdin.close()
            proc.wait(timeout=5)
        except (OSError, subprocess.SubprocessError):
            proc.kill()
            proc.wait()
        finally:
            if proc.stdout is not None:
                proc.stdout.close()


def _is_sha(text: str) -> bool:
    return len(text) in (40, 64) and all(c in "0123456789abcdef" for c in text)


def _small(path: Path) -> str | None:
    try:
        with open(path, "rb") as fh:
            return fh.read(512).decode("ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None


def _head_from_files(root: Path) -> str | None:
    """HEAD's commit from the two small files that hold it in the common layout (a `.git` folder, HEAD
    naming a branch whose loose ref exists, or a detached HEAD); None whenever it is anything else
    (packed or reftable refs, a `.git` file, an unborn branch), for git itself to answer."""
    git_dir = root / ".git"
    if not git_dir.is_dir() or git_dir.is_symlink():
        return None
    head = _small(git_dir / "HEAD")
    if head is None:
        return None
    if _is_sha(head):
        return head
    name = head[5:] if head.startswith("ref: ") else ""
    if not name.startswith("refs/heads/") or ".." in name or not all(c.isalnum() or c in "._/-" for c in name):
        return None
    ref = git_dir / name
    if ref.is_symlink():
        return None
    sha = _small(ref)
    return sha if sha is not None and _is_sha(sha) else None


def head(root: Path) -> str | None:
    """The HEAD commit of a git work tree, or None (no commits yet, not readable, git missing)."""
    root = Path(root)
    if not (root / ".git").exists():
        return None
    sha = _head_from_files(root)  # a loose ref wins over packed-refs in git too
    if sha is not None:
        return sha
    try:
        out = subprocess.run(["git", "-C", str(root), *SAFE_OPTIONS, "rev-parse", "--verify", "--quiet", "HEAD^{commit}"],
                             capture_output=True, text=True, env=env(), timeout=30, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    sha = out.stdout.strip()
    return sha if out.returncode == 0 and _is_sha(sha) else None
