"""Expand SOURCE arguments into an ordered, duplicate-free list of target specs.

A SOURCE is a folder whose subfolders are model repositories, a text file listing targets (one per
line, `#` comments), `hf:OWNER/NAME[@REV]` (one Hub target), `hf-org:NAME` (every model of a Hub
organisation), `hf-derivatives:OWNER/NAME` (every model whose card declares it as a base, through any
relation) or `hf-arch:MODEL_TYPE[:OWNER/NAME]` (every model tagged with the architecture, optionally only
those whose config matches the named base); the last three are listed online.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path

from license_audit.errors import InputError
from license_audit.sources import is_hub_spec, parse_hub_spec
from license_audit.sources.hub_listing import ListingState

ORG_PREFIX = "hf-org:"
DERIVATIVES_PREFIX = "hf-derivatives:"
ARCH_PREFIX = "hf-arch:"
# A list file bigger than this is not a list of targets (1.6M Hub ids fit in ~80 MB).
MAX_LIST_BYTES = 256 * 1024 * 1024

ListModels = Callable[[str], Iterable[str]]


def hub_offline(offline: bool) -> bool:
    return offline or os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on")


def list_org_models(org: str) -> list[str]:
    """Model ids of a Hub organisation (or user), through huggingface_hub."""
    from huggingface_hub import HfApi  # heavy: only when an hf-org: source is given
    from huggingface_hub.utils import logging as hf_logging

    # huggingface_hub logs each retry of a failing request; the one line the user gets is ours.
    logger = hf_logging.get_logger("huggingface_hub")
    level = logger.level
    logger.setLevel("ERROR")
    try:
        return [m.id for m in HfApi().list_models(author=org)]
    finally:
        logger.setLevel(level)


def expand_org(source: str, offline: bool, list_models: ListModels | None = None) -> list[str]:
    org = source[len(ORG_PREFIX) :].strip()
    if not org or "/" in org:
        raise InputError(f"{source}: give an organisation as hf-org:NAME")
    if hub_offline(offline):
        raise InputError(f"{source}: listing a Hub organisation needs the network (offline mode is on)")
    try:
        ids = list((list_models or list_org_models)(org))
    except InputError:
        raise
    except Exception as exc:  # network, HTTP 404, ...: one line, exit 2
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InputError(f"{source}: cannot list the organisation's models ({first})") from None
    if not ids:
        raise InputError(f"{source}: the Hub lists no models for this organisation (is the name right?)")
    # The Hub's listing order changes as models are updated: sort so the batch order is stable.
    return [f"hf:{i}" for i in sorted(set(ids))]


def base_model_arg(text: str, source: str) -> str:
    from license_audit.errors import TargetError

    try:
        repo, rev = parse_hub_spec(f"hf:{text.strip()}")
    except TargetError:
        rev, repo = "x", ""
    if rev or not repo:
        raise InputError(f"{source}: name the base model as OWNER/NAME")
    return repo


def expand_listing(
    source: str, offline: bool, listing: ListingState | None = None, rules_dirs: tuple[str, ...] = ()
) -> list[str]:
    """hf-derivatives: and hf-arch: sources, listed page by page (resumable through `listing`). The base of
    hf-arch:TYPE:OWNER/NAME is looked up in the registry of `rules_dirs`, the one the batch audits with."""
    from license_audit.watch.candidates import arch_candidates, derivative_candidates

    if hub_offline(offline):
        raise InputError(f"{source}: listing Hub models needs the network (offline mode is on)")
    listing = listing or ListingState(None)
    if source.startswith(DERIVATIVES_PREFIX):
        base = base_model_arg(source[len(DERIVATIVES_PREFIX) :], source)
        ids = [m.id for m in derivative_candidates(base, listing)]
    else:
        model_type, _, base_text = source[len(ARCH_PREFIX) :].partition(":")
        model_type = model_type.strip()
        if not model_type or any(c.isspace() or c == "/" for c in model_type):
            raise InputError(f"{source}: give the architecture as hf-arch:MODEL_TYPE[:OWNER/NAME]")
        like = base_model_arg(base_text, source) if base_text else None
        registry = None
        if like:
            from license_audit.registry import load_registry

            registry = load_registry(tuple(rules_dirs))
        ids = [m.id for m in arch_candidates(model_type, listing, like, registry)]
    # The Hub's listing order changes as models are updated: sorted, the batch order is stable.
    return [f"hf:{i}" for i in sorted(set(ids))]


def expand_folder(folder: Path, source: str) -> list[str]:
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as exc:
        raise InputError(f"{source}: cannot list the folder ({exc.strerror})") from None
    # Real subfolders only: hidden ones (.git, .cache) are no models, and a symlink may lead anywhere.
    subs = [e.name for e in entries if not e.name.startswith(".") and e.is_dir(follow_symlinks=False)]
    if not subs:
        raise InputError(f"{source}: no model folders in it (batch audits its subfolders; use `audit` for one model)")
    return [str(Path(source) / name) for name in subs]


def expand_list_file(
    path: Path,
    source: str,
    offline: bool,
    list_models: ListModels | None,
    listing: ListingState | None = None,
    rules_dirs: tuple[str, ...] = (),
) -> list[str]:
    try:
        if path.stat().st_size > MAX_LIST_BYTES:
            raise InputError(f"{source}: too large for a list of targets")
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{source}: a list of targets must be UTF-8 text") from None
    except OSError as exc:
        raise InputError(f"{source}: cannot be read ({exc.strerror})") from None
    base = Path(source).parent
    out: list[str] = []
    for line in text.splitlines():
        spec = line.strip()
        if not spec or spec.startswith("#"):
            continue
        if spec.startswith(ORG_PREFIX):
            out.extend(expand_org(spec, offline, list_models))
        elif spec.startswith((DERIVATIVES_PREFIX, ARCH_PREFIX)):
            out.extend(expand_listing(spec, offline, listing, rules_dirs))
        elif is_hub_spec(spec):
            out.append(spec)
        else:
            # Relative paths are relative to the list file, like `-r` files of pip; no shell has seen a
            # list file, so `~` and `~user` are expanded here (kept as written when they name nobody).
            p = Path(spec)
            try:
                p = p.expanduser()
            except RuntimeError:
                pass
            out.append(str(p) if p.is_absolute() else str(base / p))
    return out


def expand_source(
    source: str,
    offline: bool = False,
    list_models: ListModels | None = None,
    listing: ListingState | None = None,
    rules_dirs: tuple[str, ...] = (),
) -> list[str]:
    if source.startswith(ORG_PREFIX):
        return expand_org(source, offline, list_models)
    if source.startswith((DERIVATIVES_PREFIX, ARCH_PREFIX)):
        return expand_listing(source, offline, listing, rules_dirs)
    if is_hub_spec(source):
        return [source]
    path = Path(source)  # a command-line argument: the shell has expanded `~` already
    if path.is_dir():
        return expand_folder(path, source)
    if path.is_file():
        return expand_list_file(path, source, offline, list_models, listing, rules_dirs)
    raise InputError(f"{source}: no such folder or list file")


def expand_sources(
    sources: Iterable[str],
    offline: bool = False,
    list_models: ListModels | None = None,
    listing: ListingState | None = None,
    rules_dirs: tuple[str, ...] = (),
) -> list[str]:
    """Targets in the order the sources give them, each once. Hub listings interrupted in an earlier
    run continue from `listing`, where they stopped; `rules_dirs` are the batch's `--rules` folders."""
    seen: set[str] = set()
    targets: list[str] = []
    for source in sources:
        for spec in expand_source(source, offline, list_models, listing, rules_dirs):
            if spec not in seen:
                seen.add(spec)
                targets.append(spec)
    return targets
