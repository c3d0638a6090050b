"""The models a watch audits: those whose card declares the base, and those tagged with its architecture.

Both come from Hub listings (sources.hub_listing), which resume where an interrupted run stopped. A
model tagged with the architecture is only a candidate: whether it looks like the base is what its
audit's lineage says (`base_match`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from license_audit.errors import InputError
from license_audit.registry import KnownModel, Registry
from license_audit.sources.hub_listing import Listed, ListingState, derivative_filters, list_models


def derivative_candidates(base: str, state: ListingState) -> list[Listed]:
    """Models whose card declares `base`, through any relation (one listing per relation), by id."""
    found: dict[str, Listed] = {}
    for filters in derivative_filters(base):
        for model in list_models(f"hf-derivatives:{base}|{filters[0]}", filters, state):
            found.setdefault(model.id, model)
    return [found[k] for k in sorted(found)]


def arch_candidates(
    model_type: str, state: ListingState, base: str | None = None, registry: Registry | None = None
) -> list[Listed]:
    """Models tagged with `model_type`; with `base`, only those whose config.json matches it."""
    found: dict[str, Listed] = {}
    for model in list_models(f"hf-arch:{model_type}", [model_type], state):
        found.setdefault(model.id, model)
    models = [found[k] for k in sorted(found)]
    if base is None:
        return models
    if registry is None:
        raise TypeError("arch_candidates: a base needs the registry that knows it")
    known = known_base(base, registry)
    return [m for m in models if config_confidence(m, known, registry) >= 0.5]


def known_base(base: str, registry: Registry) -> KnownModel:
    known = registry.get(base)
    if known is None:
        raise InputError(
            f"{base}: not a base model license-audit knows; add it with `license-audit registry build "
            f"hf:{base}` and pass the folder with --rules"
        )
    return known


def model_type_of(known: KnownModel) -> str:
    sig = known.signature or {}
    value = sig.get("model_type") or (sig.get("text_config") or {}).get("model_type")
    if not isinstance(value, str) or not value:
        raise InputError(f"{known.id}: the registry records no model_type for it, so its architecture tag is unknown")
    return value


def same_base(model: str, known: KnownModel, registry: Registry) -> bool:
    """Whether a lineage candidate names the base or a model of its family (config-identical releases
    such as DeepSeek-V3, V3.1 and R1 cannot be told apart by configuration)."""
    if model == known.id or model in (known.aliases or []):
        return True
    other = registry.get(model)
    return other is not None and other.family == known.family


def base_match(lineage: Iterable[dict[str, Any]], known: KnownModel, registry: Registry) -> dict[str, Any] | None:
    """The report's lineage entry for the base (or its family), best first; None when there is none."""
    for cand in lineage:  # reports list candidates best first
        if same_base(cand.get("model", ""), known, registry):
            return cand
    return None


def config_confidence(model: Listed, known: KnownModel, registry: Registry) -> float:
    """How strongly the model's config.json says it derives from the base: 0 when it has none, 1 when it
    cannot be read (a filter keeps what it cannot judge)."""
    from license_audit.errors import TargetError
    from license_audit.lineage import find_lineage
    from license_audit.sources.hub import hub_errors, materialise

    if "config.json" not in model.files or not model.sha:
        return 0.0
    try:
        with hub_errors(model.id, model.sha, "config.json"):
            target = materialise(
                model.id, model.sha, ["config.json"], {}, [], want=lambda rel: rel == "config.json", by_commit=True
            )
    except TargetError:
        # Gated, removed, rate-limited past the retries: unknown, so kept; its audit records why.
        return 1.0
    try:
        candidates = find_lineage(target.crawl(), registry)
    finally:
        target.close()
    match = base_match([c.to_dict() for c in candidates], known, registry)
    return float(match["confidence"]) if match else 0.0
