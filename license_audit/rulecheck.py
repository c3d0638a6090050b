"""`license-audit rules check DIR`: a rules folder checked against the JSON Schemas in rules/schema/.

The schemas are the documented shape of the data (docs/rules.md). Audits never import this module or
jsonschema: the catalog and registry loaders read leniently and refuse only what they cannot use. This
check is the strict reading an organisation runs on its own --rules folder (and the tests run on the
shipped rules/): every problem is one line, `file:line: what is wrong`.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from license_audit.catalog import RENAMED, Catalog, License, license_from_dict, load_catalog
from license_audit.errors import InputError
from license_audit.resources import rules_dir
from license_audit.safeio import compose_yaml, load_yaml, yaml_error_line

# Model keys renamed so that each has one meaning: former name -> current name.
MODEL_RENAMED = {"base_models": "base_model"}


@dataclass
class Problem:
    """One thing wrong with a rules file, and where."""

    path: Path
    line: int | None
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}" if self.line else f"{self.path}: {self.message}"


@dataclass
class CheckResult:
    """The outcome of checking a rules folder."""

    folder: Path
    licenses: int = 0
    models: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def summary(self) -> str:
        lic = f"{self.licenses} license{'s' if self.licenses != 1 else ''}"
        mod = f"{self.models} model{'s' if self.models != 1 else ''}"
        return f"{self.folder}: {lic} and {mod} valid"


def schema(kind: str) -> dict[str, Any]:
    """The JSON Schema of one file kind: `license`, `model` or `sources`."""
    return json.loads((rules_dir() / "schema" / f"{kind}.schema.json").read_text(encoding="utf-8"))


def check_folder(folder: Path, base: Catalog | None = None) -> CheckResult:
    """Every licenses/*.yaml and models/*.yaml under `folder`. License ids that models name resolve in
    `base` (the built-in catalog unless given) plus the folder's own licenses, as an audit with
    `--rules folder` resolves them. An unreadable folder is an InputError (exit 2)."""
    if not folder.is_dir():
        raise InputError(f"{folder}: rules folder not found")
    lic_dir, model_dir = folder / "licenses", folder / "models"
    families = folder / "families.yaml"
    if not lic_dir.is_dir() and not model_dir.is_dir() and not families.is_file():
        raise InputError(f"{folder}: rules folder has neither licenses/, models/ nor families.yaml")
    try:
        lic_files = sorted(lic_dir.glob("*.yaml")) if lic_dir.is_dir() else []
        model_files = sorted(model_dir.glob("*.yaml")) if model_dir.is_dir() else []
    except OSError as exc:
        raise InputError(f"{folder}: cannot be read ({exc.strerror})") from None
    result = CheckResult(folder)
    checker = _Checker(result.problems)
    licenses: list[License] = []
    for path in lic_files:
        lic = checker.license(path)
        result.licenses += 1
        if lic is not None:
            licenses.append(lic)
    catalog = Catalog([*(base if base is not None else load_catalog()), *licenses])
    for path in model_files:
        if path.name == "_sources.yaml":
            checker.file(path, "sources", catalog)
        elif not path.name.startswith("_"):  # other _ files are not entries (the loader skips them too)
            checker.file(path, "model", catalog)
            result.models += 1
    if families.is_file():
        checker.families(families)
    order = {path: i for i, path in enumerate([*lic_files, *model_files, families])}
    result.problems.sort(key=lambda p: (order.get(p.path, -1), p.line or 0))
    return result


class _Checker:
    def __init__(self, problems: list[Problem]):
        import jsonschema

        self.problems = problems
        self.schemas = {k: schema(k) for k in ("license", "model", "sources", "families")}
        self.validators = {k: jsonschema.Draft202012Validator(s) for k, s in self.schemas.items()}

    def say(self, path: Path, line: int | None, message: str) -> None:
        self.problems.append(Problem(path, line, message))

    def read(self, path: Path) -> tuple[Any, Any] | None:
        """(data, node tree) of a YAML file, or None after saying why it cannot be read."""
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            self.say(path, None, f"cannot be read ({exc.strerror})")
            return None
        except UnicodeDecodeError:
            self.say(path, None, "not UTF-8 text")
            return None
        duplicates: list[tuple[int, str]] = []
        try:
            data = load_yaml(text, duplicates)
            node = compose_yaml(text)
        except yaml.YAMLError as exc:
            why = getattr(exc, "problem", None) or str(exc).splitlines()[0]
            self.say(path, yaml_error_line(exc), f"not valid YAML ({why})")
            return None
        for line, key in duplicates:
            self.say(path, line, f"'{key}' is given twice in one mapping (only the last one counts)")
        if not isinstance(data, dict):
            self.say(path, 1, "expected a mapping of keys")
            return None
        return _plain(data), node

    def families(self, path: Path) -> None:
        """families.yaml: the schema and every `names` pattern a regular expression. A family may name a
        license the catalog does not hold yet: audits then say its duties cannot be checked."""
        import re

        read = self.file(path, "families", None)
        if read is None:
            return
        data, node = read
        for fid, fam in data.items():
            if str(fid).startswith("_") or not isinstance(fam, dict):
                continue
            for i, text in enumerate(fam.get("names") or []):
                try:
                    re.compile(str(text))
                except re.error as exc:
                    self.say(
                        path, _line(node, [fid, "names", i]), f"{fid}.names[{i}]: not a regular expression ({exc})"
                    )

    def license(self, path: Path) -> License | None:
        read = self.file(path, "license", None)
        if read is None:
            return None
        data, node = read
        spdx, lic_id = data.get("spdx"), data.get("id")
        if isinstance(spdx, str) and spdx.startswith("LicenseRef-") and spdx != f"LicenseRef-{lic_id}":
            self.say(
                path, _line(node, ["spdx"]), f"spdx: '{spdx}' must be LicenseRef-{lic_id} (LicenseRef- and the id)"
            )
        ref = (data.get("identify") or {}).get("reference_text") if isinstance(data.get("identify"), dict) else None
        if isinstance(ref, str) and not (path.parent / ref).is_file():
            self.say(
                path, _line(node, ["identify", "reference_text"]), f"identify.reference_text: '{ref}' is not a file"
            )
        try:
            return license_from_dict(data, path)
        except InputError as exc:
            message = str(exc).removeprefix(f"{path}: ")
            if not any(p.path == path for p in self.problems):  # the schema said it already, more precisely
                self.say(path, None, message)
            return None

    def file(self, path: Path, kind: str, catalog: Catalog | None) -> tuple[Any, Any] | None:
        read = self.read(path)
        if read is None:
            return None
        data, node = read
        root = self.schemas[kind]
        errors = sorted(self.validators[kind].iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path])
        for err in errors:
            for line, message in _explain(err, data, node, root, kind):
                self.say(path, line, message)
        if catalog is not None:
            self.license_ids(path, data, node, kind, catalog)
        return data, node

    def license_ids(self, path: Path, data: dict, node: Any, kind: str, catalog: Catalog) -> None:
        """Model entries name catalog licenses: an id the catalog does not know has no duties to check."""
        entries = [([], data)] if kind == "model" else [([k], v) for k, v in data.items() if not k.startswith("_")]
        for prefix, entry in entries:
            if not isinstance(entry, dict):
                continue
            named: list[tuple[list[str | int], Any]] = [([*prefix, "license"], entry.get("license"))]
            listed = entry.get("licenses")
            if isinstance(listed, list):
                named += [([*prefix, "licenses", i], x) for i, x in enumerate(listed)]
            terms = entry.get("terms")
            for t, item in enumerate(terms if isinstance(terms, list) else []):
                by_terms = item.get("licenses") if isinstance(item, dict) else None
                if isinstance(by_terms, list):
                    named += [([*prefix, "terms", t, "licenses", i], x) for i, x in enumerate(by_terms)]
            for at, value in named:
                if isinstance(value, str) and catalog.get(value) is None:
                    self.say(
                        path,
                        _line(node, at),
                        f"{_where(at)}: '{value}' is not a license in the catalog (add rules/licenses/{value}.yaml)",
                    )


def _plain(value: Any) -> Any:
    """YAML's data as JSON sees it: dates as the ISO text they were written as, keys as strings."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def _line(node: Any, path: list, key: bool = False) -> int | None:
    """1-based line of the value at `path` in the YAML node tree (of its key when `key`)."""
    line = node.start_mark.line + 1 if node is not None else None
    for i, part in enumerate(path):
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                if isinstance(k, yaml.ScalarNode) and k.value == str(part):
                    node = v
                    line = (k if key and i == len(path) - 1 else v).start_mark.line + 1
                    break
            else:
                return line
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            return line
    return line


def _where(path: list, data: Any = None) -> str:
    """`obligations[2] (attribution).display_phrases` for a path into the data."""
    out = ""
    cur = data
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
        if cur is not None:
            try:
                cur = cur[part]
            except (KeyError, IndexError, TypeError):
                cur = None
            if isinstance(part, int) and isinstance(cur, dict) and isinstance(cur.get("kind"), str):
                out += f" ({cur['kind']})"
    return out or "top level"


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


_JSON_TYPES = {
    dict: "a mapping",
    list: "a list",
    str: "a string",
    bool: "true/false",
    int: "a number",
    float: "a number",
}


def _explain(err: Any, data: dict, node: Any, root: dict, kind: str) -> list[tuple[int | None, str]]:
    path = list(err.absolute_path)
    where = _where(path, data)
    inst = err.instance
    if err.validator in ("additionalProperties", "unevaluatedProperties") and isinstance(inst, dict):
        allowed = _allowed_keys(err.schema, inst, root)
        out = []
        for key in [k for k in inst if k not in allowed and not _matches_pattern(err.schema, k)]:
            line = _line(node, [*path, key], key=True)
            context = inst.get("kind") if "kind" in inst else (path[-1] if path else None)
            new = RENAMED.get((str(context), key)) or (MODEL_RENAMED.get(key) if kind == "model" and not path else None)
            if new:
                out.append((line, f"{where}: '{key}' is now called '{new}'; rename it"))
            else:
                known = ", ".join(sorted(allowed)) or "none"
                out.append((line, f"{where}: unknown key '{key}' (known keys: {known})"))
        return out
    line = _line(node, path)
    if err.validator == "required":
        missing = [k for k in err.validator_value if k not in inst] if isinstance(inst, dict) else []
        # A key given under its former name is reported once, as a rename.
        former = {new: old for (_, old), new in RENAMED.items() if old in inst}
        missing = [k for k in missing if k not in former]
        return [(line, f"{where}: missing required key '{k}'") for k in missing]
    if err.validator == "type":
        want = err.validator_value if isinstance(err.validator_value, list) else [err.validator_value]
        names = {"object": "a mapping", "array": "a list", "string": "a string", "boolean": "true/false"}
        names |= {"integer": "a whole number", "number": "a number"}
        got = _JSON_TYPES.get(type(inst), "null" if inst is None else type(inst).__name__)
        return [(line, f"{where} must be {' or '.join(names.get(str(w), str(w)) for w in want)}, not {got}")]
    if err.validator == "enum":
        return [(line, f"{where}: {_short(inst)} is not one of {', '.join(map(str, err.validator_value))}")]
    if err.validator in ("pattern", "minLength", "minItems", "minimum"):
        hint = err.schema.get("description") if isinstance(err.schema, dict) else None
        return [(line, f"{where}: {_short(inst)} is not valid{f' ({hint})' if hint else ''}")]
    return [(line, f"{where}: {err.message if len(err.message) <= 160 else err.message[:157] + '...'}")]


def _allowed_keys(schema_here: dict, inst: dict, root: dict) -> set[str]:
    """Keys the (sub)schema that refused `inst` defines; for an obligation, its kind's keys as well."""
    allowed = set(schema_here.get("properties", {}))
    kind_def = root.get("$defs", {}).get(f"kind-{inst.get('kind')}")
    if schema_here.get("unevaluatedProperties") is False and kind_def:
        allowed |= set(kind_def.get("properties", {}))
    return allowed


def _matches_pattern(schema_here: dict, key: str) -> bool:
    import re

    return any(re.search(p, key) for p in schema_here.get("patternProperties", {}))
