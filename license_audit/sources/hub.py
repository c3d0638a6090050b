"""Hugging Face Hub targets (`hf:OWNER/NAME[@REVISION]`) through huggingface_hub.

Online: model_info resolves the revision to a commit; list_repo_tree lists every file; the card, license,
config and tokenizer files are downloaded one by one (never weights) into the Hugging Face cache and
copied into a temporary folder that goes through the same crawl as a local folder; safetensors headers
come from get_safetensors_metadata (HTTP range requests). History: list_repo_commits plus one tree
listing per commit, newest first, bounded by HUB_HISTORY_COMMITS (the report says so).

Offline (`--offline` or HF_HUB_OFFLINE=1): the cached snapshot of the revision in the local Hugging Face
cache (refs/<revision> -> snapshots/<commit>), read in place; the report names the commit audited.

huggingface_hub is imported inside the functions: `--version` and local audits never load it.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import tempfile
from pathlib import Path, PurePosixPath

from license_audit.crawl import CONFIG_NAMES, is_license_file
from license_audit.errors import TargetError
from license_audit.history import Change, History, card_versions, is_card_path, is_tracked_path, text_of_blob
from license_audit.report import TargetInfo
from license_audit.safeio import MAX_JSON_DEPTH, MAX_TEXT_BYTES, JSONProblem, parse_json

# Newest Hub commits whose trees are listed for history (one API call each); older ones are not seen.
HUB_HISTORY_COMMITS = 30
# Files larger than this are never downloaded (tokenizer.json of large vocabularies is ~30 MB).
MAX_SMALL_FILE = 64 * 1024 * 1024
# A safetensors JSON header larger than this is not parsed (real ones are well under 10 MB).
MAX_SAFETENSORS_HEADER = 32 * 1024 * 1024
_EXTRA_SMALL = {"tokenizer.json", "params.json", "vocab.json", ".license-audit.yaml", ".license-audit.yml"}


def is_offline(flag: bool = False) -> bool:
    return flag or os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on")


def wanted(rel: str) -> bool:
    """Small files an audit reads: the card, license-like files, root configs and tokenizer files."""
    if not _safe_rel(rel):
        return False
    if is_card_path(rel) or is_license_file(rel):
        return True
    return "/" not in rel and (rel in CONFIG_NAMES or rel in _EXTRA_SMALL)


def _safe_rel(rel: str) -> bool:
    p = PurePosixPath(rel)
    return bool(rel) and not p.is_absolute() and ".." not in p.parts and "\\" not in rel and "\0" not in rel


def _endpoint() -> str | None:
    ep = os.environ.get("HF_ENDPOINT", "").strip()
    return ep.rstrip("/") or None


def open_hub(repo_id: str, revision: str | None, offline: bool = False, history: bool = True):
    if is_offline(offline):
        return open_cached(repo_id, revision)
    return open_online(repo_id, revision, history=history)


# ------------------------------------------------------------------------------------------- errors


@contextlib.contextmanager
def hub_errors(repo_id: str, revision: str | None, what: str = ""):
    """huggingface_hub and transport errors -> TargetError with one clear line (exit 2)."""
    from huggingface_hub import errors as e

    spec = f"hf:{repo_id}" + (f"@{revision}" if revision else "")
    try:
        yield
    except e.GatedRepoError:
        raise TargetError(
            f"{spec}: gated repository; accept its conditions on the Hub and set HF_TOKEN "
            f"to a token of an account with access"
        ) from None
    except e.RevisionNotFoundError:
        raise TargetError(f"{spec}: revision '{revision or 'main'}' not found on the Hub") from None
    except e.RepositoryNotFoundError:
        raise TargetError(
            f"{spec}: repository not found on the Hub (or private: set HF_TOKEN to a token with access)"
        ) from None
    except e.DisabledRepoError:
        raise TargetError(f"{spec}: the repository is disabled on the Hub") from None
    except e.RemoteEntryNotFoundError:
        raise TargetError(f"{spec}: {what or 'a listed file'} is missing on the Hub") from None
    except e.HfHubHTTPError as exc:
        status = exc.response.status_code if getattr(exc, "response", None) is not None else "?"
        raise TargetError(
            f"{spec}: the Hub answered HTTP {status}{f' for {what}' if what else ''}; "
            f"try again later or use --offline with a cached snapshot"
        ) from None
    except e.OfflineModeIsEnabled:
        raise TargetError(
            f"{spec}: huggingface_hub is in offline mode; use --offline to audit the cached snapshot"
        ) from None
    except TargetError:
        raise
    except Exception as exc:
        if isinstance(exc, (ConnectionError, TimeoutError)) or type(exc).__module__.split(".")[0].startswith("httpx"):
            where = _endpoint() or "https://huggingface.co"
            raise TargetError(
                f"{spec}: cannot reach the Hub at {where} ({type(exc).__name__}); "
                f"use --offline to audit a cached snapshot"
            ) from None
        if isinstance(exc, OSError):  # the local cache (HF_HUB_CACHE) cannot be written or read
            raise TargetError(
                f"{spec}: local file error in the Hugging Face cache: "
                f"{exc.strerror or exc} ({exc.filename or 'HF_HUB_CACHE'})"
            ) from None
        raise


# ------------------------------------------------------------------------------------------- online


def _api():
    from huggingface_hub import HfApi

    from license_audit.sources.hub_http import install

    install()  # 429 and 5xx answers retried with bounded backoff, for every request below
    return HfApi(endpoint=_endpoint())


def open_online(repo_id: str, revision: str | None, history: bool = True):
    """The revision's small files in a temporary folder, plus its file list and safetensors headers.

    One model_info call (with file sizes) lists the files; each wanted file is then one download, served
    from the Hugging Face cache when the commit's copy is there already.
    """
    api = _api()
    with hub_errors(repo_id, revision):
        info = api.model_info(repo_id, revision=revision, files_metadata=True)
    sha = info.sha or revision or "main"
    siblings = [s for s in (info.siblings or []) if _safe_rel(s.rfilename)]
    files = sorted(s.rfilename for s in siblings)
    sizes = {s.rfilename: (s.size or 0) for s in siblings}
    notes = [f"hub: audited {repo_id} at commit {sha} ({revision or 'main'})"]
    target = materialise(repo_id, sha, files, sizes, notes, symbolic=revision or "main", shown=revision)
    try:
        target.safetensors = _remote_safetensors(api, repo_id, sha, files, notes)
    except BaseException:
        target.close()
        raise
    if history:
        target.history_loader = lambda: _history_or_note(api, repo_id, sha)
    return target


def materialise(
    repo_id: str,
    sha: str,
    files: list[str],
    sizes: dict[str, int],
    notes: list[str],
    symbolic: str | None = None,
    want=None,
    shown: str | None = "",
    by_commit: bool = False,
):
    """A Target whose folder holds copies of the wanted small files of commit `sha` (never weights).

    Files come through hf_hub_download, so the Hugging Face cache keeps them by commit: a later audit of
    the same commit, online or --offline, downloads nothing. With `symbolic` (a branch or tag), the first
    file is fetched through it so that the cache records refs/<symbolic> -> commit for --offline audits,
    unless the cache records that already. Errors name the target as `shown` (default: the commit).
    With `by_commit` the files come through hub_fetch instead (one capped GET each, kept by commit).
    """
    from huggingface_hub import hf_hub_download
    from huggingface_hub.file_download import REGEX_COMMIT_HASH
    from huggingface_hub.utils import disable_progress_bars

    from license_audit.sources import Target

    disable_progress_bars()  # a report on stdout, one error line on stderr: no per-file bars
    want = want or wanted
    tmp = _temp_folder("license-audit-hub-")
    target = Target(
        TargetInfo("hub", repo_id, sha),
        tmp,
        repo_id.split("/", 1)[1],
        notes=notes,
        remote_files=list(files),
        cleanup=lambda: shutil.rmtree(tmp, ignore_errors=True),
    )
    try:
        skipped = []
        record_ref = (
            bool(symbolic) and not REGEX_COMMIT_HASH.fullmatch(symbolic or "") and _cached_ref(repo_id, symbolic) != sha
        )
        for rel in files:
            if not want(rel):
                continue
            if sizes.get(rel, 0) > MAX_SMALL_FILE:
                skipped.append(rel)
                continue
            with hub_errors(repo_id, sha if shown == "" else shown, rel):
                if by_commit:
                    from license_audit.sources.hub_fetch import fetch

                    if not fetch(repo_id, sha, rel, tmp / rel, MAX_SMALL_FILE):
                        skipped.append(rel)
                    continue
                if record_ref:
                    record_ref = False
                    local = hf_hub_download(repo_id, rel, revision=symbolic, endpoint=_endpoint())
                    if sha not in Path(local).parts:  # the branch moved since model_info: use the commit
                        local = hf_hub_download(repo_id, rel, revision=sha, endpoint=_endpoint())
                else:
                    local = hf_hub_download(repo_id, rel, revision=sha, endpoint=_endpoint())
            _copy_capped(Path(local), tmp / rel)
        if skipped:
            notes.append(
                f"hub: not downloaded (larger than {MAX_SMALL_FILE // (1024 * 1024)} MB): {', '.join(skipped)}"
            )
    except BaseException:
        target.close()
        raise
    return target


def _cached_ref(repo_id: str, ref: str | None) -> str | None:
    """The commit the Hugging Face cache records for refs/<ref> of the repository, or None."""
    from huggingface_hub import constants
    from huggingface_hub.file_download import repo_folder_name

    if not ref or not _safe_rel(ref):
        return None
    path = Path(constants.HF_HUB_CACHE) / repo_folder_name(repo_id=repo_id, repo_type="model") / "refs" / ref
    try:
        return path.read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        return None


def _history_or_note(api, repo_id: str, sha: str | None) -> History:
    # The snapshot was readable: a Hub that will not give its commit list costs the history rules,
    # not the audit (said in the notes).
    try:
        return hub_history(api, repo_id, sha, HUB_HISTORY_COMMITS)
    except TargetError as exc:
        hist = History("hub")
        hist.notes.append(f"history: not read from the Hub ({exc}); history rules not applied")
        return hist


def _temp_folder(prefix: str) -> Path:
    tmp = Path(tempfile.mkdtemp(prefix=prefix))
    # Callers close the Target; this covers one that does not (the folder holds only copies).
    atexit.register(shutil.rmtree, tmp, True)
    return tmp


def _copy_capped(src: Path, dest: Path, limit: int = MAX_SMALL_FILE) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    with open(src, "rb") as fin, open(dest, "wb") as fout:
        fout.write(fin.read(limit))


def header_of(meta) -> dict:
    """huggingface_hub's SafetensorsFileMetadata -> the file's JSON header as written (Snapshot.safetensors)."""
    header: dict = {}
    if meta.metadata:
        header["__metadata__"] = dict(meta.metadata)
    for name, t in sorted(meta.tensors.items()):
        header[name] = {"dtype": t.dtype, "shape": list(t.shape), "data_offsets": list(t.data_offsets)}
    return header


def _remote_safetensors(api, repo_id: str, sha: str | None, files: list[str], notes: list[str]) -> dict[str, dict]:
    from huggingface_hub import errors as e

    if not any(f.endswith(".safetensors") for f in files):
        return {}
    out: dict[str, dict] = {}
    with hub_errors(repo_id, sha, "safetensors headers"):
        if "model.safetensors" in files and "model.safetensors.index.json" not in files:
            # One file: its header is read directly (get_safetensors_metadata would first probe for it).
            try:
                out["model.safetensors"] = header_of(
                    api.parse_safetensors_file_metadata(repo_id, "model.safetensors", revision=sha)
                )
            except e.SafetensorsParsingError:
                notes.append("hub: model.safetensors: safetensors header could not be parsed")
            return out
        try:
            meta = api.get_safetensors_metadata(repo_id, revision=sha)
            out = {name: header_of(fm) for name, fm in meta.files_metadata.items()}
        except e.NotASafetensorsRepoError:
            # No model.safetensors(.index.json): adapters and odd layouts; read the root files directly.
            for rel in [f for f in files if f.endswith(".safetensors") and "/" not in f][:4]:
                try:
                    out[rel] = header_of(api.parse_safetensors_file_metadata(repo_id, rel, revision=sha))
                except e.SafetensorsParsingError:
                    notes.append(f"hub: {rel}: safetensors header could not be parsed")
        except e.SafetensorsParsingError:
            notes.append("hub: a safetensors header could not be parsed; weights metadata not used")
    return out


def hub_history(api, repo_id: str, sha: str | None, bound: int = HUB_HISTORY_COMMITS) -> History:
    """Changes of license-relevant files across the newest `bound` commits of the revision."""
    from huggingface_hub import hf_hub_download
    from huggingface_hub.hf_api import RepoFile

    hist = History("hub")
    with hub_errors(repo_id, sha, "commit history"):
        commits = api.list_repo_commits(repo_id, revision=sha)  # newest first
    total = len(commits)
    window = list(reversed(commits[:bound]))  # oldest first
    complete = total <= bound
    if complete:
        hist.notes.append(f"history: all {total} Hub commits compared")
    else:
        hist.notes.append(
            f"history: the newest {bound} of {total} Hub commits compared (bound {bound}); "
            f"changes in older commits are not seen"
        )
    trees: list[dict[str, str]] = []
    with hub_errors(repo_id, sha, "commit trees"):
        for c in window:
            entries = api.list_repo_tree(repo_id, revision=c.commit_id, recursive=True)
            trees.append(
                {
                    e.path: (e.blob_id or "")
                    for e in entries
                    if isinstance(e, RepoFile) and _safe_rel(e.path) and is_tracked_path(e.path)
                }
            )
    changes: list[Change] = []
    for i, c in enumerate(window):
        if i == 0 and not complete:
            # Its parent is outside the window: what it changed is unknown, but its files are the
            # baseline the newer commits are compared with (listed as "present", like a shallow clone).
            hist.boundary.add(c.commit_id)
            date = c.created_at.isoformat() if c.created_at else ""
            for path in sorted(trees[0]):
                changes.append(
                    Change(
                        c.commit_id,
                        ", ".join(c.authors or []),
                        date,
                        "A",
                        path,
                        None,
                        None,
                        f"{c.commit_id}:{path}",
                        None,
                        trees[0][path] or None,
                    )
                )
            continue
        prev_tree = trees[i - 1] if i > 0 else {}
        prev_commit = window[i - 1].commit_id if i > 0 else None
        cur = trees[i]
        author = ", ".join(c.authors or [])
        date = c.created_at.isoformat() if c.created_at else ""
        added = sorted(set(cur) - set(prev_tree))
        deleted = sorted(set(prev_tree) - set(cur))
        renamed_from: dict[str, str] = {}
        for new in added:  # exact renames: the same blob under a new name in the same commit
            for old in deleted:
                if old not in renamed_from.values() and prev_tree[old] and prev_tree[old] == cur[new]:
                    renamed_from[new] = old
                    break
        for path in sorted(set(cur) | set(prev_tree)):
            ref_new = f"{c.commit_id}:{path}"
            ref_old = f"{prev_commit}:{path}" if prev_commit else None
            if path in renamed_from:
                old = renamed_from[path]
                changes.append(
                    Change(
                        c.commit_id,
                        author,
                        date,
                        "R",
                        path,
                        old,
                        f"{prev_commit}:{old}",
                        ref_new,
                        prev_tree[old] or None,
                        cur[path] or None,
                    )
                )
            elif path in added:
                changes.append(
                    Change(c.commit_id, author, date, "A", path, None, None, ref_new, None, cur[path] or None)
                )
            elif path in deleted and path not in renamed_from.values():
                changes.append(
                    Change(c.commit_id, author, date, "D", path, None, ref_old, None, prev_tree[path] or None, None)
                )
            elif path in cur and path in prev_tree and cur[path] != prev_tree[path]:
                changes.append(
                    Change(
                        c.commit_id,
                        author,
                        date,
                        "M",
                        path,
                        None,
                        ref_old,
                        ref_new,
                        prev_tree[path] or None,
                        cur[path] or None,
                    )
                )
    hist.changes = changes

    def read(ref: str) -> str | None:
        commit, _, path = ref.partition(":")
        local = hf_hub_download(repo_id, path, revision=commit, endpoint=_endpoint())
        with open(local, "rb") as fh:
            return text_of_blob(fh.read(MAX_TEXT_BYTES))

    hist.reader = read
    hist.card_versions = card_versions(changes, hist.read, hist.notes)
    return hist


# ------------------------------------------------------------------------------------------ offline


def open_cached(repo_id: str, revision: str | None):
    """The cached snapshot of the revision (default main) from the local Hugging Face cache."""
    from huggingface_hub import constants
    from huggingface_hub.file_download import REGEX_COMMIT_HASH, repo_folder_name

    from license_audit.sources import Target

    spec = f"hf:{repo_id}" + (f"@{revision}" if revision else "")
    cache = Path(constants.HF_HUB_CACHE)
    storage = cache / repo_folder_name(repo_id=repo_id, repo_type="model")
    if not storage.is_dir():
        raise TargetError(
            f"{spec}: not in the local Hugging Face cache ({cache}); audit it once online or "
            f"download it with `hf download {repo_id}`"
        )
    rev = revision or "main"
    if REGEX_COMMIT_HASH.fullmatch(rev) and (storage / "snapshots" / rev).is_dir():
        sha, via = rev, "commit"
    else:
        ref = storage / "refs" / rev
        if not _safe_rel(rev) or not ref.is_file():
            raise TargetError(f"{spec}: revision '{rev}' is not in the local Hugging Face cache")
        sha = ref.read_text(encoding="utf-8", errors="replace").strip()
        via = f"refs/{rev}"
    snap = storage / "snapshots" / sha
    if not REGEX_COMMIT_HASH.fullmatch(sha) or not snap.is_dir():
        raise TargetError(f"{spec}: the cached {via} points at {sha[:40]!r}, which has no snapshot folder")

    notes = [
        f"offline: audited the cached snapshot {sha} ({via}) of {repo_id}; files that are not in the "
        f"cache were not audited, and history is not available offline"
    ]
    tmp = _temp_folder("license-audit-cache-")
    target = Target(
        TargetInfo("hub", repo_id, sha),
        tmp,
        repo_id.split("/", 1)[1],
        notes=notes,
        cleanup=lambda: shutil.rmtree(tmp, ignore_errors=True),
    )
    try:
        files, headers = _materialise_snapshot(snap, storage, tmp, notes)
    except BaseException:
        target.close()
        raise
    target.remote_files = files
    target.safetensors = headers
    return target


def _materialise_snapshot(snap: Path, storage: Path, dest: Path, notes: list[str]):
    """Copy the small files of a cached snapshot into dest; parse safetensors headers in place.

    Snapshot entries are links into ../../blobs; a link that resolves outside the repository's cache
    folder is not followed (a hostile cache cannot make the audit read other files).
    """
    storage = storage.resolve()
    files: list[str] = []
    headers: dict[str, dict] = {}
    for dirpath, dirnames, filenames in os.walk(snap, followlinks=False):
        dirnames.sort()
        for name in sorted(filenames):
            full = Path(dirpath) / name
            rel = full.relative_to(snap).as_posix()
            if not _safe_rel(rel):
                continue
            real = full.resolve()
            if storage not in real.parents or not real.is_file():
                notes.append(f"offline: {rel} points outside the cached repository; not read")
                continue
            files.append(rel)
            if wanted(rel) and real.stat().st_size <= MAX_SMALL_FILE:
                _copy_capped(real, dest / rel)
            elif rel.endswith(".safetensors"):
                header = read_safetensors_header(real)
                if header is not None:
                    headers[rel] = header
    return sorted(files), headers


def read_safetensors_header(path: Path) -> dict | None:
    """The JSON header of a safetensors file: 8-byte little-endian length, then that much JSON."""
    try:
        with open(path, "rb") as fh:
            size = int.from_bytes(fh.read(8), "little")
            if size <= 0 or size > MAX_SAFETENSORS_HEADER:
                return None
            raw = fh.read(size)
    except OSError:
        return None
    if len(raw) < size:
        return None
    try:
        header = parse_json(raw.decode("utf-8", "replace"), MAX_JSON_DEPTH)
    except JSONProblem:
        return None
    return header if isinstance(header, dict) else None
