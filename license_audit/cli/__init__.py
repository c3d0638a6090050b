"""Command line: a click group whose subcommands are imported only when used (fast --version/--help).

One thin module per command: parse arguments -> build a report -> format -> exit code.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys

import click

from license_audit import __version__
from license_audit.errors import AuditError

# name -> module under license_audit.cli that defines `command`. Modules that are absent are not listed.
COMMANDS = {
    "audit": "audit",
    "identify": "identify",
    "lineage": "lineage",
    "notice": "notice",
    "fix": "fix",
    "hook": "hook",
    "rules": "rules_cmd",
    "upload": "upload",
    "batch": "batch",
    "registry": "registry_cmd",
    "watch": "watch",
}


class LazyGroup(click.Group):
    def list_commands(self, ctx):
        return sorted(n for n, mod in COMMANDS.items() if importlib.util.find_spec(f"{__name__}.{mod}"))

    def get_command(self, ctx, name):
        mod = COMMANDS.get(name)
        if mod is None or importlib.util.find_spec(f"{__name__}.{mod}") is None:
            return None
        return importlib.import_module(f"{__name__}.{mod}").command

    def make_context(self, info_name, args, parent=None, **extra):
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except click.UsageError as exc:
            usage_error(exc)

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except AuditError as exc:
            fail(str(exc))
        except click.UsageError as exc:
            usage_error(exc)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except KeyboardInterrupt:
            fail("interrupted")
        except Exception as exc:  # never a traceback for the user (CONTRACT: exit 2, one line)
            if os.environ.get("LICENSE_AUDIT_DEBUG"):
                raise
            fail(f"internal error: {type(exc).__name__}: {exc} (set LICENSE_AUDIT_DEBUG=1 for details)")


def usage_error(exc: click.UsageError):
    if type(exc).__name__ == "NoArgsIsHelpError":  # a bare group (`license-audit rules`): click prints its help
        raise exc
    # CONTRACT: a usage error is one line on stderr (click would print usage, a hint and the error).
    path = exc.ctx.command_path if exc.ctx is not None else "license-audit"
    fail(f"{exc.format_message()} (see `{path} --help`)", exc.exit_code)


def fail(message: str, code: int = 2):
    click.echo(f"license-audit: error: {' '.join(message.split())}", err=True)
    sys.exit(code)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="license-audit", message="%(prog)s %(version)s")
def main():
    """Check that an ML model honours the licenses and attribution duties of the models it was built from."""


__all__ = ["fail", "main"]
