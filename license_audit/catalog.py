"""The license catalog: one YAML per license in rules/licenses/ (plus any --rules DIR given).

A license entry holds what it is (ids, names, links), how to recognise it (`identify`), and what a
derivative owes (`obligations`, `derivatives`). Adding a license is adding a file, not code.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from license_audit.errors import InputError
from license_audit.index import Index
from license_audit.records import field, record
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
    "unknown",
)


@record
class Obligation:
    kind: str
    clause: str | None = None
    quote: str | None = None
    data: dict[str, Any] = field(default_factory=dict)

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)


@record
class License:
    id: str
    spdx: str
    name: str
    category: str = "unknown"
    hf_license: str = "other"
    aliases: list[str] = field(default_factory=list)
    url: str | None = None
    family: str | None = None
    version: str | None = None
    commercial_use: bool = True
    sharealike: bool = False
    identify: dict[str, Any] = field(default_factory=dict)
    obligations: list[Obligation] = field(default_factory=list)
    derivatives: dict[str, Any] = field(default_factory=dict)
    source: Path | None = None
    raw: dict[str, Any] = field(default_factory=dict)

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
        """Where the catalog keeps the license's reference text (`identify.text`, beside its YAML file)."""
        rel = self.identify.get("text")
        if not rel:
            return None
        base = self.source.parent if self.source else rules_dir() / "licenses"
        return base / str(rel)

    def reference_text(self) -> str | None:
        """The license's reference text, or None when the catalog has none (or it cannot be read)."""
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
    data = {k: v for k, v in raw.items() if k not in ("kind", "clause", "quote")}
    return Obligation(kind=str(raw["kind"]), clause=raw.get("clause"), quote=raw.get("quote"), data=data)


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
        version=str(raw["version"]) if raw.get("version") is not None else None,
        commercial_use=bool(raw.get("commercial_use", True)),
        sharealike=bool(raw.get("sharealike", False)),
        identify=dict(map_of(raw, "identify", where)),
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
    for d in extra_dirs:
        lic_dir = Path(d) / "licenses"
        if lic_dir.is_dir():
            for lic in load_licenses_from(lic_dir):
                cat.add(lic)
    return cat
