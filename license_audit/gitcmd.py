"""git, run directly on an audited (untrusted) work tree: the commands an audit's history needs.

An audit of a git work tree runs two git processes, one `log` and one `cat-file --batch` for the blobs
it reads (plus `rev-parse` where the repository's layout is not the common one).
Through GitPython they would also cost its import, a large share of a whole audit's start-up (a
pre-commit hook runs on every commit); run directly they cost what git costs. GitPython stays the tool
for managing repositories (`hook install`, monorepo folders), where start-up does not matter.

Every command gets the same guard rails: the repository's configured programs are switched off
(fsmonitor, pager, signature display), no GIT_DIR-style variable from the caller's environment (a hook's)
can point it at another repository, a partial clone never fetches a missing object (which would run the
repository's own `remote.<name>.uploadpack`), git never looks for a repository above the audited one
(GIT_CEILING_DIRECTORIES), and output is bytes, decoded by the caller.

Before git runs at all, the layout is checked in Python (`locate`): a `.git` whose HEAD (or another file
git opens: config, packed-refs, shallow...) is no regular file (a FIFO would block git until its timeout),
an empty `.git`, or a `.git` file or link that points outside the repository (at any other repository on
the machine; a linked worktree's and a submodule's standard places excepted) is no repository for the audit.
"""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

from license_audit.safeio import read_regular

# Configured programs git would otherwise run on the audited repository's behalf.
SAFE_OPTIONS = ("-c", "core.fsmonitor=false", "-c", "core.pager=cat", "-c", "log.showSignature=false", "--no-pager")
# Variables git exports to hooks (and people set by hand) that would redirect a command to another repository.
REDIRECTS = (
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_COMMON_DIR",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_NAMESPACE",
)
TIMEOUT = 600  # seconds for one command: a walk of a huge history, never an endless wait


class GitError(Exception):
    """A git command failed (or git is missing): `status` is its exit code, `stderr` its first line."""

    def __init__(self, status: int | None, stderr: str):
        super().__init__(stderr or f"git exited with {status}")
        self.status = status
        self.stderr = stderr


def env(top: Path | str | None = None) -> dict[str, str]:
    """The environment of every git command: no redirecting variable, no lazy fetch of a partial clone's
    missing objects, and (given the audited repository's top folder) no search for a repository above it."""
    out = {k: v for k, v in os.environ.items() if k not in REDIRECTS}
    out["GIT_NO_LAZY_FETCH"] = "1"
    out.pop("GIT_CEILING_DIRECTORIES", None)
    if top is not None:
        # git compares real paths: the parent of the top's real path (a top reached through a link
        # has another parent than the one its name shows).
        out["GIT_CEILING_DIRECTORIES"] = os.path.dirname(os.path.realpath(top))
    return out


def top_of(root: Path, prefix: str | None = None) -> Path:
    """The top folder of the repository whose folder `prefix` (a path inside it) is `root`."""
    root = Path(os.path.abspath(root))
    if prefix:
        for _ in prefix.strip("/").split("/"):
            root = root.parent
    return root


MAX_GIT_FILE = 4096
MAX_SMALL_FILE = 512  # HEAD, a ref, commondir: one line each


def _is_regular(path: Path) -> bool:
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def _allowed_git_dir(git_dir: Path, top: Path) -> bool:
    """A `.git` file's gitdir the audit follows: inside the repository, or the layouts git itself writes
    for a linked worktree (`<x>/.git/worktrees/<name>`) and a submodule (`<x>/.git/modules/<...>`)."""
    if _inside(git_dir, top):
        return True
    parts = git_dir.parts
    for i in range(len(parts) - 2):
        if parts[i] == ".git":
            if parts[i + 1] == "worktrees" and len(parts) == i + 3:
                return True
            if parts[i + 1] == "modules" and len(parts) > i + 2:
                return True
    return False


def is_git_dir(root: Path) -> bool:
    """Whether `root` is a git folder itself (a bare repository, or a work tree's `.git`), not a work tree: its
    files are git's objects."""
    return (
        not (root / ".git").exists()
        and (root / "HEAD").is_file()
        and (root / "objects").is_dir()
        and (root / "refs").is_dir()
    )


def locate(top: Path) -> tuple[Path | None, str | None]:
    """(git dir, None) for the repository whose top folder is `top`, checked without running git, or
    (None, why it is no repository the audit reads)."""
    try:
        return _locate(Path(os.path.abspath(top)))
    except (OSError, RuntimeError, ValueError):  # a link loop, a name the OS rejects
        return None, ".git cannot be read"


def _locate(top: Path) -> tuple[Path | None, str | None]:
    dot_git = top / ".git"
    try:
        st = os.lstat(dot_git)
    except OSError:
        return None, "no .git"
    if stat.S_ISLNK(st.st_mode) or stat.S_ISDIR(st.st_mode):
        real_top = top.resolve()
        git_dir = dot_git.resolve()
        if not _inside(git_dir, real_top):
            return None, ".git is a link that points outside the repository"
        if not git_dir.is_dir():
            return None, ".git is not a folder"
    elif stat.S_ISREG(st.st_mode):
        data = read_regular(dot_git, MAX_GIT_FILE)
        text = None
        try:
            text = data.decode("utf-8").strip() if data is not None else None
        except UnicodeDecodeError:
            pass
        if not text or not text.startswith("gitdir:") or "\n" in text:
            return None, "the .git file is not a `gitdir:` line"
        where = Path(text[len("gitdir:") :].strip())
        real_top = top.resolve()
        git_dir = (real_top / where).resolve() if not where.is_absolute() else where.resolve()
        if not _allowed_git_dir(git_dir, real_top):
            return None, "the .git file points at a git folder outside the repository"
        if not git_dir.is_dir():
            return None, "the .git file points at no folder"
    else:
        return None, ".git is neither a folder nor a file"
    problem = _head_problem(git_dir) or _files_problem(git_dir)
    return (None, problem) if problem else (git_dir, None)


# Files git opens (when they exist) for the commands an audit runs: one that is a FIFO or a device would
# block git until its timeout. Loose objects are not listed (too many to check); HEAD and its ref are
# checked by _head_problem.
_GIT_FILES = (
    "config",
    "commondir",
    "packed-refs",
    "shallow",
    "info/grafts",
    "objects/info/alternates",
    "config.worktree",
)


def _files_problem(git_dir: Path) -> str | None:
    common = common_dir(git_dir)
    for base in dict.fromkeys((git_dir, common)):
        for rel in _GIT_FILES:
            path = base / rel
            if os.path.lexists(path) and not _is_regular(path):
                return f"its {rel} is not a regular file"
    return None


def _head_problem(git_dir: Path) -> str | None:
    """Why HEAD (and the loose ref it names) cannot be read safely by git, or None."""
    head = git_dir / "HEAD"
    if not _is_regular(head):
        return "its HEAD is missing or not a regular file"
    data = read_regular(head, MAX_SMALL_FILE)
    text = data.decode("ascii", "replace").strip() if data is not None else ""
    if text.startswith("ref: "):
        name = text[5:]
        if ".." not in name and name.startswith("refs/"):
            for base in (git_dir, common_dir(git_dir)):
                ref = base / name
                if os.path.lexists(ref) and not _is_regular(ref) and not ref.is_dir():
                    return f"its {name} is not a regular file"
    return None


def common_dir(git_dir: Path) -> Path:
    """The folder holding the objects and config shared by all worktrees (`commondir`), else git_dir."""
    data = read_regular(git_dir / "commondir", MAX_SMALL_FILE)
    if data is None:
        return git_dir
    text = data.decode("utf-8", "replace").strip()
    return (git_dir / text).resolve() if text else git_dir


def first_line(data: bytes | str) -> str:
    """The first non-blank line of a command's output or an error message, stripped."""
    text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
    for line in text.splitlines():
        if line.strip():
            return line.strip()
    return ""


class Git:
    """git commands on the work tree at `root`; blobs through persistent `cat-file` processes."""

    def __init__(self, root: Path, prefix: str | None = None):
        """`root`: the work tree's top, or its folder `prefix` (a monorepo's model folder); commands run
        at the work tree's top, so paths and pathspecs are relative to it (as GitPython's are). git never
        looks above the top for a repository: a broken `.git` is no repository, not the enclosing one's."""
        self.root = top_of(root, prefix)
        self._batch: subprocess.Popen | None = None
        self._env = env(self.root)
        git_dir, problem = locate(self.root)
        if git_dir is None:
            raise GitError(None, f"not a git repository the audit reads: {problem}")
        dot_git = self.root / ".git"
        if dot_git.is_dir() and not dot_git.is_symlink():
            # The common layout answers without a git process: the top is here, and a shallow clone is
            # one whose `shallow` file exists (what --is-shallow-repository checks).
            self.git_dir, self.shallow = git_dir, (git_dir / "shallow").exists()
            return
        out = self.run("rev-parse", "--absolute-git-dir", "--show-toplevel", "--is-shallow-repository")
        lines = out.decode("utf-8", "surrogateescape").splitlines()
        if len(lines) != 3:
            raise GitError(None, "not a git work tree")
        if Path(lines[0]).resolve() != git_dir:
            raise GitError(None, "git reads another git folder than the one its .git names")
        if Path(lines[1]).resolve() != self.root.resolve():
            raise GitError(None, "its git configuration names another work tree (core.worktree)")
        self.git_dir = git_dir
        self.shallow = lines[2] == "true"

    def _argv(self, *args: str) -> list[str]:
        return ["git", "-C", str(self.root), *SAFE_OPTIONS, *args]

    def run(self, *args: str) -> bytes:
        """stdout of `git ARGS`; GitError when it fails."""
        try:
            proc = subprocess.run(self._argv(*args), capture_output=True, env=self._env, timeout=TIMEOUT, check=False)
        except (OSError, subprocess.SubprocessError) as exc:
            raise GitError(None, f"git could not run ({type(exc).__name__})") from None
        if proc.returncode != 0:
            raise GitError(proc.returncode, first_line(proc.stderr))
        return proc.stdout

    def start_blob_reader(self) -> None:
        """Start the `cat-file --batch` process now (it starts while another command runs, not after)."""
        if self._batch is None:
            try:
                self._batch = subprocess.Popen(
                    self._argv("cat-file", "--batch"),
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.DEVNULL,
                    env=self._env,
                )
            except OSError:
                raise GitError(None, "git could not run") from None

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
        self.start_blob_reader()
        assert self._batch is not None
        try:
            return self._read(self._batch, ref, limit)
        except GitError:
            # The process ended (or its stream is out of step): this read fails, the next one starts a
            # new process instead of failing too.
            self.close()
            raise

    @staticmethod
    def _read(proc: subprocess.Popen, ref: str, limit: int) -> bytes | None:
        assert proc.stdin is not None and proc.stdout is not None
        try:
            proc.stdin.write(ref.encode("utf-8", "surrogateescape") + b"\n")
            proc.stdin.flush()
            line = proc.stdout.readline()
        except (OSError, ValueError):  # a broken pipe: the process has ended
            raise GitError(proc.poll(), "cat-file ended") from None
        if not line.endswith(b"\n"):
            raise GitError(proc.poll(), "cat-file ended")
        if line.endswith((b" missing\n", b" ambiguous\n")):
            return None  # "<ref> missing": no content follows (the ref itself may hold spaces)
        header = line.split()
        if len(header) != 3 or not _is_sha(header[0].decode("ascii", "replace")) or not header[2].isdigit():
            raise GitError(proc.poll(), "cat-file answered something unexpected")
        kind, size = header[1], int(header[2])
        try:
            if kind != b"blob" or size > limit:
                remaining = size + 1  # skipped in chunks: a huge object is read past, never kept
                while remaining:
                    chunk = proc.stdout.read(min(remaining, 1 << 20))
                    if not chunk:
                        raise GitError(proc.poll(), "cat-file ended early")
                    remaining -= len(chunk)
                return None
            data = proc.stdout.read(size + 1)  # the content and its terminating newline
        except (OSError, ValueError):
            raise GitError(proc.poll(), "cat-file ended early") from None
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
        except (OSError, ValueError, subprocess.SubprocessError):
            proc.kill()
            proc.wait()
        finally:
            if proc.stdout is not None:
                proc.stdout.close()


def _is_sha(text: str) -> bool:
    return len(text) in (40, 64) and all(c in "0123456789abcdef" for c in text)


def _small(path: Path) -> str | None:
    """A small regular file's text; None for anything else (a FIFO would block, a link may lead out of
    the repository)."""
    data = read_regular(path, MAX_SMALL_FILE)
    if data is None:
        return None
    try:
        return data.decode("ascii").strip()
    except UnicodeDecodeError:
        return None


def _head_from_files(root: Path) -> str | None:
    """HEAD's commit from the two small files that hold it in the common layout (a `.git` folder, HEAD
    naming a branch whose loose ref exists, or a detached HEAD); None whenever it is anything else
    (packed or reftable refs, a `.git` file, an unborn branch, a file that is no regular file), for git
    itself to answer."""
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
    sha = _small(git_dir / name)
    return sha if sha is not None and _is_sha(sha) else None


def head(root: Path) -> str | None:
    """The HEAD commit of the git work tree whose top folder is `root`, or None (no commits yet, not
    readable, not a repository the audit reads, git missing)."""
    root = Path(os.path.abspath(root))
    if not os.path.lexists(root / ".git"):
        return None
    if locate(root)[0] is None:
        return None
    sha = _head_from_files(root)  # a loose ref wins over packed-refs in git too
    if sha is not None:
        return sha
    try:
        out = subprocess.run(
            ["git", "-C", str(root), *SAFE_OPTIONS, "rev-parse", "--verify", "--quiet", "HEAD^{commit}"],
            capture_output=True,
            text=True,
            env=env(root),
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    sha = out.stdout.strip()
    return sha if out.returncode == 0 and _is_sha(sha) else None
