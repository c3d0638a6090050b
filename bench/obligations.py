"""Cost of the obligations engine and the policy file, against a plain audit measured in the same run.

Cases: the compliant Llama 3.1 example (baseline); the same with a policy of 10 and of 200 waivers, severity overrides and
allow/deny lists; a GGUF whose registry chain is 8 models deep above Llama 3.1; a merge of 6 parents.
Also prints the size of the duty catalog (licenses, duties, duties checked automatically).
"""

from __future__ import annotations

import shutil
import statistics
import tempfile
import time
from pathlib import Path

import yaml

from license_audit.catalog import load_catalog
from license_audit.pipeline import AuditOptions, run_audit
from license_audit.rule_ids import KIND_RULES

ROOT = Path(__file__).resolve().parents[1]
RUNS = 30


def timed(spec: str, options: AuditOptions) -> tuple[float, int]:
    run_audit(spec, options)  # warm the catalog and registry caches
    samples = []
    for _ in range(RUNS):
        t0 = time.perf_counter()
        report = run_audit(spec, options)
        samples.append(time.perf_counter() - t0)
    return statistics.median(samples), len(report.findings)


def main() -> None:
    cat = list(load_catalog())
    duties = [o for lic in cat for o in lic.obligations]
    print(
        f"catalog: {len(cat)} licenses, {len(duties)} duties with clauses, "
        f"{sum(o.kind in KIND_RULES for o in duties)} checked automatically"
    )
    tmp = Path(tempfile.mkdtemp(prefix="bench-obligations-"))
    try:
        base_repo = tmp / "llama"
        shutil.copytree(ROOT / "examples" / "llama31-compliant", base_repo)
        base, n0 = timed(str(base_repo), AuditOptions(history=False))
        print(f"baseline audit (llama31-compliant): {base * 1000:.1f} ms, {n0} findings (median of {RUNS})")

        for count in (10, 200):
            policy = {
                "fail-on": "warning",
                "severity": {"usage-threshold": "warning"},
                "licenses": {"allow": ["llama3.1", "mit", "apache-2.0"], "deny": ["cc-by-nc-4.0"]},
                "waivers": [
                    {
                        "rule": "upstream-notice-missing",
                        "path": f"docs/{i}/*",
                        "reason": f"case {i}",
                        "expires": "2099-01-01",
                    }
                    for i in range(count)
                ],
            }
            (base_repo / ".license-audit.yaml").write_text(yaml.safe_dump(policy), encoding="utf-8")
            t, n = timed(str(base_repo), AuditOptions(history=False))
            print(f"with a {count}-waiver policy: {t * 1000:.1f} ms = {t / base:.2f}x baseline, {n} findings")

        rules = tmp / "rules"
        (rules / "models").mkdir(parents=True)
        chain = [f"org/step-{i}" for i in range(8)]
        for i, mid in enumerate(chain):
            parent = chain[i + 1] if i + 1 < len(chain) else "meta-llama/Llama-3.1-8B"
            entry = {"id": mid, "family": "bench", "license": "llama3.1", "base_model": parent}
            (rules / "models" / f"step{i}.yaml").write_text(yaml.safe_dump(entry), encoding="utf-8")
        gguf = tmp / "gguf"
        gguf.mkdir()
        (gguf / "README.md").write_text(
            f"---\nlicense: llama3.1\nbase_model: {chain[0]}\n---\n# Q4\n", encoding="utf-8"
        )
        t, n = timed(str(gguf), AuditOptions(history=False, rules_dirs=(str(rules),)))
        print(f"GGUF with an 8-deep registry chain: {t * 1000:.1f} ms = {t / base:.2f}x baseline, {n} findings")

        merge = tmp / "merge"
        merge.mkdir()
        parents = "\n".join(f"- {m}" for m in chain[:5] + ["deepseek-ai/DeepSeek-V3"])
        (merge / "README.md").write_text(
            f"---\nlicense: other\nbase_model:\n{parents}\nbase_model_relation: merge\n---\n", encoding="utf-8"
        )
        t, n = timed(str(merge), AuditOptions(history=False, rules_dirs=(str(rules),)))
        print(f"merge of 6 parents: {t * 1000:.1f} ms = {t / base:.2f}x baseline, {n} findings")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
