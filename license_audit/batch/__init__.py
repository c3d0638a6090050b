"""Batch audits: many targets, one JSON Lines record each, a summary, on a local pool or a Ray cluster.

sources.py turns SOURCE arguments into target specs, engines.py runs audits, output.py keeps the
resumable JSON Lines file, summary.py counts. Record shape (one JSON object per line):

    {"target": SPEC, "report": {...audit --format json report...}}
    {"target": SPEC, "error": "one line"}

plus `"fail_on": "warning"` when a policy set the threshold for that target.
"""
