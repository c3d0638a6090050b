"""The JSON Lines output: appended record by record so an interrupted batch resumes, put in target
order when a run completes (same targets and results -> same bytes).

A later record for a target replaces an earlier one (that is how `--retry-errors` re-runs work);
records of targets that are not in the current run are kept, after the run's own, in file order.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from license_audit.errors import InputError

FSYNC_EVERY_SECONDS = 1.0


def dump_record(record: dict) -> bytes:
    return (json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")


def is_record(data: object) -> bool:
    return (
        isinstance(data, dict)
        and isinstance(data.get("target"), str)
        and (isinstance(data.get("report"), dict) or isinstance(data.get("error"), str))
    )


@dataclass(slots=True)  # one per record: a million of them must stay small
class Entry:
    """Where one target's record sits in the output file, and whether it is an error record."""

    offset: int
    length: int
    error: bool


class JsonlOutput:
    def __init__(self, path: str):
        self.path = Path(path)
        self.index: dict[str, Entry] = {}
        self.order: list[str] = []  # targets in the order of their first record in the file
        self._fh: IO[bytes] | None = None
        self._last_sync = 0.0
        self._lock: IO[bytes] | None = None

    def lock(self) -> None:
        """One batch at a time per output file: two would interleave and re-audit each other's targets."""
        try:
            import fcntl
        except ImportError:  # not POSIX: no lock
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._lock = self.path.open("ab")
        except OSError as exc:
            raise InputError(f"{self.path}: cannot write ({exc.strerror})") from None
        try:
            fcntl.flock(self._lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise InputError(f"{self.path}: another batch is writing this file") from None

    def unlock(self) -> None:
        if self._lock is not None:
            self._lock.close()  # closing releases the lock
            self._lock = None

    def load(self) -> None:
        """Index the records already in the file; drop a last line cut short by an interruption."""
        if self.path.exists() and not self.path.is_file():
            raise InputError(f"{self.path}: not a file")
        self.lock()
        good_end = 0
        missing_newline = None
        try:
            with self.path.open("rb") as fh:
                offset = 0
                for number, line in enumerate(fh, 1):
                    complete = line.endswith(b"\n")
                    try:
                        data = json.loads(line)
                    except ValueError:
                        data = None
                    if not is_record(data):
                        if not complete:
                            break  # the write that was interrupted: cut it off below
                        raise InputError(f"{self.path}:{number}: not a batch record; give a new --output file")
                    if data["target"] not in self.index:
                        self.order.append(data["target"])
                    self.index[data["target"]] = Entry(offset, len(line), "report" not in data)
                    offset += len(line)
                    good_end = offset
                    if not complete:
                        missing_newline = data["target"]
        except OSError as exc:
            raise InputError(f"{self.path}: cannot be read ({exc.strerror})") from None
        if self.path.stat().st_size > good_end:
            with self.path.open("r+b") as fh:
                fh.truncate(good_end)
        if missing_newline is not None:
            # A last record that lost only its newline: keep it, and do not glue the next one to it.
            self._append_raw(b"\n")
            self.index[missing_newline].length += 1

    def _append_raw(self, data: bytes) -> None:
        with self.path.open("ab") as fh:
            fh.write(data)

    def done(self, retry_errors: bool = False) -> set[str]:
        return {t for t, e in self.index.items() if not (retry_errors and e.error)}

    def open(self) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._fh = self.path.open("ab")
        except OSError as exc:
            raise InputError(f"{self.path}: cannot write ({exc.strerror})") from None

    def write(self, record: dict) -> None:
        assert self._fh is not None
        data = dump_record(record)
        offset = self._fh.tell()
        self._fh.write(data)
        # Flushed per record so that a killed batch loses nothing it finished; fsync'd at most once a
        # second (per record, fsync would cost more than a small audit).
        self._fh.flush()
        now = time.monotonic()
        if now - self._last_sync >= FSYNC_EVERY_SECONDS:
            os.fsync(self._fh.fileno())
            self._last_sync = now
        target = record["target"]
        if target not in self.index:
            self.order.append(target)
        self.index[target] = Entry(offset, len(data), "report" not in record)

    def close(self) -> None:
        if self._fh is not None:
            self._fh.flush()
            os.fsync(self._fh.fileno())
            self._fh.close()
            self._fh = None

    def read(self, target: str, fh: IO[bytes]) -> bytes:
        entry = self.index[target]
        fh.seek(entry.offset)
        return fh.read(entry.length)

    def records(self, targets: Sequence[str]) -> Iterator[dict]:
        """The current record of each of `targets` that has one, in that order."""
        with self.path.open("rb") as fh:
            for target in targets:
                if target in self.index:
                    yield json.loads(self.read(target, fh))

    def finish(self, targets: Sequence[str]) -> None:
        """Rewrite the file in target order (then other targets' records), by offsets: no report is
        held in memory, so this works for a million records."""
        self.close()
        wanted = set(targets)
        ordered = [t for t in targets if t in self.index] + [t for t in self.order if t not in wanted]
        tmp = self.path.with_name(self.path.name + ".tmp")
        index: dict[str, Entry] = {}
        with self.path.open("rb") as src, tmp.open("wb") as dst:
            for target in ordered:
                data = self.read(target, src)
                index[target] = Entry(dst.tell(), len(data), self.index[target].error)
                dst.write(data)
            dst.flush()
            os.fsync(dst.fileno())
        os.replace(tmp, self.path)
        self.index, self.order = index, ordered


class OrderedWriter:
    """Streams records to a text stream in target order, holding back those that finish early."""

    def __init__(self, stream, targets: Sequence[str]):
        self.stream = stream
        self.position = {t: i for i, t in enumerate(targets)}
        self.next = 0
        self.held: dict[int, dict] = {}

    def write(self, record: dict) -> None:
        self.held[self.position[record["target"]]] = record
        while self.next in self.held:
            self.stream.write(dump_record(self.held.pop(self.next)).decode("utf-8"))
            self.next += 1
        self.stream.flush()
