"""Lineage: which upstream models a repository derives from, each with evidence and a confidence.

Evidence sources are scored independently and combined per upstream model: declared `base_model`, adapter,
merge and GGUF declarations, card prose, config.json signature, safetensors headers, tokenizer vocabulary;
`--against` adds a sampled weight comparison with a given base checkpoint.
"""

from __future__ import annotations

from pathlib import Path

from license_audit.crawl import Snapshot
from license_audit.lineage.evidence import collect_candidates

__all__ = ["collect_candidates", "find_lineage", "with_weights"]


def find_lineage(snapshot: Snapshot, registry, min_confidence: float = 0.5, context=None):
    """Candidates at or above min_confidence. With a lineage.openworld.LineageContext, bases outside the
    registry are resolved (chain, Hub or caches, families) and the model's own names and license are
    evidence too; without one, only the registry and local caches are consulted."""
    from license_audit.lineage.openworld import LineageContext, open_world

    if context is None:
        from license_audit.lineage.families import load_families

        context = LineageContext(families=load_families())
    out = []
    for c in open_world(
        snapshot,
        registry,
        collect_candidates(snapshot, registry, context.families, context.catalog, names=context.own_names()),
        context,
    ):
        # Decide on the confidence the report shows (2 decimals): a 0.7996 shown as 0.8 is "derived".
        c.confidence = round(c.confidence, 2)
        if c.confidence >= min_confidence:
            out.append(c)
    return out


def with_weights(snapshot: Snapshot, candidates: list, base_root: Path, label: str, registry):
    """Candidates with the weight comparison against base_root folded in, and the comparison itself."""
    from license_audit.crawl import crawl
    from license_audit.lineage.evidence import infer_relation
    from license_audit.lineage.weights import compare_checkpoints
    from license_audit.report import Candidate

    result = compare_checkpoints(snapshot.root, base_root, label)
    # Which model the base folder is: its own declared/identified lineage when it is a known model.
    base_snap = crawl(base_root)
    base_cands = [c for c in collect_candidates(base_snap, registry) if c.confidence >= 0.8 and not c.declared]
    known = registry.get(base_cands[0].model) if base_cands else None
    model_id = known.id if known else (base_snap.card.model_name or base_root.name)
    # An unknown base still says its own license in its card: that is the license its derivatives owe.
    base_license = known.license if known else base_snap.card.effective_license
    conf = result.confidence
    extra = _tokenizer_against(snapshot, base_snap, label)
    out = list(candidates)

    def is_base(c) -> bool:  # a candidate reported under one of the entry's aliases is the same base
        return c.model == model_id or (known is not None and registry.get(c.model) is known)

    if conf <= 0:
        for c in out:
            if is_base(c):
                if result.verdict == "independent" and not c.declared:
                    # Uncorrelated weights: a config or name match with this base is shape reuse, not derivation.
                    c.confidence = min(c.confidence, 0.45)
                c.evidence.append(result.sentence())
                c.evidence += extra
        return out, result
    cand = next((c for c in out if is_base(c)), None)
    if cand is None:
        cand = Candidate(
            model_id, known.family if known else None, infer_relation(snapshot, known), False, 0.0, base_license
        )
        out.append(cand)
    if cand.license is None:
        cand.license = base_license
    if not cand.declared:
        cand.confidence = round(1 - (1 - cand.confidence) * (1 - conf), 4)
    cand.evidence.append(result.sentence())
    cand.evidence += extra
    out.sort(key=lambda c: (-c.confidence, c.model))
    return out, result


def _tokenizer_against(snapshot: Snapshot, base_snap: Snapshot, label: str) -> list[str]:
    """One evidence line comparing the two repositories' vocabularies, when both ship tokenizer.json."""
    from license_audit.tokenizer import relate, vocab_hash

    mine = snapshot.artifacts.vocab_tokens if snapshot.artifacts else []
    theirs = base_snap.artifacts.vocab_tokens if base_snap.artifacts else []
    if not mine or not theirs:
        return []
    rel = relate({"vocab_size": len(theirs), "vocab_sha256": vocab_hash(theirs)}, mine)
    return [f"tokenizer.json against {label}: {rel[1]}"] if rel else []
