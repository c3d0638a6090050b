"""Report formats beyond text/json/markdown (html, sarif, spdx-json, cyclonedx-json) and what they share.

Each module exposes `render(report, user_dir) -> str`; render.EXTRA_FORMATS imports them lazily.
"""

from __future__ import annotations

import re

from license_audit.report import Finding, Report, Upstream

# Where a finding without a file of its own is anchored: the card first, then the files a reviewer
# reads next. Code-scanning uploads reject results without a location, so there is always one.
ANCHOR_PREFERENCE = ("README.md", "config.json", "LICENSE", "NOTICE")


def idstring(text: str) -> str:
    """`text` as the idstring SPDX allows after `LicenseRef-` or `SPDXRef-` (letters, digits, `.` and `-`)."""
    return re.sub(r"[^A-Za-z0-9.\-]+", "-", text).strip("-") or "x"


def concluded_matches(report: Report) -> list:
    """The license matches an SBOM concludes for the model: every match of its license and notice files, and of
    its card only those naming the license the card declares. A card's prose names the licenses of the data,
    images and models it talks about ("| TED-LIUM | ... | CC-BY-NC-ND 3.0 |"), which are not the model's."""
    from license_audit.crawl import is_card_path

    declared = {k.strip().lower() for k in (report.model.declared_license, report.model.declared_license_name) if k}
    out = []
    for lf in report.license_files:
        for m in lf.licenses:
            if not is_card_path(lf.path) or {m.id.lower(), m.spdx.lower()} & declared:
                out.append((lf, m))
    return out


def derived_upstreams(report: Report, include_possible: bool = False) -> list[Upstream]:
    """The lineage candidates the checks resolved as upstreams at "derived" confidence (0.8+, or 0.5+ with
    include_possible), in the report's lineage order."""
    floor = 0.5 if include_possible else 0.8
    # Direct candidates, and the models a candidate's resolved chain reaches beyond the registry (whose
    # licenses are the ones its derivatives owe); registry ancestors are read through their candidate.
    ups = [u for u in report.upstreams if (u.direct or u.model is not None) and u.confidence >= floor]
    return sorted(ups, key=lambda u: (-round(u.confidence, 2), u.candidate.model, u.id))


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
