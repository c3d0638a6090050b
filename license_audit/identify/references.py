"""References that name a license without holding it: identifier lines, names, links.

- `SPDX-License-Identifier:` lines, their expressions parsed by license-expression;
- license names, with or without version words ("GNU General Public License v2.0", "Apache License,
  Version 2.0", "LLAMA2 License", "Llama 3.1 license"): the catalog's names and aliases and the SPDX
  list's full names;
- links to license texts: the SPDX list's `seeAlso` links, the catalog's own `url` and
  `identify.urls` (Hub LICENSE links of model licenses), creativecommons.org deeds and legal codes.

The SPDX names and links come from the licenseclassifier package's templates (the SPDX list's data,
each template's header naming the license and its links), read once and kept in the rule cache.
Only text no full license copy claims is searched, so a copy's own title or links are never a reference.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import lru_cache
from itertools import repeat
from pathlib import Path
from typing import TypeVar

from license_audit.catalog import Catalog, License
from license_audit.identify.normalize import LIST_ITEM, text_lines
from license_audit.identify.normalize import words as word_list

_K = TypeVar("_K", tuple[str, ...], str)

_SPDX_LINE = re.compile(r"spdx-license-identifier\s*:\s*([^\n]*)", re.I)
_URL = re.compile(
    # Possessive: a word that is not a domain fails at once rather than by giving back a letter at a time.
    r"(?:https?://|www\.|\b(?:[a-z0-9-]++\.)++(?:org|com|net|io|dev|ai)/)[^\s<>\"'`)\]\[]*",
    re.I,
)
_WORD = re.compile(r"[a-z]+|\d+")
# Words that a license name holds; a name without one ("Zlib", "Beerware") is too generic to look for.
_NAME_WORDS = frozenset(["license", "licence", "agreement", "public", "terms", "rail", "openrail"])
# Version words dropped when names are compared: "Version 2.0" = "v2.0" = "v2" = "2.0" = "2".
_DROP = frozenset(["version", "ver", "v", "the"])
# Trailing words a name is also written without ("Llama 2 Community License [Agreement]").
_OPTIONAL_TAIL = (
    ("agreement",),
    ("license",),
    ("licence",),
    ("only",),
    ("or", "later"),
    ("international",),
    ("generic",),
    ("unported",),
)
_MAX_NAME = 14
# A link is indexed only when its path says it is a license's (a model's home page is not its license).
_URL_WORDS = ("licen", "terms", "agreement", "legal", "mpl", "gpl", "copying", "policy", "/by", "zero")


@dataclass(frozen=True)
class Ref:
    key: str  # a catalog id, or an SPDX identifier the catalog does not hold
    form: str  # "identifier", "name", "url", or "pointer" (a name or link saying where a license's text is)
    line: int
    last: int = 0  # a pointer's last line (the sentence may run over several)
    # An identifier's SPDX id when it names the catalog license's later versions too ("GPL-2.0-or-later",
    # "GPL-2.0+" for the entry of GPL-2.0-only): the license is the entry's, the id is the one written.
    spdx: str = ""
    # A name several catalog licenses go by (their `shared_names`: "the Llama license", "the Tencent Hunyuan
    # Community License"): every edition it may mean, `key` among them; which one the text does not say.
    editions: tuple[str, ...] = ()


# What _COMPACT can match holds one of these (looked for as substrings in a region, by a pattern in a line).
_COMPACT_HINTS = ("gpl", "fdl", "mpl", "epl", "cddl", "afl", "osl", "lppl", "apache")
_COMPACT_HINT = re.compile("|".join(_COMPACT_HINTS))
_COMPACT = re.compile(r"\b(gnu)(?=(?:a|l)?gpl)|\b((?:a|l)?gpl|gfdl|fdl|mpl|epl|cddl|afl|osl|lppl|apache)v?(?=\d)")
# "GPL 20", "LGPL 21": a version written without its dot ("LGPLv21+", "GNULGPL21").
# What _TWO_DIGIT can match once letters and digits are apart, as written before.
_TWO_DIGIT_HINT = re.compile(r"(?:gpl|fdl)(?: v ?| )?[1-3][0-9]")
_TWO_DIGIT = re.compile(r"\b((?:a|l)?gpl|gfdl|fdl) (?:v )?([1-3])([0-9])\b")
# Creative Commons names are written many ways; their terms are compared as the SPDX ids spell them.
_CC_TERMS = (
    (("no", "derivative", "works"), "nd"),
    (("no", "derivatives"), "nd"),
    (("no", "derivs"), "nd"),
    (("noderivatives",), "nd"),
    (("noderivs",), "nd"),
    (("non", "commercial"), "nc"),
    (("noncommercial",), "nc"),
    (("share", "alike"), "sa"),
    (("sharealike",), "sa"),
    (("attribution",), "by"),
    (("creative", "commons"), "cc"),
)
_FAMILY = (
    ("licence", "license"),
    ("lesser gnu", "gnu lesser"),
    ("lesser public license", "lgpl"),
    ("affero gpl", "agpl"),
    # The Lesser name is the LGPL's from version 2.1 on: "Lesser GPL" keeps it (a versionless one is 2.1's).
    ("lesser gpl", "lesser general public license "),
    ("library gpl", "lgpl"),
    ("gpl license", "gpl"),
    ("apache software license", "apache license"),
)
# Between the words of a notice: spaces, line breaks and the comment marks each line of a source
# file's header starts with (" * ", "# ", "// ").
_SEP = r"(?:[\s*#>;!%\"]|//)+"
_VERSION_OF = re.compile(
    rf"version{_SEP}(\d+(?:\.\d+)?){_SEP}of{_SEP}(?:(?:the|that|this){_SEP})?"
    rf"((?:[a-z]+(?:{_SEP}|[/-]))"
    "{0,5}?"
    r"(?:licen[cs]e|(?:a|l)?gpl)\b)"
)
# Each alternative starts with a letter, which lets the regex engine skip to where a match can start.
_OF_THE_LICENSE = re.compile(
    rf"(?:either{_SEP}version|version){_SEP}(\d+(?:\.\d+)?){_SEP}of{_SEP}(?:the|that|this){_SEP}"
    r"(?:licen[cs]e|(?:a|l)?gpl)\b"
)
# " as published by the Free Software Foundation[; either]", found from its "as" (a pattern that starts
# with the separators before it is tried at every space); `_without_as_published` takes in those separators.
_AS_PUBLISHED = re.compile(
    r"as(?:(?<=[\s*#>;!%\"]as)|(?<=//as))"
    rf"{_SEP}published{_SEP}by{_SEP}the{_SEP}free{_SEP}software{_SEP}foundation[;,.]?(?:{_SEP})?(?:either{_SEP})?"
)
_SEP_MARKS = frozenset('*#>;!%"')
# "GNU General Public License; either version 2": the version is the name's.
_EITHER = re.compile(rf"(?<=licen[cs]e)[;,]?{_SEP}either{_SEP}(?=version{_SEP}\d)")
_EITHER_AT = re.compile(rf"licen[cs]e[;,]?{_SEP}either{_SEP}version{_SEP}\d")  # where _EITHER can match


def _without_as_published(low: str, lines: bool) -> str:
    """`low` with each " as published by the Free Software Foundation" and the separators before it put as
    one space (followed by the line breaks it held when `lines`)."""
    out = []
    done = 0
    for m in _AS_PUBLISHED.finditer(low):
        start = m.start()
        while start > done:
            if low[start - 1].isspace() or low[start - 1] in _SEP_MARKS:
                start -= 1
            elif start - 2 >= done and low[start - 2 : start] == "//":
                start -= 2
            else:
                break
        if start == m.start():
            continue  # its separators are the end of the one before
        out.append(low[done:start])
        out.append(" " + "\n" * low.count("\n", start, m.end()) if lines else " ")
        done = m.end()
    if not done:
        return low
    out.append(low[done:])
    return "".join(out)


_ABBREVIATED = re.compile(r"\(\s*[\"']?(?:a|l)?gpl[\"']?\s*\)")


def canonical_words(text: str) -> list[str]:
    """Lower-case words with version words dropped and "v2"/"llama2" split ("llama 2"), "2.0" as "2",
    "GPLv3"/"gnugpl 20" as "gpl 3"/"gnu gpl 2", Creative Commons terms as in SPDX ids ("by nc nd")."""
    return _canonical(_family_names(text.lower().replace("++", "pp")))


def _family_names(low: str) -> str:
    """`low` with a license family's other spellings written one way ("licence", "Lesser GPL")."""
    for long, short in _FAMILY:
        if long in low:
            whole = _WHOLE_WORD.get(long)
            low = whole.sub(short, low) if whole is not None else low.replace(long, short)
    return low


# Spellings that end in a whole word: "GPL license" is "GPL", "GPL licensed" is not "GPLd".
_WHOLE_WORD = {long: re.compile(re.escape(long) + "(?![a-z])") for long, _ in _FAMILY if long.endswith("license")}


def _canonical(low: str, compact: bool = True, digits: bool = True) -> list[str]:
    """canonical_words of a lower-case line whose family names are written one way already; `compact`
    and `digits` False: the line is known to hold no compact version ("GPLv3") or "GPL 21"."""
    if "version" in low and " of " in low:
        # "version 2 of the GNU General Public License" is "GNU General Public License 2".
        low = _VERSION_OF.sub(r"\2 \1", low)
    if "free software foundation" in low:
        # "GNU General Public License as published by the FSF; version 2": the version is the name's.
        low = _without_as_published(low, lines=False)
    if "gpl" in low and ")" in low:
        low = _ABBREVIATED.sub(" ", low)
    if compact and _COMPACT_HINT.search(low):
        low = _COMPACT.sub(lambda m: (m.group(1) or m.group(2)) + " ", low)
    if digits and ("gpl" in low or "fdl" in low) and _TWO_DIGIT_HINT.search(low):
        # The words below split letters from digits anyway; the split matters to "GPL 21" alone.
        low = _TWO_DIGIT.sub(r"\1 \2 \3", _split_alnum(low))
    raw = _WORD.findall(low)
    held = set(raw)
    if held.isdisjoint(_CC_FIRST):
        kept = [w for w in raw if w not in _DROP]  # the version words go
        if "0" not in held and not ("license" in held and not held.isdisjoint(_CC_SHORT)):
            return kept  # none of the rules below applies
        # No Creative Commons term to read: only a trailing ".0" and "license" after "by" and the like go.
        out: list[str] = []
        for w in kept:
            if out and ((w == "0" and out[-1].isdigit()) or (w == "license" and out[-1] in _CC_SHORT)):
                continue
            out.append(w)
        return out
    out = []
    i = 0
    while i < len(raw):
        w = raw[i]
        for words, short in _CC_TERMS if w in _CC_FIRST else ():
            if tuple(raw[i : i + len(words)]) == words:
                out.append(short)
                i += len(words)
                break
        else:
            i += 1
            if w in _DROP:
                continue
            # "2 0": a trailing ".0" of a version is the version ("GPL v2.0" = "GPL v2").
            if w == "0" and out and out[-1].isdigit():
                continue
            # "Creative Commons Attribution License 4.0" is "CC BY 4.0".
            if w == "license" and out and out[-1] in _CC_SHORT:
                continue
            out.append(w)
    return out


_CC_FIRST = frozenset(t[0][0] for t in _CC_TERMS)
_CC_SHORT = frozenset(["by", "nc", "nd", "sa"])


_ALNUM = re.compile(r"(?<=[a-z])(?=\d)|(?<=\d)(?=[a-z])")


def _split_alnum(text: str) -> str:
    # "llama2" -> "llama 2": the version apart from the name.
    return _ALNUM.sub(" ", text.lower())


def _name_variants(name: str) -> set[tuple[str, ...]]:
    ws = tuple(canonical_words(_split_alnum(name)))
    if not ws:
        return set()  # a name without Latin-script words (a Chinese title): the catalog's patterns read it
    out = {ws}
    changed = True
    while changed:
        changed = False
        for v in list(out):
            for tail in _OPTIONAL_TAIL:
                if len(v) > len(tail) + 1 and v[-len(tail) :] == tail and v[: -len(tail)] not in out:
                    out.add(v[: -len(tail)])
                    changed = True
            # "Attribution-NonCommercial 4.0" names the Creative Commons license without saying so.
            if v[:2] == ("cc", "by") and len(v) >= 4 and v[1:] not in out:
                out.add(v[1:])
                changed = True
            # "GNU Lesser General Public License 2.1" is also written without "GNU"; a short name is not
            # ("Library License 2.0" is also the PNG Reference Library License's).
            if v[0] == "gnu" and "general" in v and v[1] in ("lesser", "library", "affero") and v[1:] not in out:
                out.add(v[1:])
                changed = True
            # So is the GNU GPL with a version ("General Public License version 2").
            if v[:2] == ("gnu", "general") and any(w.isdigit() for w in v) and v[1:] not in out:
                out.add(v[1:])
                changed = True
            # "BSD 3-Clause License" is also written "3-Clause BSD License".
            if v[0] == "bsd" and len(v) >= 3 and v[1].isdigit() and v[2] == "clause":
                turned = (v[1], "clause", "bsd", *v[3:])
                if turned not in out:
                    out.add(turned)
                    changed = True
            # "Llama 2 Community License" is also "Llama 2 License".
            if "community" in v and len(v) > 3:
                short = tuple(w for w in v if w != "community")
                if short not in out:
                    out.add(short)
                    changed = True
    # A name's own license word counts where the Creative Commons reading drops it after a term ("Open Data
    # Commons Attribution License" is "open data commons by").
    cc_named = not _NAME_WORDS.isdisjoint(_WORD.findall(name.lower()))
    return {
        v
        for v in out
        if 2 <= len(v) <= _MAX_NAME
        and (_NAME_WORDS & set(v) or _distinctive(v) or (cc_named and len(v) >= 3 and not _CC_SHORT.isdisjoint(v)))
    }


def _distinctive(words: tuple[str, ...]) -> bool:
    """A name without a word like "license" stands on its own only with a version and 3+ words, or an
    SPDX-style abbreviation and a version ("gpl 2", "cc by nc 4", "epl 1")."""
    return any(w.isdigit() for w in words) and (len(words) >= 3 or words[0] in _ABBREVIATIONS)


_ABBREVIATIONS = frozenset(
    [
        *("gpl", "lgpl", "agpl", "gfdl", "fdl", "mpl", "epl", "cddl", "afl", "osl", "lppl", "apache", "apl"),
        *("cpl", "ecl", "eupl", "bsd", "cc", "odbl", "odc", "cecill", "artistic", "zpl", "ofl", "sissl", "spl"),
        "npl",
    ]
)
_NAMING = _NAME_WORDS | _ABBREVIATIONS


def normalize_url(url: str) -> str:
    """A link as the index compares it: no scheme, "www.", query, trailing slash or file suffix
    (.html, .txt, .php, /legalcode, /deed.fr, /index.html), an archived copy as the page it archives,
    gnu.org's old and standalone pages as the license's own page; a fragment is kept (`#Modern_Variants`
    on a page of many licenses names one of them)."""
    u = url.strip().lower().strip("'\"<>").rstrip(".,;:!)'\"")
    u = _SCHEME.sub("", u)
    # An archived copy ("web.archive.org/web/2006.../http://www.opensource.org/...") is that page.
    if "archive.org/" in u:
        u = _SCHEME.sub("", _ARCHIVED.sub("", u))
    if ":" in u:
        u = _PORT.sub(r"\1", u, 1)  # "rosenlaw.com:80/OSL3.0.htm"
    base, _, frag = u.partition("#")
    base = base.split("?", 1)[0].rstrip("/").replace("licence", "license")
    if "//" in base:
        base = _SLASHES.sub("/", base)
    for _ in range(2):
        base = _SUFFIX.sub("", base).rstrip("/")
    # A translation of a license page: gnu.org's "agpl-3.0.fr.html".
    base = _TRANSLATION.sub(r"\1", base)
    for old, new in _SAME_PAGE:
        if base.startswith(old):
            base = new + base[len(old) :]
    if base.startswith("gnu.org/licenses/") and base.endswith("-standalone"):
        base = base[: -len("-standalone")]
    if base.startswith(_FILE_HOSTS):
        base = _file_page(base)
    frag = frag.strip().rstrip("/")
    return f"{base}#{frag}" if frag else base


# A repository file is one page however it is linked: Hugging Face serves it at `blob` (the page), `resolve`
# (the download) and `raw`; GitHub at `blob`, `raw` and raw.githubusercontent.com (cards link all of them).
_FILE_HOSTS = ("huggingface.co/", "hf.co/", "github.com/", "raw.githubusercontent.com/")


def _file_page(base: str) -> str:
    """`base` (normalized) as the `blob` page of the repository file it downloads, else as it is."""
    parts = base.split("/")
    if parts[0] == "raw.githubusercontent.com":
        if len(parts) < 5:
            return base
        rest = parts[3:]
        if rest[:2] == ["refs", "heads"] and len(rest) > 3:
            rest = rest[2:]  # raw.githubusercontent.com/OWNER/NAME/refs/heads/BRANCH/PATH
        return "/".join(["github.com", parts[1], parts[2], "blob", *rest])
    # The part after OWNER/NAME (a Hub Space or dataset is spaces/OWNER/NAME).
    at = 4 if parts[0] != "github.com" and len(parts) > 1 and parts[1] in ("spaces", "datasets") else 3
    if len(parts) > at + 2 and parts[at] in ("resolve", "raw"):
        parts[at] = "blob"
        return "/".join(parts)
    return base


_SLASHES = re.compile(r"(?<!:)//+")
_PORT = re.compile(r"^([^/]+):\d+(?=/|$)")
_TRANSLATION = re.compile(r"(?<=/)([^/]+)\.[a-z]{2}(-[a-z]{2})?$")
_SCHEME = re.compile(r"^(?:https?|ftp)://(?:www\d?\.)?|^www\d?\.")
_ARCHIVED = re.compile(r"^(?:web|wayback)\.archive\.org/web/\d+[a-z_]*/")
_SUFFIX = re.compile(r"(/legalcode(\.[a-z-]+)?|/deed(\.[a-z-]+)?|/index|\.html?|\.txt|\.php|\.md|\.json|\.rst)$")
# Pages a site serves under more than one address.
_SAME_PAGE = (
    ("fsf.org/licensing/licenses/", "gnu.org/licenses/"),
    ("gnu.org/licenses/old-licenses/", "gnu.org/licenses/"),
    ("mozilla.com/", "mozilla.org/"),
    ("llama.meta.com/", "llama.com/"),  # Meta's Llama site moved to www.llama.com; the old addresses redirect there
    ("fedoraproject.org/wiki/licensing/", "fedoraproject.org/wiki/licensing:"),
)


# Sites whose license pages are named by SPDX id: the last part of the path is the id.
_ID_SITES = (
    "spdx.org/licenses/",
    "licenses.nuget.org/",
    "choosealicense.com/licenses/",
    "opensource.org/licenses/",
    "opensource.org/license/",
)


class _Index:
    __slots__ = ("first", "paged", "second", "shared", "single", "urls")

    def __init__(
        self,
        names: dict[tuple[str, ...], str],
        urls: dict[str, str],
        shared: dict[tuple[str, ...], tuple[str, ...]] | None = None,
    ):
        # By first word, then by length, longest first: the names a text's word may start.
        by_len: dict[str, dict[int, dict[tuple[str, ...], str]]] = {}
        for words, key in names.items():
            by_len.setdefault(words[0], {}).setdefault(len(words), {})[words] = key
        self.first = {w: sorted(lens.items(), reverse=True) for w, lens in by_len.items()}
        # The word that follows each first word in a longer name, and the one-word names: most words
        # that may start a name are not followed by one that continues it.
        second: dict[str, set[str]] = {w: set() for w in by_len}
        for words in names:
            if len(words) > 1:
                second[words[0]].add(words[1])
        self.second = second
        self.single = {words[0]: key for words, key in names.items() if len(words) == 1}
        self.urls = urls
        # Pages whose sections name different licenses (fedoraproject.org's MIT variants, gnu.org's
        # FAQ): an unknown section of one names none of them.
        self.paged = {u.split("#", 1)[0] for u in urls if "#" in u}
        # Names several editions go by: the words, with every edition's key (the name's own key first).
        self.shared = shared or {}


def _shipped_list() -> Path:
    from license_audit.resources import rules_dir

    return rules_dir() / "spdx" / "licenses.json"


def _spdx_list() -> list[tuple[str, str, list[str], bool]]:
    """(SPDX id, full name, links) of every SPDX-list license: the list's own data shipped in
    `rules/spdx/licenses.json` (names and `seeAlso` links), then any id only licenseclassifier's
    templates know (a newer list), whose template headers name the license and its links."""
    from license_audit.identify.longtail import _library
    from license_audit.rulecache import code_stamp, read, store

    lib = _library()
    shipped = _shipped_list()
    name = f"spdx-names-{lib[0] if lib else ''}-{code_stamp(str(shipped))}-{_FORMAT}.json"
    cached = read(name)
    if isinstance(cached, dict) and isinstance(cached.get("licenses"), list):
        try:
            return [(str(a), str(b), [str(u) for u in c], bool(d)) for a, b, c, d in cached["licenses"]]
        except (TypeError, ValueError):
            pass
    out: list[tuple[str, str, list[str], bool]] = []
    try:
        for row in json.loads(shipped.read_text(encoding="utf-8"))["licenses"]:
            out.append((str(row[0]), " ".join(str(row[1]).split()), [str(u) for u in row[2]], bool(row[3])))
    except (OSError, ValueError, KeyError, IndexError, TypeError):
        out = []
    listed = {spdx.lower() for spdx, _, _, _ in out}
    if lib is not None:
        import gzip

        try:
            entries = json.loads(gzip.decompress((lib[1] / "_engine" / "licenses.json.gz").read_bytes()))
        except (OSError, ValueError):
            entries = []
        for e in entries:
            m = re.match(r"\s*//\*\*(.*?)\*\*//", str(e.get("lre", "")), re.S)
            if not m or str(e["id"]).lower() in listed:
                continue
            lines = [ln.strip() for ln in m.group(1).strip().splitlines() if ln.strip()]
            if not lines:
                continue
            links = [ln for ln in lines[1:] if ln.startswith("http")]
            # Some headers hold no name: the id (or a link) stands in its place.
            full = lines[0] if not lines[0].startswith("http") else str(e["id"])
            out.append((str(e["id"]), full, links, False))
    if out:
        store(name, json.dumps({"licenses": out}, separators=(",", ":")), replaces="spdx-names-")
    return out


_FAMILY_DEFAULTS = (
    (("gpl",), "GPL-1.0-or-later"),
    (("gnu", "gpl"), "GPL-1.0-or-later"),
    (("gnu", "general", "public", "license"), "GPL-1.0-or-later"),
    (("gnu", "public", "license"), "GPL-1.0-or-later"),
    (("lgpl",), "LGPL-2.0-or-later"),
    (("gnu", "lgpl"), "LGPL-2.0-or-later"),
    (("gnu", "library", "general", "public", "license"), "LGPL-2.0-or-later"),
    (("library", "general", "public", "license"), "LGPL-2.0-or-later"),
    (("gnu", "lesser", "general", "public", "license"), "LGPL-2.1-or-later"),
    (("lesser", "general", "public", "license"), "LGPL-2.1-or-later"),
    # The GNU Affero GPL has one version (3); Affero, Inc.'s earlier "Affero General Public License" is
    # not GNU's.
    (("gnu", "affero", "general", "public", "license"), "AGPL-3.0-or-later"),
)
# What the families' license pages at gnu.org without a version (_GNU_FAMILY) name as well.
_DEFAULT_KEYS = frozenset([*(k for _, k in _FAMILY_DEFAULTS), "GFDL-1.1-or-later"])
_NOT_A_LICENSE = frozenset(["compatible", "incompatible", "style", "like", "compliant"])
_FORMAT = 2
# SPDX full names too generic to stand for a license in running text.
_SKIP_NAMES = frozenset({("mit", "license"), ("public", "domain")})


def _build(
    catalog: Catalog,
) -> tuple[dict[tuple[str, ...], str], dict[str, str], dict[tuple[str, ...], tuple[str, ...]]]:
    """(name words -> key, normalised link -> key, shared name words -> every edition's key) for the catalog
    and the SPDX list."""
    names: dict[tuple[str, ...], str] = {}
    urls: dict[str, str] = {}
    ambiguous_names: set[tuple[str, ...]] = set()
    ambiguous_urls: set[str] = set()

    def add(table: dict[_K, str], ambiguous: set[_K], entry: _K, key: str, weak: bool = False) -> None:
        # An entry two different licenses claim names neither: it leaves the table for good. A license
        # and its own variant (MPL-2.0 and MPL-2.0-no-copyleft-exception share their links) are one
        # claim, the license's; a deprecated id only fills a gap.
        if entry in ambiguous:
            return
        old = table.get(entry)
        if old is None or _base(old) == _base(key):
            table.setdefault(entry, key)
        elif _base(key).startswith(_base(old) + "-") or weak:
            return
        elif _base(old).startswith(_base(key) + "-"):
            table[entry] = key
        else:
            del table[entry]
            ambiguous.add(entry)

    def add_name(words: tuple[str, ...], key: str, weak: bool = False) -> None:
        if words not in _SKIP_NAMES:
            add(names, ambiguous_names, words, key, weak)

    def add_url(url: str, key: str, weak: bool = False, spdx: str = "") -> None:
        u = normalize_url(url)
        if u and "/" in u and (any(w in u for w in _URL_WORDS) or _names_license(u, spdx)):
            add(urls, ambiguous_urls, u, key, weak)

    # The catalog first: its ids win over SPDX ids for the same license.
    for lic in catalog:
        for n in [lic.name, *lic.aliases]:
            for v in _name_variants(n):
                add_name(v, lic.id)
        # The entry's own address and its `identify.urls` are where its text is published, unless the address
        # is a repository's front page (a model whose card holds the license): a link there names the model.
        for u in [lic.url, *(lic.identify.get("urls") or [])]:
            page = normalize_url(str(u)) if u else ""
            if "/" in page and not (page.startswith(("huggingface.co/", "github.com/")) and page.count("/") < 3):
                add(urls, ambiguous_urls, page, lic.id)
    # A name the publisher gives every edition of its license ("Llama Community License") names them all:
    # the reference is reported as each, ambiguous with the others, never as one of them alone.
    editions: dict[tuple[str, ...], list[str]] = {}
    for lic in catalog:
        for n in lic.shared_names:
            for v in _name_variants(n):
                if lic.id not in editions.setdefault(v, []):
                    editions[v].append(lic.id)
    shared: dict[tuple[str, ...], tuple[str, ...]] = {}
    for v, keys in editions.items():
        # One catalog edition of a name every edition goes by ("tencent-license") is not what the name
        # means: the publisher's other editions go by it too, so alone it names none.
        if len(keys) > 1 and v not in names and v not in ambiguous_names:
            names[v] = keys[0]
            shared[v] = tuple(keys)
    # A GNU license named without a version: the license itself lets the recipient choose any version
    # (GPL-2.0 section 9, LGPL-2.1 section 13), so it is the family's "or later" from its first version.
    for words, key in _FAMILY_DEFAULTS:
        names.setdefault(words, key)
    # Current ids first: a deprecated id (BSD-2-Clause-FreeBSD, now BSD-2-Clause-Views) shares their links.
    for spdx, full, links, deprecated in sorted(_spdx_list(), key=lambda e: e[3]):
        listed = catalog.get(spdx) or catalog.get(_base(spdx))
        key = listed.id if listed else spdx
        for v in _name_variants(full):
            add_name(v, key, deprecated)
            if "library" in v:
                # Version 2 of the LGPL is the Library GPL whatever the name it is called by ("GNU Lesser
                # General Public License, version 2"): the Lesser name of a version 2.1 or later is its own.
                add_name(tuple("lesser" if w == "library" else w for w in v), key, True)
        # The id as words ("GPL v2", "CC BY-NC 4.0"): only an id with a version is distinctive.
        if any(c.isdigit() for c in spdx):
            for v in _name_variants(spdx.replace("-", " ")):
                add_name(v, key, deprecated)
        for u in links:
            add_url(u, key, deprecated, spdx)
            # The folder of a license's COPYING file, when it names the license ("sam.zoy.org/wtfpl/").
            folder, _, last = normalize_url(u).rpartition("/")
            if last in ("copying", "license") and folder.count("/") >= 1 and _names_license(folder, spdx):
                add_url(folder, key, True, spdx)
    for u, spdx in _rows("links.yaml", "links", "url"):
        listed = catalog.get(spdx) or catalog.get(_base(spdx))
        add(urls, ambiguous_urls, normalize_url(u), listed.id if listed else spdx, True)
    for full, spdx in _rows("names.yaml", "names", "name"):
        listed = catalog.get(spdx) or catalog.get(_base(spdx))
        key = listed.id if listed else spdx
        for v in _name_variants(full) or {tuple(canonical_words(_split_alnum(full)))}:
            add_name(v, key, True)
    return names, urls, shared


def _data_file(name: str) -> Path:
    from license_audit.resources import rules_dir

    return rules_dir() / "spdx" / name


def _rows(name: str, key: str, field: str) -> list[tuple[str, str]]:
    """(`field`, SPDX id) of each row of rules/spdx/`name`'s list `key`: what the SPDX list does not hold
    (links.yaml: older and moved addresses of license pages; names.yaml: names licenses are called by)."""
    from license_audit.catalog import load_yaml_file
    from license_audit.errors import InputError

    try:
        rows = load_yaml_file(_data_file(name)).get(key) or []
        return [(str(r[field]), str(r["spdx"])) for r in rows]
    except (InputError, KeyError, TypeError):
        return []


# A source file, a manual page ("ls.1", not a version: "afl3.0") or a line in a file.
_SOURCE_FILE = re.compile(r"\.(?:c|h|cc|cpp|py|pl|pm|lisp|sty|js|java|rb|texi|tar|gz|zip)$|(?<![0-9])\.[0-9]$|#[ln]\d")


def _names_license(u: str, spdx: str) -> bool:
    """Whether an SPDX-list link without license words in it is still the license's own page: its last
    part names the license ("latex-project.org/lppl/lppl-1-3c", "rosenlaw.com/osl3.0"), the site is named
    for it ("cdla.dev/permissive-2-0", "unlicense.org"), or it is a site's copyright page. A source file or a
    line in one (where the list found the license used) is not."""
    if _SOURCE_FILE.search(u):
        return False
    last = u.rsplit("/", 1)[-1]
    m = re.match(r"[a-z]+", spdx.lower())
    token = m.group(0) if m and len(m.group(0)) >= 3 else ""
    return last == "copyright" or bool(token and (last.startswith(token) or u.split(".", 1)[0] == token))


def or_later(spdx: str) -> str:
    """The "-or-later" SPDX id of an "-only" one ("GPL-2.0-only" -> "GPL-2.0-or-later"); "" for another id."""
    return spdx[: -len("-only")] + "-or-later" if spdx.endswith("-only") else ""


def later_spdx(key: str, lic: License | None) -> str:
    """The "-or-later" SPDX id that identifier `key` names when the catalog entry `lic` it resolves to is
    that license's "-only" one ("GPL-2.0+" for gpl-2.0 is GPL-2.0-or-later); "" otherwise."""
    if lic is None or not key.lower().endswith(("-or-later", "+")):
        return ""
    later = or_later(lic.spdx)
    return later if later and _base(later) == _base(key) else ""


def _identifier_ref(key: str, line: int, catalog: Catalog) -> Ref:
    """The reference an SPDX id written on `line` makes: the catalog license it or its base names
    ("GPL-2.0+" is gpl-2.0's, with its "-or-later" id), else the id itself."""
    lic = catalog.get(key) or catalog.get(_base(key))
    return Ref(lic.id if lic else key, "identifier", line, spdx=later_spdx(key, lic))


def _base(key: str) -> str:
    k = key.lower()
    for suffix in ("-only", "-or-later", "+"):
        if k.endswith(suffix):
            return k[: -len(suffix)]
    return k


def _index(catalog: Catalog) -> _Index:
    """The reference index of `catalog`, kept with its other derived data (dropped when an entry is added,
    so a --rules DIR added after a first use never finds a stale index)."""
    return catalog.derived("references", lambda: _cached_index(catalog))


def _cached_index(catalog: Catalog) -> _Index:
    """The index from the rule cache, keyed by everything it is derived from; built and stored when absent.
    Building it (name variants of the SPDX list's 700 licenses) costs an audit tens of milliseconds."""
    from license_audit import rulecache
    from license_audit.identify.longtail import _library

    lib = _library()
    name = (
        "references-"
        + rulecache.key(
            _FORMAT,
            rulecache.code_stamp(__file__),
            lib[0] if lib else "",
            rulecache.code_stamp(str(_shipped_list())),
            rulecache.code_stamp(str(_data_file("links.yaml"))),
            rulecache.code_stamp(str(_data_file("names.yaml"))),
            *(
                json.dumps(
                    [lic.id, lic.spdx, lic.name, lic.aliases, lic.shared_names, lic.url, lic.identify.get("urls")],
                    default=str,
                )
                for lic in catalog
            ),
        )
        + ".json"
    )
    raw = rulecache.read(name)
    try:
        names = {tuple(str(w).split()): str(k) for w, k in raw["names"].items()}
        urls = {str(u): str(k) for u, k in raw["urls"].items()}
        shared = {tuple(str(w).split()): tuple(str(k) for k in ks) for w, ks in raw["shared"].items()}
        return _Index(names, urls, shared)
    except (TypeError, KeyError, AttributeError, ValueError):
        pass  # absent, or a file from elsewhere: built again
    names, urls, shared = _build(catalog)
    rulecache.store(
        name,
        json.dumps(
            {
                "names": {" ".join(w): k for w, k in names.items()},
                "urls": urls,
                "shared": {" ".join(w): list(ks) for w, ks in shared.items()},
            },
            separators=(",", ":"),
        ),
        replaces="references-",
    )
    return _Index(names, urls, shared)


def _may_link(low: str) -> bool:
    """Whether a lower-case line holds what every _URL match starts with or holds: a scheme, "www." or a
    site's ".org/" (the pattern itself, tried at every word, costs tens of microseconds a paragraph)."""
    return (
        "http" in low
        or "www." in low
        or ".org/" in low
        or ".com/" in low
        or ".net/" in low
        or ".io/" in low
        or ".dev/" in low
        or ".ai/" in low
    )


def _links(region: str) -> list[tuple[int, str]]:
    """(line index, link) of each link in `region`, in order; a link never spans lines."""
    out: list[tuple[int, str]] = []
    for k, line in enumerate(region.split("\n")):
        if _may_link(line.lower()):
            out.extend((k, m.group(0)) for m in _URL.finditer(line))
    return out


_ONE_ID = re.compile(r"(?!(?:and|or|with)$)[A-Za-z0-9][A-Za-z0-9.+-]*", re.I)
_BARE_URL = re.compile(r"[<(\[]?\s*(?:https?://|www\.)[^\s<>\"'`\[\]]+?[>)\]]?[.,;]?")
_BARE_IDENTIFIER = re.compile(
    r"(?:[#*/;!%<>{}\s-]|dnl\b|rem\b|\.\.)*spdx-license-identifier\s*:\s*[a-z0-9][a-z0-9.+()\s-]*"
    r"(?:\*/|-->|#\}|%\}|\s)*",
    re.I,
)


def bare_reference(line: str, catalog: Catalog) -> list[Ref] | None:
    """The references on a line that is nothing but one link (a badge's label is text: not bare) or one
    `SPDX-License-Identifier:` line, as `find_references` gives them (none for a link no index knows);
    None for any other line."""
    if line[:1] in "<([hHwW" and _BARE_URL.fullmatch(line) and "shields.io" not in line.lower():
        m = _URL.search(line)
        key = _url_key(m.group(0), _index(catalog), catalog.rules_dirs) if m else None
        return [Ref(key, "url", 1)] if key else []
    if "identifier" in line.lower() and _BARE_IDENTIFIER.fullmatch(line):
        out = []
        for key, _ in identifier_refs(line):
            out.append(_identifier_ref(key, 1, catalog))
        return out or None
    return None


def identifier_refs(text: str) -> list[tuple[str, int]]:
    """(SPDX key, line) for each license in each `SPDX-License-Identifier:` expression."""
    if "identifier" not in text.lower():
        return []
    out: list[tuple[str, int]] = []
    for m in _SPDX_LINE.finditer(text):
        expr = re.split(r"\*/|-->|#\}|\"|'", m.group(1))[0].strip().rstrip(".;,")
        if not expr:
            continue
        line = text.count("\n", 0, m.start()) + 1
        for key in _expression_keys(expr):
            out.append((key, line))
    return out


def _expression_keys(expr: str) -> list[str]:
    if _ONE_ID.fullmatch(expr):
        return [expr]  # one id: what license-expression would give, without its parser
    try:
        licensing = _licensing()  # license-expression ships no type information
        parsed = licensing.parse(expr, validate=False)
        if parsed is None:
            return []
        symbols = licensing.license_symbols(parsed, unique=True)
        return [str(sym.key) for sym in symbols if not getattr(sym, "is_exception", False)]
    except Exception:  # a malformed expression is one identifier's problem, never the file's
        return [w for w in re.split(r"[\s()]+", expr) if w and w.upper() not in ("AND", "OR", "WITH")][:1]


@lru_cache(maxsize=1)
def _licensing():
    from license_expression import get_spdx_licensing

    return get_spdx_licensing()


def find_references(
    text: str,
    lines: list[tuple[int, int]],
    catalog: Catalog,
    copies: list[tuple[int, int]] | None = None,
    identifiers: bool = True,
) -> list[Ref]:
    """Identifier lines anywhere outside the `copies` line ranges; names and links on the `lines`
    ranges (1-based, inclusive) of `text`; `identifiers` False: names and links only."""
    out: list[Ref] = []
    copies = copies or []
    if "|" in text and _LICENSE_COLUMN_HINT.search(text):
        text = _license_cells(text)
    for key, line in identifier_refs(text) if identifiers else ():
        if any(a <= line <= b for a, b in copies):
            continue
        out.append(_identifier_ref(key, line, catalog))
    # SPDX ids written as such, on any line no copy holds (a reference may already name a part of
    # the line: "license: MIT" inside "license: MIT-Modern-Variant").
    # Most texts of a few lines or more hold no id at all: told from their tokens at once (a badge's
    # label is read only line by line; lines a copy holds are skipped one by one).
    scan = identifiers and (bool(copies) or text.count("\n") < 3 or "shields.io" in text or _any_id(text))
    spelled: list[tuple[Ref, str]] = []  # each id written as such, with the id
    split = text.split("\n")
    listed: set[int] | None = None  # the lines of lists of other things, found when an id stands on an item
    for k, line_text in enumerate(split if scan else (), 1):
        if line_text.strip() and not (copies and any(a <= k <= b for a, b in copies)):
            keys = _ids_in(line_text)
            if keys and LIST_ITEM.match(line_text):
                listed = _other_lists(split) if listed is None else listed
                if k in listed:
                    keys = _ids_in(line_text, alone=False)
            for key in keys:
                out.append(_identifier_ref(key, k, catalog))
                spelled.append((out[-1], key))
    # A "License:" label with the catalog's own id or Hub key after it ("License: qwen", "license_name:
    # deepseek"): a card's front matter copied into its text, or a README's line of it; so a license
    # badge's message ("img.shields.io/badge/license-qwen-green").
    if identifiers and "icen" in text:
        for m in _LABELLED.finditer(text):
            entry = _catalog_keys(catalog).get(m.group(1).lower())
            line = text.count("\n", 0, m.start()) + 1
            if entry and not any(a <= line <= b for a, b in copies):
                out.append(Ref(entry, "identifier", line))
        if "shields.io" in text:
            for k, line_text in enumerate(split, 1):
                for label, message in badges(line_text):
                    entry = _badge_entry(message, catalog) if BADGE_LICENSE.match(label) else None
                    if entry and not any(a <= k <= b for a, b in copies):
                        out.append(Ref(entry, "identifier", k))
    all_lines = split if "\r" not in text else text_lines(text)
    idx: _Index | None = None
    for first, last in lines:
        region = "\n".join(all_lines[first - 1 : last])
        low = region.lower()
        if "http" in low or "www." in low or ".org/" in low or ".com/" in low:
            idx = idx or _index(catalog)
            for k, url in _links(region):
                linked = _url_key(url, idx, catalog.rules_dirs)
                if linked:
                    out.append(Ref(linked, "url", first + k))
        idx = idx or _index(catalog)
        for key, k, words in _names_in(region, idx):
            editions = idx.shared.get(words, ())
            # The line names the model whose edition it means ("Tencent-Hunyuan-Large is licensed under the
            # TENCENT HUNYUAN COMMUNITY LICENSE AGREEMENT"): that edition alone.
            one = _edition_on_line(editions, all_lines[first + k - 1], catalog) if editions else None
            if one is not None:
                key, editions = one, ()
            out.append(Ref(key, "name", first + k, editions=editions))
            # An id that is a word of another license's name is part of that name ("libpng" in the
            # "zlib/libpng License with Acknowledgement").
            inside = [r for r, spdx in spelled if r.line == first + k and r.key != key and spdx.lower() in words]
            if inside:
                # Two names on the line may hold the same id ("Sendmail-8.23 Sendmail License 8.23"): it goes once.
                out = [r for r in out if not any(r is s for s in inside)]
                spelled = [(r, spdx) for r, spdx in spelled if not any(r is s for s in inside)]
        if idx is not None and "common-licenses" in low:
            out = _without_pointed(region, first, out, idx)
    # One reference per license and line, in line order (a license's first reference is where it is named).
    if len(out) < 2:
        return out
    seen: set[tuple[str, int, tuple[str, ...]]] = set()
    uniq = []
    for r in sorted(out, key=lambda r: r.line):
        if (r.key, r.line, r.editions) not in seen:
            seen.add((r.key, r.line, r.editions))
            uniq.append(r)
    return uniq


# A Markdown table with a license column ("| Model | License |"): each row's cell there is a license's name.
_LICENSE_COLUMN_HINT = re.compile(r"\|\s*[*_`]*(?:[A-Za-z]+\s+)?licen[cs]es?[*_`]*\s*\|", re.I)
_LICENSE_HEAD = re.compile(r"(?:[a-z]+\s+)?licen[cs]es?")
_TABLE_RULE = re.compile(r"\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?\s*")


def _edition_on_line(editions: tuple[str, ...], line: str, catalog: Catalog) -> str | None:
    """The one edition of a shared name whose model `line` names: the model an edition's title gives in
    parentheses ("... (Hunyuan-Large)"), its words in a row on the line; None when none or several are."""
    models = catalog.derived("edition-models", lambda: _edition_models(catalog))
    held = " " + " ".join(word_list(line)) + " "
    named = [e for e in editions if models.get(e) and f" {models[e]} " in held]
    return named[0] if len(named) == 1 else None


def _edition_models(catalog: Catalog) -> dict[str, str]:
    """Each catalog license whose title names its model in parentheses, with that model's words."""
    out = {}
    for lic in catalog:
        m = re.search(r"\(([^()]+)\)\s*$", lic.name)
        if m and lic.shared_names:
            out[lic.id] = " ".join(word_list(m.group(1)))
    return out


def _license_cells(text: str) -> str:
    """`text` with each row of a Markdown table's license column written as a "License:" line of its cells
    there (the same lines, so line numbers stay): the column's header says what the cell is."""
    lines = text.split("\n")
    columns: list[int] = []
    for i, line in enumerate(lines):
        row = line.strip()
        if "|" not in row:
            columns = []
            continue
        cells = [c.strip().strip("*_`").strip() for c in row.strip("|").split("|")]
        if not columns:
            heads = [j for j, c in enumerate(cells) if _LICENSE_HEAD.fullmatch(c.lower())]
            if heads and i + 1 < len(lines) and _TABLE_RULE.fullmatch(lines[i + 1]):
                columns = heads
            continue
        if _TABLE_RULE.fullmatch(line):
            continue
        named = [cells[j] for j in columns if j < len(cells) and cells[j]]
        if named:
            lines[i] = "; ".join("License: " + c for c in named)
    return "\n".join(lines)


_LABELLED = re.compile(
    r"^[ \t>*_|#-]*(?:model[ \t]+|weights?[ \t]+)?licen[cs]e(?:[ _-]?name)?[ \t]*[*_]*[ \t]*[:：=|][ \t*_`\"'\[]*"
    r"([a-z0-9][a-z0-9.+_-]*?)[*_`\"'\]]*[ \t]*(?:[,;(|]|\.?[ \t]*$)",
    re.I | re.M,
)


def _badge_entry(message: str, catalog: Catalog) -> str | None:
    """The catalog entry a license badge's message names by its id or Hub key, spaces for its hyphens
    ("Modified MIT" is `modified-mit`)."""
    keys = _catalog_keys(catalog)
    low = message.lower()
    return keys.get(low) or keys.get(low.replace(" ", "-"))


def _catalog_keys(catalog: Catalog) -> dict[str, str]:
    """The catalog's ids and Hub keys, lower-cased, each with its entry's id (`other` names no entry). An
    entry's own id wins over another's Hub key: GPT-2's modified MIT goes by `mit` on the Hub, `mit` is MIT."""

    def keys() -> dict[str, str]:
        out = {lic.hf_license.lower(): lic.id for lic in catalog if lic.hf_license and lic.hf_license != "other"}
        out.update({lic.id.lower(): lic.id for lic in catalog})
        return out

    return catalog.derived("reference-keys", keys)


# Debian's pointer to a license's text: "the complete text of the GNU General Public License version 2
# can be found in `/usr/share/common-licenses/GPL-2'".
_POINTER = re.compile(
    r"complete\s+text\s+of\s+(?:the\s+)?(.{1,120}?)\s+(?:can|may)\s+be\s+found\s+(?:in|at)\s*"
    r"[`'\"]?/usr/share/common-licenses/([a-z0-9][a-z0-9.+-]*[a-z0-9+])",
    re.I | re.S,
)


def _without_pointed(region: str, first: int, refs: list[Ref], idx: _Index) -> list[Ref]:
    """`refs` less those a Debian pointer sentence makes redundant: the sentence names one license, the
    one its words name with a version, else the one its file name names ("the complete text of the GNU
    General Public License can be found at /usr/share/common-licenses/LGPL-3" is LGPL-3.0's). A pointer
    says where a text is, not what the file is under: where a notice outside the pointers names a version
    of the same license, the pointers to its other versions' texts name nothing (Debian's "either version
    3 of the License, or any later version" notice, followed by where GPL-2 and GPL-3 are)."""
    pointers = [
        (first + region.count("\n", 0, m.start()), first + region.count("\n", 0, m.end()))
        for m in _POINTER.finditer(region)
    ]
    if not pointers:
        return refs
    # Each name or link's pointer: the last line of the sentence it stands in, else 0.
    last = [next((b for a, b in pointers if a <= r.line <= b), 0) if r.form != "identifier" else 0 for r in refs]
    outside = {family(r.key) for r, b in zip(refs, last) if not b}
    refs = [r for r, b in zip(refs, last) if not b] + [
        Ref(r.key, "pointer", r.line, b) for r, b in zip(refs, last) if b and family(r.key) not in outside
    ]
    for m in _POINTER.finditer(region):
        named = [k for k, _, _ in _names_in(m.group(1), idx)]
        path = [k for k, _, _ in _names_in(m.group(2).replace("-", " ") + " license", idx)]
        if not named or not path or named[0] == path[0]:
            continue
        keep, drop = (path[0], named[0]) if named[0] in _DEFAULT_KEYS else (named[0], path[0])
        a = first + region.count("\n", 0, m.start())
        b = first + region.count("\n", 0, m.end())
        refs = [r for r in refs if not (r.key == drop and a <= r.line <= b and r.form != "identifier")]
        if not any(r.key == keep and a <= r.line <= b for r in refs):
            refs.append(Ref(keep, "name", a))
    return refs


_CC_URL = re.compile(
    r"^(?:creativecommons\.org/licenses|(?:i\.)?creativecommons\.org/l|licensebuttons\.net/l)/([a-z-]+)/(\d\.\d)"
    r"(/[a-z]{2,3}(?![a-z]))?"
)


def _cc_key(u: str) -> str | None:
    """The SPDX id a Creative Commons deed, legal code or badge link names ("by-nc-sa/4.0"). The 1.0
    licenses without attribution ("nc/1.0", "nd-nc/2.0") are none of the SPDX list's. A jurisdiction
    port the list does not hold is the unported license of the same terms and version, whose terms it
    carries."""
    m = _CC_URL.match(u)
    if not m:
        return None
    terms = m.group(1).split("-")
    if terms == ["zero"]:
        # CC0's first address ("licenses/zero/1.0"), before it moved to "publicdomain/zero".
        return _spdx_ids().get(f"cc0-{m.group(2)}")
    if "by" not in terms or not set(terms) <= {"by", "nc", "nd", "sa"} or ("nd" in terms and "sa" in terms):
        return None
    parts = ["CC", "BY"] + [t.upper() for t in ("nc", "nd", "sa") if t in terms]
    key = "-".join(parts) + "-" + m.group(2)
    ids = _spdx_ids()
    if m.group(3):
        ported = ids.get(f"{key}-{m.group(3)[1:]}".lower())
        if ported:
            return ported
    return ids.get(key.lower())


# gnu.org names its license pages by SPDX id ("licenses/lgpl-2.1", "licenses/old-licenses/gpl-2.0");
# a page without a version ("licenses/gpl.html", "copyleft/lesser.html") is the family, and the GNU
# licenses let a recipient choose any version when none is named: the family's "or later".
_GNU = re.compile(r"^gnu\.org/(?:licenses|copyleft)/(gpl|lgpl|agpl|fdl|lesser|library)(?:-(\d\.\d))?$")
_GNU_IDS = {"gpl": "GPL", "lgpl": "LGPL", "agpl": "AGPL", "fdl": "GFDL", "lesser": "LGPL"}
_GNU_FAMILY = {
    "gpl": "GPL-1.0-or-later",
    "lgpl": "LGPL-2.0-or-later",
    "lesser": "LGPL-2.1-or-later",
    "fdl": "GFDL-1.1-or-later",
    # The Library GPL had one version ("old-licenses/library.txt"); version 2.1 on is the Lesser GPL.
    "library": "LGPL-2.0-only",
}


_VERSION_PART = re.compile(r"v?[\d.]+")
_FEDORA = "fedoraproject.org/wiki/licensing:"


def _full_name(words: list[str], idx: _Index) -> str | None:
    """The license `words` name whole, with a version."""
    if not words or not any(w.isdigit() for w in words):
        return None
    for n, named in idx.first.get(words[0], ()):
        if n == len(words):
            return named.get(tuple(words))
    return None


def _url_key(url: str, idx: _Index, rules_dirs: tuple[str, ...] = ()) -> str | None:
    """The license a link names; `rules_dirs`: the --rules DIRs whose models name their Hub license files'."""
    u, _, frag = normalize_url(url).partition("#")
    if u in idx.paged:
        # A page that covers many licenses (fedoraproject.org's MIT variants): a section names its
        # own, the page as a whole or an unknown section names none.
        return idx.urls.get(f"{u}#{frag}") if frag else None
    if u.startswith(("creativecommons.org/", "i.creativecommons.org/", "licensebuttons.net/")):
        key = _cc_key(u)
        if key:
            return key
    if u.startswith(_FEDORA):
        # Fedora's license wiki names a page by the license's full name
        # ("Licensing/Apple_Public_Source_License_1.1").
        key = _full_name(canonical_words(u[len(_FEDORA) :].replace("_", " ")), idx)
        if key:
            return key
    gnu = _GNU.match(u)
    if gnu:
        name, version = gnu.groups()
        if version:
            key = spdx_key(f"{_GNU_IDS[name]}-{version}")
            if key:
                return key
        elif name in _GNU_FAMILY:
            return _GNU_FAMILY[name]
    for site in _ID_SITES:
        if u.startswith(site) and u.count("/") == site.count("/"):
            key = _site_id(u[len(site) :])
            if key:
                return key
    hub = _hub_license_file(u, rules_dirs)
    if hub is not None:
        return hub
    # A link a level or two into a known license page (a language, a section) is still that license,
    # but not a link to another version of it.
    for _ in range(3):
        if u in idx.urls:
            return idx.urls[u]
        if u.count("/") < 2:
            return None
        u, last = u.rsplit("/", 1)
        if _VERSION_PART.fullmatch(last):
            return None
    return None


# A license file of a model repository on the Hub ("huggingface.co/google/gemma-2-9b/blob/main/LICENSE",
# "LICENSE-MODEL", "MODEL_LICENSE"), as normalize_url leaves it.
_HUB_FILE = re.compile(
    r"^(?:huggingface\.co|hf\.co)/(?!datasets/|spaces/)([\w.-]+/[\w.-]+)/(?:blob|raw|resolve)/([^/]+)/"
    r"(?:[\w.-]+/)*[\w.-]*licen[cs]e[\w.-]*$"
)


def _hub_license_file(u: str, rules_dirs: tuple[str, ...] = ()) -> str | None:
    """The license a link to a license file of a model the registry (with the models of `rules_dirs`)
    knows names: the one license its terms for that checkpoint (and revision) hold; None when the registry
    does not know the model or its terms hold several (weights and code: which file is which, the link
    does not say)."""
    m = _HUB_FILE.match(u)
    if m is None:
        return None
    from license_audit.registry import load_registry

    model = load_registry(rules_dirs).get(m.group(1))
    if model is None:
        return None
    revision = None if m.group(2) == "main" else m.group(2)
    held = {lic for t in model.terms_for(m.group(1), revision) for lic in t.licenses}
    return held.pop() if len(held) == 1 else None


_LETTER_DIGIT = re.compile(r"(?<=[a-z])-?v?(?=\d)")


def _site_id(last: str) -> str | None:
    """The SPDX id the last part of a link of a site that names its pages by id spells: as written, with
    "_" for "-" ("opensource.org/licenses/cpal_1.0"), and in the older forms without the dash or the
    minor version ("apache2.0", "ecl2", "choosealicense.com/licenses/gpl-v3")."""
    t = last.replace("_", "-")
    key = spdx_key(t)
    if key or not any(c.isdigit() for c in t):
        return key
    t = _LETTER_DIGIT.sub("-", t, 1)
    return spdx_key(t) or (spdx_key(t + ".0") if "." not in t.rsplit("-", 1)[-1] else None)


# The word after a model's name and its size ("405 b", "8 x 7 b"): the model, not a license of that name.
_SIZE_UNITS = frozenset(["b", "m", "x"])
# Table cells, labelled fields and clauses, which no name runs across ("video clips; license: ..." names no Clips
# License): no license's name holds a semicolon or a word's full stop before another word.
_FIELDS = re.compile(
    r"(?<=\S)\s*\|\s*(?=\S)|^\s*\|(?=.*\|)|,\s*(?=[a-z][a-z ]{0,20}:)|(?<=[a-z0-9]);\s*(?=\S)|(?<=[a-z]{3})\.\s+(?=[a-z])"
)
_HASH_HINT = re.compile(r"[0-9][0-9a-f]{15}")  # what every checksum below holds, found a few times faster
_HASH = re.compile(r"\b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{16,}\b")
# Model and data files by their extension; a text file (LICENSE.txt, MIT.md) may be named for its license.
_FILE_EXTENSIONS = r"(?:json|jsonl|yaml|yml|py|bin|safetensors|gguf|pt|pth|ckpt|onnx|h5|msgpack|npz|csv|parquet|ipynb)"
_FILE_NAME_HINT = re.compile(rf"\.{_FILE_EXTENSIONS}\b")
_FILE_NAME = re.compile(rf"(?<![\w.-])[\w.-]*\.{_FILE_EXTENSIONS}\b")


def _without_files(line: str) -> str:
    """`line` without checksums and model or data files' names, whose letters spell no license's name
    ("…99cc0b93…" is no CC0; "config.json" before "LICENSE" in a tree listing is no JSON License)."""
    if _HASH_HINT.search(line):
        line = _HASH.sub(" ", line)
    if "." in line and _FILE_NAME_HINT.search(line):
        line = _FILE_NAME.sub(" ", line)
    return line


def _names_in(region: str, idx: _Index) -> list[tuple[str, int, tuple[str, ...]]]:
    """(key, line index, name words) of each license name in `region`; a name may run over a line break."""
    ws: list[str] = []
    at: list[int] = []
    low = region.lower()
    if "foundation" in low:
        low = _without_as_published(low, lines=True)
    if "either" in low and _EITHER_AT.search(low):
        low = _EITHER.sub(lambda m: " " + "\n" * m.group(0).count("\n"), low)
    if "version" in low and " of" in low:
        # "... License, version 2 of the License": the version of the name just before.
        low = _OF_THE_LICENSE.sub(lambda m: f" {m.group(1)} " + "\n" * m.group(0).count("\n"), low)
        # Across a line break too; the words move to the first line, the line count stays.
        low = _VERSION_OF.sub(
            lambda m: " ".join(m.group(2).split()) + f" {m.group(1)}" + "\n" * m.group(0).count("\n"), low
        )
    # What canonical_words does to each line, done once for the region where it can be.
    low = _family_names(low.replace("++", "pp"))
    compact = _COMPACT_HINT.search(low) is not None
    digits = "gpl" in low or "fdl" in low
    for k, line in enumerate(low.split("\n")):
        if line.strip():
            badge = False
            # A link is read as a link, not as words ("llama3_1/use-policy" names no license).
            if "/" in line and _may_link(line):
                # A badge's label is text the region's look did not see; any other link becomes a space.
                badge = "shields.io" in line
                line = _URL.sub(_badge_label, line)
            line = _without_files(line)
            # No name runs from one table cell or labelled field into the next ("| JSON | License |",
            # "Format: JSON, License: CC-BY-4.0"); one "|" at a line's start is a comment's mark, not a table.
            words = []
            split = line.count("|") > 1 or ":" in line or ";" in line or ". " in line
            for n, cell in enumerate(_FIELDS.split(line) if split else (line,)):
                in_cell = canonical_words(cell) if badge else _canonical(cell, compact, digits)
                if n and not (in_cell and in_cell[0].isdigit()):
                    words.append("|")  # a version in the next cell is the name's ("| Academic Free License | 2.0 |")
                words += in_cell
            ws.extend(words)
            at.extend([k] * len(words))
    out = []
    first = idx.first
    lines = region.split("\n")
    formers: dict[int, tuple[list[int], list[list[str]]]] = {}
    second, single = idx.second, idx.single
    # Only a word that starts some name is looked at; most words of a notice start none.
    i = 0
    for start in [k for k, w in enumerate(ws) if w in first]:
        if start < i:
            continue  # inside a name already found
        i = start
        hit = None
        w = ws[i]
        if i + 1 < len(ws) and ws[i + 1] in second[w]:
            for n, named_here in first[w]:
                name = tuple(ws[i : i + n])
                if name in named_here:
                    hit = (name, named_here[name])
                    break
        elif w in single:
            hit = ((w,), single[w])
        if hit:
            # A name followed by a minor version names another version ("Llama 3" in "Llama 3.1"; not
            # "Version 3, 29 June 2007").
            nxt = ws[i + len(hit[0])] if i + len(hit[0]) < len(ws) else ""
            if hit[1] in _DEFAULT_KEYS and nxt in _NOT_A_LICENSE:
                i += len(hit[0])  # "GPL-compatible", "GPL-style": about the license, not under it
                continue
            if not_under(ws[max(0, i - 9) : i]) or _former(formers, lines, at[i], hit[0], i - bisect_left(at, at[i])):
                i += len(hit[0])  # a name that puts nothing under it
                continue
            if _modified_name(ws, i, hit[0]):
                i += len(hit[0])  # "a modified CreativeML OpenRAIL-M license": not that license as such
                continue
            named = not _NAMING.isdisjoint(hit[0]) or hit[0][0] == "by"
            after = ws[i + len(hit[0]) + 1] if i + len(hit[0]) + 1 < len(ws) else ""
            if not named and nxt.isdigit() and after in _SIZE_UNITS:
                i += len(hit[0])  # a model of that size ("Llama 3.1 405B", "Mixtral 8x7B"), not a license
                continue
            nxt = nxt if len(nxt) == 1 else ""
            # A name without a word like "license" ("Llama-3.1-8B-Instruct") is a model's or a license's:
            # only beside license words, spelled as a license family's abbreviation ("GPL v2") or as
            # Creative Commons terms is it a license.
            if not nxt.isdigit() and (
                named or _CONTEXT.search(lines[at[i]]) or _CONTEXT.search(lines[at[i + len(hit[0]) - 1]])
            ):
                out.append((hit[1], at[i], hit[0]))
                i += len(hit[0])
            # else a shorter name further on may still fit ("lgpl 2 1" inside "gnu lgpl 2 1")
    return out


# "由 X 变更为 Y" ("changed from X to Y"): X is the license a text was under before; not "由于" ("because"), and X
# within one clause.
_FORMER_CJK = re.compile(r"由(?!于)\s*([^，。；,;\n]{1,80}?)\s*(?:变更为|更改为|改为|变为|更新为|调整为|替换为|升级为)")


# Words before "modified" that make it a verb ("distributed and/or modified under the terms of"), not a word
# said of a license's name ("the Modified MIT License", "a modified CreativeML OpenRAIL-M license").
MODIFIED_VERB = frozenset(["and", "or", "be", "been", "being", "is", "are", "was", "were", "not", "get", "gets"])


def _modified_name(ws: list[str], i: int, name: tuple[str, ...]) -> bool:
    """Whether the name `name` at word `i` of `ws` is said to be modified ("a modified GNU LGPL version 3",
    "Modified Apache 2.0 License"); "modified BSD" is BSD's own name for its three-clause form."""
    return "bsd" not in name and said_modified(ws, i, 1)


# Words that end a license's name looking back: what stands before them is not said of the license.
_MODIFIED_STOP = frozenset(["the", "a", "an", "of", "under", "and", "or", "to", "by", "with", "this", "is", "are"])


def said_modified(ws: list[str], i: int, reach: int) -> bool:
    """Whether "modified" stands among the `reach` words before word `i` of `ws`, with nothing that ends a name
    between, said of what follows rather than as a verb ("distributed and/or modified under")."""
    for k in range(i - 1, max(-1, i - 1 - reach), -1):
        if ws[k] == "modified":
            return k == 0 or ws[k - 1] not in MODIFIED_VERB
        if ws[k] in _MODIFIED_STOP:
            return False
    return False


def former_spans(line: str) -> list[tuple[int, int]]:
    """Where `line` names the license it changed from ("由 X 变更为 Y": X), as (start, end) offsets."""
    return [m.span(1) for m in _FORMER_CJK.finditer(line)] if "由" in line else []


def in_spans(spans: list[tuple[int, int]], at: int) -> bool:
    """Whether `at` falls in one of `spans` (in order, apart)."""
    i = bisect_right(spans, (at, float("inf"))) - 1
    return i >= 0 and spans[i][0] <= at < spans[i][1]


def holds(seq: list[str], sub: tuple[str, ...] | list[str]) -> bool:
    """Whether `sub` stands in `seq` as a run."""
    n = len(sub)
    return any(tuple(seq[i : i + n]) == tuple(sub) for i in range(len(seq) - n + 1))


def _former(
    formers: dict[int, tuple[list[int], list[list[str]]]], lines: list[str], k: int, name: tuple[str, ...], pos: int
) -> bool:
    """Whether line `k` says it changed from the license `name` (canonical words), named there as its line's
    word `pos`, to another; `formers` keeps each line's former names (their first words' places, their words)."""
    if "由" not in lines[k]:
        return False
    if k not in formers:
        line = lines[k].lower()
        starts, names = formers[k] = ([], [])
        count = done = 0  # the words before each span, counted piece by piece
        for a, b in former_spans(line):
            count += len(canonical_words(line[done:a]))
            starts.append(count)
            names.append(canonical_words(line[a:b]))
            count, done = count + len(names[-1]), b
    starts, names = formers[k]
    i = bisect_right(starts, pos) - 1
    return i >= 0 and pos < starts[i] + len(names[i]) and holds(names[i], name)


# Words before a name that say nothing is under it: the license a license is based on ("The License is
# based on the Mozilla Public License Version 1.1", "a derived Apache 2.0 license"), a section's title
# ("with the Invariant Sections being ``GNU General Public License''"), an example ("e.g. GPL 3.0").
_ASIDE = (
    ("based", "on"),
    ("derived", "from"),
    ("derived",),
    ("sections", "being"),
    ("texts", "being"),
    ("e", "g"),
)
# A comparison ("compatible with the GPL v3", "functionally equivalent to the MIT license", "unlike the
# GPL-licensed original"): the name just after is aside, not a list it opens ("French equivalent to LGPL) and the
# MIT license" names MIT).
_COMPARED = (
    ("compatible", "with"),
    ("compatible", "with", "both"),
    ("equivalent", "to"),
    ("similar", "to"),
    ("unlike",),
    ("instead", "of"),
)
# The license a text was under before ("changed from CC BY-NC 4.0 to Apache 2.0", "upgraded the project license
# from X to Y"): a word of change a few words before "from".
_CHANGE = frozenset(
    [
        "change",
        "changed",
        "changes",
        "changing",
        "switch",
        "switched",
        "switching",
        "move",
        "moved",
        "migrate",
        "migrated",
        "upgrade",
        "upgraded",
        "upgrading",
        "relicense",
        "relicensed",
        "relicensing",
        "convert",
        "converted",
        "transition",
        "transitioned",
    ]
)
_NOT_BE = frozenset(["cannot", "not"])
_PUT_UNDER = frozenset(["licensed", "licenced", "relicensed", "released", "distributed"])


def not_under(before: list[str]) -> bool:
    """Whether the words `before` a license name say that nothing is under it: one of _ASIDE, or a
    negation ("GPL'd code cannot be licensed under the MIT licence"); so for a name listed after such
    a one ("e.g. GPL 3.0 or Apache License 2.0")."""
    if before and before[-1] in ("or", "and"):
        # A name of a few words before "or": what comes before it.
        return any(_aside(before[:cut], False) for cut in range(len(before) - 2, max(len(before) - 7, 0), -1))
    return _aside(before)


_ASIDE_LAST = frozenset(a[-1] for a in _ASIDE + _COMPARED) | {"under"}


def _aside(before: list[str], compared: bool = True) -> bool:
    if not before or before[-1] not in _ASIDE_LAST:
        return False
    if any(tuple(before[-len(a) :]) == a for a in _ASIDE):
        return True
    if compared and before[-1] == "from" and not _CHANGE.isdisjoint(before[-6:-1]):
        return True  # the license a text changes from ("upgraded the project license from X to Y")
    if compared:
        for a in _COMPARED:
            if tuple(before[-len(a) :]) == a:
                # Terms put under the comparison are the license's ("made available under terms equivalent
                # to CC BY-NC 4.0", "License: similar to MIT").
                lead = [w for w in before[: len(before) - len(a)] if w not in ("a", "an")]
                governed = lead[-2:] in (["under", "terms"], ["under", "license"], ["under", "licence"])
                return not (governed or lead in (["license"], ["licence"]))
    return (
        len(before) >= 4
        and before[-1] == "under"
        and before[-2] in _PUT_UNDER
        and before[-3] == "be"
        and (before[-4] in _NOT_BE)
    )


_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9.+-]*")
_DIGIT = re.compile(r"\d")
# The word "license" in the Latin-script languages cards are written in: English and French "licen[cs]e", Spanish
# "licencia", Swedish and Danish "licens", German "Lizenz", Italian "licenza", Dutch "licentie", Portuguese
# "licença", Norwegian "lisens".
_LICENSE_WORD_ABROAD = r"lizenz|licenz|licenti|licença|lisens"
_LICENSE_WORD = rf"licen[cs]|{_LICENSE_WORD_ABROAD}"
# License words, in other languages too ("MIT许可条款", "Apache 2.0 开源协议", "ライセンス: MIT"); not "in terms of".
_CONTEXT = re.compile(
    rf"{_LICENSE_WORD}|spdx|copyright|(?<!\bin )terms|agreement"
    r"|许可|許可|协议|協議|条款|條款|授权|授權|ライセンス|라이선스|лиценз",
    re.I,
)


@lru_cache(maxsize=1)
def _spdx_ids() -> dict[str, str]:
    """Every SPDX license id, lower-cased, from the cached SPDX list (no import of license-expression,
    whose index costs an audit tens of milliseconds); a deprecated id ("GPL-2.0") names its current
    one ("GPL-2.0-only")."""
    listed = [spdx for spdx, _, _, _ in _spdx_list()]
    known = {k.lower() for k in listed}
    out: dict[str, str] = {}
    for key in listed:
        current = key + "-only" if (key + "-only").lower() in known else key
        out[key.lower()] = current
    return out


def _any_id(text: str) -> bool:
    """Whether any token of `text` spells an SPDX id (what `_ids_in` looks up on each line)."""
    tokens = _TOKEN.findall(text)
    low = map(str.lower, tokens if "." not in text else map(str.rstrip, tokens, repeat(".")))
    return any(map(_spellings().get, low))


def _ids_in(line: str, alone: bool = True) -> list[str]:
    """SPDX ids written as such: "Apache-2.0", "license: MIT", "{{CC-BY-4.0}}", "GPL-2.0+". An id
    without a version ("MIT", "Zlib") counts only beside license words, alone on its line (`alone` False: the
    line is an item of a list of other things, where that names nothing), or right after the "under" of a
    phrase that puts a work under terms ("The code is released under MIT")."""
    # Most lines hold no id: one with a version is "X-1.0", one without needs license words or to be alone.
    if not (len(line) < 40 or ("-" in line and _DIGIT.search(line)) or _CONTEXT.search(line) or _put_under(line)):
        return []
    written = line
    if "/" in line and _may_link(line.lower()):
        line = _URL.sub(_badge_label, line)  # a word of a link's path is no id ("…/doc/license.html")
    tokens = _TOKEN.findall(line)
    if not tokens:
        return []
    if "-" in line and _LICENSED_HINT.search(line):
        # "MIT-licensed", "Apache-2.0-licensed", "MIT-Lizenz": the id before the word.
        tokens = [_LICENSED.sub("", t) for t in tokens]
    spelled = _spellings()
    low = map(str.lower, tokens if "." not in line else map(str.rstrip, tokens, repeat(".")))
    keys = list(map(spelled.get, low))
    if not any(keys):
        return []
    context = None
    under_only = False  # the line's only license words put a work under terms: ids right after "under" count
    at: _Positions | None = None
    looked: dict[str, int] = {}
    formers: list[tuple[int, int]] | None = None
    out: list[str] = []
    for k, key in enumerate(keys):
        if not key:
            continue
        tok = tokens[k].rstrip(".")
        versioned = _DIGIT.search(tok) is not None
        if not versioned and _DIGIT.search(key):
            continue  # "GPL" alone names no version
        if not (versioned and "-" in tok):
            if context is None:
                context = bool(_CONTEXT.search(line)) or (alone and _alone(written, tokens))
                if not context and _put_under(line):
                    context = under_only = True
            if not context or (under_only and not _after_under(tokens, keys, k)):
                continue
            # An id that is also a word, followed by another word, is the word ("Fair Use Rights").
            nxt = tokens[k + 1] if k + 1 < len(tokens) else ""
            if nxt.isalpha() and nxt.lower() not in _AFTER_ID and tok.isalpha() and tok.lower() in _WORD_IDS:
                continue
            name = tok.lower()
            # An id written as a word, not as an acronym ("clips", "Loop", "Blessing", "WordNet"), is that word
            # unless it stands where a license's name does ("License: Blessing", "the WordNet license").
            worded = name.isalpha() and not tok.isupper() and "licen" not in name and name not in _NAME_IDS
            if name in _NAME_IDS or name in _POSITION_IDS or worded:
                # A line names a license once (its references are one per license and line): an id already
                # named, or looked at a few times, is not looked at again.
                if key in out or looked.get(key, 0) >= _LOOKS:
                    continue
                looked[key] = looked.get(key, 0) + 1
                at = at or _Positions(line)
                if not _name_licensed(line, written, tokens, keys, k, name in _POSITION_IDS or worded, at, alone):
                    continue
        if k and tokens[k - 1].lower() == "modified":
            continue  # not the license as such ("Modified MIT"): a catalog entry for the modified one names it
        if "由" in line:
            at = at or _Positions(line)
            formers = former_spans(line) if formers is None else formers
            if k < len(at.starts) and in_spans(formers, at.starts[k]):
                continue  # the license the text changed from ("许可证由 Apache-2.0 变更为 MIT")
        if k and not_under([w for w in _WORD.findall(" ".join(tokens[max(0, k - 8) : k]).lower()) if w not in _DROP]):
            continue
        out.append(key)
    return out


_LOOKS = 8
# An id joined to the word "licensed" or, in a language that writes compounds, to "license" ("MIT-Lizenz",
# "MIT-Lizenzbedingungen", Swedish "MIT-licensen"); not "MIT-License", a name the names index reads.
_JOINED = r"-(?:licen[cs]ed|lizen[sz]\w*|licens(?:en)?|licenties?|lisens(?:en)?)"
_LICENSED = re.compile(_JOINED + r"\.?$", re.I)
_LICENSED_HINT = re.compile(_JOINED, re.I)  # where _LICENSED can match, looked for once on the line


def _other_lists(lines: list[str]) -> set[int]:
    """The lines (1-based) that are items of a list of other things than licenses: a card's languages ("- sl",
    "- gd", "- mit"), tags ("- opt"), programming languages ("- Ruby"). A list is of licenses when the line that
    leads into it speaks of licenses ("## License", "licenses:") or most of its items are SPDX ids."""
    out: set[int] = set()
    spelled = _spellings()
    k = 0
    while k < len(lines):
        if not LIST_ITEM.match(lines[k]):
            k += 1
            continue
        first = k
        items: list[int] = []
        while k < len(lines) and (not lines[k].strip() or LIST_ITEM.match(lines[k])):
            if lines[k].strip():
                items.append(k)
            k += 1
        lead = next((lines[j] for j in range(first - 1, -1, -1) if lines[j].strip()), "")
        if _CONTEXT.search(lead):
            continue
        named = sum(1 for j in items if _item_text(lines[j]).lower() in spelled)
        if named * 2 <= len(items) and len(items) > 1:
            out.update(j + 1 for j in items)
    return out


def _item_text(line: str) -> str:
    m = LIST_ITEM.match(line)
    return m.group(1).strip().strip("*_`'\"") if m else ""


def _alone(line: str, tokens: list[str]) -> bool:
    """Whether `line` (as written, its links too) holds its one token and nothing else but markup or a link to
    a license's text: not a code fence's language ("```json"), a heading ("### cURL"; one "#" may be a comment's),
    an entry of a file tree ("├── json"), a command before its link ("curl http://localhost:3000/v1") or a word
    beside text _TOKEN does not read ("使用Curl进行测试")."""
    if len(tokens) != 1:
        return False
    rest = line.replace(tokens[0], " ", 1)
    if "](" in rest:
        rest = _LINK_TARGET.sub(" ", rest)  # the id is a link's text ("[MS-RL](https://…/license/)")
    if "/" in rest and not tokens[0].islower():
        rest = _LICENSE_LINK.sub(" ", rest)  # beside a link to its license's text ("MIT https://…/LICENSE")
    # Nor a name in code ("json={", "curl = ...").
    return not any(ch.isalpha() for ch in rest) and "=" not in rest and not _NOT_ALONE.match(line)


_LINK_TARGET = re.compile(r"\]\([^)]*\)")
_LICENSE_LINK = re.compile(r"(?:https?://|www\.)\S*licen\S*", re.I)
_NOT_ALONE = re.compile(r"\s*(?:`{3,}|~{3,}|#{2,}|[│├└]|[|`]--)")


# SPDX ids that are also English words, and what may follow such an id when it names the license.
_WORD_IDS = frozenset(["fair", "glide", "naumen", "zed", "crossword", "latex2e", "noweb", "wsuipa", "xnet", "mup"])
_AFTER_ID = frozenset(["license", "licence", "licensed", "or", "and", "with"])
# Putting a work under terms: an id without a version after it names a license as license words do ("The code
# is released under MIT"); "runs under Ruby" puts nothing under it.
_PUT_UNDER_VERBS = r"released|distributed|published|available|provided|shared|offered|open[- ]?sourced"
_PUT_UNDER_ID = re.compile(rf"\b(?:{_PUT_UNDER_VERBS}|is|are)\s+under\b", re.I)
_PUT_UNDER_VERB = re.compile(rf"\b(?:{_PUT_UNDER_VERBS})\s+under\b", re.I)


def _put_under(line: str) -> re.Match | None:
    return _PUT_UNDER_ID.search(line) if "nder" in line or "NDER" in line else None


# SPDX ids that are also the names of institutions, companies, software or formats ("researchers at MIT", "developed
# by Intel", "outputs JSON", "uses OpenSSL for TLS", "GPL for X11"). Such a name is a license only when license words
# stand in its own clause and it is not used as the name: after "at", "by", "from", a copyright sign or year, before
# another capitalised word or "'s", or after "for" or "on". The names far more often the thing than the license (a
# company, a consortium, a format) are licenses only where a license's name stands (_name_licensed, strict).
_NAME_IDS = frozenset(
    [
        "mit",
        "ruby",
        "zlib",
        "curl",
        "x11",
        "vim",
        "tcl",
        "ntp",
        "openssl",
        "postgresql",
        "libpng",
        "libtiff",
        "sendmail",
        "imagemagick",
        "leptonica",
        "qhull",
        "doc",
    ]
)
# Also abbreviations machine-learning text uses for other things: PPL (perplexity), IPA (the phonetic alphabet), AML,
# ADSL, OML, NRL (the Naval Research Laboratory), MIPS (maximum inner product search).
_POSITION_IDS = frozenset(
    ["json", "icu", "intel", "w3c", "nokia", "xerox", "ncsa", "snia", "barr", "cube"]
    + ["ppl", "ipa", "aml", "adsl", "oml", "nrl", "mips"]
)
_CLAUSE_END = re.compile(r"[.;!?](?=\s|$)")
# An institution's or company's name after "at", "from", "by" (in the languages cards are written in: "Sviluppato al
# MIT", "door Intel", "von Intel") or a copyright's year.
_NAME_BEFORE = re.compile(
    r"(?:\b(?:at|from|by|copyright|al|dal|da|presso|aan(?:\s+het)?|door|bij|am|vom|von|bei|por|del|en\s+el|au|du|par|pelo|pela"
    r"|\(c\))|©|\b\d{4}[,.]?)\s*(?:the\s+)?$",
    re.I,
)
# A longer name it starts ("MIT CSAIL", "MIT Kerberos", "Intel Corporation"), or its possessive ("Intel's patents").
_LONGER_NAME = re.compile(
    rf"^\s+(?!(?i:licen[cs]e[ds]?|(?:{_LICENSE_WORD_ABROAD})\w*|or|and|with|for|terms|copyright|code|weights?|models?|style|like|open|source|expat|"
    r"x11|variant|modern|no|itself|software|notice)\b)[A-Z][A-Za-z]*\b(?!-)"
)
_POSSESSIVE = re.compile(r"^['’]s\b")
_FOR_PRODUCT = re.compile(r"(?<!licen[cs]e )(?<!terms )\b(?:for|on)\s+(?:the\s+)?$", re.I)
# Where a license's name stands: after "under", a license word or a label ("License: MIT", "LICENSE {{Zlib}}",
# "licensed under the standard MIT terms", "the same license as Vim"), before a license word ("MIT License", "Intel
# Open Source License", "the Tcl copyright and license notice"), or beside another license in a list or an expression
# ("MIT AND BSD-3-Clause", "GPLv2+/MIT").
_LICENSE_BEFORE = re.compile(
    r"(?:\bunder[^\w.;]+(?:(?:the|an?|both|either|standard|same)[^\w.;]+){0,2}"
    rf"|\b(?:{_LICENSE_WORD})\w*\W+(?:(?:the|is|an?|with|de[lr]?|di|della|do|da|du|des|[a-z]+ly)\W+)?"
    r"|\bterms\W+of\W+(?:the\W+)?|\blicen[cs]\w*[^:\n]{0,60}:\W*"
    r"|\bsame\b[^.;\n]{0,40}\bas\W+(?:the\W+rest\W+of\W+)?(?:the\W+)?)$",
    re.I,
)
_SEPARATOR = r"[\s\"'’*_/{}\[\]-]"
# Words that start another phrase rather than qualify a license's name ("MIT open source license" is a name, "Intel
# with license Apache-2.0" and Italian "Intel con licenza" are not): function words of the languages cards are
# written in.
_FUNCTION_WORDS = (
    r"and|or|is|are|was|were|be|the|an?|under|with|for|of|to|in|on|by|as|has|have"
    r"|con|sotto|da|di|del|della|per|il|la|una?|e"  # Italian
    r"|onder|met|van|voor|de|het|een|en"  # Dutch
    r"|unter|mit|von|der|die|das|den|dem|eine[rm]?|ein|und|ist|zur|zum"  # German
    r"|bajo|por|el|y|es|para|sob|com|pela|pelo|do|o|um|sous|avec|par|du|le|une?|et|est|pour"  # Spanish, Portuguese, French
)
# A license word that names a body, not terms: "the MIT Technology Licensing Office", "Intel's licensing department".
_OFFICE = r"(?:office|department|dept|division|group|team|unit|program(?:me)?|center|centre|officer|manager|staff)\b"
_LICENSE_AFTER = re.compile(
    rf"^{_SEPARATOR}*(?:(?!(?:{_FUNCTION_WORDS})\b)"
    rf"[a-z]+{_SEPARATOR}+){{0,3}}(?:copyright\W+(?:and|&)\W+)?(?P<word>{_LICENSE_WORD}|terms\b)(?!\w*\W+{_OFFICE})",
    re.I,
)
_LIZENZ = re.compile(rf"^(?:-|{_SEPARATOR}*lizenz\b)", re.I)  # "MIT-Lizenzbedingungen", "MIT Lizenz"


def _german_with(token: str, word: re.Match, after: str) -> bool:
    """Whether `token`, before the license word `word` found in `after`, is the German "mit" ("with"): before "Lizenz"
    ("mit Lizenz", "Mit dieser Lizenz", "MIT DEN LIZENZBEDINGUNGEN"), unless it is MIT as the license's name is written
    right before the word or joined to it ("MIT Lizenz", "MIT-Lizenzbedingungen")."""
    if token.lower() != "mit" or word.group("word").lower() != "lizenz":
        return False
    return token != "MIT" or not _LIZENZ.match(after)


_FOLDER_AFTER = re.compile(r"^(?:[\"'”’]?\s+(?:directory|folder|dir)\b|/(?:\s|$))", re.I)
_EXPRESSION = re.compile(r"(?:^\s+(?:OR|AND|WITH)\s+[A-Za-z(]|\b(?:OR|AND)\s+$)")
_SEP_BEFORE = re.compile(r"[/,&+]\s*$")
_WORD_BEFORE = re.compile(r"\b(?:or|and|with)\s+$", re.I)
_SEP_AFTER = re.compile(r"^\s*[/,&]")
_WORD_AFTER = re.compile(r"^\s+(?:or|and|with)\b", re.I)
# What may follow a license named after "under": the end of its clause, a license word or another license.
_CLOSES = re.compile(
    r"^(?:['’]s\s+(?i:or|and)\s+[A-Z]{2}|(?:['’]s)?(?:\s*(?:$|[.;,:!?)\]}])|\W*(?i:licen[cs]|terms\b)))"
)  # "License: Ruby's or LGPL"


class _Positions:
    """Where each _TOKEN token of a line starts and where its clauses end, found once for the line."""

    __slots__ = ("ends", "line", "starts")

    def __init__(self, line: str):
        self.line = line
        self.starts = [m.start() for m in _TOKEN.finditer(line)]
        self.ends = [c.end() for c in _CLAUSE_END.finditer(line)]

    def clause(self, start: int, end: int) -> str:
        """The clause around [start, end), at most 300 characters either side (a long line of one clause is
        not read again for each of its ids)."""
        i = bisect_right(self.ends, start)
        first = max(self.ends[i - 1] if i else 0, start - 300)
        return self.line[first : min(self.ends[i] if i < len(self.ends) else len(self.line), end + 300)]


def _license_token(tokens: list[str], keys: list[str | None], j: int) -> bool:
    """Whether token `j` is a license's id or versioned name ("GPLv2+"), not one that is also a thing's name."""
    if not 0 <= j < len(tokens):
        return False
    t = tokens[j].lower().rstrip(".,")
    if t in _NAME_IDS or t in _POSITION_IDS:
        return False
    return bool(keys[j]) or (_DIGIT.search(t) is not None and t[0].isalpha())


def _after_under(tokens: list[str], keys: list[str | None], k: int) -> bool:
    """Whether token `k` comes right after "under" ("released under MIT", "under the MIT"), or after other licenses
    so named, with "or"/"and" or without ("released under GPL-2.0 or MIT", "released under GPL3+/GPLv2+/MIT")."""
    while k > 0:
        prev = tokens[k - 1].lower()
        if prev == "under" or (prev in ("the", "a", "an") and k > 1 and tokens[k - 2].lower() == "under"):
            return True
        if prev in ("or", "and") and _license_token(tokens, keys, k - 2):
            k -= 2
        elif _license_token(tokens, keys, k - 1):
            k -= 1
        else:
            return False
    return False


def _name_licensed(
    line: str,
    written: str,
    tokens: list[str],
    keys: list[str | None],
    k: int,
    strict: bool,
    at: _Positions,
    alone: bool = True,
) -> bool:
    """Whether token `k` of `line` (as _TOKEN finds them; `written`: the line with its links; `keys`: each token's
    SPDX id), an id that is also a thing's name, names the license; `strict`: only where a license's name stands;
    `alone` False: standing alone on the line says nothing (an item of a list of other things)."""
    if alone and _alone(written, tokens):
        return True
    if k >= len(at.starts):
        return False
    start = at.starts[k]
    end = start + len(tokens[k].rstrip("."))
    # What the patterns below read of the line: the words just before and after (a `$`-anchored search tries
    # every position of what it is given).
    before, after = line[max(0, start - 120) : start], line[end : end + 120].lstrip("®™")
    if before.endswith("_") or after.startswith("_"):
        return False  # a part of a code's identifier ("GPLv2+_DOC_FULL")
    if (
        before.endswith("/")
        and after.startswith("/")
        and not (keys[k - 1] if k else None)
        and not (keys[k + 1] if k + 1 < len(keys) else None)
    ):
        return False  # a folder of a path ("/usr/doc/copyright"), not a list of licenses ("GPLv2+/MIT/X11")
    if _FOLDER_AFTER.match(after):
        return False  # a folder's name ('the "doc" directory', "doc/")
    word = _LICENSE_AFTER.match(after)
    if word:
        return not _german_with(tokens[k], word, after)
    # Beside another license in a list or an expression; a thing's name beside another does not count.
    if (_SEP_BEFORE.search(before) and _license_token(tokens, keys, k - 1)) or (
        _WORD_BEFORE.search(before) and _license_token(tokens, keys, k - 2)
    ):
        return True
    if (_SEP_AFTER.match(after) and _license_token(tokens, keys, k + 1)) or (
        _WORD_AFTER.match(after) and _license_token(tokens, keys, k + 2)
    ):
        return True
    if _EXPRESSION.search(before) or _EXPRESSION.match(after):
        return True  # an SPDX expression's operator ("(NCSA OR MIT)")
    # License words in its own clause; a clause whose only such words are "is under" ("The server is under
    # curl control") names a license only where one stands and the clause or a list of licenses goes on.
    clause = at.clause(start, end)
    named = bool(_CONTEXT.search(clause) or _PUT_UNDER_VERB.search(clause))
    if not named and not _put_under(clause):
        return False
    if (
        _LICENSE_BEFORE.search(before)
        and not _LONGER_NAME.match(after)
        and (_CLOSES.match(after) or (_WORD_AFTER.match(after) and _license_token(tokens, keys, k + 2)))
    ):
        return True
    if strict or not named or (tokens[k] in ("mit", "Mit")):
        return False  # also "mit"/"Mit" away from a license's place: German "with", not MIT as written
    return not (
        _NAME_BEFORE.search(before)
        or _LONGER_NAME.match(after)
        or _POSSESSIVE.match(after)
        or _FOR_PRODUCT.search(before)
    )


_BADGE = re.compile(r"shields\.io/badge/([^/?#\s]+)", re.I)


def _badge_label(m: re.Match) -> str:
    """A link is read as a link, except a badge's label ("img.shields.io/badge/License-Apache_2.0-blue"),
    which is text meant to be read."""
    b = _BADGE.search(m.group(0))
    if not b:
        return " "
    from urllib.parse import unquote

    label = unquote(b.group(1)).replace("--", "\0").replace("__", "\1")
    label = label.replace("_", " ").replace("-", " ").replace("\0", "-").replace("\1", "_")
    return " " + re.sub(r"\.svg$", "", label) + " "


# A badge's label that speaks for the model (not "Code License", "Data License").
BADGE_LICENSE = re.compile(r"^\W*(?:model\s+|weights?\s+)?licen[cs]e\s*$", re.I)  # "⚖️ License" too
_BADGE_PATH = re.compile(r"shields\.io/badge/([^/?#\s)\]\"'<>]+)", re.I)


def badges(line: str) -> list[tuple[str, str]]:
    """(label, message) of each shields.io static badge on `line` ("img.shields.io/badge/License-Apache_2.0-blue"
    is ("License", "Apache 2.0")): `-` separates the parts, `--` is a dash, `__` an underscore, `_` a space."""
    if "shields.io" not in line.lower():
        return []
    from urllib.parse import unquote

    out = []
    for m in _BADGE_PATH.finditer(line):
        raw = re.sub(r"\.(?:svg|png)$", "", unquote(m.group(1)), flags=re.I)
        parts = [
            p.replace("_", " ").replace("\0", "-").replace("\1", "_").strip()
            for p in raw.replace("--", "\0").replace("__", "\1").split("-")
        ]
        if len(parts) >= 3:  # label-message-color
            out.append((parts[0], "-".join(parts[1:-1])))
        elif len(parts) == 2:  # message-color
            out.append(("", parts[0]))
    return out


def spdx_key(token: str) -> str | None:
    """The SPDX id a token spells, case aside, deprecated ids ("GPL-2.0", "GPL-2.0+") included."""
    ids = _spdx_ids()
    t = token.lower()
    if t in ids:
        return ids[t]
    if t.endswith("+"):
        return ids.get(t[:-1] + "-or-later") or ids.get(t[:-1] + "-only") or ids.get(t[:-1])
    return ids.get(t + "-only")


@lru_cache(maxsize=1)
def _spellings() -> dict[str, str]:
    """Every lower-case token `spdx_key` names an id for, with that id: one lookup a token."""
    ids = _spdx_ids()
    out: dict[str, str] = {}
    for t in ids:
        for base in (t, t.removesuffix("-only"), t.removesuffix("-or-later")):
            for spelled in (base, base + "+"):
                key = spdx_key(spelled)
                if key:
                    out[spelled] = key
    return out


def family(key: str) -> str:
    """The license a catalog id or SPDX id is a version of ("gpl" for "gpl-3.0" and "GPL-2.0-only")."""
    return key.split("-", 1)[0].lower()


def family_default(spdx: str) -> str | None:
    """The GNU family ("gpl", "lgpl", "agpl", "gfdl") whose versionless name `spdx` stands for, else None."""
    return family(spdx) if spdx in _DEFAULT_KEYS else None
