"""Where the shipped data lives.

In a wheel, `rules/` and `templates/` are packaged inside `license_audit/`; in a source checkout
(editable install, tests run from the repo) they sit beside the package at the top level.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PKG = Path(__file__).resolve().parent


@cache
def data_dir(name: str) -> Path:
    for candidate in (_PKG / name, _PKG.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"license-audit is installed without its {name}/ folder")


def rules_dir() -> Path:
    return data_dir("rules")


def templates_dir() -> Path:
    return data_dir("templates")


def cache_dir() -> Path | None:
    """Where derived data (parsed rules, compiled templates, the SPDX phrase index) is kept between runs.

    $LICENSE_AUDIT_CACHE, else $XDG_CACHE_HOME/license-audit, else ~/.cache/license-audit; None when
    LICENSE_AUDIT_CACHE is empty or "0" (no cache: every run parses from scratch, same results).
    """
    import os

    explicit = os.environ.get("LICENSE_AUDIT_CACHE")
    if explicit is not None:
        return Path(explicit) if explicit not in ("", "0") else None
    base = os.environ.get("XDG_CACHE_HOME")
    if not base:
        try:
            base = str(Path.home() / ".cache")
        except RuntimeError:  # no HOME and no passwd entry (some containers): run without a cache
            return None
    return Path(base) / "license-audit"
