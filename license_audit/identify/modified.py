"""Whether a full copy of a license holds terms its reference copy does not: the changed lines.

A copy is aligned with the reference copy word by word, anchored where its phrase run starts and ends:
- before the run (title, copyright lines) and after the reference's end (an appendix filled in, the
  "how to apply" section) only text that reads like terms counts;
- inside, each difference counts unless the license itself allows it: its `identify.optional` phrases
  (the MIT "(including the next paragraph)", the Unlicense's closing line), copyright holders and
  years, a postal address, a link, or a word or two that changes no meaning (a typo, "this"/"the").

Most copies are settled without a word diff: the reference's required text found verbatim in the copy
leaves only the small stretches before and after it to compare. difflib runs on what is left.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass
from difflib import SequenceMatcher

from license_audit.identify.normalize import LIST_ITEM, Tokens, text_lines
from license_audit.identify.normalize import words as word_list

# Words that change what a license grants or requires: a difference holding one is never "a word or two".
SIGNIFICANT = frozenset(
    [
        "not",
        "no",
        "non",
        "nor",
        "never",
        "noncommercial",
        "commercial",
        "only",
        "except",
        "unless",
        "without",
        "exclude",
        "excludes",
        "prohibited",
        "prohibit",
        "prohibits",
        "forbidden",
        "must",
        "shall",
        "cannot",
        "research",
        "academic",
        "evaluation",
        "personal",
        "nonprofit",
        "profit",
        "revenue",
        "restrict",
        "restricted",
        "restriction",
        "restrictions",
        "revocable",
        "irrevocable",
        "exclusive",
        "nonexclusive",
        "royalty",
        "fee",
        "fees",
        "paid",
        "users",
        "monthly",
        "million",
        "billion",
        "display",
        "attribution",
        "military",
        "government",
        "terminate",
        "perpetual",
        "worldwide",
        "sublicense",
        "sublicensable",
        "transferable",
        "may",
    ]
)
# Words no copyright line, address or title holds, but a restriction does.
_RESTRICTING = frozenset(
    ["shall", "must", "not", "only", "non", "noncommercial", "commercial", "prohibited", "except", "unless", "may"]
)
# Names of other licenses: a notice after a license's end that names one is about that license.
OTHER_LICENSE_WORDS = frozenset(
    [
        "gnu",
        "gpl",
        "lgpl",
        "agpl",
        "apache",
        "mozilla",
        "mpl",
        "bsd",
        "creative",
        "cc",
        "mit",
        "llama",
        "gemma",
        "openrail",
    ]
)
# Cues that a stretch before or after the terms is itself terms (an added clause), not a title or prose.
_TERM_CUES = frozenset(
    [
        "shall",
        "must",
        "may",
        "not",
        "prohibited",
        "permitted",
        "permission",
        "provided",
        "condition",
        "conditions",
        "license",
        "licensed",
        "licensee",
        "licensor",
        "commercial",
        "noncommercial",
        "non",
        "restriction",
        "restrictions",
        "restricted",
        "agree",
        "agreement",
        "rights",
        "grant",
        "granted",
        "terms",
        "use",
        "display",
        "attribution",
        "users",
        "revenue",
        "except",
        "unless",
    ]
)
# A copyright notice: "copyright" with a year, "(c)", "©", a placeholder or "by" after it, wherever it stands
# ("Portions Copyright (c) 2016 Foo", "This software is copyright 2024 by Foo"); a line that opens with
# "Copyright" ("Copyrights are respective of each contributor") or "©", a holder's or author's label
# ("Authors: ..."), or "all rights reserved"; not a line of the terms that goes on with the word
# ("copyright holder, and you cure the violation prior to 30 days after").
_COPYRIGHT_LINE = re.compile(
    r"(?:copyright|\(c\)|\u00a9)\s*(?:\(c\)|\u00a9|\d{4}|[\[<{]|by\b)"
    r"|^[\W_]*(?:(?-i:Copyright|COPYRIGHT)s?\b(?!\s+(?:holders?|owners?)\b)|(?:\(c\)|\u00a9)\s*\w"
    r"|copyright(?:\s+(?:holders?|owners?))?\s*[:\uff1a]|(?:original\s+)?authors?\s*[:\uff1a])"
    r"|all rights reserved",
    re.I,
)
# Words of SIGNIFICANT that holders' names hold.
_IN_NAMES = frozenset(["research", "academic", "government"])
_MENTIONS_COPYRIGHT = re.compile(r"copyright|\(c\)|\u00a9|all rights reserved|\bauthors?\b", re.I)
_ADDRESS_LINE = re.compile(
    r"free software foundation|franklin st|temple place|mass ave|boston|\bma\b\s+0\d{4}|\b\d{5}-\d{4}\b|\busa\b", re.I
)
_LINK_LINE = re.compile(r"https?:|www\.|\.(org|com|net|io)\b|<[^>]*@", re.I)
_NUMBER = re.compile(r"\d")
# A title line: a few words, no sentence.
_TITLE_WORDS = 12
# Text longer than this before or after the terms is read for term cues; shorter is a title or a name.
_SMALL = 2
_NAME = 5
_QUOTE = 500
# A copy without the appendix often drops the line that closes the terms ("END OF TERMS AND CONDITIONS").
_CLOSING = 8
_MAX_DIFF = 3_000_000  # words x words of the differing middles that a word diff is run on
_MAX_DEPTH = 4  # times a long middle is cut again at the words its pieces hold once


@dataclass
class Change:
    """One changed stretch of a license copy, by the lines of the file that hold it."""

    change: str  # "added", "removed" or "changed"
    start_line: int
    end_line: int
    text: str  # the copy's words there (for "removed": the reference's words that are missing)

    def to_dict(self) -> dict[str, object]:
        return {"change": self.change, "start_line": self.start_line, "end_line": self.end_line, "text": self.text}


def quote(ws: list[str]) -> str:
    s = " ".join(ws)
    return s if len(s) <= _QUOTE else s[: _QUOTE - 3].rstrip() + "..."


def cjk_changes(lines: list[str], first: int, last: int, ref: str) -> list[Change]:
    """The changes of a copy in Chinese or Japanese, lines `first` to `last` (1-based) of the file's
    `lines`, against the reference's ideographs `ref`, ideograph by ideograph: a name or a number, which
    such a text writes in Latin letters or digits, is not compared; one added "不" ("not") is a change."""
    from license_audit.identify.similarity import ideographs

    chars: list[str] = []
    at: list[int] = []  # the line of each ideograph
    for n in range(first, last + 1):
        own = ideographs(lines[n - 1])
        chars.append(own)
        at.extend([n] * len(own))
    copy = "".join(chars)
    if not copy:
        return []
    out = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, ref, copy, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        if j2 > j1:
            a, b, shown = at[j1], at[j2 - 1], copy[j1:j2]
        else:
            a = b = at[min(j1, len(at) - 1)]
            shown = ref[i1:i2]
        kind = "changed" if tag == "replace" else "added" if tag == "insert" else "removed"
        out.append(Change(kind, a, b, shown if len(shown) <= _QUOTE else shown[: _QUOTE - 3] + "..."))
    return out


def _find(hay: str, ws: list[str]) -> int:
    """Word index of the first occurrence of `ws` in the joined word string `hay`, or -1."""
    at = hay.find(" " + " ".join(ws) + " ")
    return -1 if at < 0 else hay.count(" ", 0, at + 1) - 1


def _find_near(hay: str, ws: list[str], after: int, expected: int) -> int:
    """Word index of the occurrence of `ws` in `hay` at or after word `after` that is nearest word
    `expected`, or -1."""
    needle = " " + " ".join(ws) + " "
    best = -1
    at = hay.find(needle)
    while at >= 0:
        i = hay.count(" ", 0, at + 1) - 1
        if i >= after and (best < 0 or abs(i - expected) < abs(best - expected)):
            best = i
        at = hay.find(needle, at + 1)
    return best


class _Lines:
    def __init__(self, toks: Tokens, text_lines: list[str]):
        self.toks = toks
        self.lines = text_lines

    def span(self, a: int, b: int) -> tuple[int, int]:
        return self.toks.line_of(a), self.toks.line_of(max(a, b))

    def raw(self, a: int, b: int) -> str:
        first, last = self.span(a, b)
        return "\n".join(self.lines[first - 1 : last])


def find_changes(
    toks: Tokens,
    text: str,
    start: int,
    end: int,
    hit_start: int,
    hit_end: int,
    ref_words: list[str],
    required: int,
    optional: list[tuple[str, ...]],
    preamble: int = 0,
) -> list[Change]:
    """The changes of the copy at words [start, end] of `toks` against the reference `ref_words`
    (its first `required` words are the terms; the rest is an appendix a copy may fill in or omit; its
    first `preamble` words come before the terms, and a copy may omit them)."""
    span = toks.words[start : end + 1]
    if not span or not ref_words:
        return []
    joined_ref = " " + " ".join(ref_words) + " "
    appendix = required < len(ref_words)
    vocabulary = frozenset(ref_words)
    lines = _Lines(toks, text_lines(text))
    hs, he = hit_start - start, hit_end - start
    # Anchors: the words that open and close the phrase run, found in the reference.
    head = span[hs : hs + 6]
    tail = span[max(hs, he - 5) : he + 1]
    r0 = _find(joined_ref, head) if len(head) >= 3 else -1
    # The closing words may also stand earlier in the reference (Falcon 180B's title is repeated in its
    # appendix): the occurrence where the run's length puts them is the anchor.
    r1 = _find_near(joined_ref, tail, r0, r0 + (he - hs + 1) - len(tail)) if r0 >= 0 else -1

    def compare(
        ref_part: list[str], copy_part: list[str], copy_at: int, ref_at: int, title: bool = False
    ) -> list[Change]:
        return _classify(
            _opcodes(ref_part, copy_part),
            ref_part,
            copy_part,
            copy_at,
            ref_at,
            len(copy_part),
            required,
            optional,
            lines,
            title=title,
            appendix=appendix,
            vocabulary=vocabulary,
            preamble=preamble,
            joined_ref=joined_ref,
        )

    if r0 < 0 or r1 < 0:
        return compare(ref_words, span, start, 0)
    r1 += len(tail)  # first reference word after the run
    out: list[Change] = []
    # Before the run: the reference's title and copyright placeholder, which a copy replaces or leaves out.
    pre = span[:hs]
    if pre or r0:
        out += compare(ref_words[:r0], pre, start, 0, title=True)
    # The run itself against the reference between the anchors, then what follows it.
    out += compare(ref_words[r0:r1], span[hs : he + 1], start + hs, r0)
    rest_ref = ref_words[r1:]
    rest = span[he + 1 :]
    if rest or rest_ref:
        out += compare(rest_ref, rest, start + he + 1, r1)
    return _merge(out)


def _opcodes(a: list[str], b: list[str], depth: int = 0) -> list[tuple[str, int, int, int, int]]:
    if a == b:
        return []
    # Common ends first: most copies differ in one or two places, which difflib then sees alone.
    p = 0
    n = min(len(a), len(b))
    while p < n and a[p] == b[p]:
        p += 1
    s = 0
    while s < n - p and a[-1 - s] == b[-1 - s]:
        s += 1
    am, bm = a[p : len(a) - s], b[p : len(b) - s]
    if not am and not bm:
        return []
    if not am:
        return [("insert", p, p, p, p + len(bm))]
    if not bm:
        return [("delete", p, p + len(am), p, p)]
    if len(am) * len(bm) > _MAX_DIFF:
        # Long middles are cut where both copies hold the same words in the same order (a copy whose
        # list numbering was lost differs in one word every few lines): each piece is diffed alone.
        pieces = _anchored(am, bm) if depth < _MAX_DEPTH else None
        if pieces is None:
            # Copies that differ all over (another edition, a rewrite) are one change: a word diff of two
            # long texts costs more than the rest of identifying them, and says nothing more useful.
            return [("replace", p, len(a) - s, p, len(b) - s)]
        return [
            (tag, i1 + p + ia, i2 + p + ia, j1 + p + ja, j2 + p + ja)
            for ia, ib, ja, jb in pieces
            for tag, i1, i2, j1, j2 in _opcodes(am[ia:ib], bm[ja:jb], depth + 1)
        ]
    sm = SequenceMatcher(None, am, bm, autojunk=False)
    return [(tag, i1 + p, i2 + p, j1 + p, j2 + p) for tag, i1, i2, j1, j2 in sm.get_opcodes() if tag != "equal"]


def _anchored(a: list[str], b: list[str]) -> list[tuple[int, int, int, int]] | None:
    """Pieces (a from, a to, b from, b to) that cover `a` and `b` in order, each starting at a word both
    hold once (the longest chain of such words in the same order: patience diffing); None when there is
    no such word to cut at."""
    once_a, once_b = Counter(a), Counter(b)
    at_b = {w: j for j, w in enumerate(b) if once_b[w] == 1}
    # Where a run starts: a pair of words each copy holds once that does not continue the pair before it.
    heads: list[tuple[int, int]] = []
    last = (-2, -2)
    for i, w in enumerate(a):
        j = at_b.get(w)
        if j is None or once_a[w] != 1:
            continue
        if (i - 1, j - 1) != last:
            heads.append((i, j))
        last = (i, j)
    # The longest chain of runs in the same order in both copies (patience sorting).
    ends: list[int] = []  # per chain length, the b position of the run that ends the best such chain
    tails: list[int] = []  # and that run's index in `heads`
    back: list[int] = []
    for n, (_, j) in enumerate(heads):
        k = bisect_left(ends, j)
        back.append(tails[k - 1] if k else -1)
        if k == len(tails):
            tails.append(n)
            ends.append(j)
        else:
            tails[k] = n
            ends[k] = j
    cuts: list[tuple[int, int]] = []
    n = tails[-1] if tails else -1
    while n >= 0:
        cuts.append(heads[n])
        n = back[n]
    if not cuts or cuts[-1] != (0, 0):
        cuts.append((0, 0))
    cuts.reverse()
    if len(cuts) < 2:
        return None
    cuts.append((len(a), len(b)))
    return [(i0, i1, j0, j1) for (i0, j0), (i1, j1) in zip(cuts, cuts[1:])]


def _slid(ref: list[str], i1: int, i2: int) -> int:
    """Where a removal of ref[i1:i2] ends when moved back as far as the same copy results (the diff may
    take a word that ends it for the one before it: "1 ... 1 definitions" less its first "1 ...")."""
    while i1 > 0 and ref[i1 - 1] == ref[i2 - 1]:
        i1, i2 = i1 - 1, i2 - 1
    return i2


def _classify(
    ops,
    ref: list[str],
    copy: list[str],
    copy_at: int,
    ref_at: int,
    ncopy: int,
    required: int,
    optional: list[tuple[str, ...]],
    lines: _Lines,
    title: bool = False,
    appendix: bool = False,
    vocabulary: frozenset[str] = frozenset(),
    preamble: int = 0,
    joined_ref: str = "",
) -> list[Change]:
    """Changes that the license does not allow; `title`: the stretch before the terms, whose own
    title and placeholders a copy may leave out, and its reference's first `preamble` words too."""
    out = []
    for _tag, i1, i2, j1, j2 in ops:
        removed, added = ref[i1:i2], copy[j1:j2]
        if not added and (ref_at + _slid(ref, i1, i2) <= preamble or (title and len(removed) <= _TITLE_WORDS)):
            continue
        # Word indexes in the file of what the copy holds there (a removal: the words around it).
        if added:
            a, b = copy_at + j1, copy_at + j2 - 1
        else:
            a = copy_at + max(0, min(j1, ncopy) - 1)
            b = copy_at + min(max(ncopy - 1, 0), j1)
        if _section_number(removed, added, a, b, lines):
            continue
        if title and added and not removed and _names_another(added, vocabulary):
            continue  # a statement before the terms about another license ("Alternatively, ... the GNU GPL"): named
        in_terms = not title and ref_at + i1 < required - _CLOSING
        # An item put in a list of the terms ("* Gambling" among the prohibited uses) is terms, however short.
        if not (in_terms and added and not removed and _new_items(added, lines.raw(a, b))) and _allowed(
            removed,
            added,
            ref_at + i1 >= required - (_CLOSING if ref_at + i2 > required else 0),
            appendix,
            vocabulary,
            optional,
            lines.raw(a, b),
            joined_ref,
        ):
            continue
        first, last = lines.span(a, b)
        kind = "changed" if removed and added else "added" if added else "removed"
        # The file's own lines for what it holds; the reference's words for what it lacks.
        shown = " ".join(lines.raw(a, b).split()) if added else ""
        out.append(Change(kind, first, last, quote(shown.split() if shown else removed)))
    return out


_LABEL = re.compile(r"\s*\(?(\d{1,2})[.)]?\s")


# Words that restrict or deny: a statement naming another license that holds one may be a clause of terms
# ("shall not be used in GPL projects") or say that nothing is under it ("cannot ... be put under another
# distribution licence [including the GNU Public Licence]").
DENYING = frozenset(
    ["not", "cannot", "only", "non", "noncommercial", "commercial", "prohibited", "except", "unless", "shall", "must"]
)


def _names_another(added: list[str], vocabulary: frozenset[str]) -> bool:
    """Whether words put before a license's terms put the work under another license and restrict nothing (a
    dual-license statement, read as a reference to that license), rather than add a clause or a title."""
    held = set(added)
    return "under" in held and bool(held & OTHER_LICENSE_WORDS - vocabulary) and DENYING.isdisjoint(held)


def _section_number(removed: list[str], added: list[str], a: int, b: int, lines: _Lines) -> bool:
    """Whether the change is a section's number alone, which a copy pasted from a page may drop or add
    ("10. Limitation of Liability" as "Limitation of Liability"): a number of one or two digits that
    stands at the start of a line, where the copy has it (added) or where the copy's next line begins after
    a sentence's end (removed). An amount inside a sentence ("30 days") is a change."""
    words = removed or added
    if (removed and added) or len(words) != 1 or not words[0].isdigit() or len(words[0]) > 2:
        return False
    toks = lines.toks
    if added:
        line = toks.line_of(a)
        m = _LABEL.match(lines.lines[line - 1] + " ") if line - 1 < len(lines.lines) else None
        return toks.first_word_of_line(line) == a and m is not None and m.group(1) == words[0]
    # A removal: `a` is the copy's word before the gap, `b` the word after it; the line before the gap
    # ends a sentence, inside closing quotes or not ("... as “Not a Contribution.”"); an amount split over
    # two lines, "prior to 60\ndays", does not.
    before = toks.line_of(a)
    return (
        b > a
        and toks.line_of(b) > before
        and toks.first_word_of_line(toks.line_of(b)) == b
        and lines.lines[before - 1].rstrip().rstrip("\"'\u201d\u2019").endswith((".", ":", ";"))
    )


def _allowed(
    removed: list[str],
    added: list[str],
    in_appendix: bool,
    has_appendix: bool,
    vocabulary: frozenset[str],
    optional: list[tuple[str, ...]],
    raw: str,
    joined_ref: str = "",
) -> bool:
    for words in (removed, added):
        if words and _is_optional(words, optional):
            other = added if words is removed else removed
            if not other or _is_optional(other, optional):
                return True
    if in_appendix:
        # The appendix (how to apply the license: sample headers, a copyright line to fill in) is the
        # licensee's to fill in or leave out; after a license without one, added terms count.
        # A notice that names another license (the header a following GPL copy asks for) is not part of
        # this one's terms; nor are copyright lines, addresses, links and short titles after its end (Apple's
        # "SOFTWARE DISTRIBUTED IN THIS REPOSITORY: ... separate copyright notices ... see the file
        # ACKNOWLEDGEMENTS").
        # Terms of the copy's own in place of the appendix (a paragraph restricting use put after Apache's "END
        # OF TERMS AND CONDITIONS") are added terms all the same: words the license's text does not hold,
        # reading as terms.
        return (
            (has_appendix and not _own_terms(added, joined_ref))
            or not term_like(added)
            or bool(set(added) & OTHER_LICENSE_WORDS - vocabulary)
            or (bool(added) and _boilerplate_lines(raw, after_terms=True))
        )
    # Boilerplate put in (a copyright line, an address, a short title); not an amount that happens to stand on a
    # short line of a rewrapped copy ("greater than 1\nbillion monthly" for "1 million").
    if added and (
        (_boilerplate_lines(raw) and not _amount(set(added) - set(removed)) and not _term_number(removed, added, raw))
        or (not removed and _in_links(added, raw))
    ):
        return True
    if not added and "copyright" in removed and len(removed) <= _TITLE_WORDS and not set(removed) & _RESTRICTING:
        return True  # the reference's copyright line or placeholder, which a copy may leave out
    if (
        removed
        and added
        and len(removed) <= _NAME
        and len(added) <= _NAME
        and not (set(removed) | set(added)) & SIGNIFICANT
        and not any(len(_NUMBER.findall(w)) > 1 for w in added + removed)
    ):
        return True  # a name put in for another ("the author" for "the authors or copyright holders")
    if len(removed) <= _SMALL and len(added) <= _SMALL:
        changed = set(removed) ^ set(added)
        # List numbering ("1", "a", "ii") changes nothing; an amount or a year does.
        if not changed & SIGNIFICANT and not any(len(_NUMBER.findall(w)) > 1 for w in changed):
            return True
    return False


# Of the runs of four words put in a license's appendix, the share its text does not hold for them to be terms
# of the copy's own, and the fewest words such terms take (a filled-in header holds the appendix's own runs).
_OWN_SHARE = 0.5
_OWN_WORDS = 12


def _own_terms(added: list[str], joined_ref: str) -> bool:
    """Whether words put in a license's appendix are terms of the copy's own, not the appendix filled in (a
    header written from the appendix's sample holds its runs of words; new sentences do not)."""
    if len(added) < _OWN_WORDS or not term_like(added):
        return False
    runs = [" " + " ".join(added[i : i + 4]) + " " for i in range(len(added) - 3)]
    return sum(1 for r in runs if r not in joined_ref) >= _OWN_SHARE * len(runs)


_AMOUNT_WORDS = frozenset(["hundred", "thousand", "million", "billion", "trillion"])


# A date on a line: a month's name ("May" is also a verb) or a year.
_DATE = re.compile(
    r"\b(?:jan(?:uary)?|feb(?:ruary)?|march|apr(?:il)?|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?"
    r"|nov(?:ember)?|dec(?:ember)?)\b|\b(?:19|20)\d\d\b",
    re.I,
)


_DOTTED_LABEL = re.compile(r"[\W_]*\(?(\d{1,2}(?:\.\d{1,2})*)[.)](?:\s|$)")


def _new_items(added: list[str], raw: str) -> bool:
    """Whether the words put in are whole list items, each on its own line: terms, however short."""
    lines = [line for line in raw.split("\n") if line.strip()]
    items = [LIST_ITEM.match(line) for line in lines]
    if not lines or not all(items):
        return False
    return [w for m in items if m is not None for w in word_list(m.group(1))] == added


def _term_number(removed: list[str], added: list[str], raw: str) -> bool:
    """Whether a number of the terms is put in for another ("prior to 60 days" for 30 days), which no
    title holds; a number on a line with a date (an edition's release date), a copyright line, an address
    (the FSF's old and new ones) or a link is not one."""
    if len(removed) > _SMALL + 1 or len(added) > _SMALL + 1:
        return False  # more than a number and a word: the other rules read it
    changed = set(removed) ^ set(added)
    label = _DOTTED_LABEL.match(raw)
    if label is not None and changed & set(label.group(1).split(".")):
        return False  # a list item's number ("2.10."): layout, however a copy numbers its sections
    return (
        any(w.isdigit() for w in changed & set(removed))
        and any(w.isdigit() for w in changed & set(added))
        and not _DATE.search(raw)
        and not any(p.search(line) for line in raw.split("\n") for p in (_COPYRIGHT_LINE, _ADDRESS_LINE, _LINK_LINE))
    )


def _amount(words: set[str]) -> bool:
    """Whether `words` put in name an amount ("billion"); a number alone may be a year, a date or a version."""
    return bool(words & _AMOUNT_WORDS)


def _is_optional(words: list[str], optional: list[tuple[str, ...]]) -> bool:
    s = " " + " ".join(words) + " "
    # Part of an optional line (its link may be markup the text normaliser drops).
    if len(words) >= 3 and any(s in " " + " ".join(opt) + " " for opt in optional):
        return True
    rest = s
    for opt in optional:
        o = " " + " ".join(opt) + " "
        if o in rest:
            rest = rest.replace(o, " ")
    return not rest.strip()


_URL_TEXT = re.compile(r"(?:https?://|www\.)\S+|\b[\w-]+(?:\.[\w-]+)+/\S*", re.I)


def _in_links(added: list[str], raw: str) -> bool:
    """Whether the words a copy adds are part of a link on its lines (a newer edition's longer link)."""
    links = [w for url in _URL_TEXT.findall(raw) for w in word_list(url)]
    return bool(links) and " " + " ".join(added) + " " in " " + " ".join(links) + " "


def _boilerplate_lines(raw: str, after_terms: bool = False) -> bool:
    """Every non-blank line is a copyright line, a postal address, a link or a short title; `after_terms`:
    the lines follow the terms' end, where a line about copyright notices is one too (Apple's "copyright
    notices and license terms - please see the file ACKNOWLEDGEMENTS")."""
    copyright_line = _MENTIONS_COPYRIGHT if after_terms else _COPYRIGHT_LINE
    any_line = False
    for line in raw.split("\n"):
        s = line.strip()
        if not s:
            continue
        any_line = True
        ws = set(re.findall(r"[a-z]+", s.lower()))
        if ws & _RESTRICTING:
            return False
        # A copyright line or a link with a term in it ("Copyright 2024 Foo. Any use requires a royalty") is terms;
        # a holder's name is not ("Foo Research Institute", "Academy of Sciences", "Government of Bar").
        if (copyright_line.search(s) or _ADDRESS_LINE.search(s) or _LINK_LINE.search(s)) and not (
            ws & SIGNIFICANT - _IN_NAMES
        ):
            continue
        if len(s.split()) <= _TITLE_WORDS and not term_like(s.lower().split()):
            continue
        return False
    return any_line


def term_like(ws: list[str]) -> bool:
    """Words that read as terms: long enough and holding a word of obligation or permission."""
    if len(ws) <= _SMALL:
        return bool(set(ws) & SIGNIFICANT)
    return len(set(ws) & _TERM_CUES) >= 2 or bool(set(ws) & {"shall", "must", "prohibited", "noncommercial"})


def _merge(changes: list[Change]) -> list[Change]:
    """Changes on the same or adjacent lines are one change."""
    out: list[Change] = []
    for c in sorted(changes, key=lambda c: (c.start_line, c.end_line)):
        if out and c.start_line <= out[-1].end_line + 1:
            prev = out[-1]
            kind = prev.change if prev.change == c.change else "changed"
            text = prev.text if len(prev.text) >= _QUOTE else quote((prev.text + " " + c.text).split())
            out[-1] = Change(kind, prev.start_line, max(prev.end_line, c.end_line), text)
        else:
            out.append(c)
    return out
