"""The catalog's `identify:` data turned into what the matchers search for, once per catalog.

Per license:
- `phrases`: word sequences every full copy contains; the share found is the phrase score.
- `references`: word sequences by which a short notice points at the license ("licensed under the
  Apache License, Version 2.0"); `reference_end` optionally extends such a notice to the end of its
  boilerplate ("limitations under the license").
- `patterns`: regular expressions on the cleaned text, for references that need punctuation ("(MIT)").
- `text`: a reference copy (rules/licenses/texts/) for the exact-hash matcher and for coverage.
- `min_words`: below half of this a span cannot be a full copy.
- `shadowed_by`: more specific licenses that win a tie on the same span (OpenRAIL-M vs its variants).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from license_audit.catalog import Catalog, License
from license_audit.identify.normalize import foreign_count, phrase_words, tokenize


# Slotted (many thousands per index) and compared by identity, as index entries are.
@dataclass(slots=True, eq=False)
class Needle:
    """A phrase to look for in a text, with the rare words that rule it out quickly."""

    text: str  # " w1 w2 ... "
    length: int  # words
    key: str  # the rarest word: if it is not in a text, the phrase cannot be either
    key2: str  # the next rarest: two set lookups spare most substring searches
    # Every word: three in four substring searches that pass the two keys still find nothing, and
    # a third of those lack a word, which one C-level subset test tells without scanning the text.
    words: frozenset[str] = frozenset()


@dataclass(slots=True, eq=False)
class CompiledLicense:
    """A catalog license prepared for identification: its phrases, references and patterns."""

    lic: License
    phrases: list[Needle]
    references: list[Needle]
    reference_end: list[Needle]
    patterns: list[re.Pattern[str]]
    min_words: int
    shadowed_by: frozenset[str]
    text_path: Path | None
    required_end: str | None = field(default=None, init=False)  # words of `identify.required_end`: coverage stops there
    # Every phrase's rarest word: none present, no phrase can be.
    keys: frozenset[str] = field(default=frozenset(), init=False)
    ref_keys: frozenset[str] = field(default=frozenset(), init=False)  # the same for references
    ref_words: int = field(default=0, init=False)
    # The ideographs, kana and hangul of the reference copy: a license written in Latin script holds none, one
    # written in two languages (THUDM's) holds its Chinese edition.
    ref_foreign: int = field(default=0, init=False)
    ref_hash: str | None = field(default=None, init=False)  # text_digest of the reference copy
    # Per pattern, letters and digits every match holds ("" when none is certain): a text without them
    # is not searched with the pattern.
    pattern_needs: tuple[str, ...] = field(default=(), init=False)


@dataclass(slots=True, eq=False)
class CompiledCatalog:
    """The identification index of a catalog."""

    licenses: list[CompiledLicense]
    by_id: dict[str, CompiledLicense]
    exact: dict[str, str]  # text_digest of a reference copy -> license id


def _needles(items, freq: Counter) -> list[list]:
    """[text, length, key, key2] per phrase: the JSON form of a Needle."""
    out = []
    for item in items or []:
        ws = phrase_words(str(item))
        if not ws:
            continue
        ranked = sorted(set(ws), key=lambda w: (freq[w], -len(w), w))
        out.append([" " + " ".join(ws) + " ", len(ws), ranked[0], ranked[1] if len(ranked) > 1 else ranked[0]])
    return out


def _text_path(lic: License) -> tuple[Path, int, int] | None:
    """(path, size, mtime) of the license's reference copy, or None; one stat, no resolving."""
    path = lic.text_path
    if path is None:
        return None
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    return (path, st.st_size, st.st_mtime_ns) if stat.S_ISREG(st.st_mode) else None


def text_digest(joined: str) -> str:
    """Digest of a text's normalised words (Tokens.joined): the exact-copy matcher's key. Stable across
    processes (unlike hash()), so the compiled index can be cached."""
    return hashlib.blake2b(joined.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def compile_catalog(catalog: Catalog) -> CompiledCatalog:
    """The identification index of `catalog`'s licenses, built once per set of licenses (Catalog.add drops it)."""
    return catalog.derived("identify", lambda: _compiled(catalog))


def _compiled(catalog: Catalog) -> CompiledCatalog:
    licenses = list(catalog)
    texts = [_text_path(lic) for lic in licenses]
    # Compiling costs more than the rest of identifying a typical repo's files (reference copies are
    # tokenised, every phrase ranked): the result is kept, keyed by everything it is derived from.
    from license_audit import rulecache
    from license_audit.identify import normalize

    name = (
        "identify-"
        + rulecache.key(
            _CACHE_FORMAT,
            rulecache.code_stamp(__file__, normalize.__file__),
            *(
                json.dumps([lic.id, lic.identify, [str(t[0]), t[1], t[2]] if t else None], sort_keys=True, default=str)
                for lic, t in zip(licenses, texts)
            ),
        )
        + ".json"
    )
    result = _from_document(rulecache.read(name), licenses, texts)
    if result is None:
        doc = _compile(licenses, texts)
        rulecache.store(name, json.dumps(doc, separators=(",", ":")))
        rulecache.prune("identify-", _KEEP)
        result = _from_document(doc, licenses, texts)
    assert result is not None  # a document _compile has just written always fits
    return result


_CACHE_FORMAT = 2
_KEEP = 4  # compiled catalogs kept: the shipped one and a few with --rules additions


def _compile(licenses: list[License], texts: list) -> dict:
    """The index as a JSON document: per license its needles (text, length, key, key2), patterns, and
    the reference copy's word count and digest."""
    freq: Counter = Counter()
    for lic in licenses:
        ident = lic.identify
        seen: set[str] = set()
        for item in [*(ident.get("phrases") or []), *(ident.get("references") or [])]:
            seen.update(phrase_words(str(item)))
        freq.update(seen)
    out = []
    for lic, text in zip(licenses, texts):
        ident = lic.identify
        phrases = _needles(ident.get("phrases"), freq)
        entry = {
            "id": lic.id,
            "references": _needles(ident.get("references"), freq),
            "reference_end": _needles(ident.get("reference_end"), freq),
            "patterns": [str(p) for p in ident.get("patterns") or []],
            "min_words": int(ident.get("min_words", 0) or 0),
            "shadowed_by": sorted({str(s) for s in ident.get("shadowed_by") or []}),
            "required_end": " ".join(phrase_words(str(ident["required_end"]))) if ident.get("required_end") else None,
            "ref_words": 0,
            "ref_foreign": 0,
            "ref_digest": None,
        }
        if text is not None:
            try:
                toks = tokenize(text[0].read_text(encoding="utf-8", errors="replace"), lines=False)
            except OSError:
                toks = None
            if toks is not None:
                entry["ref_words"] = len(toks.words)
                entry["ref_foreign"] = foreign_count(toks.cleaned)
                entry["ref_digest"] = text_digest(toks.joined)
                # Phrases in the order the reference copy holds them; those it lacks keep their YAML order.
                order = [i if i >= 0 else len(toks.joined) for nd in phrases for i in [toks.joined.find(nd[0])]]
                phrases = [nd for _, _, nd in sorted(zip(order, range(len(phrases)), phrases))]
        entry["phrases"] = phrases
        out.append(entry)
    return {"licenses": out}


def _from_document(doc, licenses: list[License], texts: list) -> CompiledCatalog | None:
    """The compiled catalog from `doc` (as _compile wrote it), or None when it does not fit `licenses`."""
    try:
        entries = doc["licenses"]
        if len(entries) != len(licenses):
            return None
        compiled = []
        by_id: dict[str, CompiledLicense] = {}
        exact: dict[str, str] = {}
        for lic, text, e in zip(licenses, texts, entries):
            if e["id"] != lic.id or not _valid_entry(e):
                return None
            pats = []
            for p in e["patterns"]:
                try:
                    pats.append(re.compile(p))
                except re.error:
                    continue
            cl = CompiledLicense(
                lic,
                _to_needles(e["phrases"]),
                _to_needles(e["references"]),
                _to_needles(e["reference_end"]),
                pats,
                int(e["min_words"]),
                frozenset(e["shadowed_by"]),
                text[0] if text else None,
            )
            cl.keys = frozenset(nd.key for nd in cl.phrases)
            cl.pattern_needs = tuple(required_literal(p.pattern) for p in pats)
            cl.ref_keys = frozenset(nd.key for nd in cl.references)
            cl.required_end = e["required_end"]
            cl.ref_words = int(e["ref_words"])
            cl.ref_foreign = int(e["ref_foreign"])
            cl.ref_hash = e["ref_digest"]
            if cl.ref_hash is not None:
                # Two entries may share a reference copy (the Hub's generic `openrail` names the text of the
                # BigScience Open RAIL-M): an exact copy is the entry the other is shadowed by.
                held = exact.get(cl.ref_hash)
                if held is None or lic.id in by_id[held].shadowed_by:
                    exact[cl.ref_hash] = lic.id
            compiled.append(cl)
            by_id[lic.id] = cl
    except (TypeError, KeyError, ValueError, IndexError):
        return None  # a cache file from elsewhere or edited by hand: compiled again
    return CompiledCatalog(compiled, by_id, exact)


def _valid_entry(e: dict) -> bool:
    """Whether a cached entry has the types _compile writes (a cache file is data anyone could edit)."""

    def needles(v) -> bool:
        return isinstance(v, list) and all(
            isinstance(n, list)
            and len(n) == 4
            and isinstance(n[0], str)
            and isinstance(n[1], int)
            and isinstance(n[2], str)
            and isinstance(n[3], str)
            for n in v
        )

    return (
        needles(e.get("phrases"))
        and needles(e.get("references"))
        and needles(e.get("reference_end"))
        and isinstance(e.get("patterns"), list)
        and all(isinstance(x, str) for x in e["patterns"])
        and isinstance(e.get("shadowed_by"), list)
        and all(isinstance(x, str) for x in e["shadowed_by"])
        and isinstance(e.get("min_words"), int)
        and isinstance(e.get("ref_words"), int)
        and isinstance(e.get("ref_foreign"), int)
        and (e.get("required_end") is None or isinstance(e["required_end"], str))
        and (e.get("ref_digest") is None or isinstance(e["ref_digest"], str))
    )


_QUANTIFIER = "?*{"


def required_literal(pattern: str) -> str:
    """The longest run of lower-case letters and digits (or letters without case: "许可证") that every
    match of `pattern` holds: one written outside any group, class or escape and not made optional by a
    quantifier; "" when the pattern has an alternation outside a group (a match need not hold any one
    run) or no such run."""
    runs: list[str] = []
    run = ""
    depth = 0
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            i += 2
            runs.append(run)
            run = ""
            continue
        if c == "[":
            # A class ends at the first "]" after its first character (a "]" there is a member).
            j = i + 2 if pattern[i + 1 : i + 2] != "^" else i + 3
            while j < len(pattern) and pattern[j] != "]":
                j += 2 if pattern[j] == "\\" else 1
            i = j + 1
            runs.append(run)
            run = ""
            continue
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == "|" and depth == 0:
            return ""
        if depth == 0 and ("a" <= c <= "z" or "0" <= c <= "9" or (not c.isascii() and c.isalnum() and c == c.lower())):
            run += c
        else:
            if c in _QUANTIFIER and run:
                run = run[:-1]  # the last character is what the quantifier applies to
            runs.append(run)
            run = ""
            if c == "{":
                i = pattern.find("}", i) if "}" in pattern[i:] else len(pattern)
        i += 1
    runs.append(run)
    return max(runs, key=len)


def _to_needles(items: list) -> list[Needle]:
    return [Needle(str(t), int(n), str(k), str(k2), frozenset(str(t).split())) for t, n, k, k2 in items]
