"""Resolve a base model id to its license, following its own `base_model` through the chain.

Order for each id: the registry (rules/models and --rules); the resolution cache (what an earlier audit
resolved, on disk); then, online, the Hub's metadata for the id (huggingface_hub `model_info`: card data,
tags, gated flag; never a file download), or, offline (or with the Hub unreachable), the card in the local
Hugging Face cache. A resolved id's own `base_model` entries are followed until a model without one, a
registered model (whose registry ancestors the checks follow), a loop, or MAX_DEPTH hops.

Every answer says where it came from, and an id that could not be resolved says what was tried, so the
report can name it instead of passing it in silence.
"""

from __future__ import annotations

import json
import os
import re
import time
from dataclasses import dataclass, field
from typing import Any

from license_audit.registry import Registry

MAX_DEPTH = 50  # hops followed from a declared base; a longer chain ends in a finding
MAX_NODES = 100  # ids looked up for one candidate (merges branch)
MAX_HUB_IDS = 200  # ids one audit asks the Hub about (a card cannot make an audit crawl the Hub)
HUB_TIMEOUT = 10.0  # seconds per Hub request
CACHE_FORMAT = 1
MAX_CACHED = 20000  # resolved ids kept in the resolution cache (the most recently written)
# A cached answer is asked again after this many days when the Hub can be reached: a base's card can change
# its license, and a compliance answer must not stay on what the card said once. Offline, or with the Hub
# unreachable, an older answer is still used (it is what the audit knew before).
CACHE_DAYS = 7.0
_MAX_ID = 200
_HUB_PART = re.compile(r"^(?!-|\.)(?!.*(--|\.\.))[\w.-]{1,96}(?<![-.])$", re.ASCII)

SOURCE_REGISTRY = "registry"
SOURCE_HUB = "Hub"
SOURCE_HF_CACHE = "Hugging Face cache"


@dataclass
class BaseInfo:
    """What one source says about one model id."""

    id: str
    source: str
    license: str | None = None  # catalog key: `license_name` when the card says `license: other`
    base_models: list[str] = field(default_factory=list)
    license_link: str | None = None
    gated: bool = False

    def to_cache(self) -> dict[str, Any]:
        return {
            "format": CACHE_FORMAT,
            "id": self.id,
            "license": self.license,
            "base_models": list(self.base_models),
            "license_link": self.license_link,
            "gated": self.gated,
            "source": self.source,
        }


@dataclass
class Link:
    """One model on a resolved chain: its license (None when it states none) and the models between the
    starting base and it (nearest first)."""

    model: str
    license: str | None
    source: str
    via: tuple[str, ...] = ()
    registered: bool = False


@dataclass
class Chain:
    start: str
    path: list[str] = field(default_factory=list)  # the first-base path, nearest first (the report's chain)
    links: list[Link] = field(default_factory=list)
    # Ids whose license could not be established, each with what was tried.
    unresolved: list[tuple[str, list[str]]] = field(default_factory=list)
    problem: str | None = None  # "loop" or "too deep": the chain could not be followed to its end

    @property
    def licensed(self) -> list[Link]:
        return [link for link in self.links if link.license]


def is_hub_id(model_id: str) -> bool:
    parts = model_id.split("/")
    return len(parts) == 2 and all(_HUB_PART.match(p) for p in parts)


def card_license(license_value: Any, license_name: Any) -> str | None:
    """The catalog key a card's `license` / `license_name` mean (as ModelCard.effective_license)."""
    lic = license_value[0] if isinstance(license_value, list) and license_value else license_value
    if not isinstance(lic, str) or not lic.strip():
        return None
    key = lic.strip().lower()[:_MAX_ID]
    if key == "other" and isinstance(license_name, str) and license_name.strip():
        return license_name.strip().lower()[:_MAX_ID]
    return None if key in ("other", "unknown") else key  # `other` without a name names no terms


def _id_list(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    return [s.strip() for s in items[:32] if isinstance(s, str) and 0 < len(s.strip()) <= _MAX_ID]


# ------------------------------------------------------------------------------ resolution cache


def _cache_name(endpoint: str, model_id: str) -> str:
    from license_audit.rulecache import key

    return f"base-{key('base', endpoint, model_id.lower())}.json"


def _from_cache_doc(doc: Any, model_id: str) -> BaseInfo | None:
    """A cached answer, only when every field has the type it was written with (a hostile or damaged
    cache file is ignored, never trusted or executed)."""
    if not isinstance(doc, dict) or doc.get("format") != CACHE_FORMAT:
        return None
    mid, lic, bases, link, gated = (doc.get(k) for k in ("id", "license", "base_models", "license_link", "gated"))
    if not isinstance(mid, str) or mid.lower() != model_id.lower():
        return None
    if lic is not None and (not isinstance(lic, str) or len(lic) > _MAX_ID):
        return None
    if (
        not isinstance(bases, list)
        or len(bases) > 32
        or not all(isinstance(b, str) and len(b) <= _MAX_ID for b in bases)
    ):
        return None
    if link is not None and (not isinstance(link, str) or len(link) > 1000):
        return None
    # The answer keeps the source it came from, so a report built from the cache reads the same.
    source = SOURCE_HF_CACHE if doc.get("source") == SOURCE_HF_CACHE else SOURCE_HUB
    return BaseInfo(mid, source, lic, list(bases), link, gated is True)


def _cache_max_age() -> float:
    """Seconds a cached answer is fresh: LICENSE_AUDIT_CACHE_DAYS (a number of days), else CACHE_DAYS."""
    raw = os.environ.get("LICENSE_AUDIT_CACHE_DAYS", "").strip()
    try:
        days = float(raw) if raw else CACHE_DAYS
    except ValueError:
        days = CACHE_DAYS
    return max(0.0, days if days == days else CACHE_DAYS) * 86400.0


def _is_fresh(doc: Any) -> bool:
    """Whether a cached answer was fetched within the freshness window (an answer without a valid time,
    or one dated in the future, is not)."""
    fetched = doc.get("fetched") if isinstance(doc, dict) else None
    if not isinstance(fetched, int) or isinstance(fetched, bool):
        return False
    age = time.time() - fetched
    return 0 <= age <= _cache_max_age()


def _endpoint() -> str:
    return (os.environ.get("HF_ENDPOINT", "").strip().rstrip("/")) or "https://huggingface.co"


class Resolver:
    """Looks ids up in order (registry, resolution cache, Hub or Hugging Face cache) and follows chains.

    One Resolver serves one audit: answers are kept in memory, and once the Hub cannot be reached it is
    not asked again in that audit.
    """

    def __init__(self, registry: Registry, offline: bool = False, hub: bool = True):
        self.registry = registry
        self.offline = offline  # --offline; HF_HUB_OFFLINE is read when the Hub would be asked
        self.hub = hub and not offline
        self.hub_down: str | None = None
        self._memo: dict[str, tuple[BaseInfo | None, list[str]]] = {}
        self.calls = 0  # Hub requests made, retries included
        self._asked: set[str] = set()

    # -- one id ------------------------------------------------------------------------------

    def lookup(self, model_id: str) -> tuple[BaseInfo | None, list[str]]:
        """What is known about model_id, and (when nothing is) what was tried."""
        key = model_id.strip().lower()
        if key not in self._memo:
            self._memo[key] = self._lookup(model_id.strip())
        return self._memo[key]

    def _lookup(self, model_id: str) -> tuple[BaseInfo | None, list[str]]:
        known = self.registry.get(model_id)
        if known is not None:
            from license_audit.checks.context import base_models_of

            return BaseInfo(known.id, SOURCE_REGISTRY, known.license, base_models_of(known)), []
        tried = ["not in the registry"]
        if not is_hub_id(model_id):
            tried.append("not a Hub id (OWNER/NAME), so neither the Hub nor a cache can be asked")
            return None, tried
        from license_audit import rulecache

        doc = rulecache.read(_cache_name(_endpoint(), model_id))
        cached = _from_cache_doc(doc, model_id)
        if cached is not None and _is_fresh(doc):
            return cached, []
        if self.hub and not self.hub_down:
            from license_audit.sources.hub import is_offline  # imported only when a base needs the Hub

            if is_offline():
                self.hub, self.offline = False, True
        if self.hub and not self.hub_down and len(self._asked) >= MAX_HUB_IDS:
            tried.append(f"the Hub was not asked (this audit already asked it about {MAX_HUB_IDS} models)")
        elif self.hub and not self.hub_down:
            self._asked.add(model_id.lower())
            info, why = self._hub(model_id)
            if info is not None:
                written = dict(info.to_cache(), fetched=int(time.time()))
                rulecache.store(_cache_name(_endpoint(), model_id), json.dumps(written, sort_keys=True))
                rulecache.prune("base-", MAX_CACHED)
                return info, []
            tried.append(why)
        elif self.hub_down:
            tried.append(f"the Hub was not asked ({self.hub_down})")
        else:
            tried.append("the Hub was not asked (offline)")
        if cached is not None:
            return cached, []  # an older answer: the Hub could not be asked again
        info, why = self._hf_cache(model_id)
        if info is not None:
            return info, []
        tried.append(why)
        return None, tried

    def _hub(self, model_id: str) -> tuple[BaseInfo | None, str]:
        """One model_info call. 429 and 5xx answers are retried, with bounded backoff, by the retry
        transport every Hub request of the tool goes through (sources.hub_http)."""
        from huggingface_hub import HfApi
        from huggingface_hub import errors as e

        from license_audit.sources.hub_http import install

        install()
        api = HfApi(endpoint=_endpoint())
        self.calls += 1
        try:
            info = api.model_info(model_id, timeout=HUB_TIMEOUT)
        except e.GatedRepoError:
            return None, "the Hub: gated repository, its metadata needs an HF_TOKEN with access"
        except e.RepositoryNotFoundError:
            return None, "the Hub: repository not found (or private: set HF_TOKEN)"
        except e.HfHubHTTPError as exc:
            response = getattr(exc, "response", None)
            status = response.status_code if response is not None else 0
            if status in (401, 403):
                return None, f"the Hub: HTTP {status} (no access; set HF_TOKEN)"
            if status == 429 or status >= 500:
                return None, f"the Hub: HTTP {status}, still after its retries"
            return None, f"the Hub: HTTP {status or '?'}"
        except Exception as exc:  # transport: no network, DNS, refused, TLS, timeout
            self.hub_down = f"the Hub at {_endpoint()} could not be reached: {type(exc).__name__}"
            return None, self.hub_down
        card = info.card_data
        get = card.get if card is not None else (lambda _k, _d=None: None)
        lic = card_license(get("license"), get("license_name"))
        if lic is None:
            tag = next((t[8:] for t in (info.tags or []) if isinstance(t, str) and t.startswith("license:")), None)
            lic = card_license(tag, get("license_name"))
        link = get("license_link")
        return (
            BaseInfo(
                model_id if not info.id else str(info.id)[:_MAX_ID],
                SOURCE_HUB,
                lic,
                _id_list(get("base_model")),
                link if isinstance(link, str) else None,
                bool(info.gated),
            ),
            "",
        )

    def _hf_cache(self, model_id: str) -> tuple[BaseInfo | None, str]:
        """The card of model_id in the local Hugging Face cache (any revision huggingface_hub recorded)."""
        try:
            from huggingface_hub import try_to_load_from_cache

            path = try_to_load_from_cache(model_id, "README.md")
        except Exception:
            path = None
        if not isinstance(path, str):
            return None, "not in the local Hugging Face cache"
        from license_audit.card import parse_card
        from license_audit.safeio import MAX_TEXT_BYTES

        try:
            with open(path, "rb") as fh:
                text = fh.read(MAX_TEXT_BYTES).decode("utf-8", "replace")
        except OSError:
            return None, "its card in the local Hugging Face cache cannot be read"
        card = parse_card(text, "README.md")
        return (
            BaseInfo(model_id, SOURCE_HF_CACHE, card.effective_license, card.base_models, card.license_link),
            "",
        )

    # -- a chain -----------------------------------------------------------------------------

    def chain(self, start: str) -> Chain:
        """Follow start's base_model entries (all of them: a merge has several) to their roots."""
        out = Chain(start)
        seen: set[str] = set()
        visits_left = MAX_NODES

        def walk(model_id: str, via: tuple[str, ...], on_path: bool) -> None:
            nonlocal visits_left
            key = model_id.lower()
            if key in {v.lower() for v in via}:
                out.problem = out.problem or f"loop: {' -> '.join((*via, model_id))}"
                return
            if key in seen:
                return
            if len(via) >= MAX_DEPTH or visits_left <= 0:
                out.problem = out.problem or f"too deep: more than {MAX_DEPTH} hops from {start}"
                return
            seen.add(key)
            visits_left -= 1
            info, tried = self.lookup(model_id)
            if on_path:
                out.path.append(info.id if info else model_id)
            if info is None:
                out.unresolved.append((model_id, tried))
                return
            registered = info.source == SOURCE_REGISTRY
            out.links.append(Link(info.id, info.license, info.source, via, registered))
            if registered:
                return  # the registry's own ancestors are followed with the registry entry
            for i, parent in enumerate(info.base_models):
                walk(parent, (*via, info.id), on_path and i == 0)

        walk(start, (), True)
        return out
