"""Evidence collection and scoring for lineage candidates.

Each source (card base_model, adapter/merge/GGUF declarations, card prose, config.json signature, weight
headers, tokenizer) yields Hits: a model, the confidence this source alone gives, and one sentence a person
can check. Hits on the same model combine as independent evidence (1 - prod(1 - p)); negative evidence (a
vocabulary of the same size with other tokens) caps the result. Declared bases stay at 1.0.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from license_audit.crawl import Snapshot
from license_audit.lineage.signature import canonical, compare, raised_fields, shape_differences
from license_audit.lineage.tokenizer import MARKERS, relate
from license_audit.registry import KnownModel, Registry
from license_audit.report import Candidate

# A config that repeats a known signature this well is treated as that model's architecture.
CONFIG_STRONG = 0.97
CONFIG_MIN_FIELDS = 8
# Config candidates this close to the best score are listed too (a config derives from one architecture).
CONFIG_MARGIN = 0.03
# A shape independent labs reuse: an exact config match alone only says "possibly derived".
SHARED_SHAPE_CAP = 0.75
# A shape field changed (layers pruned or added, other dims): at most "possibly derived".
SHAPE_CHANGED_CAP = 0.75
WEIGHTS_HEADER_MIN_FIELDS = 3
QUANT_METHODS = ("awq", "gptq", "fp8", "nvfp4", "mxfp4", "bitsandbytes", "compressed-tensors", "modelopt", "hqq",
                 "eetq", "aqlm", "exl2", "quanto", "torchao", "fbgemm_fp8", "bitnet")


@dataclass
class Hit:
    model: str
    score: float
    text: str
    relation: str | None = None
    declared: bool = False
    cap: float | None = None
    alternatives: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # unscored evidence lines listed after the scored ones


# --- relation -------------------------------------------------------------------------------------

def quantization_of(snapshot: Snapshot) -> tuple[str, str] | None:
    """(method, where) of a quantization the repository carries, from config.json or a quant config file."""
    cfg = snapshot.configs.get("config.json")
    if isinstance(cfg, dict) and isinstance(cfg.get("quantization_config"), dict):
        q = cfg["quantization_config"]
        method = str(q.get("quant_method") or q.get("quant_algo") or ("bitsandbytes" if "load_in_4bit" in q or "load_in_8bit" in q else "unknown"))
        return method.lower(), "config.json quantization_config"
    for name in ("quantize_config.json", "quant_config.json", "hf_quant_config.json"):
        q = snapshot.configs.get(name)
        if isinstance(q, dict):
            inner = q.get("quantization") if isinstance(q.get("quantization"), dict) else q
            method = inner.get("quant_algo") or inner.get("quant_method") or ("gptq" if "bits" in inner else "unknown")
            return str(method).lower(), name
    ggufs = [f for f in snapshot.files if f.endswith(".gguf")]
    if ggufs:
        return "gguf", ggufs[0]
    return None


def infer_relation(snapshot: Snapshot, known: KnownModel | None = None) -> str:
    rel = snapshot.card.base_model_relation
    if rel:
        return rel
    if "adapter_config.json" in snapshot.configs:
        return "adapter"
    art = snapshot.artifacts
    if len(snapshot.card.base_models) > 1 or (art is not None and art.merge_config):
        return "merge"
    quant = quantization_of(snapshot)
    if quant and not (known and known.native_quantization and quant[0] == known.native_quantization):
        return "quantized"
    return "finetune"


# --- declarations ---------------------------------------------------------------------------------

def _declared_hits(snapshot: Snapshot, registry: Registry) -> list[Hit]:
    hits = [Hit(b, 1.0, f"{snapshot.card.path or 'README.md'}: base_model names {b}", declared=True)
            for b in snapshot.card.base_models]
    adapter = snapshot.configs.get("adapter_config.json")
    if isinstance(adapter, dict):
        base = adapter.get("base_model_name_or_path")
        if isinstance(base, str) and base.strip():
            kind = adapter.get("peft_type") or "PEFT"
            name = _local_path_model(base.strip(), registry)
            hits.append(Hit(name, 0.95, f"adapter_config.json: {kind} adapter for base_model_name_or_path {base.strip()}",
                            relation="adapter"))
    art = snapshot.artifacts
    if art is not None and art.merge_config:
        rel, doc = art.merge_config
        for name in _merge_models(doc):
            hits.append(Hit(_local_path_model(name, registry), 0.9, f"{rel}: mergekit merges {name}", relation="merge"))
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


def _local_path_model(name: str, registry: Registry) -> str:
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
_FILLER = re.compile(r"^(?:[\s\[(*_`\"']+|(?:the|a|an|our|their|meta's|google's|open|open-weight|pretrained|pre-trained|"
                     r"base|model|weights|checkpoint|version|of|released)\b)+", re.IGNORECASE)


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


def _prose_hits(snapshot: Snapshot, registry: Registry) -> list[Hit]:
    body = snapshot.card.body or ""
    if not body:
        return []
    where = snapshot.card.path or "README.md"
    hits: list[Hit] = []
    seen: set[str] = set()
    shorts = _short_names(registry)
    for m in _PROSE.finditer(body[:200_000]):
        before = body[max(0, m.start() - 12): m.start()].lower()
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
        hits.append(Hit(found, 0.85, f"{where} line {line}: \"{phrase}\"", relation=relation))
    return hits


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


def _score_config(observed: dict[str, Any], registry: Registry) -> list[tuple[KnownModel, float, list[str], list[str]]]:
    scored = []
    for known in registry:
        if not known.signature:
            continue
        score, equal, differ = compare(known.signature, observed, known.variants)
        if len(equal) < CONFIG_MIN_FIELDS:
            continue
        scored.append((known, score, equal, differ))
    scored.sort(key=lambda t: (-t[1], t[0].released or "9999", t[0].id))
    return scored


def _tie_key(known: KnownModel) -> tuple:
    # Within a set of config-identical models: the first released (the architecture's origin), then base
    # checkpoints before chat/instruct ones.
    chatty = bool(re.search(r"(instruct|chat|-it$)", known.id, re.IGNORECASE))
    return (known.released or "9999", chatty, known.id)


def _config_hits(label: str, observed: dict[str, Any], registry: Registry, what: str = "architecture fields",
                 declared: tuple[str, ...] = (), vocab: dict[str, str] | None = None,
                 named: frozenset[str] = frozenset()) -> list[Hit]:
    """One hit: a config derives from one architecture, so only the best match (or its tie set) is a candidate.

    `vocab` (model id -> identical|extended|different, from the tokenizer) splits a set of config-identical
    models: a member whose vocabulary the repository shares leads, one whose vocabulary it does not is dropped.
    """
    vocab = vocab or {}
    scored = _score_config(observed, registry)
    if not scored:
        return []
    best = scored[0][1]
    ties = [t for t in scored if abs(t[1] - best) < 1e-9]
    if any(vocab.get(t[0].id) != "different" for t in ties):
        ties = [t for t in ties if vocab.get(t[0].id) != "different"]
    # Within the set, a member the card prose, an adapter or a GGUF file names leads, then vocabulary evidence.
    ties.sort(key=lambda t: (t[0].id not in named, vocab.get(t[0].id) not in ("identical", "extended"), _tie_key(t[0])))
    top = ties[0]
    note = ""
    # A declared base that fits (nearly) as well and has the same shapes takes the evidence: the config
    # cannot tell it from the best match, and the card has already said which one it is.
    for t in scored:
        if t[0].id in declared and t[1] >= best - CONFIG_MARGIN and not shape_differences(t[0].signature, observed):
            if t[0] is not top[0]:
                note = f"; closest known config: {top[0].id} (same family)" if t[0].family == top[0].family \
                    else f"; closest known config: {top[0].id}"
            top, ties = t, [t]
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
        if "vocab_size" in raised_fields(known.signature, observed):
            text += (f"; vocabulary size {seen_vocab} instead of {known.signature.get('vocab_size')}: an extension "
                     "only if the tokenizer keeps the base vocabulary as its prefix")
        else:
            text += (f"; vocabulary size {seen_vocab} instead of {known.signature.get('vocab_size')}: an own "
                     "vocabulary on the same shape is not evidence of derivation on its own")
    if known.shape_shared:
        cap = min(cap or 1.0, SHARED_SHAPE_CAP)
        text += f"; not proof on its own: {known.shape_shared}"
    hit = Hit(known.id, min(conf, cap) if cap else conf, text)
    if len(ties) > 1:
        members = [t[0] for t in ties]
        hit.alternatives = [m.id for m in members[1:]]
        others = ", ".join(f"{m.id} ({m.license})" for m in members[1:])
        same = len({m.license for m in members}) == 1
        hit.notes.append(f"config.json is identical for {known.id} ({known.license}) and {others}: "
                         + ("the same license either way" if same
                            else f"if the base is one of the others, its license applies instead of {known.license}"))
        if not same:
            implied = [f"{lic}: {duties_of(lic)}" for lic in sorted({m.license for m in members})]
            hit.notes.append("what each license asks of a derivative: " + "; ".join(implied))
    return [hit]


_DUTY_WORDS = {
    "license-copy": "ship its license text", "copyright": "keep its copyright lines",
    "notice-text": "carry its Notice line", "notice-file": "carry the upstream NOTICE",
    "attribution": "display its attribution", "name-prefix": "begin the model name with its prefix",
    "use-restrictions": "pass on its use restrictions", "usage-threshold": "a separate license above a user count",
    "same-license": "stay under the same license", "modification-notice": "mark modified files",
    "regional-restriction": "respect its regional limits",
}


def duties_of(license_id: str) -> str:
    """A short summary of what a catalog license asks of a derivative (for config-identical sets)."""
    try:
        from license_audit.catalog import load_catalog

        lic = load_catalog().get(license_id)
    except Exception:  # the catalog is another module's data; a summary is not worth failing lineage for
        lic = None
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


# --- weights (safetensors headers, GGUF metadata) -------------------------------------------------

_LAYER = re.compile(r"(?:^|\.)layers\.(\d+)\.")
_EXPERT = re.compile(r"\.experts\.(\d+)\.")
_FIRST_EXPERT_GATE = re.compile(r"layers\.\d+\.mlp\.experts\.0\.gate_proj\.weight$")


def _dims(shape: Any, n: int) -> list[int] | None:
    if isinstance(shape, list) and len(shape) == n and all(isinstance(d, int) and not isinstance(d, bool) for d in shape):
        return shape
    return None


def signature_from_tensors(tensors: dict[str, tuple[str, list[int]]]) -> dict[str, Any]:
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


def _tensors_of(snapshot: Snapshot) -> tuple[dict[str, tuple[str, list[int]]], int]:
    """Tensor shapes from the local safetensors headers, else from headers the target fetched remotely
    (Snapshot.safetensors of Hub targets, when the sources layer provides it)."""
    from license_audit.lineage.artifacts import tensor_entries

    art = snapshot.artifacts
    if art is not None and art.tensors:
        return art.tensors, art.tensor_files
    remote = getattr(snapshot, "safetensors", None)
    tensors: dict[str, tuple[str, list[int]]] = {}
    if isinstance(remote, dict):
        for _rel, header in sorted(remote.items()):
            if isinstance(header, dict):
                tensors.update(tensor_entries(header))
    return tensors, len(remote) if isinstance(remote, dict) else 0


def _weights_hits(snapshot: Snapshot, registry: Registry) -> list[Hit]:
    tensors, n_files = _tensors_of(snapshot)
    if not tensors:
        return []
    observed = signature_from_tensors(tensors)
    if len(observed) < WEIGHTS_HEADER_MIN_FIELDS:
        return []
    hits = []
    for known in registry:
        sig = known.signature
        keys = [k for k in observed if k in sig]
        if len(keys) < WEIGHTS_HEADER_MIN_FIELDS:
            continue
        layers_ok = lambda k: k == "num_hidden_layers" and observed[k] in (sig[k], sig[k] + (sig.get("num_nextn_predict_layers") or 0))  # noqa: E731
        equal = [k for k in keys if observed[k] == sig[k] or layers_ok(k)]
        if len(equal) != len(keys):
            continue
        # Shapes alone are weaker than a config: same dims are also what an independent model of that size has.
        conf = 0.6 if len(keys) < 5 else 0.7
        shown = [f"{k} {observed[k]}" + (" (incl. the multi-token-prediction layer)"
                                          if k == "num_hidden_layers" and observed[k] != sig[k] else "")
                 for k in sorted(keys)]
        hits.append(Hit(known.id, conf, f"safetensors headers ({n_files} file(s), {len(tensors)} tensors): "
                                        + ", ".join(shown) + " as in its config"))
    return hits


def _gguf_config(meta: dict[str, Any]) -> dict[str, Any]:
    arch = meta.get("general.architecture")
    if not isinstance(arch, str):
        return {}
    table = {
        "embedding_length": "hidden_size", "block_count": "num_hidden_layers", "feed_forward_length": "intermediate_size",
        "attention.head_count": "num_attention_heads", "attention.head_count_kv": "num_key_value_heads",
        "context_length": "max_position_embeddings", "rope.freq_base": "rope_theta", "expert_count": "num_local_experts",
        "expert_used_count": "num_experts_per_tok", "attention.layer_norm_rms_epsilon": "rms_norm_eps",
        "vocab_size": "vocab_size", "attention.kv_lora_rank": "kv_lora_rank", "attention.q_lora_rank": "q_lora_rank",
        "expert_feed_forward_length": "moe_intermediate_size", "expert_shared_count": "n_shared_experts",
    }
    cfg = {hf: meta[f"{arch}.{key}"] for key, hf in table.items() if f"{arch}.{key}" in meta}
    if "num_local_experts" in cfg:
        cfg["n_routed_experts"] = cfg["num_experts"] = cfg["num_local_experts"]
    return cfg


def _gguf_hits(snapshot: Snapshot, registry: Registry) -> list[Hit]:
    art = snapshot.artifacts
    if art is None or not art.gguf:
        return []
    rel, meta = sorted(art.gguf.items())[0]
    cfg = _gguf_config(meta)
    if art.gguf_tokens and "vocab_size" not in cfg:
        cfg["vocab_size"] = len(art.gguf_tokens)
    if len(cfg) < 4:
        return []
    hits = []
    for known in registry:
        keys = [k for k in cfg if k in known.signature]
        if len(keys) < 4:
            continue
        score, equal, _ = compare({k: known.signature[k] for k in keys}, cfg)
        if score >= 0.999:
            hits.append(Hit(known.id, 0.7, f"{rel}: GGUF metadata {len(equal)} of {len(keys)} architecture values equal"))
    return hits


def _attach(shape_hits: list[Hit], hits: list[Hit], registry: Registry) -> list[Hit]:
    """Shape evidence (weight headers, GGUF values) matching several known models.

    It supports the models other evidence already names; alone, it becomes one candidate (the first
    released match) with the other matches as alternatives, so a shape never multiplies accusations.
    """
    if not shape_hits:
        return []
    named = {(registry.get(h.model).id if registry.get(h.model) else h.model) for h in hits if h.score > 0 or h.declared}
    named |= {a for h in hits for a in h.alternatives}
    support = [h for h in shape_hits if h.model in named]
    if support:
        primaries = {(registry.get(h.model).id if registry.get(h.model) else h.model) for h in hits}
        return [h for h in support if h.model in primaries] or support[:1]
    if len(shape_hits) > 6:
        return []
    ordered = sorted(shape_hits, key=lambda h: _tie_key(registry.get(h.model)))
    first = ordered[0]
    first.alternatives = [h.model for h in ordered[1:]]
    if first.alternatives:
        first.text += f"; the same shapes belong to {', '.join(first.alternatives)}"
    return [first]


# --- tokenizer ------------------------------------------------------------------------------------

def _tokenizer_hits(snapshot: Snapshot, registry: Registry) -> tuple[list[Hit], dict[str, str]]:
    """Hits, and model id -> identical|extended|different for every known model with a fingerprint."""
    art = snapshot.artifacts
    vocab: dict[str, str] = {}
    if art is None:
        return [], vocab
    fingerprints = any(known.tokenizer.get("vocab_sha256") for known in registry)
    tokens = (art.vocab_tokens if fingerprints else []) or art.gguf_tokens
    where = "tokenizer.json" if fingerprints and art.load_tokenizer and art.vocab_tokens else \
        (sorted(art.gguf)[0] if art.gguf else art.tokenizer_path or "tokenizer")
    hits: list[Hit] = []
    if tokens:
        for known in registry:
            if not known.tokenizer:
                continue
            rel = relate(known.tokenizer, tokens)
            if rel is None:
                continue
            kind, sentence = rel
            vocab[known.id] = kind
            if kind == "identical":
                hits.append(Hit(known.id, 0.6, f"{where}: {sentence} as {known.id}"))
            elif kind == "extended":
                hits.append(Hit(known.id, 0.7, f"{where}: {sentence} of {known.id}"))
            elif kind == "different" and known.tokenizer.get("vocab_size") == len(tokens):
                # Same size, other tokens: an own vocabulary. Keeps a shape match from becoming an accusation.
                hits.append(Hit(known.id, 0.0, f"{where}: {sentence} than {known.id}: an own vocabulary, not derived from it",
                                cap=0.45))
    markers = (art.tokenizer or {}).get("markers") or []
    if markers:
        hint = sorted({MARKERS[m] for m in markers})
        hits.append(Hit("", 0.0, f"{art.tokenizer_path}: chat/special tokens {', '.join(markers[:4])} ({'; '.join(hint)} convention)"))
    return hits, vocab


# --- combination ----------------------------------------------------------------------------------

def collect_candidates(snapshot: Snapshot, registry: Registry) -> list[Candidate]:
    hits: list[Hit] = []
    hits += _declared_hits(snapshot, registry)
    hits += _prose_hits(snapshot, registry)
    tok_hits, vocab = _tokenizer_hits(snapshot, registry)
    cfg = snapshot.configs.get("config.json")
    if isinstance(cfg, dict):
        declared = tuple(k.id for b in snapshot.card.base_models if (k := registry.get(b)))
        named = frozenset(k.id for h in hits if (k := registry.get(h.model)))
        hits += _config_hits("config.json", cfg, registry, declared=declared, vocab=vocab, named=named)
    hits += _attach(_weights_hits(snapshot, registry), hits, registry)
    hits += _attach(_gguf_hits(snapshot, registry), hits, registry)
    tok_hits, vocab = _tokenizer_hits(snapshot, registry)
    marker_lines = [h.text for h in tok_hits if not h.model]
    hits += [h for h in tok_hits if h.model]

    grouped: dict[str, list[Hit]] = {}
    for h in hits:
        known = registry.get(h.model)
        grouped.setdefault(known.id if known else h.model, []).append(h)

    out = []
    for model_id, group in grouped.items():
        known = registry.get(model_id)
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
        relation = next((h.relation for h in group if h.relation), None) or infer_relation(snapshot, known)
        if snapshot.card.base_model_relation:
            relation = snapshot.card.base_model_relation
        evidence = [h.text for h in sorted(group, key=lambda h: (not h.declared, -h.score, h.text))]
        evidence += [n for h in group for n in h.notes]
        if known and marker_lines:
            evidence += marker_lines
        alternatives = sorted({a for h in group for a in h.alternatives if a != model_id})
        out.append(Candidate(
            model=model_id,
            family=known.family if known else None,
            relation=relation,
            declared=declared,
            confidence=round(conf, 4),
            license=known.license if known else None,
            evidence=evidence,
            alternatives=alternatives,
        ))
    return sorted(out, key=lambda c: (-c.confidence, c.model))
