"""Where a derivative carries the copy of an upstream license, and what that copy holds.

One rule for every reader: the audit's `upstream-license-missing` finding, `notice --write` and `fix`
name the same file. The copy goes under the name the upstream license asks for (`LICENSE`,
`LICENSE-MODEL`, `MODEL_LICENSE`), unless that name is the model's own license file: `LICENSE` is
the upstream's only when the card declares the upstream's license (a Llama 3.2 conversion under
`license: llama3.2`); otherwise the copy goes beside it as `LICENSE-<ID>`.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from license_audit.catalog import License

# The names a model's own license file has (what `LICENSE` means to a reader of the repository).
OWN_LICENSE_NAMES = frozenset({"license", "license.txt", "license.md", "licence", "licence.txt", "licence.md"})

# The copyright line of a license template (MIT, BSD): filled with the upstream's own lines.
_TEMPLATE_COPYRIGHT = re.compile(r"^[^\n]*<year>[^\n]*<(?:copyright holders|owner)>[^\n]*$", re.MULTILINE | re.I)


def _norm(key: str) -> str:
    return key.strip().lower().replace("_", "-").replace(" ", "-")


def declares(lic: License, declared_key: str | None) -> bool:
    """Whether the card's license key (`license_name` for `license: other`) names `lic`."""
    if not declared_key:
        return False
    names = {lic.id, lic.spdx, *lic.aliases}
    if lic.hf_license != "other":
        names.add(lic.hf_license)
    return _norm(declared_key) in {_norm(n) for n in names}


def requested_name(lic: License) -> str:
    """The file name the license asks its copy to have (`LICENSE` when it names none)."""
    for ob in lic.obligations_of("license-copy"):
        if ob.file:
            return ob.file
    return "LICENSE"


def copy_path(lic: License, files: list[str] | set[str], declared_key: str | None) -> str:
    """Where the copy of `lic` belongs in a repository holding `files` whose card declares `declared_key`."""
    taken = {f.lower() for f in files}
    wanted = requested_name(lic)
    own = wanted.lower() in OWN_LICENSE_NAMES
    if wanted.lower() not in taken and (not own or declares(lic, declared_key)):
        return wanted
    return f"LICENSE-{lic.id.upper()}"


def copy_text(lic: License, copyright_lines: list[str]) -> str | None:
    """The text to write as the copy: the catalog's reference text, with a template's copyright line
    (MIT's `Copyright (c) <year> <copyright holders>`) replaced by the upstream's own lines. None when
    the catalog has no reference text, or the template's line cannot be filled: a copy is the
    upstream's real terms or nothing."""
    text = lic.reference_copy()
    if text is None or not _TEMPLATE_COPYRIGHT.search(text):
        return text
    if not copyright_lines:
        return None
    return _TEMPLATE_COPYRIGHT.sub(lambda _m: "\n".join(copyright_lines), text, count=1)


def where_published(lic: License) -> str:
    """The clause a next step ends with: where the publisher distributes the license text."""
    return f" (the licensor publishes it at {lic.url})" if lic.url else ""


def add_copy_advice(lic: License, path: str, copyright_lines: list[str]) -> str:
    """What to do about a missing copy, as the audit's finding and `fix` both say it."""
    if lic.reference_copy() is None:
        return (
            f"Add the full text of the {lic.name} as {path}{where_published(lic)}; "
            f"the catalog has no reference text of it to copy."
        )
    if copy_text(lic, copyright_lines) is None:
        return (
            f"Add the full text of the {lic.name} as {path}, with the upstream's own copyright line"
            f"{where_published(lic)}."
        )
    return f"Add the full text of the {lic.name} as {path}."
