"""Hugging Face Hub targets through huggingface_hub (issue 5 completes history and the cache path)."""

from __future__ import annotations

import os

from license_audit.errors import TargetError


def open_hub(repo_id: str, revision: str | None, offline: bool = False, history: bool = True):
    offline = offline or os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on")
    raise TargetError(f"hf:{repo_id}: Hub targets are not supported yet by this build")
