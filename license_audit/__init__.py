"""license-audit: check a published ML model against the licenses of the models it was built from.

The public Python API (see docs/api.md):

    import license_audit

    report = license_audit.audit("path/to/model", history=False)
    report.to_dict()  # the `audit --format json` report

The names below are imported on first use, so `import license_audit` (and `license-audit --version`)
loads nothing else.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
TOOL_NAME = "license-audit"
POLICY_FILE = ".license-audit.yaml"  # the policy file a repository keeps at its top

# Public name -> the module that defines it.
_LAZY = {
    "audit": "license_audit.pipeline",
    "AuditOptions": "license_audit.pipeline",
    "Report": "license_audit.report",
    "Finding": "license_audit.report",
    "LicenseFile": "license_audit.report",
    "LicenseMatch": "license_audit.report",
    "Candidate": "license_audit.report",
    "ModelInfo": "license_audit.report",
    "TargetInfo": "license_audit.report",
    "AuditError": "license_audit.errors",
    "TargetError": "license_audit.errors",
    "InputError": "license_audit.errors",
}

__all__ = [
    "TOOL_NAME",
    "AuditError",
    "AuditOptions",
    "Candidate",
    "Finding",
    "InputError",
    "LicenseFile",
    "LicenseMatch",
    "ModelInfo",
    "Report",
    "TargetError",
    "TargetInfo",
    "__version__",
    "audit",
]

if TYPE_CHECKING:
    from license_audit.errors import AuditError, InputError, TargetError
    from license_audit.pipeline import AuditOptions, audit
    from license_audit.report import Candidate, Finding, LicenseFile, LicenseMatch, ModelInfo, Report, TargetInfo


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'license_audit' has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
