"""Start-up and whole-audit cost against `python -c pass` on the same machine.

An audit of a typical model repo runs on every commit as a pre-commit hook, so its cost is shown as a
multiple of the interpreter's own start-up.

Every command runs as users run it (`python -m license_audit`, the console entry), interleaved with the
baseline so machine drift hits both alike; medians of RUNS. Bytecode is written (a wheel install
compiles it; PYTHONDONTWRITEBYTECODE in the environment would otherwise make every run compile the
package), and each command runs once before timing, which fills the derived-data cache the way a
user's first audit does. The first-run cost with an empty cache is printed separately.

`--against REV` compares instead: the audits of this tree and of revision REV of the repository (`git
archive`), interleaved in one run, each tree with its own cache; CPU time (user + system) of each process,
which a busy machine disturbs less than wall time. What a change costs start-up, as a ratio to REV.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUNS = 21
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def once(cmd: list[str], env: dict[str, str] | None = None, cwd: Path = ROOT) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, env=env or ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - t0


def imported_modules(args: list[str]) -> int:
    code = (
        f"import sys, runpy; sys.argv = ['license-audit'] + {args!r}\n"
        "try:\n    runpy.run_module('license_audit', run_name='__main__')\n"
        "except SystemExit:\n    pass\nprint(len(sys.modules), file=sys.stderr)"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=ENV, capture_output=True, text=True)
    return int(proc.stderr.strip().splitlines()[-1])


def git_copy(example: str, where: Path) -> Path:
    """The example as a git work tree with a short history (a model repo as people clone it)."""
    repo = where / example
    shutil.copytree(ROOT / "examples" / example, repo)
    genv = dict(
        ENV,
        GIT_AUTHOR_NAME="A",
        GIT_AUTHOR_EMAIL="a@example.org",
        GIT_COMMITTER_NAME="A",
        GIT_COMMITTER_EMAIL="a@example.org",
        GIT_CONFIG_NOSYSTEM="1",
        HOME=str(where),
    )

    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=repo, env=genv, check=True, capture_output=True)

    git("init", "-q", "-b", "main")
    git("add", "-A")
    git("commit", "-q", "-m", "release")
    for i in range(5):
        with open(repo / "README.md", "a", encoding="utf-8") as fh:
            fh.write(f"\nUpdate {i}.\n")
        git("commit", "-q", "-am", f"card update {i}")
    return repo


def main() -> None:
    cache = tempfile.mkdtemp(prefix="license-audit-bench-cache-")
    env = dict(ENV, LICENSE_AUDIT_CACHE=cache)
    repo = git_copy("llama31-compliant", Path(cache))
    cases = {
        "--version": ["--version"],
        "audit examples/llama31-compliant (text)": ["audit", "examples/llama31-compliant", "--no-history"],
        "audit examples/deepseek-v3-relabelled (text)": ["audit", "examples/deepseek-v3-relabelled", "--no-history"],
        "audit examples/deepseek-v3-relabelled --format json": [
            "audit",
            "examples/deepseek-v3-relabelled",
            "--format",
            "json",
            "--no-history",
        ],
        "audit examples/deepseek-v3-relabelled --format cyclonedx-json": [
            "audit",
            "examples/deepseek-v3-relabelled",
            "--format",
            "cyclonedx-json",
            "--no-history",
        ],
        "audit of the Llama example as a git work tree (6 commits, history read)": ["audit", str(repo)],
    }
    base_cmd = [sys.executable, "-c", "pass"]
    cmds = {label: [sys.executable, "-m", "license_audit", *args] for label, args in cases.items()}
    try:
        for cmd in cmds.values():
            once(cmd, env)  # bytecode and derived-data cache written, as by a user's first run
        samples: dict[str, list[float]] = {label: [] for label in cmds}
        base: list[float] = []
        for _ in range(RUNS):
            base.append(once(base_cmd))
            for label, cmd in cmds.items():
                samples[label].append(once(cmd, env))
        b = statistics.median(base)
        print(f"baseline `python -c pass`: {b * 1000:.0f} ms (median of {RUNS}, interleaved with the commands)")
        for label, args in cases.items():
            t = statistics.median(samples[label])
            print(f"{label}: {t * 1000:.0f} ms = {t / b:.1f}x baseline, {imported_modules(args)} modules imported")
        first = []
        for _ in range(3):
            empty = tempfile.mkdtemp(prefix="license-audit-bench-empty-")
            first.append(once(cmds["audit examples/llama31-compliant (text)"], dict(ENV, LICENSE_AUDIT_CACHE=empty)))
            shutil.rmtree(empty, ignore_errors=True)
        t = statistics.median(first)
        print(
            f"first audit after install (empty cache: rules parsed, identification index and SPDX long-tail "
            f"index built, templates compiled): {t * 1000:.0f} ms = {t / b:.1f}x baseline, once per version"
        )
    finally:
        shutil.rmtree(cache, ignore_errors=True)


def cpu_once(cmd: list[str], env: dict[str, str], cwd: Path) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def against(rev: str, runs: int) -> None:
    where = Path(tempfile.mkdtemp(prefix="license-audit-bench-rev-"))
    try:
        other = where / "tree"
        other.mkdir()
        archive = subprocess.run(["git", "archive", rev], cwd=ROOT, capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(other)], input=archive, check=True)
        # `python -m` puts the working folder first on sys.path: each tree runs its own package.
        trees = {"this tree": ROOT, rev: other}
        envs = {name: dict(ENV, LICENSE_AUDIT_CACHE=str(where / f"cache-{i}")) for i, name in enumerate(trees)}
        cases = {
            "audit examples/llama31-compliant (text)": ["audit", "examples/llama31-compliant", "--no-history"],
            "audit examples/deepseek-v3-relabelled --format json": [
                "audit",
                "examples/deepseek-v3-relabelled",
                "--format",
                "json",
                "--no-history",
            ],
        }
        samples: dict[tuple[str, str], list[float]] = {(label, name): [] for label in cases for name in trees}
        for args in cases.values():
            for name, tree in trees.items():
                cpu_once([sys.executable, "-m", "license_audit", *args], envs[name], tree)  # caches written
        for i in range(runs):
            order = list(trees) if i % 2 == 0 else list(reversed(trees))
            for label, args in cases.items():
                for name in order:
                    samples[(label, name)].append(
                        cpu_once([sys.executable, "-m", "license_audit", *args], envs[name], trees[name])
                    )
        print(f"CPU time of each process, medians of {runs}, this tree and {rev} interleaved")
        for label in cases:
            mine, theirs = statistics.median(samples[(label, "this tree")]), statistics.median(samples[(label, rev)])
            print(f"{label}: {mine * 1000:.0f} ms = {mine / theirs:.3f}x {rev} ({theirs * 1000:.0f} ms)")
    finally:
        shutil.rmtree(where, ignore_errors=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", metavar="REV", help="compare the audits with revision REV instead")
    parser.add_argument("--runs", type=int, default=RUNS)
    opts = parser.parse_args()
    if opts.against:
        against(opts.against, opts.runs)
    else:
        main()
