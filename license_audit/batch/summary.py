"""Counts over a batch's records: per rule, per declared license, per upstream model, and the errors.

Built record by record (a million reports are never held at once). Every table is sorted by count,
then by name, so the same records give the same summary whatever order they finished in.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from license_audit.report import severity_at_least

NONE = "(none)"
ERRORS_LISTED = 20
NUMERIC = ("targets", "findings", "derivatives", "undeclared")
DERIVED = 0.8  # CONTRACT: lineage confidence from which a model counts as derived


@dataclass
class Summary:
    """Counts over a batch's records, for the summary the batch prints and writes."""

    fail_on: str | None = None  # the --fail-on given; else each record's policy threshold, else error
    targets: int = 0
    audited: int = 0
    failed: int = 0
    errors: list[tuple[str, str]] = field(default_factory=list)
    severities: Counter = field(default_factory=Counter)
    rule_targets: Counter = field(default_factory=Counter)
    rule_findings: Counter = field(default_factory=Counter)
    licenses: Counter = field(default_factory=Counter)
    upstreams: Counter = field(default_factory=Counter)
    upstreams_undeclared: Counter = field(default_factory=Counter)

    def threshold(self, record: dict) -> str:
        return self.fail_on or record.get("fail_on") or "error"

    def add(self, record: dict) -> None:
        self.targets += 1
        report = record.get("report")
        if report is None:
            self.errors.append((record["target"], record.get("error", "")))
            return
        self.audited += 1
        active = [f for f in report.get("findings", []) if not f.get("waived")]
        threshold = self.threshold(record)
        if threshold != "never" and any(severity_at_least(f.get("severity", ""), threshold) for f in active):
            self.failed += 1
        for f in active:
            self.severities[f.get("severity")] += 1
            self.rule_findings[f.get("rule")] += 1
        for rule in {f.get("rule") for f in active}:
            self.rule_targets[rule] += 1
        model = report.get("model") or {}
        declared = model.get("declared_license") or NONE
        if declared == "other" and model.get("declared_license_name"):
            declared = f"other ({model['declared_license_name']})"
        self.licenses[declared] += 1
        for cand in report.get("lineage", []):
            if cand.get("declared") or (cand.get("confidence") or 0) >= DERIVED:
                self.upstreams[cand["model"]] += 1
                if not cand.get("declared"):
                    self.upstreams_undeclared[cand["model"]] += 1

    @property
    def exit_code(self) -> int:
        """1 when a target fails its threshold or could not be audited (except with --fail-on never)."""
        if self.fail_on == "never":
            return 0
        return 1 if self.failed or self.errors else 0

    # -- rendering -------------------------------------------------------------------------------

    def headline(self) -> str:
        return (
            f"{self.targets} target(s): {self.audited} audited, {self.failed} failing "
            f"--fail-on {self.fail_on or 'error'}, {len(self.errors)} could not be audited; "
            f"findings: {self.severities['error']} error(s), {self.severities['warning']} warning(s), "
            f"{self.severities['info']} info"
        )

    def tables(self) -> list[tuple[str, list[str], list[list[str]]]]:
        def ranked(counter: Counter) -> list[str]:
            return sorted(counter, key=lambda k: (-counter[k], str(k).lower(), str(k)))

        rules = [[r, str(self.rule_targets[r]), str(self.rule_findings[r])] for r in ranked(self.rule_targets)]
        licenses = [[lic, str(self.licenses[lic])] for lic in ranked(self.licenses)]
        upstreams = [[m, str(self.upstreams[m]), str(self.upstreams_undeclared[m])] for m in ranked(self.upstreams)]
        errors = [[t, e] for t, e in sorted(self.errors)[:ERRORS_LISTED]]
        out = [
            ("Findings per rule", ["rule", "targets", "findings"], rules),
            ("Declared licenses", ["license", "targets"], licenses),
            ("Upstream models", ["model", "derivatives", "undeclared"], upstreams),
            ("Targets that could not be audited", ["target", "error"], errors),
        ]
        return out

    def more_errors(self) -> int:
        return max(0, len(self.errors) - ERRORS_LISTED)

    def render(self, fmt: str = "text") -> str:
        return render_markdown(self) if fmt == "markdown" else render_text(self)


def render_text(s: Summary) -> str:
    lines = [f"license-audit batch: {s.headline()}"]
    for title, header, rows in s.tables():
        if not rows:
            continue
        lines += ["", f"{title}:"]
        widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
        numeric = [h in NUMERIC for h in header]
        for row in [header, *rows]:
            cells = [c.rjust(w) if num else c.ljust(w) for c, w, num in zip(row, widths, numeric)]
            lines.append("  " + "  ".join(cells).rstrip())
        if title.startswith("Targets that") and s.more_errors():
            lines.append(f"  ... and {s.more_errors()} more (see the JSON Lines output)")
    return "\n".join(lines) + "\n"


def _md(cell: str) -> str:
    return cell.replace("|", "\\|")


def render_markdown(s: Summary) -> str:
    lines = ["# license-audit batch", "", s.headline()]
    for title, header, rows in s.tables():
        if not rows:
            continue
        lines += [
            "",
            f"## {title}",
            "",
            "| " + " | ".join(header) + " |",
            "|" + "|".join("---:" if h in NUMERIC else "---" for h in header) + "|",
        ]
        lines += ["| " + " | ".join(_md(c) for c in row) + " |" for row in rows]
        if title.startswith("Targets that") and s.more_errors():
            lines += ["", f"... and {s.more_errors()} more (see the JSON Lines output)"]
    return "\n".join(lines) + "\n"
