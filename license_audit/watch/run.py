"""A watch run: list the candidates, audit what is new or changed, write the records and the summary.

Output folder:
  results.jsonl  one record per candidate ever audited into this folder (batch's record shape plus the
                 commit, lastModified, the relations the card declares and the listings it came from),
                 in target order once a run completes
  report.md      the summary for the base's publisher (templates/watch.md.j2)
  listing.jsonl  the listings' pages while a run is unfinished: a resumed run continues them
  watch.json     the base this folder watches (another base is refused)

A candidate whose record names the commit the Hub lists now is not audited again: a run killed part-way
resumes with the rest, and a later run audits only what changed since.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from license_audit.errors import AuditError, InputError
from license_audit.pipeline import AuditOptions


@dataclass
class WatchSettings:
    base: str
    output: str
    since: datetime | None = None
    engine: str = "local"
    jobs: int | None = None
    chunk_size: int | None = None
    rules_dirs: tuple[str, ...] = ()
    progress: bool = False


@dataclass
class WatchRun:
    """What a run did, for the command's closing line and exit code."""

    listed: int = 0
    audited: int = 0
    unchanged: int = 0
    before_since: int = 0
    records: list[dict[str, Any]] = field(default_factory=list)
    report: Any = None  # the WatchReport written

    @property
    def exit_code(self) -> int:
        """1 when a declared derivative has an error-level finding or an undeclared model is derived."""
        r = self.report
        return 1 if r is not None and (r.counts["declared_failing"] or r.counts["lookalikes_derived"]) else 0


def parse_since(text: str) -> datetime:
    """--since DATE: an ISO date or date-time; without a zone it is UTC."""
    try:
        when = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise InputError(f"--since {text}: give a date as YYYY-MM-DD or an ISO date-time") from None
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)


def _modified(item: dict[str, Any]) -> datetime | None:
    value = item.get("last_modified")
    if not value:
        return None
    try:
        return parse_since(value)
    except InputError:
        return None


def gather(settings: WatchSettings, registry, state) -> dict[str, dict[str, Any]]:
    """Every candidate, by target: the base's declared derivatives and the models tagged with its type."""
    from license_audit.watch.candidates import arch_candidates, derivative_candidates, known_base, model_type_of

    known = known_base(settings.base, registry)
    model_type = model_type_of(known)
    base_ids = {known.id, *(known.aliases or [])}
    items: dict[str, dict[str, Any]] = {}

    def add(listed, source: str) -> None:
        if listed.id in base_ids:
            return
        spec = f"hf:{listed.id}"
        item = items.get(spec)
        if item is None:
            item = items[spec] = {
                "target": spec,
                "sha": listed.sha,
                "last_modified": listed.last_modified,
                "declares": listed.relations_to(known.id),
                "sources": [],
                "listed": listed.to_dict(),
            }
        if source not in item["sources"]:
            item["sources"].append(source)

    for listed in derivative_candidates(known.id, state):
        add(listed, f"hf-derivatives:{known.id}")
    for listed in arch_candidates(model_type, state):
        add(listed, f"hf-arch:{model_type}")
    return {k: items[k] for k in sorted(items)}


def run_watch(settings: WatchSettings, options: AuditOptions) -> WatchRun:
    from license_audit.batch.engines import run_engine
    from license_audit.batch.output import JsonlOutput
    from license_audit.batch.run import with_progress
    from license_audit.registry import load_registry
    from license_audit.sources.hub import is_offline
    from license_audit.sources.hub_listing import ListingState
    from license_audit.watch.audit import audit_items
    from license_audit.watch.report import write_report

    if is_offline(options.offline):
        raise InputError("watch lists models on the Hub and needs the network (offline mode is on)")
    folder = Path(settings.output)
    if folder.exists() and not folder.is_dir():
        raise InputError(f"{folder}: not a folder")
    from license_audit.watch.candidates import known_base

    registry = load_registry(settings.rules_dirs)
    known_base(settings.base, registry)  # an unknown base: exit 2 before anything is written
    _claim(folder, settings.base)
    state = ListingState(folder / "listing.jsonl")
    items = gather(settings, registry, state)
    out = JsonlOutput(str(folder / "results.jsonl"))
    run = WatchRun(listed=len(items))
    try:
        out.load()
        recorded = {r["target"]: r.get("sha") for r in out.records(list(out.index))}
        todo = []
        for spec, item in items.items():
            if spec in recorded and recorded[spec] == item["sha"]:
                run.unchanged += 1
            elif (
                settings.since is not None
                and spec not in recorded
                and (_modified(item) or settings.since) < settings.since
            ):
                run.before_since += 1
            else:
                todo.append(item)
        out.open()
        try:
            for record in with_progress(
                run_engine(settings.engine, todo, options, settings.jobs, settings.chunk_size, audit=audit_items),
                len(todo),
                settings.progress,
            ):
                out.write(record)
                run.audited += 1
        except KeyboardInterrupt:
            raise AuditError(
                f"interrupted; the finished audits are in {out.path}: run the same command again to resume"
            ) from None
        finally:
            out.close()
        targets = sorted(set(items) | set(out.index))
        out.finish(targets)
        run.records = list(out.records(targets))
    finally:
        out.unlock()
    run.report = write_report(folder / "report.md", settings.base, registry, run.records)
    state.clear()  # the run is complete: the next one lists afresh
    return run


def _claim(folder: Path, base: str) -> None:
    """One base per output folder (watch.json names it): a re-run compares with that base's records."""
    import json

    meta = folder / "watch.json"
    try:
        recorded = json.loads(meta.read_text(encoding="utf-8")).get("base") if meta.is_file() else None
    except (OSError, ValueError, AttributeError):
        raise InputError(f"{meta}: not a watch folder's description; give a new --output folder") from None
    if recorded is not None and recorded != base:
        raise InputError(f"{folder}: holds the watch of {recorded}; give another --output folder for {base}")
    if recorded is None:
        folder.mkdir(parents=True, exist_ok=True)
        meta.write_text(json.dumps({"base": base}) + "\n", encoding="utf-8")
