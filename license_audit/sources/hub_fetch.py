"""Small files of a Hub repository at a known commit, one GET each, kept on disk by commit.

A listing already gives each model's commit, and a file at a commit never changes: so the file is
asked for once, by its commit, with a capped read, and kept under the license-audit cache as
hub/<repo folder>/<commit>/<path>. hf_hub_download would first send a HEAD request per file to learn
what this caller already knows (the commit; the ETag its cache is keyed by), doubling the requests of
a watch over thousands of models, and it reads a file whole whatever its size. The request goes
through huggingface_hub's session (its retries, token, endpoint and errors).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def cache_root() -> Path | None:
    from license_audit.resources import cache_dir

    where = cache_dir()
    return where / "hub" if where is not None else None


def fetch(repo_id: str, sha: str, rel: str, dest: Path, cap: int) -> bool:
    """Copy the file `rel` of commit `sha` to `dest`; False (nothing written) when it is larger than `cap`.

    HTTP errors are huggingface_hub's (GatedRepoError, RepositoryNotFoundError, ...), for hub_errors.
    """
    from huggingface_hub.file_download import repo_folder_name

    root = cache_root()
    cached = root / repo_folder_name(repo_id=repo_id, repo_type="model") / sha / rel if root is not None else None
    data: bytes | None
    if cached is not None and cached.is_file():
        data = cached.read_bytes()[: cap + 1]
    else:
        data = _get(repo_id, sha, rel, cap)
        if data is None:
            return False
        if cached is not None:
            _store(cached, data)
    if len(data) > cap:
        return False
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_bytes(data)
    return True


def _get(repo_id: str, sha: str, rel: str, cap: int) -> bytes | None:
    from huggingface_hub import hf_hub_url
    from huggingface_hub.utils import build_hf_headers, get_session, hf_raise_for_status

    from license_audit.sources.hub import _endpoint
    from license_audit.sources.hub_http import install

    install()
    url = hf_hub_url(repo_id, rel, revision=sha, endpoint=_endpoint())
    with get_session().stream("GET", url, headers=build_hf_headers()) as response:
        if response.status_code >= 400:
            response.read()
        hf_raise_for_status(response)
        data = bytearray()
        for chunk in response.iter_bytes():
            data += chunk
            if len(data) > cap:  # not read further: the caller notes the file as too large
                return None
    return bytes(data)


def _store(path: Path, data: bytes) -> None:
    """Written whole or not at all (a temporary file renamed): two workers may fetch the same file."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".fetch-")
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except OSError:
        pass  # an unwritable cache costs a download next time, not this audit
