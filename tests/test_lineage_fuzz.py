"""Lineage parsers on arbitrary input: they return an answer or a problem line, never raise."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from license_audit.lineage.shapes import signature_from_tensors
from license_audit.lineage.signature import compare, signature_of
from license_audit.registry import load_registry
from license_audit.tokenizer import fingerprint, relate, token_lists

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)
keys = st.sampled_from(
    [
        "hidden_size",
        "num_hidden_layers",
        "vocab_size",
        "rope_scaling",
        "eos_token_id",
        "n_head",
        "model_type",
        "architectures",
        "text_config",
        "max_position_embeddings",
        "rope_theta",
    ]
)


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(keys | st.text(max_size=6), json_values, max_size=10))
def test_config_scoring_never_raises(cfg):
    sig = signature_of(cfg)
    json.dumps(sig)
    for known in list(load_registry())[:10]:
        score, _, _ = compare(known.signature, cfg, known.variants)
        assert 0.0 <= score <= 1.0


@settings(max_examples=150)
@given(
    st.dictionaries(st.sampled_from(["model", "added_tokens", "x"]), json_values, max_size=3),
    st.dictionaries(
        st.sampled_from(["chat_template", "added_tokens_decoder", "bos_token", "eos_token"]), json_values, max_size=4
    ),
)
def test_tokenizer_fingerprint_never_raises(tok, cfg):
    fp = fingerprint(tok, cfg)
    json.dumps(fp)
    base, _full, _ = token_lists(tok)
    relate({"vocab_size": 3, "vocab_sha256": "0" * 64}, base)


@settings(max_examples=100)
@given(
    st.dictionaries(
        st.text(max_size=40)
        | st.sampled_from(
            [
                "model.embed_tokens.weight",
                "model.layers.0.mlp.gate_proj.weight",
                "model.layers.3.mlp.experts.7.up_proj.weight",
            ]
        ),
        st.tuples(st.text(max_size=4), json_values),
        max_size=8,
    )
)
def test_tensor_shapes_never_raise(tensors):
    signature_from_tensors(tensors)
