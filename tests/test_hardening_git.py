"""Git oddities a pre-push gate meets: detached HEAD, linked worktrees, unborn branches, submodule links."""

from __future__ import annotations

import subprocess

import pytest
from conftest import audit_json, card, license_text, rules_of
from test_history import GitRepo

MIT = license_text("mit")


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
