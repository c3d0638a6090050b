"""SARIF 2.1.0, for code-scanning uploads (GitHub, GitLab, Azure DevOps).

Every result has a location at a file that exists in the repository (uploads reject results without
one); rule ids are the CONTRACT rule ids; waived findings are results with an external suppression.
"""

from __future__ import annotations

import hashlib
import json
from urllib.parse import quote

from license_audit import TOOL_NAME, __version__
from license_audit.formats import anchor
from license_audit.report import Report
from license_audit.rule_ids import RULES

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFO_URI = "https://pypi.org/project/model-license-audit/"
_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def _rule(rule_id: str, severity: str | None = None, summary: str | None = None, fix: str | None = None) -> dict:
    info = RULES.get(rule_id)
    summary = info.summary if info else (summary or rule_id)
    fix = info.fix if info else (fix or "")
    level = _LEVEL[info.severity if info else (severity or "warning")]
    return {
        "id": rule_id,
        "name": "".join(part.capitalize() for part in rule_id.split("-")),
        "shortDescription": {"text": summary},
        "fullDescription": {"text": summary},
        "help": {"text": f"{summary} Fix: {fix}".strip(), "markdown": f"{summary}\n\n**Fix:** {fix}".strip()},
        "defaultConfiguration": {"level": level},
        "properties": {"tags": ["license", "compliance"]},
    }


def fingerprint(f) -> str:
    """Stable across runs and commits: what the finding is about, not where the line happens to be."""
    key = "\x1f".join([f.rule, f.path or "", f.upstream or "", f.message])
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def build(report: Report) -> dict:
    used = sorted({f.rule for f in report.findings})
    rule_ids = sorted(set(RULES) | set(used))
    rules = [_rule(rid, *_fallback(report, rid)) for rid in rule_ids]
    index = {rid: i for i, rid in enumerate(rule_ids)}
    results = []
    for f in report.findings:
        uri, exact = anchor(report, f)
        # Always a region: some code-scanning services drop results whose location has no startLine.
        # A URI reference: "Tongyi Qianwen LICENSE AGREEMENT" is a real license file name.
        physical = {
            "artifactLocation": {"uri": quote(uri, safe="/"), "uriBaseId": "%SRCROOT%"},
            "region": {"startLine": f.line if exact and f.line else 1},
        }
        text = f.message
        if not exact and f.path:
            text += f" Expected file: {f.path}."
        if f.fix:
            text += f" Fix: {f.fix}"
        result = {
            "ruleId": f.rule,
            "ruleIndex": index[f.rule],
            "level": _LEVEL[f.severity],
            "message": {"text": text},
            "locations": [{"physicalLocation": physical}],
            "partialFingerprints": {"licenseAudit/v1": fingerprint(f)},
        }
        props = {
            k: v
            for k, v in (("upstream", f.upstream), ("commit", f.commit), ("clause", f.clause), ("path", f.path))
            if v
        }
        if props:
            result["properties"] = props
        if f.waived:
            result["suppressions"] = [
                {"kind": "external", "status": "accepted", "justification": f.waiver_reason or "waived by policy"}
            ]
        results.append(result)
    run = {
        "tool": {
            "driver": {
                "name": TOOL_NAME,
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": INFO_URI,
                "rules": rules,
            }
        },
        "originalUriBaseIds": {"%SRCROOT%": {"description": {"text": "The audited model repository."}}},
        "automationDetails": {"id": f"license-audit/{report.model.name}/"},
        "columnKind": "unicodeCodePoints",
        "results": results,
        "properties": {"target": report.target.to_dict(), "summary": report.summary},
    }
    if report.target.revision and report.target.kind == "hub":
        # repositoryUri must be an absolute URI; a local work tree has none worth publishing.
        run["versionControlProvenance"] = [
            {"repositoryUri": f"https://huggingface.co/{report.target.id}", "revisionId": report.target.revision}
        ]
    return {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}


def _fallback(report: Report, rule_id: str) -> tuple:
    # A rule another module added without registering it in rule_ids.py still gets a descriptor.
    for f in report.findings:
        if f.rule == rule_id:
            return (f.severity, f.message, f.fix)
    return ()


def render(report: Report, user_dir: str | None = None) -> str:
    return json.dumps(build(report), indent=2, ensure_ascii=False, sort_keys=False) + "\n"
