"""Tokenizer fingerprints: enough to recognise a vocabulary (or a base vocabulary extended) without storing it.

A fingerprint holds sizes and hashes, never tokens:

- `vocab_size` / `vocab_sha256`: the vocabulary in id order (SHA-256 over the tokens, each followed by NUL);
- `size` / `sha256`: the same with added tokens (tokenizer.json `added_tokens`), when they differ;
- `base_size` / `base_sha256`: the trained part only (up to the last normal or byte token). Releases of one
  family keep it and change the special tokens after it (Qwen2.5 and Qwen3; Llama 3's reserved tokens);
- `prefix`: short hashes of the first N tokens at a few fixed cut points (how far two vocabularies agree);
- `sample`: a bottom-k sketch, the CRC-32 values of the k tokens with the smallest CRC-32, for "contains the
  base's tokens in another order" tests. It names no token; a vocabulary holding every sampled value holds
  the base vocabulary with near certainty, one holding few of them is another vocabulary.

An extended vocabulary keeps its base as a prefix, so hashing the first N observed tokens and comparing with a
base of size N says "extended from that base" without either side storing the tokens. Unrelated vocabularies
of one kind (byte-level BPE) share most common tokens, so only order-preserving agreement is evidence of
derivation; the sketch separates "the same tokens reindexed" from "another vocabulary".
"""

from __future__ import annotations

import functools
import hashlib
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
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

PREFIX_CUTS = (256, 1024, 4096, 16384, 32768, 65536, 131072)
SAMPLE_K = 128
# Share of a known vocabulary's sampled tokens another vocabulary must hold to count as "the same tokens".
CONTAINS_ALL = 1.0
# Below this share the observed vocabulary is another one (byte-level BPE vocabularies of different
# families share 0.5-0.9 of their tokens, SentencePiece ones 0.3-0.6: only a full sketch says "same").
RELATED_SHARE = 0.98
MAX_TOKENS = 4_000_000


def _encode(tokens: list[str]) -> bytes:
    return ("\x00".join(tokens) + "\x00").encode("utf-8", "surrogatepass") if tokens else b""


def vocab_hash(tokens: list[str], n: int | None = None) -> str:
    return hashlib.sha256(_encode(tokens[: n if n is not None else len(tokens)])).hexdigest()


def prefix_hashes(tokens: list[str], cuts: list[int] | tuple[int, ...]) -> dict[int, str]:
    """SHA-256 of the first n tokens for every n in cuts (n <= len(tokens)), in one pass over the list."""
    h = hashlib.sha256()
    out: dict[int, str] = {}
    at = 0
    for n in sorted({c for c in cuts if 0 < c <= len(tokens)}):
        h.update(_encode(tokens[at:n]))
        at = n
        out[n] = h.copy().hexdigest()
    return out


def _crc(token: str) -> int:
    return zlib.crc32(token.encode("utf-8", "surrogatepass"))


def sketch(tokens: list[str], k: int = SAMPLE_K) -> str:
    """The bottom-k CRC-32 sketch of a vocabulary, as one hex string (8 hex digits per sampled token)."""
    values = sorted({_crc(t) for t in tokens if t})[:k]
    return "".join(f"{v:08x}" for v in values)


def sketch_values(sample: Any) -> list[int]:
    if not isinstance(sample, str) or len(sample) % 8 or len(sample) > 8 * 4096:
        return []
    return list(_sketch_values(sample))


@functools.lru_cache(maxsize=512)
def _sketch_values(sample: str) -> tuple[int, ...]:
    """Parsed once per fingerprint and process: every lineage run compares against the same registry."""
    try:
        return tuple(int(sample[i : i + 8], 16) for i in range(0, len(sample), 8))
    except ValueError:
        return ()


def _tokens_in_id_order(vocab: Any) -> list[str]:
    if isinstance(vocab, dict):
        ids = list(vocab.values())
        if ids == list(range(len(ids))):  # the usual layout: written in id order (checked at C speed)
            return list(vocab)  # JSON object keys are strings
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
        return [str(e[0]) if isinstance(e, list) and e else str(e) for e in vocab[:MAX_TOKENS]]
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


def markers_in(*texts: str | None) -> list[str]:
    found: set[str] = set()
    for text in texts:
        if text:
            found.update(m for m in MARKERS if m in text)
    return sorted(found)


def vocabulary_fingerprint(
    tokens: list[str], full: list[str] | None = None, base_size: int | None = None
) -> dict[str, Any]:
    """Hashes and sizes of a vocabulary in id order (the registry's `tokenizer:` keys, without markers)."""
    fp: dict[str, Any] = {"vocab_size": len(tokens), "vocab_sha256": vocab_hash(tokens)}
    if full is not None and full != tokens:
        fp.update({"size": len(full), "sha256": vocab_hash(full)})
    if base_size is not None and 0 < base_size < len(tokens):
        fp.update({"base_size": base_size, "base_sha256": vocab_hash(tokens, base_size)})
    cuts = prefix_hashes(tokens, [c for c in PREFIX_CUTS if c < len(tokens)])
    if cuts:
        fp["prefix"] = {str(n): h[:16] for n, h in cuts.items()}  # string keys: JSON-cacheable
    # Sampled from the trained part: padding and special tokens differ between releases that share it.
    fp["sample"] = sketch(tokens[:base_size] if base_size else (full or tokens))
    return fp


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


@dataclass
class Vocabulary:
    """An observed vocabulary (model vocabulary and, when different, the one with added tokens), with the
    hashes the comparisons need computed once per audit and cached."""

    tokens: list[str]
    full: list[str] = field(default_factory=list)
    where: str = "tokenizer"
    _prefix: dict[tuple[int, int], str] = field(default_factory=dict, repr=False)
    _crcs: set[int] | None = field(default=None, repr=False)
    # Each list's encoding, kept from the prefix hashing for the sampled-token test (encoded once, not twice).
    _encoded: dict[int, bytes] = field(default_factory=dict, repr=False)

    def lists(self) -> list[tuple[int, list[str]]]:
        out = [(0, self.tokens)]
        if self.full and self.full != self.tokens:
            out.append((1, self.full))
        return out

    def prefix(self, which: int, tokens: list[str], n: int) -> str:
        key = (which, n)
        if key not in self._prefix:
            self._prefix[key] = vocab_hash(tokens, n)
        return self._prefix[key]

    def prepare(self, cuts: set[int]) -> None:
        """Hash every needed prefix of each list in one pass (the registry's sizes, known up front)."""
        for which, tokens in self.lists():
            need = sorted(n for n in cuts if 0 < n <= len(tokens) and (which, n) not in self._prefix)
            if not need:
                continue
            h = hashlib.sha256()
            chunks, at = [], 0
            for n in need:  # SHA-256 of the first n tokens for every n, in one pass over the encoding
                chunks.append(_encode(tokens[at:n]))
                h.update(chunks[-1])
                at = n
                self._prefix[(which, n)] = h.copy().hexdigest()
            if which not in self._encoded:
                chunks.append(_encode(tokens[at:]))
                self._encoded[which] = b"".join(chunks)

    def crcs(self) -> set[int]:
        if self._crcs is None:
            which = 1 if self.full and self.full != self.tokens else 0
            kept = self._encoded.get(which)
            raw = (kept if kept is not None else _encode(self.full or self.tokens)).split(b"\x00")
            self._crcs = set(map(zlib.crc32, filter(None, raw)))
            self._encoded.clear()  # the hashes are done: the encoding is not needed any more
        return self._crcs

    # What relate_vocabulary asks of an observed vocabulary; a cached VocabDigest answers the same.
    @property
    def count(self) -> int:
        return len(self.tokens)

    @property
    def total(self) -> int:
        return len(self.full or self.tokens)

    def sizes(self) -> list[tuple[int, int]]:
        return [(which, len(tokens)) for which, tokens in self.lists()]

    def hash_at(self, which: int, n: int) -> str:
        return self.prefix(which, self.full if which else self.tokens, n)

    def holds(self, values: list[int]) -> int:
        return len(self.crcs().intersection(values))


@dataclass
class VocabDigest:
    """What the comparisons need of an observed vocabulary, without its tokens: the sizes, the prefix hashes
    at the registry's cuts and which of the registry's sampled tokens it holds. Kept in the derived-data
    cache, so a repeated audit does not decode the tokenizer file again. The sampled tokens are only known
    when a comparison needed them when the digest was made (hashing every token costs as much again); a
    later comparison that needs them reads the vocabulary through `reload`."""

    where: str
    count: int
    total: int
    full_size: int  # the list with added tokens, 0 when it is the model vocabulary itself
    hashes: dict[tuple[int, int], str]
    present: set[int] | None  # None: not measured
    reload: Callable[[], Vocabulary | None] | None = field(default=None, repr=False, compare=False)
    loaded: Vocabulary | None = field(default=None, repr=False, compare=False)

    def sizes(self) -> list[tuple[int, int]]:
        out = [(0, self.count)]
        if self.full_size:
            out.append((1, self.full_size))
        return out

    def hash_at(self, which: int, n: int) -> str:
        return self.hashes.get((which, n), "")

    def holds(self, values: list[int]) -> int:
        if self.present is not None:
            return len(self.present.intersection(values))
        if self.loaded is None and self.reload is not None:
            self.loaded = self.reload()
        return self.loaded.holds(values) if self.loaded is not None else 0


def digest_of(vocab: Vocabulary, cuts: set[int], values: set[int]) -> VocabDigest:
    """The digest answering every comparison with fingerprints whose sizes are `cuts` (and, when the sampled
    tokens were hashed, whose samples are `values`)."""
    vocab.prepare(cuts)
    hashes = {(which, n): vocab.hash_at(which, n) for which, n0 in vocab.sizes() for n in cuts if n <= n0}
    have = vocab._crcs
    present = {v for v in values if v in have} if have is not None else None
    full = len(vocab.full) if vocab.full and vocab.full != vocab.tokens else 0
    return VocabDigest(vocab.where, vocab.count, vocab.total, full, hashes, present)


@dataclass
class Relation:
    kind: str  # identical | extended | contains | different
    sentence: str
    share: float | None = None  # share of the known vocabulary's sampled tokens the observed one holds (None: not
    # measured)

    @property
    def positive(self) -> bool:
        return self.kind in ("identical", "extended", "contains")


def relate_vocabulary(known: dict[str, Any], vocab: Vocabulary | VocabDigest, sample: bool = True) -> Relation | None:
    """How an observed vocabulary relates to a known fingerprint, or None when the fingerprint has no hashes.

    identical: the same tokens in the same order (or the same trained vocabulary, special tokens apart);
    extended: the known vocabulary is a prefix of the observed one (pieces appended);
    contains: every sampled token of the known vocabulary is present, in another order;
    different: none of these (share says how many sampled tokens the two have in common).
    """
    k_size, k_hash = known.get("vocab_size"), known.get("vocab_sha256")
    if not isinstance(k_size, int) or not isinstance(k_hash, str):
        return None
    targets = [(k_size, k_hash)]
    if isinstance(known.get("size"), int) and isinstance(known.get("sha256"), str):
        targets.append((known["size"], known["sha256"]))
    b_size, b_hash = known.get("base_size"), known.get("base_sha256")
    for which, n in vocab.sizes():
        for size, digest in targets:
            if n == size and vocab.hash_at(which, n) == digest:
                return Relation("identical", f"vocabulary identical ({n} tokens, sha256 {digest[:12]})", 1.0)
        for size, digest in targets:
            if n > size and vocab.hash_at(which, size) == digest:
                return Relation(
                    "extended", f"vocabulary extends the base's {size} tokens (first {size} of {n} identical)", 1.0
                )
        if (
            isinstance(b_size, int)
            and isinstance(b_hash, str)
            and n >= b_size > 0
            and vocab.hash_at(which, b_size) == b_hash
        ):
            if n > k_size:
                return Relation(
                    "extended",
                    f"vocabulary extends the base's {b_size} trained tokens (first {b_size} of {n} identical)",
                    1.0,
                )
            return Relation(
                "identical",
                f"trained vocabulary identical (first {b_size} tokens; {n} with its special tokens)",
                1.0,
            )
    values = sketch_values(known.get("sample")) if sample else []
    share: float | None = None
    if values:
        share = vocab.holds(values) / len(values)
        if share >= CONTAINS_ALL:
            n = vocab.total
            return Relation(
                "contains",
                f"vocabulary holds all {len(values)} sampled tokens of the base's {k_size} in another order ({n} tokens)",
                share,
            )
    n = vocab.count
    held = f"; {share:.0%} of its sampled tokens present" if values else ""
    if n == k_size:
        return Relation("different", f"vocabulary of the same size ({n}) but different tokens{held}", share)
    return Relation("different", f"vocabulary differs ({n} tokens, base has {k_size}{held})", share)


def relate(known: dict[str, Any], base_tokens: list[str], full_hash: str | None = None) -> tuple[str, str] | None:
    """(kind, sentence) for a plain token list: the --against comparison and older callers."""
    rel = relate_vocabulary(known, Vocabulary(list(base_tokens)))
    return (rel.kind, rel.sentence) if rel else None


def cuts_of(fingerprints: list[dict[str, Any]]) -> set[int]:
    """Every prefix length the given fingerprints compare (their sizes), for Vocabulary.prepare."""
    out: set[int] = set()
    for fp in fingerprints:
        for key in ("vocab_size", "size", "base_size"):
            if isinstance(fp.get(key), int) and fp[key] > 0:
                out.add(fp[key])
    return out
