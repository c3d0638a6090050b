"""CycloneDX 1.6 ML-BOM through cyclonedx-python-lib: the model and its upstream models as
`machine-learning-model` components.

- metadata.component: the audited model, its declared license (acknowledgement `declared`, from the card)
  and the licenses found in its files (`concluded`, each with the file and lines it was found at), one
  group of `license-audit:finding:NNN:*` properties per finding, and its model card;
- components: every upstream the checks resolved (lineage candidates at 0.5+ and the models above them in
  the registry), each with its licenses, copyright lines, evidence, confidence and relation as properties;
- metadata.component.pedigree.ancestors: the upstreams the model derives from (0.8+), nested upward along
  the registry's base models; dependencies: the same edges by bom-ref. A "possibly derived" upstream is a
  component with its status as a property, and is in neither: the BOM does not assert what the evidence
  does not establish.

cyclonedx-python-lib has no model card type yet
(https://github.com/CycloneDX/cyclonedx-python-lib/issues/912), so `modelCard` is added to the library's
serialisation by bom-ref, and the tests validate the result with the library's strict 1.6 JSON validator.

Deterministic: no serial number and no timestamp unless asked (`serial=True`, `audit --bom-serial`).
"""

from __future__ import annotations

import json
import warnings
from datetime import datetime, timezone
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from license_audit import TOOL_NAME, __version__
from license_audit.formats import concluded_matches, idstring
from license_audit.report import Report, Upstream
from license_audit.sources import is_hub_repo_id
from license_audit.tasks import task_of

if TYPE_CHECKING:
    from cyclonedx.model import Property
    from cyclonedx.model.component import Component
    from cyclonedx.model.license import DisjunctiveLicense

    from license_audit.catalog import Catalog, License

MODEL_REF = "model"
NS = "license-audit"  # property namespace
HUB = "https://huggingface.co/"


def _hub_purl(model_id: str, revision: str | None = None) -> str:
    from packageurl import PackageURL

    owner, _, name = model_id.rpartition("/")
    return PackageURL(type="huggingface", namespace=owner or None, name=name, version=revision).to_string()


def _upstream_ref(model_id: str) -> str:
    """An upstream's bom-ref: its purl when the id names a Hub repository, else the id as the card gives it
    (a local path or free text in `base_model` is no Hub repository and gets no purl or Hub link)."""
    return _hub_purl(model_id) if is_hub_repo_id(model_id) else f"model:{model_id}"


@lru_cache(maxsize=1)
def _schema_spdx_ids() -> dict[str, str]:
    """The SPDX ids the CycloneDX schema accepts as a license `id`, by lowercase id.

    Read from the schema file the library ships rather than through `cyclonedx.spdx`, whose import
    also builds license-expression's SPDX index, which costs more than the whole BOM.
    """
    from cyclonedx.schema._res import SPDX_JSON

    with open(SPDX_JSON, encoding="utf-8") as fh:
        return {i.lower(): i for i in json.load(fh).get("enum", [])}


def _spdx_or_ref(spdx: str | None, key: str) -> tuple[str | None, str | None]:
    """(id, name): an SPDX list id the schema knows, or a `LicenseRef-` name for everything else."""
    if spdx and not spdx.startswith("LicenseRef-"):
        fixed = _schema_spdx_ids().get(spdx.lower())
        if fixed:
            return fixed, None
    if spdx and spdx.startswith("LicenseRef-"):
        return None, "LicenseRef-" + idstring(spdx[len("LicenseRef-") :])
    return None, f"LicenseRef-{idstring(key)}"


def _prop(name: str, value: Any):
    from cyclonedx.model import Property

    return Property(name=f"{NS}:{name}", value=str(value))


def _license(
    spdx: str | None, key: str, acknowledgement: str, props: list, url: str | None = None
) -> DisjunctiveLicense:
    from cyclonedx.model import XsUri
    from cyclonedx.model.license import DisjunctiveLicense, LicenseAcknowledgement

    lid, name = _spdx_or_ref(spdx, key)
    return DisjunctiveLicense(
        id=lid,
        name=name,
        url=XsUri(url) if url and name else None,
        acknowledgement=LicenseAcknowledgement(acknowledgement),
        properties=props,
    )


def _catalog_license(lic: License, props: list) -> DisjunctiveLicense:
    return _license(lic.spdx, lic.id, "declared", [_prop("license", lic.id), *props], lic.url)


def _key_license(key: str, catalog: Catalog, props: list) -> DisjunctiveLicense:
    lic = catalog.get(key)
    if lic is not None:
        return _catalog_license(lic, props)
    return _license(None, key, "declared", [_prop("license", key), *props])


def _model_licenses(report: Report, catalog: Catalog) -> list[DisjunctiveLicense]:
    out = []
    m = report.model
    key = m.declared_license
    if key and key.strip().lower() == "other" and m.declared_license_name:
        key = m.declared_license_name
    if key:
        where = [_prop("location", f"{_card_path(report)} (front matter `license`)")]
        out.append(_key_license(key.strip(), catalog, where))
    for lf, match in concluded_matches(report):
        if match.start_line == match.end_line:
            lines = f"line {match.start_line}"
        else:
            lines = f"lines {match.start_line}-{match.end_line}"
        lic = catalog.get(match.id)
        props = [
            _prop("license", match.id),
            _prop("location", f"{lf.path} ({lines})"),
            _prop("kind", match.kind),
            _prop("confidence", f"{match.confidence:.2f}"),
        ]
        # A copy that is not the license as such: changed terms, or its text adopted under another name.
        if match.modified:
            props.append(_prop("modified", "true"))
        if match.renamed:
            props.append(_prop("renamed", "true"))
        if match.alternatives:
            continue  # one of several licenses the same words fit alike: none concluded (_unresolved)
        out.append(_license(match.spdx, match.id, "concluded", props, lic.url if lic else None))
    return out


def _unresolved(report: Report) -> list[Property]:
    """A property for each place whose words fit several licenses alike ("the Llama license" names every
    edition): which ones it may be, as SPDX's concluded license names none of them."""
    out = []
    for lf in report.license_files:
        groups: dict[tuple[int, int], list[str]] = {}
        for match in lf.licenses:
            if match.alternatives:
                groups.setdefault((match.start_line, match.end_line), []).append(match.spdx)
        for (first, last), spdx in sorted(groups.items()):
            lines = f"line {first}" if first == last else f"lines {first}-{last}"
            out.append(_prop("ambiguous", f"{lf.path} ({lines}): one of {', '.join(sorted(spdx))}"))
    return out


def _card_path(report: Report) -> str:
    from license_audit.crawl import find_card

    return find_card(report.files) or "README.md"


def _finding_props(report: Report) -> list:
    props = []
    width = max(3, len(str(len(report.findings))))
    for n, f in enumerate(report.findings, 1):
        key = f"finding:{n:0{width}d}"
        fields = {
            "rule": f.rule,
            "severity": f.severity,
            "path": f.path,
            "commit": f.commit,
            "upstream": f.upstream,
            "message": f.message,
            "fix": f.fix,
            "waived": "true" if f.waived else None,
            "waiver-reason": f.waiver_reason if f.waived else None,
        }
        props += [_prop(f"{key}:{name}", value) for name, value in fields.items() if value]
    return props


def _chain_parent(up: Upstream) -> str:
    """The registry id of the model a registry ancestor was reached from (the last model of `via`)."""
    return up.via[-1] if up.via else ""


def _registry_id(up: Upstream) -> str:
    """What `via` calls this upstream: its registry id when the registry knows it."""
    return up.known.id if up.known else up.id


def _upstream_props(up: Upstream) -> list:
    c = up.candidate
    props = [
        _prop("lineage:status", "derived" if up.derived else "possibly derived"),
        _prop("lineage:relation", c.relation if up.direct else "base model (registry)"),
        _prop("lineage:confidence", f"{c.confidence:.2f}"),
    ]
    if up.direct:
        props.append(_prop("lineage:declared", "true" if c.declared else "false"))
        props += [_prop("lineage:evidence", e) for e in c.evidence]
        props += [_prop("lineage:alternative", a) for a in c.alternatives]
        if c.family:
            props.append(_prop("lineage:family", c.family))
    else:
        props.append(_prop("lineage:through", " -> ".join(up.via)))
        props.append(_prop("lineage:evidence", f"base model of {_chain_parent(up)} in the license-audit registry"))
    if up.license_from_card:
        props.append(_prop("license:source", "the audited model's card (the registry does not know this model)"))
    return props


def _upstream_component(up: Upstream, catalog: Catalog, with_ref: bool) -> Component:
    from cyclonedx.model import ExternalReference, ExternalReferenceType, XsUri
    from cyclonedx.model.component import Component, ComponentType

    licenses = [_catalog_license(lic, []) for lic in up.licenses]
    if not licenses:  # the candidate's own license key, named as the catalog names it when it can
        licenses = [_key_license(key, catalog, []) for key in up.license_ids]
    on_hub = is_hub_repo_id(up.id)
    return Component(
        type=ComponentType.MACHINE_LEARNING_MODEL,
        name=up.id,
        bom_ref=_upstream_ref(up.id) if with_ref else None,
        purl=_purl_object(_hub_purl(up.id)) if on_hub else None,
        licenses=licenses,
        copyright="\n".join(up.copyright) or None,
        external_references=(
            [ExternalReference(type=ExternalReferenceType.WEBSITE, url=XsUri(HUB + up.id))] if on_hub else []
        ),
        properties=_upstream_props(up) if with_ref else [],
    )


def _purl_object(purl: str):
    from packageurl import PackageURL

    return PackageURL.from_string(purl)


def _lineage_tree(report: Report) -> tuple[list[Upstream], dict[str, list[Upstream]]]:
    """The derived direct upstreams, and for each model id the registry ancestors reached from it."""
    ups = sorted(report.upstreams, key=lambda u: (-round(u.confidence, 2), u.candidate.model, u.via))
    roots = [u for u in ups if u.direct and u.derived]
    parents: dict[str, list[Upstream]] = {}
    for u in ups:
        if not u.direct:
            parents.setdefault(_chain_parent(u), []).append(u)
    return roots, parents


def _ancestor(up: Upstream, parents: dict[str, list[Upstream]], catalog: Catalog) -> Component:
    """The upstream as a pedigree ancestor, with the registry's bases above it as its own ancestors (a tree:
    the checks reach each model once)."""
    from cyclonedx.model.component import Pedigree

    comp = _upstream_component(up, catalog, with_ref=False)
    above = parents.get(_registry_id(up), [])
    if above:
        comp.pedigree = Pedigree(ancestors=[_ancestor(p, parents, catalog) for p in above])
    return comp


def _model_card(architecture: str | None, family: str | None, task: str | None) -> dict[str, Any] | None:
    params = {
        k: v for k, v in (("task", task), ("architectureFamily", family), ("modelArchitecture", architecture)) if v
    }
    return {"modelParameters": params} if params else None


def _upstream_card(up: Upstream) -> dict[str, Any] | None:
    sig = up.known.signature if up.known else {}
    archs = sig.get("architectures")
    arch = archs[0] if isinstance(archs, list) and archs and isinstance(archs[0], str) else None
    family = sig.get("model_type") if isinstance(sig.get("model_type"), str) else None
    return _model_card(arch, family, task_of(arch))


def build(report: Report, serial: bool = False):
    """The cyclonedx Bom and the model cards to add to its serialisation, by bom-ref."""
    from cyclonedx.model import ExternalReference, ExternalReferenceType, XsUri
    from cyclonedx.model.bom import Bom
    from cyclonedx.model.component import Component, ComponentType, Pedigree

    from license_audit.catalog import load_catalog

    catalog = load_catalog(tuple(report.rules_dirs))
    t = report.target
    model_ref = _hub_purl(t.id, t.revision) if t.kind == "hub" else MODEL_REF
    roots, parents = _lineage_tree(report)
    s = report.summary
    props = [
        _prop("target:kind", t.kind),
        _prop("target:id", t.id),
        _prop("summary", f"{s['error']} error(s), {s['warning']} warning(s), {s['info']} info"),
        *[_prop("declared-base-model", b) for b in report.model.declared_base_models],
        *_finding_props(report),
        *_unresolved(report),
    ]
    if report.model.base_model_relation:
        props.append(_prop("declared-base-model-relation", report.model.base_model_relation))
    model = Component(
        type=ComponentType.MACHINE_LEARNING_MODEL,
        name=report.model.name,
        version=t.revision,
        bom_ref=model_ref,
        purl=_purl_object(model_ref) if t.kind == "hub" else None,
        licenses=_model_licenses(report, catalog),
        external_references=(
            [ExternalReference(type=ExternalReferenceType.WEBSITE, url=XsUri(HUB + t.id))] if t.kind == "hub" else []
        ),
        properties=props,
        pedigree=Pedigree(ancestors=[_ancestor(u, parents, catalog) for u in roots]) if roots else None,
    )
    bom = Bom()
    bom.metadata.component = model
    bom.metadata.tools.components.add(
        Component(type=ComponentType.APPLICATION, name=TOOL_NAME, version=__version__, bom_ref=TOOL_NAME)
    )
    for note in report.notes:
        bom.metadata.properties.add(_prop("note", note))
    if serial:
        from uuid import uuid4

        bom.serial_number = uuid4()
        bom.metadata.timestamp = datetime.now(timezone.utc).replace(microsecond=0)
    else:
        bom.serial_number = None  # type: ignore[assignment]
        bom.metadata.timestamp = None  # type: ignore[assignment]

    cards: dict[str, dict[str, Any] | None] = {
        model_ref: _model_card(report.model.architecture, report.model.model_type, report.model.task)
    }
    components: dict[str, Component] = {}
    for up in report.upstreams:
        ref = _upstream_ref(up.id)
        if ref not in components:
            components[ref] = _upstream_component(up, catalog, with_ref=True)
            bom.components.add(components[ref])
            cards[ref] = _upstream_card(up)
    # Dependencies: the model on what it derives from, each upstream on the registry base above it.
    bom.register_dependency(model, [components[_upstream_ref(u.id)] for u in roots])
    by_registry_id = {_registry_id(up): up for up in report.upstreams}
    for child, above in parents.items():
        below = by_registry_id.get(child)
        if below is not None:
            bom.register_dependency(
                components[_upstream_ref(below.id)], [components[_upstream_ref(u.id)] for u in above]
            )
    return bom, {k: v for k, v in cards.items() if v}


def _add_cards(data: dict[str, Any], cards: dict[str, dict[str, Any]]) -> None:
    def visit(comp: dict[str, Any]) -> None:
        key = comp.get("bom-ref") or comp.get("purl") or f"model:{comp.get('name')}"
        card = cards.get(key) if isinstance(key, str) else None
        if card is not None and comp.get("type") == "machine-learning-model":
            comp["modelCard"] = card
        for anc in (comp.get("pedigree") or {}).get("ancestors", []):
            visit(anc)

    meta = data.get("metadata", {})
    if "component" in meta:
        visit(meta["component"])
    for comp in data.get("components", []):
        visit(comp)


def to_dict(report: Report, serial: bool = False) -> dict[str, Any]:
    from cyclonedx.output.json import JsonV1Dot6

    bom, cards = build(report, serial)
    with warnings.catch_warnings():
        # The library warns when the model depends on nothing; a model without upstreams is not an error.
        warnings.simplefilter("ignore", UserWarning)
        data = json.loads(JsonV1Dot6(bom).output_as_string())
    _add_cards(data, cards)
    # The format's identifying keys first, as CycloneDX documents are usually written.
    head = ("$schema", "bomFormat", "specVersion", "serialNumber", "version")
    ordered = {k: data[k] for k in head if k in data}
    ordered.update((k, v) for k, v in data.items() if k not in ordered)
    return ordered


def render(report: Report, user_dir: str | None = None, serial: bool = False) -> str:
    return json.dumps(to_dict(report, serial), indent=2, ensure_ascii=False) + "\n"
