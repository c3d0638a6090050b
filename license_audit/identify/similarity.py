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


PIECES = 12


class Reference:
    """A reference text's 4-grams, its words as one string, and a dozen pieces of it for a fast check."""

    def __init__(self, words: list[str]):
        self.grams = frozenset(shingles(words))
        self.joined = " " + " ".join(words) + " "
        step = max(N, -(-len(words) // PIECES))
        self.pieces = [" " + " ".join(words[i:i + step]) + " " for i in range(0, len(words), step)]


@lru_cache(maxsize=256)
def _reference(path: str) -> Reference:
    return Reference(tokenize(Path(path).read_text(encoding="utf-8", errors="replace")).words)


def reference(path: Path | None) -> Reference | None:
    if path is None or not path.is_file():
        return None
    return _reference(str(path))


def _pieces(words: list[str]) -> list[str]:
    step = max(N, -(-len(words) // PIECES))
    return [" " + " ".join(words[i:i + step]) + " " for i in range(0, len(words), step)]


def scores(span: list[str], hits: list[str], ref: Reference) -> tuple[float, float]:
    """(coverage of the reference by `span`, precision of `hits` against the reference).

    Most copies hold every piece of the reference verbatim and add nothing inside their phrase run:
    a dozen substring checks settle that; only a copy that differs pays for the 4-gram sets.
    """
    span_joined = " " + " ".join(span) + " "
    cov = 1.0 if all(p in span_joined for p in ref.pieces) else coverage(span, ref.grams)
    prec = 1.0 if all(p in ref.joined for p in _pieces(hits)) else precision(hits, ref.grams)
    return cov, prec


def coverage(words: list[str], ref: frozenset) -> float:
    """Share of the reference's 4-grams present in `words` (1.0: nothing of the reference is missing)."""
    if not ref:
        return 0.0
    return len(ref & shingles(words)) / len(ref)


def precision(words: list[str], ref: frozenset) -> float:
    """Share of `words`' 4-grams that the reference holds (1.0: nothing was added)."""
    own = shingles(words)
    if not own:
        return 0.0
    return len(own & ref) / len(own)
