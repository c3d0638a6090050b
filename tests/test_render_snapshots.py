"""Every format of every bundled example, byte for byte against tests/snapshots/<example>.<format>.

A deliberate change to a report regenerates them with one command:

    UPDATE_SNAPSHOTS=1 .venv/bin/python -m pytest -q tests/test_render_snapshots.py
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SNAPSHOTS = Path(__file__).resolve().parent / "snapshots"
EXAMPLES = sorted(p.name for p in (ROOT / "examples").iterdir() if p.is_dir())
FORMATS = {
    "text": "txt",
    "json": "json",
    "markdown": "md",
    "html": "html",
    "sarif": "sarif",
    "spdx-json": "spdx.json",
    "cyclonedx-json": "cdx.json",
}
UPDATE = os.environ.get("UPDATE_SNAPSHOTS") == "1"


@pytest.mark.parametrize("fmt", sorted(FORMATS))
@pytest.mark.parametrize("example", EXAMPLES)
def test_snapshot(cli, monkeypatch, example, fmt):
    # Relative target path and no SOURCE_DATE_EPOCH: the output must not depend on where the checkout is.
    monkeypatch.chdir(ROOT)
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    res = cli("audit", f"examples/{example}", "--format", fmt, "--no-history")
    assert res.exit_code in (0, 1), res.output
    path = SNAPSHOTS / f"{example}.{FORMATS[fmt]}"
    if UPDATE:
        path.write_text(res.output, encoding="utf-8")
    assert path.exists(), f"missing snapshot {path.name}: run UPDATE_SNAPSHOTS=1 pytest {Path(__file__).name}"
    assert res.output == path.read_text(encoding="utf-8"), (
        f"{path.name} differs; if the change is intended: UPDATE_SNAPSHOTS=1 pytest tests/test_render_snapshots.py"
    )


def test_every_example_has_every_format():
    expected = {f"{e}.{ext}" for e in EXAMPLES for ext in FORMATS.values()}
    assert expected <= {p.name for p in SNAPSHOTS.iterdir()}


@pytest.mark.parametrize("example", EXAMPLES)
def test_notice_snapshot(cli, monkeypatch, example):
    monkeypatch.chdir(ROOT)
    res = cli("notice", f"examples/{example}")
    assert res.exit_code == 0, res.output
    path = SNAPSHOTS / f"{example}.NOTICE"
    if UPDATE:
        path.write_text(res.output, encoding="utf-8")
    assert path.exists(), f"missing snapshot {path.name}: run UPDATE_SNAPSHOTS=1 pytest {Path(__file__).name}"
    assert res.output == path.read_text(encoding="utf-8"), (
        f"{path.name} differs; if the change is intended: UPDATE_SNAPSHOTS=1 pytest tests/test_render_snapshots.py"
    )
