"""License identification: which license(s) a text is, with confidence and line span."""

from __future__ import annotations

from license_audit.catalog import Catalog
from license_audit.identify.matchers import identify_text

__all__ = ["identify_text", "Catalog"]
