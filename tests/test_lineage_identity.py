"""Lineage on the shapes real model repositories take: a repository that is a model (its publisher's files,
a mirror, fork or re-upload) rather than a derivative of it; a declared or named base against a same-shape
guess; an architecture's name on a model trained from scratch; bases named in Chinese prose, in a label
without a colon, or only in config.json `_name_or_path`. Every fixture is built here; the last tests read
the real repositories of ../shared/data/model-repos when present and skip otherwise."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import audit_json, card, config_of, license_text, pipeline_files, rules_of

CASES = Path(__file__).resolve().parents[2] / "shared" / "data" / "model-repos"


def lineage_of(report: dict, model: str) -> dict:
    return next(c for c in report["lineage"] if c["model"] == model)


def undeclared(report: dict) -> list[str]:
    return [f["upstream"] for f in report["findings"] if f["rule"] == "base-model-undeclared"]


# ------------------------------------------------------------------------------ mirrors and copies


def test_a_mirror_of_a_registered_pipeline_is_a_copy_not_a_derivative(cli, make_repo):
    body = (
        "# Stable Diffusion v2-1 Model Card\n\nThis `stable-diffusion-2-1` model is fine-tuned from "
        "[stable-diffusion-2](https://huggingface.co/stabilityai/stable-diffusion-2) with 55k more steps.\n"
    )
    files = {"README.md": card("license: openrail++", body), **pipeline_files("stabilityai/stable-diffusion-2-1")}
    report, _ = audit_json(cli, make_repo(files))
    cand = lineage_of(report, "stabilityai/stable-diffusion-2-1")
    assert cand.get("copy") is True
    assert undeclared(report) == []
    # The publisher's own base of its release is its lineage, not a second base of the mirror.
    assert [c["model"] for c in report["lineage"]] == ["stabilityai/stable-diffusion-2-1"]
    assert any("stabilityai/stable-diffusion-2, named in the card" in e for e in cand["evidence"])
    # A redistribution: the license text is still due.
    assert "upstream-license-missing" in rules_of(report)


def test_a_mirror_of_a_family_release_named_by_its_title_and_link(cli, make_repo):
    front = (
        "license: other\nlicense_name: stabilityai-ai-community\nlicense_link: LICENSE.md\n"
        "extra_gated_prompt: By clicking you agree to the [License](https://huggingface.co/stabilityai/"
        "stable-diffusion-3.5-large/blob/main/LICENSE.md)"
    )
    report, _ = audit_json(cli, make_repo({"README.md": card(front, "# Stable Diffusion 3.5 Large\n")}))
    cand = lineage_of(report, "stabilityai/stable-diffusion-3.5-large")
    assert cand.get("copy") is True and cand["license"] == "stabilityai-ai-community"
    assert undeclared(report) == []
    # The duties are a redistribution's: they travel with copies, which this is, not with derivatives.
    messages = [f["message"] for f in report["findings"] if f["rule"] == "attribution-missing"]
    assert messages and all("requires copies of stabilityai/stable-diffusion-3.5-large" in m for m in messages)
    # A fine-tune named after it is no copy: a derivative of the family that does not say so.
    report, _ = audit_json(cli, make_repo({"README.md": card(front, "# Stable Diffusion 3.5 Large Anime\n")}))
    assert not any(c.get("copy") for c in report["lineage"])
    assert undeclared(report)
    messages = [f["message"] for f in report["findings"] if f["rule"] == "attribution-missing"]
    assert messages and all("requires derivatives of" in m for m in messages)


def test_a_release_whose_registered_base_is_the_declared_base_is_that_release(cli, make_repo):
    front = "license: apache-2.0\nbase_model: mistralai/Mistral-Small-3.1-24B-Instruct-2503"
    files = {
        "README.md": card(front, "# Devstral Small 1.1\n"),
        "config.json": config_of("mistralai/Devstral-Small-2507"),
    }
    report, _ = audit_json(cli, make_repo(files))
    assert lineage_of(report, "mistralai/Devstral-Small-2507").get("copy") is True
    assert undeclared(report) == []
    # Another model on the same shape and base: the Devstral config match is an alternative at most.
    files["README.md"] = card(front, "# Acme Coder 24B\n")
    report, _ = audit_json(cli, make_repo(files))
    assert "mistralai/Devstral-Small-2507" not in [c["model"] for c in report["lineage"]]
    assert undeclared(report) == []


def test_a_fork_named_in_prose_is_a_copy_of_what_it_forks(cli, make_repo):
    body = "# Foo MLC\n\nThis is a fork of [Foo-7B-MLC](https://huggingface.co/acme/Foo-7B-MLC)\n"
    report, _ = audit_json(cli, make_repo({"README.md": card("license: mit", body), "LICENSE": license_text("mit")}))
    assert lineage_of(report, "acme/Foo-7B-MLC").get("copy") is True
    assert undeclared(report) == []


def test_a_re_upload_recorded_in_name_or_path_is_a_copy(cli, make_repo):
    cfg = config_of("google/codegemma-7b-it", _name_or_path="unsloth/codegemma-7b-it")
    report, _ = audit_json(
        cli, make_repo({"README.md": card("license: apache-2.0", "Fast notebooks.\n"), "config.json": cfg})
    )
    cand = lineage_of(report, "google/codegemma-7b-it")
    assert cand.get("copy") is True and cand["confidence"] >= 0.8
    assert undeclared(report) == []
    assert "license-incompatible" in rules_of(report)  # a re-upload cannot relabel Gemma weights Apache-2.0
    # With a name of its own, the same config is a derivative saved from that re-upload.
    report, _ = audit_json(
        cli, make_repo({"README.md": card("license: gemma", "# Acme Coder 7B\n"), "config.json": cfg})
    )
    assert lineage_of(report, "google/codegemma-7b-it").get("copy") is not True
    assert undeclared(report) == ["google/codegemma-7b-it"]


# ------------------------------------------------------------------------- named bases against guesses


def test_a_declared_base_that_fits_wins_over_a_closer_config(cli, make_repo):
    cfg = config_of("meta-llama/Meta-Llama-3-70B", vocab_size=128262)
    front = "license: llama3.1\nbase_model: meta-llama/Meta-Llama-3.1-70B-Instruct"
    report, _ = audit_json(cli, make_repo({"README.md": card(front), "config.json": cfg}))
    # Reported under the repository id the card declares (the entry's former name, one of its aliases).
    assert [c["model"] for c in report["lineage"]] == ["meta-llama/Meta-Llama-3.1-70B-Instruct"]
    assert "meta-llama/Meta-Llama-3-70B" in report["lineage"][0]["alternatives"]
    assert undeclared(report) == []


def test_a_prose_named_base_wins_over_a_same_shape_guess_of_another_family(cli, make_repo):
    body = (
        '<h1 style="text-align: center">Pygmalion 7B</h1>\n\nPygmalion 7B is a dialogue model based on '
        "Meta's LLaMA-7B.\n\nConverted from the XORs weights from PygmalionAI's release "
        "https://huggingface.co/PygmalionAI/pygmalion-7b\n"
    )
    files = {"README.md": card("language: en", body), "config.json": config_of("lmsys/vicuna-7b-v1.3")}
    report, _ = audit_json(cli, make_repo(files))
    models = [c["model"] for c in report["lineage"]]
    assert "lmsys/vicuna-7b-v1.3" not in models
    llama = next(c for c in report["lineage"] if c["license"] == "llama-license")
    assert "lmsys/vicuna-7b-v1.3" in llama["alternatives"]
    # The repository is the release it was converted from (the card's title is that release's name).
    assert lineage_of(report, "PygmalionAI/pygmalion-7b").get("copy") is True


# ------------------------------------------------------------------------------ names that are no base


def test_an_architecture_name_on_a_model_trained_from_scratch_is_no_base(cli, make_repo):
    body = "# DeepSeek-V3-Lite\n\nA from-scratch reimplementation of the DeepSeek-V3 architecture in PyTorch.\n"
    report, _ = audit_json(cli, make_repo({"README.md": card("license: mit", body), "LICENSE": license_text("mit")}))
    assert report["lineage"] == []
    # The same title on a model that says nothing of how it was made names its family.
    report, _ = audit_json(
        cli, make_repo({"README.md": card("license: mit", "# DeepSeek-V3-Lite\n"), "LICENSE": license_text("mit")})
    )
    assert [c["family"] for c in report["lineage"]] == ["deepseek"]


def test_the_models_own_name_after_based_on_is_no_base(cli, make_repo):
    body = "# CharacterGLM-6B\n\n欢迎基于 **CharacterGLM-6B 开源模型** 开发任何应用。\n"
    report, _ = audit_json(cli, make_repo({"README.md": card("license: mit", body), "LICENSE": license_text("mit")}))
    assert report["lineage"] == []


# ------------------------------------------------------------------------------------- where bases are named


@pytest.mark.parametrize(
    ("body", "license_id"),
    [
        ("本模型在 Llama3-8B-Instruct 基础上进行 ORPO 训练。\n", "llama3"),
        ("基于 Qwen2.5-32B 微调的领域模型。\n", "apache-2.0"),
        ("以 Qwen2.5-32B 为基座继续训练。\n", "apache-2.0"),
        ("实验设置：\n- 模型：Qwen2-7B-Instruct\n- 数据集：v1\n", "apache-2.0"),
    ],
)
def test_chinese_prose_names_the_base(cli, make_repo, body, license_id):
    report, _ = audit_json(cli, make_repo({"README.md": card("language: zh", "# 项目\n\n" + body)}))
    assert [c["license"] for c in report["lineage"]] == [license_id], report["lineage"]


def test_a_base_model_label_without_a_colon_names_the_id_after_it(cli, make_repo):
    body = "# STM32 coder\n\nConfiguration: Base Model bigcode/starcoder2-3b, Method LoRA (r=16)\n"
    report, _ = audit_json(cli, make_repo({"README.md": card("license: mit", body), "LICENSE": license_text("mit")}))
    assert [c["model"] for c in report["lineage"]] == ["bigcode/starcoder2-3b"]


def test_the_peft_template_line_names_the_base(cli, make_repo):
    body = "# Model Card for Model ID\n\n- **Finetuned from model [optional]:** ```acme/Base-7B```\n"
    report, _ = audit_json(cli, make_repo({"README.md": card("license: mit", body), "LICENSE": license_text("mit")}))
    assert [c["model"] for c in report["lineage"]] == ["acme/Base-7B"]


@pytest.mark.parametrize(
    ("name_or_path", "model"),
    [
        ("acme/Base-7B", "acme/Base-7B"),
        ("/home/u/.cache/modelscope/hub/models/acme/Base-7B", "acme/Base-7B"),
        ("/root/.cache/huggingface/hub/models--acme--Base-7B/snapshots/0123abcd", "acme/Base-7B"),
        ("/weka/runs/olmo2/step_180/", None),
        ("./", None),
        ("internlm-chat-7b", None),
    ],
)
def test_name_or_path_names_the_base_only_when_it_is_a_hub_id(cli, make_repo, name_or_path, model):
    cfg = {"architectures": ["AcmeForCausalLM"], "model_type": "acme", "_name_or_path": name_or_path}
    files = {"README.md": card("license: mit", "# Tuned\n"), "LICENSE": license_text("mit"), "config.json": cfg}
    report, _ = audit_json(cli, make_repo(files))
    assert [c["model"] for c in report["lineage"]] == ([model] if model else [])


def test_name_or_path_gives_way_to_a_declared_base(cli, make_repo):
    cfg = {"architectures": ["AcmeForCausalLM"], "model_type": "acme", "_name_or_path": "acme/Other-7B"}
    files = {
        "README.md": card("license: mit\nbase_model: acme/Base-7B"),
        "LICENSE": license_text("mit"),
        "config.json": cfg,
    }
    report, _ = audit_json(cli, make_repo(files))
    assert [c["model"] for c in report["lineage"]] == ["acme/Base-7B"]


def test_a_size_of_experts_is_kept_whole():
    from license_audit.lineage.families import family_label, load_families

    fm = load_families().match_name("Mixtral-8x7B")
    assert fm is not None and fm.size == "8x7B"
    assert family_label(fm.family, fm.size) == "Mixtral 8x7B (family)"


# ------------------------------------------------------------------- the real repositories, when present

REAL = [
    # (case, the model lineage names, whether the repository is a copy of it)
    ("sd21-official-mirror-openrailpp", "stabilityai/stable-diffusion-2-1", True),
    ("sd35-large-mirror-community-license", "stabilityai/stable-diffusion-3.5-large", True),
    ("devstral-small-2507-mirror", "mistralai/Devstral-Small-2507", True),
    ("codegemma-7b-it-unsloth-bnb-apache-label", "google/codegemma-7b-it", True),
    ("reflection-llama31-70b-reupload", "meta-llama/Meta-Llama-3.1-70B-Instruct", False),
    ("starcoder2-3b-stm32-lora-mit", "bigcode/starcoder2-3b", False),
    ("llava-qwen2-7b-chinese-clip-multibase", "Qwen/Qwen2-7B-Instruct", False),
    ("chatglm3-6b-japanese-vocab-extension", "THUDM/chatglm3-6b", False),
]


@pytest.mark.skipif(not CASES.is_dir(), reason="../shared/data/model-repos is not present")
@pytest.mark.parametrize(("case", "model", "copy"), REAL)
def test_real_repositories(cli, case, model, copy):
    report, _ = audit_json(cli, str(CASES / case), "--offline", "--no-history")
    assert lineage_of(report, model).get("copy", False) is copy
    if copy:
        assert undeclared(report) == []
    # No same-shape guess stands beside the named base.
    assert all(not c["model"].startswith("meta-llama/Meta-Llama-3-70B") for c in report["lineage"])


@pytest.mark.skipif(not CASES.is_dir(), reason="../shared/data/model-repos is not present")
def test_real_repositories_without_a_base(cli):
    for case in ("deepseek-v3-arch-from-scratch-reimpl", "retnet-1.3b-toy-from-scratch-baichuan-tokenizer"):
        report, _ = audit_json(cli, str(CASES / case), "--offline", "--no-history")
        assert report["lineage"] == [], (case, json.dumps(report["lineage"])[:300])


def test_a_quantization_titled_like_its_base_still_names_it(cli, make_repo):
    body = "# Acme-Base-7B\n\nA GGUF conversion of acme/Acme-Base-7B.\n"
    report, _ = audit_json(cli, make_repo({"README.md": card("license: mit", body), "LICENSE": license_text("mit")}))
    assert [c["model"] for c in report["lineage"]] == ["acme/Acme-Base-7B"]


def test_an_unpublished_base_of_its_own_does_not_hide_the_config_s_origin(cli, make_repo):
    # Rakuten AI 3.0's pattern after the first complaint: DeepSeek-V3's config value for value, and a `base_model`
    # naming a base of the publisher's own that cannot be looked up.
    front = "license: apache-2.0\nbase_model: Rakuten/RakutenAI-3.0-Base"
    repo = make_repo(
        {
            "README.md": card(front, "# Rakuten AI 3.0 Instruct\n\nDeveloped in-house.\n"),
            "config.json": json.dumps(config_of("deepseek-ai/DeepSeek-V3")),
        }
    )
    report, _ = audit_json(cli, repo, "--offline")
    [f] = [f for f in report["findings"] if f["rule"] == "base-model-undeclared"]
    assert f["upstream"] == "deepseek-ai/DeepSeek-V3" and f["severity"] == "warning"
    assert "could not be looked up" in f["message"] and "not established" in f["message"]


def test_an_unknown_declared_base_named_for_the_config_s_family_is_a_chain(cli, make_repo):
    # A fine-tune of a community fine-tune of Llama 3.1: the declared base's name says whose config it carries.
    front = "license: llama3.1\nbase_model: acme/Llama-3.1-8B-Instruct-SuperChat"
    repo = make_repo(
        {
            "README.md": card(front, "# SuperChat 2\n"),
            "config.json": json.dumps(config_of("meta-llama/Llama-3.1-8B-Instruct")),
        }
    )
    report, _ = audit_json(cli, repo, "--offline")
    assert "base-model-undeclared" not in rules_of(report)
