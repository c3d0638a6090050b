"""Lineage artifacts of a repository, read with bounds: tokenizer, safetensors headers, GGUF metadata, merge configs.

Called by crawl() so that everything downstream reads the Snapshot. Weight files are never read beyond their
header: safetensors = 8-byte length + JSON header (capped); GGUF = metadata through the gguf package's
memory map (tensor data is never touched). Nothing here executes or unpickles anything.
"""

from __future__ import annotations

import json
import struct
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from license_audit.safeio import UnsafePath, decode_text, inside, load_yaml, read_bytes

MAX_TOKENIZER_BYTES = 64 * 1024 * 1024  # the largest real tokenizer.json files (Gemma 3) are ~33 MB
MAX_SAFETENSORS_HEADER = 100 * 1024 * 1024
MAX_SAFETENSORS_FILES = 2000
MAX_SAFETENSORS_TOTAL = 512 * 1024 * 1024  # all headers of a repo together (DeepSeek-V3's 163 shards: ~15 MB)
MAX_GGUF_FILES = 8
MAX_MERGE_CONFIG_BYTES = 1024 * 1024
# Where a repository's vocabulary is read from, first found wins (GGUF tokens come last, from the GGUF walk).
VOCAB_FILES = ("tokenizer.json", "tokenizer.model", "vocab.json")
# A Git LFS pointer: the text stub git keeps in place of a weight file that was never fetched (`git clone`
# without `git lfs pull`, a copy of the repository's text files). Its first line is fixed by the LFS spec.
LFS_POINTER_PREFIX = b"version https://git-lfs.github.com/spec/v1"
LFS_POINTER_MAX_BYTES = 1024  # real pointers are ~130 bytes: version, oid and size lines
MERGE_CONFIG_NAMES = ("mergekit_config.yml", "mergekit_config.yaml", "merge_config.yml", "merge_config.yaml")
# safetensors `__metadata__` keys that say what a LoRA file is and which checkpoint it was trained on: kohya's
# sd-scripts (ss_*) and the Stability AI model spec (modelspec.*). Other keys (tag frequencies, datasets) are
# large and say nothing about lineage.
WEIGHTS_METADATA_KEYS = (
    "ss_sd_model_name",
    "ss_base_model_version",
    "ss_network_module",
    "ss_v2",
    "modelspec.architecture",
)
MAX_METADATA_VALUE = 512
# GGUF metadata arrays kept (small); tokenizer.ggml.tokens is kept separately as the vocabulary.
_GGUF_SKIP = ("tokenizer.ggml.merges", "tokenizer.ggml.scores", "tokenizer.ggml.token_type", "tokenizer.ggml.tokens")


@dataclass
class Artifacts:
    """What lineage reads from a repository's files besides its configs: tokenizer, weight headers, GGUF, merge config."""

    tokenizer_path: str | None = None
    tokenizer: dict[str, Any] = field(default_factory=dict)  # fingerprint (markers; vocabulary hashes once loaded)
    # tokenizer.json is parsed only when something compares vocabularies (a registry fingerprint, --against):
    # a JSON document of tens of megabytes would otherwise be parsed by every audit.
    load_tokenizer: Callable[[], Any] | None = None
    # (model vocabulary, vocabulary with added tokens) from the first vocabulary file found, read on first use.
    load_vocab: Callable[[], tuple[list[str], list[str]]] | None = None
    vocab_path: str | None = None
    # The vocabulary file on disk, for the derived-data cache of its digest (lineage/observed_vocab.py).
    vocab_file: Path | None = None
    # Its bytes, read with bounds on first use and kept until the vocabulary is decoded from them: the digest
    # cache keys a vocabulary by its content too, and the file is read once for both.
    load_vocab_bytes: Callable[[], bytes | None] | None = None
    _vocab_bytes: bytes | None = None
    _vocab_bytes_read: bool = False
    vocab_sha256: str | None = None  # "size:sha256" of those bytes, once the digest cache asked for it
    _vocab: list[str] | None = None
    _vocabulary: Any = None
    tensors: dict[str, tuple[str | None, list[int]]] = field(default_factory=dict)  # name -> (dtype, shape)
    # The training metadata a LoRA file carries in its safetensors header (kohya's ss_*, modelspec.*): the
    # keys in WEIGHTS_METADATA_KEYS only, each value capped. path -> {key: value}
    weights_metadata: dict[str, dict[str, str]] = field(default_factory=dict)
    tensor_files: int = 0
    gguf: dict[str, dict[str, Any]] = field(default_factory=dict)  # path -> metadata
    gguf_tokens: list[str] = field(default_factory=list)
    merge_config: tuple[str, Any] | None = None
    problems: list[tuple[str, str]] = field(default_factory=list)
    # Weight files that are Git LFS pointers (the weights are not present): named in the report's notes.
    lfs_pointers: list[str] = field(default_factory=list)
    # Tokenizer files that are Git LFS pointers: their vocabulary is not present, which is no syntax error.
    lfs_tokenizer_pointers: list[str] = field(default_factory=list)

    @property
    def vocab_tokens(self) -> list[str]:
        """The model vocabulary in id order (read on first use; never serialised)."""
        vocab = self.vocabulary
        return vocab.tokens if vocab is not None else []

    def vocab_bytes(self) -> bytes | None:
        """The vocabulary file's bytes (None: no file, or not readable); read once."""
        if not self._vocab_bytes_read:
            self._vocab_bytes_read = True
            self._vocab_bytes = self.load_vocab_bytes() if self.load_vocab_bytes is not None else None
        return self._vocab_bytes

    @property
    def vocabulary(self) -> Any:
        """The repository's vocabulary (tokenizer.Vocabulary) from tokenizer.json, tokenizer.model,
        vocab.json or a GGUF file, in that order; None when it ships none. Read on first use."""
        if self._vocab is None:
            from license_audit.tokenizer import Vocabulary

            self._vocab = []
            tokens: list[str] = []
            full: list[str] = []
            if self.load_vocab is not None:
                tokens, full = self.load_vocab()
                self._vocab_bytes = None  # decoded: the bytes are not needed any more
            elif self.load_tokenizer is not None:  # a caller that set only the document loader
                from license_audit.tokenizer import token_lists

                doc = self.load_tokenizer()
                if isinstance(doc, dict):
                    tokens, full = token_lists(doc)[:2]
            if not tokens and self.gguf_tokens:
                tokens, self.vocab_path = self.gguf_tokens, sorted(self.gguf)[0] if self.gguf else "GGUF"
            if tokens:
                self._vocab = tokens
                self._vocabulary = Vocabulary(tokens, full if full != tokens else [], self.vocab_path or "tokenizer")
                self.tokenizer = {**self.tokenizer, "vocab_size": len(tokens)}
        return self._vocabulary


def lfs_pointer_size(path: Path) -> int | None:
    """The size of the weight file a Git LFS pointer stands for (0 when it does not say), or None when the
    file is no pointer. Reads at most LFS_POINTER_MAX_BYTES."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(LFS_POINTER_MAX_BYTES + 1)
    except OSError:
        return None
    if not head.startswith(LFS_POINTER_PREFIX) or len(head) > LFS_POINTER_MAX_BYTES:
        return None
    for line in head.decode("utf-8", "replace").splitlines():
        if line.startswith("size ") and line[5:].strip().isdigit():
            return int(line[5:].strip())
    return 0


def _is_lfs_pointer(root: Path, rel: str) -> bool:
    try:
        return lfs_pointer_size(inside(root, root / rel)) is not None
    except UnsafePath:
        return False  # a link out of the repository is reported where the file is read


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
    header["__bytes__"] = n  # size read, for the caller's total budget (not a tensor name: has no shape)
    return header


def lineage_metadata(header: dict[str, Any]) -> dict[str, str]:
    """The WEIGHTS_METADATA_KEYS a safetensors header's `__metadata__` holds (string values, capped)."""
    meta = header.get("__metadata__")
    if not isinstance(meta, dict):
        return {}
    return {k: meta[k][:MAX_METADATA_VALUE] for k in WEIGHTS_METADATA_KEYS if isinstance(meta.get(k), str)}


def tensor_entries(header: dict[str, Any]) -> dict[str, tuple[str | None, list[int]]]:
    out: dict[str, tuple[str | None, list[int]]] = {}
    for name, info in header.items():
        if name == "__metadata__" or not isinstance(info, dict):
            continue
        shape = info.get("shape")
        if isinstance(shape, list):  # element types are checked where a shape is used (evidence._dims)
            out[name] = (info.get("dtype"), shape)
    return out


MAX_GGUF_KV = 100_000
MAX_GGUF_TENSORS = 1_000_000
MAX_GGUF_ARRAY_ITEMS = 4_000_000  # a 256k-token vocabulary and its merges fit easily
_U64 = struct.Struct("<Q")
_GGUF_SCALARS = {0: "<B", 1: "<b", 2: "<H", 3: "<h", 4: "<I", 5: "<i", 6: "<f", 7: "<?", 10: "<Q", 11: "<q", 12: "<d"}


def _gguf_types() -> dict[int, str]:
    """struct formats by GGUF value type, taken from the gguf package's own enum when it is installed."""
    try:
        from gguf import GGUFValueType as T  # the format's definition; its reader is not used (see below)
    except ImportError:  # pragma: no cover - a declared dependency
        return dict(_GGUF_SCALARS)
    names = {
        "UINT8": "<B",
        "INT8": "<b",
        "UINT16": "<H",
        "INT16": "<h",
        "UINT32": "<I",
        "INT32": "<i",
        "FLOAT32": "<f",
        "BOOL": "<?",
        "UINT64": "<Q",
        "INT64": "<q",
        "FLOAT64": "<d",
    }
    return {int(getattr(T, n)): f for n, f in names.items()}


def gguf_metadata(path: Path, arrays: tuple[str, ...] = ()) -> tuple[dict[str, Any], list[str]]:
    """GGUF key/values (scalars, strings, short arrays) and the token list, read with every count bounded.

    Not gguf.GGUFReader: it builds numpy objects per array item (slow for a large vocabulary) and
    trusts the counts it reads (an array declaring 2**50 items makes it allocate until the process dies).
    This walk checks every length against the file size and stops at MAX_GGUF_ARRAY_ITEMS. Tensor data is
    never touched; tensor infos are only counted. `arrays`: keys whose arrays are kept whole in the metadata
    (e.g. tokenizer.ggml.token_type for the registry builder).
    """
    import mmap

    scalars = _gguf_types()
    with open(path, "rb") as fh:
        size = fh.seek(0, 2)
        if size < 24:
            raise ValueError("too short for a GGUF header")
        mm = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
    try:
        pos = 0
        budget = [MAX_GGUF_ARRAY_ITEMS]

        def take(n: int) -> int:
            nonlocal pos
            if n < 0 or pos + n > size:
                raise ValueError("a length points past the end of the file")
            start = pos
            pos += n
            return start

        def num(fmt: str):
            return struct.unpack_from(fmt, mm, take(struct.calcsize(fmt)))[0]

        def string(keep: bool = True) -> str | None:
            n = num("<Q")
            start = take(n)
            return mm[start : start + n].decode("utf-8", "replace") if keep else None

        def strings(count: int, keep: bool) -> list[str] | None:
            """An array of strings in one loop (a vocabulary or its merges: 100k+ items): each length checked
            against the file, the pieces decoded together when no piece holds a NUL (the separator)."""
            nonlocal pos
            at, pieces = pos, []
            for _ in range(count):
                if at + 8 > size:
                    raise ValueError("a length points past the end of the file")
                (n,) = _U64.unpack_from(mm, at)
                at += 8
                if n > size - at:
                    raise ValueError("a length points past the end of the file")
                if keep:
                    pieces.append(mm[at : at + n])
                at += n
            pos = at
            if not keep:
                return None
            joined = b"\x00".join(pieces)
            if joined.count(0) == max(len(pieces) - 1, 0):
                return joined.decode("utf-8", "replace").split("\x00") if pieces else []
            return [piece.decode("utf-8", "replace") for piece in pieces]

        def value(vtype: int, keep: bool, depth: int = 0):
            if vtype in scalars:
                v = num(scalars[vtype])
                return v if keep else None
            if vtype == 8:
                return string(keep)
            if vtype != 9:
                raise ValueError(f"unknown value type {vtype}")
            if depth > 2:
                raise ValueError("arrays nested too deep")
            itype, count = num("<I"), num("<Q")
            budget[0] -= count
            if budget[0] < 0:
                raise ValueError(f"more than {MAX_GGUF_ARRAY_ITEMS} array items")
            if itype in scalars and not keep:
                take(count * struct.calcsize(scalars[itype]))
                return None
            if itype == 8:
                return strings(count, keep)
            return (
                [value(itype, keep, depth + 1) for _ in range(count)]
                if keep
                else [value(itype, False, depth + 1) for _ in range(count)] and None
            )

        if bytes(mm[0:4]) != b"GGUF":
            raise ValueError("not a GGUF file")
        take(4)
        version = num("<I")
        if version not in (2, 3):
            raise ValueError(f"GGUF version {version} is not read (little-endian v2/v3 only)")
        tensors, kvs = num("<Q"), num("<Q")
        if kvs > MAX_GGUF_KV or tensors > MAX_GGUF_TENSORS:
            raise ValueError("implausible metadata or tensor count")
        meta: dict[str, Any] = {}
        tokens: list[str] = []
        for _ in range(kvs):
            key = string() or ""
            vtype = num("<I")
            if key == "tokenizer.ggml.tokens":
                got = value(vtype, True)
                tokens = [str(t) for t in got] if isinstance(got, list) else []
                continue
            whole = key in arrays
            keep = whole or not key.startswith(_GGUF_SKIP)
            v = value(vtype, keep)
            if keep and (whole or not (isinstance(v, list) and len(v) > 64)):
                meta[key] = v
        for _ in range(tensors):
            string(False)
            dims = num("<I")
            if dims > 8:
                raise ValueError("a tensor with more than 8 dimensions")
            take(8 * dims + 4 + 8)
        meta["_tensor_count"] = tensors
        return meta, tokens
    finally:
        mm.close()


def _vocab_bytes(root: Path, rel: str, report: Callable[[str, str], None] | None) -> bytes | None:
    """The bytes of one vocabulary file, or None (absent, too large, unreadable: a problem line when `report`)."""
    if not (root / rel).exists() and not (root / rel).is_symlink():
        return None  # listed but not materialised (a Hub target that did not fetch it): nothing to compare
    try:
        res = read_bytes(root, rel, MAX_TOKENIZER_BYTES)
    except (OSError, UnsafePath) as exc:
        if report is not None:
            report(rel, f"vocabulary not read: {type(exc).__name__}")
        return None
    if res.truncated:
        if report is not None:
            report(rel, f"larger than {MAX_TOKENIZER_BYTES // (1024 * 1024)} MB; its vocabulary was not read")
        return None
    return res.data


def _load_vocab(
    root: Path, rel: str, read_json, report: Callable[[str, str], None], data: Callable[[], bytes | None]
) -> tuple[list[str], list[str]]:
    """(model vocabulary, vocabulary with added tokens) of one vocabulary file; a bad file is a problem line.
    `data()`: the file's bytes (tokenizer.json, tokenizer.model), read once by the caller."""
    from license_audit.vocab_files import (
        VocabProblem,
        sentencepiece_pieces,
        tokenizer_json_tokens,
        vocab_json_tokens,
    )

    if not (root / rel).exists() and not (root / rel).is_symlink():
        return [], []  # listed but not materialised (a Hub target that did not fetch it): nothing to compare
    try:
        if rel == "vocab.json":
            return vocab_json_tokens(read_json(rel, MAX_TOKENIZER_BYTES)), []
        raw = data()
        if raw is None:
            return [], []
        if rel == "tokenizer.model":
            return sentencepiece_pieces(raw), []
        return tokenizer_json_tokens(decode_text(raw), lambda _text: read_json(rel, MAX_TOKENIZER_BYTES))
    except (OSError, UnsafePath) as exc:
        report(rel, f"vocabulary not read: {type(exc).__name__}")
    except VocabProblem as exc:
        report(rel, f"vocabulary not read: {exc}")
    return [], []


def collect(
    root: Path,
    files: list[str],
    read_json,
    remote_headers: dict[str, dict] | None = None,
    report: Callable[[str, str], None] | None = None,
) -> Artifacts:
    """read_json(rel, limit) -> parsed JSON or None (crawl's bounded reader, which records problems);
    remote_headers: safetensors headers of weights that are not on disk (a Hub target, Snapshot.safetensors);
    report(rel, message): where problems found later (a vocabulary read on first use) are recorded."""
    from license_audit.tokenizer import fingerprint

    art = Artifacts()
    top = [f for f in files if "/" not in f]

    tc = read_json("tokenizer_config.json", 8 * 1024 * 1024) if "tokenizer_config.json" in top else None
    if isinstance(tc, dict):
        art.tokenizer_path = "tokenizer_config.json"
        art.tokenizer = fingerprint(None, tc)
    # A repository copied without Git LFS keeps its tokenizer files as pointer stubs: not a malformed file.
    stubs = [rel for rel in VOCAB_FILES if rel in top and _is_lfs_pointer(root, rel)]
    art.lfs_tokenizer_pointers = stubs
    if "tokenizer.json" in top and "tokenizer.json" not in stubs:
        art.tokenizer_path = art.tokenizer_path or "tokenizer.json"
        art.load_tokenizer = lambda: read_json("tokenizer.json", MAX_TOKENIZER_BYTES)
    vocab_file = next((n for n in VOCAB_FILES if n in top and n not in stubs), None)
    if vocab_file:
        art.vocab_path = vocab_file
        art.vocab_file = root / vocab_file
        say = report or (lambda rel, message: art.problems.append((rel, message)))
        # vocab.json is decoded by the crawl's JSON reader, which reports its own problems.
        quiet = vocab_file == "vocab.json"
        art.load_vocab_bytes = lambda: _vocab_bytes(root, vocab_file, None if quiet else say)
        art.load_vocab = lambda: _load_vocab(root, vocab_file, read_json, say, art.vocab_bytes)

    shards = sorted(f for f in files if f.endswith(".safetensors") and f.count("/") <= 1)
    budget = MAX_SAFETENSORS_TOTAL
    for rel in shards[:MAX_SAFETENSORS_FILES]:
        if budget <= 0:
            art.problems.append(
                (rel, "safetensors headers of this repository exceed 512 MB together; the rest were not read")
            )
            break
        if not (root / rel).exists() and not (root / rel).is_symlink():
            # Listed but not materialised (a Hub target's weights): the header fetched with the listing.
            remote = (remote_headers or {}).get(rel)
            if isinstance(remote, dict):
                art.tensor_files += 1
                art.tensors.update(tensor_entries(remote))
                if meta := lineage_metadata(remote):
                    art.weights_metadata[rel] = meta
            continue
        try:
            if lfs_pointer_size(inside(root, root / rel)) is not None:
                art.lfs_pointers.append(rel)
                continue
            header = read_safetensors_header(inside(root, root / rel), min(MAX_SAFETENSORS_HEADER, budget))
            budget -= header.pop("__bytes__", 0)
        except (OSError, UnsafePath, ValueError) as exc:
            art.problems.append((rel, f"safetensors header not read: {exc}"))
            continue
        art.tensor_files += 1
        art.tensors.update(tensor_entries(header))
        if meta := lineage_metadata(header):
            art.weights_metadata[rel] = meta
    if len(shards) > MAX_SAFETENSORS_FILES:
        art.problems.append(
            (
                shards[MAX_SAFETENSORS_FILES],
                f"more than {MAX_SAFETENSORS_FILES} safetensors files; the rest were not read",
            )
        )

    for rel in sorted(f for f in files if f.endswith(".gguf"))[:MAX_GGUF_FILES]:
        try:
            if lfs_pointer_size(inside(root, root / rel)) is not None:
                art.lfs_pointers.append(rel)
                continue
            meta, tokens = gguf_metadata(inside(root, root / rel))
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
