"""The license catalog: one YAML per license in rules/licenses/ (plus any --rules DIR given).

A license entry holds what it is (ids, names, links), how to recognise it (`identify`), and what a
derivative owes (`obligations`, `derivatives`). Adding a license is adding a file, not code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from license_audit.errors import InputError
from license_audit.index import Index
from license_audit.resources import rules_dir
from license_audit.safeio import load_rules_yaml, yaml_error_line

# Categories a compatibility check can reason with.
CATEGORIES = (
    "permissive",
    "copyleft",
    "weak-copyleft",
    "public-domain",
    "open-rail",  # use-restricted but freely redistributable (OpenRAIL, DeepSeek, Gemma)
    "model-community",  # custom model licenses that must travel unchanged (Llama, Qwen, Tongyi)
    "noncommercial",
    "proprietary",
    "use-policy",  # a family's use policy (Llama AUP, Gemma prohibited use): a document of its license, no grant
    "unknown",
)


@dataclass
class Obligation:
    """One duty a derivative owes. `kind` says which; each kind reads only its own keys (docs/rules.md,
    rules/schema/license.schema.json). Keys a kind does not use stay at their empty default."""

    kind: str
    clause: str | None = None
    quote: str | None = None
    # Which upstreams the duty binds: globs of model ids, and `multimodal` for duties on image models only.
    models: list[str] = field(default_factory=list)
    applies_to: str | None = None
    # license-copy, notice-text, notice-file: the file in the derivative that carries the duty.
    file: str | None = None
    # license-copy: a link to the license's url is enough.
    link_ok: bool = False
    # notice-text: the notice a derivative must carry, word for word.
    notice_text: str | None = None
    # attribution: the phrases a derivative must display (any one of them).
    display_phrases: list[str] = field(default_factory=list)
    # name-prefix: what a derivative's name must begin with.
    prefix: str | None = None
    # use-restrictions, regional-restriction: phrases showing the repository passes the restriction on.
    markers: list[str] = field(default_factory=list)
    # use-restrictions: where the use policy is published.
    policy_url: str | None = None
    # regional-restriction: where the licensees the restriction binds are based.
    region: str | None = None
    # usage-threshold: monthly active users above which a separate license is needed.
    monthly_active_users: int | None = None

    def details(self) -> list[tuple[str, object]]:
        """(key, value) of every kind-specific key that is set, in the order docs/rules.md lists them."""
        out: list[tuple[str, object]] = []
        for key in DETAIL_KEYS:
            value = getattr(self, key)
            if value not in (None, False, []):
                out.append((key, value))
        return out


# Kind-specific keys of an obligation, as YAML spells them (and as the Obligation fields are named).
DETAIL_KEYS = (
    "file",
    "notice_text",
    "display_phrases",
    "prefix",
    "markers",
    "policy_url",
    "monthly_active_users",
    "region",
    "applies_to",
    "link_ok",
)

# Keys renamed so that each has one meaning; files written with the former name still load (and
# `license-audit rules check` asks for the new one). (where, former name) -> current name.
RENAMED = {
    ("identify", "text"): "reference_text",
    ("notice-text", "text"): "notice_text",
    ("attribution", "phrases"): "display_phrases",
}


@dataclass
class License:
    """One license of the catalog (a rules/licenses/*.yaml file): how to recognise it and what it asks."""

    id: str
    spdx: str
    name: str
    category: str = "unknown"
    hf_license: str = "other"
    aliases: list[str] = field(default_factory=list)
    url: str | None = None
    family: str | None = None
    # Names the publisher's cards and prose give every edition of the license (`license_name: exaone`, "the
    # Llama license"), compared as catalog keys are (without case, `_` or spaces): declared for a derivative,
    # one means the upstream's own edition; in text, it names every edition, ambiguous.
    shared_names: list[str] = field(default_factory=list)
    version: str | None = None
    commercial_use: bool = True
    sharealike: bool = False
    identify: dict[str, Any] = field(default_factory=dict)
    obligations: list[Obligation] = field(default_factory=list)
    derivatives: dict[str, Any] = field(default_factory=dict)
    source: Path | None = None
    raw: dict[str, Any] = field(default_factory=dict)

    def goes_by(self, key: str) -> bool:
        """Whether `key` is one of the license's shared names."""
        return _norm(key) in self.shared_names

    @property
    def card_fields(self) -> dict[str, str]:
        """What a model card should declare for this license."""
        if self.hf_license != "other":
            return {"license": self.hf_license}
        return {"license": "other", "license_name": self.id}

    def obligations_of(self, kind: str) -> list[Obligation]:
        return [o for o in self.obligations if o.kind == kind]

    @property
    def text_path(self) -> Path | None:
        """Where the catalog keeps the license's reference text (`identify.reference_text`, a path relative
        to the folder of the license's YAML file)."""
        rel = self.identify.get("reference_text")
        if not rel:
            return None
        base = self.source.parent if self.source else rules_dir() / "licenses"
        return base / str(rel)

    @property
    def copy_ids(self) -> tuple[str, ...]:
        """The ids a copy of this license is identified by: its own, and that of the entry whose reference
        text (`texts/<id>.txt`) it shares. The Hub's generic `openrail` has the BigScience Open RAIL-M text,
        which identification names by that more specific entry."""
        path = self.text_path
        return (self.id,) if path is None or path.stem == self.id else (self.id, path.stem)

    def reference_copy(self) -> str | None:
        """The text of the license's reference copy (the file `identify.reference_text` names), or None when
        the catalog has none (or it cannot be read)."""
        path = self.text_path
        if path is None:
            return None
        try:
            return path.read_text(encoding="utf-8")
        except (OSError, ValueError):
            return None


def _norm(key: str) -> str:
    return key.strip().lower().replace("_", "-").replace(" ", "-")


class Catalog(Index[License]):
    """Licenses by id, SPDX id or alias (compared without case, `_` or spaces)."""

    # The `--rules DIR`s it was loaded with: their models name the licenses their Hub license files hold.
    rules_dirs: tuple[str, ...] = ()

    def names_of(self, entry: License) -> list[str]:
        return [entry.id, entry.spdx, *entry.aliases]

    @staticmethod
    def alias_key(name: str) -> str:
        return _norm(name)

    def get(self, key: str | None) -> License | None:
        return self.find(_norm(key)) if key else None

    def resolve(self, key: str | None) -> str | None:
        lic = self.get(key)
        return lic.id if lic else None


def _obligation(raw: Any, where: str) -> Obligation:
    if not isinstance(raw, dict) or "kind" not in raw:
        raise InputError(f"{where}: each obligation needs a 'kind'")
    kind = str(raw["kind"])
    raw = {RENAMED.get((kind, str(k)), k): v for k, v in raw.items()}
    # Keys are read leniently, as they always were: a wrong type is the value's own problem, reported by
    # `license-audit rules check`; an audit only needs the values it can use.
    return Obligation(
        kind=kind,
        clause=_text(raw.get("clause")),
        quote=_text(raw.get("quote")),
        models=_strings(raw.get("models")),
        applies_to=_text(raw.get("applies_to")),
        file=_text(raw.get("file")),
        link_ok=bool(raw.get("link_ok")),
        notice_text=_text(raw.get("notice_text")),
        display_phrases=_strings(raw.get("display_phrases")),
        prefix=_text(raw.get("prefix")),
        markers=_strings(raw.get("markers")),
        policy_url=_text(raw.get("policy_url")),
        region=_text(raw.get("region")),
        monthly_active_users=_count(raw.get("monthly_active_users")),
    )


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _count(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def _strings(value: Any) -> list[str]:
    """A list of strings from a YAML value that should be one (a lone string is a list of one)."""
    if value is None:
        return []
    if isinstance(value, list):
        return [str(v) for v in value]
    return [str(value)]


_ID = re.compile(r"[a-z0-9][a-z0-9.+_-]*")
_SPDX = re.compile(r"[A-Za-z0-9][A-Za-z0-9.+-]*")


def list_of(raw: dict[str, Any], key: str, where: str) -> list:
    """raw[key] as a list (absent -> []); anything else is the rules file's fault, said in one line."""
    value = raw.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise InputError(f"{where}: '{key}' must be a list, not {type(value).__name__}")
    return value


def map_of(raw: dict[str, Any], key: str, where: str) -> dict:
    value = raw.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise InputError(f"{where}: '{key}' must be a mapping, not {type(value).__name__}")
    return value


def license_from_dict(raw: dict[str, Any], source: Path | None = None) -> License:
    where = str(source) if source else "license entry"
    for key in ("id", "spdx", "name"):
        if key not in raw:
            raise InputError(f"{where}: missing required key '{key}'")
    # CONTRACT: ids are lowercase keys; spdx is an SPDX identifier or LicenseRef-<id>. Checked here so that
    # an organisation's --rules file cannot make reports that break the contract.
    lic_id, spdx = str(raw["id"]), str(raw["spdx"])
    if not _ID.fullmatch(lic_id):
        raise InputError(f"{where}: id '{lic_id}' must be a lowercase key (letters, digits, . + _ -)")
    if (spdx.startswith("LicenseRef-") and spdx != f"LicenseRef-{lic_id}") or not _SPDX.fullmatch(spdx):
        raise InputError(f"{where}: spdx '{spdx}' must be an SPDX identifier or LicenseRef-{lic_id}")
    obligations = [_obligation(o, where) for o in list_of(raw, "obligations", where)]
    return License(
        id=str(raw["id"]),
        spdx=str(raw["spdx"]),
        name=str(raw["name"]),
        category=str(raw.get("category", "unknown")),
        hf_license=str(raw.get("hf_license", "other")),
        aliases=[str(a) for a in list_of(raw, "aliases", where)],
        url=raw.get("url"),
        family=raw.get("family"),
        shared_names=[_norm(str(n)) for n in list_of(raw, "shared_names", where)],
        version=str(raw["version"]) if raw.get("version") is not None else None,
        commercial_use=bool(raw.get("commercial_use", True)),
        sharealike=bool(raw.get("sharealike", False)),
        identify={RENAMED.get(("identify", str(k)), k): v for k, v in map_of(raw, "identify", where).items()},
        obligations=obligations,
        derivatives=dict(map_of(raw, "derivatives", where)),
        source=source,
        raw=raw,
    )


def load_yaml_file(path: Path) -> dict[str, Any]:
    try:
        data = load_rules_yaml(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        line = yaml_error_line(exc)
        raise InputError(f"{path}{f':{line}' if line else ''}: not valid YAML") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text") from None
    if not isinstance(data, dict):
        raise InputError(f"{path}: expected a mapping of keys")
    return data


def load_licenses_from(folder: Path) -> list[License]:
    if not folder.is_dir():
        raise InputError(f"{folder}: rules folder not found")
    from license_audit.rulecache import load_folder

    files = sorted(folder.glob("*.yaml"))
    return [license_from_dict(doc, p) for doc, p in zip(load_folder(files, load_yaml_file), files)]


@lru_cache(maxsize=8)
def load_catalog(extra_dirs: tuple[str, ...] = ()) -> Catalog:
    cat = Catalog(load_licenses_from(rules_dir() / "licenses"))
    cat.rules_dirs = tuple(extra_dirs)
    for d in extra_dirs:
        lic_dir = Path(d) / "licenses"
        if lic_dir.is_dir():
            for lic in load_licenses_from(lic_dir):
                cat.add(lic)
    return cat
