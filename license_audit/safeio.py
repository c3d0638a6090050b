"""Bounded, symlink-safe reading of files from an audited repository.

The audited repository is untrusted: reads are capped, links pointing outside the repository are
never followed, YAML is loaded with the safe loader and a bounded alias count, JSON with a depth bound.
Nothing read here is ever executed or unpickled.
"""

from __future__ import annotations

import json
import os
import stat
from dataclasses import dataclass
from pathlib import Path

import yaml

MAX_TEXT_BYTES = 2 * 1024 * 1024  # a license file or model card larger than this is truncated
MAX_JSON_BYTES = 8 * 1024 * 1024  # config / tokenizer_config; tokenizer.json is read by lineage with its own cap
MAX_JSON_DEPTH = 64
MAX_YAML_ALIASES = 100
# PyYAML composes nested collections by recursion: a deeper document would exhaust the interpreter stack.
MAX_YAML_DEPTH = 64


class UnsafePath(Exception):
    """A path that leaves the repository (through `..` or a symlink)."""


def inside(root: Path, path: Path) -> Path:
    """Resolve `path` and ensure it stays under `root`; symlinks that leave the repository are refused."""
    real_root = root.resolve()
    try:
        real = path.resolve()
    except RuntimeError:  # a link loop (Python 3.13 raises OSError for it instead)
        raise UnsafePath(f"{path} is a link loop") from None
    if real != real_root and real_root not in real.parents:
        raise UnsafePath(f"{path} points outside the repository")
    return real


@dataclass
class ReadResult:
    """The bytes read from a file, and whether the cap cut them short."""

    data: bytes
    truncated: bool


def read_bytes(root: Path, rel: str, limit: int) -> ReadResult:
    path = inside(root, root / rel)
    with open(path, "rb") as fh:
        data = fh.read(limit + 1)
    return ReadResult(data[:limit], len(data) > limit)


def read_regular(path: Path, limit: int | None = None, follow_links: bool = False) -> bytes | None:
    """The first `limit` bytes (all with None) of `path` when it is a regular file, else None.

    Never blocks on a FIFO or a device, and never reads through a link unless `follow_links`: files that
    git or the cache folder hold are read before anything else has checked them.
    """
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    if not follow_links:
        flags |= os.O_NOFOLLOW
    try:
        fd = os.open(path, flags)
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        if limit is None:
            with os.fdopen(fd, "rb", closefd=False) as fh:
                return fh.read()
        chunks, left = [], limit
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)
    except OSError:
        return None
    finally:
        os.close(fd)


def decode_text(data: bytes) -> str:
    """Decode repository text: UTF-8 (with or without BOM), UTF-16 (with a BOM, or without one when every
    other byte is zero), GB 18030 (GBK) when it decodes cleanly into Chinese, else UTF-8 with
    replacement characters as a last resort."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    else:
        order = _utf16_order(data)
        if order:
            return data.decode(order, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        text = ""
    if text and any("\u4e00" <= ch <= "\u9fff" for ch in text[:4096]):
        return text
    return data.decode("utf-8", errors="replace")


def _utf16_order(data: bytes) -> str | None:
    """ "utf-16-le" or "utf-16-be" for text without a byte-order mark whose ASCII characters leave a zero
    byte at every other position; None for anything else."""
    head = data[:4096]
    if len(head) < 8 or b"\x00" not in head:
        return None
    n = len(head) // 2
    odd = head[1::2].count(0)
    even = head[0::2].count(0)
    if odd >= 0.4 * n and even <= 0.05 * n:
        return "utf-16-le"
    if even >= 0.4 * n and odd <= 0.05 * n:
        return "utf-16-be"
    return None


def read_text(root: Path, rel: str, limit: int = MAX_TEXT_BYTES) -> tuple[str, bool]:
    res = read_bytes(root, rel, limit)
    return decode_text(res.data), res.truncated


def is_utf8(name: str | bytes) -> bool:
    """Whether a name is UTF-8: os.walk gives undecodable bytes as surrogates, which a JSON report cannot carry."""
    try:
        if isinstance(name, bytes):
            name.decode("utf-8")
        else:
            name.encode("utf-8")
    except UnicodeError:
        return False
    return True


def looks_binary(data: bytes) -> bool:
    return b"\x00" in data[:8192] and _utf16_order(data) is None


def _depth(obj, limit: int) -> int:
    # Iterative so that a hostile, deeply nested document cannot exhaust the interpreter stack.
    stack = [(obj, 1)]
    deepest = 0
    while stack:
        node, d = stack.pop()
        deepest = max(deepest, d)
        if deepest > limit:
            return deepest
        if isinstance(node, dict):
            stack.extend((v, d + 1) for v in node.values())
        elif isinstance(node, list):
            stack.extend((v, d + 1) for v in node)
    return deepest


class JSONProblem(ValueError):
    pass


def parse_json(text: str, max_depth: int = MAX_JSON_DEPTH):
    try:
        obj = json.loads(text)
    except RecursionError:
        raise JSONProblem(f"nesting deeper than {max_depth} levels") from None
    except json.JSONDecodeError as exc:
        raise JSONProblem(f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
    except ValueError as exc:  # an integer of thousands of digits: Python refuses to convert it
        raise JSONProblem(f"invalid JSON: {str(exc).split(';')[0]}") from None
    if _depth(obj, max_depth) > max_depth:
        raise JSONProblem(f"nesting deeper than {max_depth} levels")
    return obj


class _BoundedSafeLoader(yaml.SafeLoader):
    """SafeLoader that refuses documents with many aliases (the "billion laughs" shape) or deeply nested
    collections."""

    def __init__(self, stream):
        super().__init__(stream)
        self._aliases = 0
        self._depth = 0
        self.duplicates: list[tuple[int, str]] | None = None  # (line, key) of repeated keys, when asked for

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_YAML_ALIASES:
                raise yaml.YAMLError(f"more than {MAX_YAML_ALIASES} YAML aliases")
        if self._depth >= MAX_YAML_DEPTH:
            mark = self.peek_event().start_mark
            raise yaml.composer.ComposerError(None, None, f"nesting deeper than {MAX_YAML_DEPTH} levels", mark)
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_mapping(self, node, deep=False):
        # YAML keeps the last of two equal keys without a word; a card that says `license:` twice
        # should hear about it (the policy loader refuses it outright).
        if self.duplicates is not None and isinstance(node, yaml.MappingNode):
            seen: set[str] = set()
            for key_node, _ in node.value:
                if isinstance(key_node, yaml.ScalarNode) and key_node.tag != "tag:yaml.org,2002:merge":
                    if key_node.value in seen:
                        self.duplicates.append((key_node.start_mark.line + 1, key_node.value))
                    seen.add(key_node.value)
        return super().construct_mapping(node, deep)


def load_yaml(text: str, duplicates: list[tuple[int, str]] | None = None):
    """yaml.safe_load with an alias bound; raises yaml.YAMLError on bad input. `duplicates`: a list that
    receives (line, key) for every key repeated in a mapping (the last value is the one loaded)."""
    loader = _BoundedSafeLoader(text)
    loader.duplicates = duplicates
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


# libyaml's safe loader when PyYAML was built with it: the shipped rules/ parse many times faster.
_FAST_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_rules_yaml(text: str):
    """Safe-load YAML that is not from the audited repo (the shipped rules/ and --rules folders)."""
    return yaml.load(text, Loader=_FAST_SAFE_LOADER)


def compose_yaml(text: str):
    """The YAML node tree (keys keep their line numbers), with the same alias bound; None for an empty document."""
    loader = _BoundedSafeLoader(text)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


def yaml_error_line(exc: Exception) -> int | None:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    return mark.line + 1 if mark is not None else None


def walk(
    root: Path,
    max_files: int = 20000,
    skip_dirs: frozenset[str] = frozenset({".git", ".hg", ".svn", "__pycache__", ".cache"}),
    outside: list[str] | None = None,
    capped: list[int] | None = None,
):
    """Relative POSIX paths of regular files under root, sorted; symlinks are not followed.

    Links are listed only when they resolve inside the repository, so a link named LICENSE that
    points at /etc/passwd is never read; such links are appended to `outside` when it is given.
    """
    out: list[str] = []
    root = root.resolve()
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if d not in skip_dirs)
        for name in sorted(filenames):
            full = Path(dirpath) / name
            if full.is_symlink():
                try:
                    real = inside(root, full)
                except (UnsafePath, OSError):
                    if outside is not None:
                        outside.append(full.relative_to(root).as_posix())
                    continue
                if not real.is_file():
                    continue
            elif not full.is_file():
                continue
            out.append(full.relative_to(root).as_posix())
            if len(out) >= max_files:
                if capped is not None:
                    capped.append(max_files)
                return sorted(out)
    return sorted(out)
