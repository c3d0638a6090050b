"""Evidence collection and scoring for lineage candidates."""

from __future__ import annotations

from typing import Any

from license_audit.crawl import Snapshot
from license_audit.lineage.signature import compare, signature_of
from license_audit.registry import KnownModel, Registry
from license_audit.report import Candidate

# A config that repeats a known signature this well is treated as that model's architecture.
CONFIG_STRONG = 0.97
CONFIG_MIN_FIELDS = 8


def infer_relation(snapshot: Snapshot) -> str:
    rel = snapshot.card.base_model_relation
    if rel:
        return rel
    if "adapter_config.json" in snapshot.configs:
        return "adapter"
    if len(snapshot.card.base_models) > 1:
        return "merge"
    cfg = snapshot.configs.get("config.json")
    if isinstance(cfg, dict) and cfg.get("quantization_config"):
        return "quantized"
    if any(f.endswith(".gguf") for f in snapshot.files):
        return "quantized"
    return "finetune"


def _config_candidates(config: dict[str, Any], registry: Registry) -> list[tuple[KnownModel, float, str]]:
    observed = signature_of(config)
    # Compare against the full config too, so nested/exported keys still count.
    flat = dict(config)
    flat.update(observed)
    scored = []
    for known in registry:
        if not known.signature:
            continue
        score, equal, differ = compare(known.signature, flat)
        n = len(known.signature)
        if len(equal) < CONFIG_MIN_FIELDS:
            continue
        evidence = f"config.json: {len(equal)} of {n} architecture fields equal"
        if differ:
            evidence += f" (differs: {', '.join(sorted(differ)[:6])})"
        scored.append((known, score, evidence))
    scored.sort(key=lambda t: (-t[1], t[0].id))
    return scored


def _config_confidence(score: float) -> float:
    # Full agreement on a large signature is strong but not proof: another lab could repeat a shape.
    if score >= 0.999:
        return CONFIG_STRONG
    if score >= 0.9:
        return 0.6 + (score - 0.9) * 3.0  # 0.6 .. 0.9
    if score >= 0.75:
        return 0.3 + (score - 0.75) * 2.0
    return score * 0.3


def collect_candidates(snapshot: Snapshot, registry: Registry) -> list[Candidate]:
    relation = infer_relation(snapshot)
    by_model: dict[str, Candidate] = {}

    for base in snapshot.card.base_models:
        known = registry.get(base)
        model_id = known.id if known else base
        by_model[model_id] = Candidate(
            model=model_id,
            family=known.family if known else None,
            relation=relation,
            declared=True,
            confidence=1.0,
            license=known.license if known else None,
            evidence=[f"{snapshot.card.path or 'README.md'}: base_model names {base}"],
        )

    cfg = snapshot.configs.get("config.json")
    if isinstance(cfg, dict):
        scored = _config_candidates(cfg, registry)
        if scored:
            best = scored[0][1]
            ties = [t for t in scored if abs(t[1] - best) < 1e-9]
            for known, score, evidence in scored:
                conf = _config_confidence(score)
                if conf < 0.5:
                    continue
                cand = by_model.get(known.id)
                if cand is None:
                    cand = Candidate(
                        model=known.id,
                        family=known.family,
                        relation=relation,
                        declared=False,
                        confidence=conf,
                        license=known.license,
                    )
                    by_model[known.id] = cand
                cand.evidence.append(evidence)
                if len(ties) > 1 and any(t[0].id == known.id for t in ties):
                    cand.alternatives = sorted(t[0].id for t in ties if t[0].id != known.id)

    adapter = snapshot.configs.get("adapter_config.json")
    if isinstance(adapter, dict):
        base = adapter.get("base_model_name_or_path")
        if isinstance(base, str) and base:
            known = registry.get(base)
            model_id = known.id if known else base
            cand = by_model.get(model_id)
            if cand is None:
                cand = Candidate(model_id, known.family if known else None, "adapter", False, 0.95,
                                 known.license if known else None)
                by_model[model_id] = cand
            cand.relation = "adapter"
            cand.confidence = max(cand.confidence, 0.95)
            cand.evidence.append(f"adapter_config.json: base_model_name_or_path is {base}")

    return sorted(by_model.values(), key=lambda c: (-c.confidence, c.model))
