import json
import subprocess
import sys

import pytest
from conftest import audit_json, card, config_of, license_text

from license_audit import __version__


def test_version(cli):
    res = cli("--version")
    assert res.exit_code == 0
    assert __version__ in res.output


def test_help_on_every_command(cli):
    res = cli("--help")
    assert res.exit_code == 0
    for name in ("audit", "identify", "lineage"):
        assert name in res.output
        sub = cli(name, "--help")
        assert sub.exit_code == 0, name
        assert "Usage" in sub.output


def test_missing_folder_is_one_line_exit_2(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "license_audit", "audit", str(tmp_path / "nope")], capture_output=True, text=True
    )
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1
    assert "no such folder" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_file_instead_of_folder_is_exit_2(tmp_path):
    f = tmp_path / "x.txt"
    f.write_text("hi")
    proc = subprocess.run([sys.executable, "-m", "license_audit", "audit", str(f)], capture_output=True, text=True)
    assert proc.returncode == 2
    assert "not a folder" in proc.stderr


def test_unknown_format_is_usage_error(cli, make_repo):
    repo = make_repo({"README.md": "x"})
    res = cli("audit", repo, "--format", "pdf")
    assert res.exit_code == 2


def test_broken_front_matter_is_a_finding(cli, make_repo):
    repo = make_repo({"README.md": "---\nlicense: [mit\n---\n# x\n", "LICENSE": license_text("mit")})
    report, _ = audit_json(cli, repo)
    bad = [f for f in report["findings"] if f["rule"] == "invalid-file"]
    assert bad and bad[0]["path"] == "README.md"
    assert "not valid YAML" in bad[0]["message"]


def test_invalid_config_json_is_a_finding(cli, make_repo):
    repo = make_repo({"README.md": card("license: mit"), "LICENSE": license_text("mit"), "config.json": '{"a": 1,,}'})
    report, _ = audit_json(cli, repo)
    bad = [f for f in report["findings"] if f["rule"] == "invalid-file"]
    assert bad and bad[0]["path"] == "config.json" and bad[0]["line"] == 1


def test_json_is_deterministic(cli, make_repo):
    repo = make_repo({"README.md": card("license: apache-2.0"), "config.json": config_of("deepseek-ai/DeepSeek-V3")})
    a = cli("audit", repo, "--format", "json").output
    b = cli("audit", repo, "--format", "json").output
    assert a == b


def test_output_file_and_fail_on(cli, make_repo, tmp_path):
    repo = make_repo(
        {
            "README.md": card("license: llama3.1\nbase_model: meta-llama/Llama-3.1-8B"),
            "config.json": config_of("meta-llama/Llama-3.1-8B"),
        }
    )
    out = tmp_path / "r.json"
    res = cli("audit", repo, "--format", "json", "--output", out)
    assert res.exit_code == 1 and res.output == ""
    data = json.loads(out.read_text())
    assert data["schema_version"] == 1 and data["summary"]["error"] >= 1
    assert cli("audit", repo, "--fail-on", "never").exit_code == 0


def test_fail_on_warning(cli, make_repo):
    repo = make_repo({"README.md": card("license: mit"), "LICENSE": "Some home-made terms nobody knows.\n"})
    assert cli("audit", repo).exit_code == 0
    assert cli("audit", repo, "--fail-on", "warning").exit_code == 1


def test_markdown_and_text_formats(cli, make_repo):
    repo = make_repo({"README.md": card("license: apache-2.0"), "config.json": config_of("deepseek-ai/DeepSeek-V3")})
    md = cli("audit", repo, "--format", "markdown").output
    assert md.startswith("# License audit") and "| error | `base-model-undeclared`" in md
    txt = cli("audit", repo).output
    assert "ERROR base-model-undeclared" in txt


def test_audit_does_not_modify_repo(cli, make_repo):
    repo = make_repo({"README.md": card("license: apache-2.0"), "config.json": config_of("deepseek-ai/DeepSeek-V3")})
    before = {p: p.read_bytes() for p in repo.rglob("*") if p.is_file()}
    cli("audit", repo, "--format", "json")
    after = {p: p.read_bytes() for p in repo.rglob("*") if p.is_file()}
    assert before == after


def test_symlink_out_of_repo_is_not_read(cli, make_repo, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("Permission is hereby granted, free of charge, to any person obtaining a copy")
    repo = make_repo({"README.md": card("license: mit")})
    (repo / "LICENSE").symlink_to(secret)
    report, _ = audit_json(cli, repo)
    assert report["license_files"] == []


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
    assert "neither licenses/, models/ nor families.yaml" in out


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


@pytest.mark.parametrize("bare", [True, False])
def test_a_git_repositorys_own_folder_is_one_line_exit_2(tmp_path, bare):
    # A bare repository (a mirror) or a work tree's .git folder holds git's objects, not the model's files:
    # read as a folder it would hold no license, which is not so.
    repo = tmp_path / "model"
    subprocess.run(["git", "init", "-q", *(["--bare"] if bare else []), str(repo)], check=True)
    target = repo if bare else repo / ".git"
    proc = subprocess.run([sys.executable, "-m", "license_audit", "audit", str(target)], capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "git repository's own folder" in proc.stderr
    assert proc.stdout == ""
