"""One piece of lineage evidence (a Hit) and the order within a set of equally good matches."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from license_audit.registry import KnownModel


@dataclass
class Hit:
    """One piece of evidence that the repository derives from a model."""

    model: str
    score: float
    text: str
    relation: str | None = None
    declared: bool = False
    cap: float | None = None
    alternatives: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # unscored evidence lines listed after the scored ones


def tie_key(known: KnownModel) -> tuple:
    # Within a set of config-identical models: the first released (the architecture's origin), then base
    # checkpoints before chat/instruct ones.
    chatty = bool(re.search(r"(instruct|chat|-it$)", known.id, re.IGNORECASE))
    return (known.released or "9999", chatty, known.id)
