"""Start-up and whole-audit cost against `python -c pass` on the same machine (issue 8 targets).

Target: an audit of a typical model repo in at most 10x the time of `python -c pass`.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUNS = 15


def timed(cmd: list[str]) -> float:
    samples = []
    for _ in range(RUNS):
        t0 = time.perf_counter()
        subprocess.run(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        samples.append(time.perf_counter() - t0)
    return statistics.median(samples)


def imported_modules(args: list[str]) -> int:
    code = ("import sys, runpy; sys.argv = ['license-audit'] + %r\n"
            "try:\n    runpy.run_module('license_audit', run_name='__main__')\n"
            "except SystemExit:\n    pass\nprint(len(sys.modules), file=sys.stderr)") % (args,)
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    return int(proc.stderr.strip().splitlines()[-1])


def main() -> None:
    base = timed([sys.executable, "-c", "pass"])
    cases = {
        "--version": ["--version"],
        "audit examples/llama31-compliant": ["audit", "examples/llama31-compliant", "--no-history"],
        "audit examples/deepseek-v3-relabelled --format json": ["audit", "examples/deepseek-v3-relabelled", "--format", "json", "--no-history"],
    }
    print(f"baseline `python -c pass`: {base * 1000:.0f} ms (median of {RUNS})")
    for label, args in cases.items():
        t = timed([sys.executable, "-m", "license_audit", *args])
        mods = imported_modules(args)
        print(f"{label}: {t * 1000:.0f} ms = {t / base:.1f}x baseline (target <= 10x), {mods} modules imported")


if __name__ == "__main__":
    main()
