"""Checks on what the repository itself declares: card license vs license files."""

from __future__ import annotations

from collections.abc import Iterator

from license_audit.checks.context import AuditContext
from license_audit.crawl import is_license_file
from license_audit.report import Finding
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
    named = _named_in_prose(ctx)
    if named is not None:
        lic, line = named
        # The prose says which terms the author means; only the machine-readable field and the text are missing.
        what += f" ({card.location} line {line} names the {lic.name} only in prose)"
        fields = ", ".join(f"{k}: {v}" for k, v in lic.card_fields.items())
        fix = f"Add `{fields}` to the front matter of {card.location} and the {lic.name} text as LICENSE."
    yield Finding(
        rule="license-missing",
        severity=RULES["license-missing"].severity,
        message=f"The model declares no license: {what}{',' if card.license else ''} and the repository has no license file.",
        path=card.location,
        commit=ctx.revision,
        fix=fix,
    )


def _is_text_value(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _named_in_prose(ctx: AuditContext):
    """(license, line) when the card's prose names exactly one license as a reference; None otherwise
    (none, or several, which may be a dataset's or a compared model's)."""
    card = ctx.snapshot.card
    found = [m for lf in ctx.license_files if lf.path == card.path for m in lf.licenses if m.kind == "reference"]
    ids = {m.id for m in found}
    if len(ids) != 1:
        return None
    lic = ctx.catalog.get(found[0].id)
    if lic is None or lic.category == "use-policy":
        return None
    return lic, found[0].start_line


def check_license_unknown(ctx: AuditContext) -> Iterator[Finding]:
    for lf in ctx.license_files:
        # NOTICE and use-policy files carry attributions and rules, not grants: only license files must match.
        # `other` is license terms the catalog cannot name: still unknown as far as checks can tell.
        if any(m.id != "other" for m in lf.licenses) or not is_grant_file(lf.path):
            continue
        text = ctx.snapshot.license_texts.get(lf.path, "")
        what = "is empty" if not text.strip() else "matches no known license"
        yield Finding(
            rule="license-unknown",
            severity=RULES["license-unknown"].severity,
            message=f"{lf.path} {what}, so what it grants cannot be checked.",
            path=lf.path,
            commit=ctx.revision,
            fix=RULES["license-unknown"].fix,
        )


def check_license_modified(ctx: AuditContext) -> Iterator[Finding]:
    """A license copy whose terms differ from the license's own text: what changed, where."""
    for lf in ctx.license_files:
        for m in lf.licenses:
            if not m.modified or m.kind != "text":
                continue
            lic = ctx.catalog.get(m.id)
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
            yield Finding(
                rule="license-modified",
                severity=RULES["license-modified"].severity,
                message=f"{lf.path} is the {base_name} with changes ({detail}), so the standard license's terms do not apply as such.",
                path=lf.path,
                line=first.start_line if first else m.start_line,
                commit=ctx.revision,
                fix=RULES["license-modified"].fix,
            )


def check_license_mismatch(ctx: AuditContext) -> Iterator[Finding]:
    card = ctx.snapshot.card
    declared_key = card.effective_license
    if not declared_key or declared_key in ("other", "unknown"):
        return
    declared = ctx.declared
    declared_id = declared.id if declared else declared_key
    found_anywhere = {m.id for lf in ctx.license_files for m in lf.licenses}
    if declared_id in found_anywhere:
        return
    upstream_ids = {lic.id for up in ctx.upstreams for lic in up.licenses}
    for lf in ctx.primary_license_files:
        texts = [
            m
            for m in lf.licenses
            if m.kind == "text" and m.id not in upstream_ids and m.id != "other" and not _is_policy(ctx, m.id)
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


def _is_policy(ctx: AuditContext, lic_id: str) -> bool:
    """A family's use policy (the Llama AUP) travels beside its license and grants nothing itself."""
    lic = ctx.catalog.get(lic_id)
    return lic is not None and lic.category == "use-policy"
