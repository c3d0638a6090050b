"""git on a hostile repository: partial clones that would fetch, FIFOs and links in `.git`, a broken `.git`
inside another repository, `.git` files pointing anywhere, names that are not UTF-8, shell-quoted fixes."""

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

MIT = license_text("mit")
MIT_CARD = card("license: mit")


def removed(report: dict) -> list[dict]:
    return [f for f in report["findings"] if f["rule"] == "license-file-removed"]


def run_cli(*args, timeout=120) -> subprocess.CompletedProcess:
    """The real command in its own process: a hang is a timeout here, never a stuck test run."""
    return subprocess.run(
        [sys.executable, "-m", "license_audit", *map(str, args)],
        capture_output=True,
        timeout=timeout,
        check=False,
        env=dict(os.environ),
    )


# ---------------------------------------------------------------------------------- 1. partial clones


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


# ----------------------------------------------------------------------------------- 5. missing blobs


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


# ------------------------------------------------------------------------------ 2. FIFOs and links


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


# ------------------------------------------------------------- 4. never another repository's history


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


# ----------------------------------------------------------------------- 3. names that are not UTF-8


@pytest.fixture
def undecodable(tmp_path):
    r = GitRepo(tmp_path / "cat" / "odd")
    name = os.fsdecode(b"LICENSE\xff")
    r.commit("initial", {"README.md": MIT_CARD, "LICENSE": MIT, name: "Some terms.\n"})
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


def test_a_rename_to_a_name_that_is_not_utf8_is_a_deletion(cli, tmp_path):
    r = GitRepo(tmp_path / "model")
    r.commit("initial", {"README.md": MIT_CARD, "LICENSE": MIT})
    gone = r.commit("hide", {os.fsdecode(b"LICENSE\xfe"): MIT}, remove=("LICENSE",))
    report, _ = audit_json(cli, r.root)
    assert [(f["path"], f["commit"]) for f in removed(report)] == [("LICENSE", gone)]


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


# ---------------------------------------------------------------------------- 6. quoted fix commands


@pytest.mark.parametrize("name", ["LICENSE-it's", "LICENSE $(touch pwned)", "licenses/a'b/LICENSE"])
def test_fix_commands_quote_the_path_for_the_shell(cli, tmp_path, name):
    import shlex

    r = GitRepo(tmp_path / "model")
    r.commit("initial", {"README.md": MIT_CARD, name: "Home-made terms of the upstream.\n"})
    gone = r.commit("drop", remove=(name,))
    report, _ = audit_json(cli, r.root)
    [finding] = removed(report)
    command = finding["fix"].split("`")[1]
    assert shlex.split(command) == ["git", "checkout", f"{gone[:12]}^", "--", name]


def test_fix_gives_no_command_for_a_path_with_control_characters(cli, tmp_path):
    r = GitRepo(tmp_path / "model")
    name = "LICENSE\x1b[2K"
    r.commit("initial", {"README.md": MIT_CARD, name: "Home-made terms of the upstream.\n"})
    r.commit("drop", remove=(name,))
    report, _ = audit_json(cli, r.root)
    [finding] = removed(report)
    assert "`" not in finding["fix"] and "git checkout" not in finding["fix"]


def test_replaced_text_fix_quotes_the_path(cli, tmp_path):
    import shlex

    r = GitRepo(tmp_path / "model")
    name = "LICENSE-it's"
    r.commit("initial", {"README.md": MIT_CARD, name: license_text("apache-2.0")})
    gone = r.commit("swap", {name: "Home-made terms.\n"})
    report, _ = audit_json(cli, r.root)
    fixes = [f["fix"] for f in removed(report)]
    assert fixes, report["findings"]
    command = fixes[0].split("`")[1]
    assert shlex.split(command) == ["git", "show", f"{gone[:12]}^:{name}"]
