"""Lineage evidence from weight shapes: safetensors headers (local, or fetched remotely for Hub targets)
and GGUF architecture values. Shapes say less than a config: independent models of one size share them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from license_audit.crawl import Snapshot
from license_audit.lineage.hits import Hit, tie_key
from license_audit.lineage.signature import compare, normalized
from license_audit.registry import KnownModel, Registry

WEIGHTS_HEADER_MIN_FIELDS = 3


_LAYER = re.compile(r"(?:^|\.)layers\.(\d+)\.")
_EXPERT = re.compile(r"\.experts\.(\d+)\.")
_FIRST_EXPERT_GATE = re.compile(r"layers\.\d+\.mlp\.experts\.0\.gate_proj\.weight$")


def _dims(shape: Any, n: int) -> list[int] | None:
    if (
        isinstance(shape, list)
        and len(shape) == n
        and all(isinstance(d, int) and not isinstance(d, bool) for d in shape)
    ):
        return shape
    return None


def signature_from_tensors(tensors: dict[str, tuple[str | None, list[int]]]) -> dict[str, Any]:
    """Hyper-parameters a set of tensor shapes fixes (HF naming): dims, layers, vocabulary, experts, MLA ranks."""
    sig: dict[str, Any] = {}
    layers: set[str] = set()
    experts: set[str] = set()
    moe_gate = None
    for name, (_dtype, shape) in tensors.items():
        if "layers." in name:
            m = _LAYER.search(name)
            if m:
                layers.add(m.group(1))
            if ".experts." in name:
                e = _EXPERT.search(name)
                if e:
                    experts.add(e.group(1))
                if moe_gate is None and name.endswith("experts.0.gate_proj.weight") and _FIRST_EXPERT_GATE.search(name):
                    moe_gate = shape
            elif name.endswith("layers.0.mlp.gate_proj.weight") and _dims(shape, 2):
                sig["intermediate_size"] = shape[0]
            elif name.endswith("layers.0.input_layernorm.weight") and _dims(shape, 1):
                # The width, also where the embedding's shard is not among the files.
                sig.setdefault("hidden_size", shape[0])
            elif name.endswith("layers.0.self_attn.kv_a_layernorm.weight") and _dims(shape, 1):
                sig["kv_lora_rank"] = shape[0]
            elif name.endswith("layers.0.self_attn.q_a_layernorm.weight") and _dims(shape, 1):
                sig["q_lora_rank"] = shape[0]
        elif name.endswith("embed_tokens.weight") and _dims(shape, 2):
            sig["vocab_size"], sig["hidden_size"] = shape
    if moe_gate is not None and _dims(moe_gate, 2):
        sig["moe_intermediate_size"] = moe_gate[0]
    if layers:
        # DeepSeek-V3 stores its multi-token-prediction layer as layers.61; the comparison allows for it.
        sig["num_hidden_layers"] = max(int(x) for x in layers) + 1
    if experts:
        sig["n_routed_experts"] = max(int(x) for x in experts) + 1
    return sig


def _tensors_of(snapshot: Snapshot) -> tuple[dict[str, tuple[str | None, list[int]]], int]:
    """Tensor shapes from the local safetensors headers, else from headers the target fetched remotely
    (Snapshot.safetensors of Hub targets)."""
    from license_audit.artifacts import tensor_entries

    art = snapshot.artifacts
    if art is not None and art.tensors:
        return art.tensors, art.tensor_files
    remote = snapshot.safetensors
    tensors: dict[str, tuple[str | None, list[int]]] = {}
    for _rel, header in sorted(remote.items()):
        if isinstance(header, dict):
            tensors.update(tensor_entries(header))
    return tensors, len(remote)


def _width_index(registry: Registry) -> tuple[dict[Any, list[KnownModel]], list[KnownModel]]:
    """Registry entries by hidden_size, and those without a (hashable) one: built once per registry."""
    by_width: dict[Any, list[KnownModel]] = {}
    without: list[KnownModel] = []
    for known in registry:
        width = known.signature.get("hidden_size")
        if width is None or not isinstance(width, (int, float, str)):
            without.append(known)
        else:
            by_width.setdefault(width, []).append(known)
    return by_width, without


def _by_width(registry: Registry, width: Any) -> list[KnownModel]:
    """The entries whose shapes can agree with an observed width (hidden_size), in registry order: one with
    another width differs on a field both have, so it can match neither weight headers nor GGUF values."""
    if width is None or not isinstance(width, (int, float, str)):
        return list(registry)
    by_width, without = registry.derived("lineage.width-index", lambda: _width_index(registry))
    found = by_width.get(width, [])
    return sorted([*found, *without], key=lambda k: k.id) if without else found


def weights_hits(snapshot: Snapshot, registry: Registry) -> list[Hit]:
    tensors, n_files = _tensors_of(snapshot)
    if not tensors:
        return []
    observed = signature_from_tensors(tensors)
    if len(observed) < WEIGHTS_HEADER_MIN_FIELDS:
        return []
    hits = []
    for known in _by_width(registry, observed.get("hidden_size")):
        sig = known.signature
        keys = [k for k in observed if k in sig]
        if len(keys) < WEIGHTS_HEADER_MIN_FIELDS:
            continue
        # A checkpoint may store its multi-token-prediction layers beside the main stack.
        layers = (
            sig.get("num_hidden_layers"),
            (sig.get("num_hidden_layers") or 0) + (sig.get("num_nextn_predict_layers") or 0),
        )
        equal = [k for k in keys if observed[k] == sig[k] or (k == "num_hidden_layers" and observed[k] in layers)]
        if len(equal) != len(keys):
            continue
        # Shapes alone are weaker than a config: same dims are also what an independent model of that size has.
        conf = 0.6 if len(keys) < 5 else 0.7
        shown = [
            f"{k} {observed[k]}"
            + (
                " (incl. the multi-token-prediction layer)"
                if k == "num_hidden_layers" and observed[k] != sig[k]
                else ""
            )
            for k in sorted(keys)
        ]
        hits.append(
            Hit(
                known.id,
                conf,
                f"safetensors headers ({n_files} file(s), {len(tensors)} tensors): "
                + ", ".join(shown)
                + " as in its config",
            )
        )
    return hits


def _gguf_config(meta: dict[str, Any]) -> dict[str, Any]:
    arch = meta.get("general.architecture")
    if not isinstance(arch, str):
        return {}
    table = {
        "embedding_length": "hidden_size",
        "block_count": "num_hidden_layers",
        "feed_forward_length": "intermediate_size",
        "attention.head_count": "num_attention_heads",
        "attention.head_count_kv": "num_key_value_heads",
        "context_length": "max_position_embeddings",
        "rope.freq_base": "rope_theta",
        "expert_count": "num_local_experts",
        "expert_used_count": "num_experts_per_tok",
        "attention.layer_norm_rms_epsilon": "rms_norm_eps",
        "vocab_size": "vocab_size",
        "attention.kv_lora_rank": "kv_lora_rank",
        "attention.q_lora_rank": "q_lora_rank",
        "expert_feed_forward_length": "moe_intermediate_size",
        "expert_shared_count": "n_shared_experts",
    }
    cfg = {hf: meta[f"{arch}.{key}"] for key, hf in table.items() if f"{arch}.{key}" in meta}
    if "num_local_experts" in cfg:
        cfg["n_routed_experts"] = cfg["num_experts"] = cfg["num_local_experts"]
    return cfg


def gguf_architecture(snapshot: Snapshot) -> tuple[str, dict[str, Any]] | None:
    """(file, config) of the first GGUF file's architecture values, read as the config.json fields they are
    (its vocabulary size from its token list when the metadata has none); None without a GGUF file."""
    art = snapshot.artifacts
    if art is None or not art.gguf:
        return None
    rel, meta = sorted(art.gguf.items())[0]
    cfg = _gguf_config(meta)
    if art.gguf_tokens and "vocab_size" not in cfg:
        cfg["vocab_size"] = len(art.gguf_tokens)
    return rel, cfg


def gguf_hits(snapshot: Snapshot, registry: Registry) -> list[Hit]:
    found = gguf_architecture(snapshot)
    if found is None:
        return []
    rel, cfg = found
    if len(cfg) < 4:
        return []
    hits = []
    width = normalized({"hidden_size": cfg["hidden_size"]})["hidden_size"] if "hidden_size" in cfg else None
    for known in _by_width(registry, width):
        keys = [k for k in cfg if k in known.signature]
        if len(keys) < 4:
            continue
        score, equal, _ = compare({k: known.signature[k] for k in keys}, cfg)
        if score >= 0.999:
            hits.append(
                Hit(known.id, 0.7, f"{rel}: GGUF metadata {len(equal)} of {len(keys)} architecture values equal")
            )
    return hits


@dataclass
class ObservedShape:
    """The architecture a repository shows, and what shows it: config.json, else the first GGUF file's
    architecture values, else the safetensors headers (what the vocabulary evidence compares a model's shape
    with). `where` names it at the start of an evidence line, `says` is the subject of a sentence ("the config
    has another shape")."""

    values: dict[str, Any]
    where: str
    says: str


def observed_shape(snapshot: Snapshot, config: dict[str, Any] | None) -> ObservedShape | None:
    """The repository's architecture, from the strongest source it has; None when nothing shows it."""
    if isinstance(config, dict):
        return ObservedShape(config, "config.json", "the config has")
    gguf = gguf_architecture(snapshot)
    if gguf is not None and gguf[1]:
        return ObservedShape(gguf[1], gguf[0], f"the GGUF architecture values of {gguf[0]} have")
    tensors, _ = _tensors_of(snapshot)
    values = signature_from_tensors(tensors) if tensors else {}
    if values:
        return ObservedShape(values, "safetensors headers", "the safetensors headers have")
    return None


def _registered(registry: Registry, model: str) -> KnownModel:
    known = registry.get(model)
    assert known is not None, "shape hits name registry models"
    return known


def attach(shape_hits: list[Hit], hits: list[Hit], registry: Registry) -> list[Hit]:
    """Shape evidence (weight headers, GGUF values) matching several known models.

    It supports the models other evidence already names; alone, it becomes one candidate (the first
    released match) with the other matches as alternatives, so a shape never multiplies accusations.
    """
    if not shape_hits:
        return []
    named = {(k.id if (k := registry.get(h.model)) else h.model) for h in hits if h.score > 0 or h.declared}
    named |= {a for h in hits for a in h.alternatives}
    support = [h for h in shape_hits if h.model in named]
    if support:
        primaries = {(k.id if (k := registry.get(h.model)) else h.model) for h in hits}
        return [h for h in support if h.model in primaries] or support[:1]
    if len(shape_hits) > 6:
        return []
    ordered = sorted(shape_hits, key=lambda h: tie_key(_registered(registry, h.model)))
    first = ordered[0]
    first.alternatives = [h.model for h in ordered[1:]]
    if first.alternatives:
        first.text += f"; the same shapes belong to {', '.join(first.alternatives)}"
    return [first]
