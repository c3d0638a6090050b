"""History judged by content: license texts tracked by identity (licenses, copyright holders) across
commits, on git repositories built in temporary folders."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import audit_json, card, config_of, license_text
from test_history import GitRepo
from test_hub import fake_hub, hub_commits  # noqa: F401  (fake_hub: the loopback Hub fixture)

from license_audit.catalog import load_catalog
from license_audit.identify.identity import copyright_lines, holder_of, identity_of

ROOT = Path(__file__).resolve().parents[1]
DEEPSEEK_MIT = license_text("mit").replace("Copyright (c) <year> <copyright holders>", "Copyright (c) 2023 DeepSeek")
APACHE = license_text("apache-2.0")
CONFIG = json.dumps(config_of("deepseek-ai/DeepSeek-V3"), indent=2)


@pytest.fixture
def repo(tmp_path):
    return GitRepo(tmp_path / "model")


def found(report: dict, rule: str) -> list[dict]:
    return [f for f in report["findings"] if f["rule"] == rule]


# --- identity -------------------------------------------------------------------------------------


def test_copyright_lines_are_statements_not_license_sentences():
    text = (
        "Copyright (c) 2023 DeepSeek\nCopyright 2024-2025 Acme Corp. All rights reserved.\n© 2020 Foo Ltd\n"
        "The above copyright notice and this permission notice shall be included\n"
        "Copyright [yyyy] [name of copyright owner]\n(c) You must retain, in the Source form\nCopyright Holder\n"
    )
    assert copyright_lines(text) == [
        "Copyright (c) 2023 DeepSeek",
        "Copyright 2024-2025 Acme Corp. All rights reserved.",
        "© 2020 Foo Ltd",
    ]
    assert holder_of("Copyright (c) 2023 DeepSeek") == holder_of("Copyright 2024 DeepSeek") == "deepseek"


def test_identity_tells_license_and_holder():
    catalog = load_catalog()
    mit = identity_of(DEEPSEEK_MIT, catalog)
    assert mit.label() == "MIT (Copyright (c) 2023 DeepSeek)"
    assert identity_of(DEEPSEEK_MIT.replace("2023", "2024"), catalog).key == mit.key  # a year is no new text
    assert identity_of(DEEPSEEK_MIT.replace("DeepSeek", "Acme"), catalog).key != mit.key
    assert identity_of(APACHE, catalog).label() == "Apache-2.0"


# --- the rules ------------------------------------------------------------------------------------


def test_deleted_then_readded_with_other_terms_is_removed_with_both_commits(cli, repo):
    first = repo.commit("release", {"README.md": card("license: mit"), "LICENSE": DEEPSEEK_MIT})
    gone = repo.commit("drop license", remove=("LICENSE",))
    back = repo.commit("apache", {"LICENSE": APACHE, "README.md": card("license: apache-2.0")})
    report, code = audit_json(cli, repo.root)
    assert code == 1
    [f] = found(report, "license-file-removed")
    assert f["severity"] == "error" and f["path"] == "LICENSE" and f["commit"] == gone
    assert f["message"] == (
        f"LICENSE: MIT (Copyright (c) 2023 DeepSeek) in {first[:12]}, removed in {gone[:12]} "
        f"(Ann Author, 2024-01-01); LICENSE now holds Apache-2.0 since {back[:12]}."
    )
    assert f["change"] == {
        "path": "LICENSE",
        "was": "MIT (Copyright (c) 2023 DeepSeek)",
        "since": first,
        "removed": gone,
        "now": "Apache-2.0",
        "now_since": back,
    }
    # The same commit pair is not told twice as a license change of the file.
    assert [x["path"] for x in found(report, "license-changed")] == ["README.md"]


def test_readded_with_the_same_text_is_no_finding(cli, repo):
    repo.commit("release", {"README.md": card("license: mit"), "LICENSE": DEEPSEEK_MIT})
    repo.commit("drop license", remove=("LICENSE",))
    repo.commit("restore", {"LICENSE": DEEPSEEK_MIT.replace("2023", "2023-2024")})
    report, _ = audit_json(cli, repo.root)
    assert not found(report, "license-file-removed") and not found(report, "license-changed")


def test_edit_that_changes_identity(cli, repo):
    first = repo.commit("release", {"README.md": card("license: mit"), "LICENSE": DEEPSEEK_MIT})
    # The MIT text moves to its own file while LICENSE takes Apache-2.0: a change, nothing removed.
    swap = repo.commit("apache", {"LICENSE": APACHE, "LICENSE-MIT": DEEPSEEK_MIT})
    report, _ = audit_json(cli, repo.root)
    assert not found(report, "license-file-removed")
    [f] = [x for x in found(report, "license-changed") if x["path"] == "LICENSE"]
    assert f["severity"] == "warning" and f["commit"] == swap
    assert f["message"].startswith(
        f"LICENSE changed from MIT (Copyright (c) 2023 DeepSeek) (since {first[:12]}) to Apache-2.0 in {swap[:12]}"
    )
    # The copy goes too: the MIT text is removed, told once, at its last removal.
    drop = repo.commit("drop the copy", remove=("LICENSE-MIT",))
    report, _ = audit_json(cli, repo.root)
    [f] = found(report, "license-file-removed")
    assert f["path"] == "LICENSE-MIT" and f["commit"] == drop


def test_overwritten_in_place_is_removed(cli, repo):
    first = repo.commit("release", {"README.md": card("license: mit"), "LICENSE": DEEPSEEK_MIT})
    swap = repo.commit("apache", {"LICENSE": APACHE})
    report, _ = audit_json(cli, repo.root)
    [f] = found(report, "license-file-removed")
    assert f["message"].startswith(
        f"LICENSE: MIT (Copyright (c) 2023 DeepSeek) in {first[:12]}, replaced in {swap[:12]}"
    )
    assert f["change"]["replaced"] == swap
    assert not [x for x in found(report, "license-changed") if x["path"] == "LICENSE"]  # told once


def test_rename_keeping_the_text_is_no_finding(cli, repo):
    repo.commit("release", {"README.md": card("license: mit"), "LICENSE": DEEPSEEK_MIT})
    repo.git("mv", "LICENSE", "LICENSE-CODE")
    repo.commit("rename")
    (repo.root / "licenses").mkdir()
    repo.git("mv", "LICENSE-CODE", "licenses/LICENSE.txt")
    repo.commit("move and re-wrap", {"licenses/LICENSE.txt": DEEPSEEK_MIT.replace("\n\n", "\n\n\n")})
    report, _ = audit_json(cli, repo.root)
    assert not found(report, "license-file-removed") and not found(report, "license-changed")


def test_notice_copyright_line_removed(cli, repo):
    front = "license: apache-2.0\nbase_model: deepseek-ai/DeepSeek-V3-0324"
    notice = "Hinode-LM\nCopyright 2026 Hinode AI\nCopyright (c) 2023 DeepSeek\nCopyright 2021 Third Party Ltd\n"
    added = repo.commit(
        "release", {"README.md": card(front), "LICENSE": APACHE, "NOTICE": notice, "LICENSE-MIT": DEEPSEEK_MIT}
    )
    # A year bump keeps the holder: no finding.
    repo.commit("year", {"NOTICE": notice.replace("2026", "2027")})
    report, _ = audit_json(cli, repo.root)
    assert not found(report, "license-file-removed")
    # DeepSeek's line leaves the NOTICE and the MIT copy with it; the third party's line leaves too.
    edited = repo.commit("trim notice", {"NOTICE": "Hinode-LM\nCopyright 2027 Hinode AI\n"}, remove=("LICENSE-MIT",))
    report, code = audit_json(cli, repo.root)
    assert code == 1
    by_msg = {f["message"]: f for f in found(report, "license-file-removed")}
    upstream = [
        f for m, f in by_msg.items() if '"Copyright (c) 2023 DeepSeek" of deepseek-ai/DeepSeek-V3-0324 in NOTICE' in m
    ]
    assert upstream and upstream[0]["severity"] == "error" and upstream[0]["commit"] == edited
    assert upstream[0]["upstream"] == "deepseek-ai/DeepSeek-V3-0324"
    assert upstream[0]["change"]["since"] == added and upstream[0]["change"]["removed"] == edited
    third = [f for m, f in by_msg.items() if "Third Party Ltd" in m]
    assert third and third[0]["severity"] == "warning" and third[0]["upstream"] is None


# --- the remediated example -----------------------------------------------------------------------


def make_example(out: Path, steps: int | None = None) -> Path:
    args = [sys.executable, str(ROOT / "examples" / "make_history.py"), str(out)]
    subprocess.run([*args, *(["--steps", str(steps)] if steps else [])], check=True, capture_output=True)
    return out


def test_remediated_example_passes_with_its_history(cli, tmp_path):
    repo = make_example(tmp_path / "hinode")
    report, code = audit_json(cli, repo, "--fail-on", "error")
    assert code == 0, [f["message"] for f in report["findings"] if f["severity"] == "error"]
    assert {f["rule"] for f in report["findings"]} == {"license-changed"}
    assert report["lineage"][0]["model"] == "deepseek-ai/DeepSeek-V3-0324"
    assert "checkpoint" not in report["lineage"][0]
    assert report["lineage"][0]["license"] == "mit"
    # The same files are what the example folder holds.
    shipped = ROOT / "examples" / "deepseek-v3-remediated"
    for p in shipped.iterdir():
        assert (repo / p.name).read_text(encoding="utf-8") == p.read_text(encoding="utf-8")


def test_example_before_the_remediation_reports_the_removal(cli, tmp_path):
    repo = make_example(tmp_path / "hinode", steps=3)
    log = subprocess.run(["git", "log", "--format=%H"], cwd=repo, capture_output=True, text=True).stdout.split()
    back, gone, first = log[0], log[1], log[2]
    report, code = audit_json(cli, repo)
    assert code == 1
    [f] = found(report, "license-file-removed")
    assert f"in {first[:12]}, removed in {gone[:12]}" in f["message"]
    assert f"LICENSE now holds Apache-2.0 since {back[:12]}" in f["message"]


@pytest.mark.parametrize("fmt", ["text", "markdown", "html"])
def test_reports_show_the_history_finding(cli, tmp_path, fmt):
    repo = make_example(tmp_path / "hinode", steps=3)
    log = subprocess.run(["git", "log", "--format=%H"], cwd=repo, capture_output=True, text=True).stdout.split()
    res = cli("audit", str(repo), "--format", fmt)
    out = res.output
    assert "license-file-removed" in out
    assert "MIT (Copyright (c) 2023 DeepSeek)" in out
    assert f"removed in {log[1][:12]}" in out and f"since {log[0][:12]}" in out and log[2][:12] in out
    assert "now Apache-2.0" in out  # the structured "what changed" line


def test_hub_history_judges_by_content(cli, fake_hub):  # noqa: F811 (the fixture imported above)
    """The same case on a Hub repository: LICENSE with DeepSeek's MIT text, deleted, then Apache-2.0."""
    states = [
        {"README.md": card("license: mit"), "LICENSE": DEEPSEEK_MIT, "config.json": CONFIG},
        {"README.md": card("license: mit"), "config.json": CONFIG},
        {"README.md": card("license: apache-2.0"), "LICENSE": APACHE, "config.json": CONFIG},
    ]
    commits = hub_commits(states, "hinode", "hinode", "2026-03-0{}")
    fake_hub.repos["hinode/Hinode-LM-3"] = {"commits": commits}
    report, code = audit_json(cli, "hf:hinode/Hinode-LM-3")
    assert code == 1
    [f] = found(report, "license-file-removed")
    first, gone, back = (c["id"] for c in reversed(commits))
    assert f["message"].startswith(
        f"LICENSE: MIT (Copyright (c) 2023 DeepSeek) in {first[:12]}, removed in {gone[:12]}"
    )
    assert f"LICENSE now holds Apache-2.0 since {back[:12]}" in f["message"]


def test_same_terms_in_another_form_is_no_change(cli, repo):
    header = 'Copyright 2024 Acme\n\nLicensed under the Apache License, Version 2.0 (the "License");\n'
    repo.commit("release", {"README.md": card("license: apache-2.0"), "LICENSE": header})
    repo.commit("full text", {"LICENSE": APACHE})  # the reference becomes the full text
    repo.commit("add a holder", {"NOTICE": "Copyright 2024 Acme\n"})
    repo.commit("and another", {"NOTICE": "Copyright 2024 Acme\nCopyright 2025 Acme Labs\n"})
    report, _ = audit_json(cli, repo.root)
    assert not found(report, "license-file-removed") and not found(report, "license-changed")
