"""Architecture signatures: the config.json fields that identify a model, normalised for comparison.

Noise keys (transformers_version, torch_dtype, _name_or_path, quantization_config, use_cache, ...) never
enter a signature: they change when a model is re-saved, quantized or fine-tuned, the architecture does not.
"""

from __future__ import annotations

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
    "rope_theta": 1.0,
    "rope_scaling": 1.0,
    "rms_norm_eps": 0.5,
    "layer_norm_eps": 0.5,
    "hidden_act": 0.5,
    "tie_word_embeddings": 0.5,
    "attention_bias": 0.5,
    "mlp_bias": 0.5,
    "sliding_window": 0.5,
    "bos_token_id": 1.0,
    "eos_token_id": 0.5,
    "pad_token_id": 0.5,
    # MoE
    "num_experts": 2.0,
    "n_routed_experts": 2.0,
    "num_local_experts": 2.0,
    "n_shared_experts": 1.0,
    "num_experts_per_tok": 1.5,
    "moe_intermediate_size": 2.0,
    "shared_expert_intermediate_size": 1.0,
    "first_k_dense_replace": 1.0,
    "moe_layer_freq": 0.5,
    "n_group": 1.0,
    "topk_group": 1.0,
    "routed_scaling_factor": 1.0,
    "scoring_func": 0.5,
    "topk_method": 0.5,
    "norm_topk_prob": 0.5,
    # MLA (DeepSeek V2/V3)
    "kv_lora_rank": 2.0,
    "q_lora_rank": 2.0,
    "qk_nope_head_dim": 1.0,
    "qk_rope_head_dim": 1.0,
    "v_head_dim": 1.0,
    "num_nextn_predict_layers": 1.0,
    # Gemma / others
    "query_pre_attn_scalar": 1.0,
    "final_logit_softcapping": 1.0,
    "attn_logit_softcapping": 1.0,
    "partial_rotary_factor": 1.0,
    "layer_types": 0.5,
}

NOISE_KEYS = frozenset({
    "transformers_version", "torch_dtype", "dtype", "_name_or_path", "quantization_config", "use_cache",
    "auto_map", "initializer_range", "pretraining_tp", "attention_dropout", "ep_size", "output_router_logits",
    "router_aux_loss_coef", "_attn_implementation", "task_specific_params", "compression_config",
})


def _norm(value: Any) -> Any:
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, (int, float)):
        f = float(value)
        return int(f) if f.is_integer() else float(f"{f:.6g}")
    if isinstance(value, list):
        return [_norm(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _norm(v) for k, v in sorted(value.items()) if k not in NOISE_KEYS}
    return str(value)


def text_config(config: dict[str, Any]) -> dict[str, Any]:
    """The language-model part of a config (multimodal configs nest it under text_config)."""
    inner = config.get("text_config")
    if isinstance(inner, dict) and "hidden_size" in inner and "hidden_size" not in config:
        merged = dict(inner)
        for key in ("architectures",):
            if key in config:
                merged[key] = config[key]
        return merged
    return config


def signature_of(config: dict[str, Any]) -> dict[str, Any]:
    cfg = text_config(config)
    return {k: _norm(cfg[k]) for k in sorted(cfg) if k in FIELD_WEIGHTS and k not in NOISE_KEYS}


def compare(known: dict[str, Any], observed: dict[str, Any]) -> tuple[float, list[str], list[str]]:
    """Weighted share of the known signature's fields that the observed config repeats.

    Returns (score, equal fields, differing fields). A field the observed config lacks counts as
    half a difference: exporters drop keys, they rarely change them.
    """
    total = 0.0
    got = 0.0
    equal: list[str] = []
    differ: list[str] = []
    for key, value in known.items():
        w = FIELD_WEIGHTS.get(key, 0.5)
        if key not in observed:
            total += w * 0.5
            continue
        total += w
        if _norm(observed[key]) == value:
            got += w
            equal.append(key)
        else:
            differ.append(key)
    return (got / total if total else 0.0), equal, differ
