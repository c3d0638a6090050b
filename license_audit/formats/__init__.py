"""Report formats beyond text/json/markdown (html, sarif, spdx-json) and what they share.

Each module exposes `render(report, user_dir) -> str`; render.EXTRA_FORMATS imports them lazily.
"""

from __future__ import annotations

from license_audit.records import field, record
from license_audit.report import Candidate, Finding, Report

# Where a finding without a file of its own is anchored: the card first, then the files a reviewer
# reads next. Code-scanning uploads reject results without a location, so there is always one.
ANCHOR_PREFERENCE = ("README.md", "config.json", "LICENSE", "NOTICE")


@record
class UpstreamView:
    """One upstream model the report says this model derives from, with its catalog and registry data."""

    candidate: Candidate
    licenses: list = field(default_factory=list)  # catalog License objects, weights license first
    copyright: list[str] = field(default_factory=list)
    notice: str | None = None

    @property
    def id(self) -> str:
        return self.candidate.model


def derived_upstreams(report: Report, include_possible: bool = False) -> list[UpstreamView]:
    """Upstreams at "derived" confidence (0.8+, or 0.5+ with include_possible), resolved like the checks do."""
    from license_audit.catalog import load_catalog
    from license_audit.registry import load_registry

    catalog = load_catalog(tuple(report.rules_dirs))
    registry = load_registry(tuple(report.rules_dirs))
    floor = 0.5 if include_possible else 0.8
    out = []
    for cand in report.lineage:
        if cand.confidence < floor:
            continue
        known = registry.get(cand.model)
        ids = known.all_licenses if known else ([cand.license] if cand.license else [])
        lics = [lic for lid in ids if (lic := catalog.get(lid))]
        out.append(UpstreamView(cand, lics, list(known.copyright) if known else [], known.notice if known else None))
    return out


def anchor(report: Report, finding: Finding) -> tuple[str, bool]:
    """(file, exact): the repository file a finding is shown at, and whether it is the finding's own path.

    A finding may name a file that should exist but does not (LICENSE-MIT, NOTICE); it is then anchored
    at the model card, or the first of ANCHOR_PREFERENCE that exists, or the first file of the repository.
    """
    files = set(report.files)
    if finding.path and (finding.path in files or not files):
        return finding.path, True
    for name in ANCHOR_PREFERENCE:
        if name in files:
            return name, False
    if report.files:
        return sorted(report.files)[0], False
    return "README.md", False
