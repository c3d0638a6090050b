"""History rules (CONTRACT): license-file-removed, license-changed, base-model-removed.

They read ctx.history (license_audit.history.History, None with --no-history) and compare it with what
is audited now (the snapshot). License files are judged by content: each text's identity (its licenses
and copyright holders) is followed through the commits, so a text whose terms are in the repository now
under any name (LICENSE folded into NOTICE) is kept, and one whose name now holds other terms is not; a
`license` or `base_model` that is back in the card is not reported.
"""

from __future__ import annotations

import dataclasses
import hashlib
import shlex
import unicodedata
from collections.abc import Iterator
from typing import TYPE_CHECKING

from license_audit.checks.context import AuditContext, base_models_of, registered_ancestors
from license_audit.crawl import is_card_path
from license_audit.identify.identity import TextIdentity, copyright_lines, holder_of, identity_of
from license_audit.identify.normalize import words
from license_audit.report import Finding
from license_audit.rule_ids import severity_of

if TYPE_CHECKING:  # history is imported only when there is history to read (a plain folder has none)
    from license_audit.history import CardVersion, Change, History, TextRun


def _history(ctx: AuditContext) -> History | None:
    return ctx.history


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


# Distinct license-file versions identified (newest first); older ones are not compared (said in the notes).
MAX_IDENTIFIED_VERSIONS = 300

_NOTICE_STEMS = ("notice", "third_party", "third-party", "thirdparty", "attribution", "acknowledg")


def text_runs_of(ctx: AuditContext) -> list[TextRun]:
    """The license texts' runs through history (license_audit.history.text_runs), computed once per audit;
    each distinct text is identified once (by blob id where the source gives one, else by content)."""
    cache = ctx.__dict__.setdefault("_history_cache", {})
    if "runs" in cache:
        return cache["runs"]
    hist = _history(ctx)
    if hist is None:
        return []
    tracked = [ch for ch in hist.changes if not (is_card_path(ch.path) and not ch.old_path)]
    keys: list[str] = []
    seen: set[str] = set()
    for ch in reversed(tracked):
        key = (ch.old_blob or ch.old_ref) if ch.status == "D" else (ch.new_blob or ch.new_ref)
        if key and key not in seen:
            seen.add(key)
            keys.append(key)
    allowed = set(keys[:MAX_IDENTIFIED_VERSIONS])
    if len(keys) > MAX_IDENTIFIED_VERSIONS:
        hist.notes.append(
            f"history: license files had {len(keys)} distinct versions; the newest {MAX_IDENTIFIED_VERSIONS} "
            f"were identified and compared, older edits are taken as keeping their text"
        )
    identities: dict[str, TextIdentity | None] = {}
    by_content: dict[str, TextIdentity | None] = {}  # sha1 of a text -> its identity
    by_words: dict[str, TextIdentity] = {}  # text without its copyright lines and spacing -> its identity

    def identify(ref: str | None, blob: str | None) -> TextIdentity | None:
        key = blob or ref
        if key is None or key not in allowed:
            return None
        if key not in identities:
            text = hist.read(ref)
            digest = hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest() if text is not None else ""
            if text is None:
                identities[key] = None
            elif digest in by_content:  # the same text again (a revert, a copy): identified once
                identities[key] = by_content[digest]
            else:
                # Versions that differ only in their copyright lines or spacing (a yearly copyright bump)
                # are identified once; each keeps its own copyright lines. Other digits stay: a version
                # number tells licenses apart (Llama 3.1 and 3.3).
                own = set(copyright_lines(text))
                shape = " ".join(
                    w for ln in text.splitlines() if ln.strip().strip("#*>- \t") not in own for w in ln.split()
                )
                known = by_words.get(shape)
                if known is None:
                    known = by_words[shape] = identity_of(text, ctx.catalog)
                    identities[key] = known
                else:
                    identities[key] = dataclasses.replace(known, copyrights=tuple(copyright_lines(text)))
                by_content[digest] = identities[key]
        return identities[key]

    from license_audit.history import text_runs

    cache["runs"] = text_runs(hist.changes, identify)
    cache["texts"] = {}
    return cache["runs"]


def _run_text(ctx: AuditContext, run: TextRun) -> str | None:
    texts = ctx.__dict__.setdefault("_history_cache", {}).setdefault("texts", {})
    hist = _history(ctx)
    if run.ref not in texts:
        texts[run.ref] = hist.read(run.ref) if hist is not None else None
    return texts[run.ref]


def _where(ch: Change | None, boundary: set[str]) -> str:
    if ch is None:
        return "before the visible history"
    if ch.commit in boundary:
        return f"at {_short(ch.commit)} (the oldest visible commit)"
    return f"in {_short(ch.commit)}"


def _now_at(runs: list[TextRun], path: str) -> TextRun | None:
    return next((r for r in reversed(runs) if r.current and r.path == path), None)


def _change_record(was: str, run: TextRun, now: TextRun | None) -> dict:
    """The structured "what changed" a report shows next to the sentence."""
    out: dict = {"path": run.paths[0] if run.paths else run.path, "was": was}
    if run.since is not None:
        out["since"] = run.since.commit
    if run.ended is not None:
        out["removed" if run.end == "deleted" else "replaced"] = run.ended.commit
    if now is not None:
        out["now"] = now.identity.label() if now.identity is not None else "another text"
        if now.since is not None:
            out["now_since"] = now.since.commit
    return out


def check_license_file_removed(ctx: AuditContext) -> Iterator[Finding]:
    yield from _removals(ctx)[0]


def _removals(ctx: AuditContext) -> tuple[list[Finding], set[int]]:
    """License texts that left the repository, judged by content (findings, ids of the runs they cover).

    A text deleted, or replaced in place by a text of another identity (other licenses, other copyright
    holders), is removed unless its terms are still in the repository under any name: a file of the same
    name that holds other terms does not restore it. Each text is reported once, at its last removal.

    In a registered base's own release by its publisher, a text replaced by another whose licenses are all the
    release's own (its registry entry's, or its family's: 01.AI's Yi license before Yi went to Apache-2.0) and
    none of its bases' is the licensor relicensing its model: no one else's terms are gone, and license-changed
    tells the change.
    """
    cache = ctx.__dict__.setdefault("_history_cache", {})
    if "removals" in cache:
        return cache["removals"]
    hist = ctx.history
    if hist is None:
        return [], set()
    runs = text_runs_of(ctx)
    present = set(ctx.snapshot.files)
    current = _current_texts(ctx)
    reported: dict[tuple, TextRun] = {}
    relicensable = _own_release_licenses(ctx)
    for run in runs:
        if run.ended is None:
            continue
        ident = run.identity
        if run.end == "replaced" and (ident is None or not ident.licenses):
            continue  # an edit of a text that holds no known license: no terms are shown gone
        if run.end == "replaced" and ident.ids and relicensable.issuperset(ident.ids):
            continue  # the publisher relicensing its own model
        key = ident.key if ident is not None and (ident.licenses or ident.copyrights) else ("path", run.path)
        reported[key] = run  # newest removal of each text wins
    findings = []
    covered: set[int] = set()
    for run in reported.values():
        old_text = _run_text(ctx, run)
        if _lives_on(old_text, ctx, current):
            continue
        if old_text is None and run.path in present:
            continue  # unread and the name is back: nothing to show
        covered.add(id(run))
        findings.append(_removed_finding(ctx, hist, runs, run))
    findings.sort(key=lambda f: (f.path or "", f.commit or ""))
    for f, run in list(_copyright_removed(ctx, runs, covered)):
        findings.append(f)
        covered.add(id(run))
    cache["removals"] = (findings, covered)
    return cache["removals"]


def _removed_finding(ctx: AuditContext, hist, runs: list[TextRun], run: TextRun) -> Finding:
    assert run.ended is not None
    ch = run.ended
    who = _who(ch.author, ch.date)
    first = run.paths[0]
    was = run.identity.label() if run.identity is not None else "a license text"
    verb = "removed" if run.end == "deleted" else "replaced"
    moved = f" (later {run.path})" if run.path != first else ""
    now = _now_at(runs, run.path)
    if now is not None:
        held = now.identity.label() if now.identity is not None else "another text"
        tail = f"; {run.path} now holds {held} {_where(now.since, hist.boundary).replace('in ', 'since ', 1)}"
    elif run.path in ctx.snapshot.files:
        tail = f"; {run.path} now holds another text"
    else:
        tail = "; the text is not in the repository now"
    message = (
        f"{first}{moved}: {was} {_where(run.since, hist.boundary)}, {verb} in {_short(ch.commit)}"
        f"{f' ({who})' if who else ''}{tail}."
    )
    name = " + ".join(run.identity.licenses) if run.identity is not None and run.identity.licenses else None
    fix = (
        _replaced_fix(hist.source, name or "removed", run.path, ch.commit)
        if run.path in ctx.snapshot.files or run.end == "replaced"
        else _restore_fix(hist.source, run.path, ch.commit)
    )
    holders = _upstream_holders(ctx)
    owner = next((holders[h] for h in sorted(run.identity.holders) if h in holders), None) if run.identity else None
    return Finding(
        rule="license-file-removed",
        severity=severity_of("license-file-removed"),
        message=message,
        path=run.path,
        commit=ch.commit,
        upstream=owner,
        fix=fix,
        change=_change_record(was, run, now),
    )


def _own_release_licenses(ctx: AuditContext) -> set[str]:
    """The licenses a publisher may relicense its own release from, when the repository is a registered base's
    release by its publisher (lineage's `same_model`): the entry's licenses, by checkpoint and revision too, and
    its family's, less any license of a model it derives from (its registered bases, followed upward, and the
    upstreams lineage found), whose texts are others' to keep. Empty for any other repository."""
    from license_audit.lineage.families import load_families

    own: set[str] = set()
    bases: set[str] = {lic.id for up in ctx.upstreams for lic in up.licenses}
    families = None
    for cand in ctx.candidates:
        known = ctx.registry.get(cand.model) if cand.same_model else None
        if known is None:
            continue
        own.update(known.all_licenses, *(t.licenses for t in known.terms))
        families = families or load_families(ctx.catalog.rules_dirs)
        family = families.get(known.family)
        if family is not None:
            own.update(family.known_licenses(known.size))
        parents = [ctx.registry.get(b) for b in base_models_of(known)]
        for base in registered_ancestors(ctx.registry, parents):
            bases.update(base.all_licenses, *(t.licenses for t in base.terms))
    return own - bases


def _upstream_holders(ctx: AuditContext) -> dict[str, str]:
    """Copyright holders of the upstreams (and of the candidates that fit the same evidence) -> model id."""
    out: dict[str, str] = {}
    for up in ctx.upstreams:
        models = [up.known] if up.known else []
        models += [m for a in up.candidate.alternatives if (m := ctx.registry.get(a))]
        for m in models:
            for line in m.copyright:
                out.setdefault(holder_of(line), up.id)
    return out


def _copyright_removed(ctx: AuditContext, runs: list[TextRun], covered: set[int]) -> Iterator[tuple[Finding, TextRun]]:
    """A copyright line that a license or notice file carried and that no file carries now (a NOTICE
    edited): an error when it is an upstream's line, a warning for other lines of notice files."""
    hist = _history(ctx)
    if hist is None:
        return
    last: dict[str, tuple[str, TextRun]] = {}  # holder -> (line, newest run that carried it)
    for run in runs:
        if run.identity is None:
            continue
        for line in run.identity.copyrights:
            h = holder_of(line)
            if h:
                last[h] = (line, run)
    if not last:
        return
    now_holders = _current_holders(ctx)
    upstream = _upstream_holders(ctx)
    for h, (line, run) in sorted(last.items()):
        if run.current or h in now_holders or ctx.mentions(line) or id(run) in covered or run.ended is None:
            continue
        name = run.path.rsplit("/", 1)[-1].lower()
        owner = upstream.get(h)
        if owner is None and not name.startswith(_NOTICE_STEMS):
            continue
        ch = run.ended
        who = _who(ch.author, ch.date)
        of = f" of {owner}" if owner else ""
        since = _where(run.since, hist.boundary)
        why = (
            "the upstream's license requires its copyright notice to be kept"
            if owner
            else "unless it was wrong: MIT, BSD and Apache-2.0 require the notices of others to be kept"
        )
        yield (
            Finding(
                rule="license-file-removed",
                severity=severity_of("license-file-removed") if owner else "warning",
                message=f'The copyright line "{line}"{of} in {run.path} ({since}) was removed in commit '
                f"{_short(ch.commit)}{f' ({who})' if who else ''} and no file carries it now.",
                path=run.path,
                commit=ch.commit,
                upstream=owner,
                fix=f'Put "{line}" back in {run.path} ({why}).',
                change={
                    "path": run.path,
                    "was": line,
                    **({"since": run.since.commit} if run.since else {}),
                    "removed": ch.commit,
                },
            ),
            run,
        )


def _terms(ident: TextIdentity) -> frozenset[str]:
    return frozenset(ident.licenses) | frozenset(ident.references)


def _changed(old: TextIdentity, new: TextIdentity, kept: set[str]) -> bool:
    """Other terms, or a copyright holder dropped from the repository (`kept`: holders some file names
    now). A reference that became the full text of the same license, a holder added next to the old
    ones or moved to another file, changes no one's terms."""
    return _terms(old) != _terms(new) or bool(old.holders - new.holders - kept)


def _current_holders(ctx: AuditContext) -> set[str]:
    return {holder_of(line) for text in _current_texts(ctx) for line in copyright_lines(text)}


def check_license_file_changed(ctx: AuditContext) -> Iterator[Finding]:
    """A license file that now holds other terms than before (MIT -> Apache-2.0, a copyright holder
    dropped), when no removal finding already tells it."""
    hist = _history(ctx)
    if hist is None:
        return
    runs = text_runs_of(ctx)
    covered = _removals(ctx)[1]
    kept = _current_holders(ctx)
    for now in runs:
        if not now.current or now.since is None or now.identity is None:
            continue
        # Back through the texts this name held, to the newest one under other terms; the change is the
        # commit that brought the first text under the present terms.
        first_same, prev = now, None
        for r in reversed([r for r in runs if r is not now and r.path == now.path and r.ended is not None]):
            if r.identity is None:
                break
            if not _changed(r.identity, now.identity, kept):
                first_same = r
                continue
            prev = r
            break
        if prev is None or prev.identity is None or id(prev) in covered or first_same.since is None:
            continue
        ch = first_same.since
        who = _who(ch.author, ch.date)
        was, held = prev.identity.label(), now.identity.label()
        yield Finding(
            rule="license-changed",
            severity=severity_of("license-changed"),
            message=f"{now.path} changed from {was} ({_where(prev.since, hist.boundary).replace('in ', 'since ', 1)}) "
            f"to {held} in {_short(ch.commit)}{f' ({who})' if who else ''}.",
            path=now.path,
            commit=ch.commit,
            fix=f"Check that {held} may replace {was} for this model; keep the earlier text if an upstream requires it.",
            change=_change_record(was, prev, first_same if first_same is not now else now),
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


HISTORY_CHECKS = (
    check_license_file_removed,
    check_license_file_changed,
    check_license_changed,
    check_base_model_removed,
)
