"""Vocabularies in id order from the files repositories ship them in, read with bounds.

- tokenizer.json (Hugging Face tokenizers): `model.vocab` and `added_tokens`. The merges (half or more of a
  10-30 MB file) are not needed to know the vocabulary, so only the two values are decoded when they can be
  found; anything unusual falls back to parsing the whole document.
- tokenizer.model (SentencePiece ModelProto): the pieces, by a small protobuf walk that checks every length
  against the data (no sentencepiece dependency, nothing executed).
- vocab.json (GPT-2 style BPE, beside merges.txt): token -> id.
- GGUF `tokenizer.ggml.tokens`: read by artifacts.gguf_metadata.
"""

from __future__ import annotations

import json
from typing import Any

from license_audit.tokenizer import MAX_TOKENS, _tokens_in_id_order, token_lists

MAX_PIECE_BYTES = 4096


class VocabProblem(ValueError):
    pass


def _varint(data: bytes, pos: int, end: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        if pos >= end or shift > 63:
            raise VocabProblem("truncated or overlong varint")
        b = data[pos]
        pos += 1
        value |= (b & 0x7F) << shift
        if not b & 0x80:
            return value, pos
        shift += 7


def _skip(data: bytes, pos: int, end: int, wire: int) -> int:
    if wire == 0:
        return _varint(data, pos, end)[1]
    if wire == 1:
        pos += 8
    elif wire == 2:
        n, pos = _varint(data, pos, end)
        pos += n
    elif wire == 5:
        pos += 4
    else:
        raise VocabProblem(f"unsupported protobuf wire type {wire}")
    if pos > end:
        raise VocabProblem("a length points past the end of the data")
    return pos


def sentencepiece_pieces(data: bytes) -> list[str]:
    """The pieces of a SentencePiece ModelProto (field 1, repeated SentencePiece; its field 1 is the piece)."""
    pieces: list[str] = []
    pos, end = 0, len(data)
    while pos < end:
        key, pos = _varint(data, pos, end)
        field_no, wire = key >> 3, key & 7
        if field_no == 1 and wire == 2:
            n, pos = _varint(data, pos, end)
            sub_end = pos + n
            if sub_end > end:
                raise VocabProblem("a piece points past the end of the data")
            piece = ""
            while pos < sub_end:
                k2, pos = _varint(data, pos, sub_end)
                if k2 >> 3 == 1 and k2 & 7 == 2:
                    m, pos = _varint(data, pos, sub_end)
                    if pos + m > sub_end or m > MAX_PIECE_BYTES:
                        raise VocabProblem("a piece longer than its record")
                    piece = data[pos : pos + m].decode("utf-8", "replace")
                    pos += m
                else:
                    pos = _skip(data, pos, sub_end, k2 & 7)
            pieces.append(piece)
            if len(pieces) > MAX_TOKENS:
                raise VocabProblem(f"more than {MAX_TOKENS} pieces")
        else:
            pos = _skip(data, pos, end, wire)
    if not pieces:
        raise VocabProblem("no SentencePiece pieces found")
    return pieces


def _value_after(text: str, key: str, opener: str, decoder: json.JSONDecoder) -> Any:
    """The JSON value of the only `"key":` in text whose value opens with one of `opener`, else None.

    A vocabulary holds tokens such as "vocab" too (`"vocab": 12345`); only an object or array value counts.
    """
    found = None
    at = text.find(f'"{key}"')
    while at >= 0:
        pos = at + len(key) + 2
        while pos < len(text) and text[pos] in " \t\r\n":
            pos += 1
        if pos < len(text) and text[pos] == ":":
            pos += 1
            while pos < len(text) and text[pos] in " \t\r\n":
                pos += 1
            if pos < len(text) and text[pos] in opener:
                if found is not None:
                    return None  # twice: not sure which one is the model's
                found = pos
        at = text.find(f'"{key}"', at + 1)
    if found is None:
        return None
    try:
        return decoder.raw_decode(text, found)[0]
    except (ValueError, RecursionError):
        return None


def tokenizer_json_tokens(text: str, parse_all) -> tuple[list[str], list[str]]:
    """(model vocabulary, vocabulary with added tokens) of a tokenizer.json text.

    The fast path decodes only `"vocab":` and `"added_tokens":` (each must occur once); parse_all(text) is the
    full bounded parse, used when the fast path cannot be sure.
    """
    dec = json.JSONDecoder()
    vocab = _value_after(text, "vocab", "{[", dec)
    added = _value_after(text, "added_tokens", "[", dec) if '"added_tokens"' in text else []
    if isinstance(vocab, (dict, list)) and vocab and isinstance(added, list):
        base, full, _ = token_lists({"model": {"vocab": vocab}, "added_tokens": added})
        if base:
            return base, full
    doc = parse_all(text)
    if not isinstance(doc, dict):
        return [], []
    base, full, _ = token_lists(doc)
    return base, full


def vocab_json_tokens(doc: Any) -> list[str]:
    return _tokens_in_id_order(doc) if isinstance(doc, dict) else []
