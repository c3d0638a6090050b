"""Model families (rules/families.yaml): which family a name, tag, model_type or GGUF architecture points
to, and the license(s) that family's weights are published under.

Used when a base cannot be resolved to one checkpoint: a declared id the registry, the Hub and the caches
do not know, card prose that names a family ("based on Llama 2"), a model named after its base. A family
is weaker evidence than a checkpoint: names are reused and sizes differ in license (Qwen2.5 3B and 72B).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from license_audit.errors import InputError
from license_audit.resources import rules_dir

FAMILIES_FILE = "families.yaml"
MAX_NAME_CHARS = 300  # a name or tag longer than this is no model name; never fed to the patterns whole
# "7B", "1.5b", and a mixture of experts' "8x7B" (eight experts of 7B: the model is Mixtral 8x7B, not a 7B).
_SIZE = re.compile(r"(?<![\w.])(?:(\d+)x)?(\d+(?:\.\d+)?)b(?![a-z])", re.IGNORECASE)


@dataclass(frozen=True)
class Family:
    id: str
    name: str
    licenses: tuple[str, ...]
    by_size: dict[str, tuple[str, ...]] = field(default_factory=dict, hash=False, compare=False)
    publishers: tuple[str, ...] = ()
    names: tuple[re.Pattern[str], ...] = ()
    model_types: tuple[str, ...] = ()
    # Diffusers pipelines only this family ships: (model_index.json `_class_name`, the pad token of the
    # pipeline's tokenizer or "" for any), the class written without its ONNX/Flax prefix or task variant.
    pipelines: tuple[tuple[str, str], ...] = ()
    source: str = ""
    # Licenses the family was published under before its publisher relicensed it (Yi: yi-license before
    # Apache-2.0): a card under one of them still names the family, and the note says which copies they cover.
    former_licenses: tuple[str, ...] = ()
    license_note: str = ""
    # The family whose generic name also covers this one (Llama 3.1, 3.2 and 3.3 are releases of the Llama 3
    # line, and every one of them is tagged `llama-3`): a tag that names only the line says nothing of which.
    line: str = ""
    # The family's license is also its publisher's license for other model lines (NVIDIA's Open Model License):
    # a card under it alone does not name this family.
    shared_license: bool = False

    def licenses_for(self, size: str | None) -> tuple[str, ...]:
        """The licenses of the checkpoint of that size, else every license the family is published under."""
        if size and size.upper() in self.by_size:
            return self.by_size[size.upper()]
        if size or not self.by_size:
            return self.licenses
        out = list(self.licenses)
        for lics in self.by_size.values():
            out += [lic for lic in lics if lic not in out]
        return tuple(out)

    def known_licenses(self, size: str | None) -> tuple[str, ...]:
        """The licenses the family is published under, then those it was published under before."""
        return (*self.licenses_for(size), *(f for f in self.former_licenses if f not in self.licenses_for(size)))


@dataclass(frozen=True)
class FamilyMatch:
    family: Family
    matched: str  # the text the pattern matched, as written
    size: str | None  # "7B" when the name gives one

    @property
    def licenses(self) -> tuple[str, ...]:
        return self.family.licenses_for(self.size)


class Families:
    def __init__(self, families: list[Family]):
        self._all = list(families)
        self._by_type: dict[str, Family] = {}
        for fam in self._all:
            for mt in fam.model_types:
                self._by_type.setdefault(mt.lower(), fam)

    def __iter__(self):
        return iter(self._all)

    def get(self, family_id: str | None) -> Family | None:
        return next((f for f in self._all if f.id == family_id), None) if family_id else None

    def match_name(self, text: str | None) -> FamilyMatch | None:
        """The family a model id or name names (the longest match; the first family on a tie), with the
        size the name gives."""
        if not text or not isinstance(text, str):
            return None
        low = text[:MAX_NAME_CHARS].lower()
        best: tuple[int, int, Family, re.Match[str]] | None = None
        for order, fam in enumerate(self._all):
            for pat in fam.names:
                m = pat.search(low)
                if m and (best is None or (m.end() - m.start(), -order) > (best[0], -best[1])):
                    best = (m.end() - m.start(), order, fam, m)
        if best is None:
            return None
        _, _, fam, m = best
        return FamilyMatch(fam, text[m.start() : m.end()], size_of(low, m.start()))

    def names_several(self, text: str | None) -> bool:
        """Whether the text names more than one family ("Finetune Mistral, Gemma, Llama 2 faster"): a
        list of models, not the name of one. Told by the family words (llama, gemma, qwen ...) it holds."""
        if not text or not isinstance(text, str):
            return False
        words = set(re.findall(r"[a-z]+", text[:MAX_NAME_CHARS].lower()))
        brands = {re.sub(r"[^a-z]", "", f.id.split("-")[0]) for f in self._all}
        return len(words & brands) > 1

    def by_model_type(self, model_type: Any) -> Family | None:
        return self._by_type.get(model_type.lower()) if isinstance(model_type, str) else None

    def by_pipeline(self, class_name: Any, pad_token: str | None) -> Family | None:
        """The family whose diffusers pipeline class (and tokenizer pad token, where the family names one)
        a repository's model_index.json and tokenizer give."""
        if not isinstance(class_name, str):
            return None
        cls = pipeline_class(class_name)
        for fam in self._all:
            for want, pad in fam.pipelines:
                if want == cls and (not pad or pad == pad_token):
                    return fam
        return None

    def by_license(self, license_id: str | None) -> list[Family]:
        if not license_id:
            return []
        return [f for f in self._all if license_id in f.known_licenses(None)]

    def narrows(self, family_id: str, others: set[str]) -> bool:
        """Whether one of `others` is a release of the line `family_id` names (llama3.1 of llama3)."""
        return any((f := self.get(o)) is not None and f.line == family_id for o in others if o != family_id)

    def is_publisher(self, family: Family, owner: str | None) -> bool:
        return owner is not None and owner.lower() in {p.lower() for p in family.publishers}


def size_of(text: str, start: int = 0) -> str | None:
    """The size a name gives from `start` on: "7B", "1.5B", "8x7B" (experts x size of each)."""
    m = _SIZE.search(text, start)
    if m is None:
        return None
    return f"{m.group(1)}x{m.group(2)}B" if m.group(1) else f"{m.group(2)}B"


def family_label(family: Family, size: str | None = None) -> str:
    """How a family stands in the lineage list where a checkpoint id would ("Llama 2 (family)",
    "Qwen1.5 7B (family)" when the text gives a size)."""
    if size and not family.name.lower().endswith(size.lower()):  # "Mistral 7B" names its size already
        return f"{family.name} {size} (family)"
    return f"{family.name} (family)"


def _strings(raw: Any, where: str, key: str) -> list[str]:
    value = raw.get(key) or []
    if not isinstance(value, list) or not all(isinstance(v, (str, int, float)) for v in value):
        raise InputError(f"{where}: '{key}' must be a list of strings")
    return [str(v) for v in value]


def family_from_dict(fid: str, raw: Any, where: str) -> Family:
    if not isinstance(raw, dict):
        raise InputError(f"{where}: family '{fid}' must be a mapping of keys")
    licenses = _strings(raw, where, "licenses")
    if not licenses:
        raise InputError(f"{where}: family '{fid}' has no 'licenses'")
    patterns = []
    for text in _strings(raw, where, "names"):
        try:
            patterns.append(re.compile(text))
        except re.error as exc:
            raise InputError(f"{where}: family '{fid}': pattern {text!r} is not a regular expression ({exc})") from None
    by_size_raw = raw.get("by_size") or {}
    if not isinstance(by_size_raw, dict):
        raise InputError(f"{where}: family '{fid}': 'by_size' must map sizes to license lists")
    by_size = {
        str(k).upper(): tuple(str(x) for x in (v if isinstance(v, list) else [v])) for k, v in by_size_raw.items()
    }
    return Family(
        id=str(fid),
        name=str(raw.get("name") or fid),
        licenses=tuple(licenses),
        by_size=by_size,
        publishers=tuple(_strings(raw, where, "publishers")),
        names=tuple(patterns),
        model_types=tuple(_strings(raw, where, "model_types")),
        pipelines=_pipelines(raw, where, str(fid)),
        source=str(raw.get("source") or ""),
        former_licenses=tuple(_strings(raw, where, "former_licenses")),
        license_note=str(raw.get("license_note") or ""),
        line=str(raw.get("line") or ""),
        shared_license=raw.get("shared_license") is True,
    )


# A pipeline class's runtime prefix and task variant ("OnnxStableDiffusionImg2ImgPipeline"): the same model.
_PIPELINE_PREFIX = re.compile(r"^(?:Onnx|Flax|OV|TF)(?=[A-Z])")
_PIPELINE_TASK = re.compile(r"(?:Img2Img|Inpaint|InstructPix2Pix|Upscale|Depth2Img)(?=Pipeline$)")


def pipeline_class(class_name: str) -> str:
    """A diffusers pipeline class without its runtime prefix or task variant."""
    return _PIPELINE_TASK.sub("", _PIPELINE_PREFIX.sub("", class_name.strip()))


def _pipelines(raw: dict[str, Any], where: str, fid: str) -> tuple[tuple[str, str], ...]:
    items = raw.get("pipelines") or []
    if not isinstance(items, list):
        raise InputError(f"{where}: family '{fid}': 'pipelines' must be a list")
    out = []
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("class"), str):
            raise InputError(f"{where}: family '{fid}': each pipeline needs a 'class'")
        out.append((pipeline_class(item["class"]), str(item.get("pad_token") or "")))
    return tuple(out)


def load_families_file(path: Path, trusted: bool = False) -> list[Family]:
    """The families of one file, parsed through the derived-data cache (the shipped file with the C safe
    loader, like the shipped registry; a --rules file with the bounded loader)."""
    from license_audit.catalog import load_yaml_file
    from license_audit.registry import _load_shipped
    from license_audit.rulecache import load_folder

    (data,) = load_folder([path], _load_shipped if trusted else load_yaml_file)
    return [family_from_dict(str(k), v, str(path)) for k, v in data.items() if not str(k).startswith("_")]


@lru_cache(maxsize=8)
def load_families(extra_dirs: tuple[str, ...] = ()) -> Families:
    """The shipped families, then each --rules DIR's families.yaml (an entry with the same id replaces)."""
    by_id: dict[str, Family] = {f.id: f for f in load_families_file(rules_dir() / FAMILIES_FILE, trusted=True)}
    for d in extra_dirs:
        extra = Path(d) / FAMILIES_FILE
        if extra.is_file():
            for fam in load_families_file(extra):
                by_id.pop(fam.id, None)
                by_id[fam.id] = fam
    return Families(list(by_id.values()))
