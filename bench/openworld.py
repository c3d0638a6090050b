#!/usr/bin/env python3
"""Open-world lineage on the 50 real model repositories of ../shared/data/model-repos.

For each case: every declared base (case.json `declared_base`, as the repository's metadata states it) and,
for cases that declare none, the bases the report infers, before (the baseline commit, checked out into a
temporary folder) and after (this tree). A base is "resolved" when the report gives it a license,
"named unknown" when an upstream-license-unknown finding names it, and "silent" otherwise. Both runs are
offline (no Hub, empty resolution cache): what the registry, the families and the card establish alone.

Usage: python3 bench/openworld.py [--baseline REF]   (default REF: abd0ed7, the tree open-world lineage
was added to)
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile
import tempfile
import time
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CASES = ROOT.parent / "shared" / "data" / "model-repos"


def audit(code_root: Path, case: Path, cache: str) -> dict:
    env = dict(os.environ, PYTHONPATH=str(code_root), HF_HUB_OFFLINE="1", LICENSE_AUDIT_CACHE=cache)
    proc = subprocess.run(
        [sys.executable, "-m", "license_audit", "audit", str(case), "--format", "json", "--no-history", "--offline"],
        env=env,
        cwd=code_root,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if proc.returncode not in (0, 1):
        return {"error": proc.stderr.strip()[-200:]}
    return json.loads(proc.stdout)


def declared_of(case: Path) -> list[str]:
    raw = json.loads((case / "case.json").read_text(encoding="utf-8")).get("declared_base")
    items = raw if isinstance(raw, list) else [raw] if raw else []
    return [str(x) for x in items]


def status(report: dict, base: str) -> str:
    if "error" in report:
        return "error"
    low = base.lower()
    for f in report["findings"]:
        if f["rule"] == "upstream-license-unknown" and (f.get("upstream") or "").lower() == low:
            return "named unknown"
    for c in report["lineage"]:
        names = [c["model"], *c.get("alternatives", []), *c.get("chain", [])]
        if (low in (n.lower() for n in names) or any(base in e for e in c["evidence"])) and c.get("license"):
            return "resolved"
    return "silent"


def inferred_status(report: dict) -> str:
    if "error" in report:
        return "error"
    if any(f["rule"] == "upstream-license-unknown" for f in report["findings"]):
        return "named unknown"
    if any(c.get("license") for c in report["lineage"]):
        return "resolved"
    return "silent"


def checkout(ref: str, dest: Path) -> None:
    data = subprocess.run(["git", "archive", ref], cwd=ROOT, capture_output=True, check=True).stdout
    with tarfile.open(fileobj=BytesIO(data)) as tar:
        tar.extractall(dest, filter="data")


def main() -> int:
    ref = sys.argv[sys.argv.index("--baseline") + 1] if "--baseline" in sys.argv else "abd0ed7"
    if not CASES.is_dir():
        print(f"{CASES} not found: nothing to measure")
        return 0
    cases = sorted(p for p in CASES.iterdir() if (p / "case.json").is_file())
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        base_root = Path(tmp) / "baseline"
        checkout(ref, base_root)
        t0 = time.perf_counter()
        before = {c.name: audit(base_root, c, str(Path(tmp) / "cache-before")) for c in cases}
        t_before = time.perf_counter() - t0
        t0 = time.perf_counter()
        after = {c.name: audit(ROOT, c, str(Path(tmp) / "cache-after")) for c in cases}
        t_after = time.perf_counter() - t0
    counts: dict[str, dict[tuple[str, str], int]] = {"declared": {}, "inferred": {}}
    for c in cases:
        bases = declared_of(c)
        kind = "declared" if bases else "inferred"
        pairs = (
            [(status(before[c.name], b), status(after[c.name], b)) for b in bases]
            if bases
            else [(inferred_status(before[c.name]), inferred_status(after[c.name]))]
        )
        for pair in pairs:
            counts[kind][pair] = counts[kind].get(pair, 0) + 1
            rows.append((c.name, kind, *pair))
    print(f"{len(cases)} cases; baseline {ref} vs this tree; offline, empty resolution cache")
    for kind, label in (("declared", "declared bases"), ("inferred", "cases with no declared base")):
        total = sum(counts[kind].values())
        silent_before = sum(n for (b, _a), n in counts[kind].items() if b == "silent")
        silent_after = sum(n for (_b, a), n in counts[kind].items() if a == "silent")
        print(f"{label}: {total}; silent before {silent_before}, after {silent_after}")
        for (b, a), n in sorted(counts[kind].items()):
            print(f"  {b:>13} -> {a:<13} {n}")
    print(f"time: baseline {t_before:.1f} s, this tree {t_after:.1f} s = {t_after / t_before:.2f}x baseline")
    if "-v" in sys.argv:
        for row in rows:
            print("  ".join(row))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
