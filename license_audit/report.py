"""The report objects every command builds and every formatter reads (CONTRACT: JSON schema_version 1).

Formatters never compute anything: counts, sorting and the exit decision are properties here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from license_audit import TOOL_NAME, __version__

if TYPE_CHECKING:
    from license_audit.catalog import License
    from license_audit.registry import KnownModel

SCHEMA_VERSION = 1
SEVERITIES = ("error", "warning", "info")  # most severe first
FAIL_ON = ("error", "warning", "never")  # the thresholds --fail-on and a policy's fail-on accept
_RANK = {"error": 3, "warning": 2, "info": 1, "never": 99}


def severity_rank(severity: str) -> int:
    """Higher is more severe; "never" ranks above every severity, so nothing reaches it."""
    return _RANK.get(severity, 0)


def severity_at_least(severity: str, threshold: str) -> bool:
    return severity_rank(severity) >= _RANK[threshold]


# The id of license terms no license of the catalog or the SPDX list matches (the Hub's key for terms of
# their own).
OTHER_ID = "other"


@dataclass(frozen=True)
class LicenseMatch:
    """A license identified in a file, and the lines it spans."""

    id: str
    spdx: str
    confidence: float
    start_line: int
    end_line: int
    # "text": a copy of the license; "reference": a notice that only points at it (an Apache header,
    # "licensed under the Llama 3.1 Community License"); obligations need the difference.
    kind: str = "text"
    name: str | None = None
    # A copy whose terms differ from the license's reference text (clauses added, removed or changed),
    # with the changed stretches (identify.modified.Change); never to be read as the standard license.
    modified: bool = False
    changes: tuple = ()
    # SPDX ids of licenses that fit the same lines as well: an ambiguous answer, each license reported
    # with the others named here, never one of them alone.
    alternatives: tuple[str, ...] = ()
    # A modified copy that does not call itself this license: the license's text adopted under another
    # name (its own title and licensor put in), so it is that text's terms, not the license itself.
    renamed: bool = False

    @property
    def terms_id(self) -> str:
        """The id of the terms the match stands for: its license's, or `other` for the license's text adopted
        under another name (terms of their own, not that license)."""
        return OTHER_ID if self.renamed else self.id

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "spdx": self.spdx,
            "confidence": round(self.confidence, 2),
            "start_line": self.start_line,
            "end_line": self.end_line,
            "kind": self.kind,
        }
        if self.modified:
            out["modified"] = True
            if self.renamed:
                out["renamed"] = True
            out["changes"] = [c.to_dict() for c in self.changes]
        if self.alternatives:
            out["ambiguous"] = True
            out["alternatives"] = list(self.alternatives)
        return out


@dataclass
class LicenseFile:
    """A file of the repository and the licenses identified in it."""

    path: str
    licenses: list[LicenseMatch]

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "licenses": [m.to_dict() for m in self.licenses]}

    def ids(self, kind: str | None = None) -> set[str]:
        return {m.id for m in self.licenses if kind is None or m.kind == kind}


@dataclass
class Candidate:
    """One upstream model this repository may derive from."""

    model: str
    family: str | None
    relation: str
    declared: bool
    confidence: float
    license: str | None
    evidence: list[str] = field(default_factory=list)
    # Members of a set of config-identical models (e.g. Llama-3.1-70B and Llama-3.3-70B).
    alternatives: list[str] = field(default_factory=list)
    # The name the repository gives `model` by, when it is not `model` itself: a declared `@revision` (which
    # can select the terms of an entry whose license changed between revisions), or a re-upload's own name
    # (TheBloke/Llama-2-13B-chat-GPTQ for meta-llama/Llama-2-13b-chat-hf).
    checkpoint: str | None = None
    # The declared base chain, nearest first (this model, its base, that base's base ...), when it was
    # followed beyond the registry (lineage.openworld).
    chain: list[str] = field(default_factory=list)
    # Not serialised: what lineage resolved for the checks to read. `links`: lineage.resolve.Link for each
    # model on the chain with where its license came from; `unresolved`: (model id, what was tried) for
    # each model whose license could not be established; `chain_problem`: a loop or a chain too deep.
    links: list[Any] = field(default_factory=list, compare=False, repr=False)
    unresolved: list[tuple[str, list[str]]] = field(default_factory=list, compare=False, repr=False)
    chain_problem: str | None = field(default=None, compare=False, repr=False)
    # A family named by a name, tag, architecture or license rather than one checkpoint.
    family_only: bool = field(default=False, compare=False, repr=False)
    # The audited repository is this model itself (its publisher's release or a verbatim copy of it).
    same_model: bool = field(default=False, compare=False, repr=False)
    # Its config.json (or pipeline) signature repeats this model's in every field.
    config_exact: bool = field(default=False, compare=False, repr=False)
    # The audited repository is this model in a copy (a mirror, fork or re-upload, or a folder holding its
    # files): not a derivative, but a redistribution that owes what its license asks of copies.
    copy: bool = False
    # Found by shape alone (config, weight headers, vocabulary): no file or sentence names it.
    shape_only: bool = field(default=False, compare=False, repr=False)
    # The card says the repository's weights were converted from this model (mlx-lm's and GGUF-my-repo's
    # "converted to MLX format from X"): the checkpoint itself, not a look-alike of a declared base.
    converted_from: bool = field(default=False, compare=False, repr=False)
    # A model the merge takes weights from, as its mergekit configuration or merge statement names it: each
    # one is a base of its own, which a declared sibling parent does not stand for.
    merged_in: bool = field(default=False, compare=False, repr=False)
    # The card says the repository's weights were trained from this model ("fine-tuned from X", "trained on top
    # of a X base model"): a derivative of it, never a copy, whatever its names share with it.
    trained_from: bool = field(default=False, compare=False, repr=False)

    @property
    def derived(self) -> bool:
        return self.confidence >= 0.8

    def to_dict(self) -> dict[str, Any]:
        d = {
            "model": self.model,
            "family": self.family,
            "relation": self.relation,
            "declared": self.declared,
            "confidence": round(self.confidence, 2),
            "license": self.license,
            "evidence": list(self.evidence),
        }
        if self.alternatives:
            d["alternatives"] = list(self.alternatives)
        if self.checkpoint:
            d["checkpoint"] = self.checkpoint
        if self.chain:
            d["chain"] = list(self.chain)
        if self.copy:
            d["copy"] = True
        return d


@dataclass(frozen=True)
class TermsOption:
    """One checkpoint the evidence fits, with the licenses it was published under."""

    model: str  # the repository a card would declare
    name: str | None  # how the registry names these checkpoints ("December 2024 weights")
    licenses: tuple[License, ...]
    known: KnownModel | None

    @property
    def label(self) -> str:
        return f"{self.model} ({self.name})" if self.name else self.model

    @property
    def license_ids(self) -> frozenset[str]:
        return frozenset(lic.id for lic in self.licenses)

    def terms_label(self) -> str:
        return " + ".join(lic.name for lic in self.licenses) or "unknown terms"


@dataclass
class Upstream:
    """A model whose license duties travel to the audited one, resolved once by the checks.

    Every lineage candidate at 0.5+ confidence is one (`via` empty), and so is each model reached upward
    from it through the registry's `base_model` entries (`via`: the models in between, nearest first).
    The checks decide from these; the report carries them so that formats, NOTICE and fixes read the
    same resolution instead of looking the models up again.
    """

    candidate: Candidate  # the lineage candidate it was found through
    known: KnownModel | None  # its registry entry, None when the registry does not know it
    licenses: list[License] = field(default_factory=list)  # catalog entries, weights license first
    via: tuple[str, ...] = ()
    # The base is not in the registry; its license is the vendor model license the card itself declares.
    license_from_card: bool = False
    # When the evidence fits checkpoints published under different terms (config-identical models, or
    # one entry's checkpoints): each of them. Empty when the terms that apply are known.
    options: list[TermsOption] = field(default_factory=list)
    # A model on the candidate's resolved chain (lineage.openworld), when it is not the candidate itself.
    model: str | None = None
    # The license comes from a family inference (a name), not from the model: duties at warning level.
    inferred: bool = False
    # Near-identical checkpoints under the same license that the evidence cannot tell apart.
    also: tuple[str, ...] = ()
    # For a registry ancestor: the checkpoint the model below names as its base, when the registry entry that
    # answers for it is another checkpoint (an instruct entry holding its base model as an alias).
    named: str | None = None

    def imposing(self, lic_id: str) -> tuple[list[TermsOption], list[TermsOption]]:
        """(options whose terms include `lic_id`, options whose terms do not)."""
        yes = [o for o in self.options if lic_id in o.license_ids]
        return yes, [o for o in self.options if lic_id not in o.license_ids]

    @property
    def id(self) -> str:
        """The model whose license the duties come from: the licensor's checkpoint, also when the repository
        names a re-upload of it (`route`)."""
        if self.model:
            return self.model
        if self.via and self.known:
            return self.named or self.known.id
        return self.candidate.model

    @property
    def route(self) -> str | None:
        """The re-upload of the upstream the repository names as its base, when it is another repository (a
        quantized or other owner's copy: unsloth/gemma-2-9b-bnb-4bit of google/gemma-2-9b); None otherwise.
        It is the repository `base_model` names, while the license and its duties are the licensor's."""
        if self.via or self.model or not self.candidate.checkpoint:
            return None
        name = self.candidate.checkpoint.strip().partition("@")[0]
        return name if name.lower() != self.candidate.model.lower() else None

    @property
    def label(self) -> str:
        """The upstream as a sentence names it: "meta-llama/Llama-3.1-8B (through acme/Llama-3.1-Chat)",
        "google/gemma-2-9b (via unsloth/gemma-2-9b-bnb-4bit)"."""
        name = f"{self.id} or {' or '.join(self.also)}" if self.also else self.id
        if self.via:
            name = f"{name} (through {' -> '.join(self.via)})"
        elif self.route:
            name = f"{name} (via {self.route})"
        elif self.license_from_card:
            name = f"{name} (license as the card declares)"
        if self.inferred:
            name = f"{name} (license inferred from the family name)"
        return name

    @property
    def direct(self) -> bool:
        """A lineage candidate itself, not an ancestor reached through the registry."""
        return not self.via

    @property
    def relation(self) -> str:
        return self.candidate.relation

    @property
    def confidence(self) -> float:
        return self.candidate.confidence

    @property
    def derived(self) -> bool:
        return self.candidate.confidence >= 0.8 and not self.inferred

    @property
    def license_ids(self) -> list[str]:
        """Catalog ids of its licenses; the candidate's own license key when the catalog knows none."""
        if self.licenses:
            return [lic.id for lic in self.licenses]
        return [self.candidate.license] if self.candidate.license and not self.via else []

    @property
    def copyright(self) -> list[str]:
        """Copyright lines a derivative must carry (registry data)."""
        return list(self.known.copyright) if self.known else []

    @property
    def notice(self) -> str | None:
        """The upstream's own NOTICE content a derivative must carry (registry data)."""
        return self.known.notice if self.known else None

    @property
    def notice_lines(self) -> list[str]:
        """The lines a NOTICE must retain for this upstream, once each, in order: the fixed notice texts
        its licenses require, then its own NOTICE content."""
        out: list[str] = []
        for lic in self.licenses:
            for ob in lic.obligations_of("notice-text"):
                text = ob.notice_text
                if text and text not in out:
                    out.append(text)
        for line in (self.notice or "").strip().splitlines():
            if line.strip() and line.strip() not in out:
                out.append(line.strip())
        return out


@dataclass
class Finding:
    """One thing wrong: what, where, and how to fix it."""

    rule: str
    severity: str
    message: str
    path: str | None = None
    commit: str | None = None
    upstream: str | None = None
    fix: str | None = None
    line: int | None = None
    clause: str | None = None
    waived: bool = False
    waiver_reason: str | None = None
    # History findings: what the file held, what it holds now and the commits (path, was, since,
    # removed|replaced, now, now_since); reports show it next to the sentence.
    change: dict[str, str] | None = None

    def sort_key(self):
        return (-_RANK[self.severity], self.rule, self.path or "", self.upstream or "", self.message)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "rule": self.rule,
            "severity": self.severity,
            "message": self.message,
            "path": self.path,
            "commit": self.commit,
            "upstream": self.upstream,
            "fix": self.fix,
        }
        if self.line is not None:
            d["line"] = self.line
        if self.clause:
            d["clause"] = self.clause
        if self.change:
            d["change"] = dict(self.change)
        if self.waived:
            d["waived"] = True
            d["waiver_reason"] = self.waiver_reason
        return d


@dataclass
class TargetInfo:
    """What was audited: a local folder, a git work tree or a Hub repository, at which revision."""

    kind: str  # local | git | hub
    id: str
    revision: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "id": self.id, "revision": self.revision}


@dataclass
class ModelInfo:
    """What the model card declares about the model."""

    name: str
    declared_license: str | None
    declared_license_name: str | None
    declared_base_models: list[str]
    base_model_relation: str | None
    # Not serialised in the JSON report: what the card and config.json say the model is, for the model
    # card of the CycloneDX BOM (config `architectures[0]`, config `model_type`, card `pipeline_tag`).
    architecture: str | None = None
    model_type: str | None = None
    task: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "declared_license": self.declared_license,
            "declared_license_name": self.declared_license_name,
            "declared_base_models": list(self.declared_base_models),
            "base_model_relation": self.base_model_relation,
        }


@dataclass
class Report:
    """The outcome of an audit, which every format renders."""

    target: TargetInfo
    model: ModelInfo
    license_files: list[LicenseFile]
    lineage: list[Candidate]
    findings: list[Finding]
    notes: list[str] = field(default_factory=list)
    # Not serialised: the repository's file list (so SARIF anchors every result to a file that exists)
    # and the --rules folders (so SPDX names an organisation's own licenses as the checks knew them).
    files: list[str] = field(default_factory=list, compare=False, repr=False)
    rules_dirs: tuple[str, ...] = ()
    fail_on: str | None = None  # the policy file's threshold; the command line's --fail-on wins
    # Timeline of license-relevant files (history.History.to_dict()); None when history was not read.
    history: dict | None = None
    # Not serialised: the upstreams as the checks resolved them (licenses, copyright, notices), for
    # the formats, NOTICE and fixes that need more than the lineage's ids.
    upstreams: list[Upstream] = field(default_factory=list, compare=False, repr=False)

    def __post_init__(self) -> None:
        self.findings.sort(key=Finding.sort_key)
        self.lineage.sort(key=lambda c: (-round(c.confidence, 2), c.model))

    @property
    def active_findings(self) -> list[Finding]:
        return [f for f in self.findings if not f.waived]

    @property
    def summary(self) -> dict[str, int]:
        counts = dict.fromkeys(SEVERITIES, 0)
        for f in self.active_findings:
            counts[f.severity] += 1
        return counts

    def fails(self, threshold: str) -> bool:
        if threshold == "never":
            return False
        return any(severity_at_least(f.severity, threshold) for f in self.active_findings)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "schema_version": SCHEMA_VERSION,
            "tool": {"name": TOOL_NAME, "version": __version__},
            "target": self.target.to_dict(),
            "model": self.model.to_dict(),
            "license_files": [lf.to_dict() for lf in self.license_files],
            "lineage": [c.to_dict() for c in self.lineage],
            "findings": [f.to_dict() for f in self.findings],
            "summary": self.summary,
        }
        if self.notes:
            d["notes"] = list(self.notes)
        if self.history is not None:
            d["history"] = self.history
        return d
