"""Lineage parsers on arbitrary input: they return an answer or a problem line, never raise."""

from __future__ import annotations

import json
import struct

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from license_audit.artifacts import gguf_metadata, read_safetensors_header, tensor_entries
from license_audit.crawl import crawl
from license_audit.lineage.shapes import signature_from_tensors
from license_audit.lineage.signature import compare, signature_of
from license_audit.registry import load_registry
from license_audit.safeio import JSONProblem, decode_text, parse_json
from license_audit.tokenizer import fingerprint, relate, token_lists

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)
# Larger documents, without NaN, for the weights and tokenizer parsers.
json_documents = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=10), inner, max_size=5),
    max_leaves=30,
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


FUZZ = settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)


@FUZZ
@given(st.binary(max_size=300))
def test_safetensors_header_any_bytes(tmp_path, data):
    path = tmp_path / "x.safetensors"
    path.write_bytes(data)
    try:
        tensor_entries(read_safetensors_header(path))
    except ValueError:
        pass


def safetensors_of(header_bytes: bytes, declared: int | None = None) -> bytes:
    n = len(header_bytes) if declared is None else declared
    return struct.pack("<Q", n) + header_bytes


@FUZZ
@given(json_documents, st.one_of(st.none(), st.integers(min_value=0, max_value=2**64 - 1)))
def test_safetensors_header_any_json_and_length(tmp_path, header, declared):
    path = tmp_path / "x.safetensors"
    path.write_bytes(safetensors_of(json.dumps(header).encode(), declared))
    try:
        entries = tensor_entries(read_safetensors_header(path))
    except ValueError:
        return
    assert all(isinstance(shape, list) for _, shape in entries.values())


GGUF_MAGIC = b"GGUF" + struct.pack("<I", 3)


@FUZZ
@given(st.binary(max_size=400), st.integers(min_value=0, max_value=2**63), st.integers(min_value=0, max_value=2**63))
def test_gguf_any_counts_and_bytes(tmp_path, body, n_tensors, n_kv):
    path = tmp_path / "x.gguf"
    path.write_bytes(GGUF_MAGIC + struct.pack("<QQ", n_tensors, n_kv) + body)
    try:
        gguf_metadata(path)
    except ValueError:
        pass


@FUZZ
@given(json_documents, json_documents)
def test_tokenizer_fingerprint_any_json(tok, cfg):
    fp = fingerprint(tok if isinstance(tok, dict) else None, cfg if isinstance(cfg, dict) else None)
    assert isinstance(fp, dict)


@FUZZ
@given(st.binary(max_size=300))
def test_tokenizer_file_any_bytes(data):
    try:
        doc = parse_json(decode_text(data))
    except JSONProblem:
        return
    fingerprint(doc if isinstance(doc, dict) else None)


@FUZZ
@given(st.binary(max_size=200), st.binary(max_size=200), json_documents)
def test_crawl_of_hostile_weights_and_tokenizers_never_raises(tmp_path, st_bytes, gguf_bytes, tok):
    root = tmp_path / "repo"
    root.mkdir(exist_ok=True)
    (root / "model.safetensors").write_bytes(st_bytes)
    (root / "model-Q4.gguf").write_bytes(GGUF_MAGIC + gguf_bytes)
    (root / "tokenizer.json").write_text(json.dumps(tok))
    snap = crawl(root)
    if snap.artifacts is not None and snap.artifacts.load_tokenizer is not None:
        snap.artifacts.load_tokenizer()
