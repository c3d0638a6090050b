"""The observed vocabulary's digest, cached between runs.

Decoding a tokenizer.json (1-30 MB of JSON) costs more than the rest of a lineage run. What the comparisons
need of it is small: its sizes, the SHA-256 of its first n tokens for the registry's sizes n, and which of
the registry's sampled tokens it holds (tokenizer.VocabDigest). That digest is kept in the derived-data
cache (rulecache), keyed by the file's path, size, modification time, inode and device, by the code that
derives it and by the registry's questions (its fingerprints' sizes and samples), so a repeated audit of an
unchanged repository (a pre-commit hook, a CI re-run) reads a few kilobytes instead. It is kept by the file's
content too (its name, size and SHA-256): fine-tunes ship their base's tokenizer file byte for byte, so a
file seen in one repository is not decoded again in another, only read and hashed. The cache folder is not
trusted: a cached digest is used only after its every value checks out.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from typing import Any

from license_audit.artifacts import Artifacts
from license_audit.tokenizer import VocabDigest, Vocabulary, digest_of

_PREFIX = "vocab-"  # by the file's state (path, size, times, inode)
_CONTENT_PREFIX = "vocabsha-"  # by its content
_KEEP = 64  # repositories audited in turn (a monorepo's models, a CI matrix) each keep theirs
_HEX64 = re.compile(r"[0-9a-f]{64}")
_MAX_ITEMS = 100_000
_MAX_BYTES = 8 * 1024 * 1024  # a digest is a few kilobytes


def observed(art: Artifacts, cuts: set[int], values: set[int]) -> Vocabulary | VocabDigest | None:
    """The repository's vocabulary, or its cached digest when one answers for these cuts and sample values."""
    path = art.vocab_file
    if path is None or _cache_off():  # GGUF tokens (already in memory), no vocabulary file, or no cache
        return _prepared(art.vocabulary, cuts)
    name = _name(path, cuts, values)
    found = _from_document(_read(name)) if name is not None else None
    if found is None:
        content = _content_name(art, cuts, values)
        found = _from_document(_read(content)) if content is not None else None
        if found is not None and name is not None:
            from license_audit import rulecache

            rulecache.store(name, json.dumps(_document(found)))  # the next audit of this file: by its state
    if found is not None:
        found.reload = lambda: _prepared(art.vocabulary, cuts)
        art.tokenizer = {**art.tokenizer, "vocab_size": found.count}
        return found
    return _prepared(art.vocabulary, cuts)


def _cache_off() -> bool:
    from license_audit.resources import cache_dir

    return cache_dir() is None


def remember(art: Artifacts, vocab: Vocabulary | VocabDigest, cuts: set[int], values: set[int]) -> None:
    """Keep the digest of a vocabulary read from its file (after the comparisons, which may have hashed its
    sampled tokens too), or of one a cached digest had to read again."""
    if isinstance(vocab, VocabDigest):
        if vocab.loaded is None:
            return  # the cached digest answered everything
        vocab = vocab.loaded
    name = _name(art.vocab_file, cuts, values) if art.vocab_file is not None else None
    content = _content_name(art, cuts, values) if art.vocab_file is not None else None
    if name is None and content is None:
        return
    from license_audit import rulecache

    text = json.dumps(_document(digest_of(vocab, cuts, values)))
    for key, prefix in ((name, _PREFIX), (content, _CONTENT_PREFIX)):
        if key is not None:
            rulecache.store(key, text)
            rulecache.prune(prefix, _KEEP)


def _read(name: str) -> Any:
    """The cached document `name`, or None; read with a cap, since the cache folder is not trusted."""
    from license_audit.resources import cache_dir
    from license_audit.safeio import read_regular

    where = cache_dir()
    raw = read_regular(where / name, limit=_MAX_BYTES + 1, follow_links=True) if where is not None else None
    if raw is None or len(raw) > _MAX_BYTES:
        return None
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):
        return None


def _prepared(vocab: Vocabulary | None, cuts: set[int]) -> Vocabulary | None:
    if vocab is not None:
        vocab.prepare(cuts)
    return vocab


_STAMP: list[str] = []
# The registry's questions and their digest, for the next run against the same registry.
_LAST_ASKS: list[Any] = []


def _name(path: Any, cuts: set[int], values: set[int]) -> str | None:
    """The cache file name for this vocabulary file's current state and the registry's questions (its
    fingerprints' sizes and samples), or None when the file cannot be stat'ed."""
    from license_audit.rulecache import key

    try:
        st = os.stat(path)
        where = os.path.abspath(path)
    except (OSError, ValueError):
        return None
    _name_stamp()
    asks = _asks(cuts, values)
    return _PREFIX + key(where, st.st_size, st.st_mtime_ns, st.st_ino, st.st_dev, _STAMP[0], asks) + ".json"


def _name_stamp() -> None:
    """The code that derives a digest, stamped once per process (another version reads the file again)."""
    if not _STAMP:
        from license_audit import artifacts, tokenizer, vocab_files
        from license_audit.rulecache import code_stamp

        _STAMP.append(code_stamp(tokenizer.__file__, vocab_files.__file__, artifacts.__file__, __file__))


def _asks(cuts: set[int], values: set[int]) -> str:
    """A digest of the registry's questions, worked out once for each registry's sets."""
    if _LAST_ASKS[:2] != [cuts, values] or _LAST_ASKS[0] is not cuts or _LAST_ASKS[1] is not values:
        text = ",".join(map(str, sorted(cuts))) + ";" + ",".join(map(str, sorted(values)))
        _LAST_ASKS[:] = [cuts, values, hashlib.sha256(text.encode()).hexdigest()]
    return str(_LAST_ASKS[2])


def _content_name(art: Artifacts, cuts: set[int], values: set[int]) -> str | None:
    """The cache file name for the vocabulary file's content (its name, size and SHA-256, hashed once per
    audit from the bytes the decoding reads too) and the registry's questions; None when it cannot be read."""
    if art.vocab_sha256 is None:
        data = art.vocab_bytes()
        if data is None:
            return None
        art.vocab_sha256 = f"{len(data)}:{hashlib.sha256(data).hexdigest()}"
    from license_audit.rulecache import key

    _name_stamp()
    asks = _asks(cuts, values)
    return _CONTENT_PREFIX + key(art.vocab_path or "", art.vocab_sha256, _STAMP[0], asks) + ".json"


def _document(d: VocabDigest) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "where": d.where,
        "count": d.count,
        "total": d.total,
        "full_size": d.full_size,
        "hashes": [[which, n, h] for (which, n), h in sorted(d.hashes.items())],
    }
    if d.present is not None:
        doc["present"] = sorted(d.present)
    return doc


def _ints(value: Any) -> set[int] | None:
    if not isinstance(value, list) or len(value) > _MAX_ITEMS:
        return None
    if not all(type(v) is int and 0 <= v < 2**32 for v in value):
        return None
    return set(value)


def _from_document(doc: Any) -> VocabDigest | None:
    """The digest a cache document holds, if every field is well formed (the name says what it answers)."""
    if not isinstance(doc, dict):
        return None
    where, sizes = doc.get("where"), [doc.get("count"), doc.get("total"), doc.get("full_size")]
    if not isinstance(where, str) or len(where) > 4096:
        return None
    count, total, full = (v if type(v) is int and 0 <= v <= 100_000_000 else -1 for v in sizes)
    if count <= 0 or total < 0 or full < 0:
        return None
    present = _ints(doc["present"]) if "present" in doc else None
    if "present" in doc and present is None:
        return None
    rows = doc.get("hashes")
    if not isinstance(rows, list) or len(rows) > _MAX_ITEMS:
        return None
    hashes: dict[tuple[int, int], str] = {}
    for row in rows:
        if not (isinstance(row, list) and len(row) == 3):
            return None
        which, n, h = row
        if which not in (0, 1) or type(which) is not int or type(n) is not int or not isinstance(h, str):
            return None
        if not _HEX64.fullmatch(h):
            return None
        hashes[(which, n)] = h
    return VocabDigest(where, count, total, full, hashes, present)
