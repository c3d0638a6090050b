"""The long tail of the SPDX list, from a maintained library instead of home-made texts.

`licenseclassifier` (pure Python; the SPDX list as templates, with Go licensecheck's matcher) was chosen
by measurement (bench/identify.py, README "Identification"). Its matcher is exact but slow (about 25 ms a
license file), so its own templates are read a second way: the plain stretches between template markup
(alternatives, optional parts, wildcards) are phrases every copy of that license holds. A phrase index
over all of them settles most texts in a millisecond; the library's matcher decides only when two SPDX
licenses remain close (BSD variants) and is skipped when no SPDX license is near at all.
"""

from __future__ import annotations

import gzip
import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from license_audit.identify.normalize import words

# Below this share of the region covered by recognised license text, the region is not that license.
MIN_COVERAGE = 60.0
MIN_SHARE = 0.6
CLEAR_MARGIN = 0.15
_COMMENT = re.compile(r"//\*\*.*?\*\*//", re.S)
_MARKUP = re.compile(r"\(\(|\)\)\?\?|\)\)|\|\||__\d+__|_{3,}|\?\?")
_MIN_WORDS = 5


@dataclass
class _Template:
    spdx: str
    needles: list[str]
    words: int


@dataclass
class _Index:
    templates: list[_Template]
    by_key: dict[str, list[tuple[int, str, int]]]  # rarest word -> (template, needle, words)
    keys: frozenset[str]


@lru_cache(maxsize=1)
def _index() -> _Index | None:
    try:
        import licenseclassifier  # type: ignore
    except ImportError:
        return None
    path = Path(licenseclassifier.__file__).parent / "_engine" / "licenses.json.gz"
    try:
        entries = json.loads(gzip.decompress(path.read_bytes()))
    except (OSError, ValueError):
        return None
    templates = []
    for entry in entries:
        lre = _COMMENT.sub(" ", str(entry.get("lre", "")))
        needles = []
        for segment in _MARKUP.split(lre):
            ws = words(segment)
            if len(ws) >= _MIN_WORDS:
                needles.append(" " + " ".join(ws) + " ")
        if needles:
            templates.append(_Template(str(entry["id"]), sorted(set(needles)), sum(n.count(" ") - 1 for n in needles)))
    freq: Counter = Counter()
    for t in templates:
        freq.update({w for n in t.needles for w in n.split()})
    by_key: dict[str, list[tuple[int, str, int]]] = defaultdict(list)
    for i, t in enumerate(templates):
        for n in t.needles:
            ws = n.split()
            key = min(ws, key=lambda w: (freq[w], -len(w), w))
            by_key[key].append((i, n, len(ws)))
    return _Index(templates, dict(by_key), frozenset(by_key))


def _candidates(text: str) -> list[tuple[float, int, str, float]]:
    """(share of the template's phrases found, words found, SPDX id, distinctive share), best first.

    The distinctive share looks only at the phrases no close rival holds (the advertising clause of
    BSD-4-Clause, "Attribution-ShareAlike" of CC-BY-SA): it tells apart licenses that share the rest.
    """
    idx = _index()
    if idx is None:
        return []
    ws = words(text)
    joined = " " + " ".join(ws) + " "
    found: dict[int, set[str]] = defaultdict(set)
    for key in idx.keys.intersection(ws):
        for t, needle, _ in idx.by_key[key]:
            if needle in joined:
                found[t].add(needle)
    scored = []
    for t, hits in found.items():
        tpl = idx.templates[t]
        share = len(hits) / len(tpl.needles)
        if share >= MIN_SHARE:
            scored.append((round(share, 3), sum(n.count(" ") - 1 for n in hits), t))
    if not scored:
        return []
    top = max(min(s[0], 0.95) for s in scored)
    close = [s for s in scored if s[0] >= top - CLEAR_MARGIN]
    out = []
    for share, nwords, t in scored:
        distinct = 0.5
        if (share, nwords, t) in close and len(close) > 1:
            mine = set(idx.templates[t].needles)
            rivals = set().union(*(idx.templates[o[2]].needles for o in close if o[2] != t))
            uniq = mine - rivals
            distinct = len(uniq & found[t]) / len(uniq) if uniq else 0.5
        out.append((share, nwords, idx.templates[t].spdx, distinct))
    # Distinctive phrases first, then the share, then the license that holds more of the text
    # (BSD-4-Clause over BSD-3-Clause when the advertising clause is there).
    out.sort(key=lambda c: (-(c[0] >= top - CLEAR_MARGIN), -c[3], -min(c[0], 0.95), -c[1], c[2]))
    return out


def identify_spdx(text: str) -> list[tuple[str, float, int, int]]:
    """(SPDX id, confidence, first line, last line) for each SPDX license in `text`; [] without the library."""
    cands = _candidates(text)
    if not cands:
        return []
    last = max(1, len(text.splitlines()))
    best = cands[0]
    close = [c for c in cands[1:] if c[0] >= best[0] - CLEAR_MARGIN]
    if best[0] >= 0.9 and all(best[3] >= c[3] + 0.3 for c in close):
        return [(best[2], round(min(best[0], 0.95) * 0.95, 4), 1, last)]
    decided = _classify(text)
    if decided or close:
        return decided  # two SPDX licenses this close and no verdict: not a guess, `other`
    return [(best[2], round(best[0] * 0.8, 4), 1, last)] if best[0] >= 0.8 else []


def _classify(text: str) -> list[tuple[str, float, int, int]]:
    try:
        from licenseclassifier._engine import scan  # type: ignore
    except ImportError:
        return []
    try:
        cov = scan(text)
    except Exception:  # a third-party matcher must never take the audit down
        return []
    if cov.percent < MIN_COVERAGE:
        return []
    out = []
    for m in cov.match:
        first = text.count("\n", 0, m.start) + 1
        last = text.count("\n", 0, max(m.start, m.end - 1)) + 1
        out.append((m.id, round(min(0.95, cov.percent / 100.0) * 0.95, 4), first, last))
    return out
