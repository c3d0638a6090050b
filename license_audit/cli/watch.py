"""license-audit watch OWNER/NAME: find and audit the Hub models that derive from a base model."""

from __future__ import annotations

import sys

import click

from license_audit.cli.common import engine_option, rules_option


@click.command("watch")
@click.argument("base")
@click.option(
    "--since",
    metavar="DATE",
    help="Audit only models changed on or after DATE (YYYY-MM-DD or an ISO date-time), besides those whose "
    "commit changed since the last run into the same folder.",
)
@click.option(
    "--output",
    "-o",
    default="license-audit-watch",
    show_default=True,
    type=click.Path(file_okay=False),
    help="Folder for results.jsonl and report.md; a re-run into it audits only what changed.",
)
@engine_option
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None, help="Audits run at once (default: CPUs).")
@rules_option
def command(base, since, output, engine, jobs, rules_dirs):
    """Find the Hub models derived from BASE (OWNER/NAME), declared or not, and audit each.

    Lists the models whose card declares BASE (any relation: fine-tune, adapter, merge, quantization) and
    the models tagged with BASE's architecture, audits each from its card, configuration and license
    files (never weights), and writes OUTPUT/results.jsonl and OUTPUT/report.md.
    """
    from license_audit.batch.sources import base_model_arg
    from license_audit.pipeline import AuditOptions
    from license_audit.watch.run import WatchSettings, parse_since, run_watch

    base = base_model_arg(base, base)
    if engine == "ray":
        from license_audit.batch.engines import import_ray

        import_ray()
    settings = WatchSettings(
        base=base,
        output=output,
        since=parse_since(since) if since else None,
        engine=engine,
        jobs=jobs,
        rules_dirs=tuple(rules_dirs),
        progress=sys.stderr.isatty(),
    )
    run = run_watch(settings, AuditOptions(rules_dirs=tuple(rules_dirs), history=False))
    click.echo(
        f"license-audit watch {base}: {run.listed} candidate(s) listed, {run.audited} audited, "
        f"{run.unchanged} unchanged since the last run"
        + (f", {run.before_since} not changed since {since}" if since else "")
        + f"; report in {output}/report.md"
    )
    sys.exit(run.exit_code)
