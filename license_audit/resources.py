"""Where the shipped data lives.

In a wheel, `rules/` and `templates/` are packaged inside `license_audit/`; in a source checkout
(editable install, tests run from the repo) they sit beside the package at the top level.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

_PKG = Path(__file__).resolve().parent


@lru_cache(maxsize=None)
def data_dir(name: str) -> Path:
    for candidate in (_PKG / name, _PKG.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"license-audit is installed without its {name}/ folder")


def rules_dir() -> Path:
    return data_dir("rules")


def templates_dir() -> Path:
    return data_dir("templates")
