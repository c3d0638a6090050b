"""One watch audit: a listed Hub model read from its metadata only (card, configuration and license files).

The listing gave the commit and the file list, so the Hub is asked for nothing but those files, one
request each, kept on disk by commit (sources.hub_fetch: a re-run fetches only what changed). Weights, their
safetensors headers and the commit history are not read; the report says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import PurePosixPath
from typing import Any

from license_audit.crawl import CONFIG_NAMES, is_card_path, is_license_file
from license_audit.pipeline import AuditOptions

METADATA_NOTE = (
    "watch: audited from metadata only (card, configuration and license files); weights, their "
    "safetensors headers and the commit history were not read"
)


def metadata_file(rel: str) -> bool:
    """The files a metadata-only audit reads: the card, license-like files, root configuration files."""
    if is_card_path(rel) or is_license_file(rel):
        return True
    return "/" not in rel and (rel in CONFIG_NAMES or rel == "params.json")


def open_listed(item: dict[str, Any]):
    from license_audit.sources.hub import _api, _safe_rel, hub_errors, materialise
    from license_audit.sources.hub_listing import Listed

    listed = Listed.from_dict(item["listed"])
    sha, files = listed.sha, listed.files
    if not sha or not files:  # a listing without them: one model_info call
        with hub_errors(listed.id, None):
            info = _api().model_info(listed.id)
        sha = info.sha or "main"
        files = sorted(s.rfilename for s in info.siblings or [])
    files = [f for f in files if _safe_rel(f) and ".." not in PurePosixPath(f).parts]
    notes = [f"hub: audited {listed.id} at commit {sha}", METADATA_NOTE]
    return materialise(listed.id, sha, files, {}, notes, want=metadata_file, by_commit=True)


def audit_item(item: dict[str, Any], options: AuditOptions) -> dict[str, Any]:
    from license_audit.batch.engines import audit_record
    from license_audit.pipeline import audit_target

    meta = {k: item[k] for k in ("sha", "last_modified", "declares", "sources")}
    # audit_record turns whatever goes wrong into this target's error record.
    record = audit_record(item["target"], options, lambda _spec, opts: audit_target(open_listed(item), opts))
    return {"target": record["target"], **meta, **{k: v for k, v in record.items() if k != "target"}}


def audit_items(items: Sequence[dict[str, Any]], options: AuditOptions) -> list[dict[str, Any]]:
    return [audit_item(item, options) for item in items]
