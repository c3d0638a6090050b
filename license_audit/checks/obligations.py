"""Upstream duties: each catalog license's `obligations` checked against the repository.

Every obligation kind maps to one CONTRACT rule id. Duties found through evidence below 0.8
confidence ("possibly derived") are reported one level lower, as warnings.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable, Iterator

from license_audit.catalog import License, Obligation
from license_audit.checks.context import AuditContext, Upstream
from license_audit.checks.declared import _is_policy, is_grant_file, named_in_prose
from license_audit.copies import add_copy_advice, copy_path
from license_audit.report import OTHER_ID, Finding, LicenseFile
from license_audit.rule_ids import RULES


def _severity(rule: str, up: Upstream) -> str:
    default = RULES[rule].severity
    if default == "error" and not up.derived:
        return "warning"
    return default


def _finding(
    ctx: AuditContext,
    rule: str,
    up: Upstream,
    lic: License,
    ob: Obligation | None,
    message: str,
    path: str | None,
    fix: str,
) -> Finding:
    severity = _severity(rule, up)
    if up.relation == "adapter" and lic.derivatives.get("adapters") == "unsettled":
        # MIT's "copies or substantial portions", Apache's Derivative Works: an adapter holds none of the
        # base's weights, and whether these conditions reach it is an open question, said as such.
        severity = "warning" if severity == "error" else severity
        message += (
            f" This repository is an adapter, which holds none of {up.id}'s weights, and whether the "
            f"{lic.name} binds an adapter is not settled."
        )
    if up.options:
        yes, no = _imposing(up, lic, ob)
        if yes and no:
            if up.id not in {o.model for o in yes}:
                # The duty comes from another checkpoint's terms: the sentence names that checkpoint.
                message = message.replace(up.label, _names(yes, plain=True), 1)
            severity, message, fix = _only_some(up, yes, no, severity, message, fix)
    return Finding(
        rule=rule,
        severity=severity,
        message=message,
        path=path,
        commit=ctx.revision,
        upstream=up.id,
        fix=fix,
        clause=f"{lic.name} {ob.clause}" if ob and ob.clause else None,
    )


def _imposing(up: Upstream, lic: License, ob: Obligation | None) -> tuple[list, list]:
    """Which of the checkpoints the evidence fits impose this duty, and which do not."""
    if ob is not None and ob.kind == "copyright":
        # A copyright line belongs to the model, not to one license: every checkpoint whose terms keep
        # copyright lines and that carries one imposes it.
        yes = [
            o
            for o in up.options
            if o.known and o.known.copyright and any(x.obligations_of("copyright") for x in o.licenses)
        ]
        return yes, [o for o in up.options if o not in yes]
    if ob is None or ob.kind in _OWN_TEXT_KINDS:
        return up.imposing(lic.id)
    # The same duty in another license (Llama 3.1's and 3.3's "Built with Llama", any use restrictions
    # to pass on) is imposed by that checkpoint too.
    yes = [
        o
        for o in up.options
        if any(
            other.kind == ob.kind and all(getattr(other, p) == getattr(ob, p) for p in _DUTY_PARAMS)
            for x in o.licenses
            for other in x.obligations
        )
    ]
    return yes, [o for o in up.options if o not in yes]


# Duties about one license's own text (a copy of it, its NOTICE content): no other license fulfils them.
_OWN_TEXT_KINDS = ("license-copy", "notice-file")
# What makes two obligations of the same kind the same duty.
_DUTY_PARAMS = ("notice_text", "display_phrases", "prefix", "monthly_active_users", "region")


def _only_some(up: Upstream, yes: list, no: list, severity: str, message: str, fix: str) -> tuple[str, str, str]:
    """A duty that only some of the checkpoints the evidence fits impose: a warning that names them and
    says how to settle it (CONTRACT: error level is kept for duties every candidate imposes)."""
    if severity == "error":
        severity = "warning"
    others = "; ".join(f"{o.label}: {o.terms_label()}" for o in no)
    message = (
        f"{message} Only some of the checkpoints this model's evidence fits impose this: it holds if the base "
        f"is {_names(yes)}, not if it is one of {others}."
    )
    every = ", ".join(dict.fromkeys(o.model for o in up.options))
    fix = (
        f"Declare `base_model:` with the exact repository the weights come from ({every}) so the terms that "
        f"apply are known; if it is {_names(yes, plain=True)}: {fix}"
    )
    return severity, message, fix


def _names(options: list, plain: bool = False) -> str:
    names = [o.model if plain else o.label for o in options]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


def _declared_keys(ctx: AuditContext) -> list[str]:
    """The card's license keys: `license_name` for `license: other`, and every entry of a `license:` list
    (a card listing `[llama3.1, cc-by-nc-4.0]` keeps the Llama terms while adding its own)."""
    raw = ctx.snapshot.card.metadata.get("license")
    keys = [ctx.snapshot.card.effective_license]
    if isinstance(raw, list):
        keys += [str(k).strip().lower() for k in raw[1:] if k is not None]
    return [k for k in keys if k and k not in ("other", "unknown")]


def _file_license(ctx: AuditContext) -> tuple[str, str] | None:
    """(license id, file) of the terms the repository's own license file grants, for a card that declares
    none; None when that cannot be told.

    A weights license file (MODEL_LICENSE, LICENSE-MODEL) is the one that speaks for the model; failing that,
    the top-level LICENSE. A file that is an upstream's own license text is that upstream's copy, not a
    grant; and a repository that names an upstream's license anywhere may be keeping those terms beside its
    own, so no single file can be read as the model's license then.
    """
    upstream_ids = {lic.id for up in ctx.upstreams for lic in up.licenses}
    if any(m.id in upstream_ids and not m.renamed for lf in ctx.license_files for m in lf.licenses):
        return None
    files = _grant_files(ctx)
    if len(files) != 1:
        return None
    # A license's text adopted under another name is terms the catalog does not hold as such.
    texts = {m.terms_id for m in files[0].licenses if m.kind == "text"}
    if len(texts) != 1 or OTHER_ID in texts or any(_is_policy(ctx, t) for t in texts):
        return None
    return texts.pop(), files[0].path


def _grant_files(ctx: AuditContext) -> list[LicenseFile]:
    """The top-level files that speak for the model's own terms: its weights license files (MODEL_LICENSE,
    LICENSE-MODEL), failing those its top-level LICENSE."""
    top = [lf for lf in ctx.license_files if "/" not in lf.path and is_grant_file(lf.path)]
    weights = [lf for lf in top if _MODEL_LICENSE_NAME.search(lf.path)]
    return weights or [lf for lf in top if lf in ctx.primary_license_files]


def undecided_license(ctx: AuditContext) -> str | None:
    """A note when the card declares no license and the files that speak for the model's terms hold
    different licenses (a publisher keeping its earlier license beside the one that replaced it): which
    one the model is under, and so whether its upstreams allow it, is not established."""
    if _declared_keys(ctx):
        return None
    files = _grant_files(ctx)
    ids = sorted(
        {
            m.id
            for lf in files
            for m in lf.licenses
            if m.kind == "text" and m.terms_id != OTHER_ID and not _is_policy(ctx, m.id)
        }
    )
    if len(ids) < 2:
        return None
    paths = ", ".join(lf.path for lf in files)
    return (
        f"license: the card declares none, and {paths} hold different licenses ({', '.join(ids)}); which of "
        "them the model is under was not established, nor whether its upstreams allow it (declare it in the "
        "card's `license:`)"
    )


def own_release(ctx: AuditContext) -> str | None:
    """A note when the audited Hub repository's owner publishes an upstream itself: that upstream's license
    binds its licensees, not its licensor, so none of its duties are asked of this release."""
    ups = ctx.own_releases
    if not ups:
        return None
    owner = ctx.licensor_of(ups[0])
    names = ", ".join(dict.fromkeys(up.label for up in ups))
    return (
        f"obligations: {ctx.repo_id} is published by {owner}, the publisher of {names}; the duties its license "
        "places on licensees are not asked of its licensor's own release"
    )


def _prose_license(ctx: AuditContext) -> tuple[str, int] | None:
    """(license id, line) the card's text states as the model's license when its front matter declares none
    and no license file speaks for it ("- **License:** Apache"); None when the text names none, several, or an
    upstream's own license (kept beside the model's terms)."""
    named = named_in_prose(ctx)
    if named is None:
        return None
    upstream_ids = {lic.id for up in ctx.upstreams for lic in up.licenses}
    if named[0].id in upstream_ids or any(is_grant_file(lf.path) for lf in ctx.primary_license_files):
        return None
    return named[0].id, named[1]


_MODEL_LICENSE_NAME = re.compile(r"(model|weight)s?[-_ .]?licen[cs]e|licen[cs]e[-_ .]?(model|weight)", re.I)


def check_incompatible(ctx: AuditContext) -> Iterator[Finding]:
    keys = _declared_keys(ctx)
    from_file = None
    from_prose = None
    if not keys:
        from_file = _file_license(ctx)
        if from_file is None:
            from_prose = _prose_license(ctx)
            if from_prose is None:
                return
            keys = [from_prose[0]]
        else:
            keys = [from_file[0]]
    key = keys[0]
    # A name of its own for the terms its `license_link` holds (the repository's license file, a license's page).
    linked = ctx.declared if ctx.catalog.get(key) is None and key == ctx.snapshot.card.effective_license else None
    said = f"`{key}`" + (f" (the {linked.name}, by its `license_link`)" if linked is not None else "")
    for up in ctx.upstreams:
        found_for: dict[str, tuple[str, str]] = {}
        # A registered base published under several licenses (NVIDIA's Llama-Nemotron: its Open Model License and
        # the Llama 3.3 Community License): a derivative declaring the license the base itself declares keeps its
        # base's own terms, which relicenses nothing the base's publisher did not. (DeepSeek-V3's MIT is its code's:
        # the base declares its model license, and MIT declared for a derivative is still judged.)
        base = up.known
        own = set(base.all_licenses) if base is not None and len(base.all_licenses) > 1 else set()
        kept = (
            base is not None
            and bool(own)
            and any((d := ctx.catalog.get(k)) is not None and d.id == base.license for k in keys)
        )
        for lic in up.licenses:
            if kept and lic.id in own:
                continue
            verdicts = [incompatibility(lic, ctx.catalog.get(k) or (linked if k == key else None), k) for k in keys]
            found = None if any(v is None for v in verdicts) else verdicts[0]
            if found:
                found_for[lic.id] = found
        # Under ambiguity the declared license is wrong for certain only when it is wrong for every
        # checkpoint the evidence fits (each through any of its licenses).
        everywhere = not up.options or all(o.license_ids & set(found_for) for o in up.options)
        for lic in up.licenses:
            if lic.id not in found_for:
                continue
            reason, kind = found_for[lic.id]
            duty = next(iter(lic.obligations_of(kind) or [o for o in lic.obligations if o.kind in _COMPAT_KINDS]), None)
            if from_prose is not None:
                # No `license:` key, but the card's text says what the model is under ("License: Apache").
                path = ctx.card_path
                message = (
                    f"The card declares no `license:` but {path} line {from_prose[1]} states `{key}` as its license, "
                    f"which cannot be granted for a derivative of {up.label} under the {lic.name}: {reason}."
                )
                fix = (
                    f"Declare `{_card_value(lic)}` in the front matter of {path} (or terms the {lic.name} allows), "
                    f"correct the statement on line {from_prose[1]}, and keep the {lic.name} duties."
                )
            elif from_file is None:
                message = f"The card declares {said}, which cannot be granted for a derivative of {up.label} under the {lic.name}: {reason}."
                path = ctx.card_path
                fix = f"Declare `{_card_value(lic)}` in the card (or terms the {lic.name} allows) and keep its duties."
            else:
                # The card says nothing, so the license file is read as the model's terms; it may cover only
                # the code, which the repository does not say: a warning that states both readings.
                path = from_file[1]
                message = (
                    f"The card declares no license and {path} is the `{key}` text, which cannot be granted for a "
                    f"derivative of {up.label} under the {lic.name}: {reason}; if {path} covers only the code, "
                    f"nothing says which terms cover the weights."
                )
                fix = (
                    f"Declare `{_card_value(lic)}` in {ctx.card_path} for the model (keeping {path} for the code "
                    f"if that is what it covers) and keep the {lic.name} duties."
                )
            f = _finding(ctx, "license-incompatible", up, lic, duty, message, path, fix)
            if from_prose is not None:
                f.line = from_prose[1]
            if from_file is not None:
                f.severity = "warning" if f.severity == "error" else f.severity
            elif everywhere and f.severity == "warning" and up.derived:
                f.severity = RULES["license-incompatible"].severity  # holds for every candidate
            yield f


_COMPAT_KINDS = ("same-license", "sharealike", "noncommercial", "no-derivatives")


def _card_value(lic: License) -> str:
    f = lic.card_fields
    return f["license"] if "license_name" not in f else f"license: other, license_name: {f['license_name']}"


def incompatibility(upstream: License, declared: License | None, declared_key: str) -> tuple[str, str] | None:
    """Why `declared` cannot be the license of a derivative of `upstream` (reason, obligation kind), or None.

    The matrix is data: each upstream license's `derivatives` block (`relicense: same|any|none`, `allowed`,
    `forbid`, `forbid_categories`) plus its `commercial_use` and `sharealike` flags. A declared key the
    catalog does not know is judged where its terms do not matter (an upstream that allows no other license),
    and on non-commercial weights, where nothing establishes that it keeps the use non-commercial; whether it
    carries an upstream's use restrictions is not known, and the audit says so (license-unknown) instead of
    taking it for some known kind of terms.
    """
    rules = upstream.derivatives
    if rules.get("relicense") == "none":
        return f"the {upstream.name} does not allow sharing adapted material at all", "no-derivatives"
    if declared is not None and declared.id == upstream.id:
        return None
    if declared is None and upstream.goes_by(declared_key):
        return None  # the upstream's own edition by the name the publisher's cards give every edition ("exaone")
    declared_id = declared.id if declared else declared_key
    allowed = set(rules.get("allowed") or []) | {upstream.id}
    if declared_id in set(rules.get("forbid") or []):
        return f"the {upstream.name} does not allow `{declared_id}` for derivatives", "same-license"
    if upstream.sharealike and declared_id not in allowed:
        return "its ShareAlike terms require the same or a compatible license", "sharealike"
    if rules.get("relicense") == "same" and declared_id not in allowed:
        return f"the {upstream.name} does not allow relicensing; derivatives stay under it", "same-license"
    if not upstream.commercial_use and (declared is None or declared.commercial_use):
        if declared is None:
            # Terms the catalog does not hold: nothing establishes that they keep the use non-commercial.
            return (
                f"the upstream forbids commercial use and `{declared_key}` is not a license the catalog holds, so "
                f"nothing establishes that it forbids it too",
                "noncommercial",
            )
        return "the upstream forbids commercial use and the declared license permits it", "noncommercial"
    if declared is None:
        return None  # whether unknown terms carry the upstream's use restrictions: license-unknown says it
    category = declared.category
    if category in (rules.get("forbid_categories") or []) and declared_id not in allowed:
        return f"a {category} license drops the use restrictions the upstream requires to travel", "use-restrictions"
    return None


def _carriers(up: Upstream) -> str:
    """What a duty travels with here: a copy of the upstream itself (a mirror, a re-upload) is a
    redistribution of it, not a derivative."""
    return "copies" if up.candidate.copy else "derivatives"


# --- one function per obligation kind -------------------------------------------------------------


def _license_copy(ctx: AuditContext, up: Upstream, lic: License, ob: Obligation) -> Iterator[Finding]:
    if ctx.has_license_text(lic.id):
        return
    if ob.link_ok and ((lic.url and ctx.mentions(lic.url)) or ctx.links_to(lic)):
        return
    path = copy_path(lic, ctx.snapshot.files, ctx.snapshot.card.effective_license)
    refs = [lf.path for lf in ctx.license_files if lic.id in lf.ids("reference")]
    detail = f" ({refs[0]} only refers to it)" if refs else ""
    yield _finding(
        ctx,
        "upstream-license-missing",
        up,
        lic,
        ob,
        f"{up.label} is under the {lic.name}, which must travel with {_carriers(up)}, but no copy of it is in the repository{detail}.",
        path,
        add_copy_advice(lic, path, up.copyright),
    )


def _copyright(ctx: AuditContext, up: Upstream, lic: License, ob: Obligation) -> Iterator[Finding]:
    if not up.known:
        return
    for line in up.known.copyright:
        if ctx.mentions(line):
            continue
        yield _finding(
            ctx,
            "upstream-notice-missing",
            up,
            lic,
            ob,
            f'The copyright line "{line}" of {up.label} is missing from the repository.',
            "NOTICE",
            f'Add "{line}" to a NOTICE file next to the upstream license text.',
        )


def _notice_text(ctx: AuditContext, up: Upstream, lic: License, ob: Obligation) -> Iterator[Finding]:
    text = ob.notice_text
    if not text or ctx.mentions(text, outside_copies=True, in_files=True):
        return
    path = ob.file or "NOTICE"
    if ctx.mentions(text, outside_copies=True):
        # The words are in the card, but the license asks for them in a "Notice" text file that travels with
        # the copies (the card is not part of every copy): said, one level lower than a notice that is absent.
        f = _finding(
            ctx,
            "upstream-notice-missing",
            up,
            lic,
            ob,
            f'The {lic.name} of {up.label} requires the notice "{text}" in a "Notice" text file distributed with '
            f"the model; {ctx.card_path} carries it, but no Notice file does.",
            path,
            f'Add the line "{text}" to {path} as well.',
        )
        f.severity = "warning" if f.severity == "error" else f.severity
        yield f
        return
    yield _finding(
        ctx,
        "upstream-notice-missing",
        up,
        lic,
        ob,
        f'The {lic.name} of {up.label} requires the notice "{text}" in a Notice file, and the repository does not carry it.',
        path,
        f'Add the line "{text}" to {path}.',
    )


def _notice_file(ctx: AuditContext, up: Upstream, lic: License, ob: Obligation) -> Iterator[Finding]:
    notice = up.known.notice if up.known else None
    if not notice:
        return
    lines = [ln.strip() for ln in notice.splitlines() if ln.strip()]
    missing = [ln for ln in lines if not ctx.mentions(ln)]
    if not missing:
        return
    yield _finding(
        ctx,
        "upstream-notice-missing",
        up,
        lic,
        ob,
        f'{up.label} ships a NOTICE file whose attribution notices must travel with {_carriers(up)}, and "{missing[0]}" is missing.',
        ob.file or "NOTICE",
        f"Copy the attribution notices of {up.id}'s NOTICE into this repository's NOTICE file.",
    )


def _attribution(ctx: AuditContext, up: Upstream, lic: License, ob: Obligation) -> Iterator[Finding]:
    phrases = ob.display_phrases
    if not phrases or any(ctx.mentions(p, outside_copies=True) for p in phrases):
        return
    want = " or ".join(f'"{p}"' for p in phrases)
    yield _finding(
        ctx,
        "attribution-missing",
        up,
        lic,
        ob,
        f"The {lic.name} requires {_carriers(up)} of {up.label} to display {want}, and the card does not.",
        ctx.card_path,
        f"Add {want} prominently to {ctx.card_path}.",
    )


def _name_prefix(ctx: AuditContext, up: Upstream, lic: License, ob: Obligation) -> Iterator[Finding]:
    prefix = ob.prefix
    if not prefix or up.candidate.copy:
        return  # the prefix is asked of a derivative's name; a copy keeps the model's own
    names = ctx.names or [("the model name", ctx.model.name)]
    bad = [(w, n) for w, n in names if not begins_with(n.split("/")[-1], str(prefix))]
    if not bad:
        return
    said = " and ".join(f'"{n}" ({w})' for w, n in bad)
    message = f'The {lic.name} of {up.label} requires a derivative\'s name to begin with "{prefix}", and {said} '
    message += "does not." if len(bad) == 1 else "do not."
    good = [(w, n) for w, n in names if (w, n) not in bad]
    if good:
        # A folder name and a title disagree, and the card sets no `model_name`: which one the model is
        # published under is not known here, so the duty is stated, not decided.
        message += (
            f' "{good[0][1]}" ({good[0][0]}) does; the card sets no `model_name`, so the published name is not '
            "established."
        )
    # A quantization that keeps the prefix in its name (Meta-Llama-3-8B-Instruct-GGUF keeps Meta's own name)
    # presents the upstream in another format: the clause names models made by creating, training, fine-tuning
    # or otherwise improving one, and whether a format conversion is such a model the terms do not settle.
    kept = up.relation == "quantized" and all(_prefix_at(n.split("/")[-1], str(prefix)) is not None for _, n in bad)
    if kept:
        message += (
            f' This is a quantization that keeps "{prefix}" in its name, and whether the clause covers a format '
            "conversion of the upstream is not settled."
        )
    example = _renamed(
        [n.split("/")[-1] for _, n in bad if " " not in n.strip()], str(prefix), up.id.rsplit("/", 1)[-1]
    )
    eg = f' (e.g. "{example}")' if example else ""
    fix = f'Rename the model to begin with "{prefix}"{eg} and set `model_name` in the card.'
    f = _finding(ctx, "name-prefix-required", up, lic, ob, message, ctx.card_path, fix)
    if (good or kept) and f.severity == "error":
        f.severity = "warning"
    yield f


def _renamed(names: list[str], prefix: str, upstream: str) -> str | None:
    """A name beginning with `prefix` for one of `names` (single words), never holding the prefix twice: the
    prefix put before a name without it (Harbor-8B -> Llama-3-Harbor-8B); a name holding it further on from
    there, without the words of the upstream's own name before it (Meta-Llama-3-8B-Instruct-GGUF ->
    Llama-3-8B-Instruct-GGUF) and with its own moved after it (Harbor-Llama-3.1-8B -> Llama-3.1-8B-Harbor).
    A name that needs nothing moved is preferred."""
    options = [_rename(n, prefix, upstream) for n in names]
    return min(options, key=lambda o: o[1])[0] if options else None


def _rename(name: str, prefix: str, upstream: str) -> tuple[str, bool]:
    """(a name beginning with `prefix` for `name`, whether words of `name` were moved after the prefix)."""
    at = _prefix_at(name, prefix)
    if at is None:
        return "-".join(_WORD.findall(prefix)) + "-" + name, False
    own = _WORD.findall(name[:at])
    at_up = _prefix_at(upstream, prefix)
    theirs = [w.lower() for w in _WORD.findall(upstream[:at_up])] if at_up is not None else []
    while own and theirs and own[-1].lower() == theirs[-1]:
        own.pop()
        theirs.pop()
    return (f"{name[at:]}-{'-'.join(own)}", True) if own else (name[at:], False)


_WORD = re.compile(r"[^\W_]+")


def _prefix_at(name: str, prefix: str) -> int | None:
    """Where in `name` a word begins with `prefix` (the whole name, or a part after a separator); None if none."""
    for i in range(len(name)):
        if (i == 0 or not name[i - 1].isalnum()) and name[i].isalnum() and begins_with(name[i:], prefix):
            return i
    return None


def begins_with(name: str, prefix: str) -> bool:
    """Whether `name` begins with the word(s) `prefix`, as a name asked to begin with "Llama" must.

    "Llama-3-8B-Chat", "Llama 3 Chat" and "llama3-chat" begin with "Llama 3": separators between the words
    are free, and a version number may follow the word directly ("Llama3"). The prefix must end where a word
    does: "Llamacpp imatrix Quantizations" (the llama.cpp tool's name) begins with another word, while
    "LlamaGuard-7b" (Meta's own name for its model) joins "Llama" to the next word by a capital, and
    "Llama-30B" is no "Llama 3".
    """
    words = _WORD.findall(prefix)
    if not words:
        return False
    m = re.match(r"[\W_]*(" + r"[\W_]*".join(re.escape(w) for w in words) + ")", name, re.I)
    if m is None:
        return False
    rest = name[m.end() :]
    if not rest or not rest[0].isalnum():
        return True
    last, nxt = name[m.end() - 1], rest[0]
    if last.isdigit():
        return not nxt.isdigit()
    return nxt.isdigit() or (last.islower() and nxt.isupper())


def _regional_restriction(ctx: AuditContext, up: Upstream, lic: License, ob: Obligation) -> Iterator[Finding]:
    # The Llama 3.2+ use policies withhold Section 1(a) for multimodal models from EU-domiciled licensees.
    markers = ob.markers
    if any(ctx.mentions(m) for m in markers):
        return
    region = ob.region or "the region"
    what = (
        "its rights in multimodal models, such as this derivative of"
        if ob.applies_to == "multimodal"
        else "its rights in derivatives of"
    )
    yield _finding(
        ctx,
        "regional-restriction",
        up,
        lic,
        ob,
        f"The {lic.name} ({ob.clause or 'use policy'}) withholds {what} {up.label}, from individuals and companies "
        f"based in {region}, and the repository does not say so.",
        ctx.card_path,
        f"Check that the publisher is not based in {region}, and state the restriction in {ctx.card_path} "
        f"(it does not reach end users of a product that incorporates the model).",
    )


def _use_restrictions(ctx: AuditContext, up: Upstream, lic: License, ob: Obligation) -> Iterator[Finding]:
    markers = ob.markers
    if any(ctx.mentions(m) for m in markers) or ctx.files_named("use_policy", "use-policy", "acceptable_use"):
        return
    where = ob.policy_url
    fix = (
        f"Include the {lic.name} use restrictions as binding terms in the license, or link its use policy"
        f"{f' ({where})' if where else ''} from {ctx.card_path}."
    )
    yield _finding(
        ctx,
        "use-restrictions-missing",
        up,
        lic,
        ob,
        f"The {lic.name} requires its use restrictions to be passed on to users of {_carriers(up)} of {up.label}, and the repository does not pass them on.",
        ctx.card_path,
        fix,
    )


def _usage_threshold(ctx: AuditContext, up: Upstream, lic: License, ob: Obligation) -> Iterator[Finding]:
    mau = ob.monthly_active_users
    if not mau:
        return
    yield _finding(
        ctx,
        "usage-threshold",
        up,
        lic,
        ob,
        f"The {lic.name} of {up.label} requires a separate license above {mau:,} monthly active users.",
        ctx.card_path,
        "Request a license from the upstream licensor before exceeding the threshold.",
    )


def _commercial_registration(ctx: AuditContext, up: Upstream, lic: License, ob: Obligation) -> Iterator[Finding]:
    # Like a user threshold, these conditions bind commercial use, which no file shows: a reminder naming them.
    quote = " ".join((ob.quote or "").split())
    if len(quote) > 240:
        quote = quote[:240].rsplit(" ", 1)[0] + " ..."
    yield _finding(
        ctx,
        "usage-threshold",
        up,
        lic,
        ob,
        f'The {lic.name} of {up.label} puts commercial use under conditions of its own: "{quote}"',
        ctx.card_path,
        "Meet those conditions (registering with or applying to the upstream licensor where they say so) before "
        "any commercial use.",
    )


HANDLERS: dict[str, Callable[[AuditContext, Upstream, License, Obligation], Iterator[Finding]]] = {
    "license-copy": _license_copy,
    "copyright": _copyright,
    "notice-text": _notice_text,
    "notice-file": _notice_file,
    "attribution": _attribution,
    "name-prefix": _name_prefix,
    "use-restrictions": _use_restrictions,
    "usage-threshold": _usage_threshold,
    "commercial-registration": _commercial_registration,
    "regional-restriction": _regional_restriction,
}


def _applies(ctx: AuditContext, up: Upstream, ob: Obligation) -> bool:
    """Duties limited to some models: `models:` (globs of upstream ids, e.g. NVIDIA Cosmos) and
    `applies_to: multimodal` (the derivative or the upstream takes images)."""
    globs = ob.models
    if globs and not any(fnmatch.fnmatchcase(up.id.lower(), str(g).lower()) for g in globs):
        return False
    if ob.applies_to == "multimodal":
        return ctx.is_multimodal or bool(up.known and up.known.multimodal)
    return True


def check_obligations(ctx: AuditContext) -> Iterator[Finding]:
    done: set[tuple[str, str, int]] = set()
    # Strongest evidence first, so a duty shared by two candidate upstreams is reported once, at its surest
    # (an upstream whose license is only inferred from a family name comes after the derived ones). Among the
    # derived ones, a registered model (the licensor's checkpoint, which a merge may take through a re-upload)
    # names the duty before a model whose license was only looked up, declared by the card or inferred.
    for up in sorted(ctx.upstreams, key=lambda u: (not u.derived, u.known is None, -u.candidate.confidence)):
        for lic in up.licenses:
            for idx, ob in enumerate(lic.obligations):
                handler = HANDLERS.get(ob.kind)
                if handler is None or not _applies(ctx, up, ob):
                    continue
                # Copyright lines belong to the upstream model, not to one of its licenses: check them once.
                key: tuple = (up.id, ob.kind, -1) if ob.kind == "copyright" else (lic.id, ob.kind, idx)
                if up.options and ob.kind not in _OWN_TEXT_KINDS and ob.kind != "copyright":
                    # Checkpoints under different licenses that ask the same thing: one duty, told once.
                    key = (up.id, ob.kind, tuple(repr(getattr(ob, p)) for p in _DUTY_PARAMS))
                if key in done:
                    continue
                done.add(key)
                yield from handler(ctx, up, lic, ob)
