"""History rules (CONTRACT): license-file-removed, license-changed, base-model-removed.

They read ctx.history (license_audit.history.History, None with --no-history) and compare it with what
is audited now (the snapshot): a deleted file that is back, or whose text now lives in another license
file (LICENSE folded into NOTICE), is restored; a `license` or `base_model` that is back is not reported.
"""

from __future__ import annotations

import shlex
import unicodedata
from collections.abc import Iterator
from typing import TYPE_CHECKING

from license_audit.checks.context import AuditContext
from license_audit.crawl import is_card_path
from license_audit.identify.normalize import words
from license_audit.report import Finding

if TYPE_CHECKING:
    from license_audit.history import CardVersion
from license_audit.rule_ids import severity_of

_SHINGLE = 5
# Share of the deleted text's 5-word runs that must be found in one current file for it to count as
# "the same text under another name"; below 1.0 so that re-wrapping or a changed year still counts.
RESTORED_COVERAGE = 0.9


def _short(sha: str) -> str:
    return sha[:12]


def _who(author: str, date: str) -> str:
    day = date[:10] if date else ""
    return ", ".join(x for x in (author, day) if x)


def _shingles(text: str) -> set[tuple[str, ...]]:
    w = words(text)
    if len(w) < _SHINGLE:
        return {tuple(w)} if w else set()
    return {tuple(w[i : i + _SHINGLE]) for i in range(len(w) - _SHINGLE + 1)}


def text_restored(old_text: str, current_texts: list[str]) -> bool:
    old = _shingles(old_text)
    if not old:
        return True  # an empty file carried no terms
    for text in current_texts:
        cur = _shingles(text)
        if cur and len(old & cur) / len(old) >= RESTORED_COVERAGE:
            return True
    return False


# Replaced versions of license files whose text is identified (newest first); older ones are not read.
MAX_REPLACED_VERSIONS = 50


def _current_texts(ctx: AuditContext) -> list[str]:
    texts = [t for _, t in sorted(ctx.snapshot.license_texts.items())]
    card = ctx.snapshot.text_of(ctx.snapshot.card.path) if ctx.snapshot.card.path else None
    return texts + ([card] if card else [])


def _full_texts(text: str, ctx: AuditContext) -> list:
    from license_audit.identify import OTHER_ID, identify_text

    # Catalog licenses only: the SPDX long tail names texts no upstream duty is attached to.
    return [
        m
        for m in identify_text(text, ctx.catalog, long_tail=False)
        if m.kind == "text" and m.id not in ("unknown", OTHER_ID)
    ]


def _lives_on(old_text: str | None, ctx: AuditContext, current: list[str]) -> bool:
    """Whether the terms of an old version are still in the repository, under any name."""
    if old_text is None:
        return False
    if text_restored(old_text, current):
        return True
    ids = {m.id for m in _full_texts(old_text, ctx)}
    return bool(ids) and all(ctx.has_license_text(i) for i in ids)


def check_license_file_removed(ctx: AuditContext) -> Iterator[Finding]:
    """Deleted license/notice files not restored, and license texts overwritten by something else.

    Restored means: the path is in the audited tree again, or the deleted text (or, for a known
    license, a copy of that license) is in a current license file or the card.
    """
    hist = ctx.history
    if hist is None:
        return
    present = set(ctx.snapshot.files)
    current = _current_texts(ctx)
    last_delete = {}
    for ch in hist.changes:
        if ch.status == "D" and not is_card_path(ch.path):
            last_delete[ch.path] = ch
    reported: set[str] = set()
    for path, ch in sorted(last_delete.items()):
        if path in present or _lives_on(hist.read(ch.old_ref), ctx, current):
            continue
        reported.add(path)
        who = _who(ch.author, ch.date)
        yield Finding(
            rule="license-file-removed",
            severity=severity_of("license-file-removed"),
            message=f"{path} was deleted in commit {_short(ch.commit)}{f' ({who})' if who else ''} "
            f"and its text is not in the repository now.",
            path=path,
            commit=ch.commit,
            fix=_restore_fix(hist.source, path, ch.commit),
        )
    yield from _replaced_texts(ctx, hist, current, reported)


def _replaced_texts(ctx: AuditContext, hist, current: list[str], reported: set[str]) -> Iterator[Finding]:
    """A known license's full text overwritten in place (LICENSE: MIT -> Apache) is a removal too."""
    modified = [
        ch
        for ch in hist.changes
        if ch.status in ("M", "R") and ch.old_ref and not is_card_path(ch.path) and not is_card_path(ch.old_path or "")
    ][-MAX_REPLACED_VERSIONS:]
    seen: dict[str, object] = {}
    for ch in reversed(modified):  # newest first: the latest replacement of each license is named
        old_text = hist.read(ch.old_ref)
        if old_text is None:
            continue
        for m in _full_texts(old_text, ctx):
            if m.id in seen or ctx.has_license_text(m.id):
                continue
            seen[m.id] = ch
            if text_restored(old_text, current):
                continue
            where = ch.old_path or ch.path
            if where in reported:
                continue
            who = _who(ch.author, ch.date)
            name = m.name or m.id
            yield Finding(
                rule="license-file-removed",
                severity=severity_of("license-file-removed"),
                message=f"The {name} text in {where} was replaced in commit {_short(ch.commit)}"
                f"{f' ({who})' if who else ''} and is not in the repository now.",
                path=where,
                commit=ch.commit,
                fix=_replaced_fix(hist.source, name, where, ch.commit),
            )


def _printable(path: str) -> bool:
    """Whether a path can be shown inside a suggested command: no control or format characters (a
    newline, an escape sequence, a bidirectional override would make the command not what it looks)."""
    return not any(unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp", "Cs") for c in path)


def _quoted(word: str) -> str:
    """`word` as one POSIX shell word, always in quotes (as the fix has always shown a path)."""
    q = shlex.quote(word)
    return q if q.startswith("'") else f"'{word}'"


def _restore_fix(source: str, path: str, commit: str) -> str:
    if source == "git":
        if not _printable(path):
            return f"Restore it from the commit before {_short(commit)} and commit it."
        # Quoted for a POSIX shell: a name is the repository author's choice, never a command.
        return f"Restore it with `git checkout {_short(commit)}^ -- {_quoted(path)}` and commit it."
    return f"Restore {path} from the revision before {_short(commit)} and upload it again."


def _replaced_fix(source: str, name: str, where: str, commit: str) -> str:
    if source == "git":
        if not _printable(where):
            return f"Restore the {name} text, e.g. as its own file from the commit before {_short(commit)}."
        return f"Restore the {name} text, e.g. as its own file from `git show {_short(commit)}^:{_quoted(where)}`."
    return f"Restore the {name} text from the revision before {_short(commit)} as its own file."


def check_license_changed(ctx: AuditContext) -> Iterator[Finding]:
    """One finding when the license now declared differs from the one the card first declared.

    A change that was reverted is no finding; the commit named is the newest one that changed the value,
    the message also says what the card declared first when that differs.
    """
    hist = ctx.history
    if hist is None or not hist.card_versions:
        return
    now = ctx.snapshot.card.effective_license
    original = next((v.license for v in hist.card_versions if v.license), None)
    if original is None or original == now:
        return
    last = None  # (old, version)
    prev = None
    for ver in hist.card_versions:
        if prev is not None and prev.license and prev.license != ver.license:
            last = (prev.license, ver)
        prev = ver
    if last is None:
        return  # the change is not committed yet: nothing in history to name
    old, ver = last
    who = _who(ver.author, ver.date)
    new = f"`{ver.license}`" if ver.license else "nothing (the `license` key was removed)"
    first = f"; it first declared `{original}`" if original != old else ""
    yield Finding(
        rule="license-changed",
        severity=severity_of("license-changed"),
        message=f"The card's license was changed from `{old}` to {new} in commit {_short(ver.commit)}"
        f"{f' ({who})' if who else ''}{first}.",
        path=ctx.card_path,
        commit=ver.commit,
        fix=f"Check that {f'`{now}` is' if now else 'the current terms are'} allowed by every upstream "
        f"license, or declare `license: {original}` again.",
    )


def check_base_model_removed(ctx: AuditContext) -> Iterator[Finding]:
    hist = ctx.history
    if hist is None or not hist.card_versions:
        return
    now = {b.lower() for b in ctx.snapshot.card.base_models}
    dropped: dict[str, CardVersion] = {}  # model (as written) -> the newest version that dropped it
    prev = None
    for ver in hist.card_versions:
        if prev is not None:
            cur = {b.lower() for b in ver.base_models}
            for base in prev.base_models:
                if base.lower() not in cur:
                    dropped[base] = ver
        prev = ver
    for base, ver in sorted(dropped.items()):
        if base.lower() in now:
            continue
        who = _who(ver.author, ver.date)
        yield Finding(
            rule="base-model-removed",
            severity=severity_of("base-model-removed"),
            message=f"`base_model: {base}` was removed from the card in commit {_short(ver.commit)}"
            f"{f' ({who})' if who else ''}.",
            path=ctx.card_path,
            commit=ver.commit,
            upstream=base,
            fix=f"Restore `base_model: {base}` in {ctx.card_path} if the model still derives from it.",
        )


HISTORY_CHECKS = (check_license_file_removed, check_license_changed, check_base_model_removed)
