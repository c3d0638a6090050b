"""Text normalisation shared by every matcher: case, quotes, dashes, markup and line wrapping do not matter."""

from __future__ import annotations

import re
import unicodedata

_QUOTES = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"',
    "\u2013": "-", "\u2014": "-", "\u2212": "-", "\u00a0": " ",
    "\u00a9": "(c)",
})
_TAGS = re.compile(r"<[^>]{0,400}>")
_WORD = re.compile(r"[a-z0-9]+(?:[.'][a-z0-9]+)*")


def clean(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES).lower()
    return _TAGS.sub(" ", text)


def words(text: str) -> list[str]:
    """Lower-case word tokens with markup, punctuation and whitespace removed."""
    return _WORD.findall(clean(text))


def phrase_words(phrase: str) -> tuple[str, ...]:
    return tuple(words(phrase))
