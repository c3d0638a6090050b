"""The known-model registry: one YAML per base model in rules/models/ (plus any --rules DIR given).

Each entry carries the model's license(s), copyright lines that must travel, and its architecture
signature (the config.json hyper-parameters that identify it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from license_audit.catalog import list_of, load_yaml_file, map_of
from license_audit.errors import InputError
from license_audit.index import Index
from license_audit.resources import rules_dir


@dataclass(frozen=True)
class Terms:
    """The licenses that apply to some checkpoints (repo ids) or revisions of a registry entry.

    An entry whose checkpoints were published under different terms (DeepSeek-V3's December 2024 weights
    under the DeepSeek License Agreement, its 0324 update under MIT) lists one Terms per group, each with
    the source that documents it.
    """

    licenses: tuple[str, ...]  # catalog ids, the weights' license first
    checkpoints: tuple[str, ...] = ()  # repo ids (the entry's id or aliases); empty: every checkpoint
    revisions: tuple[str, ...] = ()  # commit ids (or prefixes) of those repositories; empty: every revision
    name: str | None = None  # how a sentence names these checkpoints ("December 2024 weights")
    released: str | None = None
    source: str = ""

    def fits(self, checkpoint: str | None, revision: str | None) -> bool:
        if checkpoint and self.checkpoints and checkpoint.lower() not in {c.lower() for c in self.checkpoints}:
            return False
        if revision and self.revisions:
            return any(_same_revision(revision, r) for r in self.revisions)
        return True


def _same_revision(a: str, b: str) -> bool:
    """Equal names, or one commit id a prefix of the other (at least 7 hex digits, as git abbreviates)."""
    a, b = a.strip().lower(), b.strip().lower()
    if a == b:
        return True
    short, long_ = sorted((a, b), key=len)
    return len(short) >= 7 and all(c in "0123456789abcdef" for c in long_) and long_.startswith(short)


def split_revision(name: str) -> tuple[str, str | None]:
    """`owner/name@rev` -> ("owner/name", "rev"); a name without a revision -> (name, None)."""
    base, sep, rev = name.strip().partition("@")
    return base, (rev.strip() or None) if sep else None


@dataclass
class KnownModel:
    """One base model of the registry (a rules/models/*.yaml file): its license and its signature."""

    id: str
    family: str
    license: str
    licenses: list[str] = field(default_factory=list)  # every license whose duties travel (weights + code)
    copyright: list[str] = field(default_factory=list)
    notice: str | None = None  # upstream NOTICE content a derivative must carry (Apache 4(d))
    size: str | None = None
    released: str | None = None
    signature: dict[str, Any] = field(default_factory=dict)
    tokenizer: dict[str, Any] = field(default_factory=dict)
    aliases: list[str] = field(default_factory=list)
    # Single-file checkpoints the publisher ships (sd_xl_base_1.0.safetensors): how training tools name the base.
    checkpoint_files: list[str] = field(default_factory=list)
    # Values other published copies of the same config carry (HF repos are edited after release).
    variants: dict[str, list[Any]] = field(default_factory=dict)
    # Why an exact config match is not proof on its own (independent models reuse this shape).
    shape_shared: str | None = None
    # quant_method the original checkpoint already ships with (fp8 for DeepSeek-V3): not a quantized derivative.
    native_quantization: str | None = None
    # Where the family's license differs by size or release: which license this entry is under and why.
    license_note: str | None = None
    # The entry's own upstreams, as a model card names them (a string or a list in YAML).
    base_model: list[str] = field(default_factory=list)
    # The model takes images: duties with `applies_to: multimodal` bind its derivatives.
    multimodal: bool = False
    source: Path | None = None
    raw: dict[str, Any] = field(default_factory=dict)
    # Licenses by checkpoint or revision, when the entry's checkpoints do not all share `license(s)`.
    terms: list[Terms] = field(default_factory=list)

    @property
    def all_licenses(self) -> list[str]:
        out = [self.license]
        out += [lic for lic in self.licenses if lic not in out]
        return out

    def name_for(self, model_id: str) -> str:
        """The repository `model_id` names (a Hub URL, `hf:` or `@revision` aside), spelled as the entry
        spells it: its id or one of its aliases (the base checkpoint an instruct entry answers for is named
        as such, not as the entry)."""
        key = repo_key(model_id)
        return next((n for n in (self.id, *self.aliases) if n.lower() == key), self.id)

    def terms_for(self, checkpoint: str | None = None, revision: str | None = None) -> list[Terms]:
        """The terms that may apply to `checkpoint` (a repo id this entry answers to) at `revision`: one
        when the registry can tell, each candidate when it cannot (no checkpoint named, or a checkpoint
        whose revisions fall under different terms). An entry without `terms` has one: its licenses."""
        if not self.terms:
            return [Terms(tuple(self.all_licenses), (self.id, *self.aliases), (), None, self.released, "")]
        fitting = [t for t in self.terms if t.fits(checkpoint, None)] or list(self.terms)
        if revision:
            exact = [t for t in fitting if t.revisions and t.fits(checkpoint, revision)]
            if exact:
                return exact
        return fitting


def model_from_dict(raw: dict[str, Any], source: Path | None = None) -> KnownModel:
    where = str(source) if source else "model entry"
    for key in ("id", "family", "license"):
        if key not in raw:
            raise InputError(f"{where}: missing required key '{key}'")
    return KnownModel(  # list_of/map_of: a wrong type in a --rules file is one line, exit 2
        id=str(raw["id"]),
        family=str(raw["family"]),
        license=str(raw["license"]),
        licenses=[str(x) for x in list_of(raw, "licenses", where)],
        copyright=[str(x) for x in list_of(raw, "copyright", where)],
        notice=raw.get("notice"),
        size=str(raw["size"]) if raw.get("size") is not None else None,
        released=str(raw["released"]) if raw.get("released") is not None else None,
        signature=dict(map_of(raw, "signature", where)),
        tokenizer=dict(map_of(raw, "tokenizer", where)),
        aliases=[str(a) for a in list_of(raw, "aliases", where)],
        checkpoint_files=[str(a) for a in list_of(raw, "checkpoint_files", where)],
        variants={str(k): list(v) for k, v in map_of(raw, "variants", where).items() if isinstance(v, list)},
        shape_shared=str(raw["shape_shared"]) if raw.get("shape_shared") else None,
        native_quantization=str(raw["native_quantization"]).lower() if raw.get("native_quantization") else None,
        license_note=str(raw["license_note"]) if raw.get("license_note") else None,
        base_model=_base_models(raw.get("base_model") or raw.get("base_models")),
        multimodal=bool(raw.get("multimodal")),
        source=source,
        raw=raw,
        terms=[_terms_from(t, where) for t in list_of(raw, "terms", where)],
    )


def _terms_from(raw: Any, where: str) -> Terms:
    if not isinstance(raw, dict):
        raise InputError(f"{where}: each entry of 'terms' is a mapping (licenses, checkpoints, source)")
    licenses = [str(x) for x in list_of(raw, "licenses", where)]
    if not licenses or not raw.get("source"):
        raise InputError(f"{where}: each entry of 'terms' needs 'licenses' and the 'source' that documents them")
    return Terms(
        licenses=tuple(licenses),
        checkpoints=tuple(str(x) for x in list_of(raw, "checkpoints", where)),
        revisions=tuple(str(x) for x in list_of(raw, "revisions", where)),
        name=str(raw["name"]) if raw.get("name") else None,
        released=str(raw["released"]) if raw.get("released") else None,
        source=str(raw["source"]),
    )


def _base_models(value: Any) -> list[str]:
    """`base_model` as a card writes it (a string or a list); `base_models` is its former spelling."""
    items = value if isinstance(value, list) else [value]
    return [x.strip() for x in items if isinstance(x, str) and x.strip()]


def repo_key(model_id: str) -> str:
    """The repository id a name gives, lower-cased, without a Hub URL prefix, `hf:` or `@revision`."""
    key = model_id.strip().lower()
    if key.startswith("hf:"):
        key = key[3:]
    key = key.split("@", 1)[0]
    for prefix in ("https://huggingface.co/", "huggingface.co/"):
        if key.startswith(prefix):
            key = key[len(prefix) :]
    return key


class Registry(Index[KnownModel]):
    """Known models by id or alias, compared without case; a Hub URL, `hf:` or `@revision` is ignored."""

    def names_of(self, entry: KnownModel) -> list[str]:
        return [entry.id, *entry.aliases]

    def get(self, model_id: str | None) -> KnownModel | None:
        if not model_id:
            return None
        return self.find(repo_key(model_id))


def _load_shipped(path: Path) -> dict[str, Any]:
    """The package's own generated model files: trusted data, read with libyaml's safe loader when present.

    Every audit reads them, and the pure-Python loader is many times slower; the C safe loader constructs
    the same plain types (never objects). Files from --rules go through the bounded loader instead.
    """
    import yaml

    loader = getattr(yaml, "CSafeLoader", None)
    if loader is None:
        return load_yaml_file(path)
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)
    except (yaml.YAMLError, OSError, UnicodeDecodeError):
        return load_yaml_file(path)  # the bounded loader reports the problem in its usual words
    if not isinstance(data, dict):
        raise InputError(f"{path}: expected a mapping of keys")
    return data


def load_models_from(folder: Path, trusted: bool = False) -> list[KnownModel]:
    if not folder.is_dir():
        raise InputError(f"{folder}: rules folder not found")
    read = _load_shipped if trusted else load_yaml_file
    # Files starting with "_" (e.g. _sources.yaml, the builder's input) are not model entries.
    from license_audit.rulecache import load_folder

    files = [p for p in sorted(folder.glob("*.yaml")) if not p.name.startswith("_")]
    return [model_from_dict(doc, p) for doc, p in zip(load_folder(files, read), files)]


@lru_cache(maxsize=8)
def load_registry(extra_dirs: tuple[str, ...] = ()) -> Registry:
    reg = Registry(load_models_from(rules_dir() / "models", trusted=True))
    for d in extra_dirs:
        models_dir = Path(d) / "models"
        if models_dir.is_dir():
            for m in load_models_from(models_dir):
                reg.add(m)
    return reg
