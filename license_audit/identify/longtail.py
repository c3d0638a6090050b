"""The long tail of the SPDX list, from a maintained library instead of home-made texts.

`licenseclassifier` (pure Python; the SPDX list as templates, with Go licensecheck's matcher) was chosen
by measurement (bench/identify.py). Its matcher is exact but slow, as it tries every template against
the text, so its own templates are read a second way: the plain stretches between template markup
(alternatives, optional parts, wildcards) are phrases every copy of that license holds. A phrase index
over all of them settles most texts at a fraction of the matcher's cost; the library's matcher decides
only when two SPDX licenses remain close (BSD variants) and is skipped when no SPDX license is near at all.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_left
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import accumulate, chain, count
from operator import add
from pathlib import Path

from license_audit.identify.normalize import Tokens, tokenize, words

# Below this share of the region covered by recognised license text, the region is not that license.
MIN_COVERAGE = 60.0
MIN_SHARE = 0.6
CLEAR_MARGIN = 0.15
# Template markup (comments; alternatives, optional parts, wildcards) splits a template into phrases;
# compiled only when the index is built, which is once per library version.
_COMMENT = r"//\*\*.*?\*\*//"
_MARKUP = r"\(\(|\)\)\?\?|\)\)|\|\||__\d+__|_{3,}|\?\?"
_MIN_WORDS = 5


@dataclass(slots=True, eq=False)
class _Template:
    """An SPDX license template as the phrases a copy holds."""

    spdx: str
    needles: list[str]  # each once
    words: int
    needle_set: frozenset[str] | None = None  # `needles` as a set, made on first need

    def needles_held(self) -> frozenset[str]:
        if self.needle_set is None:
            self.needle_set = frozenset(self.needles)
        return self.needle_set


@dataclass(slots=True, eq=False)
class _Keys:
    """What a text must hold before any phrase can be looked for: each phrase's rarest word pair, and
    how many phrases each template has. Small, so it is all a text without SPDX terms ever loads."""

    # "word word" (the rarest pair) -> "template phrase template phrase ...", decoded only for the
    # pairs a text holds: most of the index is never looked at.
    by_key: dict[str, str]
    sizes: list[int]  # phrases per template
    decoded: dict[str, list[int]] = field(default_factory=dict)  # the pairs decoded so far
    # The keys as word pairs: a text's pairs, which zip gives as tuples, are looked up without joining each.
    pairs: dict[tuple[str, ...], str] | None = None

    def held(self, ws: list[str]) -> list[str]:
        """The keys among the word pairs of `ws`, in key order."""
        if self.pairs is None:
            self.pairs = {tuple(k.split(" ")): k for k in self.by_key}
        pairs = self.pairs
        return sorted(map(pairs.__getitem__, pairs.keys() & zip(ws, ws[1:])))

    def refs(self, key: str) -> list[int]:
        """The (template, phrase) numbers filed under `key`, one after the other."""
        out = self.decoded.get(key)
        if out is None:
            out = self.decoded[key] = list(map(int, self.by_key[key].split()))
        return out


def _cache_name(version: str, part: str) -> str:
    from license_audit import __version__
    from license_audit.identify import normalize
    from license_audit.rulecache import code_stamp, key

    # The library's data, and the code that derives the index from it (this module, the tokeniser).
    return f"spdx-{part}-{key(_FORMAT, version, code_stamp(__file__, normalize.__file__), __version__)}.json"


# 4: the keys (about 150 KB) and the phrases (4 MB) in two files, so a text that cannot reach any
# template's share is settled without reading the phrases; the keys as one string each way, which
# JSON reads fastest, decoded per pair only when a text holds it.
_FORMAT = 4


@lru_cache(maxsize=1)
def _library() -> tuple[str, Path] | None:
    """(fingerprint of its template data, package folder), found without importing the library: its
    import loads every template, which only a close call (`_classify`) needs."""
    from importlib.util import find_spec

    try:
        spec = find_spec("licenseclassifier")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.origin:
        return None
    pkg = Path(spec.origin).parent
    try:
        st = (pkg / "_engine" / "licenses.json.gz").stat()
    except OSError:
        return None
    return f"{st.st_size:x}-{st.st_mtime_ns // 10**9:x}", pkg


@lru_cache(maxsize=1)
def _index() -> _Keys | None:
    lib = _library()
    if lib is None:
        return None
    keys = _read_keys(_cache_name(lib[0], "keys"))
    if keys is None:
        built = _rebuild(lib)
        keys = built[1] if built else None
    return keys


@lru_cache(maxsize=1)
def _templates() -> list[_Template] | None:
    lib = _library()
    if lib is None:
        return None
    templates = _read_templates(_cache_name(lib[0], "phrases"))
    if templates is None:
        built = _rebuild(lib)
        templates = built[0] if built else None
    return templates


def _discard() -> None:
    from license_audit.resources import cache_dir

    lib, where = _library(), cache_dir()
    if lib is not None and where is not None:
        for part in ("keys", "phrases"):
            try:
                (where / _cache_name(lib[0], part)).unlink()
            except OSError:
                pass
    _index.cache_clear()
    _templates.cache_clear()


def _rebuild(lib: tuple[str, Path]) -> tuple[list[_Template], _Keys] | None:
    templates = _build(lib[1] / "_engine" / "licenses.json.gz")
    if templates is None:
        return None
    keys = _file(templates)
    from license_audit.rulecache import store

    # The phrases first: a reader that finds the keys may count on them. Another library version's
    # files are replaced (each is 4 MB).
    store(
        _cache_name(lib[0], "phrases"),
        json.dumps({"templates": [[t.spdx, t.needles, t.words] for t in templates]}, separators=(",", ":")),
        replaces="spdx-phrases-",
    )
    store(
        _cache_name(lib[0], "keys"),
        json.dumps(
            {"sizes": keys.sizes, "keys": "\n".join(keys.by_key), "refs": "\n".join(keys.by_key.values())},
            separators=(",", ":"),
        ),
        replaces="spdx-keys-",
    )
    return templates, keys


# JSON, never pickle: a cache file is data, whoever wrote it. Building reads every template; reading
# back the keys is cheap, and the phrases are read only when a key is present.
def _read_keys(name: str) -> _Keys | None:
    from license_audit.rulecache import read

    raw = read(name)
    try:
        sizes, keys, refs = raw["sizes"], raw["keys"].split("\n"), raw["refs"].split("\n")
        if len(keys) != len(refs) or not all(k.count(" ") == 1 for k in keys[:1]):
            return None
        return _Keys(dict(zip(keys, refs)), [int(n) for n in sizes])
    except (TypeError, KeyError, AttributeError, ValueError):
        return None


def _read_templates(name: str) -> list[_Template] | None:
    from license_audit.rulecache import read

    raw = read(name)
    try:
        return [_Template(str(t[0]), [str(n) for n in t[1]], int(t[2])) for t in raw["templates"]]
    except (TypeError, IndexError, KeyError, ValueError):
        return None


def _build(path: Path) -> list[_Template] | None:
    """Phrases of every licenseclassifier template: the plain stretches between its markup."""
    import gzip
    import re

    comment, markup = re.compile(_COMMENT, re.S), re.compile(_MARKUP)
    try:
        entries = json.loads(gzip.decompress(path.read_bytes()))
    except (OSError, ValueError):
        return None
    templates = []
    for entry in entries:
        lre = comment.sub(" ", str(entry.get("lre", "")))
        needles = []
        for segment in markup.split(lre):
            ws = words(segment)
            if len(ws) >= _MIN_WORDS:
                needles.append(" " + " ".join(ws) + " ")
        if needles:
            templates.append(_Template(str(entry["id"]), sorted(set(needles)), sum(n.count(" ") - 1 for n in needles)))
    return templates


def _file(templates: list[_Template]) -> _Keys:
    # Each phrase is filed under its rarest word pair: a text's own word pairs then select the few
    # phrases worth a substring check (single words select hundreds).
    freq: Counter = Counter()
    for t in templates:
        freq.update({pair for n in t.needles for pair in _pairs(n.split())})
    by_key: dict[str, list[int]] = defaultdict(list)
    for i, t in enumerate(templates):
        for j, n in enumerate(t.needles):
            key = min(_pairs(n.split()), key=lambda pair: (freq[pair], pair))
            by_key[" ".join(key)].extend((i, j))
    ordered = {k: " ".join(map(str, v)) for k, v in sorted(by_key.items())}
    return _Keys(ordered, [len(t.needles) for t in templates])


def _pairs(ws: list[str]) -> list[tuple[str, str]]:
    return list(zip(ws, ws[1:]))


def _candidates(text: str, toks: Tokens | None = None) -> list[_Scored]:
    """Templates whose phrases the text holds, best first: by share of the template's phrases found,
    words found and distinctive share.

    The distinctive share looks only at the phrases no close rival holds (the advertising clause of
    BSD-4-Clause, "Attribution-ShareAlike" of CC-BY-SA): it tells apart licenses that share the rest.
    """
    idx = _index()
    if idx is None:
        return []
    ws = toks.words if toks is not None else words(text)
    # A phrase can only be found where its key pair is: a template with too few keys present cannot
    # reach MIN_SHARE, so neither its phrases are searched nor, when no template can, loaded at all.
    refs_present = [idx.refs(key) for key in idx.held(ws)]
    reach = Counter(chain.from_iterable(refs[::2] for refs in refs_present))
    sizes = idx.sizes
    viable = {t for t, n in reach.items() if n >= MIN_SHARE * sizes[t] - 1e-9}
    if not viable:
        return []
    templates = _templates()
    if templates is None or len(templates) != len(sizes):
        return []
    joined = toks.joined if toks is not None else " " + " ".join(ws) + " "
    found: dict[int, set[str]] = defaultdict(set)
    # Each phrase looked for once (close licenses share many), with its number of words when the text holds it.
    held: dict[str, int] = {}
    for refs in refs_present:
        for t, j in zip(refs[::2], refs[1::2]):
            if t in viable:
                n = templates[t].needles[j]
                nwords = held.get(n)
                if nwords is None:
                    nwords = held[n] = n.count(" ") - 1 if n in joined else 0
                if nwords:
                    found[t].add(n)
    scored = []
    for t, hits in found.items():
        tpl = templates[t]
        share = len(hits) / len(tpl.needles)
        if share >= MIN_SHARE:
            scored.append((round(share, 3), sum(map(held.__getitem__, hits)), t))
    if not scored:
        return []
    top = max(min(s[0], 0.95) for s in scored)
    close = [s for s in scored if s[0] >= top - CLEAR_MARGIN]
    # The phrases two or more close licenses hold: the rest of each one's are its own.
    shared = None
    if len(close) > 1:
        held_by = Counter(chain.from_iterable(templates[o[2]].needles_held() for o in close))
        shared = {n for n, k in held_by.items() if k > 1}
    out = []
    for share, nwords, t in scored:
        distinct = 0.5
        if shared is not None and (share, nwords, t) in close:
            mine = templates[t].needles_held()
            uniq = len(mine) - len(mine.intersection(shared))
            distinct = (len(found[t]) - len(found[t].intersection(shared))) / uniq if uniq else 0.5
        out.append(_Scored(share, nwords, templates[t].spdx, distinct, found[t]))
    # Distinctive phrases first, then the share, then the license that holds more of the text
    # (BSD-4-Clause over BSD-3-Clause when the advertising clause is there).
    out.sort(key=lambda c: (-(c.share >= top - CLEAR_MARGIN), -c.distinct, -min(c.share, 0.95), -c.nwords, c.spdx))
    return out


@dataclass(slots=True, eq=False)
class _Scored:
    """A template the text holds enough of, and the phrases of it that the text holds."""

    share: float
    nwords: int
    spdx: str
    distinct: float
    found: set[str]
    covered: int | None = None  # bit k set: word k of the text stands in one of `found`
    unheld: list[tuple[int, int]] | None = None  # the term-like stretches `found` misses (_added, not narrowed)


@dataclass(slots=True, eq=False)
class SpdxMatch:
    """An SPDX license in a text, with lines counted in that text.

    `alternatives`: SPDX ids that fit the same lines as well (no verdict between them: an ambiguous
    answer naming each). `added`: (first line, last line, words) of the stretches that read like terms
    and that no phrase of the license holds: a copy with clauses added, i.e. the license modified."""

    spdx: str
    confidence: float
    first: int
    last: int
    alternatives: tuple[str, ...] = ()
    added: tuple[tuple[int, int, str], ...] = ()


# A stretch of a text that no phrase of the license holds counts as an added clause from this many
# words on (template alternatives, wildcards and phrases under five words leave shorter gaps).
_ADDED_WORDS = 8
# A license that holds more of the text wins over one whose phrases it holds nearly all of (MITNFA over
# MIT-0, which is MITNFA without its clause): from this many more words of the text.
_WIDER_BY = 12
_CONTAINED = 0.9
_RESTRICTS = frozenset(
    ["shall", "must", "not", "only", "prohibited", "except", "unless", "noncommercial", "commercial"]
)
_DISCLAIMS = frozenset(["liable", "liability", "warranty", "warranties", "damages"])
# Two licenses are named as equally close only when they hold most of the text between them.
_HOLDS = 0.7
# A license modified holds most of the text: added terms of more than half the words make another text.
_MOSTLY = 0.5


class _Offsets(list):
    """Where each word of a text starts in its `Tokens.joined` (" w1 w2 ... "), and the words each phrase
    looked up so far stands on: close templates share most phrases, each found once."""

    __slots__ = ("masks",)

    def __init__(self, words: list[str]):
        # Word k starts after the k words before it and their k spaces.
        super().__init__(map(add, accumulate(map(len, words), initial=1), count()))
        self.masks: dict[str, int] = {}


def _covered(c: _Scored, toks: Tokens, offsets: _Offsets) -> int:
    """The words of the text that `c`'s phrases stand on, as bits of an int (bit k: word k)."""
    if c.covered is None:
        mask = 0
        joined = toks.joined
        masks = offsets.masks
        for n in c.found:
            m = masks.get(n)
            if m is None:
                m = 0
                size = (1 << (n.count(" ") - 1)) - 1
                i = joined.find(n)
                while i >= 0:
                    m |= size << bisect_left(offsets, i + 1)
                    i = joined.find(n, i + 1)
                masks[n] = m
            mask |= m
        c.covered = mask
    return c.covered


def _widest(best: _Scored, cands: list[_Scored], toks: Tokens, offsets: _Offsets) -> _Scored:
    """The candidate that holds what `best` holds and more of the text besides, if any."""
    wider = [c for c in cands[:12] if c.spdx != best.spdx and c.nwords >= best.nwords + _WIDER_BY]
    if not wider:
        return best
    mine = _covered(best, toks, offsets)
    n_mine = mine.bit_count()
    for c in sorted(wider, key=lambda c: (-c.nwords, c.spdx)):
        theirs = _covered(c, toks, offsets)
        if (
            theirs.bit_count() >= n_mine + _WIDER_BY
            and (mine & theirs).bit_count() >= _CONTAINED * n_mine
            and not _own_terms(mine & ~theirs, toks)
        ):
            return c
    return best


def _own_terms(mask: int, toks: Tokens) -> bool:
    """Whether the words of `mask` hold a stretch of terms (a clause one license holds and the other does
    not: CDDL-1.0's license steward, which CDDL-1.1 names otherwise)."""
    from license_audit.identify.modified import term_like

    flags = format(mask, "b")[::-1]
    return any(
        m.end() - m.start() >= _ADDED_WORDS and term_like(toks.words[m.start() : m.end()])
        for m in re.finditer("1+", flags)
    )


_GAP = re.compile("0+")


def _added(c: _Scored, toks: Tokens, offsets: _Offsets, narrow: bool = True) -> list[tuple[int, int]]:
    """Word stretches after the license's first phrase that none of its phrases holds and that read
    like terms (a title or a copyright line before the terms is no clause)."""
    if c.unheld is None:
        c.unheld = _unheld(c, toks, offsets)
    if not narrow:
        return c.unheld
    out = []
    for i, j in c.unheld:
        # A phrase of the license missed for a word or two (a hyphenated "sub-licensable", a misspelling in
        # the template or the copy, another edition's sentence) leaves the rest of its words in the
        # license's own text: the stretch adds terms only where the words runs of that text do not hold read
        # as terms or restrict ("commercial", "only"); it is quoted whole, from the first such word to the last.
        ws = toks.words[i : j + 1]
        held, ok = _runs_held(ws, c.spdx)
        kept = [(a, b) for a, b in _falls(held) if _adds_terms(ws, a, b)]
        # Words of the license missing from the copy: what they said is not known, so they always count.
        kept = sorted(kept + _junctions(held, ok))
        if kept:
            out.append((i + kept[0][0], i + kept[-1][1]))
    return out


def _unheld(c: _Scored, toks: Tokens, offsets: _Offsets) -> list[tuple[int, int]]:
    from license_audit.identify.modified import term_like

    mask = _covered(c, toks, offsets)
    if not mask:
        return []
    n = len(toks.words)
    flags = format(mask, "b")[::-1].ljust(n, "0")
    first = flags.find("1")
    last = flags.rfind("1")
    out = []
    for m in _GAP.finditer(flags, first):
        i, j = m.start(), m.end()
        if j - i < _ADDED_WORDS:
            continue
        ws = toks.words[i:j]
        # After the license's last phrase: a notice about the license (the Creative Commons trademark
        # and warranty notice) is no clause of it; a restriction (X11's no-endorsement, "not designed
        # for use in a nuclear facility") is.
        trailing = i > last
        if term_like(ws) and not (trailing and (not set(ws) & _RESTRICTS or set(ws) & _DISCLAIMS)):
            out.append((i, j - 1))
    return out


def _adds_terms(ws: list[str], a: int, b: int) -> bool:
    """Whether words a..b of a stretch, which the license's own text does not hold, change its terms: they
    read as terms, or hold a word that restricts or changes what is granted ("exclude", "non")."""
    from license_audit.identify.modified import SIGNIFICANT, term_like

    changed = ws[a : b + 1]
    return term_like(changed) or not SIGNIFICANT.isdisjoint(changed) or not _RESTRICTS.isdisjoint(changed)


_RUN = 5  # words: a run of the license's text this long standing in a copy is the license's own wording


@lru_cache(maxsize=64)
def _template_runs(spdx_id: str) -> frozenset[str]:
    """Every run of _RUN words of the license's phrases."""
    out: set[str] = set()
    for t in _templates() or []:
        if t.spdx == spdx_id:
            for n in t.needles:
                out.update(_runs(n.split()))
    return frozenset(out)


def _junctions(held: list[bool], ok: list[bool]) -> list[tuple[int, int]]:
    """The two words either side of each place where words of the license's own text are missing, from
    `_runs_held` of a stretch: every run across the place fails while each word stands in some run ("with
    or without modification" read as "without modification")."""
    # A gap of missing words fails exactly the _RUN - 1 runs across it.
    return [(b, b + 1) for a, b in _falls(ok) if b - a + 1 == _RUN - 1 and all(held[a : b + _RUN])]


def _falls(flags: list[bool]) -> list[tuple[int, int]]:
    """Each stretch (first, last) of False in `flags`."""
    out = []
    k = 0
    while k < len(flags):
        if flags[k]:
            k += 1
            continue
        start = k
        while k < len(flags) and not flags[k]:
            k += 1
        out.append((start, k - 1))
    return out


def _runs(ws: list[str]) -> list[str]:
    """The runs of _RUN words of `ws`, one per start."""
    return [" ".join(ws[k : k + _RUN]) for k in range(len(ws) - _RUN + 1)]


def _held_at(starts: list[bool], n: int) -> list[bool]:
    """Per word of `n`, whether a run that `starts` marks as held stands on it."""
    held = [False] * n
    for k, hit in enumerate(starts):
        if hit:
            held[k : k + _RUN] = [True] * _RUN
    return held


def _held_in(ws: list[str], runs: set[str] | frozenset[str]) -> list[bool]:
    """Per word of `ws`, whether one of `runs` (of _RUN words) stands on it."""
    return _held_at([r in runs for r in _runs(ws)], len(ws))


def _runs_held(ws: list[str], spdx_id: str) -> tuple[list[bool], list[bool]]:
    """Per word, whether a run of the license's text stands on it; per run start, whether that run does."""
    runs = _template_runs(spdx_id)
    ok = [r in runs for r in _runs(ws)]
    return _held_at(ok, len(ws)), ok


def _held_elsewhere(
    best: _Scored, added: list[tuple[int, int]], cands: list[_Scored], toks: Tokens, offsets: _Offsets
) -> bool:
    """Whether another candidate's phrases stand on half the words of the added stretches."""
    mask = 0
    for a, b in added:
        mask |= ((1 << (b - a + 1)) - 1) << a
    need = mask.bit_count() / 2
    return any(c.spdx != best.spdx and (_covered(c, toks, offsets) & mask).bit_count() >= need for c in cands[:12])


def _similar(a: _Scored, b: _Scored, toks: Tokens, offsets: _Offsets) -> bool:
    """Two templates that hold the same words of the text, give or take a few."""
    ca, cb = _covered(a, toks, offsets), _covered(b, toks, offsets)
    differ = (ca ^ cb).bit_count()
    return differ <= max(_ADDED_WORDS, 0.03 * max(ca.bit_count(), cb.bit_count()))


def identify_spdx(
    text: str, toks: Tokens | None = None, known: str | None = None, exact: bool = True, alone: bool = False
) -> list[SpdxMatch]:
    """Each SPDX license in `text` (lines counted in `text`); [] without the library.

    `toks`: the tokens of `text` when the caller has them (the whole file), not computed again.
    `known`: the SPDX id the catalog already gives the text; a second opinion that the phrase index
    ranks first is taken as it is, without the exact matcher; `exact=False`: nor is the exact matcher
    asked when the phrase index has no clear answer; `alone`: the exact matcher is asked even when the phrase
    index finds no license near (a template most of whose phrases are alternatives a copy does not hold)."""
    if toks is None:
        toks = tokenize(text)
    try:
        cands = _candidates(text, toks)
    except (IndexError, TypeError, KeyError, ValueError, AttributeError):
        # Well-formed JSON that is not what we wrote (edited, or another version's): rebuild once.
        _discard()
        cands = _candidates(text, toks)
    if not cands:
        return _classify(text) if alone else []
    last = text.count("\n") + 1
    # Where each word starts in `toks.joined` (" w1 w2 ... ").
    offsets = _Offsets(toks.words)
    best = _widest(cands[0], cands, toks, offsets)
    if known is not None and not exact:
        # Only a clear verdict or the known license is taken without the exact matcher: when no candidate
        # near the best can be either, nothing is.
        near = [c for c in cands[:12] if c.share >= best.share - CLEAR_MARGIN]
        if all(c.share < 0.9 and c.spdx != known for c in [best, *near]):
            return []
    # Stretches no phrase holds (`unheld`): terms added to the license (`added`), unless their words stand in
    # the license's own text (its phrases missed for a word or two), which are decided the same way but add
    # nothing (the license, unmodified).
    # Only the license the phrase index ranks first gets that reading: one taken over it (a wider text, a
    # rival for terms the first does not hold) is read strictly, since its own text may hold the copy's words
    # in another order (CDDL-1.1 holds nearly every run of CDDL-1.0).
    narrow = best is cands[0]
    added = _added(best, toks, offsets, narrow=narrow)
    unheld = added or _added(best, toks, offsets, narrow=False)
    displaced: tuple[_Scored, list[tuple[int, int]]] | None = None  # the first-ranked, with its terms added
    if unheld:
        # Text the best-ranked license's phrases do not hold: a close rival that holds more of it fits better
        # (for wording the license's own text holds, only a rival whose phrases hold the text whole).
        near = [c for c in cands[:12] if c.share >= best.share - CLEAR_MARGIN]
        if not added:
            near = [best] + [c for c in near if c is not best and not _added(c, toks, offsets, narrow=False)]
        rival = max(near, key=lambda c: (_covered(c, toks, offsets).bit_count(), c is best))
        if rival is not best:
            if added:
                displaced = (best, added)
            narrow = False
            best = rival
        added = _added(best, toks, offsets, narrow=narrow)
        unheld = added or _added(best, toks, offsets, narrow=False)
    close = [c for c in cands if c is not best and c.spdx != best.spdx and c.share >= best.share - CLEAR_MARGIN]
    if not added and best.share >= 0.9 and all(best.distinct >= c.distinct + 0.3 for c in close):
        return [SpdxMatch(best.spdx, round(min(best.share, 0.95) * 0.95, 4), 1, last)]
    if known is not None and best.spdx == known and not added:
        return [SpdxMatch(best.spdx, round(min(best.share, 0.95) * 0.95, 4), 1, last)]
    if known is not None and not exact:
        return []
    # A license the phrase index sees whole, with terms no template near it holds: that license
    # modified, without the exact matcher (which can only name a license the index saw as well).
    if (
        unheld
        and best.share >= 0.9
        and sum(b - a + 1 for a, b in unheld) <= _MOSTLY * len(toks.words)
        and not _held_elsewhere(best, unheld, cands, toks, offsets)
    ):
        return _modified(best, added, displaced, toks, last)
    decided = _classify(text)
    if len(decided) == 1:
        # The exact matcher's verdict, unless the phrases of its license leave terms of the text unheld.
        verdict = decided[0]
        mine = [c for c in cands if c.spdx == verdict.spdx]
        if mine:
            own = max(mine, key=lambda c: _covered(c, toks, offsets).bit_count())
            # Read strictly when the phrase index ranked another license first (see `narrow` above).
            verdict.added = _lines(toks, _added(own, toks, offsets, narrow=own is cands[0]))
        return decided
    if decided:
        return decided
    if unheld:
        # Nothing else holds the added terms: this license, modified; a text it holds little of is not it.
        if best.share < 0.75 or sum(b - a + 1 for a, b in unheld) > _MOSTLY * len(toks.words):
            return []
        return _modified(best, added, displaced, toks, last)
    if close:
        # Two SPDX licenses this close and no verdict: each named, and said to be ambiguous, when they
        # hold the same words of the text; otherwise no guess (`other`).
        held = _covered(best, toks, offsets).bit_count()
        same = [c for c in close if _similar(best, c, toks, offsets)][:2]
        if not same or best.share < 0.8 or held < _HOLDS * len(toks.words):
            return []
        ids = tuple(sorted({best.spdx, *(c.spdx for c in same)}))
        conf = round(min(best.share, 0.95) * 0.8, 4)
        return [SpdxMatch(i, conf, 1, last, alternatives=tuple(x for x in ids if x != i)) for i in ids]
    return [SpdxMatch(best.spdx, round(best.share * 0.8, 4), 1, last)] if best.share >= 0.8 else []


# Of a copy's words, the share runs of a one-phrase template must stand on for the copy to be that license;
# another standing on this share and within a few words of it is named beside it (X11 and its variant that
# names "the above copyright holders" differ in a name and three words of the grant); of the license's
# words, the share the copy must hold.
_WHOLE_HELD = 0.95
_NEAR_HELD = 0.9
_WHOLE_OF = 0.8


# The templates of one phrase, (id, words, runs of _RUN words), and per run the templates that hold it;
# built for the template list it was built from.
_ONE_PHRASE: dict[str, object] = {}


def _one_phrase() -> tuple[list[tuple[str, int, frozenset[str]]], dict[str, list[int]]]:
    templates = _templates() or []
    if _ONE_PHRASE.get("from") is not templates:
        one: list[tuple[str, int, frozenset[str]]] = []
        by_run: dict[str, list[int]] = defaultdict(list)
        for t in templates:
            if len(t.needles) == 1:
                runs = frozenset(_runs(t.needles[0].split()))
                for r in runs:
                    by_run[r].append(len(one))
                one.append((t.spdx, t.words, runs))
        _ONE_PHRASE.update({"from": templates, "one": one, "by_run": dict(by_run)})
    return _ONE_PHRASE["one"], _ONE_PHRASE["by_run"]  # type: ignore[return-value]


def held_whole(text: str, toks: Tokens | None, clauses: list[str], base: list[str]) -> list[SpdxMatch]:
    """The licenses whose template is one stretch without markup, which the phrase index cannot grade (one
    word off and its one phrase is missed: X11, whose text ends with a trademark line most copies leave out),
    whose runs of words stand on nearly all of `text`, which is most of the license, and on most of what
    runs of `base` (the words of the catalog copy's license) do not of each of the `clauses` the copy adds:
    the one standing on most words, and each within a few words of it, said to be alternatives."""
    if toks is None:
        toks = tokenize(text)
    ws = toks.words
    copy_runs = _runs(ws)
    one, by_run = _one_phrase()
    # A run stands on at most _RUN words: a template with too few of the copy's runs cannot stand on enough.
    at = Counter(t for r in copy_runs for t in by_run.get(r, ()))
    near = sorted(t for t, n in at.items() if n * _RUN >= _NEAR_HELD * len(ws))
    if not near:
        return []
    # Of each clause, the words the base license's own text does not hold: what another license must hold.
    base_runs = set(_runs(base))
    unheld = []
    for c in clauses:
        cw = words(c)
        if len(cw) >= _RUN:
            mine = _held_in(cw, base_runs)
            unheld.append((cw, [k for k, h in enumerate(mine) if not h]))
    unheld = [(cw, ks) for cw, ks in unheld if ks]
    if not unheld:
        return []
    held_by: dict[str, int] = {}
    for t in near:
        spdx, nwords, runs = one[t]
        held = _held_at([r in runs for r in copy_runs], len(ws))
        n = sum(held)
        # The copy is most of the license as well: not a part of a longer text (Sleepycat holds a whole
        # BSD-3-Clause of the Regents' among its three licenses); nor do terms of it stand outside the runs.
        if n < _NEAR_HELD * len(ws) or n < _WHOLE_OF * nwords or _terms_outside(ws, held):
            continue
        if all(sum(_held_in(cw, runs)[k] for k in ks) >= 0.5 * len(ks) for cw, ks in unheld):
            held_by[spdx] = n
    most = max(held_by.values(), default=0)
    if most < _WHOLE_HELD * len(ws):
        return []
    ids = sorted(i for i, n in held_by.items() if n > most - _ADDED_WORDS)
    last = text.count("\n") + 1
    conf = round(min(most / len(ws), 0.95) * 0.95, 4)
    return [SpdxMatch(i, conf, 1, last, alternatives=tuple(x for x in ids if x != i)) for i in ids]


def _terms_outside(ws: list[str], held: list[bool]) -> bool:
    """Whether a stretch of `ws` that no run stands on reads as terms."""
    from license_audit.identify.modified import term_like

    return any(b - a + 1 >= _ADDED_WORDS and term_like(ws[a : b + 1]) for a, b in _falls(held))


def _modified(
    best: _Scored,
    added: list[tuple[int, int]],
    displaced: tuple[_Scored, list[tuple[int, int]]] | None,
    toks: Tokens,
    last: int,
) -> list[SpdxMatch]:
    """`best` modified by the `added` stretches; when it displaced the first-ranked license, which leaves
    terms unheld as well, each of the two (which one was modified, the text does not say: a copy titled
    CDDL-1.0 with the patent-claim clause of CDDL-1.1's section 6.3), each naming the other."""
    conf = round(min(best.share, 0.95) * 0.8, 4)
    if displaced is None or not added:
        return [SpdxMatch(best.spdx, conf, 1, last, added=_lines(toks, added))]
    first, theirs = displaced
    return [
        SpdxMatch(first.spdx, conf, 1, last, alternatives=(best.spdx,), added=_lines(toks, theirs)),
        SpdxMatch(best.spdx, conf, 1, last, alternatives=(first.spdx,), added=_lines(toks, added)),
    ]


def _lines(toks: Tokens, stretches: list[tuple[int, int]]) -> tuple[tuple[int, int, str], ...]:
    return tuple((toks.line_of(a), toks.line_of(b), " ".join(toks.words[a : b + 1])) for a, b in stretches)


def _classify(text: str) -> list[SpdxMatch]:
    try:
        from licenseclassifier._engine import scan
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
        out.append(SpdxMatch(m.id, round(min(0.95, cov.percent / 100.0) * 0.95, 4), first, last))
    return out


def spdx_id(name: str) -> str | None:
    """The SPDX id of a template, as the SPDX list spells it, for any spelling of `name`."""
    templates = _templates() or []
    low = name.lower()
    found = next((t.spdx for t in templates if t.spdx.lower() == low), None)
    return found or _listed().get(low)


@lru_cache(maxsize=1)
def _listed() -> dict[str, str]:
    """Every SPDX id license-expression's license index knows (the templates lack a few variants,
    such as OFL-1.1-RFN), lower-cased to as spelled."""
    try:
        from importlib.resources import files

        raw = files("license_expression").joinpath("data/scancode-licensedb-index.json").read_text("utf-8")
        entries = json.loads(raw)
    except (OSError, ValueError, ModuleNotFoundError):
        return {}
    out: dict[str, str] = {}
    for e in entries if isinstance(entries, list) else []:
        key = e.get("spdx_license_key") if isinstance(e, dict) else None
        if isinstance(key, str) and key and not key.startswith("LicenseRef"):
            out[key.lower()] = key
    return out


def explains(spdx_id: str, added: list[str], share: float = 0.5) -> bool:
    """Whether the SPDX license `spdx_id` holds the `added` texts (runs of five words of it standing on
    `share` of the words of one, and on some): a variant that accounts for the clauses a catalog license's
    copy adds (BSD-4-Clause's advertising clause), not one that merely holds less (MIT-0 for MIT plus an
    added clause) or shares a few words with the clause ("or other dealings in")."""
    for text in added:
        ws = words(text)
        # The words of the clause that runs of the license hold: a clause whose name is a variable of the
        # license ("Neither the name of <the copyright holder> nor ...") is held around that name.
        held, _ = _runs_held(ws, spdx_id)
        n = sum(held)
        if len(ws) >= _RUN and n and n >= share * len(ws):
            return True
    return False
