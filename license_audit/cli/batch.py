"""license-audit batch SOURCE...: audit many repositories into JSON Lines, with a summary."""

from __future__ import annotations

import sys

import click

from license_audit.cli.common import engine_option, rules_option, write_output
from license_audit.report import FAIL_ON


@click.command("batch")
@click.argument("sources", nargs=-1, required=True)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False),
    help="JSON Lines file, one record per target; a re-run skips the targets already in it. Default: stdout (no resume).",
)
@click.option(
    "--summary",
    "summary_path",
    type=click.Path(dir_okay=False),
    help="Write the summary to this file (default: stdout with --output, else stderr).",
)
@click.option("--summary-format", type=click.Choice(["text", "markdown"]), default="text", show_default=True)
@engine_option
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    default=None,
    help="Audits run at once (default: this machine's CPUs; with --address: the cluster's).",
)
@click.option("--address", help="Ray cluster to join (e.g. auto or HOST:PORT); default: start a local Ray instance.")
@click.option("--chunk-size", type=click.IntRange(min=1), default=None, help="Targets per task (default: automatic).")
@click.option("--retry-errors", is_flag=True, help="Audit again the targets recorded with an error.")
@click.option(
    "--fail-on",
    type=click.Choice(FAIL_ON),
    default=None,
    help="Exit 1 when a target has a finding at or above this severity (default: error, or its policy's) or could not be audited.",
)
@click.option(
    "--policy",
    "policy_path",
    type=click.Path(dir_okay=False),
    help="Policy file for every target (default: .license-audit.yaml in each).",
)
@click.option("--no-history", is_flag=True, help="Skip the git / Hub history checks.")
@click.option("--offline", is_flag=True, help="Never use the network (hf-org: sources need it).")
@rules_option
def command(
    sources,
    output,
    summary_path,
    summary_format,
    engine,
    jobs,
    address,
    chunk_size,
    retry_errors,
    fail_on,
    policy_path,
    no_history,
    offline,
    rules_dirs,
):
    """Audit many model repositories into JSON Lines (one record per target) and a summary.

    SOURCE: a folder whose subfolders are model repositories, a file listing targets (one per line,
    # comments), hf:OWNER/NAME, or hf-org:NAME (every model of a Hub organisation).

    Each record is {"target": ..., "report": {...}} (the `audit --format json` report) or
    {"target": ..., "error": "..."} for a target that could not be audited.
    """
    from license_audit.batch.run import BatchSettings, run_batch
    from license_audit.errors import InputError
    from license_audit.pipeline import AuditOptions

    if address and engine != "ray":
        raise InputError("--address is for --engine ray")
    if engine == "ray":
        from license_audit.batch.engines import import_ray

        import_ray()  # fail before any work when the extra is missing
    options = AuditOptions(
        rules_dirs=tuple(rules_dirs), offline=offline, history=not no_history, policy_path=policy_path
    )
    settings = BatchSettings(
        engine=engine,
        jobs=jobs,
        address=address,
        chunk_size=chunk_size,
        retry_errors=retry_errors,
        fail_on=fail_on,
        output=output,
        progress=sys.stderr.isatty(),
    )
    summary = run_batch(list(sources), options, settings)
    text = summary.render(summary_format)
    if summary_path:
        write_output(text, summary_path)
    elif output:
        click.echo(text, nl=False)
    else:
        click.echo(text, nl=False, err=True)
    sys.exit(summary.exit_code)
