"""Properties of the parsers that read weights headers, tokenizers and the policy file.

Whatever the bytes: each returns, or raises only its one documented error (ValueError for weights headers,
JSONProblem for JSON, InputError for the policy), and a whole crawl of such files never raises.
"""

from __future__ import annotations

import json
import struct

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from license_audit.artifacts import gguf_metadata, read_safetensors_header, tensor_entries
from license_audit.crawl import crawl
from license_audit.errors import InputError
from license_audit.policy import parse_policy
from license_audit.safeio import JSONProblem, decode_text, parse_json
from license_audit.tokenizer import fingerprint

FUZZ = settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=10), inner, max_size=5),
    max_leaves=30,
)


def safetensors_of(header_bytes: bytes, declared: int | None = None) -> bytes:
    n = len(header_bytes) if declared is None else declared
    return struct.pack("<Q", n) + header_bytes


@FUZZ
@given(st.binary(max_size=300))
def test_safetensors_header_any_bytes(tmp_path, data):
    path = tmp_path / "x.safetensors"
    path.write_bytes(data)
    try:
        tensor_entries(read_safetensors_header(path))
    except ValueError:
        pass


@FUZZ
@given(json_values, st.one_of(st.none(), st.integers(min_value=0, max_value=2**64 - 1)))
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
@given(json_values, json_values)
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


policy_ish = st.text(alphabet=st.sampled_from(list("-:[]{}&*!|>'\"#\n abcfilonrswvxy0123,.%@")), max_size=200)


@FUZZ
@given(policy_ish)
def test_policy_any_text_is_a_policy_or_one_input_error(text):
    try:
        parse_policy(text, ".license-audit.yaml")
    except InputError as exc:
        assert "\n" not in str(exc) and str(exc).startswith(".license-audit.yaml")


@FUZZ
@given(st.binary(max_size=200), st.binary(max_size=200), json_values)
def test_crawl_of_hostile_weights_and_tokenizers_never_raises(tmp_path, st_bytes, gguf_bytes, tok):
    root = tmp_path / "repo"
    root.mkdir(exist_ok=True)
    (root / "model.safetensors").write_bytes(st_bytes)
    (root / "model-Q4.gguf").write_bytes(GGUF_MAGIC + gguf_bytes)
    (root / "tokenizer.json").write_text(json.dumps(tok))
    snap = crawl(root)
    if snap.artifacts is not None and snap.artifacts.load_tokenizer is not None:
        snap.artifacts.load_tokenizer()
