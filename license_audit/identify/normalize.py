"""Text normalisation shared by every matcher: case, quotes, dashes, markup and line wrapping do not matter.

`tokenize` keeps, for every word, the line it came from, so a match can be reported as a line span of the
original file whatever wrappers (HTML, Qt rich text, markdown) surrounded it.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from itertools import accumulate

_QUOTES = {
    "\u2018": "'",
    "\u2019": "'",
    "\u201a": "'",
    "\u201b": "'",
    "\u2032": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u201e": '"',
    "\u201f": '"',
    "\u2033": '"',
    "\u2010": "-",
    "\u2011": "-",
    "\u2012": "-",
    "\u2013": "-",
    "\u2014": "-",
    "\u2212": "-",
    "\u00a0": " ",
    "\u200b": "",
    "\ufeff": "",
    "\u00a9": "(c)",
}
_TAGS = re.compile(r"<[^<>]{0,2000}>")
_TAGS_ONE_LINE = re.compile(r"<[^<>\n]{0,2000}>")
_MD_LINK_TARGET = re.compile(r"\]\([^)\s]{0,500}\)")


def _unquote(text: str) -> str:
    # str.replace per character present is much faster than str.translate with a mapping.
    for k, v in _QUOTES.items():
        if k in text:
            text = text.replace(k, v)
    return text


def _drop_tag(m: re.Match) -> str:
    # Keep the line structure: a tag that spans lines leaves its newlines behind.
    return " " + "\n" * m.group(0).count("\n")


# A line break, a carriage return or another line separator written as an HTML entity, unescaped or once
# escaped ("&#10;", "&#xA;", "&NewLine;", "&amp;#10;").
_BREAK_ENTITY = re.compile(
    r"&(?:amp;)?(?:#0*(?:10|11|12|13|133|8232|8233);|#x0*(?:a|b|c|d|85|2028|2029);|newline;)", re.I
)


def clean(text: str) -> str:
    """Lower-case text without markup; same number of lines as the input."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.isascii():
        text = _unquote(unicodedata.normalize("NFKC", text))
    text = text.lower()
    if "&" in text:
        import html  # its entity table is built on import; most texts have no "&" and never pay for it

        # Twice: Qt .ui files and some HTML exports escape rich text inside XML (&amp;lt;p&amp;gt;). A line
        # break written as an entity is a space, so the lines stay the input's.
        text = html.unescape(_BREAK_ENTITY.sub(" ", text))
        if "&" in text:
            text = html.unescape(_BREAK_ENTITY.sub(" ", text))
        if not text.isascii():
            text = _unquote(text)
    if "<" in text:
        # Tags on one line (nearly all) need no callback; matches cannot overlap, so the second pass
        # finds exactly the multi-line tags.
        text = _TAGS_ONE_LINE.sub(" ", text)
        if "<" in text:
            text = _TAGS.sub(_drop_tag, text)
    if "](" in text:
        text = _MD_LINK_TARGET.sub("]", text)
    return text


def phrase_words(phrase: str) -> tuple[str, ...]:
    return tuple(words(phrase))


@dataclass(slots=True, eq=False)
class Tokens:
    """A text as one string of words (" w1 w2 ... ") and the word index at which each line starts."""

    words: list[str]
    joined: str
    line_starts: list[int]  # line_starts[k]: index of the first word on line k+1 or later
    nlines: int
    cleaned: str
    _starts: list[int] | None = field(default=None, repr=False)  # where each line of `cleaned` starts, once asked
    # The ideographs, kana and hangul of lines 1..k at [k], once asked; None: not asked, []: the text has none.
    _foreign: list[int] | None = field(default=None, repr=False)

    def index_at(self, offset: int) -> int:
        """Index of the word that starts at `offset` in `joined` (just after a space)."""
        return self.joined.count(" ", 0, offset) - 1

    def find_all(self, needle: str) -> list[int]:
        """Word indexes where the phrase `needle` (" w1 w2 ") occurs."""
        out = []
        joined = self.joined
        i = joined.find(needle)
        at = idx = 0  # words before `at`, counted once for all hits
        while i >= 0:
            idx += joined.count(" ", at, i + 1)
            at = i + 1
            out.append(idx - 1)
            i = joined.find(needle, at)
        return out

    def line_of(self, index: int) -> int:
        index = min(max(index, 0), max(0, len(self.words) - 1))
        return bisect_right(self.line_starts, index)

    def first_word_of_line(self, line: int) -> int:
        return self.line_starts[line - 1] if line - 1 < len(self.line_starts) else len(self.words)

    def last_word_of_line(self, line: int) -> int:
        return (self.line_starts[line] if line < len(self.line_starts) else len(self.words)) - 1

    def has_foreign(self) -> bool:
        """Whether the text holds ideographs, kana or hangul."""
        return bool(self._foreign_counts())

    def _foreign_counts(self) -> list[int]:
        if self._foreign is None:
            self._foreign = []
            if _FOREIGN_CHAR.search(self.cleaned):
                counts = [foreign_count(ln) for ln in self.cleaned.split("\n")]
                self._foreign = [0, *accumulate(counts)]
        return self._foreign

    def foreign_in(self, first: int, last: int) -> int:
        """The ideographs, kana and hangul of lines `first` to `last`."""
        cum = self._foreign_counts()
        if not cum:
            return 0
        first, last = max(first, 1), min(last, len(cum) - 1)
        return cum[last] - cum[first - 1] if first <= last else 0

    def latin_run(self, line: int, within: int) -> tuple[int, int]:
        """The first and last lines of the run around `line` whose lines before it, and whose lines after it,
        hold fewer than `within` ideographs, kana and hangul: text in another script beside a copy (a
        translation before or after the original) is not that copy's."""
        cum = self._foreign_counts()
        if not cum:
            return 1, max(self.nlines, 1)
        line = min(max(line, 1), len(cum) - 1)
        first = bisect_right(cum, cum[line - 1] - within) + 1
        last = bisect_left(cum, cum[line] + within) - 1
        return max(1, first), min(last, len(cum) - 1)

    def cleaned_line(self, line: int) -> str:
        """Line `line` (1-based) of `cleaned`; "" past its end."""
        if self._starts is None:
            self._starts = [0, *(m.end() for m in re.finditer("\n", self.cleaned))]
        if not 0 < line <= len(self._starts):
            return ""
        end = self._starts[line] - 1 if line < len(self._starts) else len(self.cleaned)
        return self.cleaned[self._starts[line - 1] : end]


# Chinese ideographs, Japanese kana and Korean syllables: text in a script the words below do not hold.
_FOREIGN_CHAR = re.compile("[\u3040-\u30ff\u4e00-\u9fff\uac00-\ud7a3]")


def foreign_count(text: str) -> int:
    """The ideographs, kana and hangul of `text`."""
    return len(_FOREIGN_CHAR.findall(text))


# Bytes translation is the fast path: every byte that is not a letter or digit becomes a space, then
# C-level splits and joins do the rest ("3.1" is the two words "3 1", needles included, so they agree).
# "++" is spelled "pp" first, so OpenRAIL++-M stays apart from OpenRAIL-M.
_KEEP = b"abcdefghijklmnopqrstuvwxyz0123456789\n"
_TABLE = bytes(b if b in _KEEP else 32 for b in range(256))


def _word_bytes(cleaned: str) -> bytes:
    if "++" in cleaned:
        cleaned = cleaned.replace("++", "pp")
    return b" " + cleaned.encode("ascii", "replace").translate(_TABLE) + b" "


def words(text: str) -> list[str]:
    """Lower-case word tokens with markup, punctuation and whitespace removed."""
    return _word_bytes(clean(text)).decode("ascii").split()


def _words_and_lines(b: bytes) -> tuple[list[str], list[int]]:
    """Words, and for each line the index of the first word on it or later, in one pass over the lines.

    As fast as a plain split followed by a vectorised line count, without importing numpy (which cost
    a tenth of a second of every process that identified more than a few long files)."""
    words: list[str] = []
    extend = words.extend
    starts = [0]
    append = starts.append
    for line in b.decode("ascii").split("\n"):
        extend(line.split())
        append(len(words))
    starts.pop()
    return words, starts


def text_lines(text: str) -> list[str]:
    """The lines of `text` as the tokenizer counts them: at "\n", once "\r\n" and "\r" are "\n" (not at the
    form feeds and other breaks str.splitlines also splits at)."""
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def tokenize(text: str, lines: bool = True) -> Tokens:
    """Words of `text`; `lines=False` skips the line index (reference texts never report spans)."""
    cleaned = clean(text)
    b = _word_bytes(cleaned)
    if lines:
        words, line_starts = _words_and_lines(b)
    else:
        words, line_starts = b.decode("ascii").split(), [0]
    joined = " " + " ".join(words) + " "
    return Tokens(words, joined, line_starts, len(line_starts), cleaned)


# A list item's label at the start of a line ("1.", "a.", "ii.", "(b)", "2)", "1.1."), after any markup
# before it: how a copy numbers its lists is layout, not terms (a web page's "a. i. ii." against a file's
# "1. 2. 3."), so texts are compared with each label as one placeholder.
_LIST_LABEL = re.compile(r"^[ \t>*#|-]*\(?((?:\d{1,2}|[a-z]|[ivx]{2,5})(?:\.\d{1,2})*)[.)][ \t]", re.M)
# A list item's marker at the start of a line, and the item's text: a bullet or a label ("*", "-", "•", "1.",
# "a)", "(iv)").
LIST_ITEM = re.compile(r"^\s*(?:[*\u2022+-]|\(?(?:\d{1,2}|[a-z]|[ivx]{2,5})[.)])\s+(\S.*)$", re.I)

_LABEL_PART = re.compile(r"[a-z0-9]+")


def list_labels(toks: Tokens) -> frozenset[int]:
    """Indexes of the words of `toks` that label list items at the start of their lines."""
    cleaned = toks.cleaned
    if ". " not in cleaned and ") " not in cleaned and ".\t" not in cleaned and ")\t" not in cleaned:
        return frozenset()
    out: set[int] = set()
    line = at = 0
    starts, words = toks.line_starts, toks.words
    for m in _LIST_LABEL.finditer(cleaned):
        line += cleaned.count("\n", at, m.start())
        at = m.start()
        first = starts[line] if line < len(starts) else len(words)
        parts = _LABEL_PART.findall(m.group(1))
        if words[first : first + len(parts)] == parts:
            out.update(range(first, first + len(parts)))
    return frozenset(out)


def relabelled(words: list[str], labels: frozenset[int], offset: int = 0) -> list[str]:
    """`words` (the words from index `offset` of a text) with each list label among them (`labels`) written
    as "#": a list item is still one, whatever its numbering."""
    if not labels:
        return words
    return [LABEL if k in labels else w for k, w in enumerate(words, offset)]


LABEL = "#"  # no word holds it: words are letters and digits


def needle(phrase: str) -> str:
    return " " + " ".join(phrase_words(phrase)) + " "
