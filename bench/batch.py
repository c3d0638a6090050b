"""Batch throughput: local pool with 1 and 2 workers, and the Ray engine against it at the same counts.

Generates --count (default 10,000) tiny synthetic model repositories (config.json + README + LICENSE
variants) in a temporary folder, runs `license-audit batch` on them as a user would (a subprocess,
records to a JSON Lines file), and prints targets/s with ratios against `--jobs 1` measured in the
same run. Ray is measured when it is importable (`pip install '.[ray]'`); it starts its own local
instance, whose start-up is part of its cost and is shown separately (a one-target batch).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from license_audit.registry import load_registry  # noqa: E402
from license_audit.resources import rules_dir  # noqa: E402


def text(lic: str) -> str:
    return (rules_dir() / "licenses" / "texts" / f"{lic}.txt").read_text(encoding="utf-8")


def config(model: str, **changes) -> str:
    sig = dict(load_registry().get(model).signature)
    sig.update({"torch_dtype": "bfloat16", "transformers_version": "4.50.0", **changes})
    return json.dumps(sig, indent=2)


def card(front: str, name: str) -> str:
    return f"---\n{front}\n---\n\n# {name}\n\nA synthetic model for the batch benchmark.\n"


def kinds() -> list:
    """Five kinds of repository a catalogue holds: compliant, relabelled, undeclared, unknown, bare."""
    mit, llama = text("mit"), text("llama3.1")
    return [
        lambda n: {"README.md": card("license: mit", n), "LICENSE": mit},
        lambda n: {"README.md": card("license: apache-2.0", n), "config.json": config("deepseek-ai/DeepSeek-V3")},
        lambda n: {
            "README.md": card("license: llama3.1\nbase_model: meta-llama/Llama-3.1-8B", f"Llama-{n}"),
            "LICENSE": llama,
            "config.json": config("meta-llama/Llama-3.1-8B"),
        },
        lambda n: {
            "README.md": card("license: other\nlicense_name: in-house", n),
            "LICENSE": f"{n} terms: internal use only.\n",
            "config.json": config("Qwen/Qwen2.5-32B"),
        },
        lambda n: {"config.json": config("Qwen/Qwen2.5-32B", max_position_embeddings=65536)},
    ]


def generate(root: Path, count: int) -> None:
    makers = kinds()
    for i in range(count):
        repo = root / f"model-{i:05d}"
        repo.mkdir(parents=True)
        for rel, content in makers[i % len(makers)](f"model-{i:05d}").items():
            (repo / rel).write_text(content, encoding="utf-8")


def batch(folder: Path, out: Path, *args: str) -> float:
    out.unlink(missing_ok=True)
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "license_audit", "batch", str(folder), "-o", str(out), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    took = time.perf_counter() - t0
    if proc.returncode not in (0, 1):
        raise SystemExit(f"batch {' '.join(args)} failed: {proc.stderr.strip()}")
    return took


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="runs per configuration, interleaved; the fastest counts (the machine may be shared)",
    )
    args = parser.parse_args()
    has_ray = importlib.util.find_spec("ray") is not None
    tmp = Path(tempfile.mkdtemp(prefix="license-audit-bench-batch-"))
    try:
        t0 = time.perf_counter()
        repos = tmp / "repos"
        generate(repos, args.count)
        one = tmp / "one"
        generate(one, 1)
        print(
            f"{args.count} synthetic repositories (5 kinds) generated in {time.perf_counter() - t0:.1f} s; "
            f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at start; best of {args.repeat} runs each"
        )
        runs = [("local", "1", []), ("local", "2", [])]
        if has_ray:
            runs += [("ray", "1", ["--engine", "ray"]), ("ray", "2", ["--engine", "ray"])]
        times, outputs = {}, {}
        for _ in range(args.repeat):
            for engine, jobs, extra in runs:
                out = tmp / f"{engine}-{jobs}.jsonl"
                took = batch(repos, out, "--jobs", jobs, *extra)
                times[engine, jobs] = min(took, times.get((engine, jobs), took))
                outputs[engine, jobs] = out.read_bytes()
        base = times["local", "1"]
        for (engine, jobs), took in times.items():
            rate = args.count / took
            line = f"{engine:5} --jobs {jobs}: {took:6.1f} s, {rate:7.0f} targets/s"
            if (engine, jobs) == ("local", "1"):
                line += " (baseline)"
            elif engine == "local":
                line += f" = {base / took:.2f}x --jobs 1"
            else:
                local = times["local", jobs]
                line += f" = {local / took:.2f}x local --jobs {jobs} (Ray overhead {took - local:+.1f} s)"
            print(line)
        if has_ray:
            print(f"ray --jobs 2 vs ray --jobs 1: {times['ray', '1'] / times['ray', '2']:.2f}x")
            fixed = {
                e: min(batch(one, tmp / "one.jsonl", "--jobs", "2", *x) for _ in range(args.repeat))
                for e, x in (("local", []), ("ray", ["--engine", "ray"]))
            }
            print(
                f"fixed cost (one-target batch, --jobs 2): local {fixed['local']:.1f} s, ray {fixed['ray']:.1f} s "
                "(Ray starts and stops a local instance)"
            )
            for jobs in ("1", "2"):
                net = times["ray", jobs] - fixed["ray"]
                if net <= 0.1 * times["ray", jobs]:
                    print(
                        f"ray --jobs {jobs} without its start-up: lost in the start-up's noise (use a larger --count)"
                    )
                    continue
                print(
                    f"ray --jobs {jobs} without its start-up: {args.count / net:.0f} targets/s = "
                    f"{(times['local', jobs] - fixed['local']) / net:.2f}x local --jobs {jobs}"
                )
        else:
            print("ray: not installed (pip install '.[ray]'), not measured")
        print(f"load average {os.getloadavg()[0]:.1f} at the end (2 CPUs: above 2, other work shared the machine)")
        same = len(set(outputs.values())) == 1
        print(f"JSON Lines output byte-identical across engines and worker counts: {'yes' if same else 'NO'}")
        if not same:
            sys.exit(1)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
