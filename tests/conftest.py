"""Shared fixtures: model repositories built in temporary folders from the project's own data."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import pytest

# Derived-data caches (parsed rules, the compiled identification index, compiled templates) go to a
# folder of this test run, never the user's ~/.cache; a developer's own LICENSE_AUDIT_CACHE is kept.
_OWN_CACHE = None if "LICENSE_AUDIT_CACHE" in os.environ else tempfile.mkdtemp(prefix="license-audit-test-cache-")
if _OWN_CACHE:
    os.environ["LICENSE_AUDIT_CACHE"] = _OWN_CACHE
# Lineage asks the Hub about bases it does not know unless offline: tests never reach the real Hub (the
# Hub tests clear this and point HF_ENDPOINT at their loopback server).
os.environ.setdefault("HF_HUB_OFFLINE", "1")


def pytest_sessionfinish(session, exitstatus):
    if _OWN_CACHE:
        import shutil

        shutil.rmtree(_OWN_CACHE, ignore_errors=True)


from click.testing import CliRunner  # noqa: E402 (after the cache is set)

from license_audit.cli import main  # noqa: E402
from license_audit.registry import load_registry  # noqa: E402
from license_audit.resources import rules_dir  # noqa: E402

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


def write_tree(root: Path, files: dict[str, str | bytes | dict]) -> Path:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, dict):
            path.write_text(json.dumps(content, indent=2), encoding="utf-8")
        elif isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


def config_of(model_id: str, **changes) -> dict:
    """A config.json carrying a registry model's architecture signature (plus the given changes)."""
    sig = dict(load_registry().get(model_id).signature)
    sig.update({"torch_dtype": "bfloat16", "transformers_version": "4.50.0"})
    sig.update(changes)
    return sig


def pipeline_files(model_id: str, **changes) -> dict[str, dict]:
    """A diffusers repository's configs (model_index.json, the denoiser's, VAE and scheduler configs) carrying a
    registry pipeline's signature (plus the given changes to the denoiser's fields), as diffusers writes them."""
    sig = dict(load_registry().get(model_id).signature)
    sig.update(changes)
    denoiser = sig.pop("denoiser")
    folder = "transformer" if "Transformer" in denoiser else "unet"
    index = {
        "_class_name": sig.pop("pipeline"),
        "_diffusers_version": "0.31.0",
        folder: ["diffusers", denoiser],
        "scheduler": ["diffusers", "EulerDiscreteScheduler"],
        "vae": ["diffusers", "AutoencoderKL"],
    }
    for i, encoder in enumerate(sig.pop("text_encoders", [])):
        index["text_encoder" + (f"_{i + 1}" if i else "")] = ["transformers", encoder]
    vae = {"_class_name": "AutoencoderKL", "_diffusers_version": "0.31.0", "scaling_factor": 0.18215}
    vae.update({k[len("vae_") :]: sig.pop(k) for k in list(sig) if k.startswith("vae_")})
    scheduler = {"_class_name": "EulerDiscreteScheduler", "prediction_type": sig.pop("prediction_type", "epsilon")}
    return {
        "model_index.json": index,
        f"{folder}/config.json": {"_class_name": denoiser, "_diffusers_version": "0.31.0", **sig},
        "vae/config.json": vae,
        "scheduler/scheduler_config.json": scheduler,
    }


def card(front: str, body: str = "# Model\n") -> str:
    return f"---\n{front.strip()}\n---\n\n{body}"


def license_text(lic_id: str) -> str:
    return (rules_dir() / "licenses" / "texts" / f"{lic_id}.txt").read_text(encoding="utf-8")


LLAMA_NOTICE = "Llama 3.1 is licensed under the Llama 3.1 Community License, Copyright © Meta Platforms, Inc. All Rights Reserved.\n"
DEEPSEEK_MIT = license_text("mit").replace("<year> <copyright holders>", "2023 DeepSeek")


def llama_repo(**over) -> dict:
    """A Llama 3.1 fine-tune that honours every duty of its license; `over` replaces files (None removes one)."""
    files = {
        "README.md": card(
            "license: llama3.1\nbase_model: meta-llama/Llama-3.1-8B\nmodel_name: Llama-3.1-Tiny",
            "# Llama-3.1-Tiny\n\nBuilt with Llama. Follow the Acceptable Use Policy.\n",
        ),
        "LICENSE": license_text("llama3.1"),
        "NOTICE": LLAMA_NOTICE,
        "config.json": config_of("meta-llama/Llama-3.1-8B"),
    }
    files.update(over)
    return {k: v for k, v in files.items() if v is not None}


@pytest.fixture
def make_repo(tmp_path):
    counter = {"n": 0}

    def _make(files: dict, name: str | None = None) -> Path:
        counter["n"] += 1
        root = tmp_path / (name or f"repo{counter['n']}")
        root.mkdir()
        return write_tree(root, files)

    return _make


@pytest.fixture
def cli():
    runner = CliRunner()

    def _run(*args):
        return runner.invoke(main, [str(a) for a in args], catch_exceptions=False)

    return _run


def audit_json(cli, path, *extra) -> tuple[dict, int]:
    res = cli("audit", path, "--format", "json", *extra)
    assert res.exit_code in (0, 1), res.output
    return json.loads(res.output), res.exit_code


def rules_of(report: dict, severity: str | None = None) -> set[str]:
    return {f["rule"] for f in report["findings"] if severity is None or f["severity"] == severity}
