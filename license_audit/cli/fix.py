"""license-audit fix TARGET [--write] [--only RULE]... [--relicense]"""

from __future__ import annotations

import click

from license_audit.cli.common import rules_option


@click.command("fix")
@click.argument("target", type=click.Path(file_okay=False))
@click.option("--write", is_flag=True, help="Apply the changes in TARGET (without it: print them as a unified diff).")
@click.option(
    "--only",
    "only",
    multiple=True,
    metavar="RULE",
    help="Fix only the findings of this rule (repeatable), e.g. --only upstream-notice-missing.",
)
@click.option(
    "--relicense",
    is_flag=True,
    help="Also set the card's license to terms that carry the upstream's when the declared one cannot be granted.",
)
@click.option("--offline", is_flag=True, help="Never use the network.")
@rules_option
def command(target, write, only, relicense, offline, rules_dirs):
    """Settle the mechanical findings of TARGET's audit: base_model, upstream license copies, NOTICE,
    attribution and use terms in the card (and, with --relicense, the card's license).

    Without --write it prints the changes as a unified diff and writes nothing. What needs a person is
    printed as next steps (on stderr for a dry run).
    """
    from license_audit.fix import fix_folder, write_fix

    if write:
        done, steps = write_fix(
            target, only=tuple(only), relicense=relicense, offline=offline, rules_dirs=tuple(rules_dirs)
        )
        for line in done or ["nothing to fix"]:
            click.echo(line)
        for step in steps:
            click.echo(f"next step: {step}")
        return
    plan, _root = fix_folder(target, only=tuple(only), relicense=relicense, offline=offline, rules_dirs=rules_dirs)
    click.echo(plan.diff(), nl=False)
    if not plan.changes:
        click.echo("nothing to fix", err=True)
    for step in plan.next_steps:
        click.echo(f"next step: {step}", err=True)
