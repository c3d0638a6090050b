"""History cost: a 10,000-commit repository audited with history, against `git log --name-status` on it.

The figure is the audit with history as a multiple of the time `git log --name-status` takes over the
same repository, measured side by side in this run: the walk git itself does sets the scale.

The repository is made with `git fast-import` (seconds, not minutes): 10,000 commits of training code and
run logs over ~300 files, the card rewritten every 50 commits (200 versions, license changed once,
base_model dropped once), the upstream LICENSE (MIT, "Copyright (c) 2023 DeepSeek") deleted at commit 6,000
and a LICENSE holding Apache-2.0 added at 8,500 (a name back with other terms: still a removal, judged by
content), a NOTICE added and edited.
A second repository rewrites the card in every commit (10,000 versions: the bounded, bisecting read of
card versions), measured the same way.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

COMMITS = 10_000
ROOT = Path(__file__).resolve().parents[1]
MIT = (
    (ROOT / "rules" / "licenses" / "texts" / "mit.txt")
    .read_text(encoding="utf-8")
    .replace("Copyright (c) <year> <copyright holders>", "Copyright (c) 2023 DeepSeek")
)
APACHE = (ROOT / "rules" / "licenses" / "texts" / "apache-2.0.txt").read_text(encoding="utf-8")


def _blob(data: str) -> bytes:
    raw = data.encode("utf-8")
    return b"data %d\n" % len(raw) + raw + b"\n"


def _card(i: int) -> str:
    lic = "mit" if i < 7000 else "apache-2.0"
    base = "base_model: deepseek-ai/DeepSeek-V3\n" if i < 8000 else ""
    return f"---\nlicense: {lic}\n{base}---\n\n# Sakura-LM\n\nRevision {i}.\n"


def build(repo: Path, card_every: int = 50) -> None:
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)
    lines: list[bytes] = []
    t0 = 1_700_000_000
    for i in range(COMMITS):
        ts = t0 + i * 60
        msg = f"commit {i}"
        lines.append(b"commit refs/heads/main\n")
        lines.append(b"committer Ann Author <ann@example.org> %d +0000\n" % ts)
        lines.append(_blob(msg))
        if i == 0:
            lines.append(b"M 100644 inline LICENSE\n" + _blob(MIT))
            lines.append(b"M 100644 inline train.py\n" + _blob("print('train')\n"))
        # Three ordinary files per commit: one of 100 code files, one of 200 run logs (the tree stays ~300).
        lines.append(b"M 100644 inline src/mod%03d.py\n" % (i % 100) + _blob(f"VALUE = {i}\n"))
        lines.append(
            b"M 100644 inline runs/run%03d/log.txt\n" % (i % 200) + _blob(f"step {i} loss {1 / (i + 1):.6f}\n")
        )
        lines.append(b"M 100644 inline train.py\n" + _blob(f"print('train', {i})\n"))
        if i % card_every == 0:
            lines.append(b"M 100644 inline README.md\n" + _blob(_card(i)))
        if i == 3000:
            lines.append(b"M 100644 inline NOTICE\n" + _blob("Copyright (c) 2023 DeepSeek\n"))
        if i == 4500:
            lines.append(
                b"M 100644 inline NOTICE\n" + _blob("Copyright (c) 2023 DeepSeek\nCopyright (c) 2024 Sakura\n")
            )
        if i == 6000:
            lines.append(b"D LICENSE\n")
        if i == 8500:
            lines.append(b"M 100644 inline LICENSE\n" + _blob(APACHE))
        lines.append(b"\n")
    subprocess.run(["git", "fast-import", "--quiet"], cwd=repo, input=b"".join(lines), check=True)
    subprocess.run(["git", "checkout", "-q", "-f", "main"], cwd=repo, check=True)


def best_of(n: int, fn) -> float:
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def measure(label: str, card_every: int) -> bool:
    with tempfile.TemporaryDirectory() as tmp:
        repo = Path(tmp) / "big"
        t0 = time.perf_counter()
        build(repo, card_every)
        built = time.perf_counter() - t0
        count = subprocess.run(
            ["git", "rev-list", "--count", "HEAD"], cwd=repo, capture_output=True, text=True, check=True
        ).stdout.strip()

        def git_log():
            subprocess.run(["git", "log", "--name-status"], cwd=repo, stdout=subprocess.DEVNULL, check=True)

        env = dict(os.environ, PYTHONPATH=str(ROOT))

        def audit_cli(*extra):
            proc = subprocess.run(
                [sys.executable, "-m", "license_audit", "audit", str(repo), "--format", "json", *extra],
                env=env,
                capture_output=True,
                text=True,
            )
            if proc.returncode not in (0, 1):
                raise SystemExit(f"audit failed: {proc.stderr.strip()}")
            return proc.stdout

        from license_audit.history import git_history

        def history_only():
            git_history(repo).close()

        out = audit_cli()
        rules = sorted({line.split('"')[3] for line in out.splitlines() if line.strip().startswith('"rule"')})
        removed = [
            line.strip() for line in out.splitlines() if "LICENSE:" in line and line.strip().startswith('"message"')
        ]
        # Interleaved best-of-5: the machine may be shared, and both sides see the same load.
        git_ts, audit_ts, nohist_ts, hist_ts = [], [], [], []
        for _ in range(5):
            git_ts.append(best_of(1, git_log))
            audit_ts.append(best_of(1, audit_cli))
            nohist_ts.append(best_of(1, lambda: audit_cli("--no-history")))
            hist_ts.append(best_of(1, history_only))
        git_t, audit_t, nohist_t, hist_t = min(git_ts), min(audit_ts), min(nohist_ts), min(hist_ts)
        print(
            f"[{label}] {count} commits, card rewritten every {card_every} commit(s), built with git fast-import in {built:.1f} s"
        )
        print(
            f"  history rules found: {', '.join(r for r in rules if r in ('license-file-removed', 'license-changed', 'base-model-removed'))}"
        )
        print(f"  the LICENSE removal: {removed[0][11:-1] if removed else 'not reported'}")
        print(f"  git log --name-status:            {git_t:.3f} s (baseline)")
        print(f"  audit with history (CLI process): {audit_t:.3f} s = {audit_t / git_t:.2f}x baseline")
        print(f"  audit --no-history (CLI process): {nohist_t:.3f} s = {nohist_t / git_t:.2f}x baseline")
        print(f"  history pass alone (in process):  {hist_t:.3f} s = {hist_t / git_t:.2f}x baseline")
        print(
            f"  added by history (with - without): {audit_t - nohist_t:.3f} s = {(audit_t - nohist_t) / git_t:.2f}x baseline"
        )
        return audit_t <= 3 * git_t


def main() -> int:
    sys.path.insert(0, str(ROOT))
    ok = measure("typical", 50)
    ok = measure("card in every commit", 1) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
