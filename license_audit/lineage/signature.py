"""Architecture signatures: the config.json fields that identify a model, normalised for comparison.

Noise keys (transformers_version, torch_dtype, _name_or_path, quantization_config, use_cache, ...) never
enter a signature: they change when a model is re-saved, quantized or fine-tuned, the architecture does not.

Fields fall in three kinds. Shape fields (dims, layers, heads, MoE/MLA sizes) fix the weight shapes: a
fine-tune cannot change them. Extendable fields (vocabulary size, context length, rope) are changed by
ordinary derivation work (vocabulary extension, long-context training) and only ever upwards, so a larger
value keeps most of the credit. Everything else counts at face value.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

# Weight of each field in a match: sizes that are expensive to change weigh most.
FIELD_WEIGHTS: dict[str, float] = {
    "architectures": 1.0,
    "model_type": 1.0,
    "hidden_size": 3.0,
    "intermediate_size": 3.0,
    "num_hidden_layers": 3.0,
    "num_attention_heads": 2.0,
    "num_key_value_heads": 2.0,
    "head_dim": 1.0,
    "vocab_size": 2.0,
    "max_position_embeddings": 0.5,
    "original_max_position_embeddings": 0.5,
    "rope_theta": 1.0,
    "rope_scaling": 1.0,
    "rope_local_base_freq": 0.5,
    "partial_rotary_factor": 1.0,
    "rms_norm_eps": 0.5,
    "layer_norm_eps": 0.5,
    "hidden_act": 0.5,
    "hidden_activation": 0.5,
    "tie_word_embeddings": 0.5,
    "attention_bias": 0.5,
    "mlp_bias": 0.5,
    "bias": 0.5,
    "sliding_window": 0.5,
    "sliding_window_pattern": 0.5,
    "max_window_layers": 0.5,
    "bos_token_id": 1.0,
    "eos_token_id": 0.5,
    "pad_token_id": 0.5,
    # Falcon (RefinedWeb)
    "multi_query": 0.5,
    "parallel_attn": 0.5,
    "alibi": 0.5,
    # MoE
    "num_experts": 2.0,
    "n_routed_experts": 2.0,
    "num_local_experts": 2.0,
    "n_shared_experts": 1.0,
    "num_experts_per_tok": 1.5,
    "moe_intermediate_size": 2.0,
    "shared_expert_intermediate_size": 1.0,
    "decoder_sparse_step": 0.5,
    "first_k_dense_replace": 1.0,
    "moe_layer_freq": 0.5,
    "n_group": 1.0,
    "topk_group": 1.0,
    "routed_scaling_factor": 1.0,
    "scoring_func": 0.5,
    "topk_method": 0.5,
    "norm_topk_prob": 0.5,
    "swiglu_limit": 0.5,
    # MLA (DeepSeek V2/V3) and DeepSeek V3.2 sparse attention indexer
    "kv_lora_rank": 2.0,
    "q_lora_rank": 2.0,
    "qk_nope_head_dim": 1.0,
    "qk_rope_head_dim": 1.0,
    "v_head_dim": 1.0,
    "num_nextn_predict_layers": 1.0,
    "index_n_heads": 1.0,
    "index_head_dim": 1.0,
    "index_topk": 1.0,
    # Gemma / others
    "query_pre_attn_scalar": 1.0,
    "final_logit_softcapping": 1.0,
    "attn_logit_softcapping": 1.0,
    "layer_types": 0.5,
    # Encoder-decoder models (T5, BART, M2M100/NLLB, Whisper): the encoder is read through the aliases below as
    # the layer stack; the decoder's stack, T5's feed-forward kind and relative-position buckets come on top
    "decoder_layers": 3.0,
    "decoder_attention_heads": 2.0,
    "decoder_ffn_dim": 3.0,
    "feed_forward_proj": 1.0,
    "relative_attention_num_buckets": 0.5,
    "relative_attention_max_distance": 0.5,
    "scale_embedding": 0.5,
    # Speech (Whisper): the mel filterbank the encoder's first convolution takes, audio and text positions
    "num_mel_bins": 2.0,
    "max_source_positions": 0.5,
    "max_target_positions": 0.5,
}

# The fields that fix tensor shapes: a fine-tune keeps them; a different value means different weights.
SHAPE_FIELDS = frozenset(
    {
        "hidden_size",
        "intermediate_size",
        "num_hidden_layers",
        "num_attention_heads",
        "num_key_value_heads",
        "head_dim",
        "num_experts",
        "n_routed_experts",
        "num_local_experts",
        "n_shared_experts",
        "moe_intermediate_size",
        "shared_expert_intermediate_size",
        "first_k_dense_replace",
        "kv_lora_rank",
        "q_lora_rank",
        "qk_nope_head_dim",
        "qk_rope_head_dim",
        "v_head_dim",
        "index_n_heads",
        "index_head_dim",
        "decoder_layers",
        "decoder_attention_heads",
        "decoder_ffn_dim",
        "num_mel_bins",
    }
)

# Fields that derivation work raises (vocabulary extension, context extension); credit kept for larger values.
EXTENDABLE_FIELDS = frozenset(
    {
        "vocab_size",
        "max_position_embeddings",
        "rope_theta",
        "rope_scaling",
        "sliding_window",
        "original_max_position_embeddings",
        "max_window_layers",
    }
)
EXTENSION_CREDIT = 0.75

# Special-token ids move when a chat template or tokenizer is adapted; a change keeps half the credit.
TOKEN_ID_FIELDS = frozenset({"bos_token_id", "eos_token_id", "pad_token_id"})
TOKEN_ID_CREDIT = 0.5

# The model class. Weights are re-saved under another class that computes the same function ("Llamafied" Qwen,
# DeepSeek-V3 under a renamed model_type): where every other field the config has agrees, shapes included, a
# renamed class keeps half the credit, so a class name alone does not outweigh a whole architecture repeated.
CLASS_FIELDS = frozenset({"architectures", "model_type"})
CLASS_RENAME_CREDIT = 0.5
# Shape fields a config must repeat, all of them equal, for a renamed class to keep that credit (and it may add
# none: experts on a dense model's dims are another architecture).
CLASS_RENAME_MIN_SHAPES = 3

# Other spellings of the same hyper-parameter (Falcon/GPT-2 style configs, MLC presets, GGUF metadata).
KEY_ALIASES: dict[str, str] = {
    "n_head": "num_attention_heads",
    "n_layer": "num_hidden_layers",
    "n_embd": "hidden_size",
    "n_embed": "hidden_size",  # BLOOM (BloomConfig takes it for hidden_size)
    "n_positions": "max_position_embeddings",
    "n_head_kv": "num_key_value_heads",
    "num_kv_heads": "num_key_value_heads",
    "layer_norm_epsilon": "layer_norm_eps",
    "sliding_window_size": "sliding_window",
    "experts_per_token": "num_experts_per_tok",
    # ChatGLM2/3 and GLM-4 (Megatron-style names; multi_query_group_num is the number of key/value heads),
    # EXAONE 3 (num_layers)
    "num_layers": "num_hidden_layers",
    "padded_vocab_size": "vocab_size",
    "ffn_hidden_size": "intermediate_size",
    "seq_length": "max_position_embeddings",
    "multi_query_group_num": "num_key_value_heads",
    "kv_channels": "head_dim",
    # Encoder-decoder configs, as transformers reads them (the attribute_map of T5Config, BartConfig,
    # M2M100Config, WhisperConfig): d_model is the width, the encoder's layers, heads and feed-forward size
    # stand for the layer stack (BART-style configs also write num_hidden_layers, which wins)
    "d_model": "hidden_size",
    "num_heads": "num_attention_heads",
    "d_kv": "head_dim",
    "d_ff": "intermediate_size",
    "encoder_layers": "num_hidden_layers",
    "encoder_attention_heads": "num_attention_heads",
    "encoder_ffn_dim": "intermediate_size",
    "num_decoder_layers": "decoder_layers",
}

# --- diffusers pipelines ---------------------------------------------------------------------------
# A diffusers repository has no root config.json: model_index.json names the pipeline and its components, and
# the denoiser (unet/ or transformer/) carries the hyper-parameters that fix the weights. Its signature is the
# pipeline class, the denoiser's class and fields, the VAE's latent space and the scheduler's prediction type
# (what a fine-tune keeps); the keys do not occur in transformers configs, so the two kinds never match.
DIFFUSERS_FIELD_WEIGHTS: dict[str, float] = {
    "pipeline": 0.5,  # a fine-tune may be saved with another pipeline class (img2img, ONNX) of the same model
    "denoiser": 1.0,
    "text_encoders": 1.0,
    # UNet2DConditionModel (Stable Diffusion 1.x/2.x, SDXL)
    "block_out_channels": 3.0,
    "layers_per_block": 3.0,
    "cross_attention_dim": 3.0,
    "transformer_layers_per_block": 3.0,
    "attention_head_dim": 2.0,
    "in_channels": 2.0,
    "out_channels": 1.0,
    "down_block_types": 1.0,
    "up_block_types": 1.0,
    "mid_block_type": 0.5,
    "use_linear_projection": 1.0,
    "upcast_attention": 0.5,
    "addition_embed_type": 1.0,
    "addition_time_embed_dim": 1.0,
    "projection_class_embeddings_input_dim": 2.0,
    "class_embed_type": 1.0,
    "num_class_embeds": 1.0,
    "time_cond_proj_dim": 1.0,
    "encoder_hid_dim": 1.0,
    "norm_num_groups": 0.5,
    "act_fn": 0.5,
    "sample_size": 0.5,
    # Transformer denoisers (SD3 MMDiT, FLUX)
    "num_layers": 3.0,
    "num_single_layers": 3.0,
    "joint_attention_dim": 2.0,
    "caption_projection_dim": 2.0,
    "pooled_projection_dim": 2.0,
    "patch_size": 1.0,
    "pos_embed_max_size": 0.5,
    "qk_norm": 1.0,
    "dual_attention_layers": 2.0,
    "guidance_embeds": 2.0,  # FLUX.1-dev (guidance-distilled) against FLUX.1-schnell: the one field that differs
    "axes_dims_rope": 1.0,
    # VAE latent space and scheduler objective
    "vae_latent_channels": 1.0,
    "vae_scaling_factor": 1.0,
    "vae_shift_factor": 0.5,
    "prediction_type": 1.0,
}
DIFFUSERS_SHAPE_FIELDS = frozenset(
    {
        "block_out_channels",
        "layers_per_block",
        "cross_attention_dim",
        "transformer_layers_per_block",
        "attention_head_dim",
        "in_channels",
        "projection_class_embeddings_input_dim",
        "num_layers",
        "num_single_layers",
        "joint_attention_dim",
        "caption_projection_dim",
        "pooled_projection_dim",
        "dual_attention_layers",
        "guidance_embeds",  # FLUX.1 [dev] has a guidance embedder [schnell] lacks: weights of their own
    }
)
_DENOISER_FIELDS = (
    *(
        k
        for k in DIFFUSERS_FIELD_WEIGHTS
        if not k.startswith("vae_") and k not in ("pipeline", "denoiser", "text_encoders")
    ),
    "num_attention_heads",
)


# Class defaults that early diffusers versions did not write and later ones do (Stable Diffusion 1.4's copy
# spells out `use_linear_projection: false`, 1.5's leaves it out): left out of a signature either way, so two
# copies of one architecture saved by different versions compare equal.
_DIFFUSERS_DEFAULTS: dict[str, Any] = {
    "use_linear_projection": False,
    "upcast_attention": False,
    "mid_block_type": "UNetMidBlock2DCrossAttn",
    "vae_scaling_factor": 0.18215,
    "prediction_type": "epsilon",
}


def is_diffusers_component(config: Any) -> bool:
    """A diffusers model config (unet/, transformer/ or such a folder's config.json at a repository's root):
    it names its class in `_class_name` and has no transformers `architectures`/`model_type`."""
    return (
        isinstance(config, dict)
        and isinstance(config.get("_class_name"), str)
        and "architectures" not in config
        and "model_type" not in config
    )


def diffusers_signature(
    model_index: dict[str, Any] | None,
    denoiser: dict[str, Any] | None,
    vae: dict[str, Any] | None = None,
    scheduler: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The signature of a diffusers pipeline (any part may be missing: a repository holding only a UNet).

    Fields a config writes as null or at their class default are left out: older diffusers versions did not
    write them at all, so a default and an absent field are the same."""
    sig: dict[str, Any] = {}
    if isinstance(model_index, dict):
        if isinstance(model_index.get("_class_name"), str):
            sig["pipeline"] = model_index["_class_name"]
        encoders = []
        for key in ("text_encoder", "text_encoder_2", "text_encoder_3"):
            spec = model_index.get(key)
            if isinstance(spec, list) and len(spec) == 2 and isinstance(spec[1], str):
                encoders.append(spec[1])
        if encoders:
            sig["text_encoders"] = encoders
    if isinstance(denoiser, dict):
        if isinstance(denoiser.get("_class_name"), str):
            sig["denoiser"] = denoiser["_class_name"]
        for key in _DENOISER_FIELDS:
            if key != "prediction_type" and denoiser.get(key) is not None:
                sig[key] = _norm(denoiser[key])
    if isinstance(vae, dict):
        for key in ("latent_channels", "scaling_factor", "shift_factor"):
            if vae.get(key) is not None:
                sig[f"vae_{key}"] = _norm(vae[key])
    if isinstance(scheduler, dict) and isinstance(scheduler.get("prediction_type"), str):
        sig["prediction_type"] = scheduler["prediction_type"]
    return {k: v for k, v in sorted(sig.items()) if k not in _DIFFUSERS_DEFAULTS or v != _DIFFUSERS_DEFAULTS[k]}


NOISE_KEYS = frozenset(
    {
        "transformers_version",
        "torch_dtype",
        "dtype",
        "_name_or_path",
        "quantization_config",
        "use_cache",
        "auto_map",
        "initializer_range",
        "pretraining_tp",
        "attention_dropout",
        "ep_size",
        "output_router_logits",
        "router_aux_loss_coef",
        "_attn_implementation",
        "task_specific_params",
        "compression_config",
    }
)


def _norm(value: Any) -> Any:
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, (int, float)):
        f = float(value)
        if f != f or f in (float("inf"), float("-inf")):
            return str(f)
        return int(f) if f.is_integer() else float(f"{f:.6g}")
    if isinstance(value, list):
        if len(value) > 256:  # long per-frequency tables (Phi-3 rope factors): compare a digest, not the list
            digest = hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()[:16]
            return f"list[{len(value)}]:{digest}"
        return [_norm(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _norm(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0])) if k not in NOISE_KEYS}
    return str(value)


# The sub-configs of a tower beside the language model (an image or audio encoder, its projector): Qwen-VL's
# `visual`, LLaVA's `vision_tower`, transformers' `vision_config` and `audio_config`.
OTHER_TOWER_KEYS = ("vision_config", "audio_config", "vision_tower", "mm_projector_type", "visual")
# Model types that always take images, whatever sub-configs the file spells out.
MULTIMODAL_MODEL_TYPES = frozenset(
    {
        "mllama",
        "llama4",
        "llava",
        "llava_next",
        "qwen2_vl",
        "qwen2_5_vl",
        "gemma3",
        "paligemma",
        "idefics3",
        "pixtral",
        "mistral3",
    }
)


def other_towers(config: dict[str, Any]) -> list[str]:
    """The sub-configs of other input towers a config holds (its language model may repeat a text model's)."""
    return [k for k in OTHER_TOWER_KEYS if isinstance(config.get(k), (dict, str)) and config[k]]


def takes_other_input(config: dict[str, Any]) -> bool:
    """Whether a config is a multimodal model's: it holds another input tower or has a multimodal model type."""
    return bool(other_towers(config)) or str(config.get("model_type", "")).lower() in MULTIMODAL_MODEL_TYPES


def text_config(config: dict[str, Any]) -> dict[str, Any]:
    """The language-model part of a config: multimodal configs nest it under text_config (Omni models under
    thinker_config.text_config). The nested part is taken when it holds the layer stack the top level lacks;
    top-level identity keys it does not repeat (architectures, special-token ids) are kept with it."""
    inner = config.get("text_config")
    thinker = config.get("thinker_config")
    if not isinstance(inner, dict) and isinstance(thinker, dict) and isinstance(thinker.get("text_config"), dict):
        inner = thinker["text_config"]
    if (
        isinstance(inner, dict)
        and "hidden_size" in inner
        and ("hidden_size" not in config or ("num_hidden_layers" in inner and "num_hidden_layers" not in config))
    ):
        merged = dict(inner)
        if "architectures" in config:
            merged["architectures"] = config["architectures"]
        for key in ("bos_token_id", "eos_token_id", "pad_token_id", "vocab_size"):
            if key in config and key not in merged:
                merged[key] = config[key]
        return merged
    return config


def canonical(config: dict[str, Any]) -> dict[str, Any]:
    """The config with alias keys renamed to their transformers name (the transformers name wins)."""
    cfg = dict(text_config(config))
    for alias, name in KEY_ALIASES.items():
        if alias in cfg and name not in cfg:
            cfg[name] = cfg[alias]
    return cfg


def signature_of(config: dict[str, Any]) -> dict[str, Any]:
    cfg = canonical(config)
    return {k: _norm(cfg[k]) for k in sorted(cfg) if k in FIELD_WEIGHTS and k not in NOISE_KEYS}


def _scalar(v: Any) -> float | None:
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return None
    return float(v)


def _extended(key: str, known: Any, seen: Any) -> bool:
    """Whether `seen` is `known` raised the way derivation work raises it."""
    if key == "rope_scaling":
        # Adding or changing a rope scaling is how context is extended.
        return seen is not None
    k, s = _scalar(known), _scalar(seen)
    if k is None or s is None:
        return False
    return s > k


def normalized(observed: dict[str, Any]) -> dict[str, Any]:
    """An observed config, canonical and with every value normalised: what compare_normalized takes.
    Done once per config, not once per known model it is compared with."""
    return {k: _norm(v) for k, v in canonical(observed).items()}


def compare(
    known: dict[str, Any], observed: dict[str, Any], variants: dict[str, list[Any]] | None = None
) -> tuple[float, list[str], list[str]]:
    """Weighted share of the known signature's fields that the observed config repeats.

    Returns (score, equal fields, differing fields). A field the observed config lacks counts as
    half a difference: exporters drop keys, they rarely change them. An extendable field raised
    (vocabulary, context) keeps EXTENSION_CREDIT and is listed as differing (raised_fields() says which).
    """
    return compare_normalized(known, normalized(observed), variants)


def compare_normalized(
    known: dict[str, Any],
    observed: dict[str, Any],
    variants: dict[str, list[Any]] | None = None,
    inexpressible: frozenset[str] = frozenset(),
) -> tuple[float, list[str], list[str]]:
    """compare() for a config already passed through normalized()."""
    return compare_prepared(prepare_signature(known, variants), observed, inexpressible)


# One signature field ready for comparison: key, weight, value, the values other copies carry (normalised),
# whether derivation raises it, whether it is a special-token id.
PreparedSignature = list[tuple[str, float, Any, tuple[Any, ...], bool, bool]]


def prepare_signature(known: dict[str, Any], variants: dict[str, list[Any]] | None = None) -> PreparedSignature:
    """What compare_prepared needs of a known signature, worked out once per entry rather than per comparison."""
    variants = variants or {}
    return [
        (
            key,
            FIELD_WEIGHTS.get(key) or DIFFUSERS_FIELD_WEIGHTS.get(key, 0.5),
            value,
            tuple(_norm(v) for v in variants.get(key, ())),
            key in EXTENDABLE_FIELDS,
            key in TOKEN_ID_FIELDS,
        )
        for key, value in known.items()
    ]


def compare_prepared(
    known: PreparedSignature, observed: dict[str, Any], inexpressible: frozenset[str] = frozenset()
) -> tuple[float, list[str], list[str]]:
    """compare_normalized() against a prepared signature. `inexpressible`: known fields the observed config's
    class has no setting for (a Llama config has no sliding window): their absence is no difference."""
    total = 0.0
    got = 0.0
    equal: list[str] = []
    differ: list[str] = []
    renamed = 0.0  # weight of the class fields that differ
    shapes = 0  # shape fields present and equal
    for key, w, value, alts, extendable, token_id in known:
        if key not in observed:
            if key not in inexpressible:
                total += w * 0.5
            continue
        total += w
        seen = observed[key]
        if seen == value or any(seen == v for v in alts):
            got += w
            equal.append(key)
            shapes += key in SHAPE_FIELDS
        elif extendable and _extended(key, value, seen):
            got += w * EXTENSION_CREDIT
            differ.append(key)
        elif token_id:
            got += w * TOKEN_ID_CREDIT
            differ.append(key)
        else:
            differ.append(key)
            if key in CLASS_FIELDS:
                renamed += w
    if (
        renamed
        and set(differ) <= CLASS_FIELDS
        and shapes >= CLASS_RENAME_MIN_SHAPES
        and not _more_shape(known, observed)
    ):
        got += renamed * CLASS_RENAME_CREDIT
    return (got / total if total else 0.0), equal, differ


def _more_shape(known: PreparedSignature, observed: dict[str, Any]) -> bool:
    """Whether the observed config has shape fields the known signature lacks (experts on a dense model's
    dims): another architecture, not the same one under another class. head_dim is left aside, as newer
    transformers versions write it out for classes that derive it."""
    keys = {key for key, *_ in known}
    return any(k in SHAPE_FIELDS and k != "head_dim" and k not in keys and v is not None for k, v in observed.items())


def shape_differences(known: dict[str, Any], observed: dict[str, Any]) -> list[str]:
    """Shape fields present on both sides with different values."""
    observed = canonical(observed)
    return sorted(
        k
        for k in known
        if (k in SHAPE_FIELDS or k in DIFFUSERS_SHAPE_FIELDS) and k in observed and _norm(observed[k]) != known[k]
    )


def raised_fields(known: dict[str, Any], observed: dict[str, Any]) -> set[str]:
    """Extendable fields the observed config raised above the known value (vocabulary or context extended)."""
    observed = canonical(observed)
    return {
        k
        for k in known
        if k in EXTENDABLE_FIELDS
        and k in observed
        and _norm(observed[k]) != known[k]
        and _extended(k, known[k], _norm(observed[k]))
    }
