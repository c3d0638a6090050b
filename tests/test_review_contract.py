"""Acceptance checks against CONTRACT.md from a hostile user's side: bad input is one clear line and exit 2
(or a finding), never an internal error; JSON keeps its documented shape."""

from __future__ import annotations

import pytest
from conftest import audit_json, card


def _one_clear_line(res) -> str:
    assert res.exit_code == 2, res.output
    out = res.output.strip()
    assert "internal error" not in out and "Traceback" not in out
    return out


@pytest.mark.parametrize(
    "spec", ["hf:a b/c", "hf:owner/name@", "hf:owner/name@@x", "hf:-owner/name", "hf:owner/na..me", "hf:owner/name@a b"]
)
def test_malformed_hub_target_is_a_usage_error(cli, spec):
    out = _one_clear_line(cli("audit", spec, "--offline"))
    assert "hf:OWNER/NAME" in out


def test_empty_target_is_an_error_not_the_current_folder(cli):
    out = _one_clear_line(cli("audit", ""))
    assert "TARGET is empty" in out


@pytest.mark.parametrize("command", ["audit", "lineage", "notice"])
def test_missing_or_empty_rules_folder_is_an_error(cli, make_repo, tmp_path, command):
    repo = make_repo({"README.md": card("license: mit"), "LICENSE": "MIT License\n"})
    out = _one_clear_line(cli(command, repo, "--rules", tmp_path / "nope"))
    assert "rules folder not found" in out
    (tmp_path / "empty").mkdir()
    out = _one_clear_line(cli(command, repo, "--rules", tmp_path / "empty"))
    assert "neither licenses/ nor models/" in out


def test_unknown_base_model_relation_never_reaches_the_report(cli, make_repo):
    repo = make_repo(
        {
            "README.md": card("license: mit\nbase_model: meta-llama/Llama-3.1-8B\nbase_model_relation: weird"),
            "LICENSE": "MIT License\n",
        }
    )
    report, _ = audit_json(cli, repo)
    assert report["model"]["base_model_relation"] is None
    assert {c["relation"] for c in report["lineage"]} <= {
        "finetune",
        "adapter",
        "merge",
        "quantized",
        "distillation",
        "unknown",
    }
    assert any(f["rule"] == "invalid-file" and "weird" in f["message"] for f in report["findings"])


def test_base_model_that_is_a_mapping_is_a_finding_not_a_model_id(cli, make_repo):
    repo = make_repo({"README.md": card("license: mit\nbase_model: {a: 1}"), "LICENSE": "MIT License\n"})
    report, _ = audit_json(cli, repo)
    assert report["model"]["declared_base_models"] == []
    assert any(f["rule"] == "invalid-file" and "base_model" in f["message"] for f in report["findings"])


def test_unclosed_front_matter_is_a_finding(cli, make_repo):
    repo = make_repo({"README.md": "---\nlicense: mit\nbase_model: x/y\n\n# Model\n"})
    report, _ = audit_json(cli, repo)
    bad = [f for f in report["findings"] if f["rule"] == "invalid-file"]
    assert bad and bad[0]["path"] == "README.md" and "never closed" in bad[0]["message"]


def test_non_utf8_file_name_is_a_finding_and_every_format_is_utf8(cli, make_repo, tmp_path):
    import os

    repo = make_repo({"README.md": card("license: mit"), "LICENSE": "MIT License\n"})
    try:
        with open(os.path.join(os.fsencode(repo), b"LICENSE-\xff\xfe"), "wb") as fh:
            fh.write(b"x")
    except OSError:
        pytest.skip("the file system refuses non-UTF-8 names")
    for fmt in ("json", "sarif", "spdx-json", "html", "markdown", "text"):
        out = tmp_path / f"report.{fmt}"
        res = cli("audit", repo, "--format", fmt, "--output", out)
        assert res.exit_code in (0, 1), res.output
        out.read_bytes().decode("utf-8")
    report, _ = audit_json(cli, repo)
    assert any(f["rule"] == "invalid-file" and "not UTF-8" in f["message"] for f in report["findings"])


def test_fifo_given_as_file_is_an_error_not_a_hang(cli, make_repo, tmp_path):
    import os

    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs here")
    fifo = tmp_path / "LICENSE"
    os.mkfifo(fifo)
    assert "not a regular file" in _one_clear_line(cli("identify", fifo))
    repo = make_repo({"README.md": card("license: mit"), "LICENSE": "MIT License\n"})
    assert "not a regular file" in _one_clear_line(cli("audit", repo, "--policy", fifo))


@pytest.mark.parametrize(
    "args",
    [
        ["audit", ".", "--format", "xml"],
        ["audit", ".", "--fail-on", "bogus"],
        ["bogus"],
        ["--bogus"],
        ["identify"],
        ["rules", "show"],
        ["hook", "install", "--stage", "x"],
        ["identify", ".", "--format", "xml"],
    ],
)
def test_usage_errors_are_one_line_on_stderr(args):
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-m", "license_audit", *args], capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and proc.stderr.startswith("license-audit: error: "), proc.stderr
    assert "--help" in proc.stderr and proc.stdout == ""


def test_every_catalog_spdx_is_an_spdx_id_or_licenseref_of_its_id():
    from license_expression import get_spdx_licensing

    from license_audit.catalog import load_catalog

    licensing = get_spdx_licensing()
    for lic in load_catalog():
        if lic.spdx.startswith("LicenseRef-"):
            assert lic.spdx == f"LicenseRef-{lic.id}", lic.id
        else:
            licensing.parse(lic.spdx, validate=True, strict=True)


def test_base_model_undeclared_points_at_the_file_of_its_evidence(cli, make_repo):
    repo = make_repo(
        {
            "README.md": card("license: mit", "# Model\n\nThis model was fine-tuned from Qwen/Qwen2.5-7B.\n"),
            "LICENSE": "MIT License\n",
            "config.json": {"architectures": ["Unknown"], "hidden_size": 7},
        }
    )
    report, _ = audit_json(cli, repo)
    found = [f for f in report["findings"] if f["rule"] == "base-model-undeclared"]
    assert found and all(f["path"] == "README.md" for f in found), found


def test_lineage_thresholds_apply_to_the_confidence_the_report_shows(monkeypatch):
    import license_audit.lineage as lineage
    from license_audit.report import Candidate

    made = [
        Candidate("a/b", None, "finetune", False, 0.7996, None),
        Candidate("c/d", None, "finetune", False, 0.4996, None),
        Candidate("e/f", None, "finetune", False, 0.4949, None),
    ]
    monkeypatch.setattr(lineage, "collect_candidates", lambda snapshot, registry: made)
    found = {c.model: c for c in lineage.find_lineage(None, None)}
    assert set(found) == {"a/b", "c/d"}
    assert found["a/b"].derived and found["a/b"].to_dict()["confidence"] == 0.8


def test_oversized_config_is_reported_as_too_large_not_as_bad_json(cli, make_repo):
    from license_audit.safeio import MAX_JSON_BYTES

    repo = make_repo(
        {
            "README.md": card("license: mit"),
            "LICENSE": "MIT License\n",
            "config.json": '{"architectures": ["X"], "pad": "' + "x" * MAX_JSON_BYTES + '"}',
        }
    )
    report, _ = audit_json(cli, repo)
    bad = [f for f in report["findings"] if f["rule"] == "invalid-file" and f["path"] == "config.json"]
    assert bad and "larger than" in bad[0]["message"] and "invalid JSON" not in bad[0]["message"]


@pytest.mark.parametrize("content", ["[1, 2]", "7", b"\x00\x01garbage"])
def test_config_that_is_no_json_object_is_a_finding(cli, make_repo, content):
    repo = make_repo({"README.md": card("license: mit"), "LICENSE": "MIT License\n", "config.json": content})
    report, _ = audit_json(cli, repo)
    assert any(f["rule"] == "invalid-file" and f["path"] == "config.json" and f["fix"] for f in report["findings"])


def test_stdout_that_cannot_be_written_is_one_clear_line():
    import os
    import subprocess
    import sys

    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full here")
    with open("/dev/full", "w") as full:
        proc = subprocess.run(
            [sys.executable, "-m", "license_audit", "rules", "list"], stdout=full, stderr=subprocess.PIPE, text=True
        )
    assert proc.returncode == 2 and "internal error" not in proc.stderr and "Traceback" not in proc.stderr


def test_license_other_naming_nothing_is_license_missing(cli, make_repo):
    report, code = audit_json(cli, make_repo({"README.md": card("license: other")}))
    assert code == 1 and "license-missing" in {f["rule"] for f in report["findings"]}
    named, _ = audit_json(
        cli, make_repo({"README.md": card("license: other\nlicense_name: acme\nlicense_link: LICENSE")})
    )
    assert "license-missing" not in {f["rule"] for f in named["findings"]}


def test_huge_policy_file_is_refused_not_read_whole(cli, make_repo, tmp_path):
    big = tmp_path / "policy.yaml"
    big.write_text("# " + "x" * (1024 * 1024) + "\n", encoding="utf-8")
    repo = make_repo({"README.md": card("license: mit"), "LICENSE": "MIT License\n"})
    assert "larger than" in _one_clear_line(cli("audit", repo, "--policy", big))


def test_file_cap_is_said_in_the_notes(make_repo, monkeypatch):
    import license_audit.safeio as safeio
    from license_audit.crawl import crawl

    repo = make_repo({"README.md": card("license: mit"), "LICENSE": "MIT License\n", **{f"f{i}": "" for i in range(5)}})
    real = safeio.walk
    monkeypatch.setattr("license_audit.crawl.walk", lambda root, **kw: real(root, max_files=3, **kw))
    snap = crawl(repo)
    assert len(snap.files) == 3 and any("3 files or more" in n for n in snap.notes)
