"""Lineage evidence a repository states itself: card base_model, PEFT adapter, mergekit config, GGUF
general.base_model.*, and card prose ("fine-tuned from X")."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from license_audit.card import HUB_NON_MODEL_PATHS, hub_file, hub_model_id
from license_audit.crawl import Snapshot, is_license_file
from license_audit.lineage.families import Families, family_label
from license_audit.lineage.hits import Hit
from license_audit.lineage.identity import config_hub_id, config_names, hub_id_in_path, name_key, own_identity
from license_audit.lineage.names import names_by_first, registered_name, reupload_note
from license_audit.lineage.names import short_names as _short_names
from license_audit.registry import Registry


def declared_hits(snapshot: Snapshot, registry: Registry) -> list[Hit]:
    # A base given as a local path (/cache/models/Qwen/Qwen3-14B) is the registered model its last
    # component names, as for an adapter's base_model_name_or_path.
    # A declared base under another owner's name is followed as declared: its own card says what it is.
    card = snapshot.card
    hits = [
        hit_on(
            local_path_model(b, registry),
            1.0,
            f"{card.location}: base_model names {b}" + (f" (written as its Hub address {w})" if w != b else ""),
            registry,
            same_name=False,
            declared=True,
        )
        for b, w in zip(card.base_models, card.written_base_models, strict=True)
    ]
    for rel, adapter in _adapter_configs(snapshot):
        base = adapter.get("base_model_name_or_path")
        if isinstance(base, str) and base.strip():
            kind = adapter.get("peft_type") or "PEFT"
            name = local_path_model(base.strip(), registry)
            hits.append(
                hit_on(
                    name,
                    0.95,
                    f"{rel}: {kind} adapter for base_model_name_or_path {base.strip()}",
                    registry,
                    relation="adapter",
                )
            )
    art = snapshot.artifacts
    if art is not None:
        hits += _lora_metadata_hits(art.weights_metadata, registry)
    if art is not None and art.merge_config:
        rel, doc = art.merge_config
        for name in _merge_models(doc):
            hits.append(
                hit_on(
                    local_path_model(name, registry), 0.9, f"{rel}: mergekit merges {name}", registry, relation="merge"
                )
            )
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
                    text = f"{rel}: GGUF metadata {key} is {meta[key]}"
                    hits.append(hit_on(value, 0.9, text, registry, relation="quantized"))
    return hits


def hit_on(name: str, score: float, text: str, registry: Registry, same_name: bool = True, **kw: Any) -> Hit:
    """A hit on the checkpoint `name` names. A name the registry does not list but that is a re-upload of a
    registered checkpoint (a quantized copy, or the same name under another owner) is a hit on that checkpoint:
    the text says so and the hit keeps the name as given (the repository the weights attach to). With
    `same_name` False only a quantized copy is (see registered_name)."""
    name = name.strip()
    reg = None if registry.get(name) is not None else registered_name(name, registry, same_name)
    if reg is None:
        return Hit(name, score, text, **kw)
    return Hit(reg, score, f"{text}; {reupload_note(name, reg)}", named=name, **kw)


MAX_NESTED_ADAPTERS = 4


def is_lora_metadata(meta: dict[str, str]) -> bool:
    """Whether a safetensors file's training metadata says it is a LoRA (kohya's network module, or a
    model-spec architecture ending in /lora) rather than full weights."""
    return bool(meta.get("ss_network_module")) or meta.get("modelspec.architecture", "").endswith("/lora")


def _lora_metadata_hits(metadata: dict[str, dict[str, str]], registry: Registry) -> list[Hit]:
    """The base a LoRA file's training metadata names: kohya's ss_sd_model_name, a Hub id or the file name of
    the checkpoint it was trained on (a registry entry's checkpoint_files)."""
    hits = []
    for rel, meta in sorted(metadata.items()):
        name = meta.get("ss_sd_model_name", "").strip()
        if not name or not is_lora_metadata(meta):
            continue
        model = checkpoint_model(name, registry)
        if model is None:
            continue
        hits.append(
            Hit(model, 0.9, f"{rel}: LoRA training metadata ss_sd_model_name is {name[:120]}", relation="adapter")
        )
    return hits


def checkpoint_model(name: str, registry: Registry) -> str | None:
    """The registry model a training tool's base name means: its id or alias, a local path ending in one,
    or one of its published single-file checkpoints (`sd_xl_base_1.0.safetensors`); None when unknown."""
    known = registry.get(name)
    if known is not None:
        return known.id
    resolved = local_path_model(name, registry)
    if resolved != name:
        return resolved
    last = _last_part(name)
    for m in registry:
        if any(last == f.lower() for f in m.checkpoint_files):
            return m.id
    return None


def _adapter_configs(snapshot: Snapshot) -> list[tuple[str, dict]]:
    """The root adapter_config.json, else those one folder down (an application repository that ships its
    adapter in `lora_adapter/`): a base declared there is declared all the same."""
    root = snapshot.configs.get("adapter_config.json")
    if isinstance(root, dict):
        return [("adapter_config.json", root)]
    from license_audit.safeio import JSONProblem, parse_json

    out = []
    nested = [f for f in snapshot.files if f.count("/") == 1 and f.endswith("/adapter_config.json")]
    for rel in sorted(nested)[:MAX_NESTED_ADAPTERS]:
        text = snapshot.text_of(rel)
        try:
            doc = parse_json(text) if text else None
        except JSONProblem:
            continue
        if isinstance(doc, dict):
            out.append((rel, doc))
    return out


def _last_part(path: str) -> str:
    """The last component of a local path or id, lower case."""
    return re.split(r"[\\/]+", path.rstrip("/\\"))[-1].lower()


def local_path_model(name: str, registry: Registry) -> str:
    """A base given as a local path (/data/models/Llama-3.1-8B): the known model its last component names,
    else the Hub id a download cache path keeps (`.../modelscope/hub/models/Qwen/Qwen3-14B`,
    `.../models--Qwen--Qwen3-14B/snapshots/<sha>`)."""
    if registry.get(name) or not re.match(r"^(?:/|\.{1,2}/|~|[A-Za-z]:\\)", name):
        return name
    last = _last_part(name)
    for short, mid in _short_names(registry):
        if last == short:
            return mid
    hub = hub_id_in_path(name)
    if hub is not None:
        known = registry.get(hub)
        return known.id if known else hub
    return name


CONFIG_NAME_SCORE = 0.6  # config.json _name_or_path: the checkpoint the config was saved from


def config_name_hits(snapshot: Snapshot, registry: Registry, families: Families | None = None) -> list[Hit]:
    """The checkpoint config.json's `_name_or_path` names, when it is a Hub id (or a download cache path
    keeping one) and not the model's own name: a fine-tune saved by transformers keeps the id of the model
    it was loaded from. A training run's output folder (`/weka/.../step_180/`, `./`) or a bare name names
    nothing. A Hub id under another owner with a registered model's name (`unsloth/codegemma-7b-it`) is a
    re-upload of that model: the hit is on the registered model, and says so."""
    own = {
        k
        for w, n in own_identity(snapshot, None, None).names
        # A title listing models ("Finetune Mistral, Gemma, Llama 2 faster") is no name of this one.
        if (k := name_key(n)) and not (w.endswith(" title") and families is not None and families.names_several(n))
    }
    hits = []
    for where, value in config_names(snapshot):
        hub = config_hub_id(value)
        if hub is None or name_key(hub) in own:
            continue
        known = registry.get(hub)
        text = f"{where} is {value[:120]} (the checkpoint the configuration was saved from)"
        short = hub.split("/", 1)[1].lower()
        mid = known.id if known else registered_name(hub, registry)
        if mid is not None and mid.lower() != hub.lower() and mid.split("/", 1)[1].lower() == short:
            # Another owner's repository with the registered model's own name: a re-upload of it. With no
            # name of its own in the card, the repository is that re-upload.
            text += f"; {hub} is a re-upload of {mid} under another owner"
            hits.append(Hit(mid, CONFIG_NAME_SCORE, text, relation=None if own else "copy"))
            continue
        hits.append(hit_on(hub, CONFIG_NAME_SCORE, text, registry))
    return hits


# A fenced code block of the card: ```yaml, ```yml or a bare ``` (LazyMergekit and mergekit's own card
# template quote the configuration in one).
_CODE_BLOCK = re.compile(
    r"^[ \t]*```[ \t]*(?:ya?ml)?[ \t]*\r?\n(.*?)(?:^[ \t]*```|\Z)", re.MULTILINE | re.DOTALL | re.IGNORECASE
)
MAX_CARD_BLOCKS = 32  # code blocks of a card looked at for a mergekit configuration


def card_merge_config(snapshot: Snapshot) -> tuple[str, dict] | None:
    """(where, document) of the mergekit configuration the card quotes in a code block: a mapping with
    `merge_method` that names at least one model. Read as a mergekit_config.yml file is (the same safe,
    alias-bounded loader and size bound); the first such block counts."""
    from license_audit.artifacts import MAX_MERGE_CONFIG_BYTES
    from license_audit.safeio import load_yaml

    card = snapshot.card
    # A block in a quoted card is the quoted model's merge (a quantization of a merge quotes its card).
    text = own_text((card.body or "")[:200_000])
    for i, m in enumerate(_CODE_BLOCK.finditer(text)):
        if i >= MAX_CARD_BLOCKS:
            break
        block = m.group(1)
        if "merge_method" not in block or len(block) > MAX_MERGE_CONFIG_BYTES:
            continue
        try:
            doc = load_yaml(block)
        except Exception:  # yaml.YAMLError, or a bound of the loader: not a configuration
            continue
        if isinstance(doc, dict) and doc.get("merge_method") and _merge_models(doc):
            line = text[: m.start()].count("\n") + card.body_start_line
            return f"{card.location} line {line}", doc
    return None


MERGE_PROSE_SCORE = 0.85  # a merged model the card's words name, as "fine-tuned from X" does


def card_merge_hits(snapshot: Snapshot, registry: Registry) -> list[Hit]:
    """The models a merge takes weights from, as the card states them when the repository has no mergekit
    configuration file: a mergekit block in the card (read as the file is, 0.9), then its words (0.85): a list
    after "is a merge of the following models ...:" or "The following models were included in the merge:",
    "Merge of [A](...) and [B](...)", "[A](...) and [B](...) merge", "... merge method using [X](...) as a
    base" and "a MoE ... based on [X](...)". A model the block names is not counted again for the words (they
    say the same thing)."""
    art = snapshot.artifacts
    if art is not None and art.merge_config:
        return []
    hits: list[Hit] = []
    block = card_merge_config(snapshot)
    if block is not None:
        where, doc = block
        for name in _merge_models(doc):
            text = f"{where}: the mergekit configuration in the card merges {name}"
            hits.append(hit_on(local_path_model(name, registry), 0.9, text, registry, relation="merge"))
    seen = {h.model.lower() for h in hits}
    for line, phrase, name in _merge_prose(own_text(snapshot.card.body or "")):
        said = f'{snapshot.card.location} line {line + snapshot.card.body_start_line - 1}: "{phrase}"'
        hit = hit_on(name, MERGE_PROSE_SCORE, said, registry, relation="merge")
        if hit.model.lower() in seen:
            continue
        seen.add(hit.model.lower())
        hits.append(hit)
    return hits


# "X is a merge of the following models made with mergekit:", "The following models were included in the
# merge:" (mergekit's card template), each followed by a list of links or ids.
_MERGE_LIST = re.compile(
    r"(?:\bis\s+a\s+merge\s+of\s+the\s+following\s+models\b|\bfollowing\s+models\s+were\s+(?:included|used)\s+in"
    r"\s+the\s+merge\b)[^\n]*\n",
    re.IGNORECASE,
)
_LIST_ITEM = re.compile(r"[ \t]*[*+-][ \t]+(\S[^\n]*)\n?")
# "Merge of [A](...) and [B](...) using ties merge", "a DARE-TIES Merge of A + B": the names up to the end of
# the sentence. "merged using the DARE TIES merge method using [X](...) as a base": X.
_MERGE_OF = re.compile(r"\bmerge\s+of\s+(?P<rest>[^\n]{1,600})", re.IGNORECASE)
_MERGE_BASE = re.compile(r"\bmerge\s+method\s+using\s+(?P<rest>[^\n]{1,300}?)\s+as\s+(?:a|the)\s+base\b", re.IGNORECASE)
# "my [MythoLogic-L2](...) and [Huginn](...) merge": links joined by "and", "," or "+" just before the word.
_LINKS_MERGED = re.compile(
    r"(?P<rest>(?:\[[^\]\n]{1,200}\]\([^)\s]{1,300}\)\s*(?:,|&|\+|\band\b)\s*)+\[[^\]\n]{1,200}\]\([^)\s]{1,300}\))"
    r"\s*(?:merge|merged|frankenmerge|mix)\b",
    re.IGNORECASE,
)
# "[X](...) merged with [Kaio Ken's SuperHOT 8K](...)", "a LoRA merged into [Y](...)": the model named right
# after (not a link further on: "lzlv merged with limarpv3 - check it out here: <link to the result>").
_MERGED_WITH = re.compile(
    r"\bmerged\s+(?:with|into)\s+(?P<rest>\[[^\]\n]{1,200}\]\([^)\s]{1,300}\)|https?://\S{1,300}|[A-Za-z0-9][\w.-]{0,95}/[\w.-]{1,96})",
    re.IGNORECASE,
)
# "a medium-sized MoE implementation based on [X](...)", "MoE Model based on" and a list: a mixture of experts
# whose experts are those models' weights. One that is a mixture already (Mixtral, "...-MoE", "8x7B") is the
# model a fine-tune of it is based on.
_MOE_OF = re.compile(
    r"\b(?:MoE|mixture[ -]of[ -]experts)\b[^\n.]{0,80}?\b(?:based\s+on|built\s+(?:from|on)|made\s+(?:from|of))"
    r"[ \t]*:?[ \t]*(?P<rest>[^\n]{0,400})\n?",
    re.IGNORECASE,
)
_A_MIXTURE = re.compile(r"mixtral|moe|\d+x\d+(?:\.\d+)?b", re.IGNORECASE)
# A model named in a merge statement: a markdown link to a Hub model page, a Hub model URL, or OWNER/NAME.
_MERGE_NAME = re.compile(
    r"\[[^\]\n]{1,200}\]\(\s*(?:https?://)?(?:www\.)?(?:huggingface\.co|hf\.co)/(?P<link>[^)\s]+)\)"
    r"|(?:https?://)?(?:www\.)?(?:huggingface\.co|hf\.co)/(?P<url>[^\s)\]>,]+)"
    r"|(?<![\w./-])(?P<id>[A-Za-z0-9][\w.-]{0,95}/[A-Za-z0-9][\w.-]{0,95})(?![\w/])"
)
_NOT_MODELS = frozenset(HUB_NON_MODEL_PATHS.split("|"))  # a Hub path's first part that names no owner
MAX_MERGE_NAMES = 32


def _merge_prose(body: str) -> list[tuple[int, str, str]]:
    """(line within the body, phrase, model id) for each model the card's merge statements name, in order."""
    text = body[:200_000]
    out: list[tuple[int, str, str]] = []

    def add(pos: int, phrase: str, chunk: str, mixture: bool = True) -> None:
        line = text[:pos].count("\n") + 1
        for m in _MERGE_NAME.finditer(chunk):
            hub = _HF_ID.match(m.group("link") or m.group("url") or m.group("id") or "")
            if hub is None or hub.group("owner").lower() in _NOT_MODELS or len(out) >= MAX_MERGE_NAMES:
                continue
            owner, name = hub.group("owner"), hub.group("name")
            if not mixture and _A_MIXTURE.search(name):
                continue
            if m.group("id") and not re.search(r"[-.]", name):
                continue  # a bare "bf16/fp16" is no model: a bare id keeps a model name's hyphen or dot
            out.append((line, " ".join(phrase.split())[:100], f"{owner}/{name}".rstrip(".")))

    for m in _MERGE_LIST.finditer(text):
        for item in _list_items(text, m.end()):
            add(item.start(), item.group(1), item.group(1))
    for m in _MERGE_OF.finditer(text):
        add(m.start(), m.group(0), _SENTENCE_HOW.split(m.group("rest"), maxsplit=1)[0])
    for m in _MERGE_BASE.finditer(text):
        add(m.start(), m.group(0), m.group("rest"))
    for m in _MERGED_WITH.finditer(text):
        add(m.start(), m.group(0), m.group("rest"))
    for m in _LINKS_MERGED.finditer(text):
        add(m.start(), m.group(0), m.group("rest"))
    for m in _MOE_OF.finditer(text):
        rest = _SENTENCE_HOW.split(m.group("rest"), maxsplit=1)[0]
        phrase = m.group(0).strip()
        if rest.strip():
            add(m.start(), phrase, rest, mixture=False)
            continue
        for item in _list_items(text, m.end()):  # the experts listed below ("based on\n* [A]\n* [B]")
            add(item.start(), phrase, item.group(1), mixture=False)
    return out


# A statement's sentence, up to its end or the words that say how ("using ties merge", "with mergekit").
_SENTENCE_HOW = re.compile(r"(?<=[^\d\s])\.(?:\s|$)|\b(?:with|using|via)\b")


def _list_items(text: str, pos: int):
    """The items of the markdown list that starts at `pos` of `text`, in order."""
    while (item := _LIST_ITEM.match(text, pos)) is not None and item.end() > pos:
        yield item
        pos = item.end()


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

# A model named right before the words that say what it is to this one ("Fine-tuned [X](...) on Japanese",
# "Trained with X as the base", "integrated Mistral 7B weights into"): a markdown link, or a name of up to three
# words on the line.
_LINK = r"\[[^\]\n]{1,120}\]\([^)\s]{1,300}\)"
_OBJECT = rf"(?:{_LINK}|[A-Za-z0-9][\w.\-/]*(?:[ \t]+[\w.\-]+){{0,2}}?)"
# The formats a conversion or quantization is made in ("GGUF conversion of X", "Core ML conversion of X",
# "`float8_e4m3fn` weights of: X", "the conversion of X to the CTranslate2 model format").
_FORMATS = r"gguf|ggml|awq|gptq|exl2|mlx|onnx|core\s?ml|ctranslate2|openvino|fp8|float8(?:_e\dm\d(?:fn)?)?|nf4"
_PROSE = re.compile(
    # "fine-tuned from X", "a fine tune of the [X](...) model", "pruned from X", "upscaled from X"
    r"(?P<verb>fine[- ]?tuned|fine[- ]?tune(?=\s+of\b)|(?:pruned|up-?scaled)(?=\s+(?:from|version\s+of)\b)|trained|"
    r"built|based|derived|initiali[sz]ed|distilled|quantized|continued[- ]pre-?training|adapted)"
    r"\s+(?:(?:version|variant|checkpoint)\s+of|from|on\s+top\s+of|on|upon|of)\s+(?P<rest>.{0,160})"
    # The verb with the model as its object: "Fine-tuned [X](...) in Swedish using ...", "We finetuned
    # openai/whisper-small on Hindi", "Finetuned XTTS v2 on Egyptian Arabic" (the rest is the object alone; a
    # name that is no link ends where the words on what it was fine-tuned on, with or for begin)
    rf"|(?P<tverb>fine[- ]?tuned)\s+(?P<trest>{_LINK}|{_OBJECT}(?=[ \t]+(?:on|with|using|for)\b))"
    # "Trained with [X](...) as the base", "Uses Yi-34B model as the base"
    # (a merge's "merge method using X as a base" is a merge statement: card_merge_hits)
    r"|(?P<sverb>(?:trained|fine[- ]?tuned|built|developed)\s+(?:with|using|from)|uses?|used|(?<!method\s)using)"
    rf"\s+(?P<srest>{_OBJECT})(?=\s+as\s+(?:(?:the|a|its|our)\s+)?base(?:\s+model)?\b(?!\s*value))"
    # The weights of a pruned or depth up-scaled model come from X: "obtained by pruning Llama-3.1-8B" (NVIDIA's
    # Minitron), "we integrated Mistral 7B weights into the upscaled layers" (upstage's SOLAR)
    rf"|(?P<pverb>by\s+pruning(?:\s+and\s+distilling)?|integrated(?=\s+{_OBJECT}\s+weights\s+into\b))"
    r"\s+(?P<prest>.{0,160})"
    # "LoRA for [X](...)" (an adapter of X). "A ControlNet for [X](...)": a ControlNet is a trainable copy of X's
    # encoder, initialized from X's weights and trained beside the frozen X (Zhang et al., 2023); its publishers
    # declare X as base_model and carry X's license (InstantX's, Jasper's and TheMisto's FLUX.1 [dev] ControlNets).
    r"|(?<![\w-])(?P<averb>(?:LoRA|LyCORIS|LoCon|ControlNet)s?(?:[ \t]+(?:adapter|model|weights))?[ \t]+for)"
    r"\s+(?P<arest>.{0,160})"
    # "GGUF conversion of X", "AWQ quants of X", "a quantized version of X", "GGUF format model files for X",
    # "ONNX export of X", "`float8_e4m3fn` weights of: X", "the conversion of X to the CTranslate2 model format"
    rf"|(?P<qverb>(?:{_FORMATS}|quantized|quantised|4-?bit|8-?bit)`?\s+"
    r"(?:conversion|exports?|quantization|quantisation|quants?|versions?|format(?:\s+model)?(?:\s+files)?|"
    r"model\s+files|weights)\s+(?:of|for)\s*:?"
    rf"|conversion\s+of(?=\s+{_OBJECT}\s+to\s+(?:the\s+)?\[?(?:{_FORMATS})\b))\s+(?P<qrest>.{{0,160}})"
    # "Original repo: [google/gemma-2b-it](...)", "Base model: X", "Original model: X"
    r"|(?P<lverb>original\s+(?:repo|repository|model|weights|checkpoint)|base\s+model|parent\s+model|"
    r"source\s+model|model\s+base)\s*[:：]\s*(?P<lrest>.{0,160})"
    # "Configuration: Base Model bigcode/starcoder2-3b, ...": the label without a colon, right before an id
    r"|(?P<bverb>base\s+model|original\s+model)\s+(?P<brest>(?:`|\[|https?://|[A-Za-z0-9][\w.-]*/[A-Za-z0-9]).{0,160})"
    # mlx-lm's, mlx-vlm's and GGUF-my-repo's template: "This model was converted to MLX format from [X](...)"
    r"|(?P<xverb>converted\s+to\s+(?:the\s+)?(?:mlx|gguf|ggml)\s+format\s+from)\s+(?P<xrest>.{0,160})"
    # "This is a fork of [X](...)", "GitHub mirror of X", "a re-upload of X": the repository is a copy of X
    r"|(?P<cverb>(?:copy|mirror|fork|re-?upload|clone|re-?packaging)\s+of)\s+(?P<mrest>.{0,160})"
    # NVIDIA's cards: "Llama-3.1-Nemotron-Nano-8B-v1 is a large language model (LLM) which is a derivative of [X](...)"
    r"|(?P<dverb>derivative\s+(?:work\s+|model\s+)?of)\s+(?P<drest>.{0,160})",
    re.IGNORECASE,
)
# The verbs of _PROSE that say the weights were trained from the model named ("fine-tuned from X", "trained on
# top of a X base model", "continued pre-training of X", "distilled from X", "pruned from X", "LoRA for X"), not
# only that they relate to it.
_TRAINED = re.compile(
    r"fine[- ]?tune|trained|distilled|continued[- ]pre-?training|initiali[sz]ed|pruned|by\s+pruning|up-?scaled|"
    r"integrated|lora|lycoris|locon|controlnet",
    re.IGNORECASE,
)
# A LoRA is an adapter of the model it is for; a ControlNet is weights of its own, trained from that model's.
_ADAPTER_VERB = re.compile(r"lora|lycoris|locon", re.IGNORECASE)
# The text after each kind of phrase, and the phrases that say how the weights were made.
_PROSE_RESTS = ("rest", "trest", "srest", "prest", "arest", "qrest", "lrest", "brest", "xrest", "mrest", "drest")
_PROSE_VERBS = ("verb", "tverb", "sverb", "pverb", "averb", "qverb", "lverb", "bverb")
_OBJECT_RESTS = ("trest", "srest", "prest", "arest")
# A noun phrase ("a fine-tune of X", "a LoRA for X", "an ONNX export of X") set after a name and a comma: it says
# what the model of that name is.
_APPOSITION = re.compile(
    r"(?P<name>[\w.\-]+(?:\s+[\w.\-]+){0,2})\s*,\s*(?:a|an|the)\s+(?:[\w-]+\s+){0,3}$", re.IGNORECASE
)
# Who may do what a transitive "fine-tuned X on" says: the sentence opens with it, or with "we" or "I" ("The
# fine-tuned Llama 2 on ..." is an adjective on another model).
_TRANSITIVE_SUBJECT = re.compile(
    r"[\s#>*_|-]*(?:(?:(?:we|i|they)(?:['’]ve)?|then|also|first|have|had|further|additionally)\s+)*", re.IGNORECASE
)
_HF_ID = re.compile(
    r"(?P<scheme>https?://)?(?P<hub>(?:www\.)?(?:huggingface\.co|hf\.co)/)?"
    r"(?P<owner>[A-Za-z0-9][\w.-]{1,95})/(?P<name>[A-Za-z0-9][\w.-]{1,95})(?P<more>/[\w.-])?"
)
# An owner that is a web host (`github.com/org/repo` written without its scheme) is no Hub owner.
_WEB_HOST = re.compile(r"(?:[\w-]+\.)+(?:com|org|net|io|ai|dev|edu|gov|cn|app)", re.IGNORECASE)
# A markdown link near the start of the text (a few words may come first: "the original model [X](...)"):
# its text and its target.
_MD_LINK = re.compile(r"([^\]\n]{1,120})\]\(([^)\s]+)\)")


def names_a_license(link: str) -> bool:
    """Whether `link` is the address of a license, notice or use-policy file in a Hub repository
    ("licensed under the [Nexusflow community license](https://huggingface.co/Nexusflow/NexusRaven-V2-13B/blob/main/LICENSE.txt)"):
    it names the terms, not a model the audited one comes from."""
    found = hub_file(link.rstrip(".,;:"))
    return found is not None and is_license_file(found[1])


# A bare link to a model page on the Hub (not a dataset, space or documentation page).
_HUB_LINK = re.compile(
    rf"(?:https?://)?(?:www\.)?(?:huggingface\.co|hf\.co)/(?!(?:{HUB_NON_MODEL_PATHS})/)"
    r"([A-Za-z0-9][\w.-]{1,95})/([A-Za-z0-9][\w.-]{1,95})"
)
# A line with a bare Hub link names a base only when it also says how the model relates to it.
# Chinese cards: "基于 X 预训练模型", "基于零一万物开源的**Yi-34B**模型", "基于Mistral发布的模型[Mixtral-8x7B]":
# the base is the first model-like name (letters, then a digit somewhere) shortly after the phrase.
_CJK_PROSE = re.compile(
    r"(?:基于|基於|源自|派生自|微调自|底座模型[为是：:]?|基座模型[为是：:]?)(?P<crest>[^\n。；;]{0,60})"
    # "在 Llama3-8B-Instruct 基础上", "以 Qwen2.5-32B 为基座": the name between the two words
    r"|(?:在|以)(?P<brest>[^\n。；;，,]{1,60}?)(?:模型)?(?:的)?(?:基础上|为基座|为底座|为基础|为基模)"
    # A list label at the start of a line: "- 模型：Qwen2-7B-Instruct", "基础模型: X"
    r"|^[ \t]*(?:[-*][ \t]*)?(?:\*\*)?(?:基础|基座|底座|原始|初始|预训练|基底)?模型(?:\*\*)?[ \t]*[：:](?P<lrest>[^\n。；;]{0,60})",
    re.MULTILINE,
)
_NAME_TOKEN = re.compile(r"[A-Za-z][\w.\-]*\d[\w.\-]*(?:/[A-Za-z0-9][\w.\-]*)?")
# The name a token starts with: its Latin letters, digits and punctuation; the Chinese text written on right after
# it is not part of it ("基於Qwen-7B-Chat嘅微調版本").
_LATIN_NAME = re.compile(r"[A-Za-z0-9_.\-/]+")
# A bare Hub link names a base only right after words that say how the model relates to it
# ("quantized version of [X](https://hf.co/X)", "original weights: hf.co/X", "converted from ... hf.co/X").
_LINEAGE_WORDS = re.compile(
    r"(?:original\b|base\s+model|parent\s+model|quanti[sz](?:ed|ation)\s+of|quants?\s+of|conver(?:ted|sion)\s+(?:from|of)|"
    r"fine-?tuned\s+(?:from|on)|finetuned\s+(?:from|on)|based\s+on|version\s+of|variant\s+of|built\s+(?:on|upon)|"
    r"derived\s+from|initiali[sz]ed\s+from|gguf\s+of)[^.\n]{0,48}$",
    re.IGNORECASE,
)
# Text about the card itself ("this model card is based on ...") names no base.
_CARD_META = re.compile(r"\bmodel\s+card\b|\bcard\s+was\s+written\b", re.IGNORECASE)
# A plan or a hypothetical ("we plan to eventually have ... a potential 1B version based on phi-1.5") is about
# a model that does not exist yet, not about this one: it names no base.
_NOT_YET = re.compile(
    r"\b(?:plan(?:s|ned|ning)?|will|would|could|might|potential|future|upcoming|eventually|intend(?:s|ed)?|"
    r"going\s+to)\b|'ll\b",
    re.IGNORECASE,
)
_LINK_TEXT = re.compile(r"\[[^\]]*\]\([^)]*\)|https?://\S+|\b(?:hf|huggingface)\.co/\S+")
# Words that may stand between the phrase and the model name ("based on the open Qwen2.5-32B base model").
_FILLER = re.compile(
    r"^(?:[\s\[\](*_`\"':]+|(?:the|a|an|our|their|meta's|google's|open|open-weight|pretrained|pre-trained|"
    r"base|model|weights|checkpoint|version|of|released|optional)\b)+",
    re.IGNORECASE,
)


def _starting(registry: Registry, window: str) -> list[tuple[str, str]]:
    """The short names `window` may start with (those sharing its first character), longest first."""
    by_first = names_by_first(registry)[1]
    found = by_first.get(window[:1], []) if window else []
    empty = by_first.get("", [])
    return [*found, *empty] if empty else found


def _norm_name(text: str) -> str:
    return re.sub(r"[\s_]+", "-", text.lower())


def _name_ends(raw: str, n: int) -> bool:
    """Whether the first n characters of _norm_name(raw) end a whole name in raw: followed by the end,
    whitespace or punctuation, not by more of the name ("DeepSeek-R1-Distill-Qwen-32B" is not DeepSeek-R1)."""
    out = 0
    i = 0
    while i < len(raw) and out < n:
        if raw[i] in " \t\r\n_":
            while i < len(raw) and raw[i] in " \t\r\n_":
                i += 1
        else:
            i += 1
        out += 1
    if i >= len(raw):
        return True
    nxt = raw[i]
    if nxt.isalnum():
        return False
    return not (nxt in "-." and i + 1 < len(raw) and raw[i + 1].isalnum())


# Where a re-upload's card quotes its base's card: TheBloke's "<!-- original-model-card start -->" and
# "# Original model card: 01-ai's Yi 34B", QuantFactory's "# Original Model Card". It runs to TheBloke's end
# marker, else to the end of the card.
_QUOTE_START = re.compile(
    r"^[ \t]*(?:<!--\s*original-model-card\s+start\s*-->|#{1,4}[ \t]*original[ \t]+model[ \t]+card\b)",
    re.IGNORECASE | re.MULTILINE,
)
_QUOTE_END = re.compile(r"<!--\s*original-model-card\s+end\s*-->", re.IGNORECASE)


def own_text(text: str) -> str:
    """The card's text with the quoted cards of other models blanked out (line breaks kept, so line numbers
    stay): what the card says in its own words."""
    out = text
    for start in _QUOTE_START.finditer(text):
        end = _QUOTE_END.search(text, start.end())
        stop = end.end() if end else len(text)
        out = out[: start.start()] + re.sub(r"[^\n]", " ", out[start.start() : stop]) + out[stop:]
    return out


@dataclass(frozen=True)
class QuotedCard:
    """The part of the card that quotes the card of `subject`, the base the card declares or names as its
    original: its sentences are about the subject, not about the audited repository."""

    start: int
    end: int
    subject: str  # as declared or named (a Hub id, or a registered model's short name)
    declared: bool

    def holds(self, pos: int) -> bool:
        return self.start <= pos < self.end

    def about(self, found: str, said: str, registry: Registry) -> list[Hit]:
        """What a lineage sentence of the quoted card says: the subject's own lineage, an unscored line on the
        subject (the sentence names no base of the audited repository)."""
        if name_key(found) == name_key(self.subject):
            return []
        text = f"{said} in the quoted card of {self.subject}: the lineage of {self.subject}, not of this repository"
        if self.declared:
            return [hit_on(local_path_model(self.subject, registry), 0.0, text, registry, same_name=False)]
        return [hit_on(self.subject, 0.0, text, registry)]


def quoted_card(
    text: str, snapshot: Snapshot, registry: Registry, families: Families | None = None
) -> QuotedCard | None:
    """The quoted card of the base, when the card quotes one and says whose: its one declared base, else the
    model an "Original model: X" (or "quantized version of X") before the quote names."""
    start = _QUOTE_START.search(text)
    bases = snapshot.card.base_models
    if start is None:
        # A quantizer's card that goes on with the base's own card under its title ("# DeepSeek-R1" after
        # unsloth's header, in a GGUF of DeepSeek-R1-Distill-Llama-8B): the title names the declared base or the
        # model it is a version of, and is not the card's first heading.
        heading = _quoted_title(text, bases[0]) if len(bases) == 1 else None
        return QuotedCard(heading, len(text), bases[0], True) if heading is not None else None
    end = _QUOTE_END.search(text, start.end())
    span = (start.start(), end.end() if end else len(text))
    if len(bases) == 1:
        return QuotedCard(*span, bases[0], True)
    if bases:
        return None  # several bases: whose card is quoted is not said
    for m in _PROSE.finditer(text, 0, span[0]):
        rest = m.group("lrest") or m.group("qrest")
        if rest is None:
            continue
        found, family = _name_at(_head_of(rest), registry, families)
        if found and not family:
            return QuotedCard(*span, found, False)
    return None


_TOP_HEADING = re.compile(r"^#[ \t]+([^\n#]{2,80}?)[ \t]*$", re.MULTILINE)


def _quoted_title(text: str, base: str) -> int | None:
    """Where a level-1 heading that names `base` (or the model `base` is a version of: "DeepSeek-R1" for
    DeepSeek-R1-Distill-Llama-8B) stands in `text`, when it is not the card's first heading."""
    key = name_key(base)
    headings = list(_TOP_HEADING.finditer(text))
    for m in headings[1:]:
        title = name_key(m.group(1))
        if len(title) >= 4 and re.search(r"\d", title) and key.startswith(title) and " " not in m.group(1).strip():
            return m.start()
    return None


def _head_of(rest: str) -> str:
    """The text after a lineage phrase, on its line, without the filler words before a name."""
    return _FILLER.sub("", rest.split("\n", 1)[0], count=1)


def prose_hits(
    snapshot: Snapshot,
    registry: Registry,
    families: Families | None = None,
    names: tuple[tuple[str, str], ...] = (),
) -> list[Hit]:
    """Bases the card names in words: "fine-tuned from X", "GGUF conversion of X", "Original repo: X",
    "based on Llama 2" (a family when no checkpoint is named), and bare Hub links on a line that says how
    the model relates to them. Each hit quotes the line it came from. `names`: (where, name) of the
    repository id and folder name, when known: they tell the model's own sentences from its siblings'."""
    body = snapshot.card.body or ""
    if not body:
        return []
    where = snapshot.card.location
    hits: list[Hit] = []
    seen: set[str] = set()
    text = body[:200_000]
    # The model's own names: a sentence about building on this model names no base of it.
    own = {k for _, n in own_identity(snapshot, None, None).names if (k := name_key(n))}
    subjects = _most_specific(own | {k for _, n in names if len(k := name_key(n)) >= 4})
    quote = quoted_card(text, snapshot, registry, families)
    pos = 0
    while (m := _PROSE.search(text, pos)) is not None:
        group = next((g for g in _PROSE_RESTS if m.group(g) is not None), None)
        rest = m.group(group) if group else ""
        # A phrase that names no base skips its window, but one whose rest starts with its object leaves the text
        # after it to be read ("E5-V is fine-tuned based on X": "fine-tuned based" names nothing, "based on X"
        # does). A phrase that names a base is read to its window's end ("fine-tuned from X, which is based on Y").
        pos = m.start(group) if group in _OBJECT_RESTS else m.end()
        before = text[max(0, m.start() - 12) : m.start()].lower()
        # "not based on X"; "This model is non-quantized version of X" (Cohere's Command R+ card, whose 4-bit
        # sibling is X's quantization, not its base).
        if re.search(r"\bnot\b|\bn't\b|\bnon-?$|\bun$", before):
            continue
        sentence = text[max(text.rfind("\n", 0, m.start()), text.rfind(". ", 0, m.start())) + 1 : m.start()]
        if _NOT_YET.search(sentence):
            # A plan names no base; the sentences its window ran over are read on their own.
            pos = m.start(group) if group else pos
            continue
        if _CARD_META.search(sentence):
            continue  # "this model card is based on the Stable Diffusion v1 card" names no base
        if m.group("tverb") and not _TRANSITIVE_SUBJECT.fullmatch(sentence):
            continue
        verb = next((v for g in _PROSE_VERBS if (v := m.group(g))), "").lower()
        noun = group in ("arest", "qrest") or bool(re.fullmatch(r"fine[- ]?tune", verb))
        if noun and _apposed_to_another(sentence, subjects):
            continue  # "We compared ... RealStock v2, a community fine-tune of SDXL": what another model is
        if _about_another(sentence, subjects) or _row_of_others(_line_at(text, m.start()), own):
            continue  # "Yi-9B is continuously trained based on Yi-6B" in Yi-34B's card: Yi-9B's lineage
        # The name must follow the phrase (after filler words): "trained on 2T tokens ... Llama" names no base.
        head = _head_of(rest)
        found, family = _name_at(head, registry, families)
        copy = bool(m.group("cverb"))
        # "apps built on X", "use X as the base" about the model itself; a quantization of X titled X still
        # derives from X.
        usage = (m.group("verb") or "").lower() in ("built", "based") or bool(m.group("sverb"))
        if (
            not found
            or (usage and _own(head, own))
            or (not family and _names_data(found, _after_name(head), snapshot, registry))
        ):
            continue
        pos = m.end()
        line = text[: m.start()].count("\n") + snapshot.card.body_start_line
        stop = text.find("\n", m.end())
        phrase = " ".join(text[m.start() : stop if stop >= 0 else len(text)].split())[:100]
        if quote is not None and quote.holds(m.start()):
            hits += quote.about(found, f'{where} line {line}: "{phrase}"', registry)
            continue
        # A checkpoint re-uploaded under another name is the registered checkpoint, once.
        key = found if family else hit_on(found, 0, "", registry).model
        if key in seen:
            continue
        seen.add(key)
        converted = bool(m.group("xverb"))
        relation = (
            "copy"
            if copy
            else "distillation"
            if verb.startswith("distil")
            else "quantized"
            if m.group("qverb") or converted or verb.startswith("quantiz")
            else "adapter"
            if _ADAPTER_VERB.match(verb)
            else None
        )
        score = 0.7 if family else 0.85  # a family is "possibly derived": which checkpoint is not said
        said = f'{where} line {line}: "{phrase}"'
        trained = bool(_TRAINED.match(verb))
        # Pruning and depth up-scaling say how this model's weights were made from X, in a shape (and for SOLAR's
        # Mistral 7B weights, a Llama configuration) of its own: a config unlike X's does not make them another's.
        mine = bool(_THIS_MODEL.match(sentence)) or bool(m.group("pverb"))
        if family:
            hits.append(Hit(found, score, said, relation=relation, family=family, trained=trained, about_self=mine))
        else:
            hits.append(
                hit_on(
                    found,
                    score,
                    said,
                    registry,
                    relation=relation,
                    converted=converted,
                    trained=trained,
                    about_self=mine,
                )
            )
    hits += _original_card_links(text, snapshot, registry, seen, quote)
    for m in _CJK_PROSE.finditer(text):
        tok = _NAME_TOKEN.search(m.group("crest") or m.group("brest") or m.group("lrest") or "")
        name = latin.group(0) if tok and (latin := _LATIN_NAME.match(tok.group(0))) else ""
        if not name or _own(name, own) or _row_of_others(_line_at(text, m.start()), own):
            continue  # the model's own name ("基于 CharacterGLM-6B 开发应用" is about using this model)
        found, family = _name_at(name, registry, families)
        if not found:
            continue
        line = text[: m.start()].count("\n") + snapshot.card.body_start_line
        phrase = " ".join(m.group(0).split())[:60]
        said = f'{where} line {line}: "{phrase}"'
        if quote is not None and quote.holds(m.start()):
            hits += quote.about(found, said, registry)
            continue
        hit = Hit(found, 0.7, said, family=family) if family else hit_on(found, 0.85, said, registry)
        if hit.model in seen:
            continue
        seen.add(hit.model)
        hits.append(hit)
    own = {n.lower() for n in (snapshot.card.model_name,) if n}
    for m in _HUB_LINK.finditer(text):
        if quote is not None and quote.holds(m.start()):
            continue  # a link in the quoted card of the base: a relative of the base, at most (its siblings, its news)
        model_id = f"{m.group(1)}/{m.group(2)}".rstrip(".")
        known = registry.get(model_id)
        found = known.name_for(model_id) if known else hit_on(model_id, 0, "", registry).model
        if found in seen or model_id.lower() in own or model_id.split("/")[-1].lower() in own:
            continue
        if names_a_license(re.split(r"[\s)\]>\"'`]", text[m.start() : m.start() + 400], maxsplit=1)[0]):
            continue  # a link to the license file of a repository names its terms
        if _names_data(model_id, text[m.end() : m.end() + 80], snapshot, registry):
            continue  # a data set's address written as a model page's
        start = text.rfind("\n", 0, m.start()) + 1
        end = text.find("\n", m.end())
        line_text = text[start : end if end >= 0 else len(text)]
        # The words must come just before the link (a markdown link's text and URL set aside: they say
        # nothing of the relation, "[x-finetuned](https://...)"); a sentence about the card is no lineage.
        if _TABLE_ROW.match(line_text):
            continue  # a table row lists models side by side (sizes, benchmarks): no single base
        lead = text[start : m.start()]
        label = lead[lead.rfind("[") + 1 : -2] if lead.endswith("](") and "[" in lead else ""
        lead = lead[: lead.rfind("[")] if lead.endswith("(") and "[" in lead else lead
        words = _LINK_TEXT.sub(" ", lead)
        clause = words[words.rfind(". ") + 1 :]
        if not _LINEAGE_WORDS.search(words) or _CARD_META.search(line_text) or _NOT_YET.search(clause):
            continue
        if _POINTER_LABEL.fullmatch(label.strip()) and _FIND_WORDS.search(clause) and not _ORIGIN_WORDS.search(clause):
            continue  # "You can find the quantized version of this model [here](...)": the link is that version
        seen.add(found)
        line = text[: m.start()].count("\n") + snapshot.card.body_start_line
        said = f'{where} line {line}: links {m.group(0)} ("{" ".join(line_text.split())[:100]}")'
        hits.append(Hit(found, 0.55, said) if known else hit_on(model_id, 0.55, said, registry))
    return hits


# A link that points where something is found ("You can find the quantized version ... [here](...)"): the link
# is the thing found (a version of this model), not a model this one comes from.
_POINTER_LABEL = re.compile(r"(?:here|this|there|link|this\s+link|this\s+repo(?:sitory)?)", re.IGNORECASE)
_FIND_WORDS = re.compile(r"\b(?:find|found|see|get|download|check|available|try)\b", re.IGNORECASE)
# Unless what is found is this model's origin ("The original Twitter-based RoBERTa model can be found [here](...)").
_ORIGIN_WORDS = re.compile(r"\b(?:original|base|parent|source)\b", re.IGNORECASE)


# "Refer to the [original model card](https://huggingface.co/X)" (mlx-lm's template and re-uploads): X is the
# original of this model, as "Original model: X" says.
_ORIGINAL_CARD = re.compile(
    r"\[\s*(?:the\s+)?original\s+model(?:'s)?(?:\s+card)?\s*\]\(\s*(?:https?://)?(?:www\.)?(?:huggingface\.co|hf\.co)/"
    rf"(?!(?:{HUB_NON_MODEL_PATHS})/)([A-Za-z0-9][\w.-]{{1,95}})/([A-Za-z0-9][\w.-]{{1,95}})",
    re.IGNORECASE,
)


def _original_card_links(
    text: str, snapshot: Snapshot, registry: Registry, seen: set[str], quote: QuotedCard | None = None
) -> list[Hit]:
    """A hit on each model a link labelled "original model card" points at (scored as "Original model: X"),
    outside the base's quoted card (there it is the base's own original)."""
    hits = []
    for m in _ORIGINAL_CARD.finditer(text):
        if quote is not None and quote.holds(m.start()):
            continue
        model_id = f"{m.group(1)}/{m.group(2)}".rstrip(".")
        key = hit_on(model_id, 0, "", registry).model
        if key in seen:
            continue
        seen.add(key)
        line = text[: m.start()].count("\n") + snapshot.card.body_start_line
        said = f'{snapshot.card.location} line {line}: "{" ".join(m.group(0).split())[:100]}"'
        hits.append(hit_on(model_id, 0.85, said, registry))
    return hits


# A line of a table: a markdown row, or an HTML row or cell (a card's table of its sizes or of projects).
_TABLE_ROW = re.compile(r"^\s*(?:\||<t[dhr]\b)", re.IGNORECASE)


def _line_at(text: str, pos: int) -> str:
    end = text.find("\n", pos)
    return text[text.rfind("\n", 0, pos) + 1 : end if end >= 0 else len(text)]


def _row_of_others(line: str, own: set[str]) -> bool:
    """Whether `line` is a table row that does not name the model itself: it describes the models it lists
    (another size's "Yi-9B is continuously trained based on Yi-6B", projects built on the model), and says
    nothing of what this repository's weights come from."""
    if not _TABLE_ROW.match(line):
        return False
    return not any(o and o in name_key(tok) for tok in re.findall(r"[\w.\-]+", line) for o in own)


# A sentence whose subject is the model itself ("This model is fine-tuned from X", "Our model was trained on").
_THIS_MODEL = re.compile(r"^\W*(?:this|our)\s+(?:model|checkpoint|repo(?:sitory)?|version)\b", re.IGNORECASE)
# The subject a sentence opens with: model names (letters, a digit somewhere) joined by commas, "&" or "and",
# then the verb ("DeepSeek-R1-Distill-Llama-8B is derived from", "<td>Yi-9B is continuously trained based on").
_SUBJECT = re.compile(
    r"^(?:\s|<[^>]{0,40}>|[-*|>#])*(?P<names>[A-Za-z][\w.\-]*\d[\w.\-]*"
    r"(?:\s*(?:,|&|\band\b)\s*[A-Za-z][\w.\-]*\d[\w.\-]*)*)\s+(?:is|are|was|were|has\s+been|have\s+been)\b",
    re.IGNORECASE,
)


def _most_specific(keys: set[str]) -> set[str]:
    """The names of `keys` no other one extends: the repository's "DeepSeek-R1-Distill-Llama-8B" says which of
    the "DeepSeek-R1" models of its title it is."""
    return {k for k in keys if not any(o != k and o.startswith(k) for o in keys)}


def _about_another(sentence: str, own: set[str]) -> bool:
    """Whether the sentence's subject is another model than this one: none of the names it opens with is one
    of the model's own names or a longer or shorter form of one ("Yi-9B" in a card titled "What is Yi?").
    Without own names there is nothing to tell a sibling from the model itself."""
    m = _SUBJECT.match(sentence)
    if m is None or not own:
        return False
    keys = [name_key(n) for n in re.split(r"\s*(?:,|&|\band\b)\s*", m.group("names"), flags=re.IGNORECASE)]
    return not any(k and o and (k.startswith(o) or o.startswith(k)) for k in keys for o in own)


def _apposed_to_another(sentence: str, own: set[str]) -> bool:
    """Whether the phrase after `sentence` is set after the name of another model than this one ("We compared
    ... SDXL and RealStock v2, a community fine-tune of SDXL"); not "This is the repository for distil-small.en, a
    distilled variant of X". Without own names there is nothing to tell another model from this one."""
    m = _APPOSITION.search(sentence)
    if m is None or not own or _THIS_MODEL.match(sentence):
        return False
    key = name_key(m.group("name").replace(" ", "-"))
    return not any(o and (o in key or (len(key) >= 4 and key in o)) for o in own)


def _own(head: str, own: set[str]) -> bool:
    """Whether the name `head` starts with is one of the model's own names."""
    tok = re.match(r"[\w][\w.\-/]*", head.strip())
    return tok is not None and name_key(tok.group(0).rstrip(".")) in own


def _hub_id_at(head: str) -> str | None:
    """The Hub id `head` opens with: a Hub model address (any page in it but its license files), or a bare
    OWNER/NAME that is not a longer path (`AutoAWQ/examples/generate.py`) nor an address elsewhere
    (`https://github.com/org/repo`)."""
    m = _HF_ID.match(head)
    if m is None:
        return None
    if not m.group("hub") and (m.group("scheme") or m.group("more") or _WEB_HOST.fullmatch(m.group("owner"))):
        return None
    if m.group("hub") and names_a_license(head.split(None, 1)[0].split(")", 1)[0]):
        return None
    return f"{m.group('owner')}/{m.group('name')}".rstrip(".")


# Words right after a Hub id that say it names data ("on the FLEURS subset of the [google/xtreme_s](https://
# huggingface.co/google/xtreme_s) dataset").
_DATA_AFTER = re.compile(r"[)\]`*_\"'>]*\s*(?:data[- ]?sets?|corpus|corpora)\b", re.IGNORECASE)


def _names_data(model_id: str, after: str, snapshot: Snapshot, registry: Registry) -> bool:
    """Whether the Hub id `model_id`, followed in the text by `after`, is a data set rather than a model: the word
    "dataset" follows it, or the card's `datasets:` front matter lists it (an id without an owner, as `xtreme_s`
    for google/xtreme_s, by its name). A registered model is a model."""
    if registry.get(model_id) is not None or "/" not in model_id:
        return False
    if _DATA_AFTER.match(after):
        return True
    raw = snapshot.card.metadata.get("datasets")
    listed = [
        d.strip().lower()
        for d in ([raw] if isinstance(raw, str) else raw if isinstance(raw, list) else [])
        if isinstance(d, str)
    ]
    return model_id.lower() in listed or model_id.split("/", 1)[1].lower() in [d for d in listed if "/" not in d]


def _after_name(head: str) -> str:
    """The text after the link or Hub id `head` opens with."""
    tok = _MD_LINK.match(head) or _HF_ID.match(head)
    return head[tok.end() :] if tok else ""


def _name_at(head: str, registry: Registry, families: Families | None) -> tuple[str | None, str | None]:
    """(model id or family label, family id) named at the start of `head`: an OWNER/NAME id, a registered
    model's short name, else a family name (a name without a registered checkpoint: "Llama 2", "Qwen 72B")."""
    # A markdown link names what its target is: a Hub model page is that model ("[stable-diffusion-2](https://
    # huggingface.co/stabilityai/stable-diffusion-2)"); a page elsewhere (code on GitHub, a dataset) makes its
    # text no Hub id unless the registry knows it ("[`AutoAWQ/examples/generate.py`](https://github.com/...)").
    registered_only = False
    md = _MD_LINK.match(head)
    if md:
        hub = None if names_a_license(md.group(2)) else hub_model_id(md.group(2))
        head, registered_only = (hub, False) if hub else (md.group(1).strip("`*_ "), True)
    cand = _hub_id_at(head)
    if cand is not None:
        known = registry.get(cand)
        if known is not None:
            return known.name_for(cand), None
        if not registered_only:
            return cand, None
    window = _norm_name(head[:80])
    for short, mid in _starting(registry, window):
        if window.startswith(short) and _name_ends(head[:80], len(short)):
            return mid, None
    if families is not None:
        fm = families.match_name(head[:60])
        # The family name opens the text ("Llama 2 ..."), not a later word ("the ... Llama" is no base),
        # and is a name of its own, not the end of another ("Acme-Qwen 72B" is not Qwen).
        pos = head[:60].lower().find(fm.matched.lower()) if fm is not None else -1
        if fm is not None and 0 <= pos <= 12 and (pos == 0 or not (head[pos - 1].isalnum() or head[pos - 1] in "-_.")):
            return family_label(fm.family, fm.size), fm.family.id
    return None, None
