"""A batch run: expand the sources, skip what the output already holds, audit the rest, summarise."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass

import click

from license_audit.batch.engines import run_engine
from license_audit.batch.output import JsonlOutput, OrderedWriter
from license_audit.batch.sources import expand_sources
from license_audit.batch.summary import Summary
from license_audit.errors import AuditError
from license_audit.pipeline import AuditOptions
from license_audit.safeio import is_utf8


@dataclass
class BatchSettings:
    """How a batch runs: engine, parallelism, output and gate; what `license-audit batch` was given."""

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
    from license_audit.sources.hub_listing import ListingState

    # Hub listings (hf-derivatives:, hf-arch:) interrupted in an earlier run go on where they stopped.
    listing = ListingState(f"{settings.output}.listing" if settings.output else None)
    targets = expand_sources(
        sources, offline=options.offline, list_models=list_models, listing=listing, rules_dirs=options.rules_dirs
    )
    summary = Summary(fail_on=settings.fail_on)
    # A target whose name is not UTF-8 (a folder's subfolder) can have no record in a JSON Lines file:
    # it is not audited, said on stderr and counted as not audited, and the batch goes on.
    unnamed = [t for t in targets if not is_utf8(t)]
    if unnamed:
        targets = [t for t in targets if is_utf8(t)]
        for spec in unnamed:
            shown = spec.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
            reason = "its name is not UTF-8 and cannot be recorded; not audited (rename it)"
            note(f"{shown}: {reason}")
            summary.add({"target": shown, "error": reason})
    if settings.output is None:
        ordered = OrderedWriter(sys.stdout, targets)
        for record in _audit(targets, options, settings):
            ordered.write(record)
            summary.add(record)
        return summary
    out = JsonlOutput(settings.output)
    try:
        out.load()
        done = out.done(settings.retry_errors)
        todo = [t for t in targets if t not in done]
        if len(todo) < len(targets):
            note(f"resuming: {len(targets) - len(todo)} of {len(targets)} target(s) already in {settings.output}")
        out.open()
        try:
            for record in _audit(todo, options, settings):
                out.write(record)
        except KeyboardInterrupt:
            raise AuditError(
                f"interrupted; the finished audits are in {settings.output}: run the same command again to resume"
            ) from None
        finally:
            out.close()
        # Only a completed run is put in order; the summary covers this run's targets, resumed ones too.
        out.finish(targets)
        listing.clear()  # a complete run: the next one lists afresh
    finally:
        out.unlock()
    for record in out.records(targets):
        summary.add(record)
    return summary


def _audit(todo: list[str], options: AuditOptions, settings: BatchSettings) -> Iterator[dict]:
    if not todo:
        return
    records = run_engine(settings.engine, todo, options, settings.jobs, settings.chunk_size, settings.address)
    yield from with_progress(records, len(todo), settings.progress)


def with_progress(records: Iterator[dict], total: int, show: bool) -> Iterator[dict]:
    """The records, with a progress bar on stderr when `show` (a terminal) and there is work."""
    if not show or not total:
        yield from records
        return
    # A million redraws would cost more than the audits: at most ~500.
    with click.progressbar(
        length=total, label="auditing", file=sys.stderr, show_pos=True, update_min_steps=max(1, total // 500)
    ) as bar:
        for record in records:
            yield record
            bar.update(1)
