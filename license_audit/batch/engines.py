"""Run audits over many targets: in this process, a local process pool, or a Ray cluster.

Every engine yields one record per target as audits finish (not in target order); output.py puts
them in order. A target that cannot be audited becomes an error record, never a stopped batch.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from license_audit.batch.output import dump_record
from license_audit.errors import AuditError, InputError
from license_audit.pipeline import AuditOptions, run_audit

ENGINES = ("local", "ray")


def one_line(text: object) -> str:
    return " ".join(str(text).split())


def audit_record(spec: str, options: AuditOptions, run: Callable[[str, AuditOptions], Any] | None = None) -> dict:
    """The target's record: its report, or the error that stopped its audit. Anything that goes wrong
    here, serialising the report included (a text no JSON Lines file can hold), is this target's error
    record: the writer is never handed a record it cannot write, and the batch goes on."""
    try:
        report = (run or run_audit)(spec, options)
        record = {"target": spec, "report": report.to_dict()}
        if report.fail_on:  # set by a policy file, when there is one
            record["fail_on"] = report.fail_on
        dump_record(record)  # what the output will do with it; a failure here is this target's
        return record
    except AuditError as exc:
        return {"target": spec, "error": _safe(one_line(exc))}
    except RecursionError:
        return {"target": spec, "error": "internal error: RecursionError"}
    except Exception as exc:  # one bad repository must not stop a batch of a million
        return {"target": spec, "error": _safe(one_line(f"internal error: {type(exc).__name__}: {exc}"))}


def _safe(text: str) -> str:
    """`text` as UTF-8 can hold it (an error message may quote a name that is not UTF-8)."""
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    except UnicodeEncodeError:  # a surrogate that stands for no byte
        return text.encode("utf-8", "replace").decode("utf-8")


def audit_chunk(specs: Sequence[str], options: AuditOptions) -> list[dict]:
    return [audit_record(spec, options) for spec in specs]


# What an engine runs on each chunk of items; an item is a target spec, or a dict naming its "target".
AuditChunk = Callable[[Sequence[Any], AuditOptions], list[dict]]


def spec_of(item: Any) -> str:
    return item if isinstance(item, str) else item["target"]


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def auto_chunk_size(count: int, workers: int) -> int:
    # Small enough that every worker gets several chunks (balance, progress), big enough that the
    # per-task cost (pickling, scheduling) is spread over many audits.
    return max(1, min(64, count // (workers * 8) or 1))


def chunks(items: Sequence[Any], size: int) -> list[list[Any]]:
    return [list(items[i : i + size]) for i in range(0, len(items), size)]


def run_serial(targets: Sequence[str], options: AuditOptions) -> Iterator[dict]:
    for spec in targets:
        yield audit_record(spec, options)


def run_local(
    targets: Sequence[Any],
    options: AuditOptions,
    jobs: int,
    chunk_size: int | None = None,
    audit: AuditChunk = audit_chunk,
) -> Iterator[dict]:
    """A process pool of `jobs` workers; `jobs == 1` audits in this process (no pool to pay for)."""
    if jobs <= 1 or len(targets) <= 1:
        for item in targets:
            yield from audit([item], options)
        return
    size = chunk_size or auto_chunk_size(len(targets), jobs)
    queue = deque(chunks(targets, size))
    window = jobs * 4  # chunks in flight: keeps workers busy without queueing a million futures
    while queue:
        # A worker that dies (out of memory, a crash in a C library) breaks the whole pool, and every
        # chunk in flight fails with it: those targets are audited again one at a time to find which
        # one killed its worker, then the batch goes on in a new pool.
        suspects: list[Any] = []
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            pending: dict[Future[list[dict]], list[Any]] = {}
            while queue or pending:
                while queue and len(pending) < window and not suspects:
                    chunk = queue.popleft()
                    pending[pool.submit(audit, chunk, options)] = chunk
                if not pending:
                    break
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for fut in done:
                    chunk = pending.pop(fut)
                    try:
                        records = fut.result()
                    except BrokenProcessPool:
                        suspects.extend(chunk)
                        continue
                    except Exception as exc:
                        records = [
                            {"target": spec_of(s), "error": one_line(f"internal error: {type(exc).__name__}: {exc}")}
                            for s in chunk
                        ]
                    yield from records
        yield from isolate(suspects, options, audit)


def isolate(suspects: Sequence[Any], options: AuditOptions, audit: AuditChunk = audit_chunk) -> Iterator[dict]:
    """Audit each target alone in a one-worker pool: a pool that breaks names its target."""
    pool = None
    try:
        for spec in suspects:
            if pool is None:
                pool = ProcessPoolExecutor(max_workers=1)
            try:
                yield from pool.submit(audit, [spec], options).result()
            except BrokenProcessPool:
                yield {"target": spec_of(spec), "error": "the worker process auditing this target died"}
                pool.shutdown(wait=False)
                pool = None
    finally:
        if pool is not None:
            pool.shutdown()


def import_ray():
    try:
        import ray  # optional extra: only `--engine ray` needs it
    except ImportError:
        raise InputError("--engine ray needs Ray: pip install 'model-license-audit[ray]'") from None
    return ray


def check_reachable(address: str, timeout: float = 5.0) -> None:
    """Fail fast on a HOST:PORT nobody answers at (ray.init would retry for minutes)."""
    import socket

    host, sep, port = address.split("://", 1)[-1].rpartition(":")
    if not sep or not port.isdigit() or not host:
        return  # "auto" and friends: Ray resolves and reports those itself
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=timeout).close()
    except OSError as exc:
        raise InputError(f"--address {address}: no Ray cluster answers there ({exc.strerror or exc})") from None


def run_ray(
    targets: Sequence[Any],
    options: AuditOptions,
    jobs: int | None,
    chunk_size: int | None = None,
    address: str | None = None,
    audit: AuditChunk = audit_chunk,
) -> Iterator[dict]:
    """Ray tasks of `chunk_size` targets each, at most `jobs` running at once.

    Without --address a local Ray instance with `jobs` CPUs is started (and stopped at the end); with it
    the batch joins that cluster, whose workers need license-audit installed and the local targets'
    paths readable (a shared file system); hf: targets work anywhere.
    """
    ray = import_ray()
    started = False
    if not ray.is_initialized():
        try:
            if address:
                check_reachable(address)
                ray.init(address=address, log_to_driver=False, logging_level="ERROR")
            else:
                ray.init(
                    num_cpus=jobs or default_jobs(), include_dashboard=False, log_to_driver=False, logging_level="ERROR"
                )
        except ConnectionError as exc:
            raise InputError(f"--address {address}: cannot connect to the Ray cluster ({one_line(exc)})") from None
        started = True
    try:
        workers = jobs or max(1, int(ray.cluster_resources().get("CPU", 1)))
        size = chunk_size or auto_chunk_size(len(targets), workers)
        task = ray.remote(num_cpus=1, max_retries=1)(audit)
        opts_ref = ray.put(options)
        queue = deque(chunks(targets, size))
        pending: dict = {}
        window = workers * 2
        while queue or pending:
            while queue and len(pending) < window:
                chunk = queue.popleft()
                pending[task.remote(chunk, opts_ref)] = chunk
            done, _ = ray.wait(list(pending), num_returns=1)
            for ref in done:
                chunk = pending.pop(ref)
                try:
                    records = ray.get(ref)
                except Exception as exc:  # a task that failed twice (its worker died, its node was lost)
                    if len(chunk) > 1:
                        # Which target killed it? Each is tried again on its own.
                        queue.extendleft([spec] for spec in reversed(chunk))
                        continue
                    first = one_line(str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__)
                    records = [
                        {"target": spec_of(chunk[0]), "error": f"the Ray task auditing this target failed: {first}"}
                    ]
                yield from records
    finally:
        if started:
            ray.shutdown()


def run_engine(
    engine: str,
    targets: Sequence[Any],
    options: AuditOptions,
    jobs: int | None,
    chunk_size: int | None = None,
    address: str | None = None,
    audit: AuditChunk = audit_chunk,
) -> Iterator[dict]:
    if engine == "ray":
        return run_ray(targets, options, jobs, chunk_size, address, audit)
    return run_local(targets, options, jobs or default_jobs(), chunk_size, audit)
