"""Lineage artifacts of a repository, read with bounds: tokenizer, safetensors headers, GGUF metadata, merge configs.

Called by crawl() so that everything downstream reads the Snapshot. Weight files are never read beyond their
header: safetensors = 8-byte length + JSON header (capped); GGUF = metadata through the gguf package's
memory map (tensor data is never touched). Nothing here executes or unpickles anything.
"""

from __future__ import annotations

import json
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from license_audit.safeio import UnsafePath, decode_text, inside, load_yaml, read_bytes

MAX_TOKENIZER_BYTES = 64 * 1024 * 1024  # the largest real tokenizer.json files (Gemma 3) are ~33 MB
MAX_SAFETENSORS_HEADER = 100 * 1024 * 1024
MAX_SAFETENSORS_FILES = 2000
MAX_GGUF_FILES = 8
MAX_MERGE_CONFIG_BYTES = 1024 * 1024
MERGE_CONFIG_NAMES = ("mergekit_config.yml", "mergekit_config.yaml", "merge_config.yml", "merge_config.yaml")
# GGUF metadata arrays kept (small); tokenizer.ggml.tokens is kept separately as the vocabulary.
_GGUF_SKIP = ("tokenizer.ggml.merges", "tokenizer.ggml.scores", "tokenizer.ggml.token_type", "tokenizer.ggml.tokens")


@dataclass
class Artifacts:
    tokenizer_path: str | None = None
    tokenizer: dict[str, Any] = field(default_factory=dict)  # fingerprint
    vocab_tokens: list[str] = field(default_factory=list)  # model vocabulary in id order (not serialised)
    tensors: dict[str, tuple[str, list[int]]] = field(default_factory=dict)  # name -> (dtype, shape)
    tensor_files: int = 0
    gguf: dict[str, dict[str, Any]] = field(default_factory=dict)  # path -> metadata
    gguf_tokens: list[str] = field(default_factory=list)
    merge_config: tuple[str, Any] | None = None
    problems: list[tuple[str, str]] = field(default_factory=list)


def read_safetensors_header(path: Path, cap: int = MAX_SAFETENSORS_HEADER) -> dict[str, Any]:
    """The JSON header of a safetensors file: reads 8 bytes, then exactly the header, never tensor data."""
    with open(path, "rb") as fh:
        head = fh.read(8)
        if len(head) < 8:
            raise ValueError("shorter than a safetensors header")
        (n,) = struct.unpack("<Q", head)
        if n > cap:
            raise ValueError(f"header of {n} bytes is larger than the {cap // (1024 * 1024)} MB cap")
        raw = fh.read(n)
    if len(raw) < n:
        raise ValueError("header is truncated")
    try:
        # json.loads directly: the header is only walked one level down (names -> dtype/shape/offsets), so a
        # deep document costs nothing beyond the parser's own recursion guard; the depth walk of parse_json
        # would double the cost of a 90,000-tensor DeepSeek-V3 header.
        header = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        raise ValueError(f"header is not JSON ({str(exc)[:80]})") from None
    if not isinstance(header, dict):
        raise ValueError("header is not a JSON object")
    return header


def _tensor_entries(header: dict[str, Any]) -> dict[str, tuple[str, list[int]]]:
    out = {}
    for name, info in header.items():
        if name == "__metadata__" or not isinstance(info, dict):
            continue
        shape = info.get("shape")
        if isinstance(shape, list):  # element types are checked where a shape is used (evidence._dims)
            out[name] = (info.get("dtype"), shape)
    return out


def _gguf_metadata(path: Path) -> tuple[dict[str, Any], list[str]]:
    from gguf import GGUFReader  # lazy: numpy + gguf only when a GGUF file is present

    reader = GGUFReader(str(path), "r")
    meta: dict[str, Any] = {}
    tokens: list[str] = []
    for name, fld in reader.fields.items():
        if name == "tokenizer.ggml.tokens":
            try:
                tokens = [str(t) for t in fld.contents()]
            except Exception:
                tokens = []
            continue
        if name.startswith(_GGUF_SKIP) or name.startswith("GGUF."):
            continue
        try:
            value = fld.contents()
        except Exception:
            continue
        if isinstance(value, list) and len(value) > 64:
            continue
        meta[name] = value
    meta["_tensor_count"] = len(reader.tensors)
    return meta, tokens


def collect(root: Path, files: list[str], read_json) -> Artifacts:
    """read_json(rel, limit) -> parsed JSON or None (crawl's bounded reader, which records problems)."""
    from license_audit.lineage.tokenizer import fingerprint, token_lists

    art = Artifacts()
    top = [f for f in files if "/" not in f]

    if "tokenizer.json" in top:
        tj = read_json("tokenizer.json", MAX_TOKENIZER_BYTES)
        if isinstance(tj, dict):
            tc = read_json("tokenizer_config.json", 8 * 1024 * 1024) if "tokenizer_config.json" in top else None
            art.tokenizer_path = "tokenizer.json"
            art.tokenizer = fingerprint(tj, tc if isinstance(tc, dict) else None)
            art.vocab_tokens = token_lists(tj)[0]
    elif "tokenizer_config.json" in top:
        tc = read_json("tokenizer_config.json", 8 * 1024 * 1024)
        if isinstance(tc, dict):
            art.tokenizer_path = "tokenizer_config.json"
            art.tokenizer = fingerprint(None, tc)

    shards = sorted(f for f in files if f.endswith(".safetensors") and f.count("/") <= 1)
    for rel in shards[:MAX_SAFETENSORS_FILES]:
        try:
            header = read_safetensors_header(inside(root, root / rel))
        except (OSError, UnsafePath, ValueError) as exc:
            art.problems.append((rel, f"safetensors header not read: {exc}"))
            continue
        art.tensor_files += 1
        art.tensors.update(_tensor_entries(header))
    if len(shards) > MAX_SAFETENSORS_FILES:
        art.problems.append((shards[MAX_SAFETENSORS_FILES], f"more than {MAX_SAFETENSORS_FILES} safetensors files; the rest were not read"))

    for rel in sorted(f for f in files if f.endswith(".gguf"))[:MAX_GGUF_FILES]:
        try:
            meta, tokens = _gguf_metadata(inside(root, root / rel))
        except Exception as exc:  # a hostile or truncated GGUF must become a problem line, never a crash
            art.problems.append((rel, f"GGUF metadata not read: {type(exc).__name__}: {str(exc)[:120]}"))
            continue
        art.gguf[rel] = meta
        if tokens and not art.gguf_tokens:
            art.gguf_tokens = tokens

    for rel in top:
        if rel.lower() in MERGE_CONFIG_NAMES:
            try:
                res = read_bytes(root, rel, MAX_MERGE_CONFIG_BYTES)
                art.merge_config = (rel, load_yaml(decode_text(res.data)))
            except Exception as exc:
                art.problems.append((rel, f"merge config not read: {type(exc).__name__}"))
            break
    return art
