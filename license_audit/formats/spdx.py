"""SPDX 2.3 JSON through spdx-tools: the model as a package, its upstream models as packages.

Deterministic: the `created` time is SOURCE_DATE_EPOCH (else 1970-01-01) and the namespace a uuid5 of
the target and revision, so the same input gives the same bytes.
"""

from __future__ import annotations

import json
import os
import uuid
from datetime import datetime, timezone
from functools import lru_cache
from typing import TYPE_CHECKING

from license_audit import TOOL_NAME, __version__
from license_audit.formats import concluded_matches, derived_upstreams, idstring
from license_audit.identify.references import or_later
from license_audit.report import Report

if TYPE_CHECKING:
    from spdx_tools.spdx.model import ExtractedLicensingInfo

MODEL_ID = "SPDXRef-Model"
# How a model relates to its upstream, in SPDX relationship terms (the model is the left side).
RELATION_TYPE = {
    "finetune": "DESCENDANT_OF",
    "distillation": "DESCENDANT_OF",
    "adapter": "DESCENDANT_OF",
    "unknown": "DESCENDANT_OF",
    "quantized": "VARIANT_OF",
    "merge": "GENERATED_FROM",
}


def _created() -> datetime:
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    seconds = int(epoch) if epoch.isdigit() else 0
    return datetime.fromtimestamp(seconds, tz=timezone.utc).replace(tzinfo=None)


def is_hub_id(model_id: str) -> bool:
    """OWNER/NAME: a model with a Hub page (not a family such as "Meta Llama 3 (family)", not a local path)."""
    from license_audit.lineage.resolve import is_hub_id as hub_id

    return hub_id(model_id)


def _hub_url(model_id: str) -> str:
    return f"https://huggingface.co/{model_id}"


class _Licenses:
    """Turns catalog ids into SPDX expressions and collects ExtractedLicensingInfo for LicenseRefs."""

    def __init__(self, catalog):
        self.catalog = catalog
        self.licensing = _licensing()
        self.extracted: dict[str, ExtractedLicensingInfo] = {}

    def ref(self, key: str) -> str:
        lic = self.catalog.get(key)
        if lic is not None:
            spdx = lic.spdx
            later = or_later(spdx)
            if later and key.lower() == later.lower():
                # The entry of "GPL-2.0-only" stands for its later versions too: an id naming them is kept.
                return later
            if spdx.startswith("LicenseRef-"):
                spdx = "LicenseRef-" + idstring(spdx[len("LicenseRef-") :])
                self._extract(spdx, lic.name, _text_of(lic), [lic.url] if lic.url else [])
            return spdx
        spdx = "LicenseRef-" + idstring(key)
        if key == "other":  # both the card's `license: other` and text identification matched to nothing
            text = (
                "License terms license-audit does not know: a model card's `license: other` without a known "
                "`license_name`, or text in the repository's files that matches no license in its catalog."
            )
        else:
            text = f"The license declared as `{key}` in the model card; license-audit's catalog does not know its text."
        self._extract(spdx, key, text, [])
        return spdx

    def _extract(self, spdx: str, name: str, text: str, refs: list[str]) -> None:
        from spdx_tools.spdx.model import ExtractedLicensingInfo

        if spdx not in self.extracted:
            self.extracted[spdx] = ExtractedLicensingInfo(
                license_id=spdx, extracted_text=text, license_name=name, cross_references=refs
            )

    def expression(self, keys: list[str]):
        from spdx_tools.spdx.model import SpdxNoAssertion

        refs = []
        for key in keys:
            r = self.ref(key)
            if r not in refs:
                refs.append(r)
        if not refs:
            return SpdxNoAssertion()
        return self.licensing.parse(" AND ".join(refs))


@lru_cache(maxsize=1)
def _licensing():
    # The SPDX license index is built once per process: a batch renders many documents.
    from license_expression import get_spdx_licensing

    return get_spdx_licensing()


def _text_of(lic) -> str:
    text = lic.reference_copy()
    if text is not None:
        return text
    where = f" Full text: {lic.url}" if lic.url else ""
    return f"{lic.name}.{where}"


def build(report: Report):
    from spdx_tools.spdx.model import (
        Actor,
        ActorType,
        CreationInfo,
        Document,
        Package,
        PackagePurpose,
        Relationship,
        RelationshipType,
        SpdxNoAssertion,
    )

    from license_audit.catalog import load_catalog

    lics = _Licenses(load_catalog(tuple(report.rules_dirs)))
    t = report.target
    namespace_key = f"{t.kind}:{t.id}@{t.revision or ''}"
    namespace = (
        f"https://spdx.org/spdxdocs/license-audit/{idstring(report.model.name)}-"
        f"{uuid.uuid5(uuid.NAMESPACE_URL, namespace_key)}"
    )
    summary = report.summary
    creation = CreationInfo(
        spdx_version="SPDX-2.3",
        spdx_id="SPDXRef-DOCUMENT",
        name=f"license-audit {report.model.name}",
        document_namespace=namespace,
        creators=[Actor(ActorType.TOOL, f"{TOOL_NAME}-{__version__}")],
        created=_created(),
        document_comment=(
            f"License audit of {t.id} ({t.kind}): {summary['error']} error(s), "
            f"{summary['warning']} warning(s), {summary['info']} info."
        ),
    )

    declared_key = report.model.declared_license
    if declared_key == "other" and report.model.declared_license_name:
        declared_key = report.model.declared_license_name
    declared = lics.expression([declared_key]) if declared_key else SpdxNoAssertion()
    # Concluded: the license texts the repository actually carries (copies first, then references).
    # A license's text adopted under another name is not that license: terms of its own ("other").
    matches = [m for _, m in concluded_matches(report)]
    texts = sorted({m.terms_id for m in matches if m.kind == "text"})
    # A reference keeps the "-or-later" id it was written with ("SPDX-License-Identifier: GPL-2.0-or-later").
    # One that names no edition ("the Llama license") concludes none of them.
    refs = sorted(
        {m.spdx if m.spdx.endswith("-or-later") else m.id for m in matches if m.kind != "text" and not m.alternatives}
    )
    concluded = lics.expression(texts or refs)
    # Every finding, so a rule added later shows up here as in every other format.
    comment_lines = [
        f"{f.severity}{' (waived: ' + (f.waiver_reason or '') + ')' if f.waived else ''}: {f.rule}: {f.message}"
        for f in report.findings
    ]
    model = Package(
        spdx_id=MODEL_ID,
        name=report.model.name,
        download_location=_hub_url(t.id) if t.kind == "hub" else SpdxNoAssertion(),
        version=t.revision,
        files_analyzed=False,
        license_declared=declared,
        license_concluded=concluded,
        license_comment="\n".join(comment_lines) or None,
        copyright_text=SpdxNoAssertion(),
        primary_package_purpose=PackagePurpose.OTHER,
        comment="Machine-learning model audited by license-audit.",
    )
    packages = [model]
    relationships = [Relationship("SPDXRef-DOCUMENT", RelationshipType.DESCRIBES, MODEL_ID)]
    for n, up in enumerate(derived_upstreams(report, include_possible=True), 1):
        c = up.candidate
        pid = f"SPDXRef-Upstream-{n}-{idstring(c.model)}"
        keys = [lic.id for lic in up.licenses] or ([c.license] if c.license else [])
        attribution = []
        for lic in up.licenses:
            attribution += [ob.notice_text for ob in lic.obligations_of("notice-text") if ob.notice_text]
        packages.append(
            Package(
                spdx_id=pid,
                name=c.model,
                download_location=_hub_url(c.model) if is_hub_id(c.model) else SpdxNoAssertion(),
                files_analyzed=False,
                license_declared=lics.expression(keys),
                license_concluded=SpdxNoAssertion(),
                copyright_text="\n".join(up.copyright) if up.copyright else SpdxNoAssertion(),
                attribution_texts=attribution,
                primary_package_purpose=PackagePurpose.OTHER,
                comment=f"Upstream model ({c.relation}); evidence: " + "; ".join(c.evidence)
                if c.evidence
                else f"Upstream model ({c.relation}).",
            )
        )
        state = "declared in the card" if c.declared else "not declared in the card"
        if c.derived:
            rel = RelationshipType[RELATION_TYPE.get(c.relation, "DESCENDANT_OF")]
            note = f"{c.relation}, {state}, confidence {c.confidence:.2f}"
        else:
            rel = RelationshipType.OTHER
            note = f"possibly derived ({c.relation}), {state}, confidence {c.confidence:.2f}"
        relationships.append(Relationship(MODEL_ID, rel, pid, comment=note))
    return Document(
        creation,
        packages=packages,
        relationships=relationships,
        extracted_licensing_info=[lics.extracted[k] for k in sorted(lics.extracted)],
    )


def render(report: Report, user_dir: str | None = None) -> str:
    from spdx_tools.spdx.jsonschema.document_converter import DocumentConverter

    return json.dumps(DocumentConverter().convert(build(report)), indent=2, ensure_ascii=False) + "\n"
