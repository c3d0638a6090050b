"""History rules (CONTRACT): license-file-removed, license-changed, base-model-removed.

They read ctx.history (license_audit.history.History, None with --no-history) and compare it with what
is audited now (the snapshot): a deleted file that is back, or whose text now lives in another license
file (LICENSE folded into NOTICE), is restored; a `license` or `base_model` that is back is not reported.
"""

from __future__ import annotations

from typing import Iterator

from license_audit.checks.context import AuditContext
from license_audit.checks.ids import severity_of
from license_audit.identify.normalize import words
from license_audit.report import Finding

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
    return {tuple(w[i:i + _SHINGLE]) for i in range(len(w) - _SHINGLE + 1)}


def text_restored(old_text: str, current_texts: list[str]) -> bool:
    old = _shingles(old_text)
    if not old:
        return True  # an empty file carried no terms
    for text in current_texts:
        cur = _shingles(text)
        if cur and len(old & cur) / len(old) >= RESTORED_COVERAGE:
            return True
    return False


def check_license_file_removed(ctx: AuditContext) -> Iterator[Finding]:
    hist = getattr(ctx, "history", None)
    if hist is None:
        return
    present = set(ctx.snapshot.files)
    current = [t for _, t in sorted(ctx.snapshot.license_texts.items())]
    last_delete = {}
    for ch in hist.changes:
        if ch.status == "D" and not _is_card(ch.path):
            last_delete[ch.path] = ch
    for path, ch in sorted(last_delete.items()):
        if path in present:
            continue
        old_text = hist.read(ch.old_ref)
        if old_text is not None and text_restored(old_text, current):
            continue
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


def _restore_fix(source: str, path: str, commit: str) -> str:
    if source == "git":
        return f"Restore it with `git checkout {_short(commit)}^ -- '{path}'` and commit it."
    return f"Restore {path} from the revision before {_short(commit)} and upload it again."


def _is_card(path: str) -> bool:
    return path.lower() in ("readme.md", "readme")


def check_license_changed(ctx: AuditContext) -> Iterator[Finding]:
    """One finding when the license now declared differs from the one the card first declared.

    A change that was reverted is no finding; the commit named is the newest one that changed the value,
    the message also says what the card declared first when that differs.
    """
    hist = getattr(ctx, "history", None)
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
        fix=f"Check that {f'`{now}`' if now else 'the current terms'} are allowed by every upstream "
            f"license, or declare `license: {original}` again.",
    )


def check_base_model_removed(ctx: AuditContext) -> Iterator[Finding]:
    hist = getattr(ctx, "history", None)
    if hist is None or not hist.card_versions:
        return
    now = {b.lower() for b in ctx.snapshot.card.base_models}
    dropped: dict[str, tuple] = {}  # model (as written) -> the newest version that dropped it
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
