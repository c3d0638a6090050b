"""Matchers, cheapest first; each result carries a confidence in [0, 1] and a line span.

1. exact: the file's words hash to a reference text's words (any wrapping, case, quotes, markup).
2. phrases: each catalog license's `identify.phrases` found in order; a run of them is one full copy
   ("text"), and a file may hold several (concatenated licenses, third-party NOTICEs).
3. references: short notices that point at a license (the Apache header, "licensed under the Llama 3.1
   Community License"): reported with kind "reference", never as a copy.
4. coverage: a "text" match with a reference copy is scored by how much of that copy it holds, so a
   license with a clause deleted does not come back at full confidence.
5. the rest: license-like text that no catalog license claims (or a whole file with nothing known)
   goes to the long-tail matcher (the SPDX list, longtail.py) and, failing that, is reported as
   `other` when it reads like license terms.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from license_audit.catalog import Catalog
from license_audit.identify.compiled import CompiledLicense, compile_catalog, text_digest
from license_audit.identify.normalize import Tokens, tokenize
from license_audit.identify.similarity import reference, scores
from license_audit.report import LicenseMatch

MIN_CONFIDENCE = 0.5
REFERENCE_CONFIDENCE = 0.9
VERIFY_BELOW = 0.9
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
_OTHER_MIN_CUES = 3

OTHER_ID = "other"
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

    def __post_init__(self) -> None:
        self.hit_start, self.hit_end = self.start, self.end

    def overlaps(self, other: _Cand) -> bool:
        return self.start <= other.end and other.start <= self.end


def _text_candidates(cl: CompiledLicense, toks: Tokens, present: set[str]) -> list[_Cand]:
    total = len(cl.phrases)
    if not total or cl.keys.isdisjoint(present):
        return []
    hits: list[tuple[int, int, int]] = []
    for idx, nd in enumerate(cl.phrases):
        if nd.key not in present or nd.key2 not in present or not nd.words <= present:
            continue
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
    clusters: list[list[tuple[int, int, int]]] = [[hits[0]]]
    for h in hits[1:]:
        cur = clusters[-1]
        span = h[0] - cur[0][0]
        if (h[1] < cur[-1][1] and span >= min_gap) or span > max_len:
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
            if (adds or len(phrases) < 0.75 * total) and cluster[-1][0] - prev[0][0] <= max_len:
                prev.extend(cluster)
                continue
        merged.append(cluster)
    out: list[_Cand] = []
    for cluster in merged:
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
    if not cl.patterns and cl.ref_keys.isdisjoint(present):
        return out
    for nd in cl.references:
        if nd.key not in present or nd.key2 not in present or not nd.words <= present:
            continue
        for pos in toks.find_all(nd.text):
            out.append(_Cand(cl, pos, pos + nd.length - 1, 1.0, "reference"))
    for pat in cl.patterns:
        cleaned = toks.cleaned
        for m in pat.finditer(cleaned):
            line = cleaned.count("\n", 0, m.start()) + 1
            idx = toks.first_word_of_line(line)
            if idx < len(toks.words):
                out.append(_Cand(cl, idx, idx, 1.0, "reference"))
    return out


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
    refs = [
        _Cand(r.cl, r.hit_start, r.hit_end, r.share, r.kind)
        for r in all_refs
        if not any(t.start <= r.hit_start <= t.end for t in texts)
    ]
    # Of two references at the same words ("Open RAIL-M" inside "BigScience Open RAIL-M"), the longer wins.
    refs.sort(key=lambda r: (r.start, -(r.end - r.start), r.cl.lic.id))
    kept: list[_Cand] = []
    for r in refs:
        if not any(k.overlaps(r) for k in kept):
            kept.append(r)
    for r in kept:
        _extend_reference(r, toks, present)
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
        cov, prec = scores(toks.words[c.start : c.end + 1], toks.words[c.hit_start : c.hit_end + 1], ref)
        c.coverage, c.precision = cov, prec
        conf = min(conf, _coverage_confidence(cov), _coverage_confidence(prec, 0.95))
    return round(conf * 0.99, 4)


def _coverage_confidence(cov: float, full: float = 0.9) -> float:
    # Faithful copies of the reference texts cover >= 0.9 of them (editions differ in a date, a URL or
    # a placeholder line); every further point of missing text costs three points of confidence.
    if cov >= full:
        return 1.0
    return max(0.0, 1.0 - 3.0 * (full - cov))


def _grow(texts: list[_Cand], refs: list[_Cand], nwords: int) -> None:
    """Let each full copy take in its own title, copyright lines and appendix, up to its neighbours."""
    for c in texts:
        # A reference to the license itself (the Apache appendix, GPL's "how to apply") is part of the copy.
        spans = [s for s in texts + refs if s is not c and not (s.kind == "reference" and s.cl is c.cl)]
        prev_end = max((s.end for s in spans if s.end < c.start), default=-1)
        next_start = min((s.start for s in spans if s.start > c.end), default=nwords)
        if c.start - (prev_end + 1) <= _GROW_BACK:
            c.start = prev_end + 1
        c.end = max(c.end, next_start - 1)


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
    return sum(region.count(cue) for cue in _CUES) >= _OTHER_MIN_CUES


def identify_text(text: str, catalog: Catalog, *, prose: bool = False, long_tail: bool = True) -> list[LicenseMatch]:
    """Every license in `text`, each with its own line span, kind ("text" or "reference") and confidence.

    `prose`: the text is a model card or README, where licenses are named, not reproduced; unclaimed
    text there is prose, not unknown license terms.
    """
    toks = tokenize(text)
    if not toks.words:
        return []
    cc = compile_catalog(catalog)
    exact = cc.exact.get(text_digest(toks.joined))
    if exact is not None:
        lic = cc.by_id[exact].lic
        return [
            LicenseMatch(lic.id, lic.spdx, 1.0, toks.line_of(0), toks.line_of(len(toks.words) - 1), "text", lic.name)
        ]
    present = set(toks.words)

    # Most licenses share no key word with a text: tell that before paying for a call.
    cands: list[_Cand] = []
    for cl in cc.licenses:
        if not cl.keys.isdisjoint(present):
            cands.extend(_text_candidates(cl, toks, present))
    all_refs: list[_Cand] = []
    for cl in cc.licenses:
        if cl.patterns or not cl.ref_keys.isdisjoint(present):
            all_refs.extend(_reference_candidates(cl, toks, present))

    # Resolve, grow and score; a winner that fails its coverage check leaves the field to the others.
    dropped: set[int] = set()
    while True:
        texts = _resolve_texts([c for c in cands if id(c) not in dropped])
        for c in texts:
            c.start, c.end = c.hit_start, c.hit_end
        kept_refs = _references(all_refs, texts, toks, present)
        _grow(texts, kept_refs, len(toks.words))
        failed = []
        for c in texts:
            c.confidence = _score_text(c, toks)
            if c.confidence < MIN_CONFIDENCE * 0.99:
                failed.append(c)
        if not failed:
            break
        dropped.update(id(c) for c in failed)
    kept_refs = [r for r in kept_refs if not any(t.start <= r.start <= t.end for t in texts)]

    extra: list[LicenseMatch] = []
    settled: list[_Cand] = []  # stretches the long tail has already named: not looked at again
    if long_tail and not prose:
        # An SPDX-list license matched below 0.9 may be a variant the catalog does not hold (BSD-4-Clause
        # read as BSD-3-Clause): the long-tail matcher has the last word on that stretch.
        for c in list(texts):
            # Only added text hints at another license; a copy that lacks a part is still this one.
            if c.confidence >= VERIFY_BELOW or c.cl.lic.spdx.startswith("LicenseRef-") or (c.precision or 0.0) >= 0.95:
                continue
            found = _long_tail(text, toks, c.start, c.end, catalog)
            if not found:
                continue
            same = [m for m in found if m.id == c.cl.lic.id]
            if same:
                c.confidence = max(c.confidence, max(m.confidence for m in same))
            else:
                texts.remove(c)
                settled.append(c)
                extra.extend(found)
    if not prose:
        for a, b in _unclaimed(texts + kept_refs + settled, len(toks.words)):
            # Nothing known in the whole file: the long tail gets a look even without license vocabulary
            # (informal notices, translations); its phrase index is cheap next to the library's matcher.
            whole = not texts and not kept_refs and not settled
            if not whole and not _license_like(toks, a, b):
                continue
            found = _long_tail(text, toks, a, b, catalog) if long_tail else []
            if found:
                extra.extend(found)
            elif _license_like(toks, a, b):
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
        out.append(
            LicenseMatch(lic.id, lic.spdx, c.confidence, toks.line_of(c.start), toks.line_of(c.end), "text", lic.name)
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
    out.sort(key=lambda m: (m.start_line, -m.confidence, m.id))
    return out


def _long_tail(text: str, toks: Tokens, a: int, b: int, catalog: Catalog) -> list[LicenseMatch]:
    from license_audit.identify.longtail import identify_spdx

    first, last = toks.line_of(a), toks.line_of(b)
    # Lines as the tokenizer counts them: "\n" only (str.splitlines would also split at form feeds).
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    region = "\n".join(lines[first - 1 : last])
    # The whole file (up to trailing blank lines): its words are already known.
    whole = toks if first == 1 and not "".join(lines[last:]).strip() else None
    out = []
    for spdx_id, conf, s_line, e_line in identify_spdx(region, whole):
        lic = catalog.get(spdx_id)
        lic_id = lic.id if lic else spdx_id.lower()
        spdx = lic.spdx if lic else spdx_id
        out.append(
            LicenseMatch(
                lic_id, spdx, conf, first + s_line - 1, first + e_line - 1, "text", lic.name if lic else spdx_id
            )
        )
    return out
