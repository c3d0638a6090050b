"""Lineage: which upstream models a repository derives from, each with evidence and a confidence.

Evidence sources are scored independently and combined per upstream model:
declared `base_model` in the card, config.json architecture signature, adapter/quantization configs.
"""

from __future__ import annotations

from license_audit.crawl import Snapshot
from license_audit.lineage.evidence import collect_candidates

__all__ = ["find_lineage", "collect_candidates"]


def find_lineage(snapshot: Snapshot, registry, min_confidence: float = 0.5):
    return [c for c in collect_candidates(snapshot, registry) if c.confidence >= min_confidence]
