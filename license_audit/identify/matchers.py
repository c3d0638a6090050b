"""Matchers, cheapest first. Each returns LicenseMatch objects with a confidence in [0, 1].

Phrase matcher: every catalog license lists phrases that a copy of it must contain (`identify.phrases`)
and phrases by which a short notice refers to it (`identify.references`). A copy with a phrase deleted
scores below 1 in proportion to what is missing.
"""

from __future__ import annotations

from license_audit.catalog import Catalog, License
from license_audit.identify.normalize import phrase_words, words
from license_audit.report import LicenseMatch

MIN_CONFIDENCE = 0.5


def _find(seq: list[str], phrase: tuple[str, ...]) -> int:
    """Index of the first occurrence of `phrase` in `seq`, or -1."""
    if not phrase:
        return -1
    first = phrase[0]
    n = len(phrase)
    start = 0
    while True:
        try:
            i = seq.index(first, start)
        except ValueError:
            return -1
        if tuple(seq[i:i + n]) == phrase:
            return i
        start = i + 1


def _line_index(text: str) -> tuple[list[str], list[int]]:
    """Tokens of the text and, for each token, its 1-based line number."""
    toks: list[str] = []
    lines: list[int] = []
    for lineno, line in enumerate(text.splitlines(), start=1):
        for w in words(line):
            toks.append(w)
            lines.append(lineno)
    return toks, lines


def _span(lines: list[int], positions: list[tuple[int, int]], text: str) -> tuple[int, int]:
    if not positions:
        return 1, max(1, len(text.splitlines()))
    start = min(p for p, _ in positions)
    end = max(p + n - 1 for p, n in positions)
    return lines[start], lines[min(end, len(lines) - 1)]


def _match_license(lic: License, toks: list[str], lines: list[int], text: str) -> LicenseMatch | None:
    ident = lic.identify
    phrases = [phrase_words(p) for p in ident.get("phrases") or []]
    if phrases:
        found = [(_find(toks, p), len(p)) for p in phrases]
        hits = [(i, n) for i, n in found if i >= 0]
        share = len(hits) / len(phrases)
        min_words = int(ident.get("min_words", 0))
        if share >= MIN_CONFIDENCE and len(toks) >= min_words * 0.5:
            conf = share if len(toks) >= min_words else share * 0.8
            start, end = _span(lines, hits, text)
            if ident.get("span") == "file":
                start, end = 1, max(1, len(text.splitlines()))
            return LicenseMatch(lic.id, lic.spdx, round(conf * 0.99, 4), start, end, "text", lic.name)
    for ref in ident.get("references") or []:
        p = phrase_words(ref)
        i = _find(toks, p)
        if i >= 0:
            return LicenseMatch(lic.id, lic.spdx, 0.9, lines[i], lines[i + len(p) - 1], "reference", lic.name)
    return None


def identify_text(text: str, catalog: Catalog) -> list[LicenseMatch]:
    toks, lines = _line_index(text)
    if not toks:
        return []
    matches = [m for lic in catalog if (m := _match_license(lic, toks, lines, text))]
    # A license that names a more specific one inside its own text (Llama 3.1 quotes "Llama 3") must not
    # also report the less specific: drop matches whose `identify.shadowed_by` license matched as text.
    ids = {m.id for m in matches if m.kind == "text"}
    kept = []
    for m in matches:
        lic = catalog.get(m.id)
        shadow = set(lic.identify.get("shadowed_by") or []) if lic else set()
        if shadow & ids:
            continue
        kept.append(m)
    kept.sort(key=lambda m: (m.start_line, -m.confidence, m.id))
    return kept
