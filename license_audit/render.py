"""Formatters: pure functions from a Report (or identify/lineage results) to text.

Human formats come from Jinja2 templates in templates/ (a user folder given with --templates is
searched first); machine formats are serialised from the report's dict so they cannot drift from it.
html, sarif, spdx-json and cyclonedx-json live in license_audit/formats/ and are imported only when asked for.
"""

from __future__ import annotations

import importlib
import json
import os
import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from license_audit import __version__
from license_audit.report import Report
from license_audit.resources import templates_dir

TEMPLATE_FORMATS = {"text": "report.txt.j2", "markdown": "report.md.j2"}


def _bytecode_cache(jinja2):
    """Compiled templates kept between runs (keyed by each template's source checksum, so an edited or
    user-supplied template recompiles): compiling the report templates costs more than the audit itself."""
    from license_audit.resources import cache_dir

    where = cache_dir()
    if where is None:
        return None
    prefix = f"{__version__}-{_ENVIRONMENT}-"
    try:
        (where / "templates").mkdir(parents=True, exist_ok=True)
        for old in os.scandir(where / "templates"):  # other versions' bytecode is never read again
            if old.name.endswith(".cache") and not old.name.startswith(prefix):
                os.unlink(old.path)
    except OSError:
        return None
    # Compiled code depends on the environment's options as well as the source (finalize is compiled
    # in): _ENVIRONMENT names their version, so changing them cannot reuse stale bytecode.
    return jinja2.FileSystemBytecodeCache(str(where / "templates"), prefix + "%s.cache")


_ENVIRONMENT = 2  # raise when environment() changes an option that compiled templates depend on


@lru_cache(maxsize=8)
def environment(user_dir: str | None = None):
    import jinja2

    loaders = [jinja2.FileSystemLoader(str(templates_dir()))]
    if user_dir:
        # The user's folder first: a template of the same name there replaces the built-in one, and
        # built-in templates stay reachable for anything it does not override (or {% extends %}).
        loaders.insert(0, jinja2.FileSystemLoader(user_dir))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        bytecode_cache=_bytecode_cache(jinja2),
        # HTML is escaped everywhere: card text is untrusted. Plain formats opt out per template name.
        autoescape=jinja2.select_autoescape(enabled_extensions=("html", "htm", "xml", "html.j2"), default=False),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
        finalize=printable,
    )
    env.filters["pct"] = lambda x: f"{round(float(x) * 100):d}%"
    env.filters["md"] = _md_escape
    env.filters["change"] = change_line
    env.filters["shown"] = licenses_shown
    return env


def licenses_shown(licenses: list[dict]) -> list[dict]:
    """A file's licenses as a report lists them: the licenses of one ambiguous answer (a name every edition
    goes by, a text two licenses fit alike) once, as "one of A, B", where the JSON keeps each with the others
    as its alternatives."""
    out: list[dict] = []
    groups: dict[tuple, dict] = {}
    for m in licenses:
        if not m.get("alternatives"):
            out.append(m)
            continue
        key = (m["start_line"], m["end_line"], m["kind"], frozenset([m["spdx"], *m["alternatives"]]))
        if key in groups:
            groups[key]["ids"].append(m["id"])
            continue
        groups[key] = {**m, "ids": [m["id"]]}
        out.append(groups[key])
    for item in groups.values():
        item["id"] = "one of " + ", ".join(item.pop("ids"))
    return out


def change_line(change: dict) -> str:
    """A history finding's "what changed", one line: `LICENSE held MIT (...) since 136ac21fe0a1; removed in
    c78912b0a1b2; now Apache-2.0 since b2a7dd01c2d3`."""
    parts = [f"{change.get('path', '')} held {change.get('was', '')}"]
    if change.get("since"):
        parts[0] += f" since {change['since'][:12]}"
    for key in ("removed", "replaced"):
        if change.get(key):
            parts.append(f"{key} in {change[key][:12]}")
    if change.get("now"):
        parts.append(f"now {change['now']}" + (f" since {change['now_since'][:12]}" if change.get("now_since") else ""))
    return "; ".join(parts)


# C0 and C1 controls (tab kept), line and paragraph separators, bidirectional overrides and isolates.
_UNSAFE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_SPELLED = {"\n": "\\n", "\r": "\\r"}


def _spell(m: re.Match) -> str:
    ch = m.group(0)
    return _SPELLED.get(ch) or (f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}")


def printable(value: Any) -> Any:
    """Every value a template prints, with control characters spelled out: file names, card fields and
    quoted prose come from the audited repo, and a newline, a terminal escape or a bidi override in them
    must not forge report lines or drive the reader's terminal. Markup the templates build is left alone."""
    if not isinstance(value, str) or value.isprintable() or hasattr(value, "__html__"):
        return value
    return _UNSAFE.sub(_spell, value)


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


def _lazy(module: str) -> Callable[[Report, str | None], str]:
    def render(report: Report, user_dir: str | None = None) -> str:
        return importlib.import_module(module).render(report, user_dir)

    return render


# Formats added by other modules register here: name -> (report, user_dir) -> str.
EXTRA_FORMATS: dict[str, Callable[[Report, str | None], str]] = {
    "html": _lazy("license_audit.formats.html"),
    "sarif": _lazy("license_audit.formats.sarif"),
    "spdx-json": _lazy("license_audit.formats.spdx"),
    "cyclonedx-json": _lazy("license_audit.formats.cyclonedx"),
}
