"""license-audit registry build SOURCE --out DIR: generate the known-model registry from real config.json files."""

from __future__ import annotations

from pathlib import Path

import click


@click.group("registry")
def command():
    """Maintain the known-model registry (rules/models)."""


@command.command("build")
@click.argument("sources", nargs=-1, required=True)
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(file_okay=False),
    help="Folder to write one YAML per model into (e.g. rules/models).",
)
@click.option(
    "--sources",
    "sources_file",
    type=click.Path(dir_okay=False),
    help="License/release facts per repo id (default: OUT/_sources.yaml).",
)
@click.option("--prune", is_flag=True, help="Delete generated YAMLs of models no longer in SOURCE.")
@click.option(
    "--vocab",
    "vocab",
    multiple=True,
    type=click.Path(exists=True),
    help="Folder or source archive holding the vocabulary files _sources.yaml's _tokenizers name "
    "(e.g. the llama-cpp-python sdist with its ggml-vocab-*.gguf). Repeatable.",
)
def build_command(sources, out, sources_file, prune, vocab):
    """Write OUT/OWNER__NAME.yaml for every config in SOURCES (folders, or hf:OWNER/NAME[,OWNER/NAME...])."""
    from license_audit.registry_build import build

    written = build(
        list(sources),
        Path(out),
        Path(sources_file) if sources_file else None,
        prune=prune,
        vocab=[Path(v) for v in vocab],
        warn=lambda line: click.echo(f"warning: {line}", err=True),
    )
    click.echo(f"wrote {len(written)} model entries to {out}")
