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
        click.echo(text, nl=False)


rules_option = click.option(
    "--rules", "rules_dirs", multiple=True, type=click.Path(file_okay=False),
    help="Extra rules folder (licenses/, models/) loaded after the built-in catalog; repeatable.",
)
