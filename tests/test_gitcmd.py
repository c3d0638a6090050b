"""git run directly for history: blobs read in order, oversized ones skipped without losing the stream; and
git on a hostile repository: partial clones that would fetch, FIFOs and links in `.git`, a broken `.git`
inside a larger repository, a `.git` file pointing at another repository."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import audit_json, card, license_text, write_tree
from test_history import GitRepo

from license_audit.gitcmd import Git, GitError, _head_from_files, head
from license_audit.history import git_history


@pytest.fixture
def repo(tmp_path):
    r = GitRepo(tmp_path / "model")
    r.commit(
        "add",
        {
            "LICENSE": "small text\n",
            "big.bin": b"x" * 5000,
            "sub/README.md": "card\n",
            "NOTICE\nB": "a name with a newline\n",
        },
    )
    return r


def test_blobs_are_read_and_oversized_ones_skipped_in_sync(repo):
    g = Git(repo.root)
    try:
        assert g.blob("HEAD:LICENSE", 1000) == b"small text\n"
        assert g.blob("HEAD:big.bin", 1000) is None  # over the limit: read past, not returned
        assert g.blob("HEAD:sub", 1000) is None  # a tree, not a blob
        assert g.blob("HEAD:missing", 1000) is None
        assert g.blob("HEAD:sub/README.md", 1000) == b"card\n"  # the stream is still in step
        assert g.blob("HEAD:big.bin", 10_000) == b"x" * 5000
        assert g.blob("HEAD:NOTICE\nB", 1000) == b"a name with a newline\n"
        assert g.blob("HEAD:a\nHEAD:b", 1000) is None  # no such path: nothing, and the stream stays in step
        assert g.blob("HEAD:LICENSE", 1000) == b"small text\n"
    finally:
        g.close()
        g.close()  # twice is harmless


def test_work_tree_top_and_state_from_a_subfolder(repo):
    g = Git(repo.root / "sub", prefix="sub")
    assert g.root == repo.root.resolve() and g.git_dir == (repo.root / ".git").resolve()
    assert g.shallow is False
    assert g.run("rev-parse", "HEAD").strip().decode() == head(repo.root)


def test_not_a_repository_and_failing_commands_are_git_errors(tmp_path, repo):
    with pytest.raises(GitError):
        Git(tmp_path / "nowhere")
    with pytest.raises(GitError) as exc:
        Git(repo.root).run("rev-parse", "--verify", "--quiet", "no-such-ref")
    assert exc.value.status == 1
    assert head(tmp_path) is None


def test_head_from_files_agrees_with_git_in_every_layout(repo, tmp_path):
    from license_audit.gitcmd import _head_from_files

    sha = repo.git("rev-parse", "HEAD")
    assert _head_from_files(repo.root) == sha == head(repo.root)  # loose branch ref
    repo.git("pack-refs", "--all")
    assert _head_from_files(repo.root) is None and head(repo.root) == sha  # packed: git answers
    repo.git("checkout", "-q", "--detach", sha)
    assert _head_from_files(repo.root) == sha == head(repo.root)  # detached
    linked = tmp_path / "linked"
    repo.git("worktree", "add", "-q", str(linked), sha)
    assert _head_from_files(linked) is None and head(linked) == sha  # a .git file: git answers
    unborn = GitRepo(tmp_path / "unborn")
    assert head(unborn.root) is None
    (repo.root / ".git" / "HEAD").write_text("ref: refs/heads/../../../etc/passwd\n")
    assert _head_from_files(repo.root) is None  # never read outside .git


MIT = license_text("mit")


MIT_CARD = card("license: mit")


def test_partial_clone_never_runs_the_repositorys_uploadpack(cli, tmp_path):
    up = GitRepo(tmp_path / "up")
    up.commit("initial", {"README.md": MIT_CARD, "LICENSE": MIT})
    up.commit("move", {"COPYING": MIT + "\nmoved\n"}, remove=("LICENSE",))  # rename detection wants both blobs
    up.commit("drop", remove=("COPYING",))
    up.git("config", "uploadpack.allowFilter", "true")
    clone = tmp_path / "pc"
    up.git("clone", "-q", "--filter=blob:none", f"file://{up.root}", str(clone))
    marker = tmp_path / "uploadpack-ran"
    subprocess.run(
        ["git", "-C", str(clone), "config", "remote.origin.uploadpack", f"touch '{marker}'; git-upload-pack"],
        check=True,
    )
    # The deleted texts are not in the clone: reading them would fetch them.
    assert (
        subprocess.run(
            ["git", "-C", str(clone), "cat-file", "-e", f"{up.git('rev-parse', 'HEAD~2')}:LICENSE"],
            env=dict(os.environ, GIT_NO_LAZY_FETCH="1"),
            capture_output=True,
        ).returncode
        != 0
    )
    report, code = audit_json(cli, clone)
    assert not marker.exists()
    assert report["target"]["kind"] == "git" and code in (0, 1)
    assert any("partial clone" in n for n in report["notes"]), report["notes"]


@pytest.fixture
def small_repo(tmp_path):
    r = GitRepo(tmp_path / "model")
    r.commit("add", {"LICENSE": "small text\n", "a b/LICENSE": "spaced\n"})
    return r


def test_blob_reader_restarts_after_cat_file_died(small_repo):
    g = Git(small_repo.root)
    try:
        assert g.blob("HEAD:LICENSE", 1000) == b"small text\n"
        g._batch.kill()
        g._batch.wait()
        with pytest.raises(GitError):
            g.blob("HEAD:LICENSE", 1000)
        assert g.blob("HEAD:LICENSE", 1000) == b"small text\n"  # a new process answers
        assert g.blob("HEAD:a b/LICENSE", 1000) == b"spaced\n"
    finally:
        g.close()


def test_missing_blob_whose_path_has_spaces_is_none_and_the_stream_stays_in_step(small_repo):
    g = Git(small_repo.root)
    try:
        assert g.blob("HEAD:no such", 1000) is None  # "HEAD:no such missing": 3 words, not a header
        assert g.blob("HEAD:no such file", 1000) is None
        assert g.blob("HEAD:a b/gone missing", 1000) is None
        assert g.blob("HEAD:a b/LICENSE", 1000) == b"spaced\n"
        assert g.blob("HEAD:LICENSE", 1000) == b"small text\n"
    finally:
        g.close()


def run_cli(*args, timeout=120) -> subprocess.CompletedProcess:
    """The real command in its own process: a hang is a timeout here, never a stuck test run."""
    return subprocess.run(
        [sys.executable, "-m", "license_audit", *map(str, args)],
        capture_output=True,
        timeout=timeout,
        check=False,
        env=dict(os.environ),
    )


@pytest.mark.parametrize(
    "where", ["HEAD", "refs/heads/main", "config", "packed-refs", "shallow", "objects/info/alternates"]
)
def test_a_fifo_in_git_never_blocks_the_audit(tmp_path, where):
    r = GitRepo(tmp_path / "model")
    r.commit("add", {"README.md": MIT_CARD, "LICENSE": MIT})
    path = r.root / ".git" / where
    if path.exists():
        path.unlink()
    path.parent.mkdir(parents=True, exist_ok=True)
    os.mkfifo(path)
    proc = run_cli("audit", r.root, "--format", "json", timeout=60)
    assert proc.returncode in (0, 1), proc.stderr
    report = json.loads(proc.stdout)
    assert report["target"]["revision"] is None
    assert any(n.startswith("history:") for n in report["notes"])


def test_head_linked_out_of_the_repository_is_not_read(cli, tmp_path):
    r = GitRepo(tmp_path / "model")
    r.commit("add", {"README.md": MIT_CARD, "LICENSE": MIT})
    outside = tmp_path / "outside"
    outside.write_text("0123456789abcdef0123456789abcdef01234567\n")
    (r.root / ".git" / "HEAD").unlink()
    (r.root / ".git" / "HEAD").symlink_to(outside)
    assert _head_from_files(r.root) is None
    assert head(r.root) != "0123456789abcdef0123456789abcdef01234567"
    report, _ = audit_json(cli, r.root)
    assert report["target"]["revision"] != "0123456789abcdef0123456789abcdef01234567"


def test_loose_ref_linked_out_of_the_repository_is_not_read(tmp_path):
    r = GitRepo(tmp_path / "model")
    r.commit("add", {"README.md": MIT_CARD})
    outside = tmp_path / "outside"
    outside.write_text("0123456789abcdef0123456789abcdef01234567\n")
    ref = r.root / ".git" / "refs" / "heads" / "main"
    ref.unlink()
    ref.symlink_to(outside)
    assert _head_from_files(r.root) is None
    assert head(r.root) != "0123456789abcdef0123456789abcdef01234567"


def removed(report: dict) -> list[dict]:
    return [f for f in report["findings"] if f["rule"] == "license-file-removed"]


@pytest.fixture
def enclosing(tmp_path):
    """A repository whose history deletes a license, by an author the model below never had."""
    outer = GitRepo(tmp_path / "outer")
    outer.commit("outer", {"README.md": card("license: apache-2.0"), "LICENSE": MIT})
    outer.commit("drop", remove=("LICENSE",))
    return outer


@pytest.mark.parametrize("broken", ["empty", "garbage-head", "no-objects"])
def test_a_broken_git_folder_never_audits_the_enclosing_repository(cli, enclosing, broken):
    model = write_tree(enclosing.root / "model", {"README.md": MIT_CARD, "LICENSE": MIT})
    dot_git = model / ".git"
    dot_git.mkdir()
    if broken == "garbage-head":
        (dot_git / "HEAD").write_text("not a ref\n")
    elif broken == "no-objects":
        (dot_git / "HEAD").write_text("ref: refs/heads/main\n")
    report, _ = audit_json(cli, model)
    assert report["target"]["revision"] is None
    assert removed(report) == []
    assert "Ann Author" not in json.dumps(report)
    assert any(n.startswith("history:") for n in report["notes"])


def test_a_broken_git_folder_reached_through_a_link_never_reads_the_enclosing_repository(enclosing, tmp_path):
    model = write_tree(enclosing.root / "model", {"README.md": MIT_CARD})
    (model / ".git").mkdir()
    (model / ".git" / "HEAD").write_text("ref: refs/heads/main\n")  # passes the layout check; git rejects it
    link = tmp_path / "link"
    link.symlink_to(model)
    hist = git_history(link)
    try:
        assert hist.changes == [] and hist.card_versions == []
        assert any(n.startswith("history:") for n in hist.notes), hist.notes
    finally:
        hist.close()


def test_a_monorepo_folder_with_a_broken_top_never_reads_the_enclosing_repository(enclosing):
    mono = write_tree(enclosing.root / "mono", {"models/m/README.md": MIT_CARD})
    (mono / ".git").mkdir()
    hist = git_history(mono / "models" / "m", prefix="models/m")
    try:
        assert hist.changes == []
        assert any("not a readable git repository" in n for n in hist.notes)
    finally:
        hist.close()


@pytest.mark.parametrize("how", ["file", "relative-file", "link"])
def test_a_git_file_or_link_to_another_repository_is_not_followed(cli, tmp_path, how):
    victim = GitRepo(tmp_path / "victim")
    victim.commit("initial", {"README.md": MIT_CARD, "LICENSE": MIT})
    victim.commit("drop", remove=("LICENSE",))
    model = write_tree(tmp_path / "model", {"README.md": MIT_CARD, "LICENSE": MIT})
    if how == "file":
        (model / ".git").write_text(f"gitdir: {victim.root / '.git'}\n")
    elif how == "relative-file":
        (model / ".git").write_text("gitdir: ../victim/.git\n")
    else:
        (model / ".git").symlink_to(victim.root / ".git")
    assert head(model) is None
    report, _ = audit_json(cli, model)
    assert report["target"]["revision"] is None
    assert removed(report) == [] and "Ann Author" not in json.dumps(report)
    assert any("outside the repository" in n for n in report["notes"]), report["notes"]


def test_a_submodule_is_audited_with_its_own_history(cli, tmp_path):
    up = GitRepo(tmp_path / "up")
    up.commit("initial", {"README.md": MIT_CARD, "LICENSE": MIT})
    gone = up.commit("drop", remove=("LICENSE",))
    sup = GitRepo(tmp_path / "super")
    sup.commit("initial", {"README.md": card("license: apache-2.0")})
    sup.git("-c", "protocol.file.allow=always", "submodule", "add", "-q", str(up.root), "sub")
    sub = sup.root / "sub"
    assert (sub / ".git").is_file() and "modules" in (sub / ".git").read_text()
    report, _ = audit_json(cli, sub)
    assert report["target"]["revision"] == gone
    assert [f["commit"] for f in removed(report)] == [gone]


def test_allowed_git_dirs():
    from license_audit.gitcmd import _allowed_git_dir

    top = Path("/r/model")
    assert _allowed_git_dir(Path("/r/model/.git"), top)
    assert _allowed_git_dir(Path("/r/model/store/gitdir"), top)
    assert _allowed_git_dir(Path("/src/main/.git/worktrees/model"), top)
    assert _allowed_git_dir(Path("/src/super/.git/modules/vendor/model"), top)
    assert not _allowed_git_dir(Path("/home/someone/project/.git"), top)
    assert not _allowed_git_dir(Path("/src/main/.git/worktrees"), top)
    assert not _allowed_git_dir(Path("/src/main/.git/worktrees/a/b"), top)
    assert not _allowed_git_dir(Path("/r/model-other/.git"), top)
