"""Formatters: pure functions from a Report (or identify/lineage results) to text.

Human formats come from Jinja2 templates in templates/ (a user folder given with --template-dir is
searched first); machine formats are serialised from the report's dict so they cannot drift from it.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any, Callable

from license_audit.report import Report
from license_audit.resources import templates_dir

TEMPLATE_FORMATS = {"text": "report.txt.j2", "markdown": "report.md.j2"}


@lru_cache(maxsize=8)
def environment(user_dir: str | None = None):
    import jinja2

    search = [str(templates_dir())]
    if user_dir:
        search.insert(0, user_dir)
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(search),
        # HTML is escaped everywhere: card text is untrusted. Plain formats opt out per template name.
        autoescape=jinja2.select_autoescape(enabled_extensions=("html", "htm", "xml", "html.j2"), default=False),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["pct"] = lambda x: f"{round(float(x) * 100):d}%"
    env.filters["md"] = _md_escape
    return env


def _md_escape(value: Any) -> str:
    s = "" if value is None else str(value)
    for ch in ("\\", "|", "`", "*", "_", "<", ">", "[", "]"):
        s = s.replace(ch, "\\" + ch)
    return s.replace("\n", " ")


def to_json(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def render_template(name: str, user_dir: str | None = None, **context: Any) -> str:
    return environment(user_dir).get_template(name).render(**context)


def render_report(report: Report, fmt: str, user_dir: str | None = None) -> str:
    if fmt == "json":
        return to_json(report.to_dict())
    renderer = EXTRA_FORMATS.get(fmt)
    if renderer is not None:
        return renderer(report, user_dir)
    return render_template(TEMPLATE_FORMATS[fmt], user_dir, report=report, r=report.to_dict())


# Formats added by other modules (html, sarif, spdx-json) register here: name -> (report, user_dir) -> str.
EXTRA_FORMATS: dict[str, Callable[[Report, str | None], str]] = {}
