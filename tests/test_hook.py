"""Publish gates: `hook install`, the pre-commit hook definition, and `upload` (which git hooks never see)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml
from conftest import card, llama_repo, write_tree

from license_audit.cli.hook import MARKER

ROOT = Path(__file__).resolve().parents[1]
GIT = shutil.which("git")
needs_git = pytest.mark.skipif(GIT is None, reason="git is not installed")


def _git_repo(path: Path) -> Path:
    subprocess.run([GIT, "init", "-q", str(path)], check=True)
    return path


@needs_git
def test_install_writes_an_executable_pre_push_hook(cli, tmp_path):
    repo = _git_repo(tmp_path / "r")
    res = cli("hook", "install", "--repo", repo)
    assert res.exit_code == 0 and "installed" in res.output
    hook = repo / ".git" / "hooks" / "pre-push"
    assert os.access(hook, os.X_OK)
    assert MARKER in hook.read_text(encoding="utf-8") and "audit ." in hook.read_text(encoding="utf-8")


@needs_git
def test_reinstall_is_idempotent(cli, tmp_path):
    repo = _git_repo(tmp_path / "r")
    cli("hook", "install", "--repo", repo)
    first = (repo / ".git" / "hooks" / "pre-push").read_bytes()
    res = cli("hook", "install", "--repo", repo)
    assert res.exit_code == 0 and "up to date" in res.output
    assert (repo / ".git" / "hooks" / "pre-push").read_bytes() == first


@needs_git
def test_a_foreign_hook_is_never_overwritten(cli, tmp_path):
    repo = _git_repo(tmp_path / "r")
    hook = repo / ".git" / "hooks" / "pre-commit"
    hook.write_text("#!/bin/sh\nmake lint\n", encoding="utf-8")
    res = cli("hook", "install", "--stage", "pre-commit", "--repo", repo)
    assert res.exit_code == 2
    assert "did not write" in res.output and len(res.output.strip().splitlines()) == 1
    assert hook.read_text(encoding="utf-8") == "#!/bin/sh\nmake lint\n"


def test_outside_a_git_repository_is_a_usage_error(cli, tmp_path):
    res = cli("hook", "install", "--repo", tmp_path)
    assert res.exit_code == 2 and "not inside a git repository" in res.output


@needs_git
def test_installed_hook_blocks_a_failing_model_and_passes_a_compliant_one(cli, tmp_path):
    bad = _git_repo(tmp_path / "bad")
    shutil.copytree(ROOT / "examples" / "deepseek-v3-relabelled", bad, dirs_exist_ok=True)
    good = _git_repo(tmp_path / "good")
    shutil.copytree(ROOT / "examples" / "llama31-compliant", good, dirs_exist_ok=True)
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    for repo, expected in ((bad, 1), (good, 0)):
        cli("hook", "install", "--repo", repo)
        proc = subprocess.run(
            ["sh", str(repo / ".git" / "hooks" / "pre-push")],
            cwd=repo,
            env=env,
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            timeout=120,
        )
        assert proc.returncode == expected, proc.stdout + proc.stderr
        # The way out of a failing hook is named where the hook fails.
        assert ("license-audit fix . --write" in proc.stderr) == (expected == 1)


def test_pre_commit_hook_definition():
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    hook = next(h for h in hooks if h["id"] == "license-audit")
    assert hook["entry"] == "license-audit audit ."
    assert hook["pass_filenames"] is False and hook["always_run"] is True
    assert set(hook["stages"]) == {"pre-commit", "pre-push"}
    assert hook["language"] == "python"


# --- upload ---------------------------------------------------------------------------------------


class FakeHub(BaseHTTPRequestHandler):
    """Just enough of the Hub's commit API for huggingface_hub's upload_folder, on loopback."""

    calls: list = []

    def log_message(self, *args):
        pass

    def _send(self, code, obj):
        data = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        self.calls.append(("GET", self.path, b""))
        self._send(404, {"error": "not here"})

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.calls.append(("POST", self.path, body))
        if "/preupload/" in self.path:
            files = json.loads(body)["files"]
            self._send(
                200, {"files": [{"path": f["path"], "uploadMode": "regular", "shouldIgnore": False} for f in files]}
            )
        elif "/commit/" in self.path:
            host = f"http://{self.headers['Host']}"
            self._send(200, {"commitUrl": f"{host}/acme/harbor/commit/{'a' * 40}", "commitOid": "a" * 40})
        elif "validate-yaml" in self.path:
            self._send(200, {"errors": [], "warnings": []})
        else:
            self._send(404, {"error": "not here"})


@pytest.fixture
def fake_hub():
    FakeHub.calls = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeHub)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", FakeHub.calls
    server.shutdown()
    server.server_close()


def _upload(endpoint, *args):
    env = dict(
        os.environ,
        HF_ENDPOINT=endpoint,
        HF_TOKEN="hf_test_not_a_real_token",
        HF_HUB_DISABLE_TELEMETRY="1",
        HF_HOME=str(Path(args[0]).parent / "hf-home"),
    )
    env.pop("HF_HUB_OFFLINE", None)
    return subprocess.run(
        [sys.executable, "-m", "license_audit", "upload", *map(str, args)],
        env=env,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=120,
    )


def test_upload_of_a_failing_model_is_refused_before_any_request(fake_hub, tmp_path):
    endpoint, calls = fake_hub
    repo = tmp_path / "m"
    shutil.copytree(ROOT / "examples" / "deepseek-v3-relabelled", repo)
    proc = _upload(endpoint, repo, "acme/sakura")
    assert proc.returncode == 1
    assert "upload refused" in proc.stderr and "base-model-undeclared" in proc.stdout
    assert calls == []


def test_upload_of_a_passing_model_commits_its_files(fake_hub, tmp_path):
    endpoint, calls = fake_hub
    repo = tmp_path / "m"
    shutil.copytree(ROOT / "examples" / "llama31-compliant", repo)
    proc = _upload(endpoint, repo, "acme/harbor")
    assert proc.returncode == 0, proc.stderr
    assert "uploaded" in proc.stdout
    commits = [c for c in calls if c[0] == "POST" and "/api/models/acme/harbor/commit/" in c[1]]
    assert len(commits) == 1
    lines = [json.loads(x) for x in commits[0][2].decode().splitlines() if x.strip()]
    paths = {x["value"]["path"] for x in lines if x["key"] == "file"}
    assert {"README.md", "LICENSE", "NOTICE", "config.json"} <= paths


def test_upload_dry_run_sends_nothing(fake_hub, tmp_path):
    endpoint, calls = fake_hub
    repo = tmp_path / "m"
    shutil.copytree(ROOT / "examples" / "llama31-compliant", repo)
    proc = _upload(endpoint, repo, "acme/harbor", "--dry-run")
    assert proc.returncode == 0 and "dry run" in proc.stdout
    assert calls == []


def test_upload_fix_runs_the_fix_before_the_gate(fake_hub, tmp_path):
    endpoint, calls = fake_hub
    repo = write_tree(tmp_path / "m", llama_repo(NOTICE=None))
    assert _upload(endpoint, repo, "acme/harbor", "--dry-run").returncode == 1
    proc = _upload(endpoint, repo, "acme/harbor", "--fix")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "fix: wrote NOTICE" in proc.stdout and "uploaded" in proc.stdout
    assert "Llama 3.1 is licensed under the Llama 3.1 Community License" in (repo / "NOTICE").read_text(
        encoding="utf-8"
    )
    assert any(path.endswith("/commit/main") for _method, path, _body in calls)


def test_upload_fail_on_warning_is_stricter(cli, make_repo):
    repo = make_repo({"README.md": card("license: mit"), "LICENSE": "Some words that are no license.\n"})
    res = cli("upload", repo, "acme/x", "--fail-on", "warning", "--dry-run")
    assert res.exit_code == 1 and "upload refused" in res.output
    assert cli("upload", repo, "acme/x", "--dry-run").exit_code == 0


@pytest.mark.parametrize("repo_id", ["justaname", "a/b/c", "/x"])
def test_upload_bad_repo_id_is_a_usage_error(cli, repo_id):
    res = cli("upload", ROOT / "examples" / "llama31-compliant", repo_id, "--dry-run")
    assert res.exit_code == 2 and "OWNER/NAME" in res.output


def test_upload_unreachable_hub_is_one_line(tmp_path):
    repo = tmp_path / "m"
    shutil.copytree(ROOT / "examples" / "llama31-compliant", repo)
    proc = _upload("http://127.0.0.1:9", repo, "acme/harbor")  # port 9 (discard): nothing listens
    assert proc.returncode == 2
    assert proc.stderr.startswith("license-audit: error:") and "cannot reach the Hub" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def _committed_files(calls, repo_id: str) -> dict[str, bytes]:
    import base64

    commits = [c for c in calls if c[0] == "POST" and f"/api/models/{repo_id}/commit/" in c[1]]
    assert len(commits) == 1
    lines = [json.loads(x) for x in commits[0][2].decode().splitlines() if x.strip()]
    return {x["value"]["path"]: base64.b64decode(x["value"]["content"]) for x in lines if x["key"] == "file"}


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_upload_bom_adds_the_bom_and_notice_in_one_commit_and_leaves_the_folder(fake_hub, tmp_path):
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator

    endpoint, calls = fake_hub
    repo = tmp_path / "m"
    shutil.copytree(ROOT / "examples" / "llama31-compliant", repo)
    (repo / ".git").mkdir()
    (repo / ".git" / "config").write_text("[core]\n")  # never uploaded, as upload_folder never does
    before = _tree(repo)
    proc = _upload(endpoint, repo, "acme/harbor", "--bom")
    assert proc.returncode == 0, proc.stderr
    assert "+ bom.cdx.json" in proc.stdout and "+ NOTICE" in proc.stdout
    files = _committed_files(calls, "acme/harbor")
    assert set(files) == {"README.md", "LICENSE", "NOTICE", "USE_POLICY.md", "config.json", "bom.cdx.json"}
    assert files["config.json"] == before["config.json"]
    bom_text = files["bom.cdx.json"].decode()
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(bom_text) is None
    bom = json.loads(bom_text)
    # The BOM names the model where it is published, not the local folder it came from.
    assert bom["metadata"]["component"]["purl"] == "pkg:huggingface/acme/harbor"
    assert str(tmp_path) not in bom_text
    assert [a["name"] for a in bom["metadata"]["component"]["pedigree"]["ancestors"]] == ["meta-llama/Llama-3.1-8B"]
    notice = files["NOTICE"].decode()
    assert notice.startswith(before["NOTICE"].decode().rstrip("\n"))  # the user's text kept, the block added
    assert "BEGIN license-audit NOTICE" in notice
    assert _tree(repo) == before  # the folder is not modified


def test_upload_bom_leaves_an_up_to_date_notice_alone(cli, make_repo, tmp_path):
    repo = tmp_path / "m"
    shutil.copytree(ROOT / "examples" / "llama31-compliant", repo)
    assert cli("notice", repo, "--write").exit_code == 0
    res = cli("upload", repo, "acme/harbor", "--bom", "--dry-run")
    assert res.exit_code == 0, res.output
    assert "+ bom.cdx.json" in res.output and "+ NOTICE" not in res.output


def test_upload_bom_of_a_failing_model_sends_nothing(fake_hub, tmp_path):
    endpoint, calls = fake_hub
    repo = tmp_path / "m"
    shutil.copytree(ROOT / "examples" / "deepseek-v3-relabelled", repo)
    proc = _upload(endpoint, repo, "acme/sakura", "--bom")
    assert proc.returncode == 1 and calls == []
    assert not (repo / "bom.cdx.json").exists()
