"""Derived data cached as JSON between runs: parsed rules/ folders, the compiled identification index.

Constructing the catalog and registry YAML documents costs more than the rest of a typical audit, even
with libyaml. The cache holds the parsed documents of one folder, keyed by every file's name, size and
modification time (and the tool version), so an edited, added or removed file rebuilds it. It is JSON,
never pickle, and it is only used when a JSON round trip gives back exactly what YAML gave (dates are
tagged; anything JSON cannot carry, such as non-string keys, disables the cache for that folder).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from license_audit import __version__
from license_audit.resources import cache_dir
from license_audit.safeio import read_regular

_FORMAT = 1


def _encode(obj: Any) -> Any:
    if isinstance(obj, dt.datetime):
        return {"$datetime": obj.isoformat()}
    if isinstance(obj, dt.date):
        return {"$date": obj.isoformat()}
    raise TypeError(type(obj).__name__)


def _decode(obj: dict) -> Any:
    if len(obj) == 1:
        if "$date" in obj:
            return dt.date.fromisoformat(obj["$date"])
        if "$datetime" in obj:
            return dt.datetime.fromisoformat(obj["$datetime"])
    return obj


def _names(files: list[Path]) -> tuple[str, str]:
    """(folder part, state part) of the cache file name: one current file per folder, older ones replaced."""
    folder = hashlib.sha256(str(files[0].resolve().parent).encode()).hexdigest()[:12]
    h = hashlib.sha256(f"{__version__}\0{_FORMAT}".encode())
    for p in files:
        st = p.stat()
        h.update(f"\0{p.name}\0{st.st_size}\0{st.st_mtime_ns}".encode())
    return folder, h.hexdigest()[:20]


def load_folder(files: list[Path], read: Callable[[Path], dict]) -> list[dict]:
    """read(path) for every file, in order, from the cache when it is current."""
    where = cache_dir()
    if where is None or not files:
        return [read(p) for p in files]
    try:
        folder, state = _names(files)
    except OSError:
        return [read(p) for p in files]
    name = f"rules-{folder}-{state}.json"
    raw = _read_text(where / name)
    if raw is not None:
        try:
            cached = json.loads(raw, object_hook=_decode)
            if isinstance(cached, list) and len(cached) == len(files) and all(isinstance(d, dict) for d in cached):
                return cached
        except (ValueError, RecursionError):
            pass
    docs = [read(p) for p in files]  # raises InputError for a bad file: nothing is cached then
    try:
        text = json.dumps(docs, default=_encode)  # key order kept: it is the order YAML gave
        if json.loads(text, object_hook=_decode) != docs:
            return docs
    except (TypeError, ValueError):
        return docs  # a document JSON cannot carry only costs the parse next time
    store(name, text, replaces=f"rules-{folder}-")
    prune("rules-", KEEP_FOLDERS)
    return docs


# Parsed folders kept: the shipped ones plus a few --rules folders. Test runs and CI jobs point --rules
# at temporary folders; without a bound every one of them would leave a file behind.
KEEP_FOLDERS = 24


def read(name: str) -> Any:
    """The JSON document cached as `name`, or None (no cache, absent, unreadable or not JSON)."""
    where = cache_dir()
    if where is None:
        return None
    raw = _read_text(where / name)
    if raw is None:
        return None
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):
        return None


def _read_text(path: Path) -> str | None:
    """The text of a cache file, or None: absent, unreadable, not UTF-8, or not a regular file (a FIFO
    put in the cache folder must not stall every later run)."""
    data = read_regular(path, follow_links=True)
    try:
        return None if data is None else data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def store(name: str, text: str, replaces: str | None = None) -> None:
    """Write `text` as cache file `name` atomically; files whose names start with `replaces` (older
    states of the same thing) are removed. An unwritable cache only costs the work next time."""
    where = cache_dir()
    if where is None:
        return
    path = where / name
    tmp = path.with_name(f"{name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        where.mkdir(parents=True, exist_ok=True)
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
        if replaces:
            for old in where.glob(f"{replaces}*.json"):
                if old != path:
                    old.unlink(missing_ok=True)
    except OSError:
        try:
            tmp.unlink(missing_ok=True)
        except OSError:
            pass


def prune(prefix: str, keep: int) -> None:
    """Keep the `keep` most recently written cache files whose names start with `prefix`."""
    where = cache_dir()
    if where is None:
        return
    try:
        found = [(p.stat().st_mtime_ns, p.name, p) for p in where.glob(f"{prefix}*.json")]
        for _, _, old in sorted(found, reverse=True)[keep:]:
            old.unlink(missing_ok=True)
    except OSError:
        pass


def code_stamp(*files: str) -> str:
    """Size and modification time of the source files that derive a cached index: an index built by
    other code (another checkout sharing the cache, a bisect, an edited install) is never read back."""
    out = []
    for f in files:
        try:
            st = os.stat(f)
            out.append(f"{st.st_size}.{st.st_mtime_ns}")
        except OSError:
            out.append("?")
    return "-".join(out)


def key(*parts: object) -> str:
    """A cache key for derived data: the tool version, then whatever the data was derived from."""
    h = hashlib.sha256(f"{__version__}\0{_FORMAT}".encode())
    for part in parts:
        h.update(b"\0" + str(part).encode("utf-8", "surrogatepass"))
    return h.hexdigest()[:20]
