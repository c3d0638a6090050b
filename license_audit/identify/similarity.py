"""Similarity against a reference text: how much of the license a span actually holds.

Phrases say *which* license a text is; coverage says whether it is *all* of it. A copy with a clause
deleted keeps its title and most phrases but loses the clause's word 4-grams, so its coverage (and with
it the confidence) drops below that of a faithful copy.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from license_audit.identify.normalize import list_labels, relabelled, text_lines, tokenize

N = 4


def shingles(words: list[str]) -> set[tuple[str, ...]]:
    return set(zip(*(words[i:] for i in range(N))))


PIECES = 12


class Reference:
    """A reference text's 4-grams, its words as one string, and a dozen pieces of it for a fast check."""

    def __init__(
        self, words: list[str], required: list[str] | None = None, text: str = "", labels: frozenset[int] = frozenset()
    ):
        # `required`: the words a copy must hold for full coverage (the terms without an appendix of
        # how-to-apply instructions); precision still accepts the whole text. `labels`: the indexes of
        # the words that label list items, one placeholder in the 4-grams as a copy's are (`list_labels`).
        self._words = words
        self._labels = labels
        self._text = text
        self._cjk: str | None = None
        self._cjk_grams: frozenset | None = None
        self._edition: frozenset[int] | None = None
        self._required = words if required is None else required
        self.joined = " " + " ".join(words) + " "
        step = max(N, -(-len(self._required) // PIECES))
        self.pieces = [" " + " ".join(self._required[i : i + step]) + " " for i in range(0, len(self._required), step)]
        self._grams: frozenset | None = None
        self._all_grams: frozenset | None = None
        self._raw: tuple[frozenset, frozenset] | None = None

    @property
    def words(self) -> list[str]:
        return self._words

    @property
    def text(self) -> str:
        """The reference copy as its file holds it."""
        return self._text

    @property
    def required_words(self) -> int:
        """How many of `words` are the terms (the rest: an appendix a copy may fill in or leave out)."""
        return len(self._required)

    # The 4-gram sets are built on first need: most copies are settled by the pieces alone.
    @property
    def grams(self) -> frozenset:
        if self._grams is None:
            self._grams = frozenset(shingles(relabelled(self._required, self._labels)))
        return self._grams

    @property
    def cjk(self) -> str:
        """The text's ideographs in order (its Chinese edition, for a bilingual license)."""
        if self._cjk is None:
            self._cjk = ideographs(self._text)
        return self._cjk

    @property
    def other_edition(self) -> frozenset[int]:
        """The indexes of the words that stand on lines holding ideographs: of a bilingual text, the
        Chinese edition's section numbers and names, which a copy of the English edition alone lacks."""
        if self._edition is None:
            if not has_ideographs(self._text):
                self._edition = frozenset()
            else:
                toks = tokenize(self._text)
                lines = text_lines(self._text)
                cjk = {n for n, ln in enumerate(lines, 1) if has_ideographs(ln)}
                self._edition = frozenset(k for k in range(len(toks.words)) if toks.line_of(k) in cjk)
        return self._edition

    @property
    def cjk_grams(self) -> frozenset:
        if self._cjk_grams is None:
            self._cjk_grams = frozenset(cjk_grams(self.cjk))
        return self._cjk_grams

    @property
    def labelled(self) -> int:
        """How many list items the text labels at the start of its lines (its 4-grams hold placeholders)."""
        return len(self._labels)

    @property
    def raw_grams(self) -> tuple[frozenset, frozenset]:
        """(grams, all_grams) with the list labels as written: a copy run into one paragraph (a web page's
        text pasted whole) holds its labels mid-line, where they are words, not labels."""
        if self._raw is None:
            if not self._labels:
                self._raw = (self.grams, self.all_grams)
            else:
                required = frozenset(shingles(self._required))
                self._raw = (
                    required,
                    required if self._required is self._words else frozenset(shingles(self._words)),
                )
        return self._raw

    @property
    def all_grams(self) -> frozenset:
        if self._all_grams is None:
            self._all_grams = (
                self.grams
                if self._required is self._words
                else frozenset(shingles(relabelled(self._words, self._labels)))
            )
        return self._all_grams


@lru_cache(maxsize=256)
def _reference(path: str, ends_at: str | None) -> Reference:
    text = Path(path).read_text(encoding="utf-8", errors="replace")
    toks = tokenize(text)
    words = toks.words
    required = None
    if ends_at:
        joined = " " + " ".join(words) + " "
        at = joined.find(" " + ends_at + " ")
        if at >= 0:
            required = words[: joined.count(" ", 0, at) + len(ends_at.split())]
    return Reference(words, required, text, list_labels(toks))


def reference(path: Path | None, ends_at: str | None = None) -> Reference | None:
    if path is None or not path.is_file():
        return None
    return _reference(str(path), ends_at)


def _pieces(words: list[str]) -> list[str]:
    step = max(N, -(-len(words) // PIECES))
    return [" " + " ".join(words[i : i + step]) + " " for i in range(0, len(words), step)]


def scores(
    span: list[str], hits: list[str], ref: Reference, labels: frozenset[int] = frozenset(), at: tuple[int, int] = (0, 0)
) -> tuple[float, float]:
    """(coverage of the reference by `span`, precision of `hits` against the reference); `labels`: the
    indexes of the words that label list items in the text `span` and `hits` start at `at` of.

    Most copies hold every piece of the reference verbatim and add nothing inside their phrase run:
    a dozen substring checks settle that; only a copy that differs pays for the 4-gram sets.
    """
    span_joined = " " + " ".join(span) + " "
    cov = 1.0 if all(p in span_joined for p in ref.pieces) else coverage(relabelled(span, labels, at[0]), ref.grams)
    prec = (
        1.0
        if all(p in ref.joined for p in _pieces(hits))
        else precision(relabelled(hits, labels, at[1]), ref.all_grams)
    )
    if ref.labelled and min(cov, prec) < 1.0 and sum(at[0] <= k < at[0] + len(span) for k in labels) < ref.labelled:
        # Labels the copy does not hold at line starts are its words: compared as written too, the better
        # (a copy that labels as many items as the reference lost none of them to the middle of a line).
        grams, all_grams = ref.raw_grams
        cov = max(cov, coverage(span, grams)) if cov < 1.0 else cov
        prec = max(prec, precision(hits, all_grams)) if prec < 1.0 else prec
    return cov, prec


def coverage(words: list[str], ref: frozenset) -> float:
    """Share of the reference's 4-grams present in `words` (1.0: nothing of the reference is missing)."""
    if not ref:
        return 0.0
    return len(ref & shingles(words)) / len(ref)


def resemblance(own: set, ref: Reference, raw: Callable[[], set] | None = None) -> tuple[float, float]:
    """(coverage, precision) of a text whose 4-grams are `own` against `ref`, from one set of each; `raw`:
    the text's 4-grams with its list labels as written, asked for against a reference that has labels."""
    cov, prec = _shares(own, ref.grams, ref.all_grams)
    if raw is not None and ref.labelled and min(cov, prec) < 1.0:
        c, p = _shares(raw(), *ref.raw_grams)
        cov, prec = max(cov, c), max(prec, p)
    return cov, prec


def _shares(own: set, required: frozenset, whole: frozenset) -> tuple[float, float]:
    """(share of `required` in `own`, share of `own` in `whole`)."""
    if not own or not required:
        return 0.0, 0.0
    return len(required & own) / len(required), len(own & whole) / len(own)


# Chinese and Japanese terms have no words to split on: their ideographs are compared as runs of N,
# everything else (Latin names, numbers, punctuation) left out.
def ideographs(text: str) -> str:
    return "".join(ch for ch in text if "\u4e00" <= ch <= "\u9fff")


def has_ideographs(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def cjk_grams(chars: str) -> set[str]:
    return {chars[i : i + N] for i in range(len(chars) - N + 1)}


def cjk_resemblance(own: set, ref: Reference) -> tuple[float, float]:
    """(coverage, precision) of a text whose ideograph 4-grams are `own` against `ref`'s ideographs."""
    return _shares(own, ref.cjk_grams, ref.cjk_grams)


def precision(words: list[str], ref: frozenset) -> float:
    """Share of `words`' 4-grams that the reference holds (1.0: nothing was added)."""
    own = shingles(words)
    if not own:
        return 0.0
    return len(own & ref) / len(own)
