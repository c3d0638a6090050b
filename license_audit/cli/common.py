"""Options and output helpers shared by commands."""

from __future__ import annotations

from pathlib import Path

import click

from license_audit.errors import InputError


def write_output(text: str, output: str | None) -> None:
    if output:
        try:
            Path(output).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise InputError(f"{output}: cannot write report ({exc.strerror})") from None
    else:
        try:
            click.echo(text, nl=False)
        except OSError as exc:  # a full disk or a closed terminal behind stdout
            raise InputError(f"cannot write the report to stdout ({exc.strerror or exc})") from None


def _check_rules_dirs(ctx, param, value):
    # A mistyped --rules folder would otherwise be skipped silently and the audit run without its rules.
    for d in value:
        p = Path(d)
        if not p.is_dir():
            raise InputError(f"{d}: rules folder not found (--rules)")
        if not (p / "licenses").is_dir() and not (p / "models").is_dir() and not (p / "families.yaml").is_file():
            raise InputError(f"{d}: rules folder has neither licenses/, models/ nor families.yaml (--rules)")
    return value


rules_option = click.option(
    "--rules",
    "rules_dirs",
    multiple=True,
    type=click.Path(file_okay=False),
    callback=_check_rules_dirs,
    help="Extra rules folder (licenses/, models/, families.yaml) loaded after the built-in catalog; repeatable.",
)

# batch and watch run their audits on the same engines.
engine_option = click.option(
    "--engine",
    type=click.Choice(["local", "ray"]),
    default="local",
    show_default=True,
    help="local: a process pool on this machine; ray: Ray tasks (needs the [ray] extra).",
)
