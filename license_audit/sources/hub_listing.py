"""Hub model listings that page lazily and can resume: the models that declare a base, or carry a tag.

huggingface_hub's `list_models` pages through the Hub's cursor links internally and gives no way to
start again from a page; a listing of thousands of derivatives interrupted half-way would start over.
So the pages are requested here, with huggingface_hub's session (its retries, headers and token) and
error mapping, and after each page the page's models and the link to the next page are appended to a
state file: a resumed run replays the file and continues from the last link.

State file: JSON Lines, `{"source": KEY, "models": [...], "next": URL or null}` per page; a last line cut
short by an interruption is ignored (its page is requested again).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from license_audit.errors import InputError

# Relations through which a model declares its base on the Hub (its `base_model:RELATION:ID` tags).
RELATIONS = ("finetune", "adapter", "merge", "quantized")
EXPAND = ("sha", "lastModified", "gated", "siblings", "tags")
PAGE_SIZE = 1000
PAGE_TRIES = 3  # a page whose JSON arrives cut short is asked for again, this many times in all


@dataclass
class Listed:
    """One model as a listing gives it: enough to audit it without asking the Hub about it again."""

    id: str
    sha: str | None = None
    last_modified: str | None = None
    gated: bool = False
    files: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)

    @classmethod
    def from_api(cls, item: dict[str, Any]) -> Listed | None:
        mid = item.get("id") or item.get("modelId")
        if not isinstance(mid, str) or "/" not in mid:
            return None
        siblings = item.get("siblings") or []
        files = sorted(s["rfilename"] for s in siblings if isinstance(s, dict) and isinstance(s.get("rfilename"), str))
        tags = [t for t in item.get("tags") or [] if isinstance(t, str)]
        sha = item.get("sha") if isinstance(item.get("sha"), str) else None
        modified = item.get("lastModified") if isinstance(item.get("lastModified"), str) else None
        return cls(mid, sha, modified, bool(item.get("gated")), files, sorted(tags))

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Listed:
        return cls(**{k: data[k] for k in ("id", "sha", "last_modified", "gated", "files", "tags") if k in data})

    def relations_to(self, base: str) -> list[str]:
        """The relations through which this model's tags declare `base` (the Hub tags each declared base)."""
        tags = set(self.tags)
        out = [r for r in RELATIONS if f"base_model:{r}:{base}" in tags]
        if not out and f"base_model:{base}" in tags:
            out = ["unknown"]
        return out


def derivative_filters(base: str) -> list[list[str]]:
    """One query per relation, and the relation-less tag for models that name no relation."""
    return [[f"base_model:{r}:{base}"] for r in RELATIONS] + [[f"base_model:{base}"]]


class ListingState:
    """Pages already listed per source, and where each listing stopped (None: no state kept)."""

    def __init__(self, path: str | os.PathLike[str] | None):
        self.path = Path(path) if path is not None else None
        self.models: dict[str, list[Listed]] = {}
        self.next: dict[str, str | None] = {}
        if self.path is not None and self.path.is_file():
            self._load()

    def _load(self) -> None:
        assert self.path is not None
        try:
            lines = self.path.read_bytes().split(b"\n")
        except OSError as exc:
            raise InputError(f"{self.path}: cannot be read ({exc.strerror})") from None
        for line in lines:
            try:
                rec = json.loads(line)
                key, models, nxt = rec["source"], rec["models"], rec["next"]
                page = [Listed.from_dict(m) for m in models]
            except (ValueError, KeyError, TypeError):
                continue  # the line an interruption cut short
            self.models.setdefault(key, []).extend(page)
            self.next[key] = nxt

    def started(self, key: str) -> bool:
        return key in self.next

    def done(self, key: str) -> bool:
        return key in self.next and self.next[key] is None

    def add_page(self, key: str, page: list[Listed], nxt: str | None) -> None:
        self.models.setdefault(key, []).extend(page)
        self.next[key] = nxt
        if self.path is None:
            return
        line = json.dumps({"source": key, "models": [m.to_dict() for m in page], "next": nxt}, sort_keys=True)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as fh:
            fh.write(line + "\n")
            fh.flush()
            os.fsync(fh.fileno())

    def clear(self) -> None:
        """Forget every listing (a finished run's): the next run lists afresh."""
        self.models.clear()
        self.next.clear()
        if self.path is not None:
            try:
                self.path.unlink()
            except FileNotFoundError:
                pass


def _endpoint() -> str:
    from huggingface_hub import constants

    from license_audit.sources.hub import _endpoint as configured

    return configured() or constants.ENDPOINT


def _get_page(url: str, params: Any, what: str) -> tuple[list, str | None]:
    from huggingface_hub.utils import build_hf_headers, get_session, hf_raise_for_status

    last = ""
    for _ in range(PAGE_TRIES):
        response = get_session().get(url, params=params, headers=build_hf_headers())
        hf_raise_for_status(response)
        try:
            data = response.json()
        except ValueError:
            last = "the Hub's answer is not complete JSON"
            continue
        if not isinstance(data, list):
            raise InputError(f"{what}: the Hub's listing is not a list of models")
        return data, response.links.get("next", {}).get("url")
    raise InputError(f"{what}: {last} (asked {PAGE_TRIES} times); run again to continue the listing")


def list_models(key: str, filters: list[str], state: ListingState) -> Iterator[Listed]:
    """The models carrying every tag of `filters`, page by page as they are consumed.

    Pages listed by an earlier, interrupted run under the same `key` are replayed from `state` first,
    and the listing continues from the page where that run stopped.
    """
    from license_audit.sources.hub_http import install

    yield from state.models.get(key, [])
    if state.done(key):
        return
    install()
    url = state.next.get(key)
    params: list[tuple[str, str]] | None = None
    if url is None:
        url = f"{_endpoint()}/api/models"
        params = [("filter", f) for f in filters] + [("expand", e) for e in EXPAND] + [("limit", str(PAGE_SIZE))]
    while url is not None:
        with listing_errors(key):
            raw, nxt = _get_page(url, params, key)
        page = [m for m in (Listed.from_api(item) for item in raw if isinstance(item, dict)) if m is not None]
        state.add_page(key, page, nxt)
        yield from page
        url, params = nxt, None


def listing_errors(what: str):
    """Transport and HTTP errors of a listing -> InputError with one line (exit 2)."""
    import contextlib

    @contextlib.contextmanager
    def guard():
        from huggingface_hub import errors as e

        try:
            yield
        except InputError:
            raise
        except e.HfHubHTTPError as exc:
            status = exc.response.status_code if getattr(exc, "response", None) is not None else "?"
            raise InputError(
                f"{what}: the Hub answered HTTP {status} to the listing; run again later to continue it"
            ) from None
        except Exception as exc:
            if isinstance(exc, (ConnectionError, TimeoutError, OSError)) or type(exc).__module__.startswith("httpx"):
                raise InputError(f"{what}: cannot reach the Hub at {_endpoint()} ({type(exc).__name__})") from None
            raise

    return guard()
