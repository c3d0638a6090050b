"""license-audit lineage TARGET"""

from __future__ import annotations

import click

from license_audit.cli.common import rules_option, write_output


@click.command("lineage")
@click.argument("target")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--against", type=click.Path(file_okay=False), help="A base checkpoint folder to compare weights with.")
@click.option("--offline", is_flag=True, help="Never use the network.")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write to this file instead of stdout.")
@rules_option
def command(target, fmt, against, offline, output, rules_dirs):
    """List the upstream models TARGET derives from, with evidence."""
    from license_audit.crawl import crawl
    from license_audit.errors import InputError
    from license_audit.lineage import find_lineage
    from license_audit.registry import load_registry
    from license_audit.render import to_json
    from license_audit.sources import open_target

    if against:
        raise InputError("--against: weight comparison is not available in this build")
    tgt = open_target(target, offline=offline)
    candidates = find_lineage(crawl(tgt.root), load_registry(tuple(rules_dirs)))
    if fmt == "json":
        write_output(to_json({"candidates": [c.to_dict() for c in candidates]}), output)
        return
    lines = []
    for c in candidates:
        lines.append(f"{c.model} [{c.relation}, {'declared' if c.declared else 'undeclared'}, "
                     f"{c.confidence:.2f}, license {c.license or 'unknown'}]")
        lines += [f"  - {e}" for e in c.evidence]
    write_output(("\n".join(lines) if lines else "no upstream model found") + "\n", output)
