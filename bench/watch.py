"""watch on the loopback Hub: repositories per second against the bare huggingface_hub calls it needs.

The Hub is the in-memory one of the tests (tests/fakehub.py, tests/test_watch.py's build_hub: over
2,000 repositories, of which the base's listings give ~80 candidates). The floor lists the same models
through huggingface_hub's list_models and downloads each candidate's card, configuration and license
files with one GET each through huggingface_hub's session: no auditing. watch runs with 1 and 2 workers,
each run into an empty cache and output folder. Runs are interleaved; medians of --rounds.

Also printed: HTTP calls per hf: target for `audit hf:... --no-history` (cold cache, then warm).

    .venv/bin/python bench/watch.py [--rounds 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import huggingface_hub.constants as constants  # noqa: E402
from test_watch import BASE, TYPE, build_hub  # noqa: E402


def fresh_cache() -> str:
    path = tempfile.mkdtemp(prefix="bench-watch-cache-")
    constants.HF_HUB_CACHE = path
    os.environ["HF_HUB_CACHE"] = path
    os.environ["LICENSE_AUDIT_CACHE"] = path  # watch keeps its fetches there
    return path


def floor(endpoint: str) -> int:
    """The Hub calls watch cannot do without: the listings, and one GET of each candidate's metadata
    files at its commit, through huggingface_hub's session."""
    from huggingface_hub import HfApi, hf_hub_url
    from huggingface_hub.utils import build_hf_headers, disable_progress_bars, get_session

    from license_audit.sources.hub_listing import EXPAND, derivative_filters
    from license_audit.watch.audit import metadata_file

    disable_progress_bars()
    api = HfApi(endpoint=endpoint)
    found = {}
    for filters in [*derivative_filters(BASE), [TYPE]]:
        for m in api.list_models(filter=filters, expand=list(EXPAND)):
            found.setdefault(m.id, m)
    found.pop(BASE, None)
    for m in found.values():
        for rel in sorted(s.rfilename for s in m.siblings or []):
            if metadata_file(rel):
                r = get_session().get(
                    hf_hub_url(m.id, rel, revision=m.sha, endpoint=endpoint), headers=build_hf_headers()
                )
                if r.status_code >= 400:  # gated, removed: watch records those as errors
                    break
                Path(tempfile.gettempdir(), "bench-watch-floor").write_bytes(r.content)
    return len(found)


def run_watch(jobs: int) -> int:
    from license_audit.pipeline import AuditOptions
    from license_audit.watch.run import WatchSettings, run_watch

    out = tempfile.mkdtemp(prefix="bench-watch-out-")
    run = run_watch(WatchSettings(BASE, out, jobs=jobs), AuditOptions(history=False))
    return run.listed


def sakura_repo():
    """The layout of tests/test_hub.py's Sakura-LM-3: a card, two license files, two configs, one
    safetensors file (its header read by byte range)."""
    import json
    import struct

    from conftest import card, config_of, license_text
    from fakehub import Repo

    header = json.dumps({"w": {"dtype": "BF16", "shape": [4, 2], "data_offsets": [0, 16]}}).encode()
    files = {
        "README.md": card("license: apache-2.0").encode(),
        "LICENSE": b"Apache License 2.0\n",
        "LICENSE-MIT": license_text("mit").encode(),
        "config.json": json.dumps(config_of(BASE)).encode(),
        "generation_config.json": b'{"do_sample": true}',
        "model.safetensors": struct.pack("<Q", len(header)) + header + bytes(16),
        ".gitattributes": b"*.safetensors filter=lfs\n",
    }
    return Repo("sakura-ai/Sakura-LM-3", files, ["deepseek_v3"])


def calls_per_target(hub) -> tuple[int, int, int]:
    """HTTP calls of `audit hf:... --no-history`: cold cache, warm cache, and the floor (model_info plus
    one GET per small file read plus one byte-range GET per safetensors header)."""
    from license_audit.pipeline import AuditOptions, run_audit

    repo = hub.add(sakura_repo())
    spec = f"hf:{repo.id}"
    fresh_cache()
    run_audit("hf:quiet-00/Renamed-LM-00", AuditOptions(history=False))  # once-per-process requests
    fresh_cache()
    counts = []
    for _ in range(2):
        hub.log.clear()
        run_audit(spec, AuditOptions(history=False))
        counts.append(hub.calls())
    del hub.repos[repo.id]
    return counts[0], counts[1], 1 + 5 + 1


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    load = os.getloadavg()[0]
    hub, _groups = build_hub()
    hub.start()
    os.environ["HF_ENDPOINT"] = hub.endpoint
    os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
    cold, warm, least = calls_per_target(hub)
    times: dict[str, list[float]] = {"floor": [], "watch -j1": [], "watch -j2": []}
    counts: dict[str, int] = {}
    for _ in range(args.rounds):
        for name, fn in (
            ("floor", lambda: floor(hub.endpoint)),
            ("watch -j1", lambda: run_watch(1)),
            ("watch -j2", lambda: run_watch(2)),
        ):
            fresh_cache()
            hub.log.clear()
            t0 = time.perf_counter()
            counts[name] = fn()
            times[name].append(time.perf_counter() - t0)
            counts[name + " calls"] = hub.calls()
    hub.stop()
    print(
        f"Hub: {len(hub.repos)} repositories served from this process; candidates of {BASE}: {counts['floor']}; "
        f"{os.cpu_count()} CPUs, load average {load:.1f} at start, {os.getloadavg()[0]:.1f} at the end; "
        f"medians of {args.rounds} interleaved rounds"
    )
    print(
        f"audit hf:... --no-history (5 small files, 1 safetensors header): {cold} HTTP calls cold "
        f"({cold / least:.2f}x the floor of {least}), {warm} warm"
    )
    base = statistics.median(times["floor"])
    for name, ts in times.items():
        med = statistics.median(ts)
        rate = counts[name] / med
        print(
            f"{name:10s} {med:6.2f} s  {rate:7.1f} repos/s  {counts[name + ' calls']:5d} HTTP calls  "
            f"ratio to floor {base / med:5.2f}"
        )


if __name__ == "__main__":
    main()
