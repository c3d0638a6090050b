"""What `fix --write` settles on real model repositories, against `notice --write` measured in the same run.

Corpus: ../shared/data/model-repos (real repositories' metadata files), each copied to a temporary folder
and never changed in place. For each: the audit's error-level findings; then, on one copy, `notice
--write` (the baseline remedy) and the audit again; on another, `fix --write --relicense` and the audit
again, then `fix --write` once more (it must change nothing). Prints the findings each settles, the
ratio, what is left by rule, and the time of a fix against the time of an audit.
"""

from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from license_audit.fix import write_fix
from license_audit.notice import apply as notice_apply
from license_audit.notice import plan as notice_plan
from license_audit.pipeline import AuditOptions, run_audit

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "data" / "model-repos"
OPTIONS = AuditOptions(history=False)


def errors(path: Path) -> Counter:
    report = run_audit(str(path), OPTIONS)
    return Counter(f.rule for f in report.active_findings if f.severity == "error")


def tree(path: Path) -> dict[str, bytes]:
    return {str(p.relative_to(path)): p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file()}


def main() -> int:
    if not CORPUS.is_dir():
        print(f"{CORPUS} is absent; nothing measured")
        return 0
    cases = sorted(p for p in CORPUS.iterdir() if p.is_dir())
    before_total = Counter()
    left_notice = Counter()
    left_fix = Counter()
    repeat_changed = 0
    audit_times: list[float] = []
    fix_times: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        for case in cases:
            a = Path(tmp) / f"{case.name}-notice"
            b = Path(tmp) / f"{case.name}-fix"
            for dst in (a, b):
                shutil.copytree(case, dst, ignore=shutil.ignore_patterns("case.json"))
            t0 = time.perf_counter()
            before_total += errors(b)
            audit_times.append(time.perf_counter() - t0)

            report = run_audit(str(a), OPTIONS)
            notice_apply(notice_plan(report, a), a)
            left_notice += errors(a)

            t0 = time.perf_counter()
            write_fix(str(b), relicense=True)
            fix_times.append(time.perf_counter() - t0)
            left_fix += errors(b)
            snapshot = tree(b)
            write_fix(str(b), relicense=True)
            repeat_changed += tree(b) != snapshot
    total = sum(before_total.values())
    by_notice = total - sum(left_notice.values())
    by_fix = total - sum(left_fix.values())
    print(f"corpus: {len(cases)} real model repositories, {total} error-level findings before")
    print(f"baseline `notice --write`: settles {by_notice} of {total}")
    ratio = f"{by_fix / by_notice:.1f}x baseline" if by_notice else "baseline settles none"
    print(f"`fix --write --relicense`: settles {by_fix} of {total} = {ratio}")
    print(f"left after fix, by rule: {dict(sorted(left_fix.items())) or 'none'}")
    print(f"second `fix --write` changed files in {repeat_changed} of {len(cases)} repositories")
    audit_ms = statistics.median(audit_times) * 1000
    fix_ms = statistics.median(fix_times) * 1000
    print(
        f"median audit: {audit_ms:.0f} ms; median `fix --write` (audits included): {fix_ms:.0f} ms = {fix_ms / audit_ms:.2f}x audit"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
