"""license-audit identify FILE..."""

from __future__ import annotations

from pathlib import Path

import click

from license_audit.cli.common import rules_option, write_output
from license_audit.errors import InputError


@click.command("identify")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write to this file instead of stdout.")
@rules_option
def command(files, fmt, output, rules_dirs):
    """Name the license(s) in each FILE, with confidence and line span."""
    from license_audit.catalog import load_catalog
    from license_audit.documents import MAX_PDF_BYTES, is_pdf, read_document
    from license_audit.identify import identify_file
    from license_audit.render import printable, to_json
    from license_audit.safeio import MAX_TEXT_BYTES

    catalog = load_catalog(tuple(rules_dirs))
    results = []
    for name in files:
        path = Path(name)
        if path.exists() and not path.is_file():
            raise InputError(f"{name}: not a regular file")  # a FIFO or device would block or never end
        try:
            with open(path, "rb") as fh:
                data = fh.read(MAX_PDF_BYTES + 1 if is_pdf(name) else MAX_TEXT_BYTES)
        except FileNotFoundError:
            raise InputError(f"{name}: no such file") from None
        except OSError as exc:
            raise InputError(f"{name}: cannot be read ({exc.strerror})") from None
        doc = read_document(name, data)
        if doc.text is None:
            raise InputError(f"{name} {doc.problem}")
        found = identify_file(name, doc.text, catalog)
        results.append({"path": name, "licenses": [m.to_dict() for m in found]})
    if fmt == "json":
        write_output(to_json(results), output)
        return
    lines = []
    for res in results:
        if not res["licenses"]:
            lines.append(f"{res['path']}: no license found")
            continue
        for m in res["licenses"]:
            kind = f" [{m['kind']}, modified]" if m.get("modified") else f" [{m['kind']}]"
            if m.get("renamed"):
                kind = f" [{m['kind']}, modified, adopted under another name]"
            if m.get("ambiguous"):
                kind += f" [ambiguous with {', '.join(m['alternatives'])}]"
            lines.append(
                f"{res['path']}: {m['id']} ({m['spdx']}){kind} {m['confidence']:.2f} lines {m['start_line']}-{m['end_line']}"
            )
            for c in m.get("changes", ()):
                lines.append(f"  {c['change']} lines {c['start_line']}-{c['end_line']}: {c['text']}")
    write_output("\n".join(map(printable, lines)) + "\n", output)
