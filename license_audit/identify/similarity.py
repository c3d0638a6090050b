"""Similarity against a reference text: how much of the license a span actually holds.

Phrases say *which* license a text is; coverage says whether it is *all* of it. A copy with a clause
deleted keeps its title and most phrases but loses the clause's word 4-grams, so its coverage (and with
it the confidence) drops below that of a faithful copy.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from license_audit.identify.normalize import tokenize

N = 4


def shingles(words: list[str]) -> set[tuple[str, ...]]:
    return set(zip(*(words[i:] for i in range(N))))


@lru_cache(maxsize=256)
def _reference(path: str) -> tuple[frozenset, int]:
    text = Path(path).read_text(encoding="utf-8", errors="replace")
    toks = tokenize(text).words
    return frozenset(shingles(toks)), len(toks)


def reference(path: Path | None) -> tuple[frozenset, int] | None:
    if path is None or not path.is_file():
        return None
    return _reference(str(path))


def coverage(words: list[str], ref: frozenset) -> float:
    """Share of the reference's 4-grams present in `words` (1.0: nothing of the reference is missing)."""
    if not ref:
        return 0.0
    return len(ref & shingles(words)) / len(ref)
