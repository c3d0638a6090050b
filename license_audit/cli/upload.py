"""license-audit upload DIR OWNER/NAME: audit, then upload with huggingface_hub only when the audit passes.

Uploads through the Hub API never run git hooks, so this is the gate for them.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from license_audit.cli.common import rules_option


@click.command("upload")
@click.argument("folder", type=click.Path(file_okay=False))
@click.argument("repo_id")
@click.option(
    "--fail-on",
    type=click.Choice(["error", "warning"]),
    default=None,
    help="Refuse the upload when a finding at or above this severity remains (default: error).",
)
@click.option("--policy", "policy_path", type=click.Path(dir_okay=False), help="Policy file.")
@click.option("--revision", default=None, help="Branch to upload to (default: the repository's main branch).")
@click.option("--commit-message", default=None, help="Commit message on the Hub.")
@click.option("--create", is_flag=True, help="Create the Hub repository first when it does not exist.")
@click.option("--private", is_flag=True, help="With --create: create it private.")
@click.option("--dry-run", is_flag=True, help="Audit and say what would be uploaded; upload nothing.")
@click.option(
    "--bom",
    is_flag=True,
    help="Add the CycloneDX BOM (bom.cdx.json), and the NOTICE when `notice --write` would change it, "
    "to the upload; FOLDER itself is not changed.",
)
@click.option(
    "--fix",
    "fix_first",
    is_flag=True,
    help="Run `license-audit fix --write` on FOLDER before the audit (what it changes and leaves is printed).",
)
@rules_option
def command(
    folder,
    repo_id,
    fail_on,
    policy_path,
    revision,
    commit_message,
    create,
    private,
    dry_run,
    bom,
    fix_first,
    rules_dirs,
):
    """Audit FOLDER; when it passes, upload it to the Hub model repository REPO_ID (OWNER/NAME)."""
    from license_audit.errors import InputError
    from license_audit.pipeline import AuditOptions, run_audit
    from license_audit.render import render_report
    from license_audit.sources import is_hub_spec

    if is_hub_spec(folder):
        raise InputError(f"{folder}: upload takes a local folder")
    parts = repo_id.split("/")
    if len(parts) != 2 or not all(parts):
        raise InputError(f"{repo_id}: the Hub repository is OWNER/NAME")
    if fix_first:
        from license_audit.fix import write_fix

        done, steps = write_fix(folder, rules_dirs=tuple(rules_dirs))
        for line in done:
            click.echo(f"fix: {line}")
        for step in steps:
            click.echo(f"fix: next step: {step}")
    report = run_audit(folder, AuditOptions(rules_dirs=tuple(rules_dirs), history=False, policy_path=policy_path))
    threshold = fail_on or report.fail_on or "error"
    if report.fails(threshold):
        click.echo(render_report(report, "text"), nl=False)
        s = report.summary
        click.echo(
            f"license-audit: upload refused: {s['error']} error(s), {s['warning']} warning(s) at or above "
            f"--fail-on {threshold}; nothing was uploaded to {repo_id}",
            err=True,
        )
        sys.exit(1)
    generated = []
    if bom:
        from license_audit.publish import generated_files

        generated = generated_files(report, Path(folder), repo_id)
    adds = "".join(f"\n  + {g.path} ({g.why})" for g in generated)
    if dry_run:
        click.echo(f"audit passed; would upload {folder} to {repo_id} (dry run, nothing uploaded){adds}")
        return
    url = _upload(folder, repo_id, revision, commit_message, create, private, generated)
    click.echo(f"audit passed; uploaded {folder} to {repo_id}: {url}{adds}")


def _upload(folder, repo_id, revision, message, create, private, generated=()) -> str:
    from huggingface_hub import HfApi
    from huggingface_hub.errors import HfHubHTTPError

    from license_audit.errors import InputError

    api = HfApi()
    try:
        if create:
            api.create_repo(repo_id, repo_type="model", private=private, exist_ok=True)
        if generated:
            from license_audit.publish import folder_operations

            # One commit: the folder's files and the generated ones, which upload_folder cannot add.
            info = api.create_commit(
                repo_id=repo_id,
                operations=folder_operations(Path(folder), list(generated)),
                repo_type="model",
                revision=revision,
                commit_message=message or "Upload with its bill of materials (license-audit passed)",
            )
        else:
            info = api.upload_folder(
                folder_path=folder,
                repo_id=repo_id,
                repo_type="model",
                revision=revision,
                commit_message=message or "Upload (license-audit passed)",
            )
    except HfHubHTTPError as exc:
        raise InputError(f"{repo_id}: upload failed: {str(exc).splitlines()[0]}") from None
    except Exception as exc:  # network errors come from the HTTP client huggingface_hub uses (httpx, requests)
        if type(exc).__module__.startswith(("httpx", "httpcore", "requests", "urllib3")) or isinstance(exc, OSError):
            raise InputError(f"{repo_id}: upload failed: cannot reach the Hub ({exc})") from None
        raise
    return str(getattr(info, "commit_url", info))
