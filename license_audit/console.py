"""The `license-audit` program: the click group, run the way a short-lived process runs fastest.

Two settings of the cyclic garbage collector, which shorten a short-lived audit (a pre-commit hook's):
- a high first-generation threshold: importing click, PyYAML and Jinja2 allocates tens of thousands of
  objects that live until exit, and the default threshold (700) walks them again and again. Collection
  still happens, less often, so a long `batch` keeps its memory bounded.
- `gc.freeze()` on the way out: the interpreter's final collection would walk every object only to
  find what the operating system is about to reclaim. atexit handlers and finalizers still run.
Library users (`from license_audit.cli import main`, tests) keep the interpreter's defaults.
"""

from __future__ import annotations

import gc

_STARTUP_THRESHOLD = (50_000, 20, 100)


def run(args: list[str] | None = None) -> None:
    previous = gc.get_threshold()
    gc.set_threshold(*_STARTUP_THRESHOLD)
    try:
        from license_audit.cli import main

        main(args)
    finally:
        gc.set_threshold(*previous)
        gc.freeze()
