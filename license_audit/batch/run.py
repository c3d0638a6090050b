"""A batch run: expand the sources, skip what the output already holds, audit the rest, summarise."""

from __future__ import annotations

import sys
from contextlib import nullcontext
from dataclasses import dataclass

import click

from license_audit.audit import AuditOptions
from license_audit.batch.engines import run_engine
from license_audit.batch.output import JsonlOutput, OrderedWriter
from license_audit.batch.sources import expand_sources
from license_audit.batch.summary import Summary
from license_audit.errors import AuditError


@dataclass
class BatchSettings:
    engine: str = "local"
    jobs: int | None = None
    address: str | None = None
    chunk_size: int | None = None
    retry_errors: bool = False
    fail_on: str | None = None
    output: str | None = None  # None: JSON Lines on stdout, in target order, no resume
    progress: bool = False


def note(message: str) -> None:
    click.echo(f"license-audit: {message}", err=True)


def run_batch(sources: list[str], options: AuditOptions, settings: BatchSettings, list_models=None) -> Summary:
    targets = expand_sources(sources, offline=options.offline, list_models=list_models)
    summary = Summary(fail_on=settings.fail_on)
    out = JsonlOutput(settings.output) if settings.output else None
    if out is not None:
        out.load()
        done = out.done(settings.retry_errors)
        todo = [t for t in targets if t not in done]
        if len(todo) < len(targets):
            note(f"resuming: {len(targets) - len(todo)} of {len(targets)} target(s) already in {settings.output}")
        out.open()
        sink = out.write
    else:
        todo = targets
        sink = OrderedWriter(sys.stdout, targets).write
        sink_summary = summary.add
    records = run_engine(settings.engine, todo, options, settings.jobs, settings.chunk_size, settings.address) if todo else iter(())
    bar = (click.progressbar(length=len(todo), label="auditing", file=sys.stderr, show_pos=True)
           if settings.progress and todo else nullcontext())
    try:
        with bar:
            for record in records:
                sink(record)
                if out is None:
                    sink_summary(record)
                if settings.progress and todo:
                    bar.update(1)
    except KeyboardInterrupt:
        if out is None:
            raise
        raise AuditError(f"interrupted; the finished audits are in {settings.output}: "
                         "run the same command again to resume") from None
    finally:
        if out is not None:
            out.close()
    if out is not None:
        # Only a completed run is put in order; the summary covers this run's targets, resumed ones too.
        out.finish(targets)
        for record in out.records(targets):
            summary.add(record)
    return summary
