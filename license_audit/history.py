"""History of the license-relevant files of a repository: git work trees and Hub repositories.

What history adds to an audit is what a snapshot cannot show: a license file that was there and was
deleted (the Rakuten case), a card whose `license` or `base_model` was changed. Every source (git, the
Hub) is reduced to the same shape, a list of `Change`s oldest first plus the card's versions, and the
rules in checks/history_checks.py read only that shape.

git: one `git log --name-status -z -M` pass over HEAD's first-parent line (git does the walk and the
rename detection; Python keeps the license-relevant paths), then only the blobs needed (card versions,
deleted texts) as `<commit>:<path>` through one persistent `git cat-file --batch`. No commit object is
walked in Python, so a long history costs about what `git log --name-status` costs (bench/history.py).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from license_audit.card import FRONT_MATTER, parse_card
from license_audit.crawl import is_card_path, is_license_file
from license_audit.safeio import MAX_TEXT_BYTES, decode_text, is_utf8, looks_binary

if TYPE_CHECKING:
    from license_audit.sources import Target

# Newest card versions whose front matter is read; older ones are not compared (said in the notes).
MAX_CARD_VERSIONS = 300
# Events listed in the report (newest kept); the rules always see all of them.
MAX_REPORTED_EVENTS = 200
# Blobs larger than this are not read from git at all (text is capped at MAX_TEXT_BYTES anyway).
MAX_BLOB_BYTES = 4 * MAX_TEXT_BYTES

# Names not UTF-8 that the history note lists (then counts).
MAX_UNDECODABLE_NAMED = 10

_ACTIONS = {"A": "added", "M": "modified", "D": "deleted", "R": "renamed", "T": "modified", "C": "added"}


@dataclass
class Change:
    """One license-relevant file changed by one commit."""

    commit: str
    author: str
    date: str
    status: str  # A, M, D or R
    path: str
    old_path: str | None = None  # the source of a rename
    old_ref: str | None = None  # reference of the content before the change (for the reader)
    new_ref: str | None = None  # reference of the content after the change
    # Object ids of the content before and after, when the source lists them (the Hub's tree listing):
    # equal ids are equal texts, read and identified once. git's are not asked for (`--raw` costs more
    # than reading the few license versions); its texts are told apart by content.
    old_blob: str | None = None
    new_blob: str | None = None

    @property
    def action(self) -> str:
        return _ACTIONS.get(self.status, "modified")


@dataclass
class CardVersion:
    """What one committed version of the model card declared."""

    commit: str
    author: str
    date: str
    license: str | None
    base_models: list[str]


@dataclass
class History:
    """The license-relevant changes of a repository, oldest first, and how to read the texts they name."""

    source: str  # git | hub
    changes: list[Change] = field(default_factory=list)  # oldest first
    card_versions: list[CardVersion] = field(default_factory=list)  # oldest first
    notes: list[str] = field(default_factory=list)
    # ref -> text (None when binary or unreadable); refs come from Change.old_ref / new_ref.
    reader: Callable[[str], str | None] | None = None
    card_path: str | None = None
    closer: Callable[[], None] | None = None
    # Commits whose parents are not available (shallow-clone boundary): their "additions" are only the
    # state of the files there, not an event.
    boundary: set[str] = field(default_factory=set)
    ref_prefix: str = ""  # the audited folder's path inside the repository (a monorepo), as refs spell it

    def head_state(self) -> dict[str, str]:
        """Tracked path -> reference of its content, for the tracked files HEAD holds (replayed from the
        changes: the last change of a path names its content at HEAD)."""
        state: dict[str, str] = {}
        for ch in self.changes:
            if ch.status == "D":
                state.pop(ch.path, None)
                continue
            if ch.status == "R" and ch.old_path:
                state.pop(ch.old_path, None)
            if ch.new_ref:
                state[ch.path] = ch.new_ref
        return state

    def close(self) -> None:
        if self.closer is not None:
            self.closer()
            self.closer = None

    def read(self, ref: str | None) -> str | None:
        if ref is None or self.reader is None:
            return None
        try:
            return self.reader(ref)
        except Exception:  # a blob that cannot be read is a blob not compared, never a failed audit
            return None

    def events(self) -> list[dict]:
        """The timeline as the report lists it: newest MAX_REPORTED_EVENTS, oldest first."""
        seen_deleted: set[str] = set()
        out = []
        for ch in self.changes:
            action = ch.action
            if ch.status == "D":
                seen_deleted.add(ch.path)
            elif ch.status == "A" and ch.commit in self.boundary:
                action = "present"  # first visible state in a shallow clone
            elif ch.status in ("A", "C") and ch.path in seen_deleted:
                action = "restored"
                seen_deleted.discard(ch.path)
            ev = {"path": ch.path, "action": action, "commit": ch.commit, "author": ch.author, "date": ch.date}
            if ch.old_path:
                ev["from"] = ch.old_path
            out.append(ev)
        return out[-MAX_REPORTED_EVENTS:]

    def to_dict(self) -> dict:
        events = self.events()
        return {"source": self.source, "events": events, "total_events": len(self.changes)}


@dataclass
class TextRun:
    """One license text's stay in the repository: from the change that put it at a path to the change
    that deleted it or replaced it with a text of another identity. Edits that keep the identity and
    renames that keep the text continue the run (they are no event for the rules)."""

    path: str  # where it was last
    identity: Any  # what identify_version returned for it (None: not identified)
    since: Change | None  # the change that brought it (None: before the visible history)
    ref: str | None  # reference of its last version, for the reader
    ended: Change | None = None  # the change that deleted or replaced it; None while it is at HEAD
    end: str | None = None  # "deleted" | "replaced"
    paths: list[str] = field(default_factory=list)  # every path it went by, oldest first

    @property
    def current(self) -> bool:
        return self.ended is None


def text_runs(changes: list[Change], identify: Callable[[str | None, str | None], Any]) -> list[TextRun]:
    """The runs of the license files' texts (not the card), oldest first.

    `identify(ref, blob)` gives a version's identity, an object with a comparable `key` (None when the
    version could not be read or was not identified): versions are compared by key, so a re-wrapped text
    or a bumped year is the same run and a license swapped for another is a new one. Versions that
    cannot be compared continue the run (history only reports what it can show).
    """
    state: dict[str, TextRun] = {}
    runs: list[TextRun] = []

    def same(run: TextRun, ident: Any) -> bool:
        if run.identity is None or ident is None:
            return True
        return run.identity.key == ident.key

    def start(ch: Change, ident: Any) -> None:
        run = TextRun(ch.path, ident, ch, ch.new_ref, paths=[ch.path])
        state[ch.path] = run
        runs.append(run)

    def end(run: TextRun, ch: Change, how: str) -> None:
        run.ended, run.end = ch, how

    for ch in changes:
        if is_card_path(ch.path) and not (ch.old_path and not is_card_path(ch.old_path)):
            continue
        if ch.status == "D":
            run = state.pop(ch.path, None)
            if run is None:  # present before the visible history began
                run = TextRun(ch.path, identify(ch.old_ref, ch.old_blob), None, ch.old_ref, paths=[ch.path])
                runs.append(run)
            end(run, ch, "deleted")
            continue
        ident = identify(ch.new_ref, ch.new_blob)
        if ch.status == "R" and ch.old_path:
            run = state.pop(ch.old_path, None)
            if run is not None and same(run, ident):
                run.path, run.ref = ch.path, ch.new_ref
                run.paths.append(ch.path)
                if run.identity is None:
                    run.identity = ident
                state[ch.path] = run
                continue
            if run is not None:
                end(run, ch, "replaced")
            start(ch, ident)
            continue
        run = state.get(ch.path)
        if run is not None:
            if ch.status in ("M", "T") and same(run, ident):
                run.ref = ch.new_ref
                if run.identity is None:
                    run.identity = ident
                continue
            end(run, ch, "replaced")  # (an addition over a path still held only if the history is odd)
        start(ch, ident)
    return runs


def is_tracked_path(rel: str) -> bool:
    """Files whose history matters: license-like files (crawl's rules) and the root model card."""
    return is_card_path(rel) or is_license_file(rel)


def text_of_blob(data: bytes) -> str | None:
    if data[:5] == b"%PDF-":
        # A license shipped as PDF reads as its text layer, as in the work tree (documents.py).
        from license_audit.documents import pdf_text

        return pdf_text(data).text
    data = data[:MAX_TEXT_BYTES]
    if looks_binary(data):
        return None
    return decode_text(data)


def card_versions(
    changes: list[Change], read: Callable[[str | None], str | None], notes: list[str], limit: int = MAX_CARD_VERSIONS
) -> list[CardVersion]:
    """`license` and `base_model` of the card at the commits that touched it, oldest first.

    Up to `limit` versions every one is read. Beyond that, `limit` evenly spaced versions (always the
    first and the last) are read, and between two read versions that differ the change is located
    exactly by bisection, so every change that is still visible between samples is found with its
    commit; only a value changed and changed back between two samples is not seen (said in the notes).
    """
    touching = [ch for ch in changes if is_card_path(ch.path) and ch.status != "D"]
    n = len(touching)
    parsed: dict[
        str, tuple[str | None, list[str]] | None
    ] = {}  # front matter text -> (license, base_models); most versions share it
    got: dict[int, CardVersion | None] = {}

    def version(i: int) -> CardVersion | None:
        if i not in got:
            ch = touching[i]
            got[i] = None
            text = read(ch.new_ref)
            if text is not None:
                m = FRONT_MATTER.match(text)
                key = m.group(2) if m else ""
                if key not in parsed:
                    card = parse_card(text, ch.path)
                    # An unreadable front matter says nothing about what was declared.
                    parsed[key] = (
                        None if (card.problems and not card.metadata) else (card.effective_license, card.base_models)
                    )
                entry = parsed[key]
                if entry is not None:
                    lic, bases = entry
                    got[i] = CardVersion(ch.commit, ch.author, ch.date, lic, list(bases))
        return got[i]

    def value(i: int):
        v = version(i)
        return None if v is None else (v.license, tuple(b.lower() for b in v.base_models))

    if n <= limit:
        for i in range(n):
            version(i)
    else:
        samples = sorted({round(k * (n - 1) / (limit - 1)) for k in range(limit)})
        for i in samples:
            version(i)
        stack = [(a, b) for a, b in zip(samples, samples[1:]) if value(a) != value(b)]
        while stack:
            a, b = stack.pop()
            if b - a <= 1:
                continue
            m = (a + b) // 2
            if value(a) != value(m):
                stack.append((a, m))
            if value(m) != value(b):
                stack.append((m, b))
        notes.append(
            f"history: the card changed in {n} commits; {len(got)} versions were read (every "
            f"{max(1, (n - 1) // (limit - 1))}th, and each `license` or `base_model` change located "
            f"exactly); a value changed and changed back between two read versions is not seen"
        )
    return [v for i in sorted(got) if (v := got[i]) is not None]


# ---------------------------------------------------------------------------------------------- git


def git_history(root: Path, prefix: str | None = None, head: str | None = None) -> History:
    """History of HEAD's first-parent line for the license-relevant files of the git work tree at root.

    `prefix`: root is this folder inside the work tree (a monorepo); history is limited to it and its
    paths are relative to it, like the crawl's. `head`: HEAD's commit when the caller knows it (the
    target's revision), which spares a git call; None when unknown (or when there are no commits).
    """
    from license_audit.gitcmd import Git, GitError  # git itself, not GitPython: see gitcmd's docstring

    hist = History("git")
    try:
        repo = Git(root, prefix)
    except GitError as exc:
        name = str(root.name).encode("utf-8", "surrogateescape").decode("utf-8", "replace")
        hist.notes.append(f"history: {name} is not a readable git repository ({exc.stderr or exc.status}); skipped")
        return hist
    hist.closer = repo.close  # ends the persistent cat-file processes after the rules have run
    try:
        if head is None:
            try:
                head = repo.run("rev-parse", "--verify", "--quiet", "HEAD").decode("ascii", "replace").strip()
            except GitError:
                hist.notes.append("history: the git repository has no commits yet")
                return hist
        try:
            # No pathspec: git's wildcard pathspecs cost more than the whole walk (they defeat tree
            # pruning and are matched per entry); the paths are filtered here, once per distinct path.
            scope = [f"--relative={prefix}/"] if prefix else []
            partial = _is_partial_clone(Path(repo.git_dir))
            if partial:
                # Objects a partial clone does not hold are never fetched (that would run the remote's
                # configured upload-pack); rename detection with edits reads blobs, exact renames do not.
                hist.notes.append(
                    "history: partial clone; objects it does not hold are never fetched, so only "
                    "exact renames are detected and texts of deleted or replaced files may not be compared"
                )
            repo.start_blob_reader()  # git starts it while the walk below runs: blobs are read next
            raw = repo.run(
                "log",
                "--name-status",
                "-z",
                "-M100%" if partial else "-M",
                "--first-parent",
                "--diff-merges=first-parent",
                "--no-color",
                "--no-ext-diff",
                "--no-textconv",
                "--no-show-signature",
                "--format=%x1e%H%x1f%an%x1f%aI",
                *scope,
                head,
                "--",
                *([f"{prefix}/"] if prefix else []),
            )
        except GitError as exc:
            hist.notes.append(f"history: git log failed ({exc.stderr or exc.status}); skipped")
            return hist
        undecodable: set[str] = set()
        hist.changes = parse_name_status_log(
            raw, is_tracked_path, ref_prefix=f"{prefix}/" if prefix else "", undecodable=undecodable
        )
        if undecodable:
            names = sorted(undecodable)
            shown = ", ".join(repr(n) for n in names[:MAX_UNDECODABLE_NAMED])
            more = f" and {len(names) - MAX_UNDECODABLE_NAMED} more" if len(names) > MAX_UNDECODABLE_NAMED else ""
            hist.notes.append(
                f"history: {len(names)} license or card file name(s) in the history are not UTF-8 "
                f"and were not read: {shown}{more}"
            )
        if repo.shallow or (Path(repo.git_dir) / "shallow").exists():
            hist.boundary = _shallow_boundary(repo)
            hist.notes.append(
                "history: shallow clone; commits before the clone's depth are not visible "
                "(deletions there cannot be seen; `git fetch --unshallow` gives the full history)"
            )

        def read_blob(ref: str) -> str | None:
            data = repo.blob(ref, MAX_BLOB_BYTES)  # a huge "license" is no license text; never loaded whole
            return None if data is None else text_of_blob(data)

        hist.reader = read_blob
        hist.ref_prefix = f"{prefix}/" if prefix else ""
        hist.card_versions = card_versions(hist.changes, hist.read, hist.notes)
        return hist
    except Exception:
        hist.close()
        raise


def safe_git(repo):
    """Options for every GitPython command on an audited (untrusted) repository: no configured program runs
    (the same options gitcmd.SAFE_OPTIONS gives the commands run directly)."""
    repo.git.set_persistent_git_options(c=["core.fsmonitor=false", "core.pager=cat", "log.showSignature=false"])
    return repo


def _is_partial_clone(git_dir: Path) -> bool:
    """A clone made with --filter: its packs from the promisor remote are marked by `.promisor` files."""
    from license_audit.gitcmd import common_dir
    from license_audit.safeio import read_regular

    common = common_dir(git_dir)
    try:
        if any(name.endswith(".promisor") for name in os.listdir(common / "objects" / "pack")):
            return True
    except OSError:
        pass
    # Configured as one (extensions.partialClone, remote.<name>.promisor) before any fetch.
    config = (read_regular(common / "config", 1 << 20) or b"").lower()
    return b"partialclone" in config or b"promisor" in config


def _shallow_boundary(repo) -> set[str]:
    from license_audit.safeio import read_regular

    data = read_regular(Path(repo.git_dir) / "shallow", 64 << 20)  # never a FIFO, never through a link
    if data is None:
        return set()
    text = data.decode("ascii", errors="replace")
    return {line.strip() for line in text.splitlines() if line.strip()}


def _error_line(exc: Exception) -> str:
    """The first line of an error, without GitPython's `stderr: '...'` wrapping."""
    from license_audit.gitcmd import first_line

    return first_line(str(exc)).removeprefix("stderr: ").strip("'")


def parse_name_status_log(
    raw: bytes, relevant: Callable[[str], bool] | None = None, ref_prefix: str = "", undecodable: set[str] | None = None
) -> list[Change]:
    """Parse `git log --name-status -z --format=%x1e%H%x1f%an%x1f%aI` output into Changes, oldest first.

    Tokens are NUL-separated; a commit header starts with \x1e, an entry is a status token (A, M, D, T,
    R100, C75) followed by one path (two for renames and copies). Paths are consumed by count, so a path
    is never taken for a header. `relevant` filters paths (cached per distinct path: a 10,000-commit log
    names few distinct paths many times).

    A path that is not UTF-8 is left out, as the crawl leaves such a file out (no report can hold its
    name): a rename to or from one is the deletion or the addition of the other side. The relevant ones
    are added to `undecodable` as shown (undecodable bytes replaced), for the caller's note.
    """
    tokens = raw.split(b"\0")
    changes: list[Change] = []
    keep: dict[bytes, bool] = {}
    bad: set[bytes] = set()
    commit = author = date = ""
    i = 0
    n = len(tokens)
    while i < n:
        tok = tokens[i]
        i += 1
        if tok[:1] == b"\n":
            tok = tok[1:]
        if not tok:
            continue
        if tok[:1] == b"\x1e":
            parts = tok[1:].decode("utf-8", "replace").split("\x1f")
            commit, author, date = (parts + ["", "", ""])[:3]
            continue
        letter = tok[:1].decode("ascii", "replace")
        if letter in ("R", "C"):
            old_b, new_b = (tokens[i] if i < n else b""), (tokens[i + 1] if i + 1 < n else b"")
            i += 2
        elif letter in _ACTIONS:
            old_b, new_b = None, (tokens[i] if i < n else b"")
            i += 1
        else:
            continue  # not an entry git documents; skip the token
        for b in (new_b, old_b):
            if b is not None and b not in keep:
                shown = b.decode("utf-8", "replace")
                keep[b] = relevant is None or relevant(shown)
                if not is_utf8(b):
                    if keep[b] and undecodable is not None:
                        undecodable.add(shown)
                    keep[b] = False
                    bad.add(b)
        if not keep[new_b] and not (old_b is not None and keep[old_b]):
            continue
        if new_b in bad:  # renamed (or copied) to a name no report can hold: the old name is deleted
            if letter != "R" or old_b is None:
                continue
            letter, new_b, old_b = "D", old_b, None
        elif old_b in bad:  # from such a name: the new name is added
            letter, old_b = "A", None
        path = _decode_path(new_b)
        old_path = _decode_path(old_b) if old_b is not None else None
        # Refs are `<commit>:<path from the top of the work tree>` for cat-file.
        new_full = f"{ref_prefix}{path}"
        if letter == "D":
            old_ref, new_ref = f"{commit}^:{new_full}", None
        elif letter in ("R", "C"):
            old_ref, new_ref = f"{commit}^:{ref_prefix}{old_path}", f"{commit}:{new_full}"
        elif letter == "A":
            old_ref, new_ref = None, f"{commit}:{new_full}"
        else:
            old_ref, new_ref = f"{commit}^:{new_full}", f"{commit}:{new_full}"
        changes.append(
            Change(
                commit=commit,
                author=author,
                date=date,
                status=letter,
                path=path,
                old_path=old_path,
                old_ref=old_ref,
                new_ref=new_ref,
            )
        )
    # git log is newest first; keep each commit's own entries in git's (path) order.
    by_commit: list[list[Change]] = []
    for ch in changes:
        if not by_commit or by_commit[-1][0].commit != ch.commit:
            by_commit.append([])
        by_commit[-1].append(ch)
    return [ch for group in reversed(by_commit) for ch in group]


def _decode_path(b: bytes) -> str:
    return b.decode("utf-8", "surrogateescape")


# ------------------------------------------------------------------------------------------ dispatch


def load_history(target: Target) -> History | None:
    """History for an opened Target: git work trees here, Hub repositories through their own loader."""
    if target.history_loader is not None:
        return target.history_loader()
    if target.info.kind == "git":
        try:
            return git_history(target.root, target.git_prefix, target.info.revision)
        except Exception as exc:  # a repository git cannot walk costs the history rules, not the audit
            hist = History("git")
            hist.notes.append(
                f"history: not read ({type(exc).__name__}: {_error_line(exc)[:160]}); history rules not applied"
            )
            return hist
    return None
