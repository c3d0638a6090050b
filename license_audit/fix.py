"""`license-audit fix`: the changes that settle an audit's mechanical findings, planned from its Report.

The plan reads what the audit resolved (Report.upstreams, its findings) and never looks the upstreams
up again. Each fix answers one rule:

- base-model-undeclared: `base_model` (and `base_model_relation`) set in the card's front matter;
- upstream-license-missing: the upstream license copied from the catalog under the name it asks for;
- upstream-notice-missing: the NOTICE block (license_audit.notice);
- attribution-missing, use-restrictions-missing, regional-restriction: lines in a marked block of the card;
- license-incompatible, only when asked (`--relicense`): the card's license set to terms that carry the
  upstream's, since that changes what the publisher grants.

What needs a person (a new model name, a choice between upstreams the evidence does not settle, a
license text the catalog lacks) is a next step, said as the finding says it.
"""

from __future__ import annotations

import difflib
import fnmatch
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from license_audit.errors import InputError

if TYPE_CHECKING:
    from license_audit.catalog import License
    from license_audit.report import Finding, Report, Upstream

# Rules `fix` settles by itself (with --relicense: license-incompatible too).
FIXABLE = (
    "base-model-undeclared",
    "upstream-license-missing",
    "upstream-notice-missing",
    "attribution-missing",
    "use-restrictions-missing",
    "regional-restriction",
    "license-incompatible",
)
CARD_BLOCK_RULES = ("attribution-missing", "use-restrictions-missing", "regional-restriction")
MAX_CARD_BYTES = 1 << 20  # a card larger than this is not edited in place
# Relations the lineage reads from files (adapter_config.json, a merge config, a quantization). "finetune"
# is also what it answers when nothing says otherwise, and what the Hub assumes without the key: not written.
RELATIONS = ("adapter", "merge", "quantized")


@dataclass
class FileChange:
    """One file the fix writes: its text before (None: a new file) and after, and why."""

    path: str
    old: str | None
    new: str
    why: list[str] = field(default_factory=list)

    def diff(self) -> str:
        old = [] if self.old is None else self.old.splitlines(keepends=True)
        new = self.new.splitlines(keepends=True)
        lines = difflib.unified_diff(
            old, new, "/dev/null" if self.old is None else f"a/{self.path}", f"b/{self.path}", lineterm="\n"
        )
        out = []
        for line in lines:
            out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
        return "".join(out)


@dataclass
class FixPlan:
    """The files a fix writes, the steps left to the publisher, and the rules the changes settle."""

    changes: list[FileChange] = field(default_factory=list)
    next_steps: list[str] = field(default_factory=list)
    fixed: set[str] = field(default_factory=set)  # rule ids the changes settle
    notes: list[str] = field(default_factory=list)
    handled: set[tuple[str, str | None]] = field(default_factory=set)  # (rule, path) a change or a next step covers

    def diff(self) -> str:
        return "".join(c.diff() for c in self.changes)

    def change(self, path: str, old: str | None, new: str, why: str) -> None:
        for c in self.changes:
            if c.path == path:
                c.new = new
                c.why.append(why)
                return
        self.changes.append(FileChange(path, old, new, [why]))

    def step(self, text: str) -> None:
        if text not in self.next_steps:
            self.next_steps.append(text)

    def note(self, text: str) -> None:
        """A next step about a change made (not about a finding left): it stays true after a later round."""
        self.notes.append(text)
        self.step(text)


def plan_fix(report: Report, root: Path, only: tuple[str, ...] = (), relicense: bool = False) -> FixPlan:
    """The changes that settle the report's mechanical findings in the local folder `root`."""
    from license_audit.card import parse_card
    from license_audit.crawl import find_card
    from license_audit.notice import notice_upstreams
    from license_audit.rule_ids import RULES

    unknown = [r for r in only if r not in FIXABLE]
    if unknown:
        raise InputError(f"--only {unknown[0]}: not a rule fix settles (one of: {', '.join(FIXABLE)})")
    wanted = set(only) or set(FIXABLE)
    if not relicense:
        wanted.discard("license-incompatible")
    plan = FixPlan()
    active = [f for f in report.active_findings if f.severity != "info"]
    ups = notice_upstreams(report)
    # Findings about an upstream the evidence settles (0.8+), at their rule's own severity: the ones a fix
    # may act on. The others (a possible upstream, or a duty only some of the checkpoints the evidence fits
    # impose, reported one level lower) need the publisher to say which model it is.
    # A finding names a re-upload the repository was built on (`route`) by that name: the name the card declares.
    derived = {u.id for u in ups} | {u.candidate.model for u in ups} | {u.route for u in ups if u.route}
    sure = [
        f for f in active if (f.upstream in derived if f.upstream else True) and f.severity == RULES[f.rule].severity
    ]
    card_rel = find_card(report.files) or "README.md"
    card_old = _read_card(root, card_rel, report.files)
    card = card_old or ""
    front: dict[str, Any] = {}
    unreadable = parse_card(card).unreadable

    if unreadable:
        # What the author meant by its keys is unknown: any edit (a key, the body's block, a new front matter
        # above the unclosed one) could change it. The findings it leaves are next steps.
        plan.step(f"{card_rel}: not edited: its {unreadable}; fix it first.")
    noted = list(plan.notes)
    if "base-model-undeclared" in wanted and not unreadable:
        front.update(_base_model(report, sure, plan))
    if ("license-incompatible" in wanted or not only) and not unreadable:
        front.update(_relicense(report, sure, ups, plan, apply="license-incompatible" in wanted))
    if front:
        from license_audit.cardedit import CardEditError, set_front_matter

        present = parse_card(card).metadata
        front = {k: v for k, v in front.items() if v is not None or k in present}

        try:
            card = set_front_matter(card, front)
        except CardEditError as exc:
            plan.step(f"{card_rel}: {exc}: {_yaml_lines(front)}.")
            front = {}
    if not front:
        # Nothing was set: the notes about what the card would now say are not true of it.
        plan.fixed -= {"base-model-undeclared", "license-incompatible"}
        plan.next_steps = [s for s in plan.next_steps if s not in plan.notes or s in noted]
        plan.notes = noted
    block_rules = [r for r in CARD_BLOCK_RULES if r in wanted]
    if block_rules and not unreadable:
        card = _card_block(card, card_rel, report, sure, ups, block_rules, plan)
    if card != (card_old or ""):
        why = "; ".join(_card_why(front, card_old, card))
        plan.change(card_rel, card_old, card, why)

    if "upstream-license-missing" in wanted:
        _license_copies(report, root, sure, ups, plan)
    if "upstream-notice-missing" in wanted:
        from license_audit.notice import markers_for
        from license_audit.notice import plan as notice_plan

        p = notice_plan(report, root, writing={c.path for c in plan.changes})
        # Written when the audit asks for it, and kept current once it is there (the copies it names).
        ours = p.old is not None and markers_for(p.path)[0] in p.old
        if p.changed and p.new and (_has(sure, "upstream-notice-missing") or ours):
            plan.change(p.path, p.old, p.new, "the NOTICE block with every notice the upstream licenses require")
        if _has(sure, "upstream-notice-missing"):
            plan.fixed.add("upstream-notice-missing")

    settled = {id(f) for f in sure if f.rule in plan.fixed}
    # The findings left, one step per rule and advice (fifteen unreadable shards are one step).
    left: dict[tuple[str, str, str], list[str]] = {}
    for f in active:
        if id(f) in settled or (f.rule, f.path) in plan.handled or (f.rule, None) in plan.handled:
            continue
        level = "" if f.severity == "error" else f"{f.severity}: "
        left.setdefault((level, f.rule, f.fix or f.message), []).append(f.path or "")
    for (level, rule, advice), paths in left.items():
        shown = [p for p in paths if p]
        where = f" ({', '.join(shown[:3])}{f' and {len(shown) - 3} more' if len(shown) > 3 else ''})" if shown else ""
        plan.step(f"{level}{rule}{where}: {advice}")
    return plan


# --- front matter ---------------------------------------------------------------------------------


def _base_model(report: Report, active: list[Finding], plan: FixPlan) -> dict[str, Any]:
    from license_audit.lineage.resolve import is_hub_id

    undeclared = [f for f in active if f.rule == "base-model-undeclared"]
    sure = [f for f in undeclared if f.upstream]
    if not sure:
        return {}
    cands = {c.model: c for c in report.lineage}
    for c in report.lineage:  # findings name a re-upload by the name the repository gives it
        if c.checkpoint:
            cands.setdefault(c.checkpoint.partition("@")[0], c)
    named = list(dict.fromkeys(f.upstream for f in sure if f.upstream))
    # `base_model` holds Hub ids: a family named by a title, a tag or a license is no checkpoint to declare.
    models = [m for m in named if is_hub_id(m) and not (m in cands and cands[m].family_only)]
    unnamed = [m for m in named if m not in models]
    if unnamed:
        plan.handled.add(("base-model-undeclared", None))
        plan.step(
            f"base-model-undeclared: the evidence names {' and '.join(unnamed)}, not one checkpoint; set "
            f"`base_model` to the Hub id (OWNER/NAME) of the model the weights were built from."
        )
    if not models:
        return {}
    # Checkpoints under different terms fit the evidence: which one it is, is the publisher's to say (the
    # finding names each).
    if any(u.options for u in report.upstreams if u.direct and {u.candidate.model, u.id, u.route} & set(models)):
        return {}
    # A checkpoint of another family shares the configuration (Qwen2-7B-Instruct and Qwen2.5-7B-Instruct): the
    # closest match is a guess between generations, which is the publisher's to settle, not a fix's to write.
    others = _other_generations(report, [cands[m] for m in models if m in cands])
    if others:
        plan.handled.add(("base-model-undeclared", None))
        plan.step(
            f"base-model-undeclared: the configuration fits {' and '.join(others)} alike, checkpoints of different "
            "model families; name the one the weights were built from as `base_model` in the card."
        )
        return {}
    relations = {cands[m].relation for m in models if m in cands}
    if len(models) > 1 and relations != {"merge"}:
        plan.handled.add(("base-model-undeclared", None))
        plan.step(
            f"The evidence points at {' and '.join(models)}; name the model the weights were built from as "
            f"`base_model` in the card (a merge names each, with `base_model_relation: merge`)."
        )
        return {}
    plan.fixed.add("base-model-undeclared")
    bases = [*report.model.declared_base_models, *(m for m in models if m not in report.model.declared_base_models)]
    out: dict[str, Any] = {"base_model": bases[0] if len(bases) == 1 else bases}
    relation = next(iter(relations)) if len(relations) == 1 else None
    if relation in RELATIONS and not report.model.base_model_relation:
        out["base_model_relation"] = relation
    for m in models:
        alts = cands[m].alternatives if m in cands else []
        if alts:
            plan.note(
                f"`base_model` names {m}, the closest match; {', '.join(alts)} share its configuration: "
                f"correct `base_model` if the weights came from one of them."
            )
    return out


def _other_generations(report: Report, cands: list) -> list[str]:
    """The candidates and their alternatives when an alternative belongs to another registered family than its
    candidate; [] otherwise (base and instruct checkpoints of one family share a configuration too)."""
    from license_audit.registry import load_registry

    registry = load_registry(report.rules_dirs)
    for c in cands:
        lead = registry.get(c.model)
        others = [
            a
            for a in c.alternatives
            if (k := registry.get(a)) is not None and lead is not None and k.family != lead.family
        ]
        if others:
            return [c.model, *others]
    return []


def _relicense(
    report: Report, active: list[Finding], ups: list[Upstream], plan: FixPlan, apply: bool
) -> dict[str, Any]:
    """Card keys that declare terms carrying every upstream's, for a declared license that cannot be
    granted or a card that declares none; applied only when asked, since it changes what is granted."""
    from license_audit.catalog import load_catalog
    from license_audit.checks.obligations import incompatibility
    from license_audit.copies import copy_path
    from license_audit.notice import declared_key

    incompatible = _has(active, "license-incompatible")
    undeclared = report.model.declared_license is None and any(up.licenses for up in ups)
    if not (incompatible or undeclared):
        return {}
    lics = list({lic.id: lic for up in ups for lic in up.licenses if certain(up, lic)}.values())
    # The first upstream license every upstream license allows as the derivative's terms.
    chosen = next((c for c in lics if all(incompatibility(u, c, c.id) is None for u in lics)), None)
    if chosen is None:
        names = ", ".join(lic.name for lic in lics)
        plan.step(
            f"No single license carries the terms of every upstream ({names}); settle the card's license "
            f"with the upstream licensors."
        )
        return {}
    if not apply:
        what = "declares a license that cannot be granted" if incompatible else "declares no license"
        plan.step(
            f"The card {what}; the {chosen.name} carries the upstream's terms "
            f"(`license-audit fix --write --relicense` declares it)."
        )
        plan.handled.add(("license-incompatible", None))
        return {}
    plan.fixed.add("license-incompatible")
    out: dict[str, Any] = dict(chosen.card_fields)
    if chosen.hf_license != "other":
        out.update({"license_name": None, "license_link": None})
    else:
        out["license_link"] = copy_paths(report, ups).get(chosen.id) or copy_path(chosen, report.files, chosen.id)
    old = declared_key(report)
    if old:
        declared = load_catalog(report.rules_dirs).get(old)
        plan.note(
            f"The card now declares the {chosen.name} instead of `{old}`; say the same wherever the card's text "
            f"or a license file of the model grants {declared.name if declared else f'`{old}`'}."
        )
    return out


def _yaml_lines(front: dict[str, Any]) -> str:
    from license_audit.cardedit import scalar

    parts = []
    for k, v in front.items():
        if v is None:
            parts.append(f"remove `{k}`")
        elif isinstance(v, list):
            parts.append(f"`{k}: [{', '.join(scalar(x) for x in v)}]`")
        else:
            parts.append(f"`{k}: {scalar(v)}`")
    return ", ".join(parts)


# --- the card's block -----------------------------------------------------------------------------


def _card_block(
    card: str,
    card_rel: str,
    report: Report,
    active: list[Finding],
    ups: list[Upstream],
    rules: list[str],
    plan: FixPlan,
) -> str:
    from license_audit.cardedit import BLOCK_MARKERS, CardEditError, set_block

    flagged = {f.rule for f in active if f.rule in rules}
    has_block = BLOCK_MARKERS[0] in card
    if not flagged and not has_block:
        return card
    lines = _block_lines(report, ups, rules, flagged, card)
    try:
        new = set_block(card, lines)
    except CardEditError as exc:
        plan.step(f"{card_rel}: {exc}.")
        return card
    plan.fixed |= flagged
    for ob_region in _regions(ups, flagged):
        plan.note(
            f"Check that the publisher is not based in {ob_region}: the restriction stated in {card_rel} "
            f"withholds the license from it."
        )
    return new


def certain(up: Upstream, lic: License) -> bool:
    """Whether `lic` binds whichever of the checkpoints the evidence fits the model comes from."""
    return not up.options or not up.imposing(lic.id)[1]


def _applies(up: Upstream, globs: list[str]) -> bool:
    return not globs or any(fnmatch.fnmatchcase(up.id.lower(), str(g).lower()) for g in globs)


def _block_lines(report: Report, ups: list[Upstream], rules: list[str], flagged: set[str], card: str) -> list[str]:
    paths = copy_paths(report, ups)
    attributions: list[str] = []
    uses: list[str] = []
    regions: list[str] = []
    for up in ups:
        for lic in up.licenses:
            if not certain(up, lic):
                continue
            for ob in lic.obligations:
                if not _applies(up, ob.models):
                    continue
                if ob.kind == "attribution" and "attribution-missing" in rules:
                    phrases = ob.display_phrases
                    if phrases:
                        line = f"**{_sentence(str(phrases[0]))}**"
                        if line not in attributions:
                            attributions.append(line)
                elif ob.kind == "use-restrictions" and "use-restrictions-missing" in rules:
                    line = _use_line(lic, ob.policy_url, ob.markers, paths.get(lic.id))
                    if line not in uses:
                        uses.append(line)
                elif ob.kind == "regional-restriction" and "regional-restriction" in rules:
                    line = _region_line(lic, ob)
                    if ("regional-restriction" in flagged or line in card) and line not in regions:
                        regions.append(line)
    out: list[str] = []
    for group in (attributions, uses, regions):
        for line in group:
            out += [line, ""]
    return out[:-1] if out else []


def copy_paths(report: Report, ups: list[Upstream]) -> dict[str, str]:
    """Where each upstream license's copy is, or goes (license id -> path)."""
    from license_audit.notice import license_copies

    return {c.license_id: c.path for c in license_copies(report, ups)}


def _sentence(phrase: str) -> str:
    return phrase[:1].upper() + phrase[1:]


def _use_line(lic: License, url: str | None, markers: list[str], copy: str | None) -> str:
    from license_audit.identify.normalize import words

    if url:
        policy = next((m for m in markers if m.endswith("policy") and "/" not in m), "use policy")
        line = f"Use of this model must follow the {policy.title()} of the {lic.name}: {url}"
    elif "attachment a" in markers:
        line = (
            f"Use of this model is subject to the use-based restrictions in Attachment A of the {lic.name}"
            f"{f' ({copy})' if copy else ''}; they bind every user and every further derivative."
        )
    else:
        line = f"Use of this model is subject to the use restrictions of the {lic.name}{f' ({copy})' if copy else ''}."
    text = " " + " ".join(words(line)) + " "
    if markers and not any(f" {' '.join(words(m))} " in text for m in markers):
        line += f" ({markers[0]})"
    return line


def _region_line(lic: License, ob: Any) -> str:
    region = ob.region or "the region the license names"
    what = "multimodal models" if ob.applies_to == "multimodal" else "this model"
    return (
        f"Under the {lic.name} ({ob.clause or 'use policy'}), the rights to {what} are not granted to individuals "
        f"domiciled in, or companies with a principal place of business in, {region}; this does not apply to end "
        f"users of a product or service that incorporates the model."
    )


def _regions(ups: list[Upstream], flagged: set[str]) -> list[str]:
    if "regional-restriction" not in flagged:
        return []
    out: list[str] = []
    for up in ups:
        for lic in up.licenses:
            for ob in lic.obligations_of("regional-restriction"):
                region = str(ob.region or "the region the license names")
                if region not in out:
                    out.append(region)
    return out


def _card_why(front: dict[str, Any], old: str | None, new: str) -> list[str]:
    from license_audit.cardedit import BLOCK_MARKERS

    why = []
    if old is None:
        why.append("a model card")
    if front:
        why.append(f"front matter: {_yaml_lines(front)}")
    if (BLOCK_MARKERS[0] in new) and (old is None or _block_of(old) != _block_of(new)):
        why.append("the attribution and use terms the upstream licenses require, in the license-audit block")
    return why


def _block_of(text: str) -> str:
    from license_audit.cardedit import BLOCK_MARKERS

    start = text.find(BLOCK_MARKERS[0])
    stop = text.find(BLOCK_MARKERS[1], start)
    return text[start:stop] if start >= 0 and stop >= 0 else ""


# --- license copies -------------------------------------------------------------------------------


def _license_copies(report: Report, root: Path, active: list[Finding], ups: list[Upstream], plan: FixPlan) -> None:
    from license_audit.notice import license_copies

    missing = {f.path for f in active if f.rule == "upstream-license-missing"}
    if not missing:
        return
    for c in license_copies(report, ups):
        if c.present or c.path not in missing:
            continue
        plan.handled.add(("upstream-license-missing", c.path))
        if c.occupied(root):
            plan.step(f"{c.path} exists and is not the {c.name}: put the {c.name} there, or under another name.")
        elif c.text is None:
            plan.step(f"upstream-license-missing ({c.path}): {c.advice}")
        else:
            plan.change(c.path, None, c.text, f"the {c.name}, from the catalog's reference text")


# --- reading and writing --------------------------------------------------------------------------


def _has(findings: list[Finding], rule: str) -> bool:
    return any(f.rule == rule for f in findings)


def _read_card(root: Path, rel: str, files: list[str]) -> str | None:
    from license_audit.safeio import read_regular

    if rel not in files and not (root / rel).exists():
        return None
    path = root / rel
    if path.is_symlink():
        raise InputError(f"{rel}: is a link; license-audit does not edit through links")
    data = read_regular(path, MAX_CARD_BYTES + 1)
    if data is None:
        raise InputError(f"{rel}: cannot be read")
    if len(data) > MAX_CARD_BYTES:
        raise InputError(f"{rel}: too large to edit safely")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{rel}: not UTF-8 text; not edited") from None


def apply_fix(plan: FixPlan, root: Path) -> list[str]:
    """Write the plan's files; one line per file written."""
    from license_audit.notice import _safe_target

    done = []
    for c in plan.changes:
        target = _safe_target(root, c.path)
        if c.old is None and (target.exists() or target.is_symlink()):
            raise InputError(f"{c.path}: appeared while fixing; not overwritten")
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "w", encoding="utf-8", newline="") as fh:
            fh.write(c.new)
        done.append(f"wrote {c.path}: {'; '.join(c.why)}")
    return done


def fix_folder(
    target: str, only: tuple[str, ...] = (), relicense: bool = False, offline: bool = False, rules_dirs=()
) -> tuple[FixPlan, Path]:
    """Audit the local folder `target` (without history: the fix is about its files) and plan its fix."""
    from license_audit.pipeline import AuditOptions, run_audit
    from license_audit.sources import is_hub_spec, open_local

    if is_hub_spec(target):
        raise InputError(f"{target}: fix needs a local folder (clone the repository first)")
    root = open_local(target).root
    report = run_audit(target, AuditOptions(rules_dirs=tuple(rules_dirs), offline=offline, history=False))
    return plan_fix(report, root, only=only, relicense=relicense), root


MAX_ROUNDS = 3


def write_fix(
    target: str, only: tuple[str, ...] = (), relicense: bool = False, offline: bool = False, rules_dirs=()
) -> tuple[list[str], list[str]]:
    """Plan, write and audit again until the audit asks for nothing more the fix can write: a change can
    make the audit owe more (a card now declaring Llama 3 holds an undeclared base to it), and a second
    `fix --write` must find nothing to do. Returns (one line per file written, the next steps)."""
    written: dict[str, list[str]] = {}
    notes: list[str] = []
    steps: list[str] = []
    for _round in range(MAX_ROUNDS):
        plan, root = fix_folder(target, only=only, relicense=relicense, offline=offline, rules_dirs=rules_dirs)
        steps = plan.next_steps
        if not plan.changes:
            break
        apply_fix(plan, root)
        for c in plan.changes:
            reasons = written.setdefault(c.path, [])
            reasons += [w for w in c.why if w not in reasons]
        notes += [n for n in plan.notes if n not in notes]
    else:
        steps = [*steps, f"the fix still changes files after {MAX_ROUNDS} rounds; run it again and report it"]
    done = [f"wrote {path}: {'; '.join(why)}" for path, why in written.items()]
    return done, [*notes, *(s for s in steps if s not in notes)]
