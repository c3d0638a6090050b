"""What `upload --bom` adds to an upload: the CycloneDX BOM, and the NOTICE `notice --write` would write.

The files are generated in memory and committed beside the folder's own files in one commit; the
folder itself is never written to.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from license_audit.report import Report, TargetInfo

if TYPE_CHECKING:
    from huggingface_hub import CommitOperationAdd

# CycloneDX's recommended file name pattern for a BOM in JSON (`*.cdx.json`).
BOM_NAME = "bom.cdx.json"


@dataclass
class GeneratedFile:
    path: str  # in the repository
    data: bytes
    why: str  # one line for the command's output


def published_report(report: Report, repo_id: str) -> Report:
    """The report with the Hub repository as its target: the uploaded BOM names the model by where it is
    published (pkg:huggingface/OWNER/NAME), not by the local folder it was uploaded from."""
    out = copy.copy(report)
    out.target = TargetInfo("hub", repo_id, None)
    return out


def generated_files(report: Report, root: Path, repo_id: str) -> list[GeneratedFile]:
    """The BOM, and the NOTICE when its license-audit block is missing or out of date."""
    from license_audit.formats.cyclonedx import render
    from license_audit.notice import plan

    bom = render(published_report(report, repo_id))
    why = "CycloneDX 1.6 bill of materials"
    if BOM_NAME in report.files:
        why += f", in place of the folder's {BOM_NAME}"
    files = [GeneratedFile(BOM_NAME, bom.encode("utf-8"), why)]
    p = plan(report, root)
    if p.new and p.changed:
        what = "the upstream notices" if p.old is None else "the upstream notices added to the folder's NOTICE"
        files.append(GeneratedFile(p.path, p.new.encode("utf-8"), what))
    return files


def folder_operations(folder: Path, generated: list[GeneratedFile]) -> list[CommitOperationAdd]:
    """One commit's additions: the folder's files as `upload_folder` selects them (its default ignore
    patterns: .git, .cache/huggingface), a generated file in place of the folder's file of the same name."""
    from huggingface_hub import CommitOperationAdd
    from huggingface_hub.utils import DEFAULT_IGNORE_PATTERNS, filter_repo_objects

    root = folder.expanduser().resolve()
    replaced = {g.path for g in generated}
    on_disk = {p.relative_to(root).as_posix(): p for p in sorted(root.glob("**/*")) if p.is_file()}
    kept = filter_repo_objects(sorted(on_disk), ignore_patterns=list(DEFAULT_IGNORE_PATTERNS))
    ops = [CommitOperationAdd(path_in_repo=rel, path_or_fileobj=on_disk[rel]) for rel in kept if rel not in replaced]
    ops += [CommitOperationAdd(path_in_repo=g.path, path_or_fileobj=g.data) for g in generated]
    return ops
