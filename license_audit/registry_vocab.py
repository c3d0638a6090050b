"""Vocabulary files for the registry builder: where `_sources.yaml`'s `_tokenizers:` entries are found.

`--vocab PATH` names folders or source archives (.tar.gz / .tgz / .zip) holding the files, e.g. the
llama-cpp-python source distribution, which vendors llama.cpp's `models/ggml-vocab-*.gguf` (real vocabularies
of Llama 2 and 3, Qwen2, DeepSeek, Falcon, Phi-3, Command-R, GPT-2, StarCoder and others). Archive members are
matched by file name, size-capped and read into a temporary file; nothing in them is executed.
"""

from __future__ import annotations

import tarfile
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from license_audit.catalog import load_yaml_file
from license_audit.errors import InputError

MAX_VOCAB_FILE = 64 * 1024 * 1024


def tokenizer_sources(sources_file: Path) -> dict[str, dict[str, Any]]:
    """The `_tokenizers:` section of _sources.yaml: name -> {file, source, ...}."""
    data = load_yaml_file(sources_file).get("_tokenizers") or {}
    if not isinstance(data, dict):
        raise InputError(f"{sources_file}: _tokenizers is a mapping of name -> {{file, source}}")
    out = {}
    for name, spec in data.items():
        if not isinstance(spec, dict) or not isinstance(spec.get("file"), str) or not spec.get("source"):
            raise InputError(f"{sources_file}: _tokenizers.{name} needs 'file' and 'source'")
        out[str(name)] = spec
    return out


def tokens_of_file(path: Path) -> tuple[list[str], list[str], int | None]:
    """(vocabulary in id order, with added tokens, size of the trained part or None) of one vocabulary file."""
    name = path.name
    if name.endswith(".gguf"):
        from license_audit.artifacts import gguf_metadata

        meta, tokens = gguf_metadata(path, arrays=("tokenizer.ggml.token_type",))
        types = meta.get("tokenizer.ggml.token_type")
        base = None
        if isinstance(types, list) and len(types) == len(tokens):
            # normal (1) and byte (6) tokens are the trained vocabulary; control/user-defined/unused come after
            base = max((i for i, t in enumerate(types) if t in (1, 6)), default=-1) + 1 or None
        return tokens, tokens, base
    data = path.read_bytes()
    if name.endswith(".model"):
        from license_audit.vocab_files import sentencepiece_pieces

        pieces = sentencepiece_pieces(data)
        return pieces, pieces, None
    from license_audit.safeio import parse_json
    from license_audit.vocab_files import tokenizer_json_tokens

    base_tokens, full = tokenizer_json_tokens(data.decode("utf-8"), parse_json)
    return base_tokens, full, None


class VocabLibrary:
    def __init__(self, paths: list[Path]):
        self.paths = [Path(p) for p in paths]
        self._tmp: tempfile.TemporaryDirectory | None = None
        self._cache: dict[str, dict[str, Any] | None] = {}

    def _find(self, file: str) -> Path | None:
        for p in self.paths:
            if p.is_dir():
                hits = sorted(q for q in p.rglob(file) if q.is_file() and not q.is_symlink())
                if hits:
                    return hits[0]
            elif p.is_file():
                got = self._from_archive(p, file)
                if got:
                    return got
            else:
                raise InputError(f"{p}: no such vocabulary folder or archive")
        return None

    def _from_archive(self, archive: Path, file: str) -> Path | None:
        if self._tmp is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="la-vocab-")
        target = Path(self._tmp.name) / file
        if target.is_file():
            return target
        name = archive.name
        try:
            if name.endswith((".tar.gz", ".tgz", ".tar")):
                with tarfile.open(archive) as tf:
                    for m in tf.getmembers():
                        if m.isfile() and m.name.rsplit("/", 1)[-1] == file and m.size <= MAX_VOCAB_FILE:
                            fh = tf.extractfile(m)
                            if fh is not None:
                                target.write_bytes(fh.read(MAX_VOCAB_FILE))
                                return target
            elif name.endswith((".zip", ".whl")):
                with zipfile.ZipFile(archive) as zf:
                    for info in zf.infolist():
                        if info.filename.rsplit("/", 1)[-1] == file and info.file_size <= MAX_VOCAB_FILE:
                            target.write_bytes(zf.read(info)[:MAX_VOCAB_FILE])
                            return target
        except (tarfile.TarError, zipfile.BadZipFile, OSError) as exc:
            raise InputError(f"{archive}: not a readable archive ({exc})") from None
        return None

    def fingerprint(self, name: str, spec: dict[str, Any]) -> dict[str, Any] | None:
        """The vocabulary fingerprint of a _tokenizers entry, or None when its file is not at hand."""
        if name not in self._cache:
            from license_audit.tokenizer import vocabulary_fingerprint

            path = self._find(spec["file"])
            if path is None:
                self._cache[name] = None
            else:
                try:
                    tokens, full, base = tokens_of_file(path)
                except (ValueError, OSError, UnicodeDecodeError) as exc:
                    raise InputError(f"{path}: vocabulary not read ({exc})") from None
                if not tokens:
                    raise InputError(f"{path}: no vocabulary found")
                fp = {"name": name, **vocabulary_fingerprint(tokens, full, base)}
                self._cache[name] = fp
        got = self._cache[name]
        return dict(got) if got else None
