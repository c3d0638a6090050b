"""license-audit batch: sources, JSON Lines records, resume, summary, exit codes, the local pool."""

from __future__ import annotations

import json
import multiprocessing
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import card, config_of, license_text, write_tree
from test_history import GitRepo

from license_audit.batch import engines
from license_audit.batch.output import JsonlOutput
from license_audit.batch.sources import expand_sources
from license_audit.batch.summary import Summary
from license_audit.errors import InputError
from license_audit.pipeline import AuditOptions

COMPLIANT = {"README.md": card("license: mit"), "LICENSE": license_text("mit")}
RELABELLED = {"README.md": card("license: apache-2.0"), "config.json": config_of("deepseek-ai/DeepSeek-V3")}
UNKNOWN_LICENSE = {"README.md": card("license: mit"), "LICENSE": "Some home-made terms nobody knows.\n"}


@pytest.fixture
def catalogue(tmp_path):
    """A folder of three model repositories (names chosen so that sorted order is not creation order)."""
    root = tmp_path / "catalogue"
    write_tree(root / "c-relabelled", RELABELLED)
    write_tree(root / "a-compliant", COMPLIANT)
    write_tree(root / "b-unknown", UNKNOWN_LICENSE)
    (root / ".cache").mkdir()  # hidden folders are no models
    (root / "notes.txt").write_text("not a model")
    return root


def read_jsonl(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_folder_source_gives_one_record_per_subfolder_in_order(cli, catalogue, tmp_path):
    out = tmp_path / "out.jsonl"
    res = cli("batch", catalogue, "--output", out, "--jobs", 1)
    assert res.exit_code == 1, res.output  # c-relabelled has errors
    records = read_jsonl(out)
    assert [r["target"] for r in records] == [str(catalogue / n) for n in ("a-compliant", "b-unknown", "c-relabelled")]
    assert all(set(r) == {"target", "report"} for r in records)
    rep = {r["target"].rsplit("/", 1)[1]: r["report"] for r in records}
    assert rep["a-compliant"]["summary"] == {"error": 0, "warning": 0, "info": 0}
    assert rep["a-compliant"]["schema_version"] == 1
    assert {f["rule"] for f in rep["c-relabelled"]["findings"]} >= {"base-model-undeclared", "license-incompatible"}
    # The summary goes to stdout when the records go to a file.
    assert "3 target(s): 3 audited, 1 failing --fail-on error, 0 could not be audited" in res.stdout
    assert "base-model-undeclared" in res.stdout and "deepseek-ai/DeepSeek-V3" in res.stdout


def test_fail_on_levels(cli, tmp_path):
    root = tmp_path / "cat"
    write_tree(root / "a", COMPLIANT)
    write_tree(root / "b", UNKNOWN_LICENSE)
    assert cli("batch", root, "-o", tmp_path / "1.jsonl").exit_code == 0
    assert cli("batch", root, "-o", tmp_path / "2.jsonl", "--fail-on", "warning").exit_code == 1


def test_unreadable_target_is_recorded_and_the_batch_goes_on(cli, tmp_path):
    write_tree(tmp_path / "ok", COMPLIANT)
    listing = tmp_path / "targets.txt"
    listing.write_text("# models to audit\nok\n\nmissing-model\nok\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    res = cli("batch", listing, "-o", out, "--jobs", 2)
    records = read_jsonl(out)
    # Relative lines are relative to the list file; duplicates are audited once.
    assert [r["target"] for r in records] == [str(tmp_path / "ok"), str(tmp_path / "missing-model")]
    assert "report" in records[0]
    assert records[1] == {
        "target": str(tmp_path / "missing-model"),
        "error": f"{tmp_path / 'missing-model'}: no such folder",
    }
    assert res.exit_code == 1  # a target that could not be audited is not a pass
    assert "1 could not be audited" in res.stdout and "no such folder" in res.stdout
    assert cli("batch", listing, "-o", tmp_path / "o2.jsonl", "--fail-on", "never").exit_code == 0


def test_rerun_skips_done_targets_and_resumes_after_a_cut(cli, catalogue, tmp_path):
    out = tmp_path / "out.jsonl"
    cli("batch", catalogue, "-o", out, "--jobs", 1)
    full = out.read_bytes()
    lines = full.splitlines(keepends=True)
    # An interrupted run: two records written, the third cut in the middle of its line.
    out.write_bytes(lines[0] + lines[1] + lines[2][:40])
    # a-compliant is done: removing it proves that the re-run does not audit it again.
    import shutil

    shutil.rmtree(catalogue / "a-compliant")
    (catalogue / "a-compliant").mkdir()
    res = cli("batch", catalogue, "-o", out, "--jobs", 1)
    assert res.exit_code == 1
    assert "resuming: 2 of 3 target(s) already in" in res.stderr
    assert out.read_bytes() == full


def test_retry_errors(cli, tmp_path):
    listing = tmp_path / "t.txt"
    listing.write_text("late\n")
    out = tmp_path / "out.jsonl"
    cli("batch", listing, "-o", out)
    assert "error" in read_jsonl(out)[0]
    write_tree(tmp_path / "late", COMPLIANT)
    assert cli("batch", listing, "-o", out).exit_code == 1  # recorded error: skipped
    assert "error" in read_jsonl(out)[0]
    assert cli("batch", listing, "-o", out, "--retry-errors").exit_code == 0
    records = read_jsonl(out)
    assert len(records) == 1 and "report" in records[0]


def test_records_of_other_targets_are_kept(cli, catalogue, tmp_path):
    out = tmp_path / "out.jsonl"
    cli("batch", catalogue, "-o", out)
    listing = tmp_path / "one.txt"
    listing.write_text(str(catalogue / "b-unknown") + "\n")
    res = cli("batch", listing, "-o", out)
    assert res.exit_code == 0 and "1 target(s): 1 audited" in res.stdout  # summary: this run's targets
    assert [r["target"].rsplit("/", 1)[1] for r in read_jsonl(out)] == ["b-unknown", "a-compliant", "c-relabelled"]


def test_output_that_is_not_a_batch_file_is_refused(cli, catalogue, tmp_path):
    out = tmp_path / "report.json"
    out.write_text('{"schema_version": 1}\n{"x": 2}\n')
    res = cli("batch", catalogue, "-o", out)
    assert res.exit_code == 2
    assert "not a batch record" in res.stderr
    assert out.read_text() == '{"schema_version": 1}\n{"x": 2}\n'


def test_parallel_runs_are_byte_identical_to_serial(cli, tmp_path):
    root = tmp_path / "many"
    for i in range(12):
        write_tree(root / f"m{i:02d}", [COMPLIANT, RELABELLED, UNKNOWN_LICENSE][i % 3])
    outs = []
    for jobs, chunk in ((1, None), (2, 1), (2, 5)):
        out = tmp_path / f"o{jobs}-{chunk}.jsonl"
        args = ["batch", root, "-o", out, "--jobs", jobs] + (["--chunk-size", chunk] if chunk else [])
        res = cli(*args)
        assert res.exit_code == 1
        outs.append((out.read_bytes(), res.stdout))
    assert outs[0] == outs[1] == outs[2]


def test_stdout_mode_streams_records_in_order_and_summary_to_stderr(cli, catalogue):
    res = cli("batch", catalogue, "--jobs", 2, "--chunk-size", 1, "--summary-format", "markdown")
    records = [json.loads(line) for line in res.stdout.splitlines()]
    assert [r["target"].rsplit("/", 1)[1] for r in records] == ["a-compliant", "b-unknown", "c-relabelled"]
    assert res.stderr.startswith("# license-audit batch")
    assert "| base-model-undeclared | 1 | 1 |" in res.stderr


def test_summary_file(cli, catalogue, tmp_path):
    res = cli(
        "batch", catalogue, "-o", tmp_path / "o.jsonl", "--summary", tmp_path / "s.md", "--summary-format", "markdown"
    )
    assert res.stdout == ""
    text = (tmp_path / "s.md").read_text()
    assert "## Declared licenses" in text and "| mit | 2 |" in text and "| apache-2.0 | 1 |" in text


def test_usage_errors_exit_2(cli, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    for args, message in [
        ((tmp_path / "nope",), "no such folder or list file"),
        ((empty,), "no model folders"),
        (("hf-org:someorg", "--offline"), "needs the network"),
        (("hf-org:",), "hf-org:NAME"),
        ((empty, "--address", "auto"), "--address is for --engine ray"),
    ]:
        res = cli("batch", *args)
        assert res.exit_code == 2, args
        assert message in res.stderr and res.stderr.count("\n") == 1 and "Traceback" not in res.stderr
    assert cli("batch").exit_code == 2
    assert cli("batch", empty, "--jobs", 0).exit_code == 2


def test_hf_org_offline_env_is_exit_2(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "license_audit", "batch", "hf-org:acme"],
        capture_output=True,
        text=True,
        env=dict(os.environ, HF_HUB_OFFLINE="1"),
    )
    assert proc.returncode == 2 and "needs the network" in proc.stderr and "Traceback" not in proc.stderr


def test_expand_sources_with_a_fake_hub_listing(tmp_path, monkeypatch):
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)  # the listing is a fake: online mode, no network
    write_tree(tmp_path / "local" / "x", COMPLIANT)
    listing = tmp_path / "l.txt"
    listing.write_text("hf-org:acme\nhf:other/model@v1\n# hf:commented/out\n")
    calls = []

    def fake(org):
        calls.append(org)
        return ["acme/zeta", "acme/alpha", "acme/alpha"]

    got = expand_sources(["hf-org:acme", str(tmp_path / "local"), str(listing)], list_models=fake)
    assert got == ["hf:acme/alpha", "hf:acme/zeta", str(tmp_path / "local" / "x"), "hf:other/model@v1"]
    assert calls == ["acme", "acme"]

    def broken(org):
        raise OSError("Connection refused\nmore detail")

    with pytest.raises(InputError, match=r"hf-org:acme: cannot list the organisation's models \(Connection refused\)$"):
        expand_sources(["hf-org:acme"], list_models=broken)


def test_summary_counts_policy_waivers_and_thresholds():
    def rec(target, findings, lineage=(), lic="mit", **extra):
        return {
            "target": target,
            "report": {"model": {"declared_license": lic}, "findings": list(findings), "lineage": list(lineage)},
            **extra,
        }

    warn = {"rule": "license-unknown", "severity": "warning"}
    err = {"rule": "attribution-missing", "severity": "error"}
    s = Summary()
    s.add(rec("a", [warn]))
    s.add(rec("b", [dict(err, waived=True)]))
    s.add(rec("c", [warn], fail_on="warning"))  # its policy says warnings fail
    s.add(
        rec(
            "d",
            [err, err],
            [
                {"model": "m/x", "declared": False, "confidence": 0.9},
                {"model": "m/y", "declared": False, "confidence": 0.6},
            ],
            lic=None,
        )
    )
    s.add({"target": "e", "error": "e: no such folder"})
    assert (s.targets, s.audited, s.failed, len(s.errors)) == (5, 4, 2, 1)
    assert s.rule_targets == {"license-unknown": 2, "attribution-missing": 1}
    assert s.rule_findings["attribution-missing"] == 2
    assert s.licenses == {"mit": 3, "(none)": 1}
    assert s.upstreams == {"m/x": 1} and s.upstreams_undeclared == {"m/x": 1}
    assert s.exit_code == 1
    assert Summary(fail_on="never").exit_code == 0
    text = s.render("text")
    assert text.splitlines()[0].startswith("license-audit batch: 5 target(s)")
    assert "e: no such folder" in text


def test_jsonl_output_unit(tmp_path):
    path = tmp_path / "o.jsonl"
    out = JsonlOutput(str(path))
    out.load()
    out.open()
    out.write({"target": "b", "error": "x"})
    out.write({"target": "a", "report": {}})
    out.write({"target": "b", "report": {"n": 1}})  # a retry replaces the error
    out.finish(["a", "b"])
    assert path.read_text() == '{"target":"a","report":{}}\n{"target":"b","report":{"n":1}}\n'
    # A last record that lost only its newline is kept.
    path.write_text('{"target":"a","report":{}}')
    again = JsonlOutput(str(path))
    again.load()
    assert again.done() == {"a"} and path.read_text() == '{"target":"a","report":{}}\n'


@pytest.mark.skipif(
    multiprocessing.get_start_method(allow_none=False) != "fork",
    reason="the crash is injected by patching the parent before the workers fork",
)
def test_a_worker_that_dies_is_recorded_and_the_rest_is_audited(tmp_path, monkeypatch):
    for name in ("a", "b", "crash", "d", "e"):
        write_tree(tmp_path / name, COMPLIANT)
    real = engines.audit_record

    def audit_or_die(spec, options):
        if spec.endswith("crash"):
            os._exit(3)
        return real(spec, options)

    monkeypatch.setattr(engines, "audit_record", audit_or_die)
    targets = [str(tmp_path / n) for n in ("a", "b", "crash", "d", "e")]
    records = {r["target"]: r for r in engines.run_local(targets, AuditOptions(), jobs=2, chunk_size=2)}
    assert set(records) == set(targets)
    assert records[str(tmp_path / "crash")] == {
        "target": str(tmp_path / "crash"),
        "error": "the worker process auditing this target died",
    }
    assert all("report" in records[t] for t in targets if not t.endswith("crash"))


def test_ray_missing_is_exit_2(cli, catalogue, monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)  # `import ray` raises ImportError
    res = cli("batch", catalogue, "--engine", "ray")
    assert res.exit_code == 2
    assert "--engine ray needs Ray: pip install 'model-license-audit[ray]'" in res.stderr


def test_progress_bar_only_on_a_terminal(cli, catalogue, tmp_path, capsys):
    res = cli("batch", catalogue, "-o", tmp_path / "o.jsonl")
    assert "auditing" not in res.stderr  # CliRunner's stderr is no terminal
    from license_audit.batch.run import BatchSettings, run_batch

    summary = run_batch(
        [str(catalogue)], AuditOptions(), BatchSettings(jobs=1, output=str(tmp_path / "p.jsonl"), progress=True)
    )
    assert summary.audited == 3 and "auditing" in capsys.readouterr().err


def test_batch_help(cli):
    res = cli("batch", "--help")
    assert res.exit_code == 0 and "hf-org:NAME" in res.stdout and "--engine" in res.stdout


def test_two_batches_on_one_output_file_are_refused(cli, catalogue, tmp_path):
    import fcntl

    out = tmp_path / "o.jsonl"
    with out.open("ab") as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)  # a batch that is still running
        res = cli("batch", catalogue, "-o", out)
    assert res.exit_code == 2 and "another batch is writing this file" in res.stderr
    assert cli("batch", catalogue, "-o", out).exit_code == 1  # released: runs


MIT = license_text("mit")


MIT_CARD = card("license: mit")


@pytest.fixture
def undecodable(tmp_path):
    r = GitRepo(tmp_path / "cat" / "odd")
    name = os.fsdecode(b"LICENSE\xff")
    r.commit("initial", {"README.md": MIT_CARD, "LICENSE": MIT, name: "Some terms.\n"})
    r.commit("drop", remove=(name,))
    return r


def test_batch_goes_on_past_a_history_name_that_is_not_utf8(cli, undecodable, tmp_path):
    write_tree(undecodable.root.parent / "plain", {"README.md": MIT_CARD, "LICENSE": MIT})
    out = tmp_path / "out.jsonl"
    res = cli("batch", undecodable.root.parent, "--output", out, "--jobs", 1)
    assert res.exit_code in (0, 1), res.output
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [Path(r["target"]).name for r in records] == ["odd", "plain"]
    assert all("report" in r for r in records)


def test_batch_goes_on_past_a_target_name_that_is_not_utf8(cli, tmp_path):
    cat = tmp_path / "cat"
    write_tree(cat / "ok", {"README.md": MIT_CARD, "LICENSE": MIT})
    write_tree(cat / os.fsdecode(b"bad\xff"), {"README.md": MIT_CARD, "LICENSE": MIT})
    out = tmp_path / "out.jsonl"
    res = cli("batch", cat, "--output", out, "--jobs", 1)
    assert res.exit_code == 1, res.output  # one target could not be audited
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [Path(r["target"]).name for r in records] == ["ok"] and "report" in records[0]
    assert "1 could not be audited" in res.stdout and "bad\ufffd" in res.stdout
    res = cli("batch", cat, "--jobs", 1)
    res.stdout_bytes.decode("utf-8")
    assert [Path(json.loads(line)["target"]).name for line in res.stdout.splitlines() if line.startswith("{")] == ["ok"]


def test_batch_records_a_report_that_cannot_be_written_as_that_targets_error(cli, tmp_path, monkeypatch):
    from license_audit.batch import engines

    cat = tmp_path / "cat"
    write_tree(cat / "a", {"README.md": MIT_CARD, "LICENSE": MIT})
    write_tree(cat / "b", {"README.md": MIT_CARD, "LICENSE": MIT})
    real = engines.run_audit

    class Unwritable:
        fail_on = None

        def to_dict(self):
            return {"notes": ["a name \udcff no file can hold"]}

    monkeypatch.setattr(
        engines, "run_audit", lambda spec, opts: Unwritable() if spec.endswith("/a") else real(spec, opts)
    )
    for output in (["--output", tmp_path / "out.jsonl"], []):
        res = cli("batch", cat, "--jobs", 1, *output)
        assert res.exit_code == 1, res.output
        text = (tmp_path / "out.jsonl").read_text(encoding="utf-8") if output else res.stdout
        records = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
        assert [Path(r["target"]).name for r in records] == ["a", "b"]
        assert "UnicodeEncodeError" in records[0]["error"] and "report" in records[1]


def test_options_and_reports_cross_process_boundaries_by_pickle(catalogue):
    # Worker pools (local processes, Ray tasks) receive the options pickled; a caller's own pool gets
    # reports back the same way.
    import pickle

    from license_audit.pipeline import run_audit

    options = AuditOptions(rules_dirs=("/org/rules",), offline=True, history=False, policy_path="p.yaml")
    assert pickle.loads(pickle.dumps(options)) == options
    report = run_audit(str(catalogue / "c-relabelled"), AuditOptions(offline=True))
    again = pickle.loads(pickle.dumps(report))
    assert again == report and again.to_dict() == report.to_dict() and again.findings
