"""Crawl a model repository into a Snapshot: the card, license-like files, configs, weight files.

Everything downstream (identify, lineage, rules, history) reads the Snapshot, never the disk, so a
Hub repository or a git revision can be audited the same way as a local folder.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from license_audit.artifacts import Artifacts, collect
from license_audit.card import ModelCard, parse_card
from license_audit.safeio import (
    MAX_JSON_BYTES,
    MAX_TEXT_BYTES,
    JSONProblem,
    ReadResult,
    UnsafePath,
    decode_text,
    is_utf8,
    looks_binary,
    parse_json,
    read_bytes,
    walk,
)

# LICENSE, LICENCE, COPYING, NOTICE, USE_POLICY and their variants (LICENSE-MODEL, LICENSE.weights.txt,
# MODEL_LICENSE, "Tongyi Qianwen LICENSE AGREEMENT", GEMMA_TERMS_OF_USE.txt, ...).
_LICENSE_NAME = re.compile(
    r"(^|[^a-z])(licen[cs]e|copying|notice|use[ _-]?policy|terms[ _-]?of[ _-]?use|acceptable[ _-]?use)",
    re.IGNORECASE,
)
_TEXT_SUFFIXES = {"", ".txt", ".md", ".markdown", ".rst", ".html", ".htm", ".mdx"}
_VERSION_OR_NAME_SUFFIX = re.compile(r"\.(\d+[a-z]?|[a-z][a-z0-9]*\d[a-z0-9]*|[a-z]+)")
_NOT_TEXT_SUFFIXES = {
    ".py",
    ".pyc",
    ".pyi",
    ".ipynb",
    ".js",
    ".ts",
    ".mjs",
    ".java",
    ".c",
    ".cc",
    ".cpp",
    ".h",
    ".hpp",
    ".rs",
    ".go",
    ".rb",
    ".php",
    ".sh",
    ".bat",
    ".ps1",
    ".json",
    ".jsonl",
    ".yaml",
    ".yml",
    ".toml",
    ".ini",
    ".cfg",
    ".xml",
    ".csv",
    ".tsv",
    ".parquet",
    ".arrow",
    ".bin",
    ".pt",
    ".pth",
    ".ckpt",
    ".safetensors",
    ".gguf",
    ".onnx",
    ".h5",
    ".msgpack",
    ".model",
    ".tflite",
    ".npz",
    ".npy",
    ".pkl",
    ".pickle",
    ".zip",
    ".gz",
    ".tgz",
    ".tar",
    ".xz",
    ".bz2",
    ".7z",
    ".whl",
    ".so",
    ".dll",
    ".dylib",
    ".exe",
    ".png",
    ".jpg",
    ".jpeg",
    ".gif",
    ".svg",
    ".webp",
    ".ico",
    ".pdf",
    ".mp3",
    ".wav",
    ".mp4",
    ".lock",
    ".log",
}
CONFIG_NAMES = (
    "config.json",
    "adapter_config.json",
    "tokenizer_config.json",
    "generation_config.json",
    "special_tokens_map.json",
    "quantize_config.json",
    "quant_config.json",
    "hf_quant_config.json",
    "model.safetensors.index.json",
)
# Diffusers pipelines (model_index.json at the root, no root config.json): the files lineage reads to tell
# which model it is, the denoiser's config first (lineage.signature.diffusers_signature).
DIFFUSERS_DENOISERS = ("unet", "transformer", "prior", "decoder")
DIFFUSERS_CONFIG_NAMES = (
    "model_index.json",
    *(f"{c}/config.json" for c in DIFFUSERS_DENOISERS),
    "vae/config.json",
    "scheduler/scheduler_config.json",
    # The text encoder's tokenizer: its pad token tells CLIP ViT-L (Stable Diffusion 1.x) from OpenCLIP.
    "tokenizer/special_tokens_map.json",
)
_README_NAMES = frozenset({"readme.md", "readme"})
_MAX_LICENSE_DEPTH = 3  # license files deeper than this (vendored code) are not the model's own


@dataclass
class Problem:
    """A file the crawl could not read as it should (a link, a binary, a parse error), for a finding."""

    path: str
    message: str
    line: int | None = None
    fix: str | None = None


_LINK_FIX = "Replace the link with a regular file inside the repository."
_BINARY_FIX = "Replace the file with a plain-text (UTF-8) copy."


@dataclass
class Snapshot:
    """What the crawl read from a target: its files, card, license texts, configs and lineage artifacts."""

    root: Path
    files: list[str]
    card: ModelCard
    license_texts: dict[str, str] = field(default_factory=dict)
    configs: dict[str, Any] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    truncated: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what the crawl left out, for the report's notes
    # What lineage compares: tokenizer fingerprint, safetensors headers, GGUF metadata, merge config.
    artifacts: Artifacts | None = None
    # Parsed safetensors headers, file -> {"__metadata__": {...}, tensor: {"dtype", "shape", "data_offsets"}}
    # (the JSON header of the file as written); filled for Hub targets from get_safetensors_metadata and
    # from cached files offline, so lineage reads one structure whatever the source.
    safetensors: dict[str, dict] = field(default_factory=dict)

    @property
    def weight_files(self) -> list[str]:
        return [f for f in self.files if f.endswith((".safetensors", ".gguf", ".bin", ".pt", ".pth", ".ckpt", ".onnx"))]

    def text_of(self, rel: str) -> str | None:
        """Text of any small file in the snapshot (read on demand, capped)."""
        if rel in self.license_texts:
            return self.license_texts[rel]
        if rel not in self.files:
            return None
        try:
            res = read_bytes(self.root, rel, MAX_TEXT_BYTES)
        except (OSError, UnsafePath):
            return None
        if looks_binary(res.data):
            return None
        return decode_text(res.data)


def diffusers_denoiser_path(model_index: Any, files: list[str] | set[str]) -> str | None:
    """Which component config holds the denoiser: the one model_index.json lists, else the first present."""
    present = set(files)
    listed = [c for c in DIFFUSERS_DENOISERS if isinstance(model_index, dict) and c in model_index]
    for comp in listed + [c for c in DIFFUSERS_DENOISERS if c not in listed]:
        if f"{comp}/config.json" in present:
            return f"{comp}/config.json"
    return None


def is_license_file(rel: str) -> bool:
    p = Path(rel)
    if len(p.parts) > _MAX_LICENSE_DEPTH:
        return False
    suffix = p.suffix.lower()
    # LICENSE-APACHE-2.0, LICENSE-LLAMA3.1, LICENSE.llama3: what follows the last dot is a version or a
    # name, not a file type, and `notice --write` itself writes such names. Code and data are not texts.
    # A license shipped only as PDF (Baichuan 2, BlueLM) is still the license: documents.py reads it.
    if suffix == ".pdf":
        return bool(_LICENSE_NAME.search(p.name))
    if suffix in _NOT_TEXT_SUFFIXES or (
        suffix not in _TEXT_SUFFIXES
        and not _LICENSE_NAME.search(suffix)
        and not _VERSION_OR_NAME_SUFFIX.fullmatch(suffix)
    ):
        return False
    if p.name.lower() in _README_NAMES:  # a README anywhere describes the repository; it is no license text
        return False
    return bool(_LICENSE_NAME.search(p.name))


def is_card_path(rel: str) -> bool:
    """Whether `rel` is the model card: README.md at the top of the repository (any case), as on the Hub."""
    return rel.lower() == "readme.md"


def find_card(files: list[str]) -> str | None:
    for rel in files:
        if is_card_path(rel):
            return rel
    return None


def crawl(
    root: Path, remote_files: list[str] | tuple[str, ...] = (), safetensors: dict[str, dict] | None = None
) -> Snapshot:
    """`remote_files`: files the repository holds that are not in `root` (weights of a Hub repository),
    listed in Snapshot.files but never read; `safetensors`: their parsed headers (Snapshot.safetensors)."""
    root = root.resolve()
    outside: list[str] = []
    capped: list[int] = []
    files = walk(root, outside=outside, capped=capped)
    # Names that are not UTF-8 (os.walk gives them as surrogates) cannot be written to a JSON/SARIF report.
    bad_names = [rel for rel in files if not is_utf8(rel)]
    files = [rel for rel in files if is_utf8(rel)]
    listed = sorted(set(files) | set(remote_files)) if remote_files else files
    snap = Snapshot(root=root, files=listed, card=ModelCard(path=None), safetensors=dict(safetensors or {}))
    if capped:
        snap.notes.append(
            f"crawl: the repository has {capped[0]} files or more; only the first {capped[0]} "
            f"(in folder order) were listed and checked"
        )
    for rel in bad_names:
        shown = rel.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
        if is_license_file(shown) or is_card_path(shown):
            snap.problems.append(
                Problem(shown, "has a file name that is not UTF-8; not read", fix="Rename the file to a UTF-8 name.")
            )
    # Every such link is a file the audit did not read: a config.json linked from elsewhere must not
    # let a derivative pass unseen, so each is a finding (listed up to a bound, then counted).
    for rel in outside[:MAX_LINK_PROBLEMS]:
        snap.problems.append(Problem(rel, _link_reason(root, rel), fix=_LINK_FIX))
    if len(outside) > MAX_LINK_PROBLEMS:
        snap.notes.append(
            f"crawl: {len(outside) - MAX_LINK_PROBLEMS} more links that point outside the "
            f"repository (or nowhere) were not read"
        )
    cache_repo = _hub_cache_repo(root)
    if outside and cache_repo:
        snap.notes.append(
            f"crawl: this folder is a snapshot in the Hugging Face cache, whose files are links "
            f"into the cache's blobs; audit it as `hf:{cache_repo} --offline` to read them"
        )

    card_rel = find_card(files)
    if card_rel:
        text = _read_text(snap, card_rel)
        if text is not None:
            snap.card = parse_card(text, card_rel)
            for line, msg in snap.card.problems:
                snap.problems.append(Problem(card_rel, msg, line))

    for rel in files:
        if is_license_file(rel):
            text = _read_pdf(snap, rel) if rel.lower().endswith(".pdf") else _read_text(snap, rel)
            if text is not None:
                snap.license_texts[rel] = text
    for rel in snap.truncated:
        # What is said of the card or a license file (a phrase absent, a license not found) holds only
        # for the part that was read.
        snap.notes.append(
            f"crawl: {rel} is larger than {MAX_TEXT_BYTES // (1024 * 1024)} MiB; only its first "
            f"{MAX_TEXT_BYTES // (1024 * 1024)} MiB were read, so findings about it cover that part"
        )

    # A diffusers repository: model_index.json at the root, the configs lineage compares in component folders.
    wanted = set(DIFFUSERS_CONFIG_NAMES) if "model_index.json" in files else set()
    for rel in files:
        if (Path(rel).name in CONFIG_NAMES and "/" not in rel) or rel in wanted:
            raw = _read_text(snap, rel, MAX_JSON_BYTES)
            if raw is None:
                continue
            if rel in snap.truncated:  # parsing the cut-off text would report a misleading syntax error
                snap.problems.append(
                    Problem(
                        rel,
                        f"is larger than {MAX_JSON_BYTES // (1024 * 1024)} MB; not read",
                        fix="Keep configuration files small (no embedded data).",
                    )
                )
                continue
            try:
                snap.configs[rel] = parse_json(raw)
            except JSONProblem as exc:
                snap.problems.append(Problem(rel, str(exc), _line_of(str(exc))))
                continue
            if not isinstance(snap.configs[rel], dict):
                snap.problems.append(Problem(rel, "is not a JSON object, so its settings cannot be read"))
    _crawl_artifacts(snap)
    return snap


def _crawl_artifacts(snap: Snapshot) -> None:
    def read_json(rel: str, limit: int):
        raw = _read_text(snap, rel, limit)
        if raw is None:
            return None
        try:
            return parse_json(raw)
        except JSONProblem as exc:
            snap.problems.append(Problem(rel, str(exc), _line_of(str(exc))))
            return None

    def report(rel: str, message: str) -> None:
        snap.problems.append(Problem(rel, message))

    snap.artifacts = collect(snap.root, snap.files, read_json, snap.safetensors, report)
    pointers = snap.artifacts.lfs_pointers
    if pointers:
        shown = ", ".join(pointers[:3]) + (f" and {len(pointers) - 3} more" if len(pointers) > 3 else "")
        snap.notes.append(
            f"weights not present (git-lfs pointer): {shown}; lineage evidence from weight headers is not available"
        )
    stubs = snap.artifacts.lfs_tokenizer_pointers
    if stubs:
        snap.notes.append(
            f"tokenizer files not present (git-lfs pointer): {', '.join(stubs)}; "
            "lineage evidence from their vocabulary is not available"
        )
    for rel, message in snap.artifacts.problems:
        snap.problems.append(Problem(rel, message))


def _read_capped(snap: Snapshot, rel: str, limit: int) -> ReadResult | None:
    """The first `limit` bytes of a file inside the snapshot, or None with the reason recorded as a problem."""
    try:
        return read_bytes(snap.root, rel, limit)
    except UnsafePath:
        snap.problems.append(Problem(rel, _link_reason(snap.root, rel), fix=_LINK_FIX))
    except OSError as exc:
        snap.problems.append(Problem(rel, f"cannot be read: {exc.strerror or exc}"))
    return None


def _read_text(snap: Snapshot, rel: str, limit: int = MAX_TEXT_BYTES) -> str | None:
    res = _read_capped(snap, rel, limit)
    if res is None:
        return None
    if res.truncated:
        snap.truncated.append(rel)
    if looks_binary(res.data):
        if is_license_file(rel) or rel == find_card(snap.files) or (Path(rel).name in CONFIG_NAMES and "/" not in rel):
            what = "configuration" if Path(rel).name in CONFIG_NAMES else "a license or card"
            snap.problems.append(Problem(rel, f"is binary, not text; it cannot be read as {what}", fix=_BINARY_FIX))
        return None
    return decode_text(res.data)


def _read_pdf(snap: Snapshot, rel: str) -> str | None:
    from license_audit.documents import MAX_PDF_BYTES, pdf_text

    res = _read_capped(snap, rel, MAX_PDF_BYTES)
    if res is None:
        return None
    doc = pdf_text(res.data + (b"\0" if res.truncated else b""))
    if doc.text is None:
        snap.problems.append(Problem(rel, doc.problem or "cannot be read", fix=_PDF_FIX))
        return None
    if doc.partial:
        snap.truncated.append(rel)
    return doc.text


_PDF_FIX = "Add the license as a plain-text file (LICENSE) beside the PDF."
MAX_LINK_PROBLEMS = 50


def _link_reason(root: Path, rel: str) -> str:
    try:
        (root / rel).resolve()
    except RuntimeError:
        return "is a link loop; not read"
    return "is a link that points outside the repository; not read"


def _hub_cache_repo(root: Path) -> str | None:
    """OWNER/NAME when root is `.../models--OWNER--NAME/snapshots/<revision>` (huggingface_hub's layout)."""
    parts = root.parts
    if len(parts) >= 3 and parts[-2] == "snapshots" and parts[-3].startswith("models--"):
        owner, _, name = parts[-3][len("models--") :].partition("--")
        if owner and name:
            return f"{owner}/{name}"
    return None


def _line_of(msg: str) -> int | None:
    m = re.search(r"line (\d+)", msg)
    return int(m.group(1)) if m else None
