"""Checks that compare the declared `base_model` with the lineage evidence."""

from __future__ import annotations

import re
from collections.abc import Iterator

from license_audit.checks.context import AuditContext
from license_audit.lineage.evidence import RELATION_LINE
from license_audit.lineage.identity import is_local_path
from license_audit.lineage.names import declared_model
from license_audit.lineage.signature import compare, signature_of
from license_audit.report import Finding
from license_audit.rule_ids import RULES


def _severity(rule: str, confidence: float) -> str:
    default = RULES[rule].severity
    if default == "error" and confidence < 0.8:
        return "warning"
    return default


def check_base_model_undeclared(ctx: AuditContext) -> Iterator[Finding]:
    declared = [b.lower() for b in ctx.snapshot.card.base_models]
    declared_known = [declared_model(b, ctx.registry) for b in ctx.snapshot.card.base_models]
    declared_families = {k.family for k in declared_known if k}
    has_unknown_declared = any(k is None for k in declared_known)
    for cand in ctx.candidates:
        if cand.declared or cand.confidence < 0.5 or cand.same_model or cand.copy:
            continue  # a copy of a model is that model, not an undeclared derivative of it
        names = {cand.model.lower(), *(a.lower() for a in cand.alternatives)}
        if cand.checkpoint:
            names.add(cand.checkpoint.partition("@")[0].lower())  # the name the repository gives it
        if names & set(declared):
            continue
        # A declared base of the candidate's family stands for it; a declared base we do not know may itself
        # derive from it (a chain). A merged model is a base of its own: a declared parent does not stand for
        # the others.
        evidence = "; ".join([e for e in cand.evidence if not e.startswith(RELATION_LINE)][:2])
        card = ctx.card_path
        if cand.family and cand.family in declared_families and not cand.merged_in:
            continue
        if has_unknown_declared and not cand.merged_in:
            # A declared base that cannot be looked up may be built on the candidate (a chain the card need not
            # spell out), and its name says so when it names the candidate's family ("OLMo-2-1124-13B-Instruct-RLVR2"
            # over OLMo 2's config). One whose name does not (a publisher declaring an unpublished base of its own
            # over DeepSeek-V3's config) leaves strong evidence of the candidate unexplained: said, as far as it holds.
            if cand.confidence >= 0.8 and not cand.family_only and not _named_family(ctx, cand):
                yield _behind_unknown(ctx, cand, evidence)
            continue
        if cand.family_only:
            family = cand.model.removesuffix(" (family)")
            yield Finding(
                rule="base-model-undeclared",
                severity=_severity("base-model-undeclared", cand.confidence),
                message=f"The model appears to derive from a {family} model ({evidence}) but the card's base_model names none.",
                path=_evidence_path(ctx, cand) or card,
                commit=ctx.revision,
                upstream=cand.model,
                fix=f"Add `base_model:` with the id of the {family} checkpoint it was built from to {card}, and carry its license duties.",
            )
            continue
        up = next((u for u in ctx.upstreams if u.candidate is cand and not u.via), None)
        # The checkpoint the repository's words name (a re-upload under its own name), else the candidate.
        named = (cand.checkpoint or cand.model).partition("@")[0]
        if up is not None and up.options:
            # Checkpoints under different terms fit the evidence: the card must say which one it is.
            listed = ", ".join(f"{o.label}: {o.terms_label()}" for o in up.options)
            fix = (
                f"Add `base_model:` to {card} naming the exact repository the weights come from (one of {listed}) "
                f"and carry that checkpoint's license duties."
            )
        elif is_local_path(named):
            # A path on the author's disk names no model anyone else can look up: the Hub id of what was there does.
            fix = (
                f"Add to `base_model:` in {card} the Hub id of the model that was at {named}, "
                "and carry its license duties."
            )
        else:
            fix = f"Add `base_model: {named}` to {card} and carry {named}'s license duties."
        yield Finding(
            rule="base-model-undeclared",
            severity=_severity("base-model-undeclared", cand.confidence),
            message=f"The model appears to derive from {named} ({evidence}) but the card's base_model does not name it.",
            path=_evidence_path(ctx, cand) or ("config.json" if "config.json" in ctx.snapshot.configs else card),
            commit=ctx.revision,
            upstream=named,
            fix=fix,
        )


def _named_family(ctx: AuditContext, cand) -> bool:
    """Whether a declared base the registry does not know names the candidate's family in its own name."""
    if ctx.families is None or not cand.family:
        return False
    for base in ctx.snapshot.card.base_models:
        if declared_model(base, ctx.registry) is not None:
            continue
        fm = ctx.families.match_name(base)
        if fm is not None and (cand.family.startswith(fm.family.id) or fm.family.id.startswith(cand.family)):
            return True
    return False


def _behind_unknown(ctx: AuditContext, cand, evidence: str) -> Finding:
    """base-model-undeclared, at warning level, for a model the evidence names beside a declared base that could
    not be looked up: whether that base is built on it (a chain the card need not spell out) is not established."""
    named = (cand.checkpoint or cand.model).partition("@")[0]
    unknown = [b for b in ctx.snapshot.card.base_models if declared_model(b, ctx.registry) is None]
    which = ", ".join(unknown)
    return Finding(
        rule="base-model-undeclared",
        severity="warning",
        message=(
            f"The model appears to derive from {named} ({evidence}) but the card's base_model does not name it; "
            f"the declared base {which} could not be looked up, so whether it is built on {named} is not established."
        ),
        path=_evidence_path(ctx, cand) or ("config.json" if "config.json" in ctx.snapshot.configs else ctx.card_path),
        commit=ctx.revision,
        upstream=named,
        fix=(
            f"If {which} is built on {named}, make that public (its card's `base_model`) and carry {named}'s license "
            f"duties; otherwise add `base_model: {named}` to {ctx.card_path}."
        ),
    )


def _evidence_path(ctx: AuditContext, cand) -> str | None:
    """The file the strongest evidence line names ("README.md line 11: ...", "config.json: ...")."""
    m = re.match(r"([^\s:]+)(?: line \d+)?:", cand.evidence[0]) if cand.evidence else None
    return m.group(1) if m and m.group(1) in ctx.snapshot.files else None


def check_base_model_mismatch(ctx: AuditContext) -> Iterator[Finding]:
    yield from _config_mismatch(ctx)
    yield from _conversion_mismatch(ctx)


def _conversion_mismatch(ctx: AuditContext) -> Iterator[Finding]:
    """A declared base the card's own conversion sentence contradicts: the weights were converted from X
    ("converted to MLX format from X"), and `base_model` names X's base, or its base/instruct sibling, instead
    (mlx-community's Qwen2.5-7B-Instruct-4bit declares Qwen/Qwen2.5-7B, copied from the Instruct model's card)."""
    bases = ctx.snapshot.card.base_models
    for cand in ctx.candidates:
        if not cand.converted_from or cand.declared or cand.confidence < 0.8:
            continue
        if any(_same_model(b, cand.model, ctx) for b in bases):
            continue
        for base in bases:
            how = _upstream_of(base, cand, ctx)
            if how is None:
                continue
            said = next((e.split(": ", 1)[0] for e in cand.evidence if "converted to" in e), ctx.card_path)
            yield Finding(
                rule="base-model-mismatch",
                severity=RULES["base-model-mismatch"].severity,
                message=(
                    f"The card names {base} as base_model, but {said} says the weights were converted from "
                    f"{cand.model}, and {how}."
                ),
                path=ctx.card_path,
                commit=ctx.revision,
                upstream=base,
                fix=f"Correct `base_model:` in {ctx.card_path} to {cand.model}, the model the weights were converted from.",
            )


def _same_model(a: str, b: str, ctx: AuditContext) -> bool:
    ka, kb = ctx.registry.get(a), ctx.registry.get(b)
    return a.lower() == b.lower() or (ka is not None and ka is kb)


def _upstream_of(base: str, cand, ctx: AuditContext) -> str | None:
    """How the declared `base` stands to the converted model: its base (the registry's `base_model` entries,
    or the chain lineage followed), or its base/instruct sibling; None when neither is known."""
    from license_audit.checks.context import registered_ancestors
    from license_audit.lineage.hits import siblings

    known = ctx.registry.get(base)
    above = registered_ancestors(ctx.registry, [ctx.registry.get(cand.model)])[1:]
    if known is not None and any(k is known for k in above):
        return f"{base} is a base of {cand.model}"
    if any(m.lower() == base.lower() for m in [*cand.chain[1:], *(lk.model for lk in cand.links)]):
        return f"{base} is a base of {cand.model}"
    if siblings(base, cand.model):
        return f"{base} is a sibling checkpoint of it (its base or instruct variant: the same name without the variant words), not it"
    return None


def _config_mismatch(ctx: AuditContext) -> Iterator[Finding]:
    from license_audit.lineage.evidence import pipeline_signature

    pipeline = pipeline_signature(ctx.snapshot)
    cfg = ctx.snapshot.configs.get("config.json")
    if pipeline is not None:
        # A diffusers repository: its denoiser's config against the declared base pipeline's.
        where, observed = pipeline
        cfg = {}
    elif isinstance(cfg, dict):
        where, observed = "config.json", signature_of(cfg)
    else:
        return
    for base in ctx.snapshot.card.base_models:
        known = ctx.registry.get(base)
        if not known or not known.signature or ("denoiser" in known.signature) != (pipeline is not None):
            continue
        score, _equal, differ = compare(known.signature, {**cfg, **observed})
        if score >= 0.75:
            continue
        strongest = next((c for c in ctx.candidates if not c.declared and c.confidence >= 0.8), None)
        also = f"; it matches {strongest.model} instead" if strongest else ""
        yield Finding(
            rule="base-model-mismatch",
            severity=RULES["base-model-mismatch"].severity,
            message=f"The card names {base} as base_model but {where} differs from it in {', '.join(sorted(differ)[:6])}{also}.",
            path=where,
            commit=ctx.revision,
            upstream=known.name_for(base),
            fix="Correct `base_model:` to the model the weights were actually built from.",
        )
