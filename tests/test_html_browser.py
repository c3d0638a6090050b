"""The html report in a real headless Chromium: it renders, shows every finding, and runs no card script.

Chromium comes from the distribution's packages (.ci/run installs it when it can); without a browser
the test skips.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import card, config_of
from markupsafe import escape

BROWSER = next(
    (b for b in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable") if shutil.which(b)), None
)
pytestmark = pytest.mark.skipif(BROWSER is None, reason="no chromium binary on PATH")

# Each payload would, if it ran, change the title and add an element with id "pwned" to the page.
ACT = "document.title='PWNED';document.body.insertAdjacentHTML('beforeend','<p id=pwned>x</p>')"
PAYLOADS = [
    f"<script>{ACT}</script>",
    f'<img src=x onerror="{ACT}">',
    f'<svg onload="{ACT}"></svg>',
    f"</title><script>{ACT}</script>",
]


def dump_dom(html_file: Path, tmp_path: Path) -> str:
    cmd = [
        BROWSER,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--no-default-browser-check",
        f"--user-data-dir={tmp_path / 'profile'}",
        "--virtual-time-budget=2000",
        "--dump-dom",
        html_file.as_uri(),
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "<html" in proc.stdout, proc.stderr[-2000:]
    return proc.stdout


def test_browser_runs_an_unprotected_payload(tmp_path):
    """Control: the same payload in a page without escaping does run, so the real test can see a run."""
    page = tmp_path / "control.html"
    page.write_text(
        f"<!DOCTYPE html><html><head><title>ok</title></head><body>{PAYLOADS[0]}</body></html>", encoding="utf-8"
    )
    dom = dump_dom(page, tmp_path)
    assert 'id="pwned"' in dom and "<title>PWNED</title>" in dom


def test_html_report_renders_every_finding_and_runs_no_card_script(cli, make_repo, tmp_path):
    name = "Harbor " + " ".join(PAYLOADS)
    repo = make_repo(
        {
            "README.md": card(
                f"license: apache-2.0\nmodel_name: {json.dumps(name)}", "# Harbor\n\n" + "\n\n".join(PAYLOADS) + "\n"
            ),
            "config.json": config_of("meta-llama/Llama-3.1-8B"),
            "LICENSE": "All rights reserved. " + PAYLOADS[1] + "\n",
        }
    )
    report = json.loads(cli("audit", repo, "--format", "json").output)
    assert len(report["findings"]) >= 4
    page = tmp_path / "report.html"
    res = cli("audit", repo, "--format", "html", "--output", page)
    assert res.exit_code == 1, res.output

    dom = dump_dom(page, tmp_path)
    assert 'id="pwned"' not in dom and "PWNED</title>" not in dom
    assert "<title>License audit: Harbor &lt;script&gt;" in dom  # shown as text, not run
    for f in report["findings"]:
        # Text nodes serialise with &, < and > escaped and quotes left as they are.
        assert str(escape(f["message"])).replace("&#34;", '"').replace("&#39;", "'") in dom, f["rule"]
    assert dom.count('class="finding') == len(report["findings"])
    assert "<svg" in dom and "meta-llama/Llama-3.1-8B" in dom
