"""The audit pipeline: target -> crawl -> identify -> lineage -> checks -> Report."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from license_audit import POLICY_FILE
from license_audit.catalog import Catalog, load_catalog
from license_audit.checks import AuditContext, check_notes, run_checks
from license_audit.crawl import Snapshot
from license_audit.identify import identify_card, identify_file
from license_audit.lineage import find_lineage
from license_audit.registry import Registry, load_registry
from license_audit.report import LicenseFile, ModelInfo, Report
from license_audit.sources import Target, open_target
from license_audit.tasks import task_of

if TYPE_CHECKING:
    from license_audit.history import History
    from license_audit.policy import Policy


@dataclass
class AuditOptions:
    """How an audit runs: extra rules folders, offline, history, and the policy file."""

    rules_dirs: tuple[str, ...] = ()
    offline: bool = False
    history: bool = True
    policy_path: str | None = None


def identify_files(snapshot: Snapshot, catalog: Catalog) -> list[LicenseFile]:
    files = [
        LicenseFile(rel, identify_file(rel, text, catalog)) for rel, text in sorted(snapshot.license_texts.items())
    ]
    # The card's prose names licenses too ("licensed under the Llama 3.1 Community License"): listed
    # when it does, as references, so obligations can tell a pointer from a copy.
    card = snapshot.card
    if card.path and card.path not in snapshot.license_texts and card.body.strip():
        found = identify_card(card.body, catalog, card.body_start_line)
        if found:
            files.append(LicenseFile(card.path, found))
            files.sort(key=lambda lf: lf.path)
    return files


def model_info(snapshot: Snapshot, target: Target) -> ModelInfo:
    card = snapshot.card
    config = snapshot.configs.get("config.json")
    config = config if isinstance(config, dict) else {}
    architectures = config.get("architectures")
    architecture = architectures[0] if isinstance(architectures, list) and architectures else None
    model_type = config.get("model_type")
    architecture = architecture if isinstance(architecture, str) and architecture.strip() else None
    task = card.metadata.get("pipeline_tag")
    task = task.strip() if isinstance(task, str) and task.strip() else task_of(architecture)
    return ModelInfo(
        name=card.model_name or target.name,
        declared_license=card.license,
        declared_license_name=card.license_name,
        declared_base_models=card.base_models,
        base_model_relation=card.base_model_relation,
        architecture=architecture,
        model_type=model_type if isinstance(model_type, str) and model_type.strip() else None,
        task=task,
    )


def model_names(snapshot: Snapshot, target: Target) -> list[tuple[str, str]]:
    """(where, name) for each name the model may be published under. The card's `model_name` and a Hub
    repository's name are the name; a folder is named by whoever copied it, and a card's `model-index` name
    (the name its results are published under) and its title may differ from it, so all are kept when
    nothing better says."""
    card = snapshot.card
    if card.model_name:
        return [(f"{card.location} model_name", card.model_name)]
    if target.info.kind == "hub":
        return [("the repository name", target.name)]
    out = [("the folder name", target.name)]
    for where, name in (
        (f"{card.location} model-index name", card.index_name),
        (f"{card.location}'s title", card.title),
    ):
        if name and name not in {n for _, n in out}:
            out.append((where, name))
    return out


def audit_snapshot(
    snapshot: Snapshot,
    target: Target,
    catalog: Catalog,
    registry: Registry,
    options: AuditOptions,
    history: History | None = None,
) -> Report:
    from license_audit.lineage.openworld import lineage_context

    license_files = identify_files(snapshot, catalog)
    lineage = lineage_context(
        registry,
        options.rules_dirs,
        options.offline,
        target.info.id if target.info.kind == "hub" else None,
        catalog,
        folder_name=target.name,
    )
    candidates = find_lineage(snapshot, registry, context=lineage)
    model = model_info(snapshot, target)
    ctx = AuditContext(
        snapshot,
        catalog,
        registry,
        license_files,
        candidates,
        model,
        target.info.revision,
        history=history,
        names=model_names(snapshot, target),
        repo_id=target.info.id if target.info.kind == "hub" else None,
        families=lineage.families,
    )
    findings = run_checks(ctx)
    notes = (
        list(target.notes) + list(snapshot.notes) + lineage.notes + (list(history.notes) if history is not None else [])
    )
    notes += check_notes(ctx)
    if not any(c.confidence >= 0.5 for c in candidates):
        # An audit that finds no upstream checks no upstream duty: a clean result then says nothing about
        # them, and the report says so rather than passing in silence.
        notes.append(
            "lineage: no base model was established from the card, the configuration or the files; if this "
            "model derives from another, that model's license duties were not checked (name it in `base_model:`)"
        )
    revision = target.info.revision
    if (
        revision
        and history is not None
        and history.source == "git"
        and history.reader is not None
        and _worktree_differs(snapshot, history, revision)
    ):
        # The report describes the work tree (a pre-commit hook audits changes no commit holds yet): a
        # finding about it names no commit rather than HEAD, whose files say otherwise.
        for f in findings:
            if f.commit == revision and f.rule not in HISTORY_RULES:
                f.commit = None
        notes.append(
            f"the work tree differs from HEAD ({revision[:12]}) in license files, the card or "
            "configuration; findings about it name no commit"
        )
    policy = _policy(options, target)
    if policy is not None:
        from license_audit.policy import apply_policy

        findings, policy_notes = apply_policy(findings, policy, ctx)
        notes += policy_notes
    return Report(
        target.info,
        model,
        license_files,
        candidates,
        findings,
        notes=notes,
        files=list(snapshot.files),
        rules_dirs=tuple(options.rules_dirs),
        fail_on=policy.fail_on if policy is not None else None,
        history=history.to_dict() if history is not None else None,
        upstreams=ctx.upstreams,
    )


# History and policy modules are imported only for targets that have them: every audit would pay
# their start-up otherwise, a pre-commit hook on every commit.
def _history(target: Target) -> History | None:
    if target.info.kind == "local" and target.history_loader is None:
        return None
    from license_audit.history import load_history

    return load_history(target)


HISTORY_RULES = frozenset({"license-file-removed", "license-changed", "base-model-removed"})


def _worktree_differs(snapshot: Snapshot, history: History, revision: str) -> bool:
    """Whether the license files, the card or a configuration file in the work tree differ from HEAD's,
    told from the history already read (which tracked files HEAD holds) and a blob read per file."""
    from license_audit.crawl import CONFIG_NAMES
    from license_audit.history import is_tracked_path
    from license_audit.safeio import UnsafePath, read_text

    def work_text(rel: str) -> str | None:
        if rel in snapshot.license_texts:
            return snapshot.license_texts[rel]  # as the crawl read it (a PDF's text layer, not its bytes)
        try:
            return read_text(snapshot.root, rel)[0]
        except (OSError, UnsafePath):
            return None

    state = history.head_state()
    if set(state) != {p for p in snapshot.files if is_tracked_path(p)}:
        return True
    for rel, ref in sorted(state.items()):
        if history.read(ref) != work_text(rel):
            return True
    files = set(snapshot.files)
    for name in CONFIG_NAMES:
        head_text = history.read(f"{revision}:{history.ref_prefix}{name}")
        if (head_text is not None) != (name in files):
            return True
        if head_text is not None and head_text != work_text(name):
            return True
    return False


def _policy(options: AuditOptions, target: Target) -> Policy | None:
    root = target.root
    if not options.policy_path and not (root / POLICY_FILE).is_file():
        return None
    from license_audit.policy import load_policy

    return load_policy(options.policy_path, root)


def audit(target: str | os.PathLike[str], **options: Any) -> Report:
    """Audit a model repository and return its report: the public entry point (`license_audit.audit`).

    `target` is what the command line takes: a folder, a git work tree or `hf:OWNER/NAME[@REVISION]`.
    `options` are the fields of `AuditOptions` (`rules_dirs`, `offline`, `history`, `policy_path`); an
    unknown one is a TypeError. A target or input file that cannot be used raises `AuditError` (the
    command line's exit 2) with a one-line message. `report.fails("error")` is the command's exit decision,
    `report.to_dict()` its JSON report.
    """
    return run_audit(os.fspath(target), AuditOptions(**options))


def run_audit(spec: str, options: AuditOptions | None = None) -> Report:
    options = options or AuditOptions()
    return audit_target(open_target(spec, offline=options.offline, history=options.history), options)


def audit_target(target: Target, options: AuditOptions) -> Report:
    """The report of an opened target, which is closed afterwards."""
    try:
        catalog = load_catalog(options.rules_dirs)
        registry = load_registry(options.rules_dirs)
        snapshot = target.crawl()
        # History of HEAD (git) or of the Hub revision; the work tree / snapshot is what crawl read.
        history = _history(target) if options.history else None
        try:
            return audit_snapshot(snapshot, target, catalog, registry, options, history)
        finally:
            if history is not None:
                history.close()
    finally:
        target.close()
