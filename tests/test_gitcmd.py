"""git run directly for history: blobs read in order, oversized ones skipped without losing the stream."""

from __future__ import annotations

import pytest
from test_history import GitRepo

from license_audit.gitcmd import Git, GitError, head


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
