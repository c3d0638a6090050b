"""What the design choices the code explains in words are worth, in figures (the code states no figure).

Each line is a ratio against a baseline measured in the same run:
- imports the audit defers or avoids (GitPython, html, the SPDX license index, licenseclassifier), each in a
  fresh interpreter against `python -c pass`;
- libyaml against the pure-Python loader, loading and composing the shipped rules/;
- defining a dataclass against defining a plain class with slots (what each record class the package
  defines costs its start-up);
- parsing a large tokenizer.json (deferred until a vocabulary is compared) against a whole audit;
- gguf.GGUFReader against the bounded GGUF metadata walk, on the same generated file.
"""

from __future__ import annotations

import dataclasses
import gc
import json
import statistics
import subprocess
import sys
import tempfile
import time
from importlib.util import find_spec
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUNS = 11


def best(fn, runs: int = RUNS) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def imports() -> None:
    cases = {
        "import git (GitPython)": "import git",
        "import html": "import html",
        "SPDX license index (license_expression.get_spdx_licensing())": (
            "from license_expression import get_spdx_licensing; get_spdx_licensing()"
        ),
    }
    if find_spec("licenseclassifier") is not None:
        cases["import licenseclassifier"] = "import licenseclassifier"

    def run(code: str) -> float:
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return time.perf_counter() - t0

    samples: dict[str, list[float]] = {k: [] for k in ["pass", *cases]}
    for _ in range(RUNS):  # interleaved, so machine drift hits every case alike
        samples["pass"].append(run("pass"))
        for label, code in cases.items():
            samples[label].append(run(code))
    base = statistics.median(samples["pass"])
    print(f"baseline `python -c pass`: {base * 1000:.0f} ms (median of {RUNS})")
    for label in cases:
        extra = statistics.median(samples[label]) - base
        print(f"  {label}: +{extra * 1000:.0f} ms = +{extra / base:.1f}x baseline")


def yaml_loaders() -> None:
    import yaml

    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "rules").glob("*/*.yaml"))]
    if not getattr(yaml, "CSafeLoader", None):
        print("libyaml: not available in this PyYAML build")
        return
    fast = best(lambda: [yaml.load(t, Loader=yaml.CSafeLoader) for t in texts], 3)
    slow = best(lambda: [yaml.load(t, Loader=yaml.SafeLoader) for t in texts], 3)
    print(f"loading the shipped rules/ ({len(texts)} files), libyaml: {fast * 1000:.0f} ms (baseline)")
    print(f"  pure-Python SafeLoader: {slow * 1000:.0f} ms = {slow / fast:.1f}x baseline")
    fast = best(lambda: [yaml.compose(t, Loader=yaml.CSafeLoader) for t in texts], 3)
    slow = best(lambda: [yaml.compose(t, Loader=yaml.SafeLoader) for t in texts], 3)
    print(f"composing the same files, libyaml: {fast * 1000:.0f} ms (baseline)")
    print(f"  pure-Python: {slow * 1000:.0f} ms = {slow / fast:.1f}x baseline")


def class_definitions(n: int = 200) -> None:
    fields = ("key", "key2", "length", "text", "words")

    def plain() -> None:
        for i in range(n):

            class Needle:
                __slots__ = fields

                def __init__(self, key, key2, length, text, words):
                    self.key, self.key2, self.length, self.text, self.words = key, key2, length, text, words

            del Needle, i

    def dataclass() -> None:
        for _ in range(n):
            dataclasses.make_dataclass("Needle", fields, slots=True)

    p, d = best(plain, 5), best(dataclass, 5)
    print(f"defining a plain class with slots: {p / n * 1e6:.0f} µs (baseline)")
    print(f"  a dataclass with the same fields (slots=True): {d / n * 1e6:.0f} µs = {d / p:.1f}x baseline")


def tokenizer_parse(tokens: int = 150_000) -> None:
    vocab = {f"tok{i}\u0120piece": i for i in range(tokens)}
    doc = json.dumps({"model": {"type": "BPE", "vocab": vocab, "merges": [f"a{i} b{i}" for i in range(tokens)]}})
    cmd = [sys.executable, "-m", "license_audit", "audit", str(ROOT / "examples" / "llama31-compliant")]
    audit = best(lambda: subprocess.run(cmd, cwd=ROOT, check=False, capture_output=True), 5)
    parse = best(lambda: json.loads(doc), 5)
    print(f"audit of examples/llama31-compliant (CLI process): {audit * 1000:.0f} ms (baseline)")
    print(
        f"  parsing a {tokens // 1000}k-token tokenizer.json ({len(doc) / 1e6:.0f} MB): "
        f"{parse * 1000:.0f} ms = {parse / audit:.1f}x baseline"
    )


def gguf_readers(tokens: int = 32_000) -> None:
    try:
        import gguf
    except ImportError:
        print("gguf: not installed")
        return
    from license_audit.artifacts import gguf_metadata

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "model.gguf"
        w = gguf.GGUFWriter(str(path), "llama")
        w.add_tokenizer_model("llama")
        w.add_token_list([f"tok{i}" for i in range(tokens)])
        w.add_token_scores([0.0] * tokens)
        w.add_token_types([1] * tokens)
        w.write_header_to_file()
        w.write_kv_data_to_file()
        w.write_tensors_to_file()
        w.close()
        ours = best(lambda: gguf_metadata(path), 5)
        theirs = best(lambda: gguf.GGUFReader(str(path)), 3)
    print(f"GGUF metadata of a {tokens // 1000}k-token vocabulary, bounded walk: {ours * 1000:.0f} ms (baseline)")
    print(f"  gguf.GGUFReader: {theirs * 1000:.0f} ms = {theirs / ours:.1f}x baseline")


def main() -> int:
    gc.collect()
    imports()
    yaml_loaders()
    class_definitions()
    tokenizer_parse()
    gguf_readers()
    return 0


if __name__ == "__main__":
    sys.exit(main())
