"""History rules on real git repositories built in temporary folders, and the git oddities a pre-push gate
meets: detached HEAD, linked worktrees, unborn branches, submodule links, names that are not UTF-8."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from conftest import audit_json, card, license_text, rules_of

from license_audit.history import git_history, is_tracked_path, parse_name_status_log

MIT = license_text("mit")


class GitRepo:
    """A git work tree whose commits have fixed authors and dates (deterministic shas)."""

    def __init__(self, root: Path):
        self.root = root
        self.n = 0
        root.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", "main")

    def env(self):
        self.n += 1
        date = f"{1704110400 + self.n * 3600} +0000"  # 2024-01-01 12:00 UTC plus an hour per git call
        return dict(
            os.environ,
            GIT_AUTHOR_NAME="Ann Author",
            GIT_AUTHOR_EMAIL="ann@example.org",
            GIT_COMMITTER_NAME="Ann Author",
            GIT_COMMITTER_EMAIL="ann@example.org",
            GIT_AUTHOR_DATE=date,
            GIT_COMMITTER_DATE=date,
            GIT_CONFIG_NOSYSTEM="1",
            HOME=str(self.root.parent),
        )

    def git(self, *args) -> str:
        return subprocess.run(
            ["git", *args], cwd=self.root, env=self.env(), check=True, capture_output=True, text=True
        ).stdout.strip()

    def write(self, files: dict[str, str | bytes]) -> None:
        for rel, content in files.items():
            p = self.root / rel
            p.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                p.write_bytes(content)
            else:
                p.write_text(content, encoding="utf-8")

    def commit(self, message: str, files: dict | None = None, remove: tuple[str, ...] = ()) -> str:
        if files:
            self.write(files)
        for rel in remove:
            self.git("rm", "-q", "--", rel)
        self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", "-m", message)
        return self.git("rev-parse", "HEAD")


@pytest.fixture
def gitrepo(tmp_path):
    count = {"n": 0}

    def _make(name: str | None = None) -> GitRepo:
        count["n"] += 1
        return GitRepo(tmp_path / (name or f"g{count['n']}"))

    return _make


def findings(report: dict, rule: str) -> list[dict]:
    return [f for f in report["findings"] if f["rule"] == rule]


MIT_CARD = card("license: mit\nbase_model: deepseek-ai/DeepSeek-V3")
MIT_ONLY_CARD = card("license: mit")


def test_deleted_license_is_reported_with_the_deleting_commit(cli, gitrepo):
    g = gitrepo()
    g.commit("initial", {"README.md": MIT_CARD, "LICENSE": MIT})
    g.commit("tune", {"train.py": "print(1)\n"})
    gone = g.commit("drop upstream license", remove=("LICENSE",))
    g.commit("more work", {"train.py": "print(2)\n"})
    report, code = audit_json(cli, g.root)
    removed = findings(report, "license-file-removed")
    assert [f["path"] for f in removed] == ["LICENSE"]
    assert removed[0]["commit"] == gone and removed[0]["severity"] == "error"
    assert gone[:12] in removed[0]["message"] and "Ann Author" in removed[0]["message"]
    assert f"git checkout {gone[:12]}^ -- 'LICENSE'" in removed[0]["fix"]
    assert code == 1
    assert report["target"]["kind"] == "git" and report["target"]["revision"] == g.git("rev-parse", "HEAD")
    actions = [(e["path"], e["action"]) for e in report["history"]["events"]]
    assert ("LICENSE", "added") in actions and ("LICENSE", "deleted") in actions


def test_restored_file_is_not_reported(cli, gitrepo):
    g = gitrepo()
    g.commit("initial", {"README.md": MIT_CARD, "LICENSE": MIT})
    g.commit("oops", remove=("LICENSE",))
    g.commit("bring it back", {"LICENSE": MIT})
    report, _ = audit_json(cli, g.root)
    assert not findings(report, "license-file-removed")
    assert ("LICENSE", "restored") in [(e["path"], e["action"]) for e in report["history"]["events"]]


def test_text_moved_into_notice_counts_as_restored(cli, gitrepo):
    g = gitrepo()
    g.commit("initial", {"README.md": MIT_CARD, "LICENSE-MIT": MIT, "NOTICE": "Sakura-LM notices\n"})
    g.commit(
        "fold license into NOTICE",
        {"NOTICE": "Sakura-LM notices\n\n" + MIT.replace("\n", " \n")},
        remove=("LICENSE-MIT",),
    )
    report, _ = audit_json(cli, g.root)
    assert not findings(report, "license-file-removed")


def test_other_text_under_another_name_is_not_a_restore(cli, gitrepo):
    g = gitrepo()
    g.commit("initial", {"README.md": MIT_CARD, "LICENSE-MIT": MIT, "NOTICE": "Sakura-LM notices\n"})
    sha = g.commit("drop", {"NOTICE": "Sakura-LM notices, all rights reserved\n"}, remove=("LICENSE-MIT",))
    report, _ = audit_json(cli, g.root)
    assert [(f["path"], f["commit"]) for f in findings(report, "license-file-removed")] == [("LICENSE-MIT", sha)]


def test_rename_is_not_a_deletion(cli, gitrepo):
    g = gitrepo()
    g.commit("initial", {"README.md": MIT_CARD, "LICENSE": MIT})
    g.git("mv", "LICENSE", "LICENSE.txt")
    g.commit("rename")
    report, _ = audit_json(cli, g.root)
    assert not findings(report, "license-file-removed")
    ev = [e for e in report["history"]["events"] if e["action"] == "renamed"]
    assert ev and ev[0]["path"] == "LICENSE.txt" and ev[0]["from"] == "LICENSE"


def test_deleted_use_policy_in_subfolder_and_notice(cli, gitrepo):
    g = gitrepo()
    g.commit(
        "initial",
        {
            "README.md": MIT_CARD,
            "LICENSE": MIT,
            "NOTICE": "Copyright (c) 2023 DeepSeek\n",
            "legal/USE_POLICY.md": "# Acceptable use\nYou must not use the model to harm people.\n",
        },
    )
    sha = g.commit("slim down", remove=("NOTICE", "legal/USE_POLICY.md"))
    report, _ = audit_json(cli, g.root)
    removed = {f["path"]: f["commit"] for f in findings(report, "license-file-removed")}
    assert removed == {"NOTICE": sha, "legal/USE_POLICY.md": sha}


def test_license_changed_names_the_commit(cli, gitrepo):
    g = gitrepo()
    g.commit("initial", {"README.md": card("license: mit"), "LICENSE": MIT})
    g.commit("typo", {"README.md": card("license: mit", "# Model\n\nFixed typo.\n")})
    sha = g.commit("relicense", {"README.md": card("license: apache-2.0")})
    report, _ = audit_json(cli, g.root, "--fail-on", "never")
    changed = findings(report, "license-changed")
    assert len(changed) == 1 and changed[0]["commit"] == sha and changed[0]["severity"] == "warning"
    assert "`mit`" in changed[0]["message"] and "`apache-2.0`" in changed[0]["message"]
    assert changed[0]["path"] == "README.md"


def test_license_changed_back_is_not_reported(cli, gitrepo):
    g = gitrepo()
    g.commit("initial", {"README.md": card("license: mit"), "LICENSE": MIT})
    g.commit("relicense", {"README.md": card("license: apache-2.0")})
    g.commit("revert", {"README.md": card("license: mit")})
    report, _ = audit_json(cli, g.root)
    assert not findings(report, "license-changed")


def test_license_other_name_change_is_a_change(cli, gitrepo):
    g = gitrepo()
    g.commit("initial", {"README.md": card("license: other\nlicense_name: deepseek")})
    sha = g.commit("relicense", {"README.md": card("license: mit")})
    report, _ = audit_json(cli, g.root, "--fail-on", "never")
    assert [f["commit"] for f in findings(report, "license-changed")] == [sha]
    assert "`deepseek`" in findings(report, "license-changed")[0]["message"]


def test_base_model_removed(cli, gitrepo):
    g = gitrepo()
    g.commit(
        "initial",
        {"README.md": card("license: mit\nbase_model:\n- deepseek-ai/DeepSeek-V3\n- Qwen/Qwen2.5-7B"), "LICENSE": MIT},
    )
    sha = g.commit("hide base", {"README.md": card("license: mit\nbase_model: Qwen/Qwen2.5-7B")})
    report, _ = audit_json(cli, g.root, "--fail-on", "never")
    removed = findings(report, "base-model-removed")
    assert [(f["upstream"], f["commit"]) for f in removed] == [("deepseek-ai/DeepSeek-V3", sha)]
    assert removed[0]["severity"] == "warning"


def test_base_model_put_back_is_not_reported(cli, gitrepo):
    g = gitrepo()
    g.commit("initial", {"README.md": card("license: mit\nbase_model: deepseek-ai/DeepSeek-V3"), "LICENSE": MIT})
    g.commit("hide", {"README.md": card("license: mit")})
    g.commit("restore", {"README.md": card("license: mit\nbase_model: deepseek-ai/DeepSeek-V3")})
    report, _ = audit_json(cli, g.root)
    assert not findings(report, "base-model-removed")


def test_no_history_skips_everything(cli, gitrepo):
    g = gitrepo()
    g.commit("initial", {"README.md": card("license: mit\nbase_model: deepseek-ai/DeepSeek-V3"), "LICENSE": MIT})
    g.commit("strip", {"README.md": card("license: apache-2.0")}, remove=("LICENSE",))
    with_history, _ = audit_json(cli, g.root, "--fail-on", "never")
    assert {"license-file-removed", "license-changed", "base-model-removed"} <= rules_of(with_history)
    without, _ = audit_json(cli, g.root, "--no-history", "--fail-on", "never")
    assert not {"license-file-removed", "license-changed", "base-model-removed"} & rules_of(without)
    assert "history" not in without


def test_uncommitted_state_is_audited_and_history_names_commits(cli, gitrepo):
    g = gitrepo()
    g.commit("initial", {"README.md": MIT_CARD, "LICENSE": MIT})
    g.commit("drop", remove=("LICENSE",))
    (g.root / "LICENSE").write_text(MIT, encoding="utf-8")  # restored in the work tree, not committed yet
    report, _ = audit_json(cli, g.root)
    assert not findings(report, "license-file-removed")


def test_empty_repository(cli, gitrepo):
    g = gitrepo()
    g.write({"README.md": MIT_CARD, "LICENSE": MIT})
    report, _ = audit_json(cli, g.root)
    assert report["target"]["kind"] == "git" and report["target"]["revision"] is None
    assert not findings(report, "license-file-removed")
    assert any("no commits" in n for n in report.get("notes", []))


def test_shallow_clone_is_noted_and_sees_no_false_deletion(cli, gitrepo, tmp_path):
    g = gitrepo()
    g.commit("initial", {"README.md": MIT_CARD, "LICENSE": MIT})
    for i in range(3):
        g.commit(f"work {i}", {"train.py": f"print({i})\n"})
    clone = tmp_path / "shallow"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", f"file://{g.root}", str(clone)], check=True, capture_output=True
    )
    report, _ = audit_json(cli, clone)
    assert any("shallow" in n for n in report["notes"])
    assert not findings(report, "license-file-removed")
    assert {e["action"] for e in report["history"]["events"]} == {"present"}


def test_binary_license_and_card_versions_do_not_break_history(cli, gitrepo):
    g = gitrepo()
    g.commit("initial", {"README.md": b"\x00\x01binary card", "LICENSE.pdf": b"%PDF\x00\x00\x01", "LICENSE": MIT})
    g.commit("card", {"README.md": card("license: mit")})
    sha = g.commit("drop", remove=("LICENSE",))
    report, _ = audit_json(cli, g.root)
    assert [f["commit"] for f in findings(report, "license-file-removed")] == [sha]


def test_deleted_binary_license_file_is_reported(cli, gitrepo):
    g = gitrepo()
    g.commit("initial", {"README.md": MIT_CARD, "LICENSE": MIT, "LICENSE.txt": b"\x00\x00binary"})
    sha = g.commit("drop", remove=("LICENSE.txt",))
    report, _ = audit_json(cli, g.root)
    assert [(f["path"], f["commit"]) for f in findings(report, "license-file-removed")] == [("LICENSE.txt", sha)]


def test_deletion_merged_from_a_branch(cli, gitrepo):
    g = gitrepo()
    g.commit("initial", {"README.md": MIT_CARD, "LICENSE": MIT})
    g.git("checkout", "-q", "-b", "release")
    g.commit("drop on branch", remove=("LICENSE",))
    g.git("checkout", "-q", "main")
    g.commit("main work", {"train.py": "x\n"})
    g.git("merge", "-q", "--no-ff", "-m", "merge release", "release")
    merge = g.git("rev-parse", "HEAD")
    report, _ = audit_json(cli, g.root)
    removed = findings(report, "license-file-removed")
    assert [f["commit"] for f in removed] == [merge]  # the first-parent line of HEAD saw it at the merge


def test_odd_paths(cli, gitrepo):
    g = gitrepo()
    g.commit(
        "initial",
        {
            "README.md": MIT_CARD,
            "LICENSE": MIT,
            "docs/LICENSE ünïcode.txt": MIT,
            "NOTICE :with colon": "Copyright (c) 2023 DeepSeek\n",
        },
    )
    sha = g.commit("drop", remove=("docs/LICENSE ünïcode.txt", "NOTICE :with colon"))
    hist = git_history(g.root)
    deleted = sorted(ch.path for ch in hist.changes if ch.status == "D")
    hist.close()
    assert deleted == ["NOTICE :with colon", "docs/LICENSE ünïcode.txt"]
    report, _ = audit_json(cli, g.root)
    # The MIT text lives on in LICENSE: only the NOTICE is gone.
    assert [(f["path"], f["commit"]) for f in findings(report, "license-file-removed")] == [("NOTICE :with colon", sha)]


def test_parse_name_status_log_ignores_garbage():
    assert parse_name_status_log(b"") == []
    assert parse_name_status_log(b"\x1eabc\x1fA\x1f2024\0\nM\0", is_tracked_path) == []  # truncated
    raw = (
        b"\x1ec2\x1fBo\x1f2024-02-01\0\nR100\0LICENSE\0LICENSE.txt\0D\0NOTICE\0M\0src/a.py\0"
        b"\x1ec1\x1fAl\x1f2024-01-01\0\nA\0LICENSE\0A\0NOTICE\0A\0src/a.py\0"
    )
    got = [(c.commit, c.status, c.path, c.old_path, c.old_ref) for c in parse_name_status_log(raw, is_tracked_path)]
    assert got == [
        ("c1", "A", "LICENSE", None, None),
        ("c1", "A", "NOTICE", None, None),
        ("c2", "R", "LICENSE.txt", "LICENSE", "c2^:LICENSE"),
        ("c2", "D", "NOTICE", None, "c2^:NOTICE"),
    ]


def test_history_is_deterministic(cli, gitrepo):
    g = gitrepo()
    g.commit("initial", {"README.md": MIT_CARD, "LICENSE": MIT})
    g.commit("drop", {"README.md": card("license: apache-2.0")}, remove=("LICENSE",))
    a = cli("audit", g.root, "--format", "json").output
    b = cli("audit", g.root, "--format", "json").output
    assert a == b and json.loads(a)["history"]["total_events"] == 4


def test_license_text_overwritten_in_place(cli, gitrepo):
    g = gitrepo()
    g.commit("initial", {"README.md": MIT_CARD, "LICENSE": MIT})
    sha = g.commit(
        "our own terms",
        {"LICENSE": "Copyright 2025 Sakura AI. All rights reserved.\nNo use without a written agreement.\n"},
    )
    report, _ = audit_json(cli, g.root)
    removed = findings(report, "license-file-removed")
    assert [(f["path"], f["commit"]) for f in removed] == [("LICENSE", sha)]
    assert "MIT" in removed[0]["message"] and "replaced" in removed[0]["message"]


def test_license_edit_that_keeps_the_text_is_not_a_removal(cli, gitrepo):
    g = gitrepo()
    g.commit("initial", {"README.md": MIT_CARD, "LICENSE": MIT})
    g.commit("add a header", {"LICENSE": "Upstream license of DeepSeek-V3:\n\n" + MIT})
    report, _ = audit_json(cli, g.root)
    assert not findings(report, "license-file-removed")


def test_text_moved_into_the_card_counts_as_restored(cli, gitrepo):
    g = gitrepo()
    g.commit("initial", {"README.md": MIT_CARD, "LICENSE": MIT})
    g.commit("inline the license", {"README.md": MIT_CARD + "\n## License\n\n" + MIT}, remove=("LICENSE",))
    report, _ = audit_json(cli, g.root)
    assert not findings(report, "license-file-removed")


def test_same_license_with_other_holder_counts_as_restored(cli, gitrepo):
    g = gitrepo()
    g.commit("initial", {"README.md": MIT_CARD, "LICENSE-MIT": MIT})
    other = MIT.replace("<year> <copyright holders>", "2025 Someone Else Entirely Incorporated of Springfield")
    g.commit("consolidate", {"LICENSE": other}, remove=("LICENSE-MIT",))
    report, _ = audit_json(cli, g.root)
    assert not findings(report, "license-file-removed")


def test_card_version_bound_locates_changes_exactly(cli, gitrepo, monkeypatch):
    import license_audit.history as history

    monkeypatch.setattr(history.card_versions, "__defaults__", (3,))
    g = gitrepo()
    shas = []
    for i in range(20):
        lic = "mit" if i < 13 else "apache-2.0"
        base = "base_model: deepseek-ai/DeepSeek-V3\n" if i < 7 else ""
        shas.append(g.commit(f"v{i}", {"README.md": card(f"license: {lic}\n{base}", f"# Model\n\nstep {i}\n")}))
    report, _ = audit_json(cli, g.root, "--fail-on", "never")
    note = next(n for n in report["notes"] if "the card changed in 20 commits" in n)
    assert "versions were read" in note and "located exactly" in note
    assert [f["commit"] for f in findings(report, "license-changed")] == [shas[13]]
    assert [f["commit"] for f in findings(report, "base-model-removed")] == [shas[7]]


def test_oversized_blob_is_not_loaded(cli, gitrepo, monkeypatch):
    import license_audit.history as history

    monkeypatch.setattr(history, "MAX_BLOB_BYTES", 100)
    g = gitrepo()
    g.commit("initial", {"README.md": MIT_CARD, "LICENSE": MIT, "LICENSE-COPY": MIT})
    sha = g.commit("drop", remove=("LICENSE-COPY",))
    report, _ = audit_json(cli, g.root)
    # The deleted text cannot be read (too big), so it cannot be shown to live on: reported.
    assert [(f["path"], f["commit"]) for f in findings(report, "license-file-removed")] == [("LICENSE-COPY", sha)]


def _audit_subfolder(path):
    from license_audit.catalog import load_catalog
    from license_audit.history import load_history
    from license_audit.pipeline import AuditOptions, audit_snapshot
    from license_audit.registry import load_registry
    from license_audit.sources import open_git_subfolder

    target = open_git_subfolder(str(path))
    hist = load_history(target)
    try:
        report = audit_snapshot(target.crawl(), target, load_catalog(()), load_registry(()), AuditOptions(), hist)
    finally:
        hist.close()
    return report.to_dict()


def test_folder_inside_a_repository_is_a_local_target(cli, gitrepo):
    g = gitrepo("mono")
    g.commit("initial", {"models/sakura/README.md": MIT_CARD, "models/sakura/LICENSE-MIT": MIT})
    g.commit("release", remove=("models/sakura/LICENSE-MIT",))
    report, _ = audit_json(cli, g.root / "models" / "sakura")
    assert report["target"]["kind"] == "local" and report["target"]["revision"] is None and "history" not in report


def test_model_folder_inside_a_larger_repository(gitrepo):
    g = gitrepo("mono")
    g.commit(
        "initial",
        {
            "LICENSE": MIT,
            "models/sakura/README.md": MIT_CARD,
            "models/sakura/LICENSE-MIT": MIT,
            "models/other/README.md": card("license: mit"),
            "models/other/NOTICE": "x y z\n",
        },
    )
    sha = g.commit("release sakura", remove=("models/sakura/LICENSE-MIT", "models/other/NOTICE", "LICENSE"))
    report = _audit_subfolder(g.root / "models" / "sakura")
    assert report["target"]["kind"] == "git" and report["target"]["revision"] == sha
    # Only the audited folder's history, with paths relative to it; the deleted text is read from git.
    assert [(f["path"], f["commit"]) for f in findings(report, "license-file-removed")] == [("LICENSE-MIT", sha)]
    assert {e["path"] for e in report["history"]["events"]} == {"README.md", "LICENSE-MIT"}


def test_untracked_folder_inside_a_repository_is_no_git_subfolder(gitrepo):
    from license_audit.sources import open_git_subfolder

    g = gitrepo("home")
    g.commit("dotfiles", {".bashrc": "x\n"})
    (g.root / "downloads" / "model").mkdir(parents=True)
    (g.root / "downloads" / "model" / "README.md").write_text(MIT_CARD)
    assert open_git_subfolder(str(g.root / "downloads" / "model")) is None


def test_model_folder_inside_a_repository_reads_old_texts(gitrepo):
    g = gitrepo("mono2")
    g.commit("initial", {"models/sakura/README.md": MIT_CARD, "models/sakura/LICENSE-MIT": MIT})
    g.commit("fold", {"models/sakura/NOTICE": "Notices\n\n" + MIT}, remove=("models/sakura/LICENSE-MIT",))
    assert not findings(_audit_subfolder(g.root / "models" / "sakura"), "license-file-removed")
    hist = git_history(g.root / "models" / "sakura", "models/sakura")
    try:
        moved = [c for c in hist.changes if c.status == "R"]  # git -M sees LICENSE-MIT -> NOTICE
        assert (moved[0].old_path, moved[0].path) == ("LICENSE-MIT", "NOTICE")
        assert hist.read(moved[0].old_ref) == MIT and hist.read(moved[0].new_ref).endswith(MIT)
    finally:
        hist.close()


def test_programs_configured_in_the_audited_repository_never_run(cli, gitrepo, tmp_path):
    marker = tmp_path / "ran"
    g = gitrepo("hostile")
    g.commit(
        "initial", {"README.md": MIT_CARD, "LICENSE": MIT, "sub/README.md": MIT_CARD, ".gitattributes": "* diff=evil\n"}
    )
    g.commit("drop", remove=("LICENSE",))
    script = f"touch {marker}"
    for key, value in [
        ("core.fsmonitor", script),
        ("diff.external", script),
        ("diff.evil.textconv", script),
        ("core.pager", script),
        ("log.showSignature", "true"),
        ("gpg.program", script),
    ]:
        g.git("config", key, value)
    report, _ = audit_json(cli, g.root)
    assert findings(report, "license-file-removed")
    audit_json(cli, g.root / "sub")
    from license_audit.sources import open_git_subfolder

    assert open_git_subfolder(str(g.root / "sub")) is not None  # runs ls-files on the hostile repository
    assert not marker.exists()


def test_corrupt_repository_costs_only_history(cli, gitrepo):
    g = gitrepo()
    g.commit("initial", {"README.md": MIT_CARD, "LICENSE": MIT})
    head = g.git("rev-parse", "HEAD")
    obj = g.root / ".git" / "objects" / head[:2] / head[2:]
    obj.chmod(0o644)
    obj.write_bytes(b"garbage")
    report, _ = audit_json(cli, g.root)
    assert report["license_files"] and any(n.startswith("history: git log failed") for n in report["notes"])


def test_deleted_copy_with_a_newline_in_its_name_is_read_back(gitrepo, cli):
    # cat-file --batch takes one reference per line: such a path is resolved to its blob first, so its
    # text is compared like any other (it is still in LICENSE: no finding).
    g = gitrepo()
    g.commit("add", {"README.md": MIT_CARD, "LICENSE": MIT, "LICENSE\nB": MIT})
    g.commit("drop the copy", remove=("LICENSE\nB",))
    report, _ = audit_json(cli, g.root)
    assert "license-file-removed" not in rules_of(report)


def test_findings_about_uncommitted_changes_name_no_commit(gitrepo, cli):
    # A pre-commit hook audits changes no commit holds yet: HEAD's files say otherwise, so a finding
    # about the work tree must not point at HEAD.
    g = gitrepo()
    g.commit("add", {"README.md": card("license: mit"), "LICENSE": MIT, "config.json": "{}\n"})
    head = g.git("rev-parse", "HEAD")
    clean, _ = audit_json(cli, g.root)
    assert clean["target"]["revision"] == head and not any("work tree differs" in n for n in clean.get("notes") or [])
    (g.root / "README.md").write_text(card("license: apache-2.0"))  # uncommitted: the card now disagrees
    dirty, _ = audit_json(cli, g.root)
    mismatch = [f for f in dirty["findings"] if f["rule"] == "license-mismatch"]
    assert mismatch and all(f["commit"] is None for f in mismatch)
    assert any("work tree differs from HEAD" in n for n in dirty["notes"])
    g.commit("relicense", {"README.md": card("license: apache-2.0")})
    committed, _ = audit_json(cli, g.root)
    assert [f["commit"] for f in committed["findings"] if f["rule"] == "license-mismatch"] == [
        g.git("rev-parse", "HEAD")
    ]


def test_an_uncommitted_config_change_is_seen_too(gitrepo, cli):
    g = gitrepo()
    g.commit("add", {"README.md": card("license: mit"), "LICENSE": MIT, "config.json": "{}\n"})
    (g.root / "config.json").write_text('{"hidden_size": 8}\n')
    report, _ = audit_json(cli, g.root)
    assert any("work tree differs from HEAD" in n for n in report["notes"])


@pytest.fixture
def repo(tmp_path):
    r = GitRepo(tmp_path / "model")
    r.commit("add license", {"README.md": card("license: mit"), "LICENSE": MIT})
    return r


def test_detached_head_audits_the_checked_out_commit(cli, repo):
    first = repo.git("rev-parse", "HEAD")
    repo.commit("drop license", remove=("LICENSE",))
    repo.git("checkout", "-q", "--detach", first)
    report, code = audit_json(cli, repo.root)
    assert report["target"]["kind"] == "git" and report["target"]["revision"] == first
    assert "license-file-removed" not in rules_of(report) and code == 0


def test_detached_head_after_the_deletion_names_the_commit(cli, repo):
    gone = repo.commit("drop license", remove=("LICENSE",))
    repo.git("checkout", "-q", "--detach", gone)
    report, _ = audit_json(cli, repo.root)
    removed = [f for f in report["findings"] if f["rule"] == "license-file-removed"]
    assert [f["commit"] for f in removed] == [gone]


def test_linked_worktree_with_a_git_file(cli, repo, tmp_path):
    gone = repo.commit("drop license", remove=("LICENSE",))
    linked = tmp_path / "linked"
    repo.git("worktree", "add", "-q", str(linked), "HEAD")
    assert (linked / ".git").is_file()
    report, _ = audit_json(cli, linked)
    assert report["target"]["kind"] == "git"
    assert [f["commit"] for f in report["findings"] if f["rule"] == "license-file-removed"] == [gone]


def test_unborn_branch_with_staged_files(cli, tmp_path):
    r = GitRepo(tmp_path / "fresh")
    r.write({"README.md": card("license: mit"), "LICENSE": MIT})
    r.git("add", "-A")
    report, code = audit_json(cli, r.root)
    assert code == 0 and "license-file-removed" not in rules_of(report)


def test_gitlink_entry_without_submodule_checkout(cli, repo):
    sub = repo.commit("placeholder")
    repo.git("update-index", "--add", "--cacheinfo", f"160000,{sub},vendor/upstream")
    repo.git("commit", "-q", "-m", "gitlink")
    report, code = audit_json(cli, repo.root)
    assert code in (0, 1) and report["target"]["kind"] == "git"


def test_git_not_on_path_is_a_note_not_a_crash(cli, repo, monkeypatch, tmp_path):
    empty = tmp_path / "nobin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.setenv("GIT_PYTHON_REFRESH", "quiet")
    try:
        report, code = audit_json(cli, repo.root)
    except subprocess.SubprocessError:  # pragma: no cover - the failure this test exists to catch
        raise
    assert code in (0, 1)
    assert report["model"]["declared_license"] == "mit"


def test_git_variables_of_a_hook_do_not_redirect_the_audit(cli, repo, tmp_path, monkeypatch):
    """git exports GIT_DIR (and friends) to hooks: a hook auditing a model folder must read that folder's
    repository, not the one whose hook runs."""
    gone = repo.commit("drop license", remove=("LICENSE",))
    other = GitRepo(tmp_path / "other")
    other_head = other.commit("unrelated", {"README.md": card("license: apache-2.0")})
    head = repo.git("rev-parse", "HEAD")
    monkeypatch.setenv("GIT_DIR", str(other.root / ".git"))
    monkeypatch.setenv("GIT_WORK_TREE", str(other.root))
    monkeypatch.setenv("GIT_INDEX_FILE", str(other.root / ".git" / "index"))
    report, _ = audit_json(cli, repo.root)
    assert report["target"]["revision"] == head != other_head
    assert [f["commit"] for f in report["findings"] if f["rule"] == "license-file-removed"] == [gone]


@pytest.fixture
def undecodable(tmp_path):
    r = GitRepo(tmp_path / "cat" / "odd")
    name = os.fsdecode(b"LICENSE\xff")
    r.commit("initial", {"README.md": MIT_ONLY_CARD, "LICENSE": MIT, name: "Some terms.\n"})
    r.commit("drop", remove=(name,))
    return r


@pytest.mark.parametrize("fmt", ["json", "sarif", "text", "markdown", "html"])
def test_history_names_that_are_not_utf8_never_reach_a_report(cli, undecodable, tmp_path, fmt):
    res = cli("audit", undecodable.root, "--format", fmt)
    assert res.exit_code in (0, 1), res.output
    out = res.stdout_bytes.decode("utf-8")  # strict: every byte is UTF-8
    assert "\ufffd" in out or fmt not in ("json", "text")  # the note names it, as shown
    target = tmp_path / f"report.{fmt}"
    res = cli("audit", undecodable.root, "--format", fmt, "-o", target)
    assert res.exit_code in (0, 1), res.output
    target.read_bytes().decode("utf-8")
    if fmt == "json":
        report = json.loads(out)
        assert any("not UTF-8" in n and "LICENSE\ufffd" in n for n in report["notes"])
        assert all("\ufffd" not in (f.get("path") or "") for f in report["findings"])


def removed(report: dict) -> list[dict]:
    return [f for f in report["findings"] if f["rule"] == "license-file-removed"]


def test_a_rename_to_a_name_that_is_not_utf8_is_a_deletion(cli, tmp_path):
    r = GitRepo(tmp_path / "model")
    r.commit("initial", {"README.md": MIT_ONLY_CARD, "LICENSE": MIT})
    gone = r.commit("hide", {os.fsdecode(b"LICENSE\xfe"): MIT}, remove=("LICENSE",))
    report, _ = audit_json(cli, r.root)
    assert [(f["path"], f["commit"]) for f in removed(report)] == [("LICENSE", gone)]


@pytest.mark.parametrize("name", ["LICENSE-it's", "LICENSE $(touch pwned)", "licenses/a'b/LICENSE"])
def test_fix_commands_quote_the_path_for_the_shell(cli, tmp_path, name):
    import shlex

    r = GitRepo(tmp_path / "model")
    r.commit("initial", {"README.md": MIT_ONLY_CARD, name: "Home-made terms of the upstream.\n"})
    gone = r.commit("drop", remove=(name,))
    report, _ = audit_json(cli, r.root)
    [finding] = removed(report)
    command = finding["fix"].split("`")[1]
    assert shlex.split(command) == ["git", "checkout", f"{gone[:12]}^", "--", name]


def test_fix_gives_no_command_for_a_path_with_control_characters(cli, tmp_path):
    r = GitRepo(tmp_path / "model")
    name = "LICENSE\x1b[2K"
    r.commit("initial", {"README.md": MIT_ONLY_CARD, name: "Home-made terms of the upstream.\n"})
    r.commit("drop", remove=(name,))
    report, _ = audit_json(cli, r.root)
    [finding] = removed(report)
    assert "`" not in finding["fix"] and "git checkout" not in finding["fix"]


def test_replaced_text_fix_quotes_the_path(cli, tmp_path):
    import shlex

    r = GitRepo(tmp_path / "model")
    name = "LICENSE-it's"
    r.commit("initial", {"README.md": MIT_ONLY_CARD, name: license_text("apache-2.0")})
    gone = r.commit("swap", {name: "Home-made terms.\n"})
    report, _ = audit_json(cli, r.root)
    fixes = [f["fix"] for f in removed(report)]
    assert fixes, report["findings"]
    command = fixes[0].split("`")[1]
    assert shlex.split(command) == ["git", "show", f"{gone[:12]}^:{name}"]
