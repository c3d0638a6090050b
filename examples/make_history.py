"""Make the git history of examples/deepseek-v3-remediated in a new folder (the example ships no .git).

    python3 examples/make_history.py OUT_DIR [--steps N]

The history replays the case the example is modelled on, one commit per step:

  1. release: DeepSeek's MIT license text (with "Copyright (c) 2023 DeepSeek") as LICENSE, no base_model
  2. LICENSE deleted
  3. a LICENSE again, now holding Apache-2.0, and the card says apache-2.0
  4. the remediation: NOTICE with DeepSeek's MIT notice and copyright line, base_model declared

The last step leaves exactly the files of examples/deepseek-v3-remediated. `--steps N` stops after step N
(`--steps 3` is the state before the remediation). Authors and dates are fixed, so the commit ids are the
same on every machine.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parent / "deepseek-v3-remediated"


def _mit_text() -> str:
    """DeepSeek's MIT text, as the NOTICE of the example reproduces it."""
    notice = (EXAMPLE / "NOTICE").read_text(encoding="utf-8")
    return notice[notice.index("MIT License") :]


def _card(final: str, license_key: str, with_base: bool) -> str:
    card = final.replace("license: apache-2.0", f"license: {license_key}", 1)
    if not with_base:
        card = re.sub(r"^base_model(_relation)?:.*\n", "", card, flags=re.MULTILINE)
        card = card.split("## License", 1)[0].rstrip() + "\n"
        card = card.replace(
            ", fine-tuned from\n[DeepSeek-V3-0324](https://huggingface.co/deepseek-ai/DeepSeek-V3-0324).", "."
        )
    return card


def steps() -> list[tuple[str, dict[str, str | None]]]:
    """(commit message, {path: content, or None to delete}) for each commit."""
    final = {p.name: p.read_text(encoding="utf-8") for p in sorted(EXAMPLE.iterdir()) if p.is_file()}
    return [
        (
            "Release Hinode-LM-3",
            {
                "config.json": final["config.json"],
                "LICENSE": _mit_text(),
                "README.md": _card(final["README.md"], "mit", with_base=False),
            },
        ),
        ("Remove LICENSE", {"LICENSE": None}),
        (
            "License the model under Apache-2.0",
            {"LICENSE": final["LICENSE"], "README.md": _card(final["README.md"], "apache-2.0", with_base=False)},
        ),
        (
            "Keep DeepSeek's MIT notice in NOTICE and declare the base model",
            {"NOTICE": final["NOTICE"], "README.md": final["README.md"]},
        ),
    ]


def make(out: Path, count: int | None = None) -> Path:
    if out.exists() and any(out.iterdir()):
        raise SystemExit(f"{out}: exists and is not empty")
    out.mkdir(parents=True, exist_ok=True)
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(out),  # no user or system configuration changes the commits
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "Hinode AI",
        "GIT_AUTHOR_EMAIL": "ml@hinode.example",
        "GIT_COMMITTER_NAME": "Hinode AI",
        "GIT_COMMITTER_EMAIL": "ml@hinode.example",
        "LC_ALL": "C",
    }

    def git(*args: str, date: str | None = None) -> None:
        extra = {"GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date} if date else {}
        subprocess.run(["git", *args], cwd=out, env={**env, **extra}, check=True, stdout=subprocess.DEVNULL)

    git("init", "-q", "-b", "main")
    plan = steps()[: count if count is not None else None]
    for i, (message, files) in enumerate(plan):
        for name, text in files.items():
            path = out / name
            if text is None:
                path.unlink()
                git("rm", "-q", "--cached", name)
            else:
                path.write_text(text, encoding="utf-8")
                git("add", name)
        git("commit", "-q", "--no-verify", "-m", message, date=f"2026-03-{10 + i * 5:02d}T09:00:00+09:00")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="a new (or empty) folder for the work tree")
    parser.add_argument("--steps", type=int, default=None, help="stop after this many commits (1-4)")
    args = parser.parse_args(argv)
    if shutil.which("git") is None:
        print("git is not installed", file=sys.stderr)
        return 2
    make(args.out, args.steps)
    print(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
