"""The documentation says what the tool does: its examples run and print what they show, its links resolve,
and the README's test command is the one CI runs."""

from __future__ import annotations

import contextlib
import io
import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


def fenced(text: str, lang: str) -> list[str]:
    return re.findall(rf"^```{lang}\n(.*?)^```$", text, flags=re.S | re.M)


def test_api_example_prints_what_the_page_shows(monkeypatch):
    page = (DOCS / "api.md").read_text(encoding="utf-8")
    [code] = fenced(page, "python")
    [shown, *_] = fenced(page, "text")
    monkeypatch.chdir(ROOT)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "docs/api.md", "exec"), {"__name__": "docs_api_example"})
    assert out.getvalue() == shown


def test_api_report_is_the_json_report_of_the_command(cli, monkeypatch):
    import license_audit

    monkeypatch.chdir(ROOT)
    for example in ("deepseek-v3-relabelled", "llama31-compliant"):
        target = f"examples/{example}"
        report = license_audit.audit(target)
        res = cli("audit", target, "--format", "json", "--fail-on", "never")
        assert json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n" == res.output


def test_api_options_are_the_audit_options():
    import dataclasses

    import pytest

    import license_audit

    with pytest.raises(TypeError):
        license_audit.audit(ROOT / "examples" / "llama31-compliant", colour=True)
    with pytest.raises(license_audit.TargetError):
        license_audit.audit(ROOT / "examples" / "no-such-model")
    report = license_audit.audit(ROOT / "examples" / "llama31-compliant", history=False, offline=True)
    assert isinstance(report, license_audit.Report) and not report.fails("error")
    page = (DOCS / "api.md").read_text(encoding="utf-8")
    fields = (
        [f.name for f in dataclasses.fields(license_audit.AuditOptions)]
        if dataclasses.is_dataclass(license_audit.AuditOptions)
        else list(license_audit.AuditOptions.__annotations__)
    )
    for name in fields:
        if name != "extra":
            assert f"| `{name}` |" in page, name


def test_readme_test_command_is_the_one_ci_runs():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    commands = [block.strip() for block in fenced(readme, "sh") if "pytest" in block]
    assert commands and all(command in ci for command in commands), commands


def test_links_between_pages_resolve():
    pages = [ROOT / "README.md", *sorted(DOCS.glob("*.md"))]
    for page in pages:
        for target in re.findall(r"\]\(([^)#:]+\.md)(?:#[^)]*)?\)", page.read_text(encoding="utf-8")):
            assert (page.parent / target).is_file(), f"{page.relative_to(ROOT)} links to missing {target}"
