"""License identification: which license(s) a text is, with confidence, line span and kind.

One engine for `license-audit identify`, for the license files an audit crawls and for the license
statements in a model card's prose.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import PurePosixPath

from license_audit.card import front_matter_texts
from license_audit.catalog import Catalog
from license_audit.identify.matchers import OTHER_ID, editions_named, identify_text
from license_audit.identify.normalize import text_lines
from license_audit.report import LicenseMatch

__all__ = ["OTHER_ID", "Catalog", "identify_card", "identify_file", "identify_text", "is_prose"]

# Documents that talk about licenses rather than hold one: their unclaimed text is prose, not terms.
_PROSE_STEMS = ("readme", "model_card", "modelcard", "model-card")


def is_prose(path: str) -> bool:
    name = PurePosixPath(path.replace("\\", "/")).name.lower()
    return name.startswith(_PROSE_STEMS)


def identify_file(path: str, text: str, catalog: Catalog) -> list[LicenseMatch]:
    """Licenses in a file's text; README and model-card files are read as prose.

    A long text value of a card's front matter that holds a license's text (the gated-access prompt quoting
    it) is read on its own, as YAML gives it: its escapes are no changes to the terms, and the copy ends where
    the value does.
    """
    prose = is_prose(path)
    values = front_matter_texts(text) if text.lstrip("\ufeff \t\r\n").startswith("---") else []
    copies = []
    for v in values:
        held = identify_text(v.text, catalog, prose=prose and not v.quoting)
        if any(m.kind == "text" for m in held):
            copies.append((v, [_on_file_lines(m, v.lines) for m in held]))
    if not copies:
        return identify_text(text, catalog, prose=prose)
    lines = text_lines(text)
    for v, _ in copies:
        lines[v.first - 1 : v.last] = [""] * (v.last - v.first + 1)
    found = identify_text("\n".join(lines), catalog, prose=prose)
    for _, held in copies:
        found += held
    # A license copied in the file is not also referred to (as identify_text reports a single text).
    copied = {m.id for m in found if m.kind == "text" and m.id != OTHER_ID}
    found = [m for m in found if not (m.kind == "reference" and m.id in copied)]
    return sorted(editions_named(found), key=lambda m: (m.start_line, -m.confidence, m.id))


def _on_file_lines(m: LicenseMatch, at: list[int]) -> LicenseMatch:
    """`m`, found in a front-matter value, with the file's lines: `at` gives each of the value's lines."""

    def line(n: int) -> int:
        return at[min(max(n, 1), len(at)) - 1]

    changes = tuple(replace(c, start_line=line(c.start_line), end_line=line(c.end_line)) for c in m.changes)
    return replace(m, start_line=line(m.start_line), end_line=line(m.end_line), changes=changes)


def identify_card(body: str, catalog: Catalog, first_line: int = 1) -> list[LicenseMatch]:
    """License statements in a model card's prose (front matter excluded), with lines of the whole file."""
    found = identify_text(body, catalog, prose=True)
    if first_line == 1:
        return found
    shift = first_line - 1
    return [replace(m, start_line=m.start_line + shift, end_line=m.end_line + shift) for m in found]
