"""Evidence collection and scoring for lineage candidates.

Each source (card base_model, adapter/merge/GGUF declarations, card prose, config.json signature, weight
headers, tokenizer) yields Hits: a model, the confidence this source alone gives, and one sentence a person
can check. Hits on the same model combine as independent evidence (1 - prod(1 - p)); negative evidence (a
vocabulary of the same size with other tokens) caps the result. Declared bases stay at 1.0.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from itertools import combinations
from typing import TYPE_CHECKING, Any

from license_audit.crawl import Snapshot, diffusers_denoiser_path
from license_audit.lineage.declarations import (
    card_merge_hits,
    config_name_hits,
    declared_hits,
    is_lora_metadata,
    prose_hits,
)
from license_audit.lineage.families import Families
from license_audit.lineage.hits import Hit, conventions, speaks, stands_in, tie_key
from license_audit.lineage.names import checkpoint_key, declared_model
from license_audit.lineage.shapes import attach, gguf_hits, observed_shape, weights_hits
from license_audit.lineage.signature import (
    TOKEN_ID_FIELDS,
    PreparedSignature,
    _norm,
    canonical,
    compare_prepared,
    diffusers_signature,
    is_diffusers_component,
    normalized,
    other_towers,
    prepare_signature,
    raised_fields,
    shape_differences,
)
from license_audit.lineage.vocab_evidence import has_vocabulary
from license_audit.lineage.vocab_evidence import hits as vocab_hits
from license_audit.lineage.vocab_evidence import relations as vocab_relations
from license_audit.registry import KnownModel, Registry, repo_key, split_revision
from license_audit.report import Candidate
from license_audit.tokenizer import MARKERS

if TYPE_CHECKING:
    from license_audit.catalog import Catalog

# A config that repeats a known signature this well is treated as that model's architecture.
CONFIG_STRONG = 0.97
CONFIG_MIN_FIELDS = 8
# A declared base this close to the best config score takes the config evidence (see _config_hits).
CONFIG_MARGIN = 0.03
# A shape independent labs reuse: an exact config match alone only says "possibly derived".
SHARED_SHAPE_CAP = 0.75
# A shape field changed (layers pruned or added, other dims): at most "possibly derived".
SHAPE_CHANGED_CAP = 0.75
# A config that differs from a known model's in a field derivation work leaves alone (a norm epsilon, an
# activation), while the card declares or merges other bases: those bases explain the config, and the known
# model is a look-alike of another checkpoint (another generation of one architecture), at most "possibly derived".
LOOKALIKE_CAP = 0.6


# --- relation -------------------------------------------------------------------------------------


_TAGS_SOURCE = " library_name/tags"


def quantization_of(snapshot: Snapshot) -> tuple[str, str] | None:
    """(method, where) of a quantization the repository carries, from config.json or a quant config file."""
    cfg = snapshot.configs.get("config.json")
    if isinstance(cfg, dict) and isinstance(cfg.get("quantization_config"), dict):
        q = cfg["quantization_config"]
        method = str(
            q.get("quant_method")
            or q.get("quant_algo")
            or ("bitsandbytes" if "load_in_4bit" in q or "load_in_8bit" in q else "unknown")
        )
        return method.lower(), "config.json quantization_config"
    for name in ("quantize_config.json", "quant_config.json", "hf_quant_config.json"):
        q = snapshot.configs.get(name)
        if isinstance(q, dict):
            inner = q["quantization"] if isinstance(q.get("quantization"), dict) else q
            method = inner.get("quant_algo") or inner.get("quant_method") or ("gptq" if "bits" in inner else "unknown")
            return str(method).lower(), name
    ggufs = [f for f in snapshot.files if f.endswith(".gguf")]
    if ggufs:
        return "gguf", ggufs[0]
    onnx = [f for f in snapshot.files if f.endswith(".onnx")]
    if onnx:
        return "onnx", onnx[0]
    if isinstance(cfg, dict) and isinstance(cfg.get("quantization"), dict) and "group_size" in cfg["quantization"]:
        return "mlx", "config.json quantization"  # MLX writes {"quantization": {"group_size", "bits"}}
    for rel in snapshot.files:
        name = rel.rsplit("/", 1)[-1]
        if name in ("measurement.json", "mlc-chat-config.json") and rel.count("/") <= 1:
            return ("exl2" if name == "measurement.json" else "mlc"), rel
    meta = snapshot.card.metadata
    raw_tags = meta.get("tags")
    tags = raw_tags if isinstance(raw_tags, list) else []
    if str(meta.get("library_name") or "").lower() == "mlx" or "mlx" in [str(t).lower() for t in tags]:
        return "mlx", f"{snapshot.card.path or 'README.md'}{_TAGS_SOURCE}"  # an MLX conversion
    return None


_FULL_WEIGHTS = re.compile(
    r"^(?:model|pytorch_model|tf_model|flax_model|consolidated|diffusion_pytorch_model)"
    r"(?:[-.]\d{5}-of-\d{5})?\.(?:safetensors|bin|pt|pth|h5|msgpack)$"
)
# PEFT's adapter_model.* and the LoRA files diffusers' training scripts write (pytorch_lora_weights.*).
_ADAPTER_WEIGHTS = re.compile(r"^(?:adapter_model|pytorch_lora_weights)\.(?:safetensors|bin)$")


def _has_full_weights(snapshot: Snapshot) -> bool:
    return any(_FULL_WEIGHTS.match(f.rsplit("/", 1)[-1]) and f.count("/") <= 1 for f in snapshot.files)


def relation_from_files(snapshot: Snapshot, known: KnownModel | None = None) -> str:
    """What the repository's files say it is: `adapter` (PEFT files without full weights), `merge`
    (mergekit, several declared bases, or an adapter beside full merged weights), `quantized` (GGUF, AWQ,
    GPTQ, EXL2, bitsandbytes, ONNX or MLX conversions), else `finetune`."""
    art = snapshot.artifacts
    adapter_files = [f for f in snapshot.files if f.count("/") <= 1 and f.rsplit("/", 1)[-1] == "adapter_config.json"]
    lora_files = art is not None and any(is_lora_metadata(m) for m in art.weights_metadata.values())
    if adapter_files or lora_files or any(_ADAPTER_WEIGHTS.match(f) for f in snapshot.files):
        return "merge" if _has_full_weights(snapshot) else "adapter"
    if len(snapshot.card.base_models) > 1 or (art is not None and art.merge_config):
        return "merge"
    quant = quantization_of(snapshot)
    if quant and not (known and known.native_quantization and quant[0] == known.native_quantization):
        return "quantized"
    return "finetune"


def infer_relation(snapshot: Snapshot, known: KnownModel | None = None, names: tuple[tuple[str, str], ...] = ()) -> str:
    """The relation of relation_of (see there)."""
    return relation_of(snapshot, known, names).kind


@dataclass(frozen=True)
class Relation:
    """What the repository is to its base, and, when the card's words rather than its files or its
    `base_model_relation` say so, the sentence that quotes them."""

    kind: str
    why: str | None = None


def relation_of(
    snapshot: Snapshot, known: KnownModel | None = None, names: tuple[tuple[str, str], ...] = ()
) -> Relation:
    """The card's `base_model_relation` when it is consistent with the files, else what the files say; when
    the files say only `finetune` (a card without its weights, a quant kept in branches), what the card says
    of itself (card_relation). `names`: (where, name) of the repository id and folder name, when known.

    Inconsistent: `adapter` for a repository that holds weights but no adapter."""
    rel = snapshot.card.base_model_relation
    files = relation_from_files(snapshot, known)
    if rel and not relation_conflict(snapshot, rel, files):
        return Relation(rel)
    if files == "quantized" and _quantized_by_tags(snapshot):
        # A tag is a guess; the card saying what was done ("a LoRA fine-tune ... via mlx-lm") is not.
        return card_statement(snapshot) or Relation(files)
    if files != "finetune":
        return Relation(files)
    said = card_relation(snapshot, names)
    return said if said is not None else Relation(files)


def _quantized_by_tags(snapshot: Snapshot) -> bool:
    """Whether only the card's `library_name` or tags (`mlx`) say the repository is a quantization."""
    quant = quantization_of(snapshot)
    return quant is not None and quant[1].endswith(_TAGS_SOURCE)


# A quantization format or the word for it, as a word of a name ("Mistral 7B Instruct v0.2 - AWQ",
# "Llamacpp imatrix Quantizations of X", "X quantized to 4bit weights").
_QUANT_WORD = re.compile(
    r"(?<![a-z0-9])(?:gguf|ggml|gptq|awq|exl2|bnb|quanti[sz](?:ed|ations?)|quants)(?![a-z0-9])", re.IGNORECASE
)
# A name ending in a bit width or an MLX conversion ("Qwen2.5-7B-Instruct-4bit", "Llama-2-7b-chat-mlx",
# "Qwen2-VL-7B-Instruct-GPTQ-Int4"): the name a quantized upload is given.
_QUANT_SUFFIX = re.compile(r"[-_ .](?:\d{1,2}-?bits?|int[2348]|nf4|mlx)$", re.IGNORECASE)
_MERGE_METHOD = "merge_method"


def card_relation(snapshot: Snapshot, names: tuple[tuple[str, str], ...] = ()) -> Relation | None:
    """What the card says the repository is, strongest first:

    1. `quantized_by:` in the front matter: who made the quantization (TheBloke's, bartowski's and
       mradermacher's cards), unless the card says in its own words how the weights were made (3): some
       authors set it on their fine-tunes too;
    2. `library_name: peft` on a repository without full weights: the weights are a PEFT adapter;
    3. one of the model's own names (`model_name`, `model-index` name, title, repository id) with a
       quantization format or word ("GGUF", "GPTQ", "AWQ", "EXL2", "bnb", "Quantizations of", "quantized"),
       or ending in a bit width or `-mlx` ("-4bit", "-Int4"); else the card's own words on how the weights
       were made (card_statement): "a LoRA fine-tune of X", "This model is a fine-tune (DPO) of X";
    4. a mergekit configuration in the card (a YAML block with `merge_method` and the models it merges);
    5. the folder name, as in 3 (a folder can be named anything, so it comes last).

    The own names come before the mergekit block: a quantization's card often quotes the original merge's
    card, block included. None when the card says none of these."""
    card = snapshot.card
    where = card.location
    said = card_statement(snapshot)
    by = card.metadata.get("quantized_by")
    if isinstance(by, str) and by.strip() and said is None:
        return Relation("quantized", f"{where} quantized_by: {by.strip()[:60]} (the card names who quantized it)")
    lib = card.metadata.get("library_name")
    if isinstance(lib, str) and lib.strip().lower() == "peft" and not _has_full_weights(snapshot):
        return Relation("adapter", f"{where} library_name: peft (the weights are a PEFT adapter)")
    own = own_names_of(snapshot) + [(w, n) for w, n in names if w != "the folder name"]
    hit = _quantized_name(own) or said
    if hit is not None:
        return hit
    from license_audit.lineage.declarations import card_merge_config

    block = card_merge_config(snapshot)
    if block is not None:
        return Relation(
            "merge", f"{block[0]}: a mergekit configuration ({_MERGE_METHOD}: {block[1].get(_MERGE_METHOD)})"
        )
    return _quantized_name([(w, n) for w, n in names if w == "the folder name"])


# The card saying in its own words that the weights are a LoRA ("A LoRA fine-tune of X", "plain LoRA SFT via
# mlx-lm", "fine-tuned with QLoRA", "LoRA adapter for X") or a fine-tune ("This model is a fine-tune (DPO) of
# X", "is a fine-tuned version of X", "fine-tuned with DPO").
_LORA_SAID = re.compile(
    r"\b(?:Q|Do)?LoRA[\s-]+(?:fine-?tun(?:e|ed|ing)|adapters?|SFT|DPO|training|trained)\b"
    r"|\bfine-?tuned\s+(?:with|using|via)\s+(?:Q|Do)?LoRA\b"
    # "LoRA for [FLUX.1-dev](https://huggingface.co/...)": a LoRA of the linked model
    r"|\bLoRAs?\s+(?:weights\s+)?for\s+\[[^\]\n]{1,120}\]\(\s*(?:https?://)?(?:www\.)?(?:huggingface\.co|hf\.co)/",
    re.IGNORECASE,
)
_FINETUNE_SAID = re.compile(
    r"\b(?:is|was|as)\s+(?:a|an)\s+(?:[\w-]+\s+){0,2}?fine-?tune(?:d\s+version)?\s+(?:\([^)\n]{1,30}\)\s+)?(?:of|from|on)\b"
    r"|\bfine-?tuned\s+(?:with|using|via)\s+(?:DPO|SFT|ORPO|KTO|IPO|SimPO|RLHF)\b",
    re.IGNORECASE,
)


def card_statement(snapshot: Snapshot) -> Relation | None:
    """What the card says in its own words (not in a quoted card of its base) was done to make the weights: a
    LoRA (`adapter`; `finetune` beside full weights, where it was merged in) or a fine-tune. None when it
    says neither."""
    from license_audit.lineage.declarations import own_text

    text = own_text((snapshot.card.body or "")[:200_000])
    for pattern, kind in ((_LORA_SAID, "adapter"), (_FINETUNE_SAID, "finetune")):
        m = pattern.search(text)
        if m is None:
            continue
        if kind == "adapter" and _has_full_weights(snapshot):
            kind = "finetune"
        line = text[: m.start()].count("\n") + snapshot.card.body_start_line
        start = text.rfind("\n", 0, m.start()) + 1
        end = text.find("\n", m.end())
        said = " ".join(text[start : end if end >= 0 else len(text)].split())[:100]
        return Relation(kind, f'{snapshot.card.location} line {line}: "{said}" says how the weights were made')
    return None


RELATION_LINE = "relation "  # how an evidence line that says the relation, not the derivation, begins


def relation_line(basis: Relation) -> str:
    """The evidence line for a relation the card's words give: it says what kind of derivative the model
    is, not that it derives (a finding quoting the evidence for a base leaves it out)."""
    return f"{RELATION_LINE}{basis.kind}: {basis.why}"


def own_names_of(snapshot: Snapshot) -> list[tuple[str, str]]:
    """(where, name) of the names the card gives the model: `model_name`, `model-index` name, title."""
    from license_audit.lineage.identity import own_identity

    return own_identity(snapshot, None, None).names


def _quantized_name(names: list[tuple[str, str]]) -> Relation | None:
    for where, name in names:
        text = name.strip()
        if _QUANT_WORD.search(text) or _QUANT_SUFFIX.search(text):
            return Relation("quantized", f'{where} "{text[:100]}" names a quantization')
    return None


def relation_conflict(snapshot: Snapshot, declared: str, files: str) -> str | None:
    """Why the card's base_model_relation cannot be what the repository is, or None. A card without its
    weights (a copy of the card alone) contradicts nothing."""
    if declared == "adapter" and files != "adapter" and snapshot.weight_files:
        return "the card's base_model_relation is `adapter`, but the repository holds weights and no adapter (adapter_config.json, adapter_model.*)"
    return None


# --- config.json ----------------------------------------------------------------------------------


def _config_confidence(score: float, same_shape: bool = False) -> float:
    # Full agreement on a large signature is strong but not proof: another lab could repeat a shape.
    if score >= 0.999:
        return CONFIG_STRONG
    if same_shape and score >= 0.9:
        # Every weight shape kept, only vocabulary/context raised or token ids moved: what derivation work does.
        return 0.8 + (score - 0.9) * 1.6  # 0.8 .. 0.96
    if score >= 0.9:
        return 0.6 + (score - 0.9) * 3.0  # 0.6 .. 0.9
    if score >= 0.75:
        return 0.3 + (score - 0.75) * 2.0
    return score * 0.3


# Shape fields a config repeats from the model it derives from. A known model sharing at most one of them (of
# three the config has) keeps under 0.75 of the weight, a config confidence under 0.3 that never decides a
# candidate: it is not scored at all, which keeps the scoring cost with the number of plausible models, not with
# the size of the registry. A pruned model keeps two (depth: width and FFN; width: layers and, often, heads).
_INDEX_FIELDS = ("hidden_size", "num_hidden_layers", "intermediate_size")


def _index_key(value: Any) -> Any:
    """A shape value as a lookup key that is equal exactly when the JSON texts are (ints as themselves)."""
    return value if type(value) is int else json.dumps(value, sort_keys=True)


@dataclass
class _ShapeIndex:
    """Registry entries by the shape values they share with a config, built once per registry.

    `single` holds the entries with one index field's value, `pair` those with two of them: a config with all
    three fields looks its three pairs up (every entry sharing at least two), one with fewer its single values.
    `prepared` keeps each entry's signature ready for comparison, filled as entries are compared.
    """

    single: dict[tuple[str, Any], list[KnownModel]] = field(default_factory=dict)
    pair: dict[tuple[tuple[str, Any], tuple[str, Any]], list[KnownModel]] = field(default_factory=dict)
    prepared: dict[str, PreparedSignature] = field(default_factory=dict)


def _build_shape_index(registry: Registry) -> _ShapeIndex:
    index = _ShapeIndex()
    for known in registry:
        keys = [(k, _index_key(known.signature[k])) for k in _INDEX_FIELDS if k in known.signature]
        for key in keys:
            index.single.setdefault(key, []).append(known)
        for a, b in combinations(keys, 2):
            index.pair.setdefault((a, b), []).append(known)
    return index


def _shape_index(registry: Registry) -> _ShapeIndex:
    return registry.derived("lineage.shape-index", lambda: _build_shape_index(registry))


def _plausible(observed: dict[str, Any], index: _ShapeIndex) -> list[KnownModel] | None:
    """Known models sharing a shape field with the config (two of them when it has all three), or None when
    the config has none of the fields. Only the index's buckets for the config's own values are read."""
    keys = [(k, _index_key(observed[k])) for k in _INDEX_FIELDS if k in observed]
    if not keys:
        return None
    buckets = (
        [index.pair.get(p, ()) for p in combinations(keys, 2)]
        if len(keys) == len(_INDEX_FIELDS)
        else [index.single.get(k, ()) for k in keys]
    )
    found: dict[str, KnownModel] = {}
    for bucket in buckets:
        for known in bucket:
            found[known.id] = known
    return list(found.values())


# Registered configs of a model_type needed to tell which settings its class has.
CLASS_SETTINGS_MIN_MODELS = 3


def class_settings(registry: Registry) -> dict[str, frozenset[str]]:
    """The signature fields each model_type's registered configs set (to a value, not null): what a config of
    that class can express. Only for a model_type with CLASS_SETTINGS_MIN_MODELS configs or more; built once
    per registry."""

    def build() -> dict[str, frozenset[str]]:
        seen: dict[str, set[str]] = {}
        count: dict[str, int] = {}
        for known in registry:
            mt = known.signature.get("model_type")
            if isinstance(mt, str):
                count[mt] = count.get(mt, 0) + 1
                seen.setdefault(mt, set()).update(k for k, v in known.signature.items() if v is not None)
        return {mt: frozenset(keys) for mt, keys in seen.items() if count[mt] >= CLASS_SETTINGS_MIN_MODELS}

    return registry.derived("lineage.class-settings", build)


def inexpressible(known: KnownModel, observed: dict[str, Any], settings: dict[str, frozenset[str]]) -> frozenset[str]:
    """The known model's fields a config of another class cannot hold (Qwen2's sliding-window keys in a
    LlamaConfig): when it lacks them, that is the class, not a difference."""
    mine = observed.get("model_type")
    theirs = known.signature.get("model_type")
    if not isinstance(mine, str) or mine == theirs or mine not in settings:
        return frozenset()
    return frozenset(k for k in known.signature if k not in settings[mine])


def _is_pipeline(signature: dict[str, Any]) -> bool:
    """Whether a signature is a diffusers pipeline's (diffusers_signature), not a transformers config's."""
    return "denoiser" in signature or "pipeline" in signature


def _score_config(
    observed: dict[str, Any], registry: Registry, pipeline: bool = False
) -> list[tuple[KnownModel, float, list[str], list[str]]]:
    """Known models by how well `observed` repeats their signature. `pipeline`: observed is a diffusers
    signature, compared with the registry's pipelines only (and a transformers config never with them)."""
    scored = []
    index = _shape_index(registry)
    prepared = index.prepared
    if pipeline:
        observed = {k: _norm(v) for k, v in observed.items()}
        candidates: Any = [k for k in registry if _is_pipeline(k.signature)]
    else:
        observed = normalized(observed)
        plausible = _plausible(observed, index)
        candidates = registry if plausible is None else plausible
    settings = {} if pipeline else class_settings(registry)
    for known in candidates:
        if not known.signature or (not pipeline and _is_pipeline(known.signature)):
            continue
        ready = prepared.get(known.id)
        if ready is None:
            ready = prepared[known.id] = prepare_signature(known.signature, known.variants)
        score, equal, differ = compare_prepared(ready, observed, inexpressible(known, observed, settings))
        if len(equal) < CONFIG_MIN_FIELDS:
            continue
        scored.append((known, score, equal, differ))
    scored.sort(key=lambda t: (-t[1], t[0].released or "9999", t[0].id))
    return scored


def _config_hits(
    label: str,
    observed: dict[str, Any],
    registry: Registry,
    what: str = "architecture fields",
    declared: tuple[str, ...] = (),
    vocab: dict[str, str] | None = None,
    named: frozenset[str] = frozenset(),
    scored: list | None = None,
    catalog: Catalog | None = None,
    bases: tuple[str, ...] = (),
    markers: list[str] | tuple[str, ...] = (),
) -> list[Hit]:
    """One hit: a config derives from one architecture, so only the best match (or its tie set) is a candidate.

    `vocab` (model id -> identical|extended|different, from the tokenizer) splits a set of config-identical
    models: a member whose vocabulary the repository shares leads, one whose vocabulary it does not is dropped.
    With `catalog` (the audit's own), the notes on such a set also say what each member's license asks.
    `bases`: the models the card declares or the merge takes from, registered or not (they explain the config).
    `markers`: the chat/special-token markers of the tokenizer files, which name a member's family (DeepSeek's
    tokens on the config of Qwen2.5-32B and of DeepSeek-R1-Distill-Qwen-32B).
    """
    vocab = vocab or {}
    scored = scored if scored is not None else _score_config(observed, registry)
    if not scored:
        return []
    best = scored[0][1]
    ties = [t for t in scored if abs(t[1] - best) < 1e-9]
    if any(vocab.get(t[0].id) != "different" for t in ties):
        ties = [t for t in ties if vocab.get(t[0].id) != "different"]
    # A config holding another input tower (Qwen-VL's `visual`) is a multimodal model's: its language model may
    # repeat a text-only model's config exactly, but the checkpoint is a multimodal member of the set.
    towers = other_towers(observed)
    text_only = [t[0] for t in ties if not t[0].multimodal] if towers and any(t[0].multimodal for t in ties) else []
    ties = [t for t in ties if t[0] not in text_only]
    # Within the set, a member the card prose, an adapter or a GGUF file names leads, then vocabulary evidence,
    # then the family the chat markers name; a registered fine-tune of another member does not stand in for it.
    speakers = conventions(markers)
    tie_ids = {t[0].id for t in ties}
    ties.sort(
        key=lambda t: (
            t[0].id not in named,
            vocab.get(t[0].id) not in ("identical", "extended"),
            not speaks(t[0], speakers),
            stands_in(t[0], tie_ids),
            tie_key(t[0]),
        )
    )
    top = ties[0]
    note = ""
    displaced = None
    base = _base_as_good(top, scored, observed, registry, vocab, speakers)
    if base is not None:
        note = f"; {top[0].id}, registered as a fine-tune of it, repeats the config no better"
        displaced, top, ties = top[0], base, [base]
    # A declared base with the same shapes takes the evidence: the config cannot tell it from the best
    # match by its weights, and the card has already said which one it is. A model the
    # card prose, an adapter or a GGUF file names does the same when nothing is declared, so that one
    # base is not reported twice (Llama-3.1-8B by its config, Llama-3.1-8B-Instruct by the prose).
    # Prose is free text ("beats models fine-tuned from X" names X too), so a named model takes over
    # only as the near twin of the best match: it differs from the config in token ids alone, and the
    # best match stays listed as the alternative.
    preferred = [t for t in scored if t[0].id in declared] or [
        t for t in scored if t[0].id in named and set(t[3]) <= TOKEN_ID_FIELDS
    ]
    for t in preferred:
        # A declared base with the config's shapes takes the evidence even when the best match repeats more
        # fields (context, rope, token ids): the card says which checkpoint it is, and the closer config is
        # listed as the alternative, with its license when that differs.
        near = t[1] >= best - CONFIG_MARGIN or t[0].id in declared
        if near and not shape_differences(t[0].signature, observed):
            if t[0] is not top[0]:
                note = (
                    f"; closest known config: {top[0].id} (same family)"
                    if t[0].family == top[0].family
                    else f"; closest known config: {top[0].id}"
                )
                if t[0].id not in declared or t[0].license != top[0].license:
                    displaced = top[0]  # for a declared base, listed when its license says something else
                top, ties = t, [t]
            elif t[0].id in declared:
                ties = [t]  # declared: the set's other members are no longer alternatives
            break
    known, score, equal, differ = top
    shape_changed = shape_differences(known.signature, observed)
    conf = _config_confidence(score, same_shape=not shape_changed)
    text = f"{label}: {len(equal)} of {len(known.signature)} {what} equal"
    if differ:
        raised = raised_fields(known.signature, observed)
        shown = [d + " (raised)" if d in raised else d for d in sorted(differ)[:6]]
        text += f" (differs: {', '.join(shown)})"
    text += note
    cap = None
    if shape_changed:
        cap = SHAPE_CHANGED_CAP
    seen_vocab = canonical(observed).get("vocab_size")
    if "vocab_size" in differ:
        # A vocabulary of another size: an own tokenizer on a reused shape is what independent models do
        # (Llama-3-70B on Llama-2-70B's body). Only the tokenizer can show the base vocabulary extended;
        # the config alone says "possibly derived".
        cap = min(cap or 1.0, SHAPE_CHANGED_CAP)
        text += "; " + _vocab_size_sentence(known, seen_vocab, observed, vocab.get(known.id))
    if known.shape_shared:
        cap = min(cap or 1.0, SHARED_SHAPE_CAP)
        text += f"; not proof on its own: {known.shape_shared}"
    kept = _kept_fields(known.signature, observed, differ)
    if kept and bases and known.id not in declared and known.id not in named:
        cap = min(cap or 1.0, LOOKALIKE_CAP)
        shown_bases = ", ".join(bases[:3]) + (" ..." if len(bases) > 3 else "")
        text += (
            f"; derivation does not change {', '.join(kept)}, and the card's bases ({shown_bases}) explain the "
            f"config: a look-alike of {known.id}, not the checkpoint the config was saved from"
        )
    hit = Hit(known.id, min(conf, cap) if cap else conf, text, exact=score >= 0.999)
    if displaced is not None:
        hit.alternatives = [displaced.id]
        if displaced.license != known.license:
            note = (
                f"if the base is {displaced.id} (the closest known config), its license "
                f"{displaced.license} applies instead"
            )
            if catalog is not None:
                note += f": {duties_of(displaced.license, catalog)}"
            hit.notes.append(note)
    if text_only and known.multimodal:
        hit.notes.append(
            f"its language model repeats the config of {', '.join(m.id for m in text_only)} (text only), but "
            f"config.json holds {', '.join(f'`{k}`' for k in towers)}, the sub-config of another input tower, "
            f"as {hit.model}'s does"
        )
    if len(ties) > 1:
        members = [t[0] for t in ties]
        hit.alternatives = [m.id for m in members[1:]]
        others = ", ".join(f"{m.id} ({m.license})" for m in members[1:])
        hit.notes.append(f"same config as {others}")
        if speaks(known, speakers) and not all(speaks(m, speakers) for m in members):
            hit.notes.append(f"{known.id} leads: the tokenizer's chat/special tokens follow its family's convention")
        if len({m.license for m in members}) > 1:
            note = "if the base is another member of that set, its license applies instead"
            if catalog is not None:
                implied = [f"{lic}: {duties_of(lic, catalog)}" for lic in sorted({m.license for m in members})]
                note += "; what each asks of a derivative: " + "; ".join(implied)
            hit.notes.append(note)
    if len(known.terms) > 1 and known.id not in declared:
        # One entry, checkpoints under different terms (DeepSeek-V3's December 2024 weights and its 0324
        # update): the config cannot tell them apart either.
        groups = "; ".join(
            f"{', '.join(t.checkpoints) or known.id}{f' ({t.name})' if t.name else ''}: {', '.join(t.licenses)}"
            for t in known.terms
        )
        hit.notes.append(f"{known.id} was published under different terms by checkpoint: {groups}")
    return [hit]


def _vocab_size_sentence(known: KnownModel, seen: Any, observed: dict[str, Any], vocab_kind: str | None) -> str:
    """What a vocabulary size other than the known model's says, given what the tokenizer showed (`vocab_kind`:
    identical, extended, different, or None when it was not compared). An embedding is resized around the same
    tokenizer (padded to a multiple, or trimmed to len(tokenizer) by resize_token_embeddings), so a size alone
    tells an extension or an own vocabulary from the base's only with the tokenizer."""
    size = f"vocabulary size {seen} instead of {known.signature.get('vocab_size')}"
    raised = "vocab_size" in raised_fields(known.signature, observed)
    if vocab_kind == "identical":
        return f"{size}: the embedding {'padded' if raised else 'trimmed'} to fit the same vocabulary (below)"
    if vocab_kind == "extended":
        return f"{size}: the tokenizer keeps the base vocabulary as its prefix (below)"
    if raised:
        return f"{size}: an extension only if the tokenizer keeps the base vocabulary as its prefix"
    fp = known.tokenizer if isinstance(known.tokenizer, dict) else {}
    trained = fp.get("base_size") or fp.get("vocab_size")
    if vocab_kind is None and isinstance(trained, int) and isinstance(seen, int) and seen >= trained:
        return (
            f"{size}: no fewer than the {trained} tokens of its tokenizer, so its vocabulary with the embedding "
            "trimmed, or an own one: only the tokenizer can tell"
        )
    return f"{size}: an own vocabulary on the same shape is not evidence of derivation on its own"


def _base_as_good(
    top: tuple[KnownModel, float, list[str], list[str]],
    scored: list[tuple[KnownModel, float, list[str], list[str]]],
    observed: dict[str, Any],
    registry: Registry,
    vocab: dict[str, str],
    speakers: set[str],
) -> tuple[KnownModel, float, list[str], list[str]] | None:
    """The registered base of the best match when it fits the config as well: the same shapes, and no field
    it differs in that the best match repeats (Vicuna v1.5 records `pad_token_id: 0`, which Llama-2-7B leaves
    unset: a config with it is not Vicuna's rather than Llama 2's). None when the vocabulary or the chat
    markers tell the fine-tune apart, or when the best match has no registered base among the matches."""
    fine_tune = top[0]
    for name in fine_tune.base_model:
        known = registry.get(name)
        match = next((t for t in scored if known is not None and t[0] is known), None)
        if match is None or shape_differences(match[0].signature, observed):
            continue
        if not set(match[3]) <= set(top[3]):
            continue
        if vocab.get(match[0].id) == "different" and vocab.get(fine_tune.id) in ("identical", "extended"):
            continue
        if speaks(fine_tune, speakers) and not speaks(match[0], speakers):
            continue
        return match
    return None


def _kept_fields(known: dict[str, Any], observed: dict[str, Any], differ: list[str]) -> list[str]:
    """The differing fields that derivation work does not change: not a raised vocabulary or context, not a
    special-token id (a chat template moves those)."""
    raised = raised_fields(known, observed)
    return sorted(d for d in differ if d not in raised and d not in TOKEN_ID_FIELDS)


_DUTY_WORDS = {
    "license-copy": "ship its license text",
    "copyright": "keep its copyright lines",
    "notice-text": "carry its Notice line",
    "notice-file": "carry the upstream NOTICE",
    "attribution": "display its attribution",
    "name-prefix": "begin the model name with its prefix",
    "use-restrictions": "pass on its use restrictions",
    "usage-threshold": "a separate license above a user count",
    "same-license": "stay under the same license",
    "modification-notice": "mark modified files",
    "regional-restriction": "respect its regional limits",
}


def duties_of(license_id: str, catalog: Catalog) -> str:
    """A short summary of what a catalog license asks of a derivative (for config-identical sets)."""
    lic = catalog.get(license_id)
    if lic is None:
        return "not in the catalog"
    words = []
    for ob in lic.obligations:
        w = _DUTY_WORDS.get(ob.kind, ob.kind)
        if w not in words:
            words.append(w)
    if not lic.commercial_use:
        words.append("no commercial use")
    return ", ".join(words) if words else "no duties recorded"


# --- diffusers pipelines --------------------------------------------------------------------------


def pipeline_signature(snapshot: Snapshot) -> tuple[str, dict[str, Any]] | None:
    """(the file to cite, signature) of a diffusers repository: model_index.json with its denoiser's config
    (unet/ or transformer/), VAE and scheduler configs, or a denoiser's config.json alone at the root (a
    repository that ships only the fine-tuned UNet or transformer). None for any other repository."""
    configs = snapshot.configs
    index = configs.get("model_index.json")
    index = index if isinstance(index, dict) else None
    rel = diffusers_denoiser_path(index, list(configs))
    denoiser = configs.get(rel) if rel else None
    if not isinstance(denoiser, dict):
        rel, denoiser = None, None
        if is_diffusers_component(configs.get("config.json")):
            rel, denoiser = "config.json", configs["config.json"]
    if index is None and denoiser is None:
        return None
    sig = diffusers_signature(
        index, denoiser, configs.get("vae/config.json"), configs.get("scheduler/scheduler_config.json")
    )
    return (rel or "model_index.json"), sig


# --- tokenizer ------------------------------------------------------------------------------------


def _markers(snapshot: Snapshot) -> list[str]:
    """The chat-template and special-token markers the tokenizer files hold (tokenizer.MARKERS)."""
    art = snapshot.artifacts
    markers = (art.tokenizer or {}).get("markers") if art is not None else None
    return [str(m) for m in markers] if isinstance(markers, list) else []


def _marker_lines(snapshot: Snapshot) -> list[str]:
    """Chat-template and special-token conventions the tokenizer config shows (unscored; listed with candidates)."""
    art = snapshot.artifacts
    markers = _markers(snapshot)
    if art is None or not markers:
        return []
    hint = sorted({MARKERS[m] for m in markers})
    return [f"{art.tokenizer_path}: chat/special tokens {', '.join(markers[:4])} ({'; '.join(hint)} convention)"]


def _needs_vocabulary(scored: list, declared: tuple[str, ...]) -> bool:
    """Whether the vocabulary can change the outcome (it is read only then: tokenizer files are large).

    A declared base stays at 1.0 whatever the vocabulary says; an exact config match on a shape no other
    lab reuses, with one license in its config-identical set, is already decided.
    """
    if declared:
        return False
    if not scored:
        return True
    best = scored[0][1]
    ties = [t for t in scored if abs(t[1] - best) < 1e-9]
    return not (best >= 0.999 and not ties[0][0].shape_shared and len({t[0].license for t in ties}) == 1)


# --- combination ----------------------------------------------------------------------------------


def collect_candidates(
    snapshot: Snapshot,
    registry: Registry,
    families: Families | None = None,
    catalog: Catalog | None = None,
    names: tuple[tuple[str, str], ...] = (),
) -> list[Candidate]:
    """Candidates from every evidence source. `names`: (where, name) of the repository id and folder name,
    when known (they may say the repository is a quantization: relation_of)."""
    hits: list[Hit] = []
    hits += declared_hits(snapshot, registry)
    hits += card_merge_hits(snapshot, registry)
    prose = prose_hits(snapshot, registry, families, names)
    hits += prose
    prose_ids = {id(h) for h in prose}
    if not any(h.declared or h.relation == "adapter" for h in hits):
        # The checkpoint the config was saved from, when nothing declares a base: a declared base says more
        # (a fine-tune of a fine-tune keeps its grandparent's id there).
        hits += config_name_hits(snapshot, registry, families)
    named_hits = {id(h) for h in hits}
    cfg = snapshot.configs.get("config.json")
    # In a diffusers repository the pipeline is identified by its denoiser; a transformers config.json at its
    # root is one component (a flattened copy's text encoder, frozen from CLIP or T5), not the model itself.
    diffusers_repo = isinstance(snapshot.configs.get("model_index.json"), dict)
    cfg = cfg if isinstance(cfg, dict) and not is_diffusers_component(cfg) and not diffusers_repo else None
    pipeline = pipeline_signature(snapshot)
    declared_ids = tuple(k.id for b in snapshot.card.base_models if (k := declared_model(b, registry)))
    scored = _score_config(cfg, registry) if cfg is not None else []
    vocab_ev = (
        vocab_relations(snapshot, registry)
        if has_vocabulary(snapshot) and _needs_vocabulary(scored, declared_ids)
        else None
    )
    # The vocabulary relation helps pick a config match within a config-identical set.
    vocab = {mid: rel.kind for mid, rel in vocab_ev.relations.items()} if vocab_ev else {}
    bases = tuple(dict.fromkeys(h.model for h in hits if h.declared or h.relation == "merge"))
    if cfg is not None:
        named = frozenset(k.id for h in hits if (k := registry.get(h.model)))
        hits += _config_hits(
            "config.json",
            cfg,
            registry,
            declared=declared_ids,
            vocab=vocab,
            named=named,
            scored=scored,
            catalog=catalog,
            bases=bases,
            markers=_markers(snapshot),
        )
    if pipeline is not None:
        named = frozenset(k.id for h in hits if (k := registry.get(h.model)))
        rel, sig = pipeline
        hits += _config_hits(
            rel,
            sig,
            registry,
            what="pipeline fields",
            declared=declared_ids,
            named=named,
            scored=_score_config(sig, registry, pipeline=True),
            catalog=catalog,
        )
    hits += attach(weights_hits(snapshot, registry), hits, registry)
    hits += attach(gguf_hits(snapshot, registry), hits, registry)
    hits += vocab_hits(vocab_ev, registry, hits, observed_shape(snapshot, cfg), _markers(snapshot))
    marker_lines = _marker_lines(snapshot)

    grouped: dict[str, list[Hit]] = {}
    for h in hits:
        known = registry.get(h.model)
        # Names of one checkpoint outside the registry (its quantized copy, another spelling) are one candidate.
        grouped.setdefault(known.id if known else checkpoint_key(h.model), []).append(h)

    out = []
    for group in grouped.values():
        known = registry.get(group[0].model)
        # Outside the registry, the name the strongest evidence gives: declared, then an adapter's base.
        model_id = known.id if known else min(group, key=_naming_order).model
        declared = any(h.declared for h in group)
        if declared:
            conf = 1.0
        else:
            miss = 1.0
            for h in group:
                miss *= 1.0 - max(0.0, min(h.score, 0.99))
            conf = 1.0 - miss
            caps = [h.cap for h in group if h.cap is not None]
            if caps:
                conf = min(conf, min(caps))
            conf = min(conf, 0.99)
        positive = [h for h in group if h.score > 0 or h.declared]
        if not positive:
            continue
        fam_hit = next((h.family for h in group if h.family), None)
        other_arch = None
        if not declared and all(id(h) in prose_ids and h.relation != "distillation" for h in positive):
            other_arch = architecture_conflict(cfg, known, fam_hit, registry, families)
        if other_arch is not None:
            if any(h.about_self for h in positive):
                # The card says so of the model itself: kept, the conflict stated (Qwen weights in a Llama config).
                other_arch += ": the card says so of this model, which its config does not bear out"
            else:
                conf = min(conf, ARCH_CONFLICT_CAP)
                other_arch += (
                    ": the card names it, but its weights cannot be the ones this repository's are saved from "
                    "(a sentence about another model)"
                )
        # The repository's files say what it is (a GGUF holds quantized weights whatever its adapter or
        # merge declarations said); a distillation is only ever said in words.
        basis = relation_of(snapshot, known, names)
        relation = basis.kind
        said = next((h.relation for h in group if h.relation and h.relation != "copy"), None)
        if said == "distillation" or (said in ("quantized", "merge") and relation == "finetune"):
            relation = said
        evidence = [h.text for h in sorted(group, key=lambda h: (not h.declared, -h.score, h.text))]
        evidence += [n for h in group for n in h.notes]
        if basis.why and relation == basis.kind:
            evidence.append(relation_line(basis))
        if other_arch is not None:
            evidence.append(other_arch)
        if known and marker_lines:
            evidence += marker_lines
        if known and known.license_note:
            # The family's license differs by size or release: say which one this entry is under.
            evidence.append(f"license of {known.id}: {known.license} ({known.license_note})")
        alternatives = sorted({a for h in group for a in h.alternatives if a != model_id})
        reported, checkpoint, license_id = model_id, None, (known.license if known else None)
        if known is not None:
            # The declared repository is the one reported, with the facts of the entry that answers for it (an
            # alias: the base checkpoint of an instruct entry, a renamed or mirrored repository), and it picks the
            # entry's terms (DeepSeek-V3-0324 is MIT, DeepSeek-V3 is not); without a declaration, an adapter's
            # base (the checkpoint its weights attach to).
            attached = next((h for h in group if h.declared), None) or next(
                (h for h in group if h.relation == "adapter"), None
            )
            as_declared = attached.model if attached else None
            # The repository as named (a re-upload of the registered checkpoint keeps its own name).
            shown = (attached.named or attached.model) if attached else None
            if as_declared is None:
                # No declaration, but the repository's own words name one checkpoint the entry answers for
                # (a prose link to meta-llama/Llama-2-13b-chat-hf found the Llama-2-13b-hf entry): that one.
                # Hits found by shape carry the entry's id, so a shape match alone keeps the entry.
                named_ids = {repo_key(h.model): h for h in group if repo_key(h.named or h.model) != model_id.lower()}
                if len(named_ids) == 1:
                    only = next(iter(named_ids.values()))
                    as_declared, shown = only.model.strip(), (only.named or only.model).strip()
            base, rev = split_revision(as_declared) if as_declared else (None, None)
            terms = known.terms_for(base, rev) if as_declared else known.terms_for()
            if len(terms) == 1:
                license_id = terms[0].licenses[0]
            if base:
                reported = known.name_for(base)
            if reported != known.id:
                evidence.append(
                    f"{reported}: known to the registry through the entry {known.id}, which lists it among its repository ids"
                )
            # The name as given when it is not the reported one: a re-upload's own name, or a declared revision.
            if shown and (rev or repo_key(shown) != reported.lower()):
                checkpoint = shown.strip()
        out.append(
            Candidate(
                model=reported,
                family=known.family if known else fam_hit,
                relation=relation,
                declared=declared,
                confidence=round(conf, 4),
                license=license_id,
                evidence=evidence,
                alternatives=alternatives,
                checkpoint=checkpoint,
                family_only=known is None and fam_hit is not None,
                config_exact=any(h.exact for h in group),
                copy=any(h.relation == "copy" for h in group),
                shape_only=not any(id(h) in named_hits for h in group),
                converted_from=any(h.converted for h in group),
                merged_in=any(h.relation == "merge" for h in group),
                trained_from=any(h.trained for h in group),
            )
        )
    return sorted(out, key=lambda c: (-c.confidence, c.model))


# A model named in prose whose architecture is not the repository's: its weights cannot be where this
# repository's come from (a card's words on a sibling or on the model it was distilled from), below "possibly".
ARCH_CONFLICT_CAP = 0.45
# Keys of a model configuration: a mapping holding them inside config.json is a part's own (a vision-language
# model's `text_config`, InfiMM's `language`), and such a composite model's own model_type is not its base's.
_CONFIG_KEYS = frozenset(["model_type", "architectures", "hidden_size", "d_model", "vocab_size"])


def _composite(cfg: dict[str, Any]) -> bool:
    """Whether config.json is a composite model's: another input tower, or a part's configuration inside it."""
    return bool(other_towers(cfg)) or any(isinstance(v, dict) and not _CONFIG_KEYS.isdisjoint(v) for v in cfg.values())


def model_types_of(
    known: KnownModel | None, family_id: str | None, registry: Registry, families: Families | None
) -> set[str]:
    """The config.json `model_type` values a base can have: the registered checkpoint's, else those of its
    family (rules/families.yaml `model_types`, and those of the family's registered checkpoints)."""
    if known is not None:
        mt = known.signature.get("model_type")
        if isinstance(mt, str):
            return {mt.lower()}
        family_id = family_id or known.family
    if not family_id:
        return set()
    fam = families.get(family_id) if families is not None else None
    out = {t.lower() for t in fam.model_types} if fam is not None else set()
    for k in registry:
        mt = k.signature.get("model_type")
        if k.family == family_id and isinstance(mt, str):
            out.add(mt.lower())
    return out


def architecture_conflict(
    cfg: dict[str, Any] | None,
    known: KnownModel | None,
    family_id: str | None,
    registry: Registry,
    families: Families | None,
) -> str | None:
    """Why a model named in prose cannot be the base the repository's weights come from: its architecture
    (config `model_type`) is none the repository's config.json could have been saved from. None when it can
    be, or when either architecture is unknown (no config, a composite model, a base of unknown shape).
    A type and its variants (`qwen2` and `qwen2_moe`) are one architecture."""
    if not isinstance(cfg, dict) or _composite(cfg):
        return None
    mine = cfg.get("model_type")
    if not isinstance(mine, str) or not mine:
        return None
    mine = mine.lower()
    theirs = model_types_of(known, family_id, registry, families)
    if not theirs or any(mine.startswith(t) or t.startswith(mine) for t in theirs):
        return None
    named = known.id if known is not None else family_id
    return f"config.json model_type is {mine}, while {named} is {' or '.join(sorted(theirs))}"


def _naming_order(h: Hit) -> tuple:
    return (not h.declared, h.relation != "adapter", -h.score, h.model)


def guesses_as_alternatives(cands: list[Candidate], registry: Registry) -> list[Candidate]:
    """A model matched by shape alone ("possibly derived") when the card declares or names a base of another
    family: the named base is the candidate, the same-shape model one of its alternatives (with its license
    when that differs), never a base of its own. A guess of the named base's family is kept (a config match
    says which checkpoint of a family named in prose)."""
    named = [c for c in cands if not c.shape_only and not c.same_model and not c.copy and c.confidence >= 0.5]
    if not named:
        return cands
    lead = max(named, key=lambda c: (c.declared, c.confidence))
    out = []
    for c in cands:
        if not c.shape_only or c.same_model or c.copy or c.confidence >= 0.8 or _same_family(c, named, registry):
            out.append(c)
            continue
        if c.model not in lead.alternatives:
            lead.alternatives.append(c.model)
        said = f" (license {c.license})" if c.license and c.license != lead.license else ""
        lead.evidence.append(
            f"same shape as {c.model}{said}: {c.evidence[0] if c.evidence else 'config match'}; listed as an "
            "alternative, not a base of its own (the card names the base)"
        )
    return out


def _same_family(c: Candidate, named: list[Candidate], registry: Registry) -> bool:
    fam = (c.family or "").lower()
    for n in named:
        nf = (n.family or "").lower()
        if fam and nf and (fam.startswith(nf) or nf.startswith(fam)):
            return True
        known = registry.get(c.model)
        if known is not None and n.model in known.aliases:
            return True
    return False
