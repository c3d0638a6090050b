"""The pre-commit path against the REUSE tool's pre-commit check, on the same repository.

A git hook runs `license-audit audit .` in a model repository; the REUSE tool's hook runs `reuse lint`
there. Both are whole-repository checks run as a fresh process on every commit, so the user waits for
each from start to exit. The repository is the Llama example as a git work tree with a short history
(built in a temporary folder, as bench/startup.py builds it); each command runs once before timing
(bytecode and license-audit's derived-data cache written, as by a user's first run), then the two
alternate RUNS times so machine drift hits both alike, and the medians are compared.

`reuse` is looked up beside this Python, then on PATH (`pip install reuse` into the bench environment);
without it the bench says so in one line and exits 0.
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from startup import ENV, git_copy, once  # the bench folder is not a package

RUNS = 21


def reuse_command() -> list[str] | None:
    beside = Path(sys.executable).parent / "reuse"
    found = str(beside) if beside.is_file() else shutil.which("reuse")
    return [found, "lint"] if found else None


def main() -> None:
    reuse = reuse_command()
    if reuse is None:
        print("skipped: the REUSE tool is not installed (pip install reuse into this environment)")
        return
    version = subprocess.run([reuse[0], "--version"], capture_output=True, text=True).stdout.strip().splitlines()
    where = Path(tempfile.mkdtemp(prefix="license-audit-bench-reuse-"))
    try:
        env = dict(ENV, LICENSE_AUDIT_CACHE=str(where / "cache"))
        repo = git_copy("llama31-compliant", where)
        audit = [sys.executable, "-m", "license_audit", "audit", "."]
        lint = [*reuse]
        commits = subprocess.run(["git", "rev-list", "--count", "HEAD"], cwd=repo, capture_output=True, text=True)
        files = sum(1 for p in repo.rglob("*") if p.is_file() and ".git" not in p.relative_to(repo).parts)
        once(audit, env, cwd=repo)
        once(lint, env, cwd=repo)
        audit_times: list[float] = []
        lint_times: list[float] = []
        for i in range(RUNS):
            # Alternate which goes first, so neither always runs on a machine the other just warmed.
            pair = [(audit_times, audit), (lint_times, lint)]
            for times, cmd in pair if i % 2 == 0 else reversed(pair):
                times.append(once(cmd, env, cwd=repo))
        a, r = statistics.median(audit_times), statistics.median(lint_times)
        print(
            f"repository: the Llama example as a git work tree, {commits.stdout.strip()} commits, {files} files; "
            f"medians of {RUNS} interleaved runs"
        )
        print(f"reuse lint ({version[0] if version else 'reuse'}): {r * 1000:.0f} ms (baseline)")
        print(f"license-audit audit . (history read): {a * 1000:.0f} ms = {a / r:.2f}x reuse lint (target <= 0.6x)")
    finally:
        shutil.rmtree(where, ignore_errors=True)


if __name__ == "__main__":
    main()
