"""Matchers, cheapest first; each result carries a confidence in [0, 1] and a line span.

1. exact: the file's words hash to a reference text's words (any wrapping, case, quotes, markup).
2. phrases: each catalog license's `identify.phrases` found in order; a run of them is one full copy
   ("text"), and a file may hold several (concatenated licenses, third-party NOTICEs).
3. references: short notices that point at a license (the Apache header, "licensed under the Llama 3.1
   Community License"): reported with kind "reference", never as a copy.
4. coverage: a "text" match with a reference copy is scored by how much of that copy it holds, so a
   license with a clause deleted does not come back at full confidence.
5. the rest: license-like text that no catalog license claims (or a whole file with nothing known)
   goes to the long-tail matcher (the SPDX list, longtail.py), then to the catalog's model licenses by
   4-gram resemblance (their text adopted under another name, one edition of a bilingual text; terms in
   Chinese by their ideographs) and, failing that, is reported as `other` when it reads like license
   terms.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass, field, replace
from functools import lru_cache

from license_audit.catalog import Catalog, License
from license_audit.identify.compiled import CompiledCatalog, CompiledLicense, compile_catalog, text_digest
from license_audit.identify.normalize import (
    Tokens,
    foreign_count,
    list_labels,
    phrase_words,
    relabelled,
    text_lines,
    tokenize,
    words,
)
from license_audit.identify.references import (
    _COMPACT_HINT,
    Ref,
    _base,
    _index,
    _may_link,
    _spdx_ids,
    bare_reference,
    family,
    family_default,
    find_references,
    former_spans,
    in_spans,
    not_under,
    or_later,
    said_modified,
)
from license_audit.identify.similarity import Reference, has_ideographs, reference, scores
from license_audit.report import OTHER_ID, LicenseMatch

MIN_CONFIDENCE = 0.5
REFERENCE_CONFIDENCE = 0.9
VERIFY_BELOW = 0.9
FAITHFUL_CONFIDENCE = 0.95  # a copy whose every difference from the reference the license allows
# How many words before its first phrase a full copy takes in (its title, copyright lines); after its
# last phrase it takes in everything up to the next license (appendix, "how to apply", use policy).
_GROW_BACK = 120
# Words that make a stretch of text read like license terms rather than prose.
_CUES = (
    " license",
    " licence",
    " licensed ",
    " agreement",
    " terms of use",
    " terms and conditions",
    " permission",
    " permitted",
    " prohibited",
    " rights reserved",
    " proprietary",
    " redistribut",
    " commercial use",
    " warrant",
    " liability",
    " liable",
    " governed by",
    " shall not",
    " may not",
    " you agree",
    " licensee",
    " licensor",
    " intellectual property",
    " non-commercial",
    " noncommercial",
    " hereby granted",
    " free of charge",
    " without fee",
    " disclaim",
    " merchantability",
    # A few words of the other languages licenses are published in (German, French, Spanish,
    # Italian, Dutch, Portuguese), so a translated text still reaches the long tail.
    " lizenz",
    " urheberrecht",
    " licencia",
    " licenza",
    " licentie",
    " licen",
    " droit d",
    " derechos",
)
_OTHER_MIN_WORDS = 20
# A stretch this long that references cut up is read whole by the long tail first.
_WHOLE_WORDS = 150
_OTHER_MIN_CUES = 3

OTHER_SPDX = "LicenseRef-other"


@dataclass(slots=True, eq=False)
class _Cand:
    """A license one run of phrases suggests, before the matches are chosen."""

    cl: CompiledLicense
    start: int  # word index, inclusive
    end: int  # word index, inclusive
    share: float
    kind: str
    confidence: float = field(default=0.0, init=False)
    hit_start: int = field(default=0, init=False)  # the phrase run itself, before it grows
    hit_end: int = field(default=0, init=False)
    coverage: float | None = field(default=None, init=False)
    precision: float | None = field(default=None, init=False)
    changes: list | None = field(default=None, init=False)  # modified.Change list, once computed
    # A reference's own words (its phrase and the boilerplate it grew over), before it claims its lines.
    own: tuple[int, int] | None = field(default=None, init=False)
    # A reference by a pattern that holds no Latin-script word ("通义千问许可协议"): it stands between the
    # words it is placed at, so it shares them with the references there rather than competing for them.
    between: bool = field(default=False, init=False)

    def __post_init__(self) -> None:
        self.hit_start, self.hit_end = self.start, self.end


def _text_candidates(cl: CompiledLicense, toks: Tokens, present: set[str]) -> list[_Cand]:
    total = len(cl.phrases)
    if not total or cl.keys.isdisjoint(present):
        return []
    # A copy holds MIN_CONFIDENCE of the phrases (below): a text holding the words of fewer has none to find.
    held = [
        (idx, nd)
        for idx, nd in enumerate(cl.phrases)
        if nd.key in present and nd.key2 in present and nd.words <= present
    ]
    if len(held) < total * MIN_CONFIDENCE:
        return []
    hits: list[tuple[int, int, int]] = []
    for idx, nd in held:
        for pos in toks.find_all(nd.text):
            hits.append((pos, idx, nd.length))
    if len(hits) < max(1, total * MIN_CONFIDENCE):
        return []
    hits.sort()
    # Phrases are kept in the order a copy holds them (compiled.py); going back in that order half a
    # license on starts the next copy (a license pasted twice, MIT after BSD after MIT in a NOTICE).
    # Nor can one copy run much longer than the license: LGPL-2.1's closing words found again in a
    # GPL-2.0 text that follows it belong to that text.
    length = cl.ref_words or cl.min_words or 200
    min_gap, max_len = length // 2, int(length * 1.3) + 50
    # A license written in Latin script, in a text that also holds another script (a translation beside it).
    latin = cl.ref_foreign < _FOREIGN and toks.has_foreign()
    clusters: list[list[tuple[int, int, int]]] = [[hits[0]]]
    for h in hits[1:]:
        cur = clusters[-1]
        span = h[0] - cur[0][0]
        # Text in another script between (a translation before the original) is no part of a copy, however
        # few words it holds: a phrase found again after it starts the next copy.
        if (
            (h[1] < cur[-1][1] and span >= min_gap)
            or span > max_len
            or (h[1] <= cur[-1][1] and latin and _foreign_between(toks, cur[-1][0], h[0]))
        ):
            clusters.append([h])
        else:
            cur.append(h)
    # A run that only adds phrases the previous one lacks is the rest of that copy (a title quoted
    # again inside its own text started it), as long as the two fit in one license's length.
    merged: list[list[tuple[int, int, int]]] = []
    for cluster in clusters:
        if merged:
            prev = merged[-1]
            phrases = {h[1] for h in cluster}
            adds = phrases - {h[1] for h in prev}
            # A second copy holds most of the phrases again; a few recurring ones are mentions.
            if (
                (adds or len(phrases) < 0.75 * total)
                and cluster[-1][0] - prev[0][0] <= max_len
                and not (latin and _foreign_between(toks, prev[-1][0], cluster[0][0]))
            ):
                prev.extend(cluster)
                continue
        merged.append(cluster)
    out: list[_Cand] = []
    for cluster in merged:
        if latin:
            cluster = _latin_part(cluster, toks)
        # A copy opens with its earliest phrase: a closing phrase just before it belongs to the text before.
        while len(cluster) > 1 and cluster[0][1] > cluster[1][1]:
            cluster.pop(0)
        share = len({h[1] for h in cluster}) / total
        start = cluster[0][0]
        end = max(p + n - 1 for p, _, n in cluster)
        if share < MIN_CONFIDENCE:
            continue
        out.append(_Cand(cl, start, end, share, "text"))
    return out


def _reference_candidates(cl: CompiledLicense, toks: Tokens, present: set[str]) -> list[_Cand]:
    out: list[_Cand] = []
    formers: dict[int, tuple[list[int], list[tuple[int, int]]]] = {}  # per line: its words' offsets, former spans
    # A license asked for its patterns alone (the text holds their literal part) has no phrase key in the text.
    for nd in cl.references if not cl.ref_keys.isdisjoint(present) else ():
        if nd.key not in present or nd.key2 not in present or not nd.words <= present:
            continue
        for pos in toks.find_all(nd.text):
            end = pos + nd.length - 1
            if _aside(toks, pos) or _across_items(toks, pos, end) or _former_phrase(toks, pos, formers):
                continue
            if _modified_before(toks, pos):
                continue  # not the license as such ("Modified MIT License"): what names the modified one says which
            out.append(_Cand(cl, pos, end, 1.0, "reference"))
    if not cl.patterns:
        return out
    cleaned = toks.cleaned
    starts: list[int] | None = None  # where each word of `cleaned` starts, found once for all matches
    for pat, needs in zip(cl.patterns, cl.pattern_needs):
        if needs not in cleaned:
            continue
        for m in pat.finditer(cleaned):
            held = _word_count(m.group(0))
            if held:
                # The words the match holds, where they stand: a line may name other licenses before it
                # ("Apache-2.0 开源协议，模型权重遵循 Llama 3.1 社区许可协议").
                if starts is None:
                    starts = [w.start() for w in _WORDS.finditer(cleaned.replace("++", "pp"))]
                idx = min(bisect_left(starts, m.start()), len(toks.words) - 1)
                end = min(idx + held - 1, toks.last_word_of_line(toks.line_of(idx)))  # its first line's words
                out.append(_Cand(cl, idx, max(idx, end), 1.0, "reference"))
                continue
            line = cleaned.count("\n", 0, m.start()) + 1
            idx = toks.first_word_of_line(line)
            if idx < len(toks.words):
                out.append(_Cand(cl, idx, idx, 1.0, "reference"))
                out[-1].between = True
    return out


def _modified_before(toks: Tokens, pos: int) -> bool:
    """Whether the words before `pos` call what follows modified: "Modified MIT License", and the name's own
    words between ("a modified CreativeML OpenRAIL-M license": not the OpenRAIL-M license either)."""
    return said_modified(toks.words, pos, _NAME_BEFORE_MODIFIED)


_NAME_BEFORE_MODIFIED = 3  # words of a license's name that may stand between "modified" and a phrase of it


# The tokenizer's words in a cleaned text: every other character separates them, and "++" is "pp" ("C++17"
# is one word, "cpp17").
_WORDS = re.compile(r"[a-z0-9]+")


def _word_count(cleaned: str) -> int:
    return len(_WORDS.findall(cleaned.replace("++", "pp") if "++" in cleaned else cleaned))


# A line that starts a labelled item of a list ("- **License:** …") or a row of a table: a name does not run on
# into it from the line before (a comment's "- ", "*" or "#" continues the text).
_ITEM_START = re.compile(r"\s*(?:[-*+]\s+\*\*|\||\d+[.)]\s)")


def _across_items(toks: Tokens, a: int, b: int) -> bool:
    """Whether words [a, b] run from one item of a list or table row into the next ("- **Developed by:** MIT" and
    "- **License:** apache-2.0" hold no "MIT License")."""
    first, last = toks.line_of(a), toks.line_of(b)
    return any(_ITEM_START.match(toks.cleaned_line(n)) for n in range(first + 1, last + 1))


def _former_phrase(toks: Tokens, a: int, formers: dict[int, tuple[list[int], list[tuple[int, int]]]]) -> bool:
    """Whether the words from `a` name the license their line says it changed from ("由 X 变更为 Y": X), where it
    does; `formers` keeps each line's word offsets and former spans once read."""
    if "由" not in toks.cleaned:
        return False
    n = toks.line_of(a)
    if n not in formers:
        line = toks.cleaned_line(n).replace("++", "pp")
        spans = former_spans(line)
        formers[n] = ([w.start() for w in _WORDS.finditer(line)] if spans else [], spans)
    offsets, spans = formers[n]
    first = a - toks.first_word_of_line(n)
    return 0 <= first < len(offsets) and in_spans(spans, offsets[first])


def _aside(toks: Tokens, pos: int) -> bool:
    """Whether the words before a reference at `pos` say nothing is under it ("The License is based on
    the Mozilla Public License", "a derived Apache 2.0 license": references.not_under)."""

    return pos > 0 and not_under([w for w in toks.words[max(0, pos - 9) : pos] if w not in ("the", "version", "v")])


def _extend_reference(c: _Cand, toks: Tokens, present: set[str]) -> None:
    """Stretch a reference to the end of its boilerplate (the Apache header's closing line)."""
    best = c.end
    for nd in c.cl.reference_end:
        if nd.key not in present or nd.key2 not in present or not nd.words <= present:
            continue
        for i in toks.find_all(nd.text):
            if c.end < i <= c.end + 150:
                best = max(best, i + nd.length - 1)
                break
    c.end = best


def _references(all_refs: list[_Cand], texts: list[_Cand], toks: Tokens, present: set[str]) -> list[_Cand]:
    refs = []
    for r in all_refs:
        if not any(t.start <= r.hit_start <= t.end for t in texts):
            refs.append(_Cand(r.cl, r.hit_start, r.hit_end, r.share, r.kind))
            refs[-1].between = r.between
    # Of two references at the same words ("Open RAIL-M" inside "BigScience Open RAIL-M"), the longer wins.
    refs.sort(key=lambda r: (r.start, -(r.end - r.start), r.cl.lic.id))
    kept: list[_Cand] = []
    reach = -1  # the last word a kept reference holds: sorted by start, one overlaps a kept one only up to it
    for r in refs:
        if r.between:
            if not any(k.between and k.cl is r.cl for k in kept):
                kept.append(r)
        elif r.start > reach:
            kept.append(r)
            reach = max(reach, r.end)
    for r in kept:
        _extend_reference(r, toks, present)
        r.own = (r.start, r.end)
        _whole_lines(r, toks)
        r.confidence = REFERENCE_CONFIDENCE
    return kept


def _whole_lines(c: _Cand, toks: Tokens) -> None:
    """A reference claims the lines it stands on: the rest of its sentence is not unknown terms."""
    c.start = toks.first_word_of_line(toks.line_of(c.start))
    c.end = toks.last_word_of_line(toks.line_of(c.end))


def _resolve_texts(cands: list[_Cand]) -> list[_Cand]:
    """One license per stretch of text: the best-scoring wins, and a license that names another in its
    `shadowed_by` (OpenRAIL-M for its BigScience and CreativeML variants) yields to it on the same words."""
    cands.sort(key=lambda c: (-round(c.share, 6), -len(c.cl.phrases), -(c.end - c.start), c.cl.lic.id))
    kept: list[_Cand] = []
    for c in cands:
        # Two copies may share a boundary phrase ("END OF TERMS AND CONDITIONS"); only a real overlap clashes.
        clash = [k for k in kept if _overlap(k, c) > 0.2 * min(k.end - k.start + 1, c.end - c.start + 1)]
        if not clash:
            kept.append(c)
        elif all(c.cl.lic.id in k.cl.shadowed_by and c.share >= 0.8 * k.share for k in clash):
            for k in clash:
                kept.remove(k)
            kept.append(c)
    kept.sort(key=lambda c: c.start)
    for a, b in zip(kept, kept[1:]):
        if b.start <= a.end:
            b.start = b.hit_start = a.end + 1
            b.end = b.hit_end = max(b.end, b.start)
    return kept


def _superset(c: _Cand, dropped: list[_Cand]) -> _Cand:
    """The copy `c` read as a license that holds every phrase of c's and more, found on the same words,
    whose own check failed (BSD-3-Clause with a note inside its clauses, which BSD-2-Clause's shorter phrase
    run stops before): the text holds that license's phrase that c's license lacks, so c's license is not
    the better reading, and what the copy adds to the larger one is reported as its changes."""
    mine = {nd.text for nd in c.cl.phrases}
    found = round(c.share * len(mine))
    for d in sorted(dropped, key=lambda d: (-d.share * len(d.cl.phrases), d.cl.lic.id)):
        theirs = {nd.text for nd in d.cl.phrases}
        if (
            mine < theirs
            and round(d.share * len(theirs)) > found
            and _overlap(c, d) > 0.5 * (d.hit_end - d.hit_start + 1)
        ):
            d.start, d.end = c.start, c.end
            d.confidence = c.confidence
            return d
    return c


def _overlap(a: _Cand, b: _Cand) -> int:
    return max(0, min(a.end, b.end) - max(a.start, b.start) + 1)


def _score_text(c: _Cand, toks: Tokens) -> float:
    conf = c.share
    n = c.end - c.start + 1
    if c.cl.min_words and n < c.cl.min_words * 0.5:
        conf *= max(0.3, n / c.cl.min_words)
    ref = reference(c.cl.text_path, c.cl.required_end)
    if ref is not None:
        # Precision inside the phrase run: text the reference does not hold (an added clause, the
        # advertising clause that makes BSD-3-Clause a BSD-4-Clause) lowers confidence as well.
        cov, prec = scores(
            toks.words[c.start : c.end + 1],
            toks.words[c.hit_start : c.hit_end + 1],
            ref,
            list_labels(toks),
            (c.start, c.hit_start),
        )
        c.coverage, c.precision = cov, prec
        conf = min(conf, _coverage_confidence(cov), _coverage_confidence(prec, 0.95))
    return round(conf * 0.99, 4)


_WHOLE = 0.9  # the coverage of a copy that holds its license's text entire (as _coverage_confidence reads it)
# A copy with a part of its license cut out: it still holds this share of the license's text, and nothing else.
_CUT = 0.5
_CUT_PRECISION = 0.98


def _whole_copy(copies: list[_Cand], cc: CompiledCatalog, toks: Tokens, text: str) -> _Cand | None:
    """Of the copies that hold their license's text entire, the one whose changes hold fewest words (with its
    changes set). A copy whose comparison shows no added words, where its precision says there are some, is
    not read this way: what it adds would go unsaid."""
    for c in copies:
        c.changes = _changes(c, cc, toks, text)
    said = [c for c in copies if _words_changed(c.changes)]
    return min(said, key=lambda c: (_words_changed(c.changes), -(c.coverage or 0.0), c.cl.lic.id), default=None)


def _cut_copy(copies: list[_Cand], cc: CompiledCatalog, toks: Tokens, text: str) -> _Cand | None:
    """Of the copies holding every phrase of their license and nothing but its words, the one that covers most of
    it, when its comparison shows what was removed (with its changes set)."""
    for c in sorted(copies, key=lambda c: (-(c.coverage or 0.0), c.cl.lic.id)):
        c.changes = _changes(c, cc, toks, text)
        if any(ch.change == "removed" for ch in c.changes) and not _words_changed(c.changes):
            return c
    return None


def _words_changed(changes) -> int:
    """The words of a copy that its license's text does not hold: its added and changed stretches."""
    return sum(len(ch.text.split()) for ch in changes or () if ch.change != "removed")


def _least_held(c: _Cand) -> tuple[float, float, int, str]:
    return (1.0 if c.precision is None else c.precision, c.share, c.hit_end - c.hit_start, c.cl.lic.id)


def _coverage_confidence(cov: float, full: float = 0.9) -> float:
    # Faithful copies of the reference texts cover >= 0.9 of them (editions differ in a date, a URL or
    # a placeholder line); every further point of missing text costs three points of confidence.
    if cov >= full:
        return 1.0
    return max(0.0, 1.0 - 3.0 * (full - cov))


def _grow(texts: list[_Cand], refs: list[_Cand], toks: Tokens) -> None:
    """Let each full copy take in its own title, copyright lines and appendix, up to its neighbours."""
    for c in texts:
        # A reference to the license itself (the Apache appendix, GPL's "how to apply") is part of the copy.
        spans = [s for s in texts + refs if s is not c and not (s.kind == "reference" and s.cl is c.cl)]
        prev_end = _end_before(c, spans)
        nxt = min((s for s in spans if s.start > c.end), key=lambda s: s.start, default=None)
        next_start = len(toks.words) if nxt is None else nxt.start
        if nxt is not None and nxt.kind == "text":
            # The next copy's first line is its own (its title: "Meta Llama 3 Acceptable Use Policy", whose
            # first phrase starts a word or two in).
            own_line = toks.first_word_of_line(toks.line_of(next_start))
            if c.end < own_line:
                next_start = own_line
        # Nor does a copy grow over text in another script beside it (a translation before or after it).
        start, end = prev_end + 1, next_start - 1
        if c.cl.ref_foreign < _FOREIGN and toks.has_foreign():
            start = max(start, toks.first_word_of_line(toks.latin_run(toks.line_of(c.start), _FOREIGN)[0]))
            end = min(end, toks.last_word_of_line(toks.latin_run(toks.line_of(c.end), _FOREIGN)[1]))
        if c.start - start <= _GROW_BACK:
            c.start = min(c.start, start)
        c.end = max(c.end, end)


def _without_translated_mentions(
    found: list[LicenseMatch], text: str, toks: Tokens, catalog: Catalog
) -> list[LicenseMatch]:
    """`found` less the references that a translation beside a copy makes to a license the copy's own text names
    (the Falcon 180B license's "based on the Apache License Version 2.0", said again in its Chinese translation):
    the copy's mention in another script, not a license the file is under."""
    copies = sorted((m for m in found if m.kind == "text" and m.id != OTHER_ID), key=lambda m: m.start_line)
    named: dict[int, set[str]] = {}  # per copy: the licenses its own lines name

    def translated(m: LicenseMatch) -> bool:
        if any(c.start_line <= m.start_line <= c.end_line for c in copies):
            return False
        # The stretch between copies the reference stands in: a translation of license terms is long.
        first = max((c.end_line + 1 for c in copies if c.end_line < m.start_line), default=1)
        last = min((c.start_line - 1 for c in copies if c.start_line > m.start_line), default=toks.nlines)
        if toks.foreign_in(first, last) < _TRANSLATION or not toks.foreign_in(m.start_line, m.start_line):
            return False
        for k, c in enumerate(copies):
            if k not in named:
                refs = find_references(text, [(c.start_line, c.end_line)], catalog, [])
                named[k] = {m.id for m in _reference_matches(refs, catalog)}
            if m.id in named[k]:
                return True
        return False

    return [m for m in found if m.kind != "reference" or not translated(m)]


def _named_beside(c: _Cand, toks: Tokens, text: str, catalog: Catalog, held: set[str]) -> list[LicenseMatch]:
    """The licenses that the lines of copy `c` before and after its run of phrases name and that its license's
    own text does not (the GPL of "Alternatively, ... under the terms of the GNU General Public License" put
    after the MIT License; not the LGPL that the GPL's own appendix names), nor a copy in the file of another
    edition (the header a following LGPL-2.1 copy asks for, written "version 2"); `held`: the families of the
    file's copies."""
    from license_audit.identify.modified import DENYING, OTHER_LICENSE_WORDS

    ref = reference(c.cl.text_path)
    if ref is None:
        return []
    first, last = toks.line_of(c.hit_start), toks.line_of(c.hit_end)
    ranges = [(toks.line_of(c.start), first - 1), (last + 1, toks.line_of(c.end))]
    ranges = [(a, b) for a, b in ranges if a <= b]
    lo, hi = toks.first_word_of_line(first), toks.last_word_of_line(last)
    around = set(toks.words[c.start : lo]) | set(toks.words[hi + 1 : c.end + 1])
    own = catalog.derived(f"words-of-{c.cl.lic.id}", lambda: frozenset(ref.words))
    if not ranges or not (around & OTHER_LICENSE_WORDS) - own:
        return []
    named = catalog.derived(f"named-by-{c.cl.lic.id}", lambda: _named_by(ref.text, catalog))
    # A license of the copy's own family is the copy's title or label ("{{Simplified BSD License}}" over a
    # BSD-3-Clause text), one of another copy's family that copy's header; one of a family its text names,
    # another edition of what it names (a GPL's appendix names the LGPL).
    families = {family(k) for k in named} | held
    lines = text_lines(text)

    def beside(m: LicenseMatch) -> bool:
        if m.id in named or family(m.id) in families:
            return False
        # Not a license the terms deny anything is under ("does not contain any code subject to the GNU General
        # Public License"): the sentence the name stands in, from a few lines before it on.
        said = " ".join(lines[max(0, m.start_line - 4) : m.start_line])
        sentence = _SENTENCE_END.split(said[: len(said) - len(lines[m.start_line - 1])])[-1] + lines[m.start_line - 1]
        return DENYING.isdisjoint(words(sentence))

    return [m for m in _reference_matches(find_references(text, ranges, catalog, []), catalog) if beside(m)]


_SENTENCE_END = re.compile(r"[.;!?](?:\s|$)")


def _named_by(text: str, catalog: Catalog) -> frozenset[str]:
    """The licenses `text` (a license's reference text) names."""
    refs = find_references(text, [(1, text.count("\n") + 1)], catalog, [])
    return frozenset(m.id for m in _reference_matches(refs, catalog))


def _latin_part(cluster: list[tuple[int, int, int]], toks: Tokens) -> list[tuple[int, int, int]]:
    """Of a run of phrases with text in another script inside it, the stretch between two such texts that holds
    most of the run's phrases when it holds three in four of them (the original, beside a translation that
    quotes a few of its words); the whole run otherwise (a bilingual copy, its two languages paragraph by
    paragraph)."""
    parts = [[cluster[0]]]
    for h in cluster[1:]:
        if _foreign_between(toks, parts[-1][-1][0], h[0]):
            parts.append([h])
        else:
            parts[-1].append(h)
    if len(parts) == 1:
        return cluster
    best = max(parts, key=lambda p: len({h[1] for h in p}))
    return best if len({h[1] for h in best}) >= 0.75 * len({h[1] for h in cluster}) else cluster


# Ideographs, kana and hangul between copies that make a translation of license terms rather than a note.
_TRANSLATION = 1000
# Ideographs, kana and hangul: a stretch of lines holding this many is text in another script (a translation
# of the license), not part of a copy of a license written in Latin script.
_FOREIGN = 100


def _foreign_between(toks: Tokens, a: int, b: int) -> bool:
    """Whether the lines from word `a`'s to the one before word `b`'s hold text in another script."""
    return toks.latin_run(toks.line_of(b), _FOREIGN)[0] > toks.line_of(a)


def _end_before(c: _Cand, spans: list[_Cand]) -> int:
    """The last word of the spans that end before `c` starts; -1 when none do."""
    return max((s.end for s in spans if s.end < c.start), default=-1)


def _unclaimed(claimed: list[_Cand], nwords: int) -> list[tuple[int, int]]:
    out = []
    pos = 0
    for c in sorted(claimed, key=lambda c: c.start):
        if c.start > pos:
            out.append((pos, c.start - 1))
        pos = max(pos, c.end + 1)
    if pos < nwords:
        out.append((pos, nwords - 1))
    return out


def _license_like(toks: Tokens, a: int, b: int) -> bool:
    if b - a + 1 < _OTHER_MIN_WORDS:
        return False
    region = " " + " ".join(toks.words[a : b + 1]) + " "
    return sum(map(region.count, _CUES)) >= _OTHER_MIN_CUES


def identify_text(text: str, catalog: Catalog, *, prose: bool = False, long_tail: bool = True) -> list[LicenseMatch]:
    """Every license in `text`, each with its own line span, kind ("text" or "reference") and confidence.

    `prose`: the text is a model card or README, where licenses are named, not reproduced; unclaimed
    text there is prose, not unknown license terms.
    """
    # The commonest short inputs, a bare link or an identifier line, are answered by the reference
    # matchers alone, before any word index is built (cheapest first).
    quick = _one_line_reference(text, catalog)
    if quick is not None:
        return quick
    toks = tokenize(text)
    if not toks.words:
        # No Latin-script word: a Chinese title the catalog's patterns name, or terms read by their ideographs.
        cc = compile_catalog(catalog)
        titled = _titles(toks, cc)
        terms = _cjk_terms(text, toks, cc, {m.id for m in titled}) if not prose else []
        # A copy takes in its own title.
        kept = [
            m for m in titled if not any(m.id == t.id and t.start_line <= m.start_line <= t.end_line for t in terms)
        ]
        # Links only (words go with markup: a badge's image, a bare markdown link): read as links and badges.
        if "/" in text and _may_link(text.lower()):
            refs = find_references(text, [(1, text.count("\n") + 1)], catalog, [])
            held = {m.id for m in kept + terms}
            kept += [m for m in _reference_matches(refs, catalog) if m.id not in held]
        return sorted(kept + terms, key=lambda m: (m.start_line, -m.confidence, m.id))
    cc = compile_catalog(catalog)
    exact = cc.exact.get(text_digest(toks.joined))
    if exact is not None:
        lic = cc.by_id[exact].lic
        changes: list = []
        if lic.raw.get("modifies"):
            # An exact copy of a modified license: its changes against the license it modifies.
            changes = _changes(_Cand(cc.by_id[exact], 0, len(toks.words) - 1, 1.0, "text"), cc, toks, text)
        # Every word of the file is the license's: so are lines of it without Latin-script words (a Chinese
        # title before the first of them).
        body = [k for k, ln in enumerate(text_lines(text), 1) if ln.strip()]
        return [
            LicenseMatch(
                lic.id,
                lic.spdx,
                1.0,
                min(body[0], toks.line_of(0)),
                max(body[-1], toks.line_of(len(toks.words) - 1)),
                "text",
                lic.name,
                bool(lic.raw.get("modifies")),
                tuple(changes),
            )
        ]
    present = set(toks.words)

    # Most licenses share no key word with a text: tell that before paying for a call (for a short
    # text, by looking up its few words rather than every license's keys).
    with_keys, with_ref_keys = _licenses_keyed(cc, present, toks.cleaned)
    cands: list[_Cand] = []
    for cl in with_keys:
        cands.extend(_text_candidates(cl, toks, present))
    all_refs: list[_Cand] = []
    for cl in with_ref_keys:
        all_refs.extend(_reference_candidates(cl, toks, present))
    named: list[tuple[_Span, LicenseMatch]] | None = None
    # The references of the whole text, once looked for: what is left once copies claim their lines is
    # read from them rather than looked for again.
    whole_refs: list | None = None
    if not cands and not all_refs and not prose and len(toks.words) < _OTHER_MIN_WORDS:
        # Cheapest first: a few words no catalog phrase holds that name a license or link to one are
        # those references, and nothing else can be found in them (too short for terms or a copy).
        refs = whole_refs = _whole_references(text, toks, catalog)
        if not refs:
            named = []  # what _named_references would find on the same lines: nothing
        else:
            few = _reference_matches(refs, catalog)
            cjk = _cjk_terms(text, toks, cc, {m.id for m in few})
            if cjk:
                few = _most_specific(few + cjk)
                few.sort(key=lambda m: (m.start_line, -m.confidence, m.id))
            return _later_versions(few, text)

    # Resolve, grow and score; a winner that fails its coverage check leaves the field to the others.
    dropped: set[int] = set()
    while True:
        texts = _resolve_texts([c for c in cands if id(c) not in dropped])
        for c in texts:
            c.start, c.end = c.hit_start, c.hit_end
        kept_refs = _references(all_refs, texts, toks, present)
        _grow(texts, kept_refs, toks)
        failed = []
        for c in texts:
            c.confidence = _score_text(c, toks)
            if c.confidence < MIN_CONFIDENCE * 0.99:
                failed.append(c)
        if not failed:
            break
        # One at a time, the one whose stretch holds least of its own text first: a copy that another
        # license's phrases inside it cut short (the MIT notice within the ChatGLM licenses) passes once
        # those are gone.
        dropped.add(id(min(failed, key=_least_held)))
    kept_refs = [r for r in kept_refs if not any(t.start <= r.start <= t.end for t in texts)]
    extra: list[LicenseMatch] = []
    settled: list[_Cand] = []  # stretches the long tail has already named: not looked at again
    read_by: dict[int, list[LicenseMatch]] = {}  # what the long tail read in each settled copy
    confirmed: set[int] = set()  # copies the long tail reads as their own license
    if long_tail and not prose:
        # An SPDX-list license matched below 0.9 may be a variant the catalog does not hold (BSD-4-Clause
        # read as BSD-3-Clause): the long-tail matcher has the last word on that stretch.
        from license_audit.identify.modified import term_like

        for c in list(texts):
            if c.cl.text_path is not None:
                # A copy that differs from the reference only where the license allows it (its optional
                # lines, a filled-in copyright line) is this license.
                c.changes = _changes(c, cc, toks, text)
                if not c.changes and c.confidence < VERIFY_BELOW:
                    c.confidence = max(c.confidence, FAITHFUL_CONFIDENCE)
            # Added or changed clauses may make another license of the SPDX list (BSD-2-Clause plus an
            # advertising clause is BSD-4-Clause, MIT plus a no-endorsement clause is X11); a copy that
            # only lacks a part is still this one.
            added = any(ch.change != "removed" for ch in c.changes or ())
            if c.cl.lic.spdx.startswith("LicenseRef-"):
                continue
            doubtful = added or (c.confidence < VERIFY_BELOW and (c.precision or 0.0) < 0.95)
            beyond = _beyond(c)
            if not doubtful and (beyond is None or (beyond is False and c.changes == [] and _only_lacks(c, toks))):
                continue  # the reference whole, or with only words left out that it lets a copy leave out
            # A copy without a clause of the license may be a variant of fewer clauses (BSD-Source-Code is
            # BSD-3-Clause without the binary clause), whose template the phrase index may not reach: the
            # exact matcher is asked even then.
            fewer = doubtful and any(
                ch.change == "removed" and len(ch.text.split()) >= _CLAUSE_WORDS and term_like(ch.text.split())
                for ch in c.changes or ()
            )
            # A copy that is not word for word the reference may still be word for word another license
            # of the SPDX list that differs from this one only where this one's copies may differ (the
            # BSD-2-Clause plus the "views and conclusions" paragraph is BSD-2-Clause-Views).
            found = _long_tail(
                text,
                toks,
                c.start,
                c.end,
                catalog,
                known=None if doubtful else c.cl.lic.spdx,
                exact=bool(beyond) or fewer,
                alone=fewer,
            )
            span: _Cand | _Span = c
            if not found and added:
                # A variant whose own terms open with a long preamble the copy did not grow over (SSLeay's
                # "This library is free for commercial and non-commercial use ..."): read with it.
                lo = 1 + _end_before(c, [s for s in texts + kept_refs if s is not c])
                if lo < c.start:
                    found = _long_tail(text, toks, lo, c.end, catalog, exact=True)
                    span = _Span(lo, c.end)
            if added and (not found or not _explained(found, c.changes or [])):
                # What the copy adds may be the rest of a license whose template is one phrase, which the
                # phrase index does not grade (MIT plus the X Consortium's no-endorsement clause is X11).
                ref = reference(c.cl.text_path, c.cl.required_end)
                if ref is not None:
                    clauses = [ch.text for ch in c.changes or () if ch.change != "removed"]
                    one = _long_tail(text, toks, c.start, c.end, catalog, clauses=clauses, base=ref.words)
                    if one:
                        found, span = one, c
            if not found:
                continue
            same = [m for m in found if m.id == c.cl.lic.id]
            if same:
                confirmed.add(id(c))
                c.confidence = max(c.confidence, max(m.confidence for m in same))
            elif not doubtful and not _variant(found):
                continue
            elif added and not _explained(found, c.changes or []):
                continue  # the long tail names a license that does not hold what this copy adds
            else:
                texts.remove(c)
                if span is not c:
                    # Read back over its preamble, the copy takes in copies before it that were read alone
                    # (OpenSSL: the OpenSSL License, read as OpenSSL-standalone, then the SSLeay License): the
                    # one reading of the whole replaces theirs.
                    inside = [s for s in settled if span.start <= s.start and s.end <= span.end]
                    for s in inside:
                        settled.remove(s)
                        drop = {id(m) for m in read_by.pop(id(s), [])}
                        extra = [m for m in extra if id(m) not in drop]
                settled.append(span)  # type: ignore[arg-type]
                read_by[id(span)] = found
                extra.extend(found)
    if dropped:
        # A copy the long tail did not rename or confirm may be a larger catalog license whose check failed.
        losers = [d for d in cands if id(d) in dropped]
        for k, c in enumerate(texts):
            d = _superset(c, losers) if id(c) not in confirmed else c
            if d is not c:
                d.changes = _changes(d, cc, toks, text) if d.cl.text_path is not None else []
                if not d.changes and d.confidence < VERIFY_BELOW:
                    d.confidence = max(d.confidence, FAITHFUL_CONFIDENCE)
                texts[k] = d
    # A copy that failed for text of its own inside its license's (a clause inserted before MIT's
    # disclaimer) still holds that license entire: what it is, unless the long tail knows a license that is
    # the text as such.
    copy = None
    if long_tail and not prose and not texts and not settled:
        copy = _whole_copy([c for c in cands if (c.coverage or 0.0) >= _WHOLE], cc, toks, text)
        if copy is None:
            # Nor one that holds every phrase of its license and nothing else, with a part of it cut out (MIT
            # without its "IN NO EVENT SHALL ..." paragraph): that license, with the part removed.
            copy = _cut_copy(
                [
                    c
                    for c in cands
                    if c.share >= 1.0 and (c.precision or 0.0) >= _CUT_PRECISION and (c.coverage or 0.0) >= _CUT
                ],
                cc,
                toks,
                text,
            )
    if copy is not None:
        found = _long_tail(text, toks, copy.start, copy.end, catalog, exact=True)
        # The reading that leaves fewer of the text's words to changes: MIT with a clause inserted, not MIT-0
        # with MIT's own notice clause and that clause added; BSD-3-Clause-Clear as such, not BSD-2-Clause
        # with two clauses added.
        if not found or (
            all(m.modified for m in found)
            and _words_changed(copy.changes) < sum(_words_changed(m.changes) for m in found)
        ):
            copy.confidence = MIN_CONFIDENCE
            texts.append(copy)
            kept_refs = [r for r in kept_refs if not copy.start <= r.start <= copy.end]
            # What the copy adds may name another license ("Alternatively, ... under the terms of the GNU
            # General Public License"): read as a reference of its own, not as the copy's words.
            adds = [(ch.start_line, ch.end_line) for ch in copy.changes or () if ch.change != "removed"]
            if adds:
                extra.extend(_reference_matches(find_references(text, adds, catalog, []), catalog))
    if (
        named is None
        and not prose
        and not texts
        and not kept_refs
        and not settled
        and len(toks.words) < _OTHER_MIN_WORDS
    ):
        # A few words that name a license or link to one are a reference: the whole-file look of the
        # long tail below is for informal terms, which are longer.
        whole_refs = _whole_references(text, toks, catalog)
        named = _named_references(text, toks, [], catalog, set(), whole_refs)
        if any(m is not None for _, m in named):
            long_tail = False
    if long_tail and not prose and kept_refs:
        # A license text of the SPDX list may name others inside it ("licensed under both this License
        # and the Apache License 2.0", an exhibit of compatible licenses): the long tail reads such a
        # stretch whole, and what names a license inside the copy it finds is part of that copy.
        for a, b in _unclaimed(texts + settled, len(toks.words)):
            inside = [r for r in kept_refs if a <= r.start and r.end <= b]
            if not inside or b - a + 1 < _WHOLE_WORDS or not _license_like(toks, a, b):
                continue
            # A notice around the references (the FSF header): the phrase index alone may read it whole.
            around = inside[0].cl.lic.spdx if _notice_of(toks, a, b, inside) else None
            found = _long_tail(text, toks, a, b, catalog, known=around, exact=around is None)
            if found and all(m.kind == "text" for m in found):
                extra.extend(found)
                settled.append(_Span(a, b))  # type: ignore[arg-type]
                kept_refs = [r for r in kept_refs if r not in inside]
    if not prose:
        # Nothing known in the whole file: the long tail gets a look even without license vocabulary
        # (informal notices, translations); its phrase index costs about a millisecond.
        whole = not texts and not kept_refs and not settled
        notice = None
        if whole and long_tail and named is None and len(toks.words) <= _NOTICE_WORDS:
            # Cheapest first: a notice that names its license and holds no terms of its own (the FSF
            # "should have received a copy" header) needs no exact matcher: the long tail's phrase index
            # alone may still read it as a license text (a title line before its terms).
            whole_refs = _whole_references(text, toks, catalog)
            named = _named_references(text, toks, [], catalog, set(), whole_refs)
            if _only_notice(toks, named):
                notice = next(m.spdx for _, m in named if m is not None)
        for a, b in _unclaimed(texts + kept_refs + settled, len(toks.words)):
            if not whole and not _license_like(toks, a, b):
                continue
            named_here = notice
            if not whole and named_here is None and _notice_of(toks, a, b, kept_refs):
                # The rest of a notice around a catalog reference: the phrase index alone may read it.
                named_here = next(r.cl.lic.spdx for r in kept_refs if a - 40 <= r.start and r.end <= b + 40)
            found = (
                _long_tail(text, toks, a, b, catalog, known=named_here, exact=named_here is None) if long_tail else []
            )
            if not found and long_tail and named_here is None:
                named_near = {r.cl.lic.id for r in kept_refs if a - _NAMED_NEAR <= r.end and r.start <= b}
                found = _resembling(text, toks, a, b, cc, named_near)
            if found:
                extra.extend(found)
                settled.append(_Span(a, b))  # type: ignore[arg-type]
    beside: list[LicenseMatch] = []
    # A copy's lines around its run of phrases may name a license its own text does not (a dual-license
    # sentence before or after it: "Alternatively, this software may be distributed under the terms of the GNU
    # General Public License"): that license is named, not taken into the copy.
    held = {family(t.cl.lic.id) for t in texts}
    for c in texts:
        beside.extend(_named_beside(c, toks, text, catalog, held))
    # What is left may name licenses without holding them: identifier lines, names, links.
    if named is None or settled or extra:
        known = {c.cl.lic.id for c in texts + kept_refs} | {m.id for m in extra}
        named = _named_references(text, toks, texts + kept_refs + settled, catalog, known, whole_refs)
    held = {c.cl.lic.id for c in texts + kept_refs} | {m.id for m in extra}
    # The editions a shared name may mean are not held one by one.
    held |= {m.id for _, m in named if m is not None and not (m.kind == "reference" and m.alternatives)}
    if len(held) > 1:
        named = _unquoted(named, toks, held, cc)
    extra.extend(m for _, m in named if m is not None)
    # What the names around a copy say, where no reference read on the same line says it already.
    said = {(m.id, m.start_line) for m in extra if m.kind == "reference"}
    extra.extend(m for m in beside if (m.id, m.start_line) not in said)
    if not prose:
        spans = [span for span, _ in named]
        for a, b in _unclaimed(texts + kept_refs + settled + spans, len(toks.words)):  # type: ignore[operator]
            if _license_like(toks, a, b) and not _notice_of(toks, a, b, spans):
                extra.append(
                    LicenseMatch(
                        OTHER_ID,
                        OTHER_SPDX,
                        0.5,
                        toks.line_of(a),
                        toks.line_of(b),
                        "text",
                        "Unrecognised license terms",
                    )
                )

    text_ids = {c.cl.lic.id for c in texts}
    out: list[LicenseMatch] = []
    for c in texts:
        lic = c.cl.lic
        changes = c.changes if c.changes is not None else _changes(c, cc, toks, text)
        # A catalog entry that is itself a modified license (Kimi K2's modified MIT) is modified as such.
        modified = bool(changes) or bool(lic.raw.get("modifies"))
        out.append(
            LicenseMatch(
                lic.id,
                lic.spdx,
                c.confidence,
                toks.line_of(c.start),
                toks.line_of(c.end),
                "text",
                lic.name,
                modified,
                tuple(changes),
            )
        )
    seen_refs: set[str] = set()
    for r in sorted(kept_refs, key=lambda r: r.start):
        lic = r.cl.lic
        if lic.id in text_ids or lic.id in seen_refs:
            continue
        seen_refs.add(lic.id)
        out.append(
            LicenseMatch(
                lic.id, lic.spdx, r.confidence, toks.line_of(r.start), toks.line_of(r.end), "reference", lic.name
            )
        )
    ids_text = {m.id for m in out if m.kind == "text"}
    out.extend(m for m in extra if m.id == OTHER_ID or m.id not in ids_text)
    if not prose and not any(m.kind == "text" for m in out):
        cjk = _cjk_terms(text, toks, cc, {m.id for m in out if m.kind == "reference"})
        # A copy read by its ideographs takes in the references to itself inside it (its Chinese title).
        out = [
            m
            for m in out
            if not any(m.id == t.id and t.start_line <= m.start_line and m.end_line <= t.end_line for t in cjk)
        ]
        out.extend(cjk)
    out = _most_specific(editions_named(out))
    if texts and toks.has_foreign() and any(m.kind == "reference" for m in out):
        out = _without_translated_mentions(out, text, toks, catalog)
    if not prose:
        out = _later_versions(_title_variants(_notice_variants(out, text), text), text)
    else:
        # A card's "GPLv3+" or "version 2 or any later version" is that version or later, as a notice's is.
        out = _later_versions(out, text)
        if "ommons" in text or any(w in toks.joined for w in _MEDIA_WORDS):
            out = _without_media_credits(out, text)
    out.sort(key=lambda m: (m.start_line, -m.confidence, m.id))
    return out


# A line crediting an image or other medium shown in a card ("Image attribution: Jane Doe, CC0, via
# Wikimedia Commons", "Photo by ..., CC BY-SA 4.0"): the license it names is that medium's, not the model's.
_MEDIA_WORDS = (" image ", " images ", " photo ", " picture ", " figure ", " illustration ", " icon ", " logo ")
_MEDIA_CREDIT = re.compile(
    r"\b(?:image|photo(?:graph)?|picture|figure|illustration|icon|logo|artwork|screenshot|diagram)s?"
    r"\s*(?:attribution|credits?|source|by|courtesy)\b|\bwikimedia\s+commons\b",
    re.I,
)


def _without_media_credits(found: list[LicenseMatch], text: str) -> list[LicenseMatch]:
    """Prose references less those on a line that credits an image or other medium."""
    lines = text_lines(text)
    return [
        m
        for m in found
        if not (
            m.kind == "reference"
            and m.start_line == m.end_line
            and 0 < m.start_line <= len(lines)
            and _MEDIA_CREDIT.search(lines[m.start_line - 1])
        )
    ]


_KEYED: dict[
    int, tuple[CompiledCatalog, tuple[dict[str, list[tuple[int, int]]], dict[str, set[int]], dict[str, set[int]]]]
] = {}


def _licenses_keyed(
    cc: CompiledCatalog, present: set[str], cleaned: str
) -> tuple[list[CompiledLicense], list[CompiledLicense]]:
    """The licenses whose phrases the text may hold in the share a copy needs (as many phrase keys
    present), and those one of whose reference keys the text holds or whose patterns' literal text
    `cleaned` (the text's cleaned form) holds, in catalog order."""
    held = _KEYED.get(id(cc))
    by_key = held[1] if held is not None and held[0] is cc else None
    if by_key is None:
        phrase_keys: dict[str, list[tuple[int, int]]] = {}
        ref_keys: dict[str, set[int]] = {}
        for i, cl in enumerate(cc.licenses):
            for k, n in Counter(nd.key for nd in cl.phrases).items():
                phrase_keys.setdefault(k, []).append((i, n))
            for k in cl.ref_keys:
                ref_keys.setdefault(k, set()).add(i)
        # Licenses by the literal text one of their patterns needs: most texts hold none of a few words.
        patterned: dict[str, set[int]] = {}
        for i, cl in enumerate(cc.licenses):
            for need in cl.pattern_needs:
                patterned.setdefault(need, set()).add(i)
        by_key = (phrase_keys, ref_keys, patterned)
        _KEYED.clear()  # one compiled catalog at a time: a --rules run compiles its own
        _KEYED[id(cc)] = (cc, by_key)
    phrase_keys, ref_keys, patterned = by_key
    # Each literal is looked for once, however many licenses' patterns need it.
    b: set[int] = set()
    for need, held_by in patterned.items():
        if need in cleaned:
            b |= held_by
    if len(present) > 64:
        return (
            [cl for cl in cc.licenses if not cl.keys.isdisjoint(present)],
            [cl for i, cl in enumerate(cc.licenses) if i in b or not cl.ref_keys.isdisjoint(present)],
        )
    a: dict[int, int] = {}
    for w in present:
        for i, n in phrase_keys.get(w, ()):
            a[i] = a.get(i, 0) + n
        if w in ref_keys:
            b |= ref_keys[w]
    # A copy holds at least MIN_CONFIDENCE of a license's phrases (_text_candidates): a short text
    # whose words key fewer cannot be one, and its phrases are not searched.
    lics = cc.licenses
    return [lics[i] for i in sorted(a) if a[i] >= len(lics[i].phrases) * MIN_CONFIDENCE], [lics[i] for i in sorted(b)]


_QUICK_MAX = 400  # characters: longer input is not one line


def _one_line_reference(text: str, catalog: Catalog) -> list[LicenseMatch] | None:
    """A text that is one bare link or one `SPDX-License-Identifier:` line: its references, found by
    the reference matchers alone (no copy or long-tail text can be that short); None for other text."""
    if len(text) > _QUICK_MAX:
        return None

    line = text.strip()
    if not line or "\n" in line or "\r" in line:
        return None
    refs = bare_reference(line, catalog)
    if refs is None:
        return None
    if not refs:
        # A link no index knows may still spell a license's name in its path ("…/mit-license.php"):
        # the catalog's reference phrases read its words; nothing else is guessed from it.
        return _link_words(text, catalog)
    n = text.replace("\r\n", "\n").replace("\r", "\n").count("\n", 0, text.index(line[0])) + 1
    return _reference_matches(refs, catalog, n)


def _reference_matches(refs: list, catalog: Catalog, n: int | None = None) -> list[LicenseMatch]:
    """The matches of references found on one line (line `n`, else each reference's own), as
    _named_references names them."""

    out: list[LicenseMatch] = []
    seen: set[str] = set()
    for ref in refs:
        line = ref.line if n is None else n
        if ref.editions:
            out.extend(_edition_matches(ref, catalog, line))
            continue
        lic = None if family_default(ref.key) else catalog.get(ref.key)
        key = lic.id if lic is not None else ref.key
        if key in seen:
            continue
        seen.add(key)
        out.append(_reference_match(ref, lic, line))
    if len(out) < 2:
        return out
    out = _most_specific(editions_named(out))
    out.sort(key=lambda m: (m.start_line, -m.confidence, m.id))
    return out


def _edition_matches(ref: Ref, catalog: Catalog, line: int) -> list[LicenseMatch]:
    """A name every edition of a license goes by ("the Llama license"): each edition, ambiguous with the
    others; which one is meant is for what the text names beside it, or for the model's base, to say."""
    lics = [lic for k in ref.editions if (lic := catalog.get(k)) is not None]
    return [
        LicenseMatch(
            lic.id,
            lic.spdx,
            REFERENCE_CONFIDENCE,
            line,
            line,
            "reference",
            lic.name,
            alternatives=tuple(o.spdx for o in lics if o is not lic),
        )
        for lic in lics
    ]


def editions_named(found: list[LicenseMatch]) -> list[LicenseMatch]:
    """`found` less the editions a shared name stands for where the text names one of them as such: "the
    Llama 3.1 Community License ... under the Llama license" names Llama 3.1's, once."""
    if not any(m.alternatives for m in found):
        return found
    named = {m.spdx for m in found if not m.alternatives}
    return [
        m
        for m in found
        if not (m.kind == "reference" and m.alternatives and (m.spdx in named or not named.isdisjoint(m.alternatives)))
    ]


def _reference_match(ref: Ref, lic: License | None, line: int) -> LicenseMatch:
    """The match of reference `ref` on `line`: the catalog license `lic` (with the "-or-later" id the
    reference wrote), else the SPDX id the catalog does not hold."""
    if lic is not None:
        return LicenseMatch(lic.id, ref.spdx or lic.spdx, REFERENCE_CONFIDENCE, line, line, "reference", lic.name)
    return LicenseMatch(ref.key.lower(), ref.key, REFERENCE_CONFIDENCE, line, line, "reference", ref.key)


def _link_words(text: str, catalog: Catalog) -> list[LicenseMatch]:
    toks = tokenize(text)
    if not toks.words:
        return []
    present = set(toks.words)
    cc = compile_catalog(catalog)
    all_refs: list[_Cand] = []
    for cl in _licenses_keyed(cc, present, toks.cleaned)[1]:
        all_refs.extend(_reference_candidates(cl, toks, present))
    out: list[LicenseMatch] = []
    seen: set[str] = set()
    for r in sorted(_references(all_refs, [], toks, present), key=lambda r: r.start):
        lic = r.cl.lic
        if lic.id not in seen:
            seen.add(lic.id)
            out.append(
                LicenseMatch(
                    lic.id, lic.spdx, r.confidence, toks.line_of(r.start), toks.line_of(r.end), "reference", lic.name
                )
            )
    return out


# Licenses whose SPDX variants share the text and are told by the notice beside it: the GNU FDL with or
# without invariant sections, the SIL OFL with or without a Reserved Font Name. (the text's SPDX id,
# then each notice's words and the variant they make, first that fits.)
_NOTICE_VARIANTS: tuple[tuple[re.Pattern[str], tuple[tuple[str, str], ...]], ...] = (
    (
        re.compile(r"GFDL-\d\.\d(-only|-or-later)?"),
        ((" no invariant sections ", "-no-invariants"), (" invariant sections being ", "-invariants")),
    ),
    (
        re.compile(r"OFL-\d\.\d"),
        (
            (" with no reserved font name ", "-no-RFN"),
            (" with reserved font name ", "-RFN"),
            (" is a reserved font name ", "-RFN"),  # "<Font Name> is a Reserved Font Name for this Font Software"
        ),
    ),
)
_NOTICE_LINES = 12  # a notice stands before the text or in its first lines


def _notice_variants(found: list[LicenseMatch], text: str) -> list[LicenseMatch]:
    """A GNU FDL or SIL OFL copy whose notice says which SPDX variant it is, reported as that variant
    over the notice and the copy (the notice's own match, the base or a variant, is part of it)."""
    if not any(m.kind == "text" for m in found):
        return found
    from license_audit.identify.longtail import spdx_id
    from license_audit.identify.normalize import words

    lines: list[str] | None = None
    out = list(found)
    for m in found:
        if m.kind != "text" or m.modified or m.alternatives or m not in out:
            continue
        rule = next((r for r in _NOTICE_VARIANTS if r[0].fullmatch(m.spdx)), None)
        if rule is None:
            continue
        if lines is None:
            lines = text_lines(text)
        base = re.sub(r"-(only|or-later)$", "", m.spdx)
        before = max(
            (
                o.end_line
                for o in out
                if o.kind == "text" and o.end_line < m.start_line and not _same_family(o.spdx, base)
            ),
            default=0,
        )
        first = max(before + 1, m.start_line - _NOTICE_LINES)
        notice = " " + " ".join(words("\n".join(lines[first - 1 : m.start_line - 1 + _NOTICE_LINES]))) + " "
        suffix = next((v for phrase, v in rule[1] if phrase in notice), None)
        if suffix is None:
            continue
        if base.startswith("GFDL"):
            suffix += "-or-later" if " or any later version " in notice else "-only"
        variant = spdx_id(base + suffix)
        if variant is None:
            continue
        # The notice's own lines, when it stands before the copy, become part of it.
        pre = " " + " ".join(words("\n".join(lines[first - 1 : m.start_line - 1]))) + " "
        lead = next((k for k in range(first, m.start_line) if lines[k - 1].strip()), m.start_line)
        start = min(
            [lead if any(phrase in pre for phrase, _ in rule[1]) else m.start_line]
            + [
                o.start_line
                for o in out
                if o is not m and first <= o.start_line and o.end_line <= m.end_line and _same_family(o.spdx, base)
            ]
        )
        out = [
            o
            for o in out
            if o is m or not (first <= o.start_line and o.end_line <= m.end_line and _same_family(o.spdx, base))
        ]
        out[out.index(m)] = replace(m, id=variant.lower(), spdx=variant, name=variant, start_line=start)
    return out


_TITLE_LINES = 3  # a copy's title stands in its first lines


# "version 2 of the License, or (at your option) any later version", "v3 or later": the version, then
# "or" and "later" in the same sentence with no other version between, and no word that rules them out.
_LATER_WORDS = ("later", "above", "newer", "higher", "greater")
# The version a GNU reference names, written as one ("GPLv3", "GPL-3.0", "version 3", "License v3"): a number
# after another word ("Python 3 or higher") is no version of the license.
_VERSION_CUE = r"(?:gpl|fdl|licen[cs]e|version|v)(?:[^\w.]|\.(?!\d)){0,40}(?<![\d.])"
_OR_LATER = r"(?:\.0)?(?![\d.]\d)[^.;\d]{0,60}?\bor\b[^.;\d]{0,40}?\b(?:" + "|".join(_LATER_WORDS) + r")\b"


def _later_word(text: str) -> bool:
    """Whether `text` may extend a version to later ones (substring looks: a case-blind pattern is slower)."""
    if "+" in text:
        return True
    low = text.lower()
    return "plus" in low or any(map(low.__contains__, _LATER_WORDS))


_NOT_LATER = re.compile(r"\b(?:not|only|no)\b")
# "GPLv2+", "LGPL v2.1+", "gpl v1 plus": the family's own abbreviation or "license" just before the version (not
# "LGPLv2+" for a GPL-2.0 reference); not "GPLv2 + Classpath Exception", "GPLv2+CE", "GPLv3 plus additional
# permissions".
_PLUS_BEFORE = r"(?<![a-z])(?:gnu[^\w.+]*)?(?:{family}|licen[cs]e)(?:[^\w.+]*(?:v|version))?[^\w.+]*(?<![\d.])"
_PLUS = r"(?:\.0)?(?:\+(?![+a-z0-9])|\s?plus\b(?!\s+[a-z]))"
# Each family as its names abbreviate it ("GNU Affero GPL v3+", "Lesser GPL v2.1+").
_PLUS_FAMILY = {"agpl": r"agpl|affero\W*gpl", "lgpl": r"lgpl|(?:lesser|library)\W*gpl", "gfdl": "g?fdl"}
_LATER_LINES = 2  # lines after a reference the sentence may run on to


def _later_versions(found: list[LicenseMatch], text: str) -> list[LicenseMatch]:
    """A reference to a GNU license version whose sentence goes on to "or (at your option) any later
    version", reported with the SPDX id of that version or later (the catalog license stays its own)."""
    if not _later_word(text):
        return found
    lines: list[str] | None = None
    out = list(found)
    for k, m in enumerate(found):
        later = or_later(m.spdx)
        if m.kind != "reference" or not later or _gnu_family(m.spdx) is None:
            continue
        if lines is None:
            lines = text_lines(text)
        family, version = m.spdx.lower().split("-")[0], m.spdx[: -len("-only")].split("-")[-1].removesuffix(".0")
        # "GPLv2+", "LGPL v2.1+", "GNU GPL version 3+": the version or any later one, on the reference's own lines.
        own = " ".join(lines[m.start_line - 1 : m.end_line]).lower()
        before = _PLUS_BEFORE.format(family=_PLUS_FAMILY.get(family, family))
        if ("+" in own or "plus" in own) and re.search(before + re.escape(version) + _PLUS, own):
            out[k] = replace(m, spdx=later)
            continue
        stretch = " ".join(lines[m.start_line - 1 : m.end_line + _LATER_LINES]).lower()
        if not _later_word(stretch):
            continue
        said = re.search(_VERSION_CUE + re.escape(version) + _OR_LATER, stretch)
        if said is not None and not _NOT_LATER.search(said.group(0)):
            out[k] = replace(m, spdx=later)
    return out


def _title_variants(found: list[LicenseMatch], text: str) -> list[LicenseMatch]:
    """A copy whose title names a variant of its license that the SPDX list holds under the license's
    id and a suffix of two words or more ("The Cryptographic Autonomy License, v. 1.0, with Combined
    Work Exception" is CAL-1.0-Combined-Work-Exception), reported as that variant."""
    from license_audit.identify.normalize import words

    lines: list[str] | None = None
    out = list(found)
    for k, m in enumerate(found):
        if m.kind != "text" or m.modified or m.alternatives:
            continue
        variants = _suffixed(re.sub(r"-(only|or-later)$", "", m.spdx).lower())
        if not variants:
            continue
        if lines is None:
            lines = text_lines(text)
        title = " " + " ".join(words("\n".join(lines[m.start_line - 1 : m.start_line - 1 + _TITLE_LINES]))) + " "
        variant = next((v for v, suffix in variants if suffix in title), None)
        if variant is not None:
            out[k] = replace(m, id=variant.lower(), spdx=variant, name=variant)
    return out


@lru_cache(maxsize=1)
def _variants() -> dict[str, list[tuple[str, str]]]:
    """SPDX ids by the id they extend with a suffix of two words or more, each with that suffix's words
    (" combined work exception "), longest first."""
    from license_audit.identify.normalize import words

    listed = set(_spdx_ids().values())
    by_lower: dict[str, list[str]] = {}
    for base in listed:
        by_lower.setdefault(base.lower(), []).append(base)
    out: dict[str, list[tuple[str, str]]] = {}
    for v in listed:
        # Each id that `v` extends ends where a "-" of `v` stands.
        for cut in (k for k, ch in enumerate(v) if ch == "-"):
            for base in by_lower.get(v[:cut].lower(), ()):
                suffix = words(v[len(base) + 1 :])
                if len(suffix) >= 2 and suffix[-1] not in ("only", "later"):
                    out.setdefault(base.lower(), []).append((v, " " + " ".join(suffix) + " "))
    for vs in out.values():
        vs.sort(key=lambda x: (-len(x[1]), x[0]))
    return out


def _suffixed(base: str) -> list[tuple[str, str]]:
    return _variants().get(base, [])


def _same_family(spdx: str, base: str) -> bool:
    return spdx == base or spdx.startswith(base + "-")


def _long_tail(
    text: str,
    toks: Tokens,
    a: int,
    b: int,
    catalog: Catalog,
    known: str | None = None,
    exact: bool = True,
    alone: bool = False,
    clauses: list[str] | None = None,
    base: list[str] | None = None,
) -> list[LicenseMatch]:
    """The long tail's reading of words a..b; with `clauses` (what a catalog copy there adds to `base`, its
    license's words), only the licenses whose template is one phrase that hold the stretch and what of those
    clauses `base` does not (`held_whole`)."""
    from license_audit.identify.longtail import held_whole, identify_spdx

    first, last = toks.line_of(a), toks.line_of(b)
    # Lines as the tokenizer counts them: "\n" only (str.splitlines would also split at form feeds).
    lines = text_lines(text)
    region = "\n".join(lines[first - 1 : last])
    # The whole file (up to trailing blank lines): its words are already known.
    whole = toks if first == 1 and not "".join(lines[last:]).strip() else None
    from license_audit.identify.modified import Change, quote

    out = []
    if clauses is not None:
        read = held_whole(region, whole, clauses, base or [])
    else:
        read = identify_spdx(region, whole, known, exact, alone)
    for sm in read:
        lic = catalog.get(sm.spdx)
        lic_id = lic.id if lic else sm.spdx.lower()
        spdx = lic.spdx if lic else sm.spdx
        # Terms the license's own text does not hold: that license, modified (never the license as such).
        changes = tuple(Change("added", first + a - 1, first + b - 1, quote(words.split())) for a, b, words in sm.added)
        out.append(
            LicenseMatch(
                lic_id,
                spdx,
                sm.confidence,
                first + sm.first - 1,
                first + sm.last - 1,
                "text",
                lic.name if lic else sm.spdx,
                bool(changes),
                changes,
                tuple(_catalog_spdx(a, catalog) for a in sm.alternatives),
            )
        )
    return out


# A catalog model license's text adopted under another name (the ChatGLM2-6B License with another model
# team as its licensor, and perhaps a clause changed): no phrase of it is found, since its phrases hold its
# name, nor is it on the SPDX list. Of the license's 4-grams the stretch holds this share at least, and
# the license this share of the stretch's: an SPDX license's text under a model license built on it stays
# below (the Apache License 2.0 against the Falcon 180B license, 0.6; the MIT License against Kimi K2's,
# 0.69), while relatives of one family may both pass (the Llama 3.x licenses hold 0.95 of each other).
_RESEMBLES = 0.75
# Licenses within this much of the closest are named beside it: which one was adopted, the text does not say.
_RESEMBLE_MARGIN = 0.03


# Words before a stretch within which a reference names the license the stretch is a copy of (its title).
_NAMED_NEAR = 40
# Words of a license's title that name no one: what is left names its model or licensor.
_TITLE_WORDS_GENERIC = frozenset(
    ["the", "a", "of", "for", "and", "license", "licence", "agreement", "community", "model", "models", "version"]
)


def _name_words(lic: License) -> set[str]:
    """The words of a license's title that name its model or licensor ("chatglm2", "bluelm")."""
    return {w for w in words(lic.name) if w not in _TITLE_WORDS_GENERIC and not w.isdigit()}


_RESEMBLED: dict[int, tuple[CompiledCatalog, list[tuple[CompiledLicense, Reference]]]] = {}


def _resemblance_candidates(cc: CompiledCatalog) -> list[tuple[CompiledLicense, Reference]]:
    """The licenses `_resembling` compares a text with, and their reference texts, once per compiled catalog:
    model licenses only (the SPDX list's are the long tail's, whose templates know every relative); a license
    that modifies another is compared as that one; a text two entries share, once. Shortest text first."""
    held = _RESEMBLED.get(id(cc))
    if held is not None and held[0] is cc:
        return held[1]
    out = []
    for cl in cc.licenses:
        lic = cl.lic
        if cl.text_path is None or not lic.spdx.startswith("LicenseRef-") or lic.raw.get("modifies"):
            continue
        ref = reference(cl.text_path, cl.required_end) if cl.text_path.stem == lic.id else None
        if ref is not None:
            out.append((cl, ref))
    out.sort(key=lambda x: (x[1].required_words, x[0].lic.id))  # the shortest text first
    _RESEMBLED.clear()  # one compiled catalog at a time, as _KEYED
    _RESEMBLED[id(cc)] = (cc, out)
    return out


def _resembling(
    text: str,
    toks: Tokens,
    a: int,
    b: int,
    cc: CompiledCatalog,
    named: set[str],
    cjk: tuple[int, int] | None = None,
) -> list[LicenseMatch]:
    """The catalog license(s) whose reference text the words [a, b] hold, each modified with its changes:
    one of the licenses `named` by a reference at or just before the stretch (an edition the reference
    text differs from), else each close one; a copy that lacks the license's own name where its text
    holds it is the text adopted under another name (`renamed`); [] when none comes close. `cjk`: the
    lines (first, last) of a Chinese or Japanese text, whose ideographs are compared instead of words."""
    from license_audit.identify.similarity import cjk_grams, cjk_resemblance, ideographs, resemblance, shingles

    if cjk is not None:
        chars = ideographs(_lines_of(text, *cjk))
        n = len(chars)
    else:
        n = b - a + 1
    candidates = _resemblance_candidates(cc)
    if not candidates or (cjk is None and n < 0.5 * candidates[0][1].required_words):
        return []  # shorter than half the shortest text: none can be held
    own: set | None = None
    as_written: set | None = None

    def raw() -> set:
        nonlocal as_written
        if as_written is None:
            as_written = shingles(toks.words[a : b + 1])
        return as_written

    close: list[tuple[float, CompiledLicense, Reference]] = []
    for cl, ref in candidates:
        size = len(ref.cjk) if cjk is not None else ref.required_words
        if not size or not 0.5 * size <= n <= 2 * size:
            continue
        if own is None:
            own = (
                cjk_grams(chars)
                if cjk is not None
                else shingles(relabelled(toks.words[a : b + 1], list_labels(toks), a))
            )
        cov, prec = cjk_resemblance(own, ref) if cjk is not None else resemblance(own, ref, raw)
        if min(cov, prec) >= _RESEMBLES:
            close.append((min(cov, prec), cl, ref))
    if not close:
        return []
    close = [x for x in close if x[1].lic.id in named] or close
    best = max(share for share, _, _ in close)
    chosen = sorted((x for x in close if x[0] >= best - _RESEMBLE_MARGIN), key=lambda x: x[1].lic.id)
    ids = tuple(cl.lic.spdx for _, cl, _ in chosen)
    first, last = cjk if cjk is not None else (toks.line_of(a), toks.line_of(b))
    held = Counter(toks.words[toks.first_word_of_line(first) : toks.last_word_of_line(last) + 1])
    out = []
    for share, cl, ref in chosen:
        # Its text names the license ("ChatGLM2-6B", "Yi Series Models") where the copy names another model
        # or licensor: a word of the name the copy holds a quarter as often or less (one left behind is still
        # a rename; "6B" of "CharacterGLM-6B" is not the name kept).
        theirs = Counter(w for w in ref.words if w in _name_words(cl.lic))
        renamed = cl.lic.id not in named and any(n >= 2 and held[w] * 4 < n for w, n in theirs.items())
        edition = _edition_named(cl.lic, named, held, cc) if renamed else None
        if edition is not None:
            # Renamed for a license of the same family that the text names: that license's own edition of this
            # text (THUDM's first ChatGLM3-6B License is the ChatGLM2-6B License's text under ChatGLM3's name).
            out.append(LicenseMatch(edition.id, edition.spdx, round(share * 0.8, 4), first, last, "text", edition.name))
            continue
        if cjk is not None:
            from license_audit.identify.modified import cjk_changes

            all_lines = text_lines(text)
            changes = cjk_changes(all_lines, first, last, ref.cjk)
        else:
            c = _Cand(cl, a, b, share, "text")
            c.hit_start, c.hit_end = _held_run(toks.words, a, b, ref)
            changes = _changes(c, cc, toks, text)
        out.append(
            LicenseMatch(
                cl.lic.id,
                cl.lic.spdx,
                round(share * 0.8, 4),
                first,
                last,
                "text",
                cl.lic.name,
                renamed or bool(changes),
                tuple(changes),
                tuple(i for i in ids if i != cl.lic.spdx),
                renamed=renamed,
            )
        )
    return out


def _edition_named(lic: License, named: set[str], held: Counter, cc: CompiledCatalog) -> License | None:
    """The license of `lic`'s family that a reference near the copy names and whose own name the copy holds
    in place of `lic`'s, if one."""
    if not lic.family:
        return None
    for key in sorted(named):
        other = cc.by_id[key].lic if key in cc.by_id else None
        if other is None or other.id == lic.id or other.family != lic.family:
            continue
        if all(held[w] >= 2 for w in _name_words(other)):
            return other
    return None


def _held_run(ws: list[str], a: int, b: int, ref: Reference) -> tuple[int, int]:
    """The words of [a, b] from the first to the last six that the reference holds as they stand: the
    copy's run of the license, which its changes are read against (its own title before it is a title)."""

    def held(i: int) -> bool:
        return " " + " ".join(ws[i : i + 6]) + " " in ref.joined

    first = next((i for i in range(a, b - 4) if held(i)), None)
    if first is None:
        return a, b
    last = next(i for i in range(b - 5, first - 1, -1) if held(i))
    return first, last + 5


def _catalog_spdx(spdx_id: str, catalog: Catalog) -> str:
    lic = catalog.get(spdx_id)
    return lic.spdx if lic else spdx_id


def _changes(c: _Cand, cc: CompiledCatalog, toks: Tokens, text: str) -> list:
    """What the copy at `c` changes against its license's reference text (for an entry that modifies
    another license, against that license's text: the modification itself)."""
    cl = c.cl
    base = cl.lic.raw.get("modifies")
    if base and isinstance(base, str) and base in cc.by_id:
        cl = cc.by_id[base]
    ref = reference(cl.text_path, cl.required_end)
    if ref is None:
        return []
    from license_audit.identify.modified import find_changes

    optional = [phrase_words(str(p)) for p in cl.lic.identify.get("optional") or [] if str(p).strip()]
    start = cl.lic.identify.get("required_start")
    preamble = _words_before(ref, str(start)) if start else 0
    ref_words, required = ref.words, ref.required_words
    if ref.other_edition and not has_ideographs(_lines_of(text, toks.line_of(c.start), toks.line_of(c.end))):
        # A copy of one edition of a bilingual license is compared with that edition (the other's section
        # numbers and names, which stand on its lines, left out).
        kept = [k for k in range(len(ref_words)) if k not in ref.other_edition]
        ref_words = [ref_words[k] for k in kept]
        required = sum(1 for k in kept if k < required)
        preamble = sum(1 for k in kept if k < preamble)
    return find_changes(toks, text, c.start, c.end, c.hit_start, c.hit_end, ref_words, required, optional, preamble)


def _lines_of(text: str, first: int, last: int) -> str:
    """Lines `first` to `last` (1-based) of `text`."""
    return "\n".join(text_lines(text)[first - 1 : last])


def _words_before(ref: Reference, phrase: str) -> int:
    """How many words of the reference text stand before `phrase` (0 when it does not hold it)."""
    at = ref.joined.find(" " + " ".join(phrase_words(phrase)) + " ")
    return ref.joined.count(" ", 0, at) if at > 0 else 0


# A notice around a license's name says where its terms are and that there is no warranty: these words
# in it would add terms of its own.
_OWN_TERMS = (
    " prohibit",
    " commercial",
    " shall not",
    " must not",
    " restrict",
    " research",
    " academic",
    " personal use",
    " evaluation",
    " nonprofit",
    " non profit",
    " terminat",
    " fee ",
)
_NOTICE_WORDS = 250


def _notice_of(toks: Tokens, a: int, b: int, spans: list) -> bool:
    """Whether words a..b are the rest of a short notice around a license name or link (the FSF
    "should have received a copy" header): no unknown terms, only the license and nothing extra."""
    near = [s for s in spans if a - 40 <= s.start and s.end <= b + 40]
    if not near or b - a + 1 > _NOTICE_WORDS:
        return False
    region = " " + " ".join(toks.words[a : b + 1]) + " "
    return not any(t in region for t in _OWN_TERMS)


def _only_notice(toks: Tokens, named: list[tuple[_Span, LicenseMatch]]) -> bool:
    """Whether the references `named` found are all a text holds: each stretch around them is either
    too short or too plain to be terms, or the rest of their notice."""
    if not any(m is not None for _, m in named):
        return False
    spans = [span for span, _ in named]
    return all(
        not _license_like(toks, a, b) or _notice_of(toks, a, b, spans)
        for a, b in _unclaimed(spans, len(toks.words))  # type: ignore[arg-type]
    )


class _Span:
    """Words a reference (or a long-tail license) holds, so that they are not read as unknown terms."""

    __slots__ = ("end", "kind", "start")

    def __init__(self, start: int, end: int, kind: str = "settled"):
        self.start, self.end, self.kind = start, end, kind


def _whole_references(text: str, toks: Tokens, catalog: Catalog) -> list:
    """find_references over the whole text, as _named_references looks when nothing is claimed."""

    return find_references(text, [(1, max(toks.nlines, toks.line_of(len(toks.words) - 1)))], catalog, [])


def _named_references(
    text: str, toks: Tokens, claimed: list[_Cand], catalog: Catalog, known: set[str], whole: list | None = None
) -> list[tuple[_Span, LicenseMatch]]:
    """Identifier lines, license names and links in the text no match claims (references.py). `whole`:
    the references of the whole text when already found; those on lines left unclaimed are kept."""
    regions = _unclaimed(claimed, len(toks.words))
    # Lines before the first word and after the last are read too: markup alone, such as a README's row of
    # badges above its title, has no words but names licenses in its links and badges.
    last = len(toks.words) - 1
    lines = [
        (1 if a == 0 else toks.line_of(a), max(toks.nlines, toks.line_of(b)) if b == last else toks.line_of(b))
        for a, b in regions
    ]
    copies = [(toks.line_of(c.start), toks.line_of(c.end)) for c in claimed if c.kind == "text" or c.kind == "settled"]
    out: list[tuple[_Span, LicenseMatch]] = []
    seen = set(known)
    refs = find_references(text, lines, catalog, copies) if whole is None else _left(whole, lines, copies)
    beside = _beside_references(text, toks, claimed, catalog, lines)
    if beside:
        refs = sorted(refs + beside, key=lambda r: r.line)
    # Where the text of another version of a license the file already holds is names nothing.
    held = {family(k) for k in known}
    for ref in refs:
        span = _Span(toks.first_word_of_line(ref.line), toks.last_word_of_line(max(ref.line, ref.last)), "reference")
        if ref.form == "identifier" and _within_reference(ref, claimed, toks):
            out.append((span, None))  # type: ignore[arg-type]
            continue
        if ref.form == "pointer" and family(ref.key) in held:
            out.append((span, None))  # type: ignore[arg-type]
            continue
        if ref.editions:
            # Each edition, on the reference's lines; one the file names as such speaks for them (below).
            if seen.isdisjoint(ref.editions):
                out.extend((span, m) for m in _edition_matches(ref, catalog, ref.line))
            else:
                out.append((span, None))  # type: ignore[arg-type]
            continue
        # A GNU license named without a version keeps its "or later" id (no catalog entry is that).
        lic = None if family_default(ref.key) else catalog.get(ref.key)
        key = lic.id if lic is not None else ref.key
        if key in seen:
            out.append((span, None))  # type: ignore[arg-type]
            continue
        seen.add(key)
        m = _reference_match(ref, lic, ref.line)
        out.append((span, m))
    return out


def _beside_references(
    text: str, toks: Tokens, claimed: list[_Cand], catalog: Catalog, free: list[tuple[int, int]]
) -> list[Ref]:
    """Names and links of other licenses on the lines of catalog references, outside their own words
    ("Apache 2.0 for code; the weights are under the Llama 2 Community License"): a reference claims its
    lines so that the rest of its sentence is not unknown terms, not so that another license named there
    goes unread. The references' own words are blanked first, so a name inside one ("MIT License" in
    "Modified MIT License") is not read as a license of its own. A name may run on into the next line
    when no copy holds that line (`free`: the line ranges no match claims)."""
    refs = [c for c in claimed if c.kind == "reference" and c.own is not None]
    if not refs:
        return []
    mine: set[int] = set()
    for c in refs:
        mine.update(range(c.own[0], c.own[1] + 1))  # type: ignore[index]
    cleaned = toks.cleaned.split("\n")
    # The lines as written keep the links that cleaning drops ("[here](https://…/by-nc/4.0/)"); where
    # cleaning made lines of its own (an entity for a line break), only the cleaned ones can be placed.
    raw = text_lines(text)
    if len(raw) != len(cleaned):
        raw = cleaned
    idx = _index(catalog)
    first, single = idx.first, idx.single
    lines: set[int] = set()
    for start, end in sorted({(c.start, c.end) for c in refs}):  # each stretch once (many may claim one line)
        rest = [w for k, w in enumerate(toks.words[start : end + 1], start) if k not in mine]
        if not rest:
            continue
        span = range(toks.line_of(start), toks.line_of(end) + 1)
        # Cheapest first: most such lines hold no word any name starts with, and no link.
        # A link outside the reference's words, or a markdown link's target, which cleaning drops.
        # "License" starts a few names ("License for BlueLM Model") and stands beside most references.
        if any(
            (w in first and (w not in _LICENSE_WORDS or (k + 1 < len(rest) and rest[k + 1] in idx.second[w])))
            or w in single
            or (w[-1:].isdigit() and w.rstrip("0123456789") in first)  # "CC0", "GPLv3": letters, then a version
            or _COMPACT_HINT.search(w)
            or w in ("http", "https", "www")
            for k, w in enumerate(rest)
        ) or any("](" in raw[n - 1] for n in span):
            lines.update(span)
    if not lines:
        return []
    after = {n + 1 for n in lines if n < len(raw) and any(a <= n + 1 <= b for a, b in free)} - lines
    spans = _runs(sorted(lines | after))
    # Each line twice where it differs: cleaned (markup and entities gone, names whole: "Llama&nbsp;2") and as
    # written (its links).
    as_cleaned = [""] * max(lines | after)
    as_written = [""] * max(lines | after)
    for n in after:
        as_cleaned[n - 1], as_written[n - 1] = cleaned[n - 1], raw[n - 1]
    for n in lines:
        lo, hi = toks.first_word_of_line(n), toks.last_word_of_line(n)
        ws, held = toks.words[lo : hi + 1], [k - lo for k in range(lo, hi + 1) if k in mine]
        as_cleaned[n - 1] = _blanked(cleaned[n - 1], ws, held) or ""
        same = raw[n - 1].lower() == cleaned[n - 1]
        as_written[n - 1] = as_cleaned[n - 1] if same else _blanked(raw[n - 1], ws, held) or ""
    # What the references name themselves, and what starts on the next line, the other lines' look finds.
    theirs = {c.cl.lic.id for c in refs}
    out: list[Ref] = []
    seen: set[tuple[str, int]] = set()
    readings = ["\n".join(as_cleaned), "\n".join(as_written)]
    for reading in readings if readings[1].lower() != readings[0] else readings[:1]:
        for r in find_references(reading, spans, catalog, [], identifiers=False):
            if r.line not in lines or r.key in theirs or not theirs.isdisjoint(r.editions):
                continue
            if (r.key, r.line) not in seen:
                seen.add((r.key, r.line))
                out.append(r)
    return out


_LICENSE_WORDS = frozenset(["license", "licence"])


def _blanked(line: str, ws: list[str], held: list[int]) -> str | None:
    """`line` with the words at indexes `held` of its tokenizer words `ws` written "xxx"; None when they cannot
    be placed in it. Each word is read as the tokenizer reads a cleaned line (its "++" written "pp", any other
    character one byte). The line as written keeps its links, which cleaning drops ("[GPL](https://www.gnu.org/
    licenses/gpl-3.0.html)"): where its words are not the tokenizer's, each run of held words is found among
    them by its occurrence."""
    low = line.lower().replace("++", "pp")
    if len(low) != len(line):
        return None  # a character whose lower case is longer: no offsets to blank by
    found = list(_WORDS.finditer(low.encode("ascii", "replace").decode("ascii")))
    mine = [m.group(0) for m in found]
    at: list[int] = held
    if mine != ws:
        at = []
        for a, b in _runs(held):
            seq = ws[a : b + 1]
            occ = sum(ws[i : i + len(seq)] == seq for i in range(a))
            hits = [i for i in range(len(mine) - len(seq) + 1) if mine[i : i + len(seq)] == seq]
            if occ >= len(hits):
                return None
            at.extend(range(hits[occ], hits[occ] + len(seq)))
    chars = list(line)
    for k in at:
        # A word no name holds, not a space: what stood before a name stays a word ("Apache 2.0 license,
        # compatible with the GPL v3" is no "License: compatible with ..." label).
        chars[found[k].start() : found[k].end()] = "x" * (found[k].end() - found[k].start())
    return "".join(chars)


def _runs(lines: list[int]) -> list[tuple[int, int]]:
    """Sorted line numbers as runs of consecutive lines."""
    out: list[tuple[int, int]] = []
    for n in lines:
        if out and out[-1][1] == n - 1:
            out[-1] = (out[-1][0], n)
        else:
            out.append((n, n))
    return out


def _within_reference(ref: Ref, claimed: list[_Cand], toks: Tokens) -> bool:
    """Whether identifier `ref` is a word of a catalog reference to another license on its line ("MIT" in
    "Modified MIT License"): part of that name, not a license of its own."""
    parts = _ID_PARTS.findall(ref.key.lower())
    n = len(parts)
    for c in claimed:
        if (
            c.kind != "reference"
            or c.cl.lic.id == ref.key
            or not toks.line_of(c.start) <= ref.line <= toks.line_of(c.end)
        ):
            continue
        ws = toks.words[c.hit_start : c.hit_end + 1]  # the reference's phrase, before it grew to its lines
        if n < len(ws) and any(ws[i : i + n] == parts for i in range(len(ws) - n + 1)):
            return True
    return False


_ID_PARTS = re.compile(r"[a-z]+|\d+")


# Words around a name's line that, found around a line of as many words in another license's text, make
# the line part of a copy of that text ("software is covered by the GNU Library General Public License
# instead" in GPL-2.0's preamble; later editions of the text say "Lesser").
_QUOTE_AROUND = 6


def _unquoted(
    named: list[tuple[_Span, LicenseMatch]], toks: Tokens, known: set[str], cc: CompiledCatalog
) -> list[tuple[_Span, LicenseMatch]]:
    """`named` less the references that stand in a piece of the text of a license the file already
    holds (a name inside a copy of another license is that copy's words, not a license of the file)."""
    refs = []
    for lic_id in sorted(known):
        cl = cc.by_id.get(lic_id)
        ref = reference(cl.text_path, cl.required_end) if cl is not None else None
        if ref is not None:
            refs.append((lic_id, ref.joined))
    if not refs:
        return named
    out: list[tuple[_Span, LicenseMatch]] = []
    for span, m in named:
        if m is not None and any(i != m.id and _quoted(toks, span.start, span.end, joined) for i, joined in refs):
            m = None  # type: ignore[assignment]
        out.append((span, m))
    return out


def _quoted(toks: Tokens, a: int, b: int, joined: str) -> bool:
    """Whether words a..b, with the words just before and after them, stand in `joined` but for one word
    in six of a..b (a name an edition of the text spells another way)."""
    line = toks.words[a : b + 1]
    before = toks.words[max(0, a - _QUOTE_AROUND) : a]
    after = toks.words[b + 1 : b + 1 + _QUOTE_AROUND]
    if len(before) + len(after) < _QUOTE_AROUND + 2:
        return False
    n = len(line)
    # Where the words before stand (or, at the start of a text, where the words after do).
    anchor = " " + " ".join(before or after) + " "
    at = joined.find(anchor)
    while at >= 0:
        if before:
            seq = joined[at + len(anchor) :].split(" ", n + len(after))[: n + len(after)]
            held, rest = seq[:n], seq[n:]
        else:
            seq = joined[:at].split(" ")[-n:]
            held, rest = seq, []
        if len(held) == n and rest == after[: len(rest)] and sum(x != y for x, y in zip(held, line)) <= n // 6:
            return True
        at = joined.find(anchor, at + 1)
    return False


def _left(whole: list, lines: list[tuple[int, int]], copies: list[tuple[int, int]]) -> list:
    """Of the whole text's references (one per license and line, in line order), those find_references
    gives for `lines` and `copies`: identifiers on lines no copy holds, links and names on `lines`."""
    return [
        r
        for r in whole
        if (
            not any(a <= r.line <= b for a, b in copies)
            if r.form == "identifier"
            else any(first <= r.line <= last for first, last in lines)
        )
    ]


# Words a faithful copy may hold beyond its reference text (a title, a copyright line or two).
_BEYOND = 15


def _beyond(c: _Cand) -> bool | None:
    """Whether a copy may be another license of the SPDX list: None when it holds its reference whole
    and little more; else whether it holds more than a title and copyright lines beyond it (a clause
    of a variant, which only the exact matcher may see) rather than only lacking words of it (a name
    or wording put in their place, which the phrase index sees)."""
    ref = reference(c.cl.text_path, c.cl.required_end)
    if ref is None:
        return None
    more = c.end - c.start + 1 > len(ref.words) + _BEYOND
    if not more and (c.coverage if c.coverage is not None else 1.0) >= 1.0:
        return None
    return more


# A removed stretch this long that reads as terms is a clause of the license the copy does not hold.
_CLAUSE_WORDS = 8


def _only_lacks(c: _Cand, toks: Tokens) -> bool:
    """Whether the copy's words are its reference's in the same order, some left out: a copy that puts
    no word of its own anywhere cannot be word for word another license."""
    ref = reference(c.cl.text_path, c.cl.required_end)
    if ref is None:
        return False
    left = iter(ref.words)
    return all(w in left for w in toks.words[c.start : c.end + 1])


# The confidence the long tail gives a license its exact matcher finds covering 95% of a copy.
_EXACT_VERDICT = 0.9


def _variant(found: list[LicenseMatch]) -> bool:
    """The long tail names one license, unmodified and unambiguous, for a faithful-looking catalog copy."""
    return len(found) == 1 and not found[0].modified and not found[0].alternatives and found[0].confidence >= 0.85


def _explained(found: list[LicenseMatch], changes: list) -> bool:
    """Whether the long tail's licenses hold what a catalog copy adds.

    One the long tail names unmodified with the exact matcher's confidence (its text is nearly the whole
    copy, every stretch held by its phrases) needs only some run of its own on the added clauses: their
    names and parties are the license's variables ("Neither the name of the author nor ..."). One that
    itself leaves terms of the copy unheld (modified) explains the copy only when it leaves fewer words
    unheld than the catalog license adds: Apache-1.1 with a reworded clause is closer than BSD-2-Clause
    with three clauses added."""
    from license_audit.identify.longtail import explains

    added = [ch.text for ch in changes if ch.change != "removed"]
    adds = sum(len(t.split()) for t in added)
    for m in found:
        if m.modified:
            if not explains(m.spdx, added) or sum(len(ch.text.split()) for ch in m.changes) >= adds:
                return False
        elif not explains(m.spdx, added, 0.0 if m.confidence >= _EXACT_VERDICT else 0.5):
            return False
    return True


def _most_specific(found: list[LicenseMatch]) -> list[LicenseMatch]:
    """Of two references on the same lines, one naming a variant of the other ("GFDL-1.1" and
    "GFDL-1.1-invariants-only", "MIT" and "MIT-Modern-Variant"), the variant is meant."""
    if len(found) < 2:
        return found

    # A GNU license named without a version (its match's id is the family's default SPDX id, where an
    # identifier "LGPL-2.1-or-later" keeps the catalog's id) gives way to the same family named with one.
    def versionless(m: LicenseMatch) -> str | None:
        return family_default(m.spdx) if m.id == m.spdx.lower() else None

    families = {f for m in found if (f := _gnu_family(m.spdx)) and not versionless(m)}
    found = [m for m in found if not (m.kind == "reference" and versionless(m) in families)]
    # The LGPL named without a version and the GNU Lesser GPL named as such are one license: the Lesser
    # name (2.1 on) narrows the family's versions.
    defaults = {m.spdx for m in found if m.kind == "reference" and versionless(m)}
    found = [
        m
        for m in found
        if not (m.spdx in defaults and any(_later_default(d, m.spdx) for d in defaults)) or m.kind != "reference"
    ]
    refs = [m for m in found if m.kind == "reference"]
    if len(refs) < 2:
        return found
    drop = set()
    for a in refs:
        base = _base(a.spdx) + "-"
        for b in refs:
            if (
                b is not a
                and b.spdx.lower().startswith(base)
                and a.start_line <= b.end_line
                and b.start_line <= a.end_line
            ):
                drop.add(id(a))
    return [m for m in found if id(m) not in drop]


# Words of Chinese license agreements (license, agreement, authorise, copyright, terms, commercial,
# distribute, liability): the word index holds no CJK text, so such a text is told apart by these.
# Words of license terms in Chinese (simplified and traditional), Japanese and Korean.
_CJK_CUES = (
    *("许可", "协议", "授权", "版权", "条款", "商业", "分发", "责任", "使用", "許可", "協議", "授權"),
    *("ライセンス", "許諾", "著作権", "保証", "頒布", "契約", "商用"),
    *("라이선스", "라이센스", "허가", "사용권", "저작권", "보증", "배포", "계약", "상업", "책임"),
)
_CJK_MIN_CHARS = 60


def _titles(toks: Tokens, cc: CompiledCatalog) -> list[LicenseMatch]:
    """References by the catalog's patterns in a text without Latin-script words (a Chinese title: "开放原子模型许可证")."""
    out = []
    for cl in cc.licenses:
        for pat, needs in zip(cl.patterns, cl.pattern_needs):
            m = pat.search(toks.cleaned) if needs in toks.cleaned else None
            if m is not None:
                line = toks.cleaned.count("\n", 0, m.start()) + 1
                out.append(
                    LicenseMatch(cl.lic.id, cl.lic.spdx, REFERENCE_CONFIDENCE, line, line, "reference", cl.lic.name)
                )
                break
    return sorted(out, key=lambda m: (m.start_line, m.id))


def _cjk_terms(
    text: str, toks: Tokens, cc: CompiledCatalog | None = None, named: set[str] | None = None
) -> list[LicenseMatch]:
    """License terms in Chinese, Japanese or Korean: the catalog license whose text they hold, by ideographs
    (`named`: the licenses references of the file name), else `other`, never nothing."""
    if text.isascii():
        return []
    lines = text_lines(text)
    counts = [foreign_count(ln) for ln in lines]
    cjk = [i for i, n in enumerate(counts, 1) if n >= 4]
    if not cjk or sum(counts[i - 1] for i in cjk) < _CJK_MIN_CHARS:
        return []
    body = "\n".join(lines[i - 1] for i in cjk)
    if sum(body.count(cue) for cue in _CJK_CUES) < _OTHER_MIN_CUES:
        return []
    # Every line with an ideograph: a heading ("1. 定义") is part of the terms compared.
    held = [i for i, ln in enumerate(lines, 1) if has_ideographs(ln)]
    if cc is not None and held:
        found = _resembling(text, toks, 0, len(toks.words) - 1, cc, named or set(), cjk=(held[0], held[-1]))
        if found:
            return found
    return [LicenseMatch(OTHER_ID, OTHER_SPDX, 0.5, cjk[0], cjk[-1], "text", "Unrecognised license terms")]


def _later_default(a: str, b: str) -> bool:
    """Whether family default `a` ("LGPL-2.1-or-later") names a later version of `b`'s family."""
    fa, fb = _gnu_family(a), _gnu_family(b)
    return fa is not None and fa == fb and a.split("-")[1] > b.split("-")[1]


def _gnu_family(spdx: str) -> str | None:

    name = family(spdx)
    return name if name in ("gpl", "lgpl", "agpl", "gfdl") and "-" in spdx else None
