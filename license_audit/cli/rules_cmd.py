"""license-audit rules list | license-audit rules show ID | license-audit rules check DIR"""

from __future__ import annotations

import click

from license_audit.cli.common import rules_option, write_output


@click.group("rules")
def command():
    """The rules the audit applies and the license duties they come from."""


@command.command("list")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@rules_option
def list_cmd(fmt, rules_dirs):
    """Every rule id (default severity, what it checks) and every catalog license."""
    from license_audit.catalog import load_catalog
    from license_audit.render import to_json
    from license_audit.rule_ids import RULES

    catalog = load_catalog(tuple(rules_dirs))
    if fmt == "json":
        write_output(
            to_json(
                {
                    "rules": [
                        {"id": r.id, "severity": r.severity, "summary": r.summary, "fix": r.fix} for r in RULES.values()
                    ],
                    "licenses": [
                        {"id": lic.id, "spdx": lic.spdx, "name": lic.name, "duties": len(lic.obligations)}
                        for lic in catalog
                    ],
                }
            ),
            None,
        )
        return
    width = max(len(r) for r in RULES)
    lines = ["Rules:"]
    lines += [f"  {r.id:<{width}}  {r.severity:<7}  {r.summary}" for r in RULES.values()]
    lines += ["", "Licenses (`license-audit rules show ID` lists each one's duties):"]
    lid_width = max((len(lic.id) for lic in catalog), default=0)
    lines += [f"  {lic.id:<{lid_width}}  {lic.name} ({len(lic.obligations)} duties)" for lic in catalog]
    write_output("\n".join(lines) + "\n", None)


@command.command("show")
@click.argument("rule_or_license")
@rules_option
def show_cmd(rule_or_license, rules_dirs):
    """What a rule checks, the license clauses it comes from and how to fix it; or a license's duties."""
    from license_audit.catalog import load_catalog
    from license_audit.errors import InputError
    from license_audit.rule_ids import RULES

    catalog = load_catalog(tuple(rules_dirs))
    key = rule_or_license.strip()
    if key in RULES:
        write_output(show_rule(key, catalog), None)
        return
    lic = catalog.get(key)
    if lic is None:
        raise InputError(f"'{key}' is neither a rule id nor a license id (see `license-audit rules list`)")
    write_output(show_license(lic), None)


@command.command("check")
@click.argument("folder", metavar="DIR", type=click.Path(file_okay=False))
def check_cmd(folder):
    """Check a rules folder (licenses/*.yaml, models/*.yaml) against the schemas: exit 0 when valid,
    1 with one `file:line: problem` line each when not, 2 when DIR cannot be read."""
    import sys
    from pathlib import Path

    from license_audit.rulecheck import check_folder

    result = check_folder(Path(folder))
    if result.problems:
        write_output("".join(f"{p}\n" for p in result.problems), None)
        sys.exit(1)
    write_output(result.summary + "\n", None)


def _quote(text: str | None) -> str:
    return f' "{" ".join(text.split())}"' if text else ""


def show_rule(rule_id: str, catalog) -> str:
    from license_audit.rule_ids import KIND_RULES, RULES

    r = RULES[rule_id]
    lines = [f"{r.id} (default severity: {r.severity})", f"  checks: {r.summary}", f"  fix: {r.fix}"]
    sources = []
    for lic in catalog:
        for ob in lic.obligations:
            if KIND_RULES.get(ob.kind) == rule_id:
                sources.append(f"    {lic.id} {ob.clause or '(no clause)'} [{ob.kind}]:{_quote(ob.quote)}")
    if rule_id == "license-incompatible":
        sources += [f"    {lic.id}: derivatives {_derivatives(lic)}" for lic in catalog if lic.derivatives]
    if sources:
        lines += ["  comes from:", *sources]
    return "\n".join(lines) + "\n"


def _derivatives(lic) -> str:
    d = lic.derivatives
    parts = [f"relicense {d.get('relicense', 'any')}"]
    for key in ("allowed", "forbid", "forbid_categories"):
        if d.get(key):
            parts.append(f"{key} {', '.join(map(str, d[key]))}")
    if d.get("adapters"):
        parts.append(f"adapters {d['adapters']}")
    return "; ".join(parts)


def show_license(lic) -> str:
    from license_audit.rule_ids import KIND_RULES

    card = ", ".join(f"{k}: {v}" for k, v in lic.card_fields.items())
    lines = [
        f"{lic.id}: {lic.name} ({lic.spdx})",
        f"  category: {lic.category}; commercial use: {'yes' if lic.commercial_use else 'no'}; "
        f"ShareAlike: {'yes' if lic.sharealike else 'no'}",
        f"  model card: {card}",
    ]
    if lic.url:
        lines.append(f"  text: {lic.url}")
    if lic.derivatives:
        lines.append(f"  derivatives: {_derivatives(lic)}")
    if lic.source:
        lines.append(f"  defined in: {lic.source.name}")
    if not lic.obligations:
        lines.append("  duties of a derivative: none recorded")
    else:
        lines.append("  duties of a derivative:")
    for ob in lic.obligations:
        rule = KIND_RULES.get(ob.kind)
        checked = f"-> {rule}" if rule else "(kept as data, not checked automatically)"
        lines.append(f"    - {ob.kind} ({lic.name} {ob.clause or '(no clause)'}) {checked}")
        if ob.quote:
            lines.append(f"      quote:{_quote(ob.quote)}")
        for k, v in ob.details():
            lines.append(f"      {k}: {', '.join(map(str, v)) if isinstance(v, list) else v}")
    return "\n".join(lines) + "\n"
