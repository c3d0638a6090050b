"""The NOTICE a derivative owes its upstream models, kept in a marked block of the repository's NOTICE.

Built from the audit report's derived upstreams plus catalog (license names, links, fixed notice
texts, reference copies) and registry data (copyright lines, upstream NOTICE content). Only the
marked block is ours: text the user wrote around it is kept byte for byte, and regenerating an
unchanged repository changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from license_audit.copies import add_copy_advice, copy_path, copy_text
from license_audit.errors import InputError
from license_audit.formats import derived_upstreams
from license_audit.lineage.resolve import is_hub_id
from license_audit.report import Report, Upstream

NOTICE_NAMES = ("NOTICE", "NOTICE.txt", "NOTICE.md")
TEXT_MARKERS = ("----- BEGIN license-audit NOTICE -----", "----- END license-audit NOTICE -----")
MD_MARKERS = ("<!-- BEGIN license-audit NOTICE -->", "<!-- END license-audit NOTICE -->")

# `{via}`: the re-upload of the upstream the repository was built on, when it names one (" (via OWNER/NAME)").
CHANGES = {
    "finetune": "is a fine-tuned version of {up}{via}: its weights were changed by further training",
    "adapter": "is an adapter trained on top of {up}{via}: it carries weights that modify {up}'s",
    "merge": "is a merge that includes {up}{via}: its weights combine {up}'s with other models'",
    "quantized": "is a quantized version of {up}{via}: its weights were converted to a lower precision",
    "distillation": "was distilled from {up}{via}: it was trained on {up}'s outputs",
}
DEFAULT_CHANGE = "is derived from {up}{via}: its weights or configuration were modified"
# A merge's upstream that neither its merge configuration nor its card names (an ancestor found by its config):
# the merge is not said to include it.
MERGE_ANCESTOR_CHANGE = "is a merge of models derived from {up}{via}: its weights combine theirs"


@dataclass
class LicenseCopy:
    """An upstream license text the repository should carry."""

    license_id: str
    name: str
    path: str  # where the copy is, or would be written
    present: bool  # the repository already carries the text (at `path`)
    text: str | None  # what to write: the catalog's reference text, when it has one
    advice: str = ""  # what the user does when it cannot be written

    def occupied(self, root: Path) -> bool:
        """Whether a file or link other than this copy holds its path in `root`: it is kept, never overwritten."""
        target = root / self.path
        return not self.present and (target.exists() or target.is_symlink())


def markers_for(name: str) -> tuple[str, str]:
    return MD_MARKERS if name.lower().endswith(".md") else TEXT_MARKERS


def license_copies(report: Report, ups: list[Upstream]) -> list[LicenseCopy]:
    """Each upstream license once: where its text is in the repository, or where a copy would go
    (copies.copy_path: the same file the audit's finding names)."""
    have: dict[str, str] = {}
    for lf in report.license_files:
        for m in lf.licenses:
            if m.kind == "text":
                have.setdefault(m.id, lf.path)
    declared = declared_key(report)
    out: list[LicenseCopy] = []
    seen: set[str] = set()
    for up in ups:
        for lic in up.licenses:
            if lic.id in seen:
                continue
            seen.add(lic.id)
            held = next((have[i] for i in lic.copy_ids if i in have), None)
            if held is not None:
                out.append(LicenseCopy(lic.id, lic.name, held, True, None))
                continue
            path = copy_path(lic, report.files, declared)
            advice = add_copy_advice(lic, path, up.copyright)
            out.append(LicenseCopy(lic.id, lic.name, path, False, copy_text(lic, up.copyright), advice))
    return out


def declared_key(report: Report) -> str | None:
    """The catalog key the card means: `license_name` for `license: other`, else `license`."""
    lic, name = report.model.declared_license, report.model.declared_license_name
    if lic and lic.strip().lower() == "other" and name:
        return name.strip().lower()
    return lic.strip().lower() if lic else None


def notice_upstreams(report: Report) -> list[Upstream]:
    """The upstreams whose duties the audit holds at error level: the derived lineage candidates and,
    after each, the models it derives from in turn (a quantization of a Llama fine-tune owes Llama's
    notice too)."""
    direct = derived_upstreams(report)
    out: list[Upstream] = []
    for d in direct:
        out.append(d)
        out += [u for u in report.upstreams if u.via and u.candidate is d.candidate]
    return out


def build_block(report: Report, markers: tuple[str, str] = TEXT_MARKERS, writing: set[str] | None = None) -> str:
    """The marked block (markers included), ending without a newline. `writing`: the license copies that
    will be written beside it (None: every copy the catalog has a text of, as `apply` writes them)."""
    ups = notice_upstreams(report)
    copies = {c.license_id: c for c in license_copies(report, ups)}
    name = report.model.name
    lines = [
        markers[0],
        "This section is maintained by license-audit (`license-audit notice --write`);",
        "text outside it is yours and is kept.",
        "",
    ]
    if not ups:
        lines += [f"{name}: no upstream model was found, so no upstream notices are owed.", markers[1]]
        return "\n".join(lines)
    lines += [f"{name} is derived from the following model(s), whose notices and license terms follow.", ""]
    notices: list[str] = []
    for up in ups:
        c = up.candidate
        if up.via:
            lines.append(f"{up.id} (the base of {up.via[-1]})")
            if is_hub_id(up.id):
                lines.append(f"  https://huggingface.co/{up.id}")
        else:
            # A model the candidate's chain reaches is named itself; the checkpoint the repository names (a chat
            # model its registry entry answers for) is named as such.
            model = up.id
            lines.append(f"{model} ({c.relation})")
            if is_hub_id(model):  # not a family ("Meta Llama 3 (family)") or a local path
                lines.append(f"  https://huggingface.co/{model}")
            if up.route:  # the licensor's checkpoint is the upstream; the re-upload built on is named as such
                lines.append(f"  via {up.route}, a re-upload of it")
        lines += [f"  {line}" for line in up.copyright]
        if not up.licenses and c.license:
            lines.append(f"  License: {c.license}")
        for lic in up.licenses:
            lines.append(f"  License: {lic.name} ({lic.spdx})")
            if lic.url:
                lines.append(f"    {lic.url}")
            copy = copies.get(lic.id)
            will_write = copy and copy.text and copy.path not in report.files
            if copy and (copy.present or (will_write and (writing is None or copy.path in writing))):
                lines.append(f"    A copy of the license is in {copy.path}.")
        notices += [line for line in up.notice_lines if line not in notices]
        lines.append("")
    if notices:
        lines.append("Notices the upstream licenses require to be retained:")
        lines.append("")
        lines += notices
        lines.append("")
    lines.append("Statement of changes:")
    for up in ups:
        if up.via:
            continue
        via = f" (via {up.route})" if up.route else ""
        lines.append(f"  {name} {change_of(up).format(up=up.id, via=via)}.")
    lines.append(markers[1])
    return "\n".join(lines)


def change_of(up: Upstream) -> str:
    """The statement of changes towards one upstream: what the repository did with its weights. A merge
    includes only the models its merge configuration or card names; any other upstream of a merge is one the
    merged models derive from."""
    c = up.candidate
    if c.relation == "merge" and not (c.merged_in or c.declared):
        return MERGE_ANCESTOR_CHANGE
    return CHANGES.get(c.relation, DEFAULT_CHANGE)


def merge(existing: str | None, block: str, markers: tuple[str, str]) -> str:
    """`existing` with its marked block replaced by `block` (or `block` appended); user text untouched."""
    if not existing or not existing.strip():
        return block + "\n"
    begin, end = markers
    start = existing.find(begin)
    if start < 0:
        if end in existing:
            raise InputError(f"NOTICE has an '{end}' line without its BEGIN line; fix the markers by hand")
        return existing.rstrip("\n") + "\n\n" + block + "\n"
    stop = existing.find(end, start)
    if stop < 0:
        raise InputError(f"NOTICE has a '{begin}' line without its END line; fix the markers by hand")
    return existing[:start] + block + existing[stop + len(end) :]


def notice_path(files: list[str]) -> str:
    for name in NOTICE_NAMES:
        if name in files:
            return name
    return "NOTICE"


@dataclass
class NoticePlan:
    """The NOTICE file as it is and as it should be, with the license copies it names."""

    path: str
    old: str | None
    new: str
    copies: list[LicenseCopy]

    @property
    def changed(self) -> bool:
        return self.old != self.new


def plan(report: Report, root: Path | None, writing: set[str] | None = None) -> NoticePlan:
    from license_audit.safeio import UnsafePath, read_text

    rel = notice_path(report.files)
    markers = markers_for(rel)
    old = None
    if root is not None and ((root / rel).exists() or (root / rel).is_symlink()):
        try:
            old, truncated = read_text(root, rel)
        except UnsafePath:
            raise InputError(f"{rel}: is a link that points outside the repository; not read") from None
        except OSError as exc:
            raise InputError(f"{rel}: cannot be read ({exc.strerror})") from None
        if truncated:
            raise InputError(f"{rel}: too large to update safely")
    block = build_block(report, markers, writing)
    ups = notice_upstreams(report)
    new = old if (not ups and old is None) else merge(old, block, markers)
    return NoticePlan(rel, old, new or "", license_copies(report, ups))


def _safe_target(root: Path, rel: str) -> Path:
    from license_audit.safeio import UnsafePath, inside

    path = root / rel
    if path.is_symlink():
        raise InputError(f"{rel}: is a link; license-audit does not write through links")
    try:
        inside(root, path)
    except UnsafePath:
        raise InputError(f"{rel}: points outside the repository") from None
    return path


def apply(p: NoticePlan, root: Path) -> list[str]:
    """Write the NOTICE and the missing upstream license copies; returns one line per action."""
    done: list[str] = []
    if p.new and p.changed:
        _safe_target(root, p.path).write_text(p.new, encoding="utf-8")
        done.append(f"wrote {p.path}")
    elif p.new:
        done.append(f"{p.path} is up to date")
    for c in p.copies:
        if c.present:
            continue
        if c.occupied(root):
            done.append(f"kept {c.path}: the file exists and is not the {c.name}; add its text by hand")
        elif c.text is None:
            done.append(f"not written: {c.path}. {c.advice}")
        else:
            _safe_target(root, c.path).write_text(c.text, encoding="utf-8")
            done.append(f"wrote {c.path} ({c.name})")
    return done
