"""What a license text is, in a form history can compare: its licenses and its copyright lines.

Two versions of a license file are "the same text" for the history rules when they hold the same
licenses and name the same copyright holders; whitespace, re-wrapping or a changed year do not
change that, a license swapped for another or a copyright line dropped does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from license_audit.catalog import Catalog

# A copyright statement starts its line: "Copyright (c) 2023 DeepSeek", "© 2024 Acme", "(C) Acme".
# The license's own sentences about copyright ("copyright notice", "Copyright Holder") are not
# statements: the word after the mark must be a year or a capitalised name, not a lowercase word.
_STATEMENT = re.compile(r"^\s*(?P<mark>copyright\b\s*(?:\(c\)|©)?|©|\(c\))\s*(?P<rest>.*)$", re.IGNORECASE)
_NOT_A_HOLDER = re.compile(
    r"^(?:notice|notices|holder|holders|owner|owners|and|law|license|licence|statement|statements|"
    r"protection|laws|\[|<|\{|the copyright)\b",
    re.IGNORECASE,
)
_YEARS = re.compile(r"\b(?:19|20)\d\d\b(?:\s*[-–,]\s*(?:(?:19|20)\d\d|present))*", re.IGNORECASE)
_MARKS = re.compile(r"\(c\)|©|\bcopyright\b", re.IGNORECASE)
_RESERVED = re.compile(r"all rights reserved\.?", re.IGNORECASE)
MAX_LINE = 200  # a "copyright line" longer than this is a sentence of the license, not a statement
MAX_LINES = 50


def copyright_lines(text: str) -> list[str]:
    """The copyright statements of a text, as written (trimmed), in order and without repeats."""
    out: list[str] = []
    for raw in text.splitlines():
        line = raw.strip().strip("#*>- \t")
        if not line or len(line) > MAX_LINE:
            continue
        m = _STATEMENT.match(line)
        if not m:
            continue
        rest = m.group("rest").strip()
        if not rest or _NOT_A_HOLDER.match(rest) or not (rest[0].isdigit() or rest[0].isupper() or rest[0] in "(©"):
            continue
        if m.group("mark").lower() == "(c)" and not rest[0].isdigit():
            continue  # "(c) You must retain ...": a list item, not a statement
        if not holder_of(line):
            continue
        if line not in out:
            out.append(line)
        if len(out) >= MAX_LINES:
            break
    return out


def holder_of(line: str) -> str:
    """Who a copyright line names, normalised: marks, years and "All rights reserved" left out, so a
    year bump keeps the holder and a changed name does not."""
    s = _RESERVED.sub(" ", line)
    s = _MARKS.sub(" ", s)
    s = _YEARS.sub(" ", s)
    s = re.sub(r"[^\w&]+", " ", s)
    return " ".join(s.lower().split())


@dataclass(frozen=True)
class TextIdentity:
    """The licenses (full texts and references) and copyright holders of one version of a file."""

    licenses: tuple[str, ...]  # full texts: SPDX ids, or the license's name when it has none; sorted
    references: tuple[str, ...]  # licenses the text only refers to, the same way
    ids: tuple[str, ...]  # catalog ids of the full texts (for has_license_text), sorted
    copyrights: tuple[str, ...]  # the lines as written, in order

    @property
    def holders(self) -> frozenset[str]:
        return frozenset(h for line in self.copyrights if (h := holder_of(line)))

    @property
    def key(self) -> tuple:
        """What must be equal for two versions to be the same text."""
        return (self.licenses, self.references, self.holders)

    def label(self) -> str:
        """`MIT (Copyright (c) 2023 DeepSeek)`; `a reference to Apache-2.0`; `no known license`."""
        if self.licenses:
            what = " + ".join(self.licenses)
        elif self.references:
            what = "a reference to " + " + ".join(self.references)
        else:
            what = "no known license"
        if self.copyrights:
            shown = "; ".join(self.copyrights[:3]) + ("; ..." if len(self.copyrights) > 3 else "")
            return f"{what} ({shown})"
        return what


def identity_of(text: str, catalog: Catalog) -> TextIdentity:
    """Identify a text for history: catalog licenses only (the SPDX long tail is not needed to tell two
    versions apart, and costs more than the rest)."""
    from license_audit.identify.matchers import OTHER_ID, identify_text

    found = [m for m in identify_text(text, catalog, long_tail=False) if m.id not in ("unknown", OTHER_ID)]

    def shown(m) -> str:  # SPDX ids read well (MIT, Apache-2.0); LicenseRef-deepseek does not
        return m.spdx if not m.spdx.startswith("LicenseRef-") else (m.name or m.id)

    texts = sorted({shown(m) for m in found if m.kind == "text"})
    refs = sorted({shown(m) for m in found if m.kind != "text"} - set(texts))
    ids = sorted({m.id for m in found if m.kind == "text"})
    return TextIdentity(tuple(texts), tuple(refs), tuple(ids), tuple(copyright_lines(text)))
