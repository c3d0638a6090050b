"""The watch summary for a base model's publisher, rendered through templates/watch.md.j2.

Each audited candidate falls in one group: a declared derivative (its card names the base), an
undeclared look-alike (its lineage points at the base or the base's family at 0.5 or more: "derived"
from 0.8, "possibly derived" below), an independent model with the same architecture tag (counted, not
listed), or a model that could not be audited (gated, removed, ...), with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from license_audit.watch.candidates import base_match, known_base

SHOWN_FINDINGS = ("error", "warning")


@dataclass
class Row:
    target: str
    sha: str | None
    declares: list[str]
    card_bases: list[str]  # the card's base_model, whatever it names
    license: str | None
    confidence: float | None
    evidence: list[str]
    findings: list[dict[str, Any]]
    errors: int = 0
    warnings: int = 0


@dataclass
class WatchReport:
    base: str
    family: str
    model_type: str
    declared: list[Row] = field(default_factory=list)
    lookalikes: list[Row] = field(default_factory=list)
    independent: int = 0
    failed: list[tuple[str, str, list[str]]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


def _row(record: dict[str, Any], match: dict[str, Any] | None) -> Row:
    report = record["report"]
    model = report.get("model") or {}
    lic = model.get("declared_license")
    if lic == "other" and model.get("declared_license_name"):
        lic = f"other ({model['declared_license_name']})"
    findings = [f for f in report.get("findings", []) if f.get("severity") in SHOWN_FINDINGS and not f.get("waived")]
    return Row(
        target=record["target"],
        sha=record.get("sha"),
        declares=list(record.get("declares") or []),
        card_bases=[b for b in model.get("declared_base_models") or [] if isinstance(b, str)],
        license=lic,
        confidence=match.get("confidence") if match else None,
        evidence=list(match.get("evidence") or []) if match else [],
        findings=findings,
        errors=sum(1 for f in findings if f["severity"] == "error"),
        warnings=sum(1 for f in findings if f["severity"] == "warning"),
    )


def build_report(base: str, registry, records: list[dict[str, Any]]) -> WatchReport:
    from license_audit.watch.candidates import model_type_of

    known = known_base(base, registry)
    out = WatchReport(known.id, known.family, model_type_of(known))
    for record in records:
        if "report" not in record:
            out.failed.append((record["target"], record.get("error", ""), list(record.get("declares") or [])))
            continue
        match = base_match(record["report"].get("lineage", []), known, registry)
        if record.get("declares"):
            out.declared.append(_row(record, match))
        elif match is not None and (match.get("confidence") or 0) >= 0.5:
            out.lookalikes.append(_row(record, match))
        else:
            out.independent += 1
    out.declared.sort(key=lambda r: (-r.errors, -r.warnings, r.target))
    out.lookalikes.sort(key=lambda r: (-(r.confidence or 0), -r.errors, r.target))
    out.failed.sort()
    out.counts = {
        "candidates": len(records),
        "declared": len(out.declared),
        "declared_failing": sum(1 for r in out.declared if r.errors),
        "lookalikes": len(out.lookalikes),
        "lookalikes_derived": sum(1 for r in out.lookalikes if (r.confidence or 0) >= 0.8),
        "independent": out.independent,
        "failed": len(out.failed),
    }
    return out


def render(report: WatchReport) -> str:
    from license_audit.render import render_template

    return render_template("watch.md.j2", w=report)


def write_report(path: Path, base: str, registry, records: list[dict[str, Any]]) -> WatchReport:
    report = build_report(base, registry, records)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(render(report), encoding="utf-8")
    tmp.replace(path)
    return report
