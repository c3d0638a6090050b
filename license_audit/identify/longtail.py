"""The long tail of the SPDX list, from a maintained library instead of home-made texts.

`licenseclassifier` (pure Python, the SPDX list with Go licensecheck's matcher) was chosen by measurement
(bench/identify.py, README "Identification"): it reports every license region with its offsets, never
names a model license it does not know, and is only consulted for license-like text that no catalog
license claims, so its cost is not paid on the common files. Without it the text is reported as `other`.
"""

from __future__ import annotations

# Below this share of the region covered by recognised license text, the region is not that license.
MIN_COVERAGE = 60.0


def identify_spdx(text: str) -> list[tuple[str, float, int, int]]:
    """(SPDX id, confidence, first line, last line) for each SPDX license in `text`; [] without the library."""
    try:
        from licenseclassifier._engine import scan
    except ImportError:
        return []
    try:
        cov = scan(text)
    except Exception:  # a third-party matcher must never take the audit down
        return []
    if cov.percent < MIN_COVERAGE:
        return []
    out = []
    for m in cov.match:
        first = text.count("\n", 0, m.start) + 1
        last = text.count("\n", 0, max(m.start, m.end - 1)) + 1
        conf = round(min(0.95, cov.percent / 100.0) * 0.95, 4)
        out.append((m.id, conf, first, last))
    return out
