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

import re
from collections import Counter
from pathlib import Path

from license_audit.catalog import Catalog, License
from license_audit.identify.normalize import phrase_words, tokenize


# Plain classes with slots, not dataclasses: every audit imports this module, and building a
# dataclass costs about half a millisecond of start-up apiece.
class Needle:
    __slots__ = ("text", "length", "key", "key2", "words")

    def __init__(self, text: str, length: int, key: str, key2: str, words: frozenset = frozenset()):
        self.text = text  # " w1 w2 ... "
        self.length = length  # words
        self.key = key  # the rarest word: if it is not in a text, the phrase cannot be either
        self.key2 = key2  # the next rarest: two set lookups spare most substring searches
        # Every word: three in four substring searches that pass the two keys still find nothing, and
        # a third of those lack a word, which one C-level subset test tells without scanning the text.
        self.words = words


class CompiledLicense:
    __slots__ = ("lic", "phrases", "references", "reference_end", "patterns", "min_words", "shadowed_by",
                 "text_path", "required_end", "keys", "ref_keys", "ref_words", "ref_hash")

    def __init__(self, lic: License, phrases: list[Needle], references: list[Needle], reference_end: list[Needle],
                 patterns: list[re.Pattern], min_words: int, shadowed_by: frozenset[str], text_path: Path | None):
        self.lic = lic
        self.phrases = phrases
        self.references = references
        self.reference_end = reference_end
        self.patterns = patterns
        self.min_words = min_words
        self.shadowed_by = shadowed_by
        self.text_path = text_path
        self.required_end: str | None = None  # words of `identify.required_end`: coverage stops there
        self.keys: frozenset[str] = frozenset()  # every phrase's rarest word: none present, no phrase can be
        self.ref_keys: frozenset[str] = frozenset()  # the same for references
        self.ref_words = 0
        self.ref_hash: int | None = None


class CompiledCatalog:
    __slots__ = ("licenses", "by_id", "exact", "stamp")

    def __init__(self, licenses: list[CompiledLicense], by_id: dict[str, CompiledLicense], exact: dict[int, str],
                 stamp: tuple | None = None):
        self.licenses = licenses
        self.by_id = by_id
        self.exact = exact  # hash of a reference text's words -> license id
        self.stamp = stamp  # ids of the catalog's License objects it was compiled from


def _needles(items, freq: Counter) -> list[Needle]:
    out = []
    for item in items or []:
        ws = phrase_words(str(item))
        if not ws:
            continue
        ranked = sorted(set(ws), key=lambda w: (freq[w], -len(w), w))
        out.append(Needle(" " + " ".join(ws) + " ", len(ws), ranked[0], ranked[1] if len(ranked) > 1 else ranked[0],
                          frozenset(ws)))
    return out


def _text_path(lic: License) -> Path | None:
    rel = lic.identify.get("text")
    if not rel:
        return None
    base = lic.source.parent if lic.source else None
    if base is None:
        from license_audit.resources import rules_dir
        base = rules_dir() / "licenses"
    path = (base / str(rel)).resolve()
    return path if path.is_file() else None


def compile_catalog(catalog: Catalog) -> CompiledCatalog:
    cached = getattr(catalog, "_compiled_identify", None)
    # Catalog.add after a first identification (a --rules DIR) must not leave a stale index behind.
    # The licenses' identities, read without sorting the catalog: this runs once per identified text.
    members = getattr(catalog, "_by_id", None)
    stamp = tuple(map(id, members.values())) if isinstance(members, dict) else None
    if cached is not None:
        if stamp is not None and stamp == cached.stamp:
            return cached
        if len(cached.licenses) == len(catalog) and all(
                cached.by_id.get(lic.id) is not None and cached.by_id[lic.id].lic is lic for lic in catalog):
            cached.stamp = stamp
            return cached
    freq: Counter = Counter()
    for lic in catalog:
        ident = lic.identify
        seen = set()
        for item in [*(ident.get("phrases") or []), *(ident.get("references") or [])]:
            seen.update(phrase_words(str(item)))
        freq.update(seen)
    compiled = []
    exact: dict[int, str] = {}
    for lic in catalog:
        ident = lic.identify
        pats = []
        for p in ident.get("patterns") or []:
            try:
                pats.append(re.compile(str(p)))
            except re.error:
                continue
        cl = CompiledLicense(
            lic=lic,
            phrases=_needles(ident.get("phrases"), freq),
            references=_needles(ident.get("references"), freq),
            reference_end=_needles(ident.get("reference_end"), freq),
            patterns=pats,
            min_words=int(ident.get("min_words", 0) or 0),
            shadowed_by=frozenset(str(s) for s in ident.get("shadowed_by") or []),
            text_path=_text_path(lic),
        )
        cl.keys = frozenset(nd.key for nd in cl.phrases)
        cl.ref_keys = frozenset(nd.key for nd in cl.references)
        end = ident.get("required_end")
        cl.required_end = " ".join(phrase_words(str(end))) if end else None
        if cl.text_path is not None:
            toks = tokenize(cl.text_path.read_text(encoding="utf-8", errors="replace"), lines=False)
            cl.ref_words = len(toks.words)
            cl.ref_hash = hash(toks.joined)
            exact.setdefault(cl.ref_hash, lic.id)
            # Phrases in the order the reference copy holds them; those it lacks keep their YAML order.
            order = {id(nd): (i if i >= 0 else len(toks.joined)) for nd in cl.phrases
                     for i in [toks.joined.find(nd.text)]}
            cl.phrases.sort(key=lambda nd: order[id(nd)])
        compiled.append(cl)
    result = CompiledCatalog(compiled, {c.lic.id: c for c in compiled}, exact, stamp)
    catalog._compiled_identify = result  # type: ignore[attr-defined]
    return result
