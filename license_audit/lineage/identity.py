"""Which model the audited repository is itself: the names it goes by and the checkpoint its config was saved
from, compared by a spelling-free key.

A repository is often not a derivative of the model it matches but that model: its publisher's release, or a
mirror, fork or re-upload of it. Its own names say so (the card's `model_name`, `model-index` name and title,
a Hub link whose repository name is the title, the folder a clone is named after). A name is compared by its key: lower case, letters and digits only, a `v` before a version number and
the words "model card" dropped ("Stable Diffusion v2-1 Model Card" and `stable-diffusion-2-1` are one key).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from license_audit.crawl import Snapshot

# A local path: absolute, relative, home, a Windows drive, or a folder ending in a slash.
_LOCAL = re.compile(r"^(?:/|\.{1,2}(?:/|$)|~|[A-Za-z]:[\\/])|[\\/]$|\\")
# Hub ids kept inside download caches: huggingface_hub's `models--OWNER--NAME` folders, ModelScope's
# `modelscope/hub/[models/]OWNER/NAME`.
_HF_CACHE = re.compile(r"(?:^|[\\/])models--([A-Za-z0-9][\w.-]*?)--([A-Za-z0-9][\w.-]*?)(?:[\\/]|$)")
_MS_CACHE = re.compile(r"modelscope[\\/]hub[\\/](?:models[\\/])?([A-Za-z0-9][\w.-]*)[\\/]([A-Za-z0-9][\w.-]*)[\\/]*$")
_CARD_WORDS = re.compile(r"\b(?:model\s+card|card)\b", re.IGNORECASE)
# Nested configs of a composite model name the checkpoint each part was loaded from.
_PART_CONFIGS = ("text_config", "llm_config", "language_config")


def name_key(name: str) -> str:
    """A name without its spelling: the last path component, lower case, letters and digits only, without a
    `v` before a version number or the words "model card"."""
    last = re.split(r"[\\/]+", name.strip().rstrip("/\\"))[-1]
    low = _CARD_WORDS.sub(" ", last.lower())
    low = re.sub(r"(?<![a-z])v(?=\d)", "", low)
    return re.sub(r"[^a-z0-9]+", "", low)


def is_local_path(value: str) -> bool:
    return bool(_LOCAL.search(value.strip())) or value.count("/") > 1


def hub_id_in_path(value: str) -> str | None:
    """The Hub (or ModelScope) id a download cache path keeps: `.../models--Qwen--Qwen3-14B/snapshots/<sha>`,
    `~/.cache/modelscope/hub/models/Qwen/Qwen3-14B`; None for any other path."""
    m = _HF_CACHE.search(value) or _MS_CACHE.search(value.strip())
    return f"{m.group(1)}/{m.group(2)}" if m else None


def config_names(snapshot: Snapshot) -> list[tuple[str, str]]:
    """(where, value) of each `_name_or_path` config.json records: the checkpoint the configuration was saved
    from, top level and the language model part of a composite model."""
    rel, cfg = "config.json", snapshot.configs.get("config.json")
    if not isinstance(cfg, dict):
        rel, cfg = _nested_config(snapshot)
    out: list[tuple[str, str]] = []
    if not isinstance(cfg, dict):
        return out

    def add(where: str, doc: Any) -> None:
        value = doc.get("_name_or_path") if isinstance(doc, dict) else None
        if isinstance(value, str) and 0 < len(value.strip()) <= 300:
            out.append((where, value.strip()))

    add(f"{rel} _name_or_path", cfg)
    for part in _PART_CONFIGS:
        add(f"{rel} {part}._name_or_path", cfg.get(part))
    return out


def _nested_config(snapshot: Snapshot) -> tuple[str, Any]:
    """The one config.json a folder down (a project repository that keeps its model in `model/`), when the
    root has none and it is the only one (a diffusers component's config is no model's)."""
    from license_audit.safeio import JSONProblem, parse_json

    nested = [f for f in snapshot.files if f.count("/") == 1 and f.endswith("/config.json")]
    if len(nested) != 1 or "model_index.json" in snapshot.files:
        return "", None
    text = snapshot.text_of(nested[0])
    try:
        return nested[0], parse_json(text) if text else None
    except JSONProblem:
        return "", None


def config_hub_id(value: str) -> str | None:
    """The Hub id a `_name_or_path` value names: OWNER/NAME as written, or the id a cache path keeps; None
    for a local path (a training run's output folder) or a bare name."""
    from license_audit.lineage.resolve import is_hub_id

    if is_local_path(value):
        return hub_id_in_path(value)
    return value if is_hub_id(value) else None


@dataclass
class Identity:
    """The names the audited repository goes by: (where, name) for the evidence line, and their keys."""

    names: list[tuple[str, str]] = field(default_factory=list)

    @property
    def keys(self) -> set[str]:
        return {k for _, n in self.names if (k := name_key(n))}

    def naming(self, model_id: str) -> tuple[str, str] | None:
        """The first own name that is `model_id`'s name (same key), or None."""
        key = name_key(model_id)
        return next(((w, n) for w, n in self.names if key and name_key(n) == key), None)


def own_identity(snapshot: Snapshot, repo_id: str | None, folder_name: str | None) -> Identity:
    """The repository's own names. The title counts when it names one model; a Hub link in the card whose
    repository name is the title (a mirror's gated-access prompt linking the original's LICENSE) adds that
    id. config.json `_name_or_path` is not one of them: a fine-tune's config keeps its base's id there."""
    card = snapshot.card
    where = card.location
    ident = Identity()
    if repo_id:
        ident.names.append(("the repository id", repo_id))
    if card.model_name:
        ident.names.append((f"{where} model_name", card.model_name))
    index = card.metadata.get("model-index")
    if isinstance(index, list) and index and isinstance(index[0], dict) and isinstance(index[0].get("name"), str):
        ident.names.append((f"{where} model-index name", index[0]["name"]))
    title = card.title
    if title:
        ident.names.append((f"{where} title", title))
        key = name_key(title)
        text = "\n".join(str(v) for v in card.metadata.values() if isinstance(v, str)) + "\n" + card.body[:100_000]
        for m in re.finditer(r"(?:huggingface\.co|hf\.co)/([A-Za-z0-9][\w.-]{1,95})/([A-Za-z0-9][\w.-]{1,95})", text):
            if m.group(1) not in ("datasets", "spaces") and key and name_key(m.group(2)) == key:
                ident.names.append(
                    (f"{where} link to {m.group(1)}/{m.group(2)} (named like the title)", f"{m.group(1)}/{m.group(2)}")
                )
                break
    if folder_name:
        ident.names.append(("the folder name", folder_name))
    return ident
