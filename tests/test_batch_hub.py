"""hf-org:NAME through huggingface_hub against a loopback HTTP server standing in for the Hub."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

ORGS = {"acme": ["acme/zeta-7b", "acme/alpha-1b", "acme/mid-3b"]}


class FakeHub(BaseHTTPRequestHandler):
    def log_message(self, *args):  # keep pytest output clean
        pass

    def do_GET(self):
        url = urlsplit(self.path)
        query = parse_qs(url.query)
        if url.path != "/api/models":
            self.send_error(404)
            return
        models = ORGS.get(query.get("author", [""])[0], [])
        # Two pages, linked the way the Hub paginates, so the client's paging is exercised.
        page = int(query.get("page", ["1"])[0])
        chunk = models[:2] if page == 1 else models[2:]
        body = json.dumps([{"id": m, "_id": m, "modelId": m, "private": False, "tags": []} for m in chunk]).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        if page == 1 and len(models) > 2:
            host, port = self.server.server_address[:2]
            self.send_header(
                "Link", f'<http://{host}:{port}/api/models?author={query["author"][0]}&page=2>; rel="next"'
            )
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def fake_hub():
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeHub)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def run_batch(endpoint, tmp_path, *args):
    env = {k: v for k, v in os.environ.items() if not k.startswith("HF_")}
    env.update(HF_ENDPOINT=endpoint, HF_HOME=str(tmp_path / "hf-home"), HF_HUB_DISABLE_TELEMETRY="1")
    return subprocess.run(
        [sys.executable, "-m", "license_audit", "batch", *map(str, args)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_hf_org_lists_every_model_of_the_organisation(fake_hub, tmp_path):
    out = tmp_path / "o.jsonl"
    proc = run_batch(fake_hub, tmp_path, "hf-org:acme", "-o", out, "--no-history", "--jobs", 1)
    assert "Traceback" not in proc.stderr
    records = [json.loads(line) for line in out.read_text().splitlines()]
    # Sorted, so the batch order does not depend on the Hub's listing order.
    assert [r["target"] for r in records] == ["hf:acme/alpha-1b", "hf:acme/mid-3b", "hf:acme/zeta-7b"]
    assert all(set(r) in ({"target", "report"}, {"target", "error"}) for r in records)
    assert proc.returncode in (0, 1)


def test_hf_org_with_no_models_is_exit_2(fake_hub, tmp_path):
    proc = run_batch(fake_hub, tmp_path, "hf-org:nobody")
    assert proc.returncode == 2
    assert "hf-org:nobody: the Hub lists no models" in proc.stderr and proc.stderr.count("\n") == 1
