"""Hub targets through the real huggingface_hub client, without network.

Online: a loopback HTTP server answers the Hub endpoints huggingface_hub calls (model info, tree,
commits, resolve with X-Repo-Commit / ETag / Content-Length and byte ranges), reached through
HF_ENDPOINT. Offline: a Hugging Face cache populated in the documented layout (blobs, snapshots, refs)
and audited with --offline or HF_HUB_OFFLINE=1.
"""

from __future__ import annotations

import hashlib
import json
import os
import struct
import subprocess
import sys
import threading
from http.server import ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from conftest import audit_json, card, config_of, license_text
from fakehub import HubHandler

ROOT = Path(__file__).resolve().parents[1]
MIT = license_text("mit")
REPO = "sakura-ai/Sakura-LM-3"


def sha_of(name: str) -> str:
    return hashlib.sha1(name.encode()).hexdigest()


def safetensors_bytes() -> bytes:
    header = {
        "__metadata__": {"format": "pt"},
        "model.embed_tokens.weight": {"dtype": "BF16", "shape": [4, 2], "data_offsets": [0, 16]},
    }
    raw = json.dumps(header).encode()
    raw += b" " * (-len(raw) % 8)
    return struct.pack("<Q", len(raw)) + raw + bytes(16)


def sakura_commits() -> list[dict]:
    """Newest first, like the Hub: MIT license and base_model at first, both gone in the last commit."""
    cfg = json.dumps(config_of("deepseek-ai/DeepSeek-V3"), indent=2)
    first = {
        "README.md": card("license: mit\nbase_model: deepseek-ai/DeepSeek-V3\nmodel_name: Sakura-LM-3"),
        "LICENSE-MIT": MIT,
        "config.json": cfg,
        "model.safetensors": safetensors_bytes(),
        ".gitattributes": "*.safetensors filter=lfs\n",
    }
    second = dict(first, **{"generation_config.json": '{"do_sample": true}'})
    third = {k: v for k, v in second.items() if k != "LICENSE-MIT"}
    third["README.md"] = card("license: apache-2.0\nmodel_name: Sakura-LM-3")
    third["LICENSE"] = 'Licensed under the Apache License, Version 2.0 (the "License").\n'
    return hub_commits([first, second, third], "commit")


def hub_commits(states: list[dict], name: str, user: str | None = None, day: str = "2024-0{}-01") -> list[dict]:
    """The commits the fake Hub serves for a repository whose files were `states` (oldest first), newest first
    as the Hub lists them: commit i is `sha_of(f"{name}{i}")` by `user` (else "user<i>"), on `day` with i + 1
    filled in."""
    commits = [
        {
            "id": sha_of(f"{name}{i}"),
            "authors": [{"user": user or f"user{i}"}],
            "date": f"{day.format(i + 1)}T00:00:00.000Z",
            "title": f"commit {i}",
            "message": "",
            "files": {k: (v.encode() if isinstance(v, str) else v) for k, v in files.items()},
        }
        for i, files in enumerate(states)
    ]
    return list(reversed(commits))


class FakeHub:
    def __init__(self):
        self.repos: dict[str, dict] = {REPO: {"commits": sakura_commits()}}
        self.log: list[tuple[str, str, str | None, str | None]] = []

    def commit_of(self, repo: dict, rev: str) -> dict | None:
        if rev == "main":
            return repo["commits"][0]
        return next((c for c in repo["commits"] if c["id"] == rev), None)


def make_handler(hub: FakeHub):
    class Handler(HubHandler):
        def handle_any(self, head: bool):
            url = urlsplit(self.path)
            path = unquote(url.path)
            hub.log.append((self.command, path, self.headers.get("Range"), self.headers.get("Authorization")))
            parts = path.strip("/").split("/")
            api = parts[:2] == ["api", "models"]
            repo_id = "/".join(parts[2:4]) if api else "/".join(parts[0:2])
            repo = hub.repos.get(repo_id)
            if repo is None or (repo.get("token") and self.headers.get("Authorization") != f"Bearer {repo['token']}"):
                return self._error(404 if repo is None else 401, "RepoNotFound", head)
            rest = parts[4:] if api else parts[2:]
            if api and (not rest or rest[0] == "revision"):
                # Scripted failures before the answer: 429 (with Retry-After) or a 5xx, one per request.
                if repo.get("fail"):
                    status = repo["fail"].pop(0)
                    extra = {"Retry-After": "0"} if status == 429 else {}
                    return self._send(status, b"{}", {"Content-Type": "application/json", **extra}, head)
                if repo.get("gated_api"):
                    return self._error(403, "GatedRepo", head)
                commit = hub.commit_of(repo, rest[1] if rest else "main")
                if commit is None:
                    return self._error(404, "RevisionNotFound", head)
                info = {
                    "id": repo_id,
                    "sha": commit["id"],
                    "private": bool(repo.get("token")),
                    "gated": "manual" if repo.get("gated") else False,
                    "siblings": [{"rfilename": f} for f in sorted(commit["files"])],
                    "tags": list(repo.get("tags", [])),
                }
                if repo.get("card_data") is not None:
                    info["cardData"] = repo["card_data"]
                return self._json(info, head)
            if api and rest[0] == "tree":
                commit = hub.commit_of(repo, rest[1])
                if commit is None:
                    return self._error(404, "RevisionNotFound", head)
                entries = [
                    {"type": "file", "path": f, "size": len(b), "oid": hashlib.sha1(b).hexdigest()}
                    for f, b in sorted(commit["files"].items())
                ]
                return self._json(entries, head)
            if api and rest[0] == "commits" and repo.get("no_commits"):
                return self._send(403, b"{}", {"Content-Type": "application/json"}, head)
            if api and rest[0] == "commits":
                commit = hub.commit_of(repo, rest[1])
                if commit is None:
                    return self._error(404, "RevisionNotFound", head)
                idx = repo["commits"].index(commit)
                return self._json(
                    [{k: c[k] for k in ("id", "authors", "date", "title", "message")} for c in repo["commits"][idx:]],
                    head,
                )
            if not api and len(rest) >= 3 and rest[0] == "resolve":
                commit = hub.commit_of(repo, rest[1])
                if commit is None:
                    return self._error(404, "RevisionNotFound", head)
                if repo.get("gated"):
                    return self._error(403, "GatedRepo", head)
                name = "/".join(rest[2:])
                data = commit["files"].get(name)
                headers = {"X-Repo-Commit": commit["id"], "ETag": f'"{hashlib.sha1(data or b"").hexdigest()}"'}
                if data is None:
                    return self._send(404, b"", dict(headers, **{"X-Error-Code": "EntryNotFound"}), head)
                rng = self.headers.get("Range")
                if rng and rng.startswith("bytes="):
                    a, _, b = rng[6:].partition("-")
                    part = data[int(a) : int(b) + 1 if b else None]
                    return self._send(
                        206,
                        part,
                        dict(headers, **{"Content-Range": f"bytes {a}-{int(a) + len(part) - 1}/{len(data)}"}),
                        head,
                    )
                return self._send(200, data, headers, head)
            return self._error(404, "RepoNotFound", head)

    return Handler


@pytest.fixture
def fake_hub(monkeypatch, tmp_path):
    hub = FakeHub()
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(hub))
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    hub.endpoint = f"http://127.0.0.1:{server.server_address[1]}"
    hub.cache = tmp_path / "hf-cache"
    # In-process: HF_ENDPOINT is read by license_audit at call time; the cache folder is a constant
    # huggingface_hub read at import, so it is patched (subprocess tests pass both through the env).
    import huggingface_hub.constants as c

    monkeypatch.setenv("HF_ENDPOINT", hub.endpoint)
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.delenv("HF_TOKEN", raising=False)
    monkeypatch.setattr(c, "HF_HUB_CACHE", str(hub.cache))
    monkeypatch.setattr(c, "HF_HUB_OFFLINE", False)
    yield hub
    server.shutdown()
    server.server_close()


def run_cli(*args, env: dict) -> subprocess.CompletedProcess:
    full = dict(os.environ, PYTHONPATH=str(ROOT), **env)
    return subprocess.run(
        [sys.executable, "-m", "license_audit", *args], env=full, capture_output=True, text=True, timeout=120
    )


def findings(report: dict, rule: str) -> list[dict]:
    return [f for f in report["findings"] if f["rule"] == rule]


# ------------------------------------------------------------------------------------------- online


def test_hub_target_audit_with_history(cli, fake_hub):
    report, code = audit_json(cli, f"hf:{REPO}")
    head = sha_of("commit2")
    assert code == 1
    assert report["target"] == {"kind": "hub", "id": REPO, "revision": head}
    assert report["model"]["declared_license"] == "apache-2.0"
    assert "base-model-undeclared" in {f["rule"] for f in report["findings"]}
    assert [(f["path"], f["commit"]) for f in findings(report, "license-file-removed")] == [("LICENSE-MIT", head)]
    assert [f["commit"] for f in findings(report, "license-changed")] == [head]
    assert [(f["upstream"], f["commit"]) for f in findings(report, "base-model-removed")] == [
        ("deepseek-ai/DeepSeek-V3", head)
    ]
    assert any("all 3 Hub commits compared" in n for n in report["notes"])
    removed = [e for e in report["history"]["events"] if e["action"] == "deleted"]
    assert removed == [
        {
            "path": "LICENSE-MIT",
            "action": "deleted",
            "commit": head,
            "author": "user2",
            "date": "2024-03-01T00:00:00+00:00",
        }
    ]


def relicensed_commits() -> list[dict]:
    """Newest first: a Yi-6B release under the Yi license, then its LICENSE replaced by Apache-2.0's text."""
    cfg = json.dumps(config_of("01-ai/Yi-6B-Chat"), indent=2)
    first = {
        "README.md": card("license: other\nlicense_name: yi-license\nlicense_link: LICENSE"),
        "LICENSE": license_text("yi-license"),
        "config.json": cfg,
    }
    second = dict(first, **{"README.md": card("license: apache-2.0"), "LICENSE": license_text("apache-2.0")})
    return hub_commits([first, second], "yi", "01ai")


def replaced_commits(model: str, path: str, old: str, new: str, card_front: str) -> list[dict]:
    """A release of `model` (its config) whose `path` held `old` and then `new`."""
    first = {"README.md": card(card_front), path: old, "config.json": json.dumps(config_of(model), indent=2)}
    return hub_commits([first, dict(first, **{path: new})], "replaced", "publisher")


@pytest.mark.parametrize(
    ("repo", "model", "path", "old"),
    [
        # Dolly v2 (MIT) derives from Pythia (Apache-2.0): the Apache text is EleutherAI's to keep.
        ("databricks/dolly-v2-7b", "databricks/dolly-v2-7b", "LICENSE", license_text("apache-2.0")),
        # A third party's MIT text (a tokenizer's) in 01.AI's own Yi release is not 01.AI's to relicense.
        (
            "01-ai/Yi-6B",
            "01-ai/Yi-6B-Chat",
            "tokenizer/LICENSE",
            MIT.replace("<year> <copyright holders>", "2022 EleutherAI"),
        ),
    ],
)
def test_a_publisher_keeps_the_texts_of_licenses_not_its_own(cli, fake_hub, repo, model, path, old):
    fake_hub.repos[repo] = {"commits": replaced_commits(model, path, old, license_text("bsd-3-clause"), "license: mit")}
    report, _ = audit_json(cli, f"hf:{repo}")
    assert [f["path"] for f in findings(report, "license-file-removed")] == [path], report["findings"]


@pytest.mark.parametrize(("repo", "removed"), [("01-ai/Yi-6B", False), ("someone/Yi-6B", True)])
def test_a_publisher_relicensing_its_own_model_removes_no_ones_terms(cli, fake_hub, repo, removed):
    # 01.AI relicensed Yi from its own license to Apache-2.0: a change of terms (warning), not an upstream's text
    # removed. The same history in someone else's copy of Yi-6B removes 01.AI's license text.
    fake_hub.repos[repo] = {"commits": relicensed_commits()}
    report, _ = audit_json(cli, f"hf:{repo}")
    assert bool(findings(report, "license-file-removed")) is removed
    assert ("LICENSE" in {f["path"] for f in findings(report, "license-changed")}) is not removed
    if not removed:
        assert any(c.get("model") == "01-ai/Yi-6B-Chat" for c in report["lineage"]), report["lineage"]


def test_hub_weights_are_never_downloaded(cli, fake_hub):
    audit_json(cli, f"hf:{REPO}")
    weight_gets = [e for e in fake_hub.log if e[0] == "GET" and e[1].endswith(".safetensors")]
    assert weight_gets and all(rng for _, _, rng, _ in weight_gets)  # header byte ranges only
    got = {e[1].rsplit("/", 1)[-1] for e in fake_hub.log if e[0] == "GET" and "/resolve/" in e[1]}
    assert {"README.md", "LICENSE", "config.json", "generation_config.json"} <= got
    assert ".gitattributes" not in got


def test_hub_snapshot_carries_listing_and_safetensors_header(fake_hub):
    from license_audit.sources import open_target

    target = open_target(f"hf:{REPO}", history=False)
    try:
        snap = target.crawl()
        assert "model.safetensors" in snap.files and "model.safetensors" in snap.weight_files
        assert not (target.root / "model.safetensors").exists()
        header = snap.safetensors["model.safetensors"]
        assert header["__metadata__"] == {"format": "pt"}
        assert header["model.embed_tokens.weight"] == {"dtype": "BF16", "shape": [4, 2], "data_offsets": [0, 16]}
        assert snap.configs["config.json"]["model_type"] == config_of("deepseek-ai/DeepSeek-V3")["model_type"]
    finally:
        root = target.root
        target.close()
    assert not root.exists()


def test_hub_revision_pins_an_older_commit(cli, fake_hub):
    first = sha_of("commit0")
    report, _ = audit_json(cli, f"hf:{REPO}@{first}")
    assert report["target"]["revision"] == first
    assert report["model"]["declared_license"] == "mit"
    assert not findings(report, "license-file-removed")


def test_hub_history_bound_is_stated(cli, fake_hub, monkeypatch):
    import license_audit.sources.hub as hub

    monkeypatch.setattr(hub, "HUB_HISTORY_COMMITS", 2)
    report, _ = audit_json(cli, f"hf:{REPO}")
    assert any("newest 2 of 3 Hub commits compared (bound 2)" in n for n in report["notes"])
    # The changes happened in the newest commit, inside the window: still seen against its baseline.
    head = sha_of("commit2")
    assert [f["commit"] for f in findings(report, "license-file-removed")] == [head]
    assert [f["commit"] for f in findings(report, "license-changed")] == [head]
    assert [f["commit"] for f in findings(report, "base-model-removed")] == [head]
    assert {e["action"] for e in report["history"]["events"] if e["commit"] == sha_of("commit1")} == {"present"}


def test_hub_no_history_makes_no_history_calls(cli, fake_hub):
    report, _ = audit_json(cli, f"hf:{REPO}", "--no-history")
    assert "history" not in report and not findings(report, "license-file-removed")
    assert not [e for e in fake_hub.log if "/commits/" in e[1]]


def test_hub_token_is_sent(cli, fake_hub, monkeypatch):
    fake_hub.repos["acme/private"] = {"commits": sakura_commits(), "token": "hf_secret"}
    res = cli("audit", "hf:acme/private", "--format", "json")
    assert res.exit_code == 2
    monkeypatch.setenv("HF_TOKEN", "hf_secret")
    report, _ = audit_json(cli, "hf:acme/private")
    assert report["target"]["id"] == "acme/private"


@pytest.mark.parametrize(
    "spec, expected",
    [
        ("hf:nobody/missing", "repository not found on the Hub"),
        (f"hf:{REPO}@nope", "revision 'nope' not found on the Hub"),
        ("hf:acme/gated", "gated repository"),
        ("hf:just-a-name", "hf:OWNER/NAME"),
    ],
)
def test_hub_errors_are_one_line_exit_2(fake_hub, spec, expected):
    fake_hub.repos["acme/gated"] = {"commits": sakura_commits(), "gated": True}
    res = run_cli("audit", spec, env={"HF_ENDPOINT": fake_hub.endpoint, "HF_HUB_CACHE": str(fake_hub.cache)})
    assert res.returncode == 2
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0] and "Traceback" not in res.stderr


def test_hub_unreachable_is_one_line_exit_2(tmp_path):
    res = run_cli(
        "audit",
        f"hf:{REPO}",
        env={"HF_ENDPOINT": "http://127.0.0.1:9", "HF_HUB_CACHE": str(tmp_path), "HF_HUB_OFFLINE": ""},
    )
    assert res.returncode == 2
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and "cannot reach the Hub" in lines[0]


def test_hub_cli_subprocess_end_to_end(fake_hub):
    res = run_cli(
        "audit",
        f"hf:{REPO}",
        "--format",
        "json",
        env={"HF_ENDPOINT": fake_hub.endpoint, "HF_HUB_CACHE": str(fake_hub.cache)},
    )
    assert res.returncode == 1, res.stderr
    report = json.loads(res.stdout)
    assert report["target"]["kind"] == "hub"
    assert {"license-file-removed", "license-changed", "base-model-removed"} <= {f["rule"] for f in report["findings"]}


# ------------------------------------------------------------------------------------------ offline


def populate_cache(cache: Path, repo_id: str, commit: str, files: dict[str, bytes], ref: str = "main") -> Path:
    """The huggingface_hub cache layout: blobs by etag, snapshot links into ../../blobs, refs/<branch>."""
    storage = cache / ("models--" + repo_id.replace("/", "--"))
    (storage / "refs").mkdir(parents=True, exist_ok=True)
    (storage / "refs" / ref).write_text(commit)
    for rel, data in files.items():
        etag = hashlib.sha256(data).hexdigest()
        blob = storage / "blobs" / etag
        blob.parent.mkdir(parents=True, exist_ok=True)
        blob.write_bytes(data)
        link = storage / "snapshots" / commit / rel
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(os.path.relpath(blob, link.parent))
    return storage


@pytest.fixture
def cached_repo(tmp_path, monkeypatch):
    import huggingface_hub.constants as c

    cache = tmp_path / "hub-cache"
    newest = sakura_commits()[0]
    populate_cache(cache, REPO, newest["id"], newest["files"])
    monkeypatch.setattr(c, "HF_HUB_CACHE", str(cache))
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")  # any network use would fail loudly
    return cache, newest["id"]


def test_offline_flag_audits_the_cached_snapshot(cli, cached_repo):
    _cache, sha = cached_repo
    report, code = audit_json(cli, f"hf:{REPO}", "--offline")
    assert code == 1
    assert report["target"] == {"kind": "hub", "id": REPO, "revision": sha}
    assert any(f"cached snapshot {sha} (refs/main)" in n for n in report["notes"])
    assert "base-model-undeclared" in {f["rule"] for f in report["findings"]}
    assert "history" not in report


def test_offline_env_var_and_commit_revision(cli, cached_repo, monkeypatch):
    _cache, sha = cached_repo
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    report, _ = audit_json(cli, f"hf:{REPO}@{sha}")
    assert report["target"]["revision"] == sha
    assert any("(commit)" in n for n in report["notes"])


def test_offline_snapshot_weights_headers_read_in_place(cached_repo):
    from license_audit.sources import open_target

    target = open_target(f"hf:{REPO}", offline=True)
    try:
        snap = target.crawl()
        assert snap.safetensors["model.safetensors"]["model.embed_tokens.weight"]["shape"] == [4, 2]
        assert "model.safetensors" in snap.files
    finally:
        target.close()


def test_offline_missing_repo_or_revision_exit_2(tmp_path, cached_repo):
    cache, _ = cached_repo
    env = {"HF_HUB_CACHE": str(cache), "HF_HUB_OFFLINE": "1"}
    res = run_cli("audit", "hf:nobody/missing", env=env)
    assert res.returncode == 2 and "not in the local Hugging Face cache" in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1
    res = run_cli("audit", f"hf:{REPO}@v9", env=env)
    assert res.returncode == 2 and "revision 'v9' is not in the local Hugging Face cache" in res.stderr


def test_offline_subprocess_with_env(cached_repo):
    cache, sha = cached_repo
    res = run_cli("audit", f"hf:{REPO}", "--format", "json", env={"HF_HUB_CACHE": str(cache), "HF_HUB_OFFLINE": "1"})
    assert res.returncode == 1, res.stderr
    assert json.loads(res.stdout)["target"]["revision"] == sha


def test_offline_cache_link_outside_is_not_followed(tmp_path, cli, monkeypatch):
    import huggingface_hub.constants as c

    cache = tmp_path / "cache"
    sha = sha_of("x")
    storage = populate_cache(cache, "acme/evil", sha, {"README.md": card("license: mit").encode()})
    secret = tmp_path / "secret.txt"
    secret.write_text("MIT License\n\nsecret")
    (storage / "snapshots" / sha / "LICENSE").symlink_to(secret)
    monkeypatch.setattr(c, "HF_HUB_CACHE", str(cache))
    report, _ = audit_json(cli, "hf:acme/evil", "--offline")
    assert all(lf["path"] != "LICENSE" for lf in report["license_files"])
    assert any("LICENSE points outside the cached repository" in n for n in report["notes"])


def test_online_audit_fills_the_cache_for_a_later_offline_audit(cli, fake_hub):
    online, _ = audit_json(cli, f"hf:{REPO}")
    offline, _ = audit_json(cli, f"hf:{REPO}", "--offline")
    assert offline["target"] == online["target"]
    assert offline["license_files"] == online["license_files"]


def test_hub_history_refused_is_a_note_not_a_failure(cli, fake_hub):
    fake_hub.repos["acme/nohist"] = {"commits": sakura_commits(), "no_commits": True}
    report, code = audit_json(cli, "hf:acme/nohist")
    assert code == 1 and "base-model-undeclared" in {f["rule"] for f in report["findings"]}
    assert any(n.startswith("history: not read from the Hub") and "HTTP 403" in n for n in report["notes"])
    assert not findings(report, "license-file-removed")


def test_crawl_lists_remote_files_without_reading_them(tmp_path):
    from license_audit.crawl import crawl

    (tmp_path / "README.md").write_text(card("license: mit"))
    snap = crawl(
        tmp_path,
        remote_files=["LICENSE-HUGE.txt", "model.safetensors"],
        safetensors={"model.safetensors": {"w": {"dtype": "F16", "shape": [1], "data_offsets": [0, 2]}}},
    )
    assert snap.files == ["LICENSE-HUGE.txt", "README.md", "model.safetensors"]
    assert snap.license_texts == {} and snap.problems == []
    assert snap.safetensors["model.safetensors"]["w"]["shape"] == [1]


def test_hub_unwritable_cache_is_one_line_exit_2(fake_hub, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    res = run_cli("audit", f"hf:{REPO}", env={"HF_ENDPOINT": fake_hub.endpoint, "HF_HUB_CACHE": str(blocker / "c")})
    assert res.returncode == 2 and len(res.stderr.strip().splitlines()) == 1
    assert "Hugging Face cache" in res.stderr and "Traceback" not in res.stderr


def test_remote_safetensors_headers_reach_lineage(tmp_path):
    """Hub weights are never on disk: their headers (from get_safetensors_metadata) feed the lineage artifacts."""
    from license_audit.crawl import crawl

    (tmp_path / "README.md").write_text("# m\n")
    header = {
        "__metadata__": {"format": "pt"},
        "model.embed_tokens.weight": {"dtype": "BF16", "shape": [4, 2], "data_offsets": [0, 16]},
    }
    snap = crawl(tmp_path, remote_files=["model.safetensors"], safetensors={"model.safetensors": header})
    assert snap.artifacts.tensor_files == 1
    assert snap.artifacts.tensors["model.embed_tokens.weight"] == ("BF16", [4, 2])
    assert not [p for p in snap.problems if p.path == "model.safetensors"]


def test_hub_target_bom_names_the_model_at_its_commit_and_each_finding_commit(cli, fake_hub):
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator

    res = cli("audit", f"hf:{REPO}", "--format", "cyclonedx-json")
    assert res.exit_code == 1, res.output
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(res.output) is None
    model = json.loads(res.output)["metadata"]["component"]
    head = sha_of("commit2")
    assert model["purl"] == f"pkg:huggingface/{REPO}@{head}" and model["version"] == head
    props = {p["name"]: p["value"] for p in model["properties"]}
    removed = [k.rsplit(":", 1)[0] for k, v in props.items() if v == "license-file-removed"]
    assert [props[f"{k}:commit"] for k in removed] == [head]
    assert [props[f"{k}:path"] for k in removed] == ["LICENSE-MIT"]


QWEN_AWQ_CARD = card(
    "base_model: Qwen/Qwen2.5-72B-Instruct\nlicense: other\nlicense_name: qwen\n"
    "license_link: https://huggingface.co/Qwen/Qwen2.5-72B-Instruct-AWQ/blob/main/LICENSE",
    "# Qwen2.5-72B-Instruct-AWQ\n\nThis repo contains the AWQ-quantized 4-bit instruction-tuned 72B Qwen2.5 model.\n",
)


@pytest.mark.parametrize(("repo", "own"), [("Qwen/Qwen2.5-72B-Instruct-AWQ", True), ("someone/Qwen2.5-72B-AWQ", False)])
def test_a_licensors_own_release_owes_no_duties_of_its_license(cli, fake_hub, repo, own):
    # Qwen's AWQ of its own Qwen2.5-72B-Instruct: the Qwen license binds Qwen's licensees, not Qwen.
    fake_hub.repos[repo] = {"commits": hub_commits([{"README.md": QWEN_AWQ_CARD}], "commit")}
    report, _ = audit_json(cli, f"hf:{repo}", "--no-history")
    duties = {f["rule"] for f in report["findings"] if f["upstream"] == "Qwen/Qwen2.5-72B-Instruct"}
    assert ("attribution-missing" in duties) is not own, report["findings"]
    assert ("upstream-notice-missing" in duties) is not own
    assert any("published by Qwen" in n for n in report.get("notes", [])) is own, report.get("notes")
