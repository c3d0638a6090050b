"""Lineage evidence a repository states itself: card base_model, PEFT adapter, mergekit config, GGUF
general.base_model.*, and card prose ("fine-tuned from X")."""

from __future__ import annotations

import re
from typing import Any

from license_audit.crawl import Snapshot
from license_audit.lineage.hits import Hit
from license_audit.registry import Registry


def declared_hits(snapshot: Snapshot, registry: Registry) -> list[Hit]:
    hits = [
        Hit(b, 1.0, f"{snapshot.card.location}: base_model names {b}", declared=True) for b in snapshot.card.base_models
    ]
    adapter = snapshot.configs.get("adapter_config.json")
    if isinstance(adapter, dict):
        base = adapter.get("base_model_name_or_path")
        if isinstance(base, str) and base.strip():
            kind = adapter.get("peft_type") or "PEFT"
            name = local_path_model(base.strip(), registry)
            hits.append(
                Hit(
                    name,
                    0.95,
                    f"adapter_config.json: {kind} adapter for base_model_name_or_path {base.strip()}",
                    relation="adapter",
                )
            )
    art = snapshot.artifacts
    if art is not None and art.merge_config:
        rel, doc = art.merge_config
        for name in _merge_models(doc):
            hits.append(Hit(local_path_model(name, registry), 0.9, f"{rel}: mergekit merges {name}", relation="merge"))
    if art is not None:
        for rel, meta in sorted(art.gguf.items()):
            for key in sorted(meta):
                m = re.fullmatch(r"general\.base_model\.(\d+)\.(repo_url|name)", key)
                if not m or not isinstance(meta[key], str):
                    continue
                value = meta[key].strip()
                if m.group(2) == "repo_url":
                    value = value.split("huggingface.co/", 1)[-1].strip("/")
                elif meta.get(f"general.base_model.{m.group(1)}.organization"):
                    if meta.get(f"general.base_model.{m.group(1)}.repo_url"):
                        continue  # the repo_url says it exactly
                    value = f"{meta[f'general.base_model.{m.group(1)}.organization']}/{value}"
                if value:
                    hits.append(Hit(value, 0.9, f"{rel}: GGUF metadata {key} is {meta[key]}", relation="quantized"))
    return hits


def local_path_model(name: str, registry: Registry) -> str:
    """A base given as a local path (/data/models/Llama-3.1-8B): the known model its last component names."""
    if registry.get(name) or not re.match(r"^(?:/|\.{1,2}/|~|[A-Za-z]:\\)", name):
        return name
    last = re.split(r"[\\/]+", name.rstrip("/\\"))[-1].lower()
    for short, mid in _short_names(registry):
        if last == short:
            return mid
    return name


def _merge_models(doc: Any) -> list[str]:
    names: list[str] = []

    def add(v: Any) -> None:
        if isinstance(v, dict):
            v = v.get("model")
        if isinstance(v, str) and v.strip() and v.strip() not in names:
            names.append(v.strip())

    if not isinstance(doc, dict):
        return names
    add(doc.get("base_model"))
    for m in doc.get("models") or []:
        add(m.get("model") if isinstance(m, dict) else m)
    for s in doc.get("slices") or []:
        for src in (s.get("sources") or []) if isinstance(s, dict) else []:
            add(src.get("model") if isinstance(src, dict) else None)
    return names[:32]


# --- card prose -----------------------------------------------------------------------------------

_PROSE = re.compile(
    r"(?P<verb>fine[- ]?tuned|trained|built|based|derived|initiali[sz]ed|distilled|quantized|continued[- ]pre-?training|adapted)"
    r"\s+(?:(?:version|variant|checkpoint)\s+of|from|on\s+top\s+of|on|upon|of)\s+(?P<rest>.{0,160})",
    re.IGNORECASE,
)
_HF_ID = re.compile(r"(?:https?://)?(?:huggingface\.co/)?([A-Za-z0-9][\w.-]{1,95})/([A-Za-z0-9][\w.-]{1,95})")
# Words that may stand between the phrase and the model name ("based on the open Qwen2.5-32B base model").
_FILLER = re.compile(
    r"^(?:[\s\[(*_`\"']+|(?:the|a|an|our|their|meta's|google's|open|open-weight|pretrained|pre-trained|"
    r"base|model|weights|checkpoint|version|of|released)\b)+",
    re.IGNORECASE,
)


def _short_names(registry: Registry) -> list[tuple[str, str]]:
    out = []
    for m in registry:
        for name in [m.id, *m.aliases]:
            short = name.split("/")[-1].lower()
            out.append((short, m.id))
    out.sort(key=lambda t: (-len(t[0]), t[0]))
    return out


def _norm_name(text: str) -> str:
    return re.sub(r"[\s_]+", "-", text.lower())


def prose_hits(snapshot: Snapshot, registry: Registry) -> list[Hit]:
    body = snapshot.card.body or ""
    if not body:
        return []
    where = snapshot.card.location
    hits: list[Hit] = []
    seen: set[str] = set()
    shorts = _short_names(registry)
    for m in _PROSE.finditer(body[:200_000]):
        before = body[max(0, m.start() - 12) : m.start()].lower()
        if re.search(r"\bnot\b|\bn't\b", before):
            continue
        rest = m.group("rest").split("\n", 1)[0]
        # The name must follow the phrase (after filler words): "trained on 2T tokens ... Llama" names no base.
        head = _FILLER.sub("", rest, count=1)
        found = None
        idm = _HF_ID.match(head)
        if idm:
            cand = f"{idm.group(1)}/{idm.group(2)}".rstrip(".")
            known = registry.get(cand)
            found = known.id if known else cand
        if found is None:
            window = _norm_name(head[:80])
            for short, mid in shorts:
                if window.startswith(short) and (len(window) == len(short) or not window[len(short)].isalnum()):
                    found = mid
                    break
        if not found or found in seen:
            continue
        seen.add(found)
        verb = m.group("verb").lower()
        relation = "distillation" if verb.startswith("distil") else "quantized" if verb.startswith("quantiz") else None
        line = body[: m.start()].count("\n") + snapshot.card.body_start_line
        phrase = " ".join(m.group(0).split())[:100]
        hits.append(Hit(found, 0.85, f'{where} line {line}: "{phrase}"', relation=relation))
    return hits
