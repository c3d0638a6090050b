"""What the crawl reads from a repository and what it reports instead of reading: license file names,
links, caps, malformed cards and configs."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from conftest import audit_json, card, config_of, license_text, rules_of

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@pytest.mark.parametrize("name", ["LICENSE-LLAMA3.1", "LICENSE.llama3.1", "LICENSE_2.0", "LICENSE.llama3"])
def test_versioned_license_names_are_license_files(cli, tmp_path, name):
    repo = tmp_path / "m"
    shutil.copytree(EXAMPLES / "llama31-compliant", repo)
    (repo / "LICENSE").rename(repo / name)
    report, code = audit_json(cli, repo, "--no-history")
    assert code == 0 and "upstream-license-missing" not in rules_of(report)
    assert name in [lf["path"] for lf in report["license_files"]]


def test_notice_write_then_audit_is_clean_for_a_missing_upstream_copy(cli, tmp_path):
    # The fix the tool gives ("add ... as LICENSE-LLAMA3.1") must clear the finding it gives.
    repo = tmp_path / "m"
    shutil.copytree(EXAMPLES / "llama31-compliant", repo)
    (repo / "LICENSE").unlink()
    before, _ = audit_json(cli, repo, "--no-history")
    assert "upstream-license-missing" in rules_of(before)
    res = cli("notice", repo, "--write")
    assert res.exit_code == 0, res.output
    after, code = audit_json(cli, repo, "--no-history")
    assert "upstream-license-missing" not in rules_of(after) and code == 0
    again = cli("notice", repo, "--write")
    assert "wrote LICENSE" not in again.output


@pytest.mark.parametrize(
    "links",
    [
        {"loopA": "loopB", "loopB": "loopA"},
        {"LICENSE-loop": "LICENSE-loop"},
        {".license-audit.yaml": ".license-audit.yaml"},
    ],
)
def test_link_loops_are_findings_not_failures(cli, make_repo, links):
    repo = make_repo({"README.md": card("license: mit"), "LICENSE": license_text("mit")})
    for name, target in links.items():
        os.symlink(target, repo / name)
    res = cli("audit", repo, "--format", "json", "--no-history")
    assert res.exit_code in (0, 1), res.output
    problems = [f for f in json.loads(res.output)["findings"] if f["rule"] == "invalid-file"]
    assert {f["path"] for f in problems} >= {n for n in links if n != ".license-audit.yaml"}
    assert all("link loop" in f["message"] for f in problems)
    for command in ("lineage", "notice"):
        assert cli(command, repo).exit_code == 0


def test_config_linked_from_outside_is_a_finding(cli, tmp_path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "config.json").write_text(json.dumps(config_of("deepseek-ai/DeepSeek-V3")))
    repo = tmp_path / "m"
    shutil.copytree(EXAMPLES / "deepseek-v3-relabelled", repo)
    (repo / "config.json").unlink()
    os.symlink(outside / "config.json", repo / "config.json")
    report, _code = audit_json(cli, repo, "--no-history")
    linked = [f for f in report["findings"] if f["rule"] == "invalid-file" and f["path"] == "config.json"]
    assert linked and "points outside the repository" in linked[0]["message"]


def test_hub_cache_snapshot_folder_says_how_to_audit_it(cli, tmp_path):
    cache = tmp_path / "hub" / "models--acme--m"
    (cache / "blobs").mkdir(parents=True)
    snap = cache / "snapshots" / ("a" * 40)
    snap.mkdir(parents=True)
    (cache / "blobs" / "b1").write_text(card("license: mit"))
    os.symlink("../../blobs/b1", snap / "README.md")
    report, _ = audit_json(cli, snap, "--no-history")
    assert any("hf:acme/m --offline" in n for n in report.get("notes") or [])


def test_huge_integer_in_config_is_an_invalid_file(cli, make_repo):
    repo = make_repo(
        {
            "README.md": card("license: mit"),
            "LICENSE": license_text("mit"),
            "config.json": '{"hidden_size": ' + "9" * 5000 + "}",
        }
    )
    report, _ = audit_json(cli, repo, "--no-history")
    bad = [f for f in report["findings"] if f["rule"] == "invalid-file" and f["path"] == "config.json"]
    assert bad and "invalid JSON" in bad[0]["message"]


def test_card_larger_than_the_cap_is_noted(cli, make_repo):
    body = "# M\n\n" + ("filler text line\n" * 170_000) + "\nBuilt with Llama.\n"
    repo = make_repo({"README.md": card("license: mit", body), "LICENSE": license_text("mit")})
    report, _ = audit_json(cli, repo, "--no-history")
    assert any("README.md is larger than 2 MiB" in n for n in report.get("notes") or [])


def test_repeated_and_mistyped_card_keys_are_reported(cli, make_repo):
    front = "license: llama3.1\nmodel_name: {x: 1}\nbase_model: true\nlicense: mit"
    repo = make_repo({"README.md": card(front), "LICENSE": license_text("mit")})
    report, _ = audit_json(cli, repo, "--no-history")
    messages = [f["message"] for f in report["findings"] if f["rule"] == "invalid-file"]
    assert any("sets 'license' more than once; the last value is used" in m for m in messages)
    assert any("'model_name' must be text" in m for m in messages)
    assert any("base_model must be a model id" in m for m in messages)
    assert report["model"]["declared_license"] == "mit"
    assert report["model"]["declared_base_models"] == []  # not a model called "True"
    assert not report["model"]["name"].startswith("{")  # not the mapping's repr


def test_a_tilde_target_is_taken_literally(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "~nobody-here").mkdir()
    (tmp_path / "~nobody-here" / "README.md").write_text(card("license: mit"))
    res = cli("audit", "~nobody-here", "--format", "json", "--no-history")
    assert res.exit_code in (0, 1), res.output
    assert json.loads(res.output)["target"]["id"] == "~nobody-here"


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
    for fmt in ("json", "sarif", "spdx-json", "cyclonedx-json", "html", "markdown", "text"):
        out = tmp_path / f"report.{fmt}"
        res = cli("audit", repo, "--format", fmt, "--output", out)
        assert res.exit_code in (0, 1), res.output
        out.read_bytes().decode("utf-8")
    report, _ = audit_json(cli, repo)
    assert any(f["rule"] == "invalid-file" and "not UTF-8" in f["message"] for f in report["findings"])


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


def test_file_cap_is_said_in_the_notes(make_repo, monkeypatch):
    import license_audit.safeio as safeio
    from license_audit.crawl import crawl

    repo = make_repo({"README.md": card("license: mit"), "LICENSE": "MIT License\n", **{f"f{i}": "" for i in range(5)}})
    real = safeio.walk
    monkeypatch.setattr("license_audit.crawl.walk", lambda root, **kw: real(root, max_files=3, **kw))
    snap = crawl(repo)
    assert len(snap.files) == 3 and any("3 files or more" in n for n in snap.notes)
