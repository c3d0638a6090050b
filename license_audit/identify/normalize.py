"""Text normalisation shared by every matcher: case, quotes, dashes, markup and line wrapping do not matter.

`tokenize` keeps, for every word, the line it came from, so a match can be reported as a line span of the
original file whatever wrappers (HTML, Qt rich text, markdown) surrounded it.
"""

from __future__ import annotations

import html
import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass

_QUOTES = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2212": "-",
    "\u00a0": " ", "\u200b": "", "\ufeff": "", "\u00a9": "(c)",
})
_TAGS = re.compile(r"<[^<>]{0,2000}>")
_MD_LINK_TARGET = re.compile(r"\]\([^)\s]{0,500}\)")
# "rail++" keeps its pluses: OpenRAIL++-M is a different license from OpenRAIL-M.
_WORD = re.compile(r"[a-z0-9]+(?:[.'][a-z0-9]+)*(?:\+\+)?")


def _drop_tag(m: re.Match) -> str:
    # Keep the line structure: a tag that spans lines leaves its newlines behind.
    return " " + "\n" * m.group(0).count("\n")


def clean(text: str) -> str:
    """Lower-case text without markup; same number of lines as the input."""
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text).translate(_QUOTES)
    text = text.lower()
    if "&" in text:
        # Twice: Qt .ui files and some HTML exports escape rich text inside XML (&amp;lt;p&amp;gt;).
        text = html.unescape(html.unescape(text))
        if not text.isascii():
            text = text.translate(_QUOTES)
    if "<" in text:
        text = _TAGS.sub(_drop_tag, text)
    if "](" in text:
        text = _MD_LINK_TARGET.sub("]", text)
    return text


def words(text: str) -> list[str]:
    """Lower-case word tokens with markup, punctuation and whitespace removed."""
    return _WORD.findall(clean(text))


def phrase_words(phrase: str) -> tuple[str, ...]:
    return tuple(words(phrase))


@dataclass
class Tokens:
    """A text as one string of words (" w1 w2 ... "), with each word's character offset and line."""

    words: list[str]
    lines: list[int]  # 1-based source line of each word
    joined: str
    offsets: list[int]  # offset in `joined` of each word (after its leading space)
    nlines: int

    def index_at(self, offset: int) -> int:
        """Index of the word that starts at (or contains) `offset` in `joined`."""
        return max(0, bisect_right(self.offsets, offset) - 1)

    def find_all(self, needle: str) -> list[int]:
        """Word indexes where the phrase `needle` (" w1 w2 ") occurs."""
        out = []
        start = 0
        joined = self.joined
        while True:
            i = joined.find(needle, start)
            if i < 0:
                return out
            out.append(self.index_at(i + 1))
            start = i + 1

    def line_of(self, index: int) -> int:
        return self.lines[min(max(index, 0), len(self.lines) - 1)]


def tokenize(text: str) -> Tokens:
    cleaned = clean(text)
    toks: list[str] = []
    lines: list[int] = []
    lineno = 0
    for lineno, line in enumerate(cleaned.split("\n"), start=1):
        found = _WORD.findall(line)
        if found:
            toks.extend(found)
            lines.extend([lineno] * len(found))
    offsets = []
    pos = 1
    for w in toks:
        offsets.append(pos)
        pos += len(w) + 1
    joined = " " + " ".join(toks) + " "
    nlines = max(1, len(text.splitlines()))
    return Tokens(toks, lines, joined, offsets, nlines)


def needle(phrase: str) -> str:
    return " " + " ".join(phrase_words(phrase)) + " "
