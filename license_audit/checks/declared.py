"""Checks on what the repository itself declares: card license vs license files."""

from __future__ import annotations

import re
from collections.abc import Iterator

from license_audit.catalog import License
from license_audit.checks.context import AuditContext
from license_audit.copies import declares
from license_audit.crawl import is_license_file
from license_audit.identify.references import BADGE_LICENSE, badges
from license_audit.report import OTHER_ID, Finding, LicenseFile, LicenseMatch
from license_audit.rule_ids import RULES

_NOT_GRANTS = ("notice", "use_policy", "use-policy", "usepolicy", "acceptable")


def is_grant_file(path: str) -> bool:
    name = path.rsplit("/", 1)[-1].lower()
    return not name.startswith(_NOT_GRANTS)


def check_invalid_files(ctx: AuditContext) -> Iterator[Finding]:
    for p in ctx.snapshot.problems:
        yield Finding(
            rule="invalid-file",
            severity=RULES["invalid-file"].severity,
            message=f"{p.path} {p.message}." if p.message.startswith(("is ", "cannot")) else f"{p.path}: {p.message}.",
            path=p.path,
            line=p.line,
            commit=ctx.revision,
            fix=p.fix or RULES["invalid-file"].fix,
        )


def check_license_missing(ctx: AuditContext) -> Iterator[Finding]:
    card = ctx.snapshot.card
    # NOTICE or USE_POLICY files alone grant nothing; a license file we could not read still counts as
    # declared (it is reported as invalid-file instead).
    grant_files = [rel for rel in ctx.snapshot.files if is_license_file(rel) and is_grant_file(rel)]
    if grant_files:
        return
    # `license: other` (or `unknown`) with no license_name or license_link names no terms at all.
    placeholder = (card.license or "").strip().lower() in ("other", "unknown")
    if card.license and not (placeholder and not card.license_name and not card.license_link):
        return
    what = "the card has no `license:`"
    if card.license:
        what = f"the card says `license: {card.license.strip()}` without `license_name` or `license_link`"
    elif _is_text_value(card.metadata.get("licence")):
        # TRL's card template writes `licence: license`: a misspelt key the Hub does not read.
        what = f"the card has `licence: {str(card.metadata['licence']).strip()}` (a key the Hub does not read) instead of `license:`"
    fix = RULES["license-missing"].fix
    named = named_in_prose(ctx)
    if named is not None:
        lic, line, shared = named
        # The prose says which terms the author means; only the machine-readable field and the text are missing.
        by = ", by the name every edition of it goes by" if shared else ""
        what += f" ({card.location} line {line} names the {lic.name} only in prose{by})"
        fields = ", ".join(f"{k}: {v}" for k, v in lic.card_fields.items())
        fix = f"Add `{fields}` to the front matter of {card.location} and the {lic.name} text as LICENSE."
        barred = _barred_by_upstream(ctx, lic)
        if barred is not None:
            # What the prose says cannot be granted: the fix is the upstream's terms, not the prose's.
            fix = (
                f"Add `license:` to the front matter of {card.location} with terms the {barred.name} allows "
                f"(the {lic.name} named on line {line} cannot be granted for this model: see license-incompatible), "
                f"and the license text."
            )
    yield Finding(
        rule="license-missing",
        severity=RULES["license-missing"].severity,
        message=f"The model declares no license: {what}{',' if card.license else ''} and the repository has no license file.",
        path=card.location,
        commit=ctx.revision,
        fix=fix,
    )


def _barred_by_upstream(ctx: AuditContext, lic: License) -> License | None:
    """The first upstream license under which `lic` cannot be granted for a derivative, else None."""
    from license_audit.checks.obligations import incompatibility

    for up in ctx.upstreams:
        for upstream_lic in up.licenses:
            if incompatibility(upstream_lic, lic, lic.id) is not None:
                return upstream_lic
    return None


def _is_text_value(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip())


def named_in_prose(ctx: AuditContext):
    """(license, line, shared) when the card's prose names exactly one license as a reference; None otherwise
    (none, or several, which may be a dataset's or a compared model's). A name every edition of a license
    goes by ("the Llama license") names the edition an upstream is under, when it is one of them (`shared`)."""
    card = ctx.snapshot.card
    found = [m for lf in ctx.license_files if lf.path == card.path for m in lf.licenses if m.kind == "reference"]
    ids = {m.id for m in found}
    if len(ids) != 1:
        editions = {m.spdx for m in found} | {a for m in found for a in m.alternatives}
        if not found or not all(m.alternatives and editions == {m.spdx, *m.alternatives} for m in found):
            return None
        # Which edition the name means is the base's to say: the one an upstream is under, if only one is.
        held = {lic.id for up in ctx.upstreams for lic in up.licenses} & ids
        if len(held) != 1:
            return None
        found = [m for m in found if m.id in held]
    lic = ctx.catalog.get(found[0].id)
    if lic is None or lic.category == "use-policy":
        return None
    return lic, found[0].start_line, bool(found[0].alternatives)


def unknown_terms(lf: LicenseFile) -> list[LicenseMatch]:
    """The stretches of a license file that identification reads as license terms no known license explains
    (`other`). A known license's allowed variants and a few lines added to its copy are part of that copy (a
    modified copy, license-modified), so an `other` stretch is terms of the file's own, whatever stands beside it."""
    return [m for m in lf.licenses if m.kind == "text" and m.id == OTHER_ID]


def check_license_unknown(ctx: AuditContext) -> Iterator[Finding]:
    for lf in ctx.license_files:
        # NOTICE and use-policy files carry attributions and rules, not grants: only license files must match.
        if not is_grant_file(lf.path):
            continue
        unknown = unknown_terms(lf)
        known = [m for m in lf.licenses if m.id != OTHER_ID]
        if known and not unknown:
            continue
        if known:
            # Terms the catalog cannot name are not made known by a license named or copied beside them: a
            # custom license that says its users "must comply with Apache 2.0 and" its own terms is not Apache.
            what = f"holds license terms that match no known license ({_lines(unknown)}) beside {_beside(known)}"
            declared = ctx.snapshot.card.effective_license
            declared_id = ctx.declared.id if ctx.declared else declared
            if declared and any(m.id == declared_id for m in known):
                what += f", so what it grants, and whether it is the `{declared}` the card declares, cannot be checked."
            else:
                what += ", so what it grants cannot be checked."
        else:
            text = ctx.snapshot.license_texts.get(lf.path, "")
            what = f"{'is empty' if not text.strip() else 'matches no known license'}, so what it grants cannot be checked."
        yield Finding(
            rule="license-unknown",
            severity=RULES["license-unknown"].severity,
            message=f"{lf.path} {what}",
            path=lf.path,
            line=unknown[0].start_line if unknown and known else None,
            commit=ctx.revision,
            fix=RULES["license-unknown"].fix,
        )


def _lines(matches: list[LicenseMatch]) -> str:
    """Where the matches stand: "line 6", "lines 7-41", "lines 1-5 and 30-64"."""
    spans = [f"{m.start_line}-{m.end_line}" if m.end_line > m.start_line else str(m.start_line) for m in matches]
    plural = len(matches) > 1 or matches[0].end_line > matches[0].start_line
    return f"line{'s' if plural else ''} {' and '.join(spans)}"


def _beside(known: list[LicenseMatch]) -> str:
    """What else the file holds, as identified: "a reference to the Apache License 2.0 (line 6)"."""
    out = []
    for m in known:
        what = "the text of" if m.kind == "text" else "a reference to"
        out.append(f"{what} the {m.name or m.id} ({_lines([m])})")
    return " and ".join(dict.fromkeys(out))


def check_declared_license_unknown(ctx: AuditContext) -> Iterator[Finding]:
    """A card license the catalog does not hold: what it grants, and whether the upstreams allow it, cannot be
    checked. Said, never taken for some known kind of terms."""
    card = ctx.snapshot.card
    key = card.effective_license
    if not key or key in ("other", "unknown") or ctx.declared is not None:
        return
    if any(m.id == key for lf in ctx.license_files for m in lf.licenses):
        return  # a license the identification named by this key (an SPDX id outside the catalog)
    link = ctx.linked_file
    if link is not None and link in ctx.snapshot.files:
        return  # the terms are the linked file's, identified (or reported unknown) as that file
    if any(lic.goes_by(key) for up in ctx.upstreams for lic in up.licenses):
        return  # an upstream's own edition by the name every edition goes by ("exaone"): its duties are checked
    from license_audit.identify.references import spdx_key

    other = (card.license or "").strip().lower() == "other"
    said = f"`license: other` with `license_name: {card.license_name}`" if other else f"`license: {card.license}`"
    spdx = spdx_key(key)
    known_as = f" ({spdx} on the SPDX list, without its terms in the catalog)" if spdx else ""
    open_questions = []
    for up in ctx.upstreams:
        for lic in up.licenses:
            rules = lic.derivatives
            if rules.get("relicense") in ("same", "none"):
                continue  # settled whatever the terms are (license-incompatible)
            if rules.get("forbid_categories") and lic.commercial_use:
                open_questions.append(
                    f"whether it carries the use restrictions the {lic.name} of {up.id} requires to travel"
                )
    unchecked = f"; nor can {'; or '.join(dict.fromkeys(open_questions))}" if open_questions else ""
    where = f" (its text is at {card.license_link})" if card.license_link else ""
    yield Finding(
        rule="license-unknown",
        severity=RULES["license-unknown"].severity,
        message=(
            f"The card declares {said}{known_as}, a license the catalog does not hold{where}, so what it grants "
            f"and asks cannot be checked{unchecked}."
        ),
        path=card.location,
        commit=ctx.revision,
        fix=(
            "Add the license (its terms and what a derivative owes) to a licenses/ entry of a `--rules DIR`, or "
            "declare a license the catalog holds (`license-audit rules list`)."
        ),
    )


_WORD_FOR_WORD = 0.99  # the confidence of a copy that is its license's reference text as it stands


def check_license_modified(ctx: AuditContext) -> Iterator[Finding]:
    """A license copy whose terms differ from the license's own text: what changed, where."""
    for lf in ctx.license_files:
        for m in lf.licenses:
            if not m.modified or m.kind != "text":
                continue
            lic = ctx.catalog.get(m.id)
            if (
                lic is not None
                and lic.raw.get("modifies")
                and m.confidence >= _WORD_FOR_WORD
                and not m.renamed
                and declares(lic, ctx.snapshot.card.effective_license)
            ):
                # The modified license's own text, word for word, under a card that declares it (Kimi K2's Modified
                # MIT as `license_name: modified-mit`): the terms the card names, nothing to warn of.
                continue
            what = str(lic.raw.get("modification")) if lic is not None and lic.raw.get("modification") else None
            base_id = lic.raw.get("modifies") if lic is not None else None
            base = ctx.catalog.get(base_id) if base_id else lic
            base_name = base.name if base is not None else m.id
            where = ", ".join(
                f"{c.change} at line{'s' if c.end_line > c.start_line else ''} "
                f"{c.start_line}{f'-{c.end_line}' if c.end_line > c.start_line else ''}"
                for c in m.changes[:5]
            )
            first = m.changes[0] if m.changes else None
            detail = what or (f'{where}: "{first.text}"' if first else "its text differs from the standard one")
            if m.renamed:
                # Another licensor's license on this one's text: its terms, less or more what changed.
                message = (
                    f"{lf.path} is the {base_name}'s text adopted under another name"
                    f"{f', with changes ({detail})' if m.changes else ''}, so it is a license of its own, not the "
                    f"{base_name}."
                )
                # Its text is the publisher's own license: restoring the standard one would change it.
                fix = (
                    f"Declare it in the card as `license: other` with a `license_name` of its own, and read its "
                    f"terms as the {base_name}'s with the changes listed."
                )
            else:
                message = (
                    f"{lf.path} is the {base_name} with changes ({detail}), so the standard license's terms do not "
                    "apply as such."
                )
                fix = RULES["license-modified"].fix
            yield Finding(
                rule="license-modified",
                severity=RULES["license-modified"].severity,
                message=message,
                path=lf.path,
                line=first.start_line if first else m.start_line,
                commit=ctx.revision,
                fix=fix,
            )


def check_license_mismatch(ctx: AuditContext) -> Iterator[Finding]:
    card = ctx.snapshot.card
    declared_key = card.effective_license
    if not declared_key or declared_key in ("other", "unknown"):
        return
    declared = ctx.declared
    declared_id = declared.id if declared else declared_key
    # A name every edition goes by ("the Llama license") does not say the file is the declared edition's; a
    # license named inside terms no known license explains ("must comply with Apache 2.0 and the ...") does
    # not say the file is that license (license-unknown).
    found_anywhere = {
        m.id
        for lf in ctx.license_files
        for m in lf.licenses
        if not m.alternatives and (m.kind == "text" or not unknown_terms(lf))
    }
    if declared_id in found_anywhere:
        return
    upstream_ids = {lic.id for up in ctx.upstreams for lic in up.licenses}
    for lf in ctx.primary_license_files:
        texts = [
            m
            for m in lf.licenses
            if m.kind == "text" and m.terms_id != OTHER_ID and m.id not in upstream_ids and not _is_policy(ctx, m.id)
        ]
        if not texts:
            continue
        named = ", ".join(sorted({m.id for m in texts}))
        yield Finding(
            rule="license-mismatch",
            severity=RULES["license-mismatch"].severity,
            message=f"The card declares `{declared_key}` but {lf.path} is the {named} license text.",
            path=lf.path,
            line=texts[0].start_line,
            commit=ctx.revision,
            fix=f"Declare `{named}` in the card, or replace {lf.path} with the text of `{declared_key}`.",
        )


# A line whose label says it states the model's license: "- **License:** Apache", "License: MIT".
_LICENSE_LABEL = re.compile(r"^[\s>*_|#-]*(?:model\s+|weights?\s+)?licen[cs]e\s*[*_]*\s*[:：|]\s*[*_]*\s*\S", re.I)


def check_card_license_statements(ctx: AuditContext) -> Iterator[Finding]:
    """A license badge or a "License:" line in the card's text that names other terms than the front matter
    declares: the card contradicts itself, and a reader may take either for the model's license."""
    card = ctx.snapshot.card
    keys = _declared_ids(ctx)
    if not keys or not card.path:
        return
    text = ctx.snapshot.text_of(card.path) or ""
    from license_audit.identify import identify_text

    seen: set[str] = set()
    for n, line in enumerate(text.splitlines(), 1):
        if n < card.body_start_line or len(line) > 2000:
            continue
        stated: list[tuple[str, str]] = []  # (what the line is, text naming the license)
        for label, message in badges(line):
            if BADGE_LICENSE.match(label) and message:
                stated.append(("license badge", f"{message} license"))
        if not stated and _LICENSE_LABEL.match(line):
            stated.append(('"License:" line', line))  # the label is part of what names it ("License: Apache")
        for what, said in stated:
            ids = {x.id for x in identify_text(said, ctx.catalog, prose=True) if x.id != OTHER_ID}
            if not ids or ids & keys or ids <= seen:
                continue
            seen |= ids
            named = ", ".join(f"`{i}`" for i in sorted(ids))
            declared = ", ".join(f"`{k}`" for k in sorted(keys))
            barred = [b for i in sorted(ids) if (lic := ctx.catalog.get(i)) and (b := _barred_by_upstream(ctx, lic))]
            fix = (
                f"Make the {what} on line {n} of {card.location} name the license the front matter declares "
                f"({declared}), or correct the front matter if {named} is what the model is under and its "
                f"upstreams allow it."
            )
            if barred:
                fix = (
                    f"Make the {what} on line {n} of {card.location} name the license the front matter declares "
                    f"({declared}): the {barred[0].name} of the model's upstream does not allow {named} for a "
                    f"derivative."
                )
            yield Finding(
                rule="license-mismatch",
                severity=RULES["license-mismatch"].severity,
                message=(
                    f"The card declares {declared} but its {what} on line {n} says {named}: the card contradicts "
                    f"itself about the model's license."
                ),
                path=card.location,
                line=n,
                commit=ctx.revision,
                fix=fix,
            )


def _declared_ids(ctx: AuditContext) -> set[str]:
    """The card's declared license keys, as catalog ids where the catalog holds them."""
    raw = ctx.snapshot.card.metadata.get("license")
    keys = [ctx.snapshot.card.effective_license]
    if isinstance(raw, list):
        keys += [str(k).strip().lower() for k in raw[1:] if k is not None]
    out = set()
    for k in keys:
        if not k or k in ("other", "unknown"):
            continue
        lic = ctx.catalog.get(k)
        out.add(lic.id if lic else k)
    return out


def _is_policy(ctx: AuditContext, lic_id: str) -> bool:
    """A family's use policy (the Llama AUP) travels beside its license and grants nothing itself."""
    lic = ctx.catalog.get(lic_id)
    return lic is not None and lic.category == "use-policy"
