"""The rule engine: checks read an AuditContext and yield Findings with CONTRACT rule ids."""

from __future__ import annotations

from license_audit.checks import declared, history_checks, lineage_checks, obligations, openworld_checks
from license_audit.checks.context import AuditContext
from license_audit.report import Finding

CHECKS = (
    declared.check_invalid_files,
    declared.check_license_missing,
    declared.check_license_unknown,
    declared.check_declared_license_unknown,
    declared.check_license_modified,
    declared.check_license_mismatch,
    declared.check_card_license_statements,
    lineage_checks.check_base_model_undeclared,
    lineage_checks.check_base_model_mismatch,
    obligations.check_incompatible,
    obligations.check_obligations,
    openworld_checks.check_upstream_license_unknown,
    *history_checks.HISTORY_CHECKS,
)


# What the checks could not establish, said as the report's notes rather than passed over.
NOTES = (obligations.undecided_license, obligations.own_release)


def check_notes(ctx: AuditContext) -> list[str]:
    return [note for check in NOTES if (note := check(ctx)) is not None]


def run_checks(ctx: AuditContext) -> list[Finding]:
    findings: list[Finding] = []
    seen: set[tuple] = set()
    for check in CHECKS:
        for f in check(ctx):
            key = (f.rule, f.path, f.upstream, f.message)
            if key not in seen:
                seen.add(key)
                findings.append(f)
    return findings


__all__ = ["AuditContext", "check_notes", "run_checks"]
