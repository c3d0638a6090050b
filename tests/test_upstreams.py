"""Upstreams are resolved once, by the checks, and carried on the Report for formats, NOTICE and fixes."""

from __future__ import annotations

import json
from pathlib import Path

from license_audit.pipeline import run_audit

ROOT = Path(__file__).resolve().parents[1]


def test_report_carries_the_upstreams_the_checks_resolved():
    report = run_audit(str(ROOT / "examples" / "deepseek-v3-relabelled"))
    up = next(u for u in report.upstreams if u.id == "deepseek-ai/DeepSeek-V3")
    assert up.direct and up.derived and up.relation == "finetune"
    assert up.candidate in report.lineage
    assert up.license_ids == ["deepseek", "mit"]
    assert "Copyright (c) 2023 DeepSeek" in up.copyright
    # Not part of the JSON contract: the report serialises as before.
    assert "upstreams" not in report.to_dict()
    json.dumps(report.to_dict())


def test_formats_and_notice_read_the_report_and_resolve_nothing(monkeypatch):
    from license_audit import registry
    from license_audit.formats import derived_upstreams
    from license_audit.formats.spdx import render as spdx
    from license_audit.notice import build_block

    report = run_audit(str(ROOT / "examples" / "deepseek-v3-relabelled"))

    def refuse(*args, **kwargs):
        raise AssertionError("the registry was loaded again after the audit")

    monkeypatch.setattr(registry, "load_registry", refuse)
    ups = derived_upstreams(report)
    assert ups and all(any(u is r for r in report.upstreams) for u in ups)
    assert "deepseek-ai/DeepSeek-V3 (finetune)" in build_block(report)
    assert "Copyright (c) 2023 DeepSeek" in spdx(report)
