"""License identification: which license(s) a text is, with confidence, line span and kind.

One engine for `license-audit identify`, for the license files an audit crawls and for the license
statements in a model card's prose.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import PurePosixPath

from license_audit.catalog import Catalog
from license_audit.identify.matchers import OTHER_ID, identify_text
from license_audit.report import LicenseMatch

__all__ = ["OTHER_ID", "Catalog", "identify_card", "identify_file", "identify_text", "is_prose"]

# Documents that talk about licenses rather than hold one: their unclaimed text is prose, not terms.
_PROSE_STEMS = ("readme", "model_card", "modelcard", "model-card")


def is_prose(path: str) -> bool:
    name = PurePosixPath(path.replace("\\", "/")).name.lower()
    return name.startswith(_PROSE_STEMS)


def identify_file(path: str, text: str, catalog: Catalog) -> list[LicenseMatch]:
    """Licenses in a file's text; README and model-card files are read as prose."""
    return identify_text(text, catalog, prose=is_prose(path))


def identify_card(body: str, catalog: Catalog, first_line: int = 1) -> list[LicenseMatch]:
    """License statements in a model card's prose (front matter excluded), with lines of the whole file."""
    found = identify_text(body, catalog, prose=True)
    if first_line == 1:
        return found
    shift = first_line - 1
    return [replace(m, start_line=m.start_line + shift, end_line=m.end_line + shift) for m in found]
