"""Tokenizer fingerprints: enough to recognise a vocabulary (or a base vocabulary extended) without storing it.

A fingerprint holds the vocabulary size and a SHA-256 over the tokens in id order, for the model vocabulary
and for the full one (with added tokens), plus special tokens and chat-template markers. An extended
vocabulary keeps its base as a prefix, so hashing the first N observed tokens and comparing with a base of
size N says "extended from that base" without either side storing the tokens.
"""

from __future__ import annotations

import hashlib
from typing import Any

# Chat-template and special-token markers that point at a model family (evidence a person can check).
MARKERS: dict[str, str] = {
    "<|start_header_id|>": "llama3",
    "<|eot_id|>": "llama3",
    "<|begin_of_text|>": "llama3",
    "<｜begin▁of▁sentence｜>": "deepseek",
    "<｜Assistant｜>": "deepseek",
    "<|im_start|>": "chatml (Qwen and others)",
    "<start_of_turn>": "gemma",
    "[INST]": "llama2/mistral",
    "<|assistant|>": "phi3",
    "<|im_sep|>": "phi4",
    "<|channel|>": "gpt-oss (harmony)",
    "<|im_end|>": "chatml (Qwen and others)",
}


def _tokens_in_id_order(vocab: Any) -> list[str]:
    if isinstance(vocab, dict):
        pairs = [(i, str(t)) for t, i in vocab.items() if isinstance(i, int) and not isinstance(i, bool) and i >= 0]
        if not pairs:
            return []
        size = max(i for i, _ in pairs) + 1
        if size > 4 * len(pairs) + 1024:  # absurd ids in a hostile file: keep only what is present
            return [t for _, t in sorted(pairs)]
        out = [""] * size
        for i, t in pairs:
            out[i] = t
        return out
    if isinstance(vocab, list):  # Unigram: [[token, score], ...]
        return [str(e[0]) if isinstance(e, list) and e else str(e) for e in vocab]
    return []


def token_lists(tokenizer_json: dict[str, Any]) -> tuple[list[str], list[str], list[str]]:
    """(model vocabulary in id order, full vocabulary with added tokens, special tokens)."""
    model = tokenizer_json.get("model") if isinstance(tokenizer_json, dict) else None
    base = _tokens_in_id_order(model.get("vocab")) if isinstance(model, dict) else []
    full = list(base)
    special: list[str] = []
    added = tokenizer_json.get("added_tokens") if isinstance(tokenizer_json, dict) else None
    for tok in added if isinstance(added, list) else []:
        if not isinstance(tok, dict):
            continue
        tid, content = tok.get("id"), tok.get("content")
        if not isinstance(tid, int) or isinstance(tid, bool) or not isinstance(content, str) or tid < 0:
            continue
        if tid >= len(full):
            if tid > len(full) + 1_000_000:
                continue
            full.extend([""] * (tid + 1 - len(full)))
        full[tid] = content
        if tok.get("special"):
            special.append(content)
    return base, full, sorted(set(special))


def vocab_hash(tokens: list[str], n: int | None = None) -> str:
    h = hashlib.sha256()
    for t in tokens[: n if n is not None else len(tokens)]:
        h.update(t.encode("utf-8", "surrogatepass"))
        h.update(b"\x00")
    return h.hexdigest()


def markers_in(*texts: str | None) -> list[str]:
    found: set[str] = set()
    for text in texts:
        if text:
            found.update(m for m in MARKERS if m in text)
    return sorted(found)


def fingerprint(
    tokenizer_json: dict[str, Any] | None, tokenizer_config: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The fingerprint stored in the registry (tokenizer:) and computed for an audited repo."""
    fp: dict[str, Any] = {}
    if isinstance(tokenizer_json, dict):
        base, full, special = token_lists(tokenizer_json)
        model = tokenizer_json.get("model")
        fp.update(
            {
                "type": str(model.get("type")) if isinstance(model, dict) and model.get("type") else None,
                "vocab_size": len(base),
                "vocab_sha256": vocab_hash(base),
                "size": len(full),
                "sha256": vocab_hash(full),
                "special_tokens": special[:64],
            }
        )
    template = None
    if isinstance(tokenizer_config, dict):
        tpl = tokenizer_config.get("chat_template")
        if isinstance(tpl, list):  # named templates
            tpl = " ".join(str(t.get("template", "")) for t in tpl if isinstance(t, dict))
        template = tpl if isinstance(tpl, str) else None
        if "special_tokens" not in fp and isinstance(tokenizer_config.get("added_tokens_decoder"), dict):
            special = sorted(
                {
                    str(t.get("content"))
                    for t in tokenizer_config["added_tokens_decoder"].values()
                    if isinstance(t, dict) and t.get("special") and t.get("content")
                }
            )
            if special:
                fp["special_tokens"] = special[:64]
        for key in ("bos_token", "eos_token"):
            v = tokenizer_config.get(key)
            v = v.get("content") if isinstance(v, dict) else v
            if isinstance(v, str):
                fp[key] = v
    markers = markers_in(template, " ".join(fp.get("special_tokens", [])))
    if markers:
        fp["markers"] = markers
    return {k: v for k, v in fp.items() if v is not None}


def relate(known: dict[str, Any], base_tokens: list[str], full_hash: str | None = None) -> tuple[str, str] | None:
    """How an observed vocabulary relates to a known fingerprint: (kind, sentence) or None when unknown.

    kind is "identical", "extended" (the known vocabulary is a prefix of the observed one) or "different"
    (same size, other tokens: a vocabulary of its own, evidence against derivation).
    """
    k_size, k_hash = known.get("vocab_size"), known.get("vocab_sha256")
    if not isinstance(k_size, int) or not isinstance(k_hash, str):
        return None
    n = len(base_tokens)
    if n == k_size and vocab_hash(base_tokens) == k_hash:
        return "identical", f"vocabulary identical ({n} tokens, sha256 {k_hash[:12]})"
    if n > k_size and vocab_hash(base_tokens, k_size) == k_hash:
        return "extended", f"vocabulary extends the base's {k_size} tokens (first {k_size} of {n} identical)"
    if n == k_size:
        return "different", f"vocabulary of the same size ({n}) but different tokens"
    return "different", f"vocabulary differs ({n} tokens, base has {k_size})"
