"""license-audit fix: the changes a derivative owes, and the audit of the result.

Every test asserts the audit after the fix, not the files alone.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import audit_json, card, config_of, license_text, rules_of

from license_audit.cardedit import BLOCK_MARKERS, CardEditError, set_block, set_front_matter
from license_audit.catalog import load_catalog
from license_audit.notice import TEXT_MARKERS

ROOT = Path(__file__).resolve().parents[1]
GIT = shutil.which("git")
MECHANICAL = {
    "base-model-undeclared",
    "upstream-license-missing",
    "upstream-notice-missing",
    "attribution-missing",
    "use-restrictions-missing",
}


def _tree(repo: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(repo)): p.read_bytes()
        for p in sorted(repo.rglob("*"))
        if p.is_file() and ".git" not in p.parts
    }


def _errors(report: dict) -> set[str]:
    return rules_of(report, "error")


def _fix_and_audit(cli, repo, *extra):
    res = cli("fix", repo, "--write", *extra)
    assert res.exit_code == 0, res.output
    rules = [a for i, a in enumerate(extra) if a == "--rules" or (i and extra[i - 1] == "--rules")]
    after, _ = audit_json(cli, repo, *rules)
    return res.output, after


def _rules_dir(tmp_path: Path, models: dict[str, str]) -> Path:
    rules = tmp_path / "extra-rules"
    (rules / "models").mkdir(parents=True, exist_ok=True)
    (rules / "licenses").mkdir(exist_ok=True)
    for name, text in models.items():
        (rules / "models" / name).write_text(text, encoding="utf-8")
    return rules


# --- one fixture per catalog family -----------------------------------------------------------------

FAMILIES = {
    # name: (card front matter, files besides the card, model name begins as the license asks)
    "llama2": (
        "license: llama2\nbase_model: meta-llama/Llama-2-7b-hf",
        {"config.json": config_of("meta-llama/Llama-2-7b-hf")},
    ),
    "llama3": ("license: llama3", {"config.json": config_of("meta-llama/Meta-Llama-3-8B-Instruct")}),
    "llama3.1": ("license: llama3.1", {"config.json": config_of("meta-llama/Llama-3.1-8B")}),
    "llama3.2": ("license: llama3.2", {"config.json": config_of("meta-llama/Llama-3.2-3B")}),
    "llama3.3": (
        "license: llama3.3\nbase_model: meta-llama/Llama-3.3-70B-Instruct",
        {"config.json": config_of("meta-llama/Llama-3.3-70B-Instruct")},
    ),
    "llama4": ("license: llama4\nbase_model: meta-llama/Llama-4-Scout-17B-16E-Instruct", {}),
    "gemma": ("license: gemma", {"config.json": config_of("google/gemma-2-2b-it")}),
    "qwen": ("license: other\nlicense_name: qwen", {"config.json": config_of("Qwen/Qwen2.5-72B")}),
    "qwen-research": ("license: other\nlicense_name: qwen-research", {"config.json": config_of("Qwen/Qwen2.5-3B")}),
    "tongyi-qianwen": (
        "license: other\nlicense_name: tongyi-qianwen",
        {"config.json": config_of("Qwen/Qwen1.5-MoE-A2.7B-Chat")},
    ),
    "deepseek": (
        "license: other\nlicense_name: deepseek",
        {"config.json": config_of("deepseek-ai/DeepSeek-V2-Lite-Chat")},
    ),
    "mrl": ("license: other\nlicense_name: mrl", {"config.json": config_of("mistralai/Ministral-8B-Instruct-2410")}),
    "mnpl": ("license: other\nlicense_name: mnpl\nbase_model: mistralai/Codestral-22B-v0.1", {}),
    "apache-2.0": ("license: apache-2.0", {"config.json": config_of("mistralai/Mistral-7B-v0.3")}),
    "mit": ("license: mit", {"config.json": config_of("microsoft/phi-4")}),
}
# Licenses the catalog holds no reference copy of: the fix cannot write their text.
NO_REFERENCE_TEXT = {f for f in FAMILIES if not load_catalog().get(f).identify.get("reference_text")}


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_fix_settles_the_mechanical_findings_of_each_family(cli, make_repo, family):
    front, files = FAMILIES[family]
    repo = make_repo({"README.md": card(front, "# Tiny model\n\nA small derivative.\n"), **files})
    before, _ = audit_json(cli, repo)
    owed = _errors(before) & MECHANICAL
    assert owed, before["findings"]  # each fixture owes something the fix settles
    out, after = _fix_and_audit(cli, repo)
    left = _errors(after) & MECHANICAL
    lic = load_catalog().get(family)
    if family in NO_REFERENCE_TEXT:
        # The copy cannot be written without the real text: the fix and the finding say which file and where.
        assert left == {"upstream-license-missing"}, after["findings"]
        finding = next(f for f in after["findings"] if f["rule"] == "upstream-license-missing")
        assert finding["path"] == "LICENSE" and lic.url in finding["fix"]
        assert f"next step: upstream-license-missing (LICENSE): {finding['fix']}" in out
        assert not (repo / "LICENSE").exists()
    else:
        assert not left, after["findings"]
    # Nothing else gets worse, and a second run has nothing to do.
    assert _errors(after) <= _errors(before)
    snapshot = _tree(repo)
    again = cli("fix", repo, "--write")
    assert again.exit_code == 0 and "wrote" not in again.output
    assert _tree(repo) == snapshot
    # The card still parses to what it said, plus base_model where the audit asked for it.
    text = (repo / "README.md").read_text(encoding="utf-8")
    assert text.startswith(card(front, "").split("\n---\n")[0])
    assert "A small derivative." in text


def test_llama_fix_leaves_the_rename_as_a_next_step(cli, make_repo):
    repo = make_repo(
        {"README.md": card("license: llama3.1", "# Tiny\n"), "config.json": config_of("meta-llama/Llama-3.1-8B")}
    )
    out, after = _fix_and_audit(cli, repo)
    assert _errors(after) == {"name-prefix-required"}
    assert 'next step: name-prefix-required (README.md): Rename the model to begin with "Llama"' in out
    readme = (repo / "README.md").read_text(encoding="utf-8")
    # "finetune" is what the Hub assumes without base_model_relation, and all the evidence says: not written.
    assert "license: llama3.1\nbase_model: meta-llama/Llama-3.1-8B\n---" in readme
    assert "**Built with Llama**" in readme and "https://llama.meta.com/llama3_1/use-policy" in readme
    assert (repo / "LICENSE").read_text(encoding="utf-8") == license_text("llama3.1")


def test_a_configuration_two_generations_share_is_the_publisher_s_to_name(cli, make_repo):
    # Qwen2-7B-Instruct and Qwen2.5-7B-Instruct have the same config.json: writing the first would declare the
    # wrong generation for every Qwen2.5 fine-tune.
    repo = make_repo(
        {"README.md": card("license: apache-2.0", "# Tiny\n"), "config.json": config_of("Qwen/Qwen2.5-7B-Instruct")}
    )
    out, _ = _fix_and_audit(cli, repo)
    readme = (repo / "README.md").read_text(encoding="utf-8")
    assert "base_model" not in readme
    assert "next step: base-model-undeclared: the configuration fits" in out and "Qwen/Qwen2.5-7B-Instruct" in out
    # Base and instruct checkpoints of one family share a configuration too: the closest is written, as before.
    llama = make_repo(
        {"README.md": card("license: llama3.1", "# Tiny\n"), "config.json": config_of("meta-llama/Llama-3.1-8B")}
    )
    _fix_and_audit(cli, llama)
    assert "base_model: meta-llama/Llama-3.1-8B" in (llama / "README.md").read_text(encoding="utf-8")


def test_openrail_family_through_an_organisation_registry(cli, make_repo, tmp_path):
    rules = _rules_dir(
        tmp_path,
        {
            "acme__rail-base.yaml": 'id: acme/rail-base\nfamily: acme\nlicense: bigscience-openrail-m\ncopyright: ["Copyright 2024 ACME Corp."]\n',
            "acme__old-rail.yaml": "id: acme/old-rail\nfamily: acme-old\nlicense: openrail\n",
        },
    )
    repo = make_repo({"README.md": card("license: bigscience-openrail-m\nbase_model: acme/rail-base")})
    before, _ = audit_json(cli, repo, "--rules", rules)
    assert {"upstream-license-missing", "upstream-notice-missing"} <= _errors(before)
    _out, after = _fix_and_audit(cli, repo, "--rules", rules)
    assert not _errors(after) & MECHANICAL, after["findings"]
    assert "Copyright 2024 ACME Corp." in (repo / "NOTICE").read_text(encoding="utf-8")

    # The generic `openrail` has the BigScience Open RAIL-M as its text: the fix writes that text once, and
    # the copy, which identification names bigscience-openrail-m, is the copy `openrail` asks for.
    repo2 = make_repo({"README.md": card("license: openrail\nbase_model: acme/old-rail")})
    out2, after2 = _fix_and_audit(cli, repo2, "--rules", rules)
    assert "wrote LICENSE: the Open RAIL-M License, from the catalog's reference text" in out2
    assert (repo2 / "LICENSE").read_text(encoding="utf-8") == license_text("bigscience-openrail-m")
    assert sorted(p.name for p in repo2.iterdir() if p.name.startswith("LICENSE")) == ["LICENSE"]
    assert not _errors(after2) & MECHANICAL, after2["findings"]


# --- the DeepSeek example, dry run, --only, --relicense ----------------------------------------------


def _copy_example(tmp_path, name="deepseek-v3-relabelled"):
    dst = tmp_path / name
    shutil.copytree(ROOT / "examples" / name, dst)
    return dst


def _declared_example(tmp_path):
    """The DeepSeek example once its publisher has said which checkpoint it is built from."""
    repo = _copy_example(tmp_path)
    readme = repo / "README.md"
    readme.write_text(
        set_front_matter(readme.read_text(encoding="utf-8"), {"base_model": "deepseek-ai/DeepSeek-V3"}),
        encoding="utf-8",
    )
    return repo


def test_dry_run_prints_a_diff_and_writes_nothing(cli, tmp_path):
    repo = _copy_example(tmp_path)
    before = _tree(repo)
    res = cli("fix", repo)
    assert res.exit_code == 0
    assert "--- /dev/null\n+++ b/LICENSE-MIT\n" in res.stdout and "+++ b/NOTICE\n" in res.stdout
    # Checkpoints under different terms fit the config: which one it is, is the publisher's to say.
    assert "b/README.md" not in res.stdout and "LICENSE-MODEL" not in res.stdout.split("+++ b/NOTICE")[0]
    assert "next step: base-model-undeclared (config.json): Add `base_model:` to README.md naming" in res.output
    assert _tree(repo) == before


@pytest.mark.skipif(GIT is None, reason="git is not installed")
def test_the_diff_applies_and_the_work_tree_changes_only_in_the_named_files(cli, tmp_path):
    repo = _declared_example(tmp_path)
    run = lambda *a: subprocess.run([GIT, *a], cwd=repo, check=True, capture_output=True, text=True)  # noqa: E731
    run("init", "-q")
    run("add", "-A")
    run("-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "init")
    patch = tmp_path / "fix.diff"
    patch.write_text(cli("fix", repo, "--relicense").stdout, encoding="utf-8")
    run("apply", "--check", str(patch))
    res = cli("fix", repo, "--write", "--relicense")
    named = {
        line.split(":", 1)[0].removeprefix("wrote ") for line in res.output.splitlines() if line.startswith("wrote ")
    }
    status = run("status", "--porcelain", "--untracked-files=all").stdout.splitlines()
    assert {line[3:] for line in status} == named == {"README.md", "LICENSE-MODEL", "LICENSE-MIT", "NOTICE"}
    # The applied diff and the written files are the same change.
    written = _tree(repo)
    run("checkout", "-q", "--", ".")
    run("clean", "-qfd")
    run("apply", str(patch))
    assert _tree(repo) == written


def test_deepseek_example_audit_fix_audit(cli, tmp_path):
    # The README's quick start runs these commands on the same example.
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for line in ("license-audit fix /tmp/sakura ", "license-audit fix /tmp/sakura --write ", "--write --relicense"):
        assert line in readme
    repo = _copy_example(tmp_path)
    before, code = audit_json(cli, repo)
    assert code == 1 and {"base-model-undeclared", "upstream-license-missing"} <= _errors(before)
    out, after = _fix_and_audit(cli, repo)
    # The duties every checkpoint that fits imposes are written (MIT's copy, the copyright line); the
    # checkpoint itself, and the duties only some checkpoints impose, are the publisher's to settle.
    assert _errors(after) == {"base-model-undeclared"}
    assert "wrote LICENSE-MIT" in out and "wrote NOTICE" in out and "wrote README.md" not in out
    assert "deepseek-ai/DeepSeek-V3-0324 (March 2025 update): MIT License" in out
    assert {f["rule"] for f in after["findings"] if f["severity"] == "warning"} == {
        "license-incompatible",
        "upstream-license-missing",
        "use-restrictions-missing",
    }

    # Once the card names the checkpoint, the rest is mechanical.
    readme_path = repo / "README.md"
    readme_path.write_text(
        set_front_matter(readme_path.read_text(encoding="utf-8"), {"base_model": "deepseek-ai/DeepSeek-V3"}),
        encoding="utf-8",
    )
    out, after = _fix_and_audit(cli, repo)
    assert _errors(after) == {"license-incompatible"}
    # Without --relicense the declared terms stay the publisher's choice: said, not changed.
    assert (
        "next step: The card declares a license that cannot be granted; the DeepSeek License Agreement carries "
        "the upstream's terms (`license-audit fix --write --relicense` declares it)."
    ) in out
    out, after = _fix_and_audit(cli, repo, "--relicense")
    assert after["summary"] == {"error": 0, "warning": 0, "info": 0}, after["findings"]
    assert after["model"]["declared_license"] == "other" and after["model"]["declared_license_name"] == "deepseek"
    readme = readme_path.read_text(encoding="utf-8")
    assert "license: other\nmodel_name: Sakura-LM-3\n" in readme  # the key keeps its place
    assert "license_name: deepseek\nlicense_link: LICENSE-MODEL\n" in readme
    assert "It is released under the Apache License 2.0." in readme  # the publisher's prose is theirs
    assert "instead of `apache-2.0`" in out
    assert "A copy of the license is in LICENSE-MODEL." in (repo / "NOTICE").read_text(encoding="utf-8")


def test_only_limits_the_fix_to_the_named_rules(cli, tmp_path):
    repo = _copy_example(tmp_path)
    res = cli("fix", repo, "--write", "--only", "upstream-notice-missing")
    assert res.exit_code == 0 and res.output.startswith("wrote NOTICE:")
    assert sorted(p.name for p in repo.iterdir()) == [
        "LICENSE",
        "NOTICE",
        "README.md",
        "config.json",
        "generation_config.json",
    ]
    after, _ = audit_json(cli, repo)
    assert "upstream-notice-missing" not in rules_of(after)
    assert {"base-model-undeclared", "upstream-license-missing"} <= _errors(after)
    bad = cli("fix", repo, "--only", "name-prefix-required")
    assert bad.exit_code == 2 and "not a rule fix settles" in bad.output


def test_fix_refuses_hub_targets_and_missing_folders(cli, tmp_path):
    assert cli("fix", "hf:acme/model").exit_code == 2
    res = cli("fix", tmp_path / "absent")
    assert res.exit_code == 2 and len(res.output.strip().splitlines()) == 1


def test_user_text_outside_the_blocks_is_kept(cli, tmp_path):
    repo = _declared_example(tmp_path)
    (repo / "NOTICE").write_text("Sakura-LM-3\nCopyright 2025 Sakura Labs\n", encoding="utf-8")
    readme_before = (repo / "README.md").read_text(encoding="utf-8")
    cli("fix", repo, "--write")
    notice = (repo / "NOTICE").read_text(encoding="utf-8")
    assert notice.startswith("Sakura-LM-3\nCopyright 2025 Sakura Labs\n\n" + TEXT_MARKERS[0])
    readme = (repo / "README.md").read_text(encoding="utf-8")
    begin, end = BLOCK_MARKERS
    # Take the tool's lines out again: what is left is the card as the publisher wrote it.
    start = readme.index(begin)
    stop = readme.index(end) + len(end)
    assert readme[:start] + readme[stop + 2 :] == readme_before
    assert readme[start - 2 : start] == "\n\n" and readme[stop : stop + 2] == "\n\n"


# --- the front matter keeps every byte it does not set ---------------------------------------------------

ODD_CARD = (
    "---\n"
    "# Card metadata, kept by hand\n"
    "tags:   [text-generation, 日本語]   # flow list, spaced\n"
    "model_name: Ünïcode-Model\n"
    "言語: 日本語\n"
    "widget:\n"
    "  - text: 'こんにちは: world'\n"
    "    # an indented comment\n"
    "license: llama3.1\n"
    "datasets:\n"
    "- acme/data   # col-0 list\n"
    "\n"
    "# trailing comment\n"
    "---\n"
    "\n"
    "# Ünïcode-Model\n"
    "\n"
    "Text with émojis 🦙 and a ``` fence\n"
)


def test_front_matter_edit_keeps_comments_key_order_and_unicode():
    new = set_front_matter(ODD_CARD, {"base_model": "meta-llama/Llama-3.1-8B", "base_model_relation": "finetune"})
    added = "base_model: meta-llama/Llama-3.1-8B\nbase_model_relation: finetune\n"
    assert new == ODD_CARD.replace("- acme/data   # col-0 list\n", "- acme/data   # col-0 list\n" + added)
    # Setting an existing key rewrites only its line; a new one goes after the last key.
    changed = set_front_matter(new, {"license": "other", "license_name": "llama3.1"})
    expected = new.replace("license: llama3.1\n", "license: other\n").replace(added, added + "license_name: llama3.1\n")
    assert changed == expected
    assert set_front_matter(changed, {"license_name": None}) == changed.replace("license_name: llama3.1\n", "")


def test_front_matter_edit_on_a_real_card_through_fix(cli, make_repo):
    repo = make_repo({"README.md": ODD_CARD, "config.json": config_of("meta-llama/Llama-3.1-8B")})
    cli("fix", repo, "--write", "--only", "base-model-undeclared")
    text = (repo / "README.md").read_text(encoding="utf-8")
    added = "base_model: meta-llama/Llama-3.1-8B\n"
    assert text == ODD_CARD.replace("- acme/data   # col-0 list\n", "- acme/data   # col-0 list\n" + added)
    after, _ = audit_json(cli, repo)
    assert "base-model-undeclared" not in rules_of(after)


def test_a_quantization_gets_its_relation_written(cli, make_repo):
    cfg = {**config_of("meta-llama/Llama-3.1-8B"), "quantization_config": {"quant_method": "gptq", "bits": 4}}
    repo = make_repo({"README.md": card("license: llama3.1", "# Llama-3.1-8B-GPTQ\n"), "config.json": cfg})
    _out, after = _fix_and_audit(cli, repo, "--only", "base-model-undeclared")
    readme = (repo / "README.md").read_text(encoding="utf-8")
    assert "base_model: meta-llama/Llama-3.1-8B\nbase_model_relation: quantized\n---" in readme
    assert after["model"]["base_model_relation"] == "quantized" and "base-model-undeclared" not in rules_of(after)


def test_front_matter_edit_keeps_crlf_and_bom_and_creates_front_matter():
    crlf = "\ufeff---\r\nlicense: mit\r\n---\r\n# T\r\n"
    assert (
        set_front_matter(crlf, {"base_model": "a/b"})
        == "\ufeff---\r\nlicense: mit\r\nbase_model: a/b\r\n---\r\n# T\r\n"
    )
    assert set_front_matter("# Title\n", {"base_model": "a/b"}) == "---\nbase_model: a/b\n---\n\n# Title\n"
    assert set_front_matter("", {"base_model": "a/b"}) == "---\nbase_model: a/b\n---\n"
    # Values that YAML would read as something else are quoted.
    assert 'license_name: "yes"' in set_front_matter("---\nlicense: other\n---\n", {"license_name": "yes"})


def test_front_matter_edit_refuses_what_it_cannot_do_by_lines():
    with pytest.raises(CardEditError):
        set_front_matter("---\nlicense: [mit\n---\n", {"base_model": "a/b"})
    with pytest.raises(CardEditError):
        set_front_matter("---\nlicense: mit\n", {"base_model": "a/b"})  # never closed
    # A flow mapping spread over lines at column 0 is no plain key: the check after the edit catches it.
    tricky = "---\nbase_model: {a: 1,\n b: 2}\n---\n"
    assert set_front_matter(tricky, {"base_model": "x/y"}) == "---\nbase_model: x/y\n---\n"


def test_card_block_goes_after_the_first_heading_and_is_replaced_in_place():
    text = "---\nlicense: mit\n---\n\n```\n# not a heading\n```\n# Title\n\nBody.\n"
    once = set_block(text, ["**Built with Llama**"])
    assert once == text.replace(
        "# Title\n", "# Title\n\n<!-- BEGIN license-audit -->\n**Built with Llama**\n<!-- END license-audit -->\n"
    )
    tight = set_block("# Title\n## Sub\n", ["x"])
    assert tight == "# Title\n\n<!-- BEGIN license-audit -->\nx\n<!-- END license-audit -->\n\n## Sub\n"
    twice = set_block(once, ["**Built with Qwen**"])
    assert twice == once.replace("Llama**", "Qwen**")
    assert set_block(once, ["**Built with Llama**"]) == once


# --- the five repositories where notice --write did not satisfy the audit --------------------------------

DISAGREEMENTS = {
    # A Llama 3.2 conversion whose upstream license is known only from the card's `license:`.
    "llama32-conversion": {
        "README.md": card("license: llama3.2\nbase_model: unsloth/Llama-3.2-1B-Instruct\nlibrary_name: mlx")
    },
    # A Codestral GGUF under MNPL; the GGUF header names its base (_make_case).
    "codestral-gguf": {
        "README.md": card("license: other\nlicense_name: mnpl\ntags: [gguf]", "# Codestral-22B-v0.1-GGUF\n")
    },
    # A DeepSeek Coder quantization.
    "deepseek-coder-quant": {
        "README.md": card(
            "license: other\nlicense_name: deepseek\nlicense_link: LICENSE\n"
            "base_model: deepseek-ai/deepseek-coder-6.7b-instruct\nbase_model_relation: quantized"
        )
    },
    # A tongyi-qianwen fine-tune.
    "tongyi-qianwen-finetune": {
        "README.md": card("license: other\nlicense_name: tongyi-qianwen", "# moe-sft\n"),
        "config.json": config_of("Qwen/Qwen1.5-MoE-A2.7B-Chat"),
    },
    # An InternVL2 on Llama 3: the card declares MIT, the language model is Meta Llama 3.
    "internvl2-llama3": {
        "README.md": card("license: mit\nbase_model: OpenGVLab/InternVL2-Llama3-76B\npipeline_tag: image-text-to-text"),
        "config.json": {**config_of("meta-llama/Meta-Llama-3-8B-Instruct"), "vision_config": {"hidden_size": 1024}},
    },
}
NOTICE_DUTIES = {"upstream-license-missing", "upstream-notice-missing"}


def _make_case(make_repo, case: str) -> Path:
    repo = make_repo(DISAGREEMENTS[case])
    if case == "codestral-gguf":
        gguf = pytest.importorskip("gguf")
        import numpy as np

        w = gguf.GGUFWriter(str(repo / "Codestral-22B-v0.1-Q4_K_M.gguf"), "llama")
        w.add_base_model_count(1)
        w.add_base_model_name(0, "Codestral 22B v0.1")
        w.add_base_model_organization(0, "Mistralai")
        w.add_base_model_repo_url(0, "https://huggingface.co/mistralai/Codestral-22B-v0.1")
        w.add_block_count(56)
        w.add_embedding_length(6144)
        w.add_tensor("token_embd.weight", np.zeros((4, 8), dtype=np.float32))
        w.write_header_to_file()
        w.write_kv_data_to_file()
        w.write_tensors_to_file()
        w.close()
    return repo


@pytest.mark.parametrize("case", sorted(DISAGREEMENTS))
def test_notice_write_satisfies_the_audit_that_asked_for_it(cli, make_repo, case):
    repo = _make_case(make_repo, case)
    before, _ = audit_json(cli, repo)
    assert _errors(before) & NOTICE_DUTIES, before["findings"]
    res = cli("notice", repo, "--write")
    assert res.exit_code == 0, res.output
    after, _ = audit_json(cli, repo)
    left = [f for f in after["findings"] if f["rule"] in NOTICE_DUTIES and f["severity"] == "error"]
    assert not left, left
    # The copy is where the finding said it would be.
    for f in before["findings"]:
        if f["rule"] == "upstream-license-missing":
            assert (repo / f["path"]).is_file(), (f["path"], res.output)
    snapshot = _tree(repo)
    again = cli("notice", repo, "--write")
    assert "wrote" not in again.output and _tree(repo) == snapshot


@pytest.mark.parametrize("case", sorted(DISAGREEMENTS))
def test_fix_write_settles_the_mechanical_rules_of_the_disagreements(cli, make_repo, case):
    repo = _make_case(make_repo, case)
    out, after = _fix_and_audit(cli, repo, "--relicense")
    left = _errors(after) & (MECHANICAL | {"license-incompatible"})
    assert left <= ({"upstream-license-missing"} if case == "codestral-gguf" else set()), after["findings"]
    # What it cannot do is a next step, each finding left named.
    for f in after["findings"]:
        if f["severity"] == "error":
            assert f["rule"] in out
    snapshot = _tree(repo)
    assert "wrote" not in cli("fix", repo, "--write", "--relicense").output
    assert _tree(repo) == snapshot


def test_internvl_relicense_carries_the_llama3_terms(cli, make_repo):
    repo = make_repo(DISAGREEMENTS["internvl2-llama3"])
    _out, after = _fix_and_audit(cli, repo, "--relicense")
    assert after["model"]["declared_license"] == "llama3"
    # The copy went beside the model's own LICENSE, as the card declared MIT when it was planned.
    assert (repo / "LICENSE-LLAMA3").read_text(encoding="utf-8") == license_text("llama3")
    assert "Meta Llama 3 is licensed under the Meta Llama 3 Community License" in (repo / "NOTICE").read_text(
        encoding="utf-8"
    )
    assert _errors(after) == {"name-prefix-required"}


def test_regional_restriction_is_stated_and_the_check_left_to_the_publisher(cli, make_repo):
    repo = make_repo(
        {
            "README.md": card("license: llama3.2\npipeline_tag: image-text-to-text", "# Llama-3.2-Vision-Tune\n"),
            "config.json": {**config_of("meta-llama/Llama-3.2-3B"), "vision_config": {"hidden_size": 8}},
        }
    )
    before, _ = audit_json(cli, repo)
    assert "regional-restriction" in rules_of(before, "warning")
    out, after = _fix_and_audit(cli, repo)
    assert "regional-restriction" not in rules_of(after)
    assert "European Union" in (repo / "README.md").read_text(encoding="utf-8")
    assert "next step: Check that the publisher is not based in the European Union" in out


def test_a_warning_level_upstream_is_not_chosen_for_the_publisher(cli, make_repo):
    # Evidence below "derived" confidence: the fix writes no base_model and says so. (A card declaring
    # `license: llama2` would confirm the Llama 2 shape as derived: the card says nothing of its base here.)
    repo = make_repo(
        {"README.md": card("license: other", "# Tune\n"), "config.json": config_of("meta-llama/Llama-2-7b-hf")}
    )
    before, _ = audit_json(cli, repo)
    warned = [f for f in before["findings"] if f["severity"] == "warning"]
    assert "base-model-undeclared" in {f["rule"] for f in warned}
    res = cli("fix", repo, "--write")
    assert res.exit_code == 0
    assert "base_model" not in (repo / "README.md").read_text(encoding="utf-8")
    assert "wrote" not in res.output
    for f in warned:
        assert f"warning: {f['rule']}" in res.output


def _chain_rules(tmp_path: Path) -> Path:
    # A registered fine-tune relabelled Apache-2.0 whose own base is Llama 3.1: its derivatives owe both.
    return _rules_dir(
        tmp_path,
        {
            "acme__llama-tune.yaml": "id: acme/llama-tune\nfamily: acme-tune\nlicense: apache-2.0\nbase_model: meta-llama/Llama-3.1-8B\n"
        },
    )


def test_notice_carries_the_duties_of_an_upstream_reached_through_the_registry(cli, make_repo, tmp_path):
    rules = _chain_rules(tmp_path)
    repo = make_repo({"README.md": card("license: llama3.1\nbase_model: acme/llama-tune", "# Llama-acme\n")})
    before, _ = audit_json(cli, repo, "--rules", rules)
    assert {"upstream-notice-missing", "upstream-license-missing"} <= _errors(before)
    res = cli("notice", repo, "--write", "--rules", rules)
    assert res.exit_code == 0, res.output
    notice = (repo / "NOTICE").read_text(encoding="utf-8")
    assert "meta-llama/Llama-3.1-8B (the base of acme/llama-tune)" in notice
    assert "Llama 3.1 is licensed under the Llama 3.1 Community License" in notice
    after, _ = audit_json(cli, repo, "--rules", rules)
    assert not _errors(after) & NOTICE_DUTIES, after["findings"]
    # The card declares Llama 3.1: its copy is LICENSE; the registered tune's Apache text goes beside it.
    assert (repo / "LICENSE").read_text(encoding="utf-8") == license_text("llama3.1")
    assert (repo / "LICENSE-APACHE-2.0").is_file()


def test_a_card_without_a_license_is_offered_the_upstream_terms_and_gets_them_with_relicense(cli, make_repo, tmp_path):
    rules = _chain_rules(tmp_path)
    repo = make_repo({"README.md": card("base_model: acme/llama-tune\nmodel_name: Llama-acme", "# Llama-acme\n")})
    res = cli("fix", repo, "--rules", rules)
    assert "next step: The card declares no license; the Llama 3.1 Community License Agreement carries" in res.output
    _out, after = _fix_and_audit(cli, repo, "--relicense", "--rules", rules)
    assert after["model"]["declared_license"] == "llama3.1"
    assert not _errors(after), after["findings"]


# Front matter the audit cannot read, each as real cards break it (the gemma-2-9b-it config beside it).
UNREADABLE_CARDS = {
    "not YAML": ("---\nlicense: [mit\nbase_model: : :\n\t- x\n---\n# x\n", "not valid YAML"),
    "a list": ("---\n- just\n- a list\n---\n", "a list, not a mapping of keys"),
    "a NUL byte": ("---\nlicense: mit\x00\n---\n\x00\x00", "not valid YAML"),
    "never closed": ("---\nlicense: mit\n", "never closed"),
}


@pytest.mark.parametrize("shape", sorted(UNREADABLE_CARDS))
def test_a_card_whose_front_matter_cannot_be_read_is_never_edited(cli, make_repo, shape):
    text, why = UNREADABLE_CARDS[shape]
    repo = make_repo({"README.md": text.encode("utf-8"), "config.json": config_of("google/gemma-2-9b-it")})
    res = cli("fix", repo, "--write")
    assert res.exit_code == 0, res.output
    # Byte for byte as written (an unclosed front matter gets no new one above it that would turn its
    # `license: mit` into body text), no write claimed, and one line saying why.
    assert (repo / "README.md").read_bytes() == text.encode("utf-8")
    assert "wrote README.md" not in res.output
    said = [line for line in res.output.splitlines() if line.startswith("next step: README.md: not edited: ")]
    assert len(said) == 1 and why in said[0] and said[0].endswith("; fix it first."), res.output
    # The files beside the card are still written; the card's findings stay for the publisher.
    assert "wrote NOTICE" in res.output and (repo / "LICENSE-GEMMA").is_file()
    after, _ = audit_json(cli, repo)
    assert {"invalid-file", "base-model-undeclared"} <= rules_of(after), after["findings"]


def test_a_front_matter_edit_refused_is_not_reported_as_written(cli, make_repo):
    # A readable card whose `base_model:` line sits inside a flow sequence spread over lines: setting the key
    # by lines would break the YAML, so the edit is refused; the body's block is still written.
    front = "---\nlicense: llama3.1\ntags: [a,\nbase_model: x]\n---\n"
    repo = make_repo({"README.md": front + "# Tune\n", "config.json": config_of("meta-llama/Llama-3.1-8B")})
    res = cli("fix", repo, "--write")
    assert res.exit_code == 0, res.output
    readme = (repo / "README.md").read_text(encoding="utf-8")
    assert readme.startswith(front) and "**Built with Llama**" in readme
    wrote = next(line for line in res.output.splitlines() if line.startswith("wrote README.md"))
    assert "front matter" not in wrote and "base_model" not in wrote, wrote
    assert "next step: README.md: the card's front matter cannot be edited line by line (base_model)" in res.output


def test_fix_never_writes_through_a_link(cli, make_repo, tmp_path):
    outside = tmp_path / "outside.md"
    outside.write_text("---\nlicense: llama3.1\n---\n# Tune\n", encoding="utf-8")
    repo = make_repo({"config.json": config_of("meta-llama/Llama-3.1-8B")})
    (repo / "README.md").symlink_to(outside)
    before = outside.read_bytes()
    res = cli("fix", repo, "--write")
    assert res.exit_code == 2 and len(res.output.strip().splitlines()) == 1
    assert outside.read_bytes() == before and sorted(p.name for p in repo.iterdir()) == ["README.md", "config.json"]


def test_an_undeclared_base_named_by_its_re_upload_is_written_as_the_re_upload(cli, make_repo):
    # The unsloth full-finetune shape: config.json saved from the re-upload, the card silent on its base. The
    # finding names the re-upload (the repository the card should declare); the licensor's duties follow it.
    cfg = {**config_of("google/gemma-2-9b-it"), "_name_or_path": "unsloth/gemma-2-9b-it-bnb-4bit"}
    repo = make_repo({"README.md": card("license: gemma\nlanguage: [ko]", "# Ko-Gemma2-Chat\n"), "config.json": cfg})
    before, _ = audit_json(cli, repo)
    undeclared = next(f for f in before["findings"] if f["rule"] == "base-model-undeclared")
    assert undeclared["upstream"] == "unsloth/gemma-2-9b-it-bnb-4bit", undeclared
    out, after = _fix_and_audit(cli, repo)
    assert "base_model: unsloth/gemma-2-9b-it-bnb-4bit\n---" in (repo / "README.md").read_text(encoding="utf-8")
    assert "next step: base-model-undeclared" not in out
    assert not _errors(after), after["findings"]
    assert "via unsloth/gemma-2-9b-it-bnb-4bit, a re-upload of it" in (repo / "NOTICE").read_text(encoding="utf-8")


def test_a_family_is_never_written_as_base_model_nor_the_model_called_a_merge(cli, make_repo):
    # A MedGemma mirror: the card declares Gemma 3 and the HAI-DEF license; its title names the MedGemma family,
    # not a checkpoint. `base_model` takes Hub ids only, and a second base would make the card claim a merge.
    front = (
        "license: other\nlicense_name: health-ai-developer-foundations\n"
        "license_link: https://developers.google.com/health-ai-developer-foundations/terms\n"
        "base_model: google/gemma-3-27b-pt"
    )
    repo = make_repo(
        {"README.md": card(front, "# MedGemma model card\n"), "config.json": config_of("google/gemma-3-27b-pt")}
    )
    before, _ = audit_json(cli, repo)
    undeclared = next(f for f in before["findings"] if f["rule"] == "base-model-undeclared")
    family = undeclared["upstream"]
    assert family.endswith("(family)"), undeclared
    out, after = _fix_and_audit(cli, repo)
    readme = (repo / "README.md").read_text(encoding="utf-8")
    assert "base_model: google/gemma-3-27b-pt\n" in readme and family not in readme
    assert f"next step: base-model-undeclared: the evidence names {family}, not one checkpoint" in out
    assert "merge" not in (repo / "NOTICE").read_text(encoding="utf-8")
    # The gate still asks for the real base.
    assert "base-model-undeclared" in _errors(after)
    assert after["model"]["declared_base_models"] == ["google/gemma-3-27b-pt"]
