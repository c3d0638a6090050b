"""license-audit notice TARGET [--write]"""

from __future__ import annotations

import click

from license_audit.cli.common import rules_option, write_output


@click.command("notice")
@click.argument("target")
@click.option(
    "--write",
    is_flag=True,
    help="Update the NOTICE file in TARGET and add the upstream license copies the catalog has.",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False),
    help="Write the NOTICE (with --write: the list of files written) to this file instead of stdout.",
)
@click.option("--offline", is_flag=True, help="Never use the network; Hub targets come from the local cache.")
@rules_option
def command(target, write, output, offline, rules_dirs):
    """Print (or with --write, update) the NOTICE that TARGET owes its upstream models.

    Only the block between the license-audit markers is generated; everything else in NOTICE is kept.
    """
    from license_audit.errors import InputError
    from license_audit.notice import apply, plan
    from license_audit.pipeline import AuditOptions, run_audit
    from license_audit.sources import is_hub_spec, open_local

    if write and is_hub_spec(target):
        raise InputError(f"{target}: --write needs a local folder (clone the repository first)")
    report = run_audit(target, AuditOptions(rules_dirs=tuple(rules_dirs), offline=offline, history=False))
    # The existing NOTICE is merged for a local folder; for a Hub target only the generated block is printed.
    root = None if is_hub_spec(target) else open_local(target).root
    p = plan(report, root)
    if write:
        # CONTRACT allows --write with --output: the files are written in TARGET, the report of what was
        # done goes to FILE instead of stdout.
        assert root is not None, "--write with a Hub target is refused above"
        done = apply(p, root)
        write_output("".join(f"{line}\n" for line in done), output)
        return
    if not p.new:
        click.echo("no upstream model was found, so no upstream notices are owed", err=True)
        return
    write_output(p.new, output)
