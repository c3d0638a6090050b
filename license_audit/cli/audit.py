"""license-audit audit TARGET"""

from __future__ import annotations

import sys

import click

from license_audit.cli.common import rules_option, write_output
from license_audit.report import FAIL_ON

FORMATS = ["text", "json", "markdown", "html", "sarif", "spdx-json", "cyclonedx-json"]


@click.command("audit")
@click.argument("target")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True, help="Report format.")
@click.option(
    "--output", "-o", type=click.Path(dir_okay=False), help="Write the report to this file instead of stdout."
)
@click.option(
    "--fail-on",
    type=click.Choice(FAIL_ON),
    default=None,
    help="Exit 1 when a finding at or above this severity remains (default: error, or the policy's).",
)
@click.option(
    "--policy",
    "policy_path",
    type=click.Path(dir_okay=False),
    help="Policy file (default: .license-audit.yaml in the target).",
)
@click.option("--no-history", is_flag=True, help="Skip the git / Hub history checks.")
@click.option("--offline", is_flag=True, help="Never use the network; Hub targets come from the local cache.")
@click.option(
    "--template-dir",
    "--templates",
    "template_dir",
    type=click.Path(file_okay=False, exists=True),
    help="Folder of templates that override the built-in ones.",
)
@click.option(
    "--bom-serial",
    is_flag=True,
    help="With --format cyclonedx-json: give the BOM a random serial number and the current time "
    "(without it the same input gives the same bytes).",
)
@rules_option
def command(target, fmt, output, fail_on, policy_path, no_history, offline, template_dir, bom_serial, rules_dirs):
    """Audit a model repository: a folder, a git work tree, or hf:OWNER/NAME[@REVISION]."""
    from license_audit.errors import InputError
    from license_audit.pipeline import AuditOptions, run_audit
    from license_audit.render import render_report

    if bom_serial and fmt != "cyclonedx-json":
        raise InputError("--bom-serial applies to --format cyclonedx-json only")

    options = AuditOptions(
        rules_dirs=tuple(rules_dirs), offline=offline, history=not no_history, policy_path=policy_path
    )
    report = run_audit(target, options)
    threshold = fail_on or report.fail_on or "error"
    if bom_serial:
        from license_audit.formats.cyclonedx import render

        text = render(report, serial=True)
    else:
        text = render_report(report, fmt, template_dir)
    write_output(text, output)
    sys.exit(1 if report.fails(threshold) else 0)
