"""Weight-level comparison of two checkpoints (`lineage DIR --against BASE_DIR`) by bounded sampling.

Only safetensors files are read: their headers, then a few small slices of each compared tensor through a
read-only memory map, at the same element positions on both sides. The per-tensor figure is the Pearson
correlation of the samples: a fine-tune keeps its base's weights up to a small update (correlation near 1),
independently initialised weights are uncorrelated (near 0). One-dimensional tensors (norms, biases) are left
out: they start from constants, so unrelated models look alike there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from license_audit.artifacts import MAX_SAFETENSORS_FILES, read_safetensors_header
from license_audit.errors import TargetError
from license_audit.safeio import UnsafePath, inside, walk

SAMPLE_CHUNKS = 4  # slices per tensor, spread over the tensor
SAMPLE_ELEMENTS = 1024  # elements per slice
MAX_TENSORS = 512  # tensors compared at most (evenly spread over the sorted names)
DERIVED_AT = 0.9
POSSIBLE_AT = 0.5
INDEPENDENT_BELOW = 0.2
_DTYPES = {
    "F64": ("<f8", 8),
    "F32": ("<f4", 4),
    "F16": ("<f2", 2),
    "BF16": ("<u2", 2),
    "I8": ("i1", 1),
    "U8": ("u1", 1),
    "F8_E4M3": ("u1", 1),
    "I16": ("<i2", 2),
    "I32": ("<i4", 4),
}


@dataclass
class TensorRef:
    """Where one tensor's data lies in a safetensors file."""

    path: Path
    dtype: str
    shape: list[int]
    start: int  # absolute byte offset of the tensor's data in the file
    end: int


@dataclass
class WeightComparison:
    """The outcome of comparing the repository's weights with another model's."""

    against: str
    tensors_compared: int = 0
    tensors_common: int = 0
    bytes_read: int = 0
    similarity: float | None = None
    layers: list[dict[str, Any]] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)

    @property
    def verdict(self) -> str:
        s = self.similarity
        if s is None:
            return "not comparable"
        if s >= DERIVED_AT:
            return "derived"
        if s >= POSSIBLE_AT:
            return "possibly derived"
        if s < INDEPENDENT_BELOW:
            return "independent"
        return "inconclusive"

    @property
    def confidence(self) -> float:
        s = self.similarity or 0.0
        if s >= DERIVED_AT:
            return 0.97
        if s >= POSSIBLE_AT:
            return 0.5 + (s - POSSIBLE_AT) * 0.7
        return 0.0

    def sentence(self) -> str:
        if self.similarity is None:
            return f"weights: no tensor of {self.against} could be compared"
        low = min(layer["similarity"] for layer in self.layers) if self.layers else self.similarity
        return (
            f"weights: {self.tensors_compared} tensors sampled against {self.against} "
            f"({self.bytes_read // 1024} KiB read), median correlation {self.similarity:.3f}, "
            f"lowest layer {low:.3f}: {self.verdict}"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "against": self.against,
            "tensors_common": self.tensors_common,
            "tensors_compared": self.tensors_compared,
            "bytes_read": self.bytes_read,
            "similarity": None if self.similarity is None else round(self.similarity, 4),
            "verdict": self.verdict,
            "layers": self.layers,
            "skipped": dict(sorted(self.skipped.items())),
        }


def index_checkpoint(root: Path) -> dict[str, TensorRef]:
    root = root.resolve()
    files = [f for f in walk(root) if f.endswith(".safetensors")][:MAX_SAFETENSORS_FILES]
    out: dict[str, TensorRef] = {}
    for rel in files:
        try:
            path = inside(root, root / rel)
            header = read_safetensors_header(path)
            size = path.stat().st_size
        except (OSError, UnsafePath, ValueError) as exc:
            raise TargetError(f"{root / rel}: {exc}") from None
        with open(path, "rb") as fh:
            base = 8 + int.from_bytes(fh.read(8), "little")
        for name, info in header.items():
            if name == "__metadata__" or not isinstance(info, dict):
                continue
            offs, shape = info.get("data_offsets"), info.get("shape")
            if not (isinstance(offs, list) and len(offs) == 2 and isinstance(shape, list)):
                continue
            if not all(isinstance(x, int) and not isinstance(x, bool) and x >= 0 for x in [*offs, *shape]):
                continue
            start, end = base + offs[0], base + offs[1]
            if end > size or start > end:
                continue  # a header that points past the file: not comparable, never read
            out[name] = TensorRef(path, str(info.get("dtype")), shape, start, end)
    return out


def _fp8_e4m3_table():
    import numpy as np

    b = np.arange(256, dtype=np.uint16)
    sign = np.where(b & 0x80, -1.0, 1.0)
    exp = (b >> 3) & 0xF
    man = (b & 0x7).astype(np.float64)
    val = np.where(exp == 0, man / 8.0 * 2.0**-6, (1 + man / 8.0) * 2.0 ** (exp.astype(np.float64) - 7))
    val = np.where((exp == 0xF) & ((b & 0x7) == 0x7), 0.0, val)  # NaN code: neutral
    return (sign * val).astype(np.float32)


def _as_float(raw, dtype: str):
    import numpy as np

    np_dtype, _ = _DTYPES[dtype]
    arr = np.frombuffer(raw, dtype=np_dtype)
    if dtype == "BF16":
        return (arr.astype(np.uint32) << 16).view(np.float32)
    if dtype == "F8_E4M3":
        return _fp8_e4m3_table()[arr]
    return arr.astype(np.float32)


def _sample(ref: TensorRef, rows: int | None, maps: dict) -> tuple[Any, int]:
    """Up to SAMPLE_CHUNKS x SAMPLE_ELEMENTS elements at fixed positions within the first `rows` rows."""
    import numpy as np

    _, size = _DTYPES[ref.dtype]
    per_row = 1
    for d in ref.shape[1:]:
        per_row *= d
    n = (rows if rows is not None else ref.shape[0]) * per_row if ref.shape else 1
    mm = maps.get(ref.path)
    if mm is None:
        mm = maps[ref.path] = np.memmap(ref.path, dtype=np.uint8, mode="r")
    chunk = min(SAMPLE_ELEMENTS, n)
    starts = sorted({int(i * (n - chunk) / max(1, SAMPLE_CHUNKS - 1)) for i in range(SAMPLE_CHUNKS)})
    parts = []
    read = 0
    for s in starts:
        a = ref.start + s * size
        raw = bytes(mm[a : a + chunk * size])
        read += len(raw)
        parts.append(_as_float(raw, ref.dtype))
    return np.concatenate(parts), read


def _correlation(a, b) -> float | None:
    import numpy as np

    ok = np.isfinite(a) & np.isfinite(b)
    a, b = a[ok].astype(np.float64), b[ok].astype(np.float64)
    if a.size < 16:
        return None
    a = a - a.mean()
    b = b - b.mean()
    den = float(np.sqrt((a * a).sum() * (b * b).sum()))
    if den == 0.0:
        return None
    return float((a * b).sum() / den)


def _layer_of(name: str) -> str:
    m = re.search(r"(?:^|\.)(?:layers|h|blocks|layer)\.(\d+)\.", name)
    return m.group(1) if m else "other"


def compare_checkpoints(target: Path, base: Path, label: str | None = None) -> WeightComparison:
    import numpy as np

    a_idx, b_idx = index_checkpoint(target), index_checkpoint(base)
    if not b_idx:
        raise TargetError(f"{base}: no safetensors weights to compare against")
    result = WeightComparison(against=label or str(base))
    common = sorted(set(a_idx) & set(b_idx))
    result.tensors_common = len(common)
    usable = []
    for name in common:
        ta, tb = a_idx[name], b_idx[name]
        if ta.dtype not in _DTYPES or tb.dtype not in _DTYPES:
            result.skipped["dtype"] = result.skipped.get("dtype", 0) + 1
        elif len(ta.shape) < 2 or len(tb.shape) < 2:
            result.skipped["1-d"] = result.skipped.get("1-d", 0) + 1
        elif ta.shape[1:] != tb.shape[1:]:
            result.skipped["shape"] = result.skipped.get("shape", 0) + 1
        else:
            usable.append(name)
    if len(usable) > MAX_TENSORS:
        step = len(usable) / MAX_TENSORS
        usable = [usable[int(i * step)] for i in range(MAX_TENSORS)]
    maps: dict = {}
    per_layer: dict[str, list[float]] = {}
    scores = []
    for name in usable:
        ta, tb = a_idx[name], b_idx[name]
        rows = min(ta.shape[0], tb.shape[0])  # an extended vocabulary: compare the rows both have
        sa, ra = _sample(ta, rows, maps)
        sb, rb = _sample(tb, rows, maps)
        result.bytes_read += ra + rb
        r = _correlation(sa, sb)
        if r is None:
            result.skipped["constant"] = result.skipped.get("constant", 0) + 1
            continue
        scores.append(r)
        per_layer.setdefault(_layer_of(name), []).append(r)
    maps.clear()
    result.tensors_compared = len(scores)
    if scores:
        result.similarity = float(np.median(scores))
        key = lambda k: (k == "other", int(k) if k.isdigit() else 0)  # noqa: E731
        result.layers = [
            {"layer": k, "tensors": len(v), "similarity": round(float(np.median(v)), 4)}
            for k, v in sorted(per_layer.items(), key=lambda kv: key(kv[0]))
        ]
    return result
