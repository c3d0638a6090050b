"""`upstream-license-unknown`: a declared or inferred base whose license could not be established is named,
with what was tried and how to settle it. No declared base ends in silence."""

from __future__ import annotations

from collections.abc import Iterator

from license_audit.checks.context import AuditContext
from license_audit.report import Candidate, Finding
from license_audit.rule_ids import RULES

RULE = "upstream-license-unknown"


def _where(ctx: AuditContext, cand: Candidate) -> str:
    """The file that names the base: the card for base_model and prose, else the declaring file."""
    first = cand.evidence[0] if cand.evidence else ""
    name = first.split(":", 1)[0].split(" line ", 1)[0].strip()
    return name if name in ctx.snapshot.files else ctx.card_path


def _how(cand: Candidate) -> str:
    return "declared" if cand.declared else "named"


def check_upstream_license_unknown(ctx: AuditContext) -> Iterator[Finding]:
    severity = RULES[RULE].severity
    settled_by_card = {up.candidate.model for up in ctx.upstreams if up.license_from_card}
    declared_key = ctx.snapshot.card.effective_license
    for cand in ctx.candidates:
        if cand.confidence < 0.5 or cand.same_model or cand.model in settled_by_card:
            continue
        known = ctx.registry.get(cand.model)
        if known is not None:
            continue
        where = _where(ctx, cand)
        for model_id, tried in cand.unresolved:
            base = model_id if model_id == cand.model else f"{model_id} (base of {cand.model})"
            yield Finding(
                rule=RULE,
                severity=severity,
                message=(
                    f"The license of the {_how(cand)} base model {base} could not be established "
                    f"({'; '.join(tried)}), so the duties it passes on are not checked."
                ),
                path=where,
                commit=ctx.revision,
                upstream=model_id,
                fix=(
                    f"Add {model_id} (id, family, license) to a models/ entry of a `--rules DIR`, run the audit "
                    f"online once so it is resolved and cached, or name its license in {ctx.card_path} "
                    "(`license: other` with `license_name`)."
                ),
            )
        if cand.chain_problem:
            yield Finding(
                rule=RULE,
                severity=severity,
                message=(
                    f"The base chain of {cand.model} could not be followed to its end ({cand.chain_problem}), so "
                    f"the license at its root is not established."
                ),
                path=where,
                commit=ctx.revision,
                upstream=cand.model,
                fix="Correct the `base_model` entries along the chain, or add its root model to a `--rules DIR`.",
            )
        # A family or chain whose licenses are named but not in the catalog: the duties cannot be checked.
        unknown_ids = sorted(
            {
                lk.license
                for lk in cand.links
                if lk.license and ctx.catalog.get(lk.license) is None and lk.license != declared_key
            }
        )
        if unknown_ids and not any(lk.license and ctx.catalog.get(lk.license) for lk in cand.links):
            yield Finding(
                rule=RULE,
                severity=severity,
                message=(
                    f"{cand.model} is under {', '.join(f'`{u}`' for u in unknown_ids)}, which the license catalog "
                    f"does not hold, so the duties it passes on are not checked."
                ),
                path=where,
                commit=ctx.revision,
                upstream=cand.model,
                fix="Add the license (its text and obligations) to a licenses/ entry of a `--rules DIR`.",
            )
