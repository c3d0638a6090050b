"""Relation labels and card-prose lineage on cards without their weights: what the card says the repository
is (quantized_by, a quantization's name, library_name: peft, a mergekit block), the MLX conversion sentence,
merges described in the card, and the parents a partly declared merge leaves out. Cards are reduced copies of
real Hub cards (bartowski, TheBloke, Qwen, neuralmagic, unsloth, neo4j, mlx-community, LazyMergekit)."""

from __future__ import annotations

import pytest
from conftest import audit_json, card, license_text

LFS = "version https://git-lfs.github.com/spec/v1\noid sha256:{}\nsize 966995080\n".format("a" * 64)

MERGEKIT_BLOCK = """
## 🧩 Configuration

```yaml
models:
  - model: acme/Base-7B
  - model: other/Chat-7B
    parameters:
      density: 0.53
      weight: 0.5
merge_method: dare_ties
base_model: acme/Base-7B
dtype: bfloat16
```
"""


def lineage_of(report: dict, model: str) -> dict:
    return next(c for c in report["lineage"] if c["model"] == model)


def relation_lines(cand: dict) -> list[str]:
    return [e for e in cand["evidence"] if e.startswith("relation ")]


# --------------------------------------------------------------------------------- relation from the card


@pytest.mark.parametrize(
    ("front", "body", "folder", "relation", "said"),
    [
        # bartowski's GGUF card: the quantizer named in the front matter.
        (
            "quantized_by: bartowski\npipeline_tag: text-generation",
            "## Llamacpp imatrix Quantizations of Base-7B\n\nUsing llama.cpp release b3472 for quantization.\n",
            None,
            "quantized",
            "quantized_by: bartowski",
        ),
        # bartowski's title alone says so.
        (
            "pipeline_tag: text-generation",
            "## Llamacpp imatrix Quantizations of Base-7B\n",
            None,
            "quantized",
            '"Llamacpp imatrix Quantizations of Base-7B" names a quantization',
        ),
        # TheBloke's title: "<model_name> - AWQ".
        ("model_name: Base 7B", "# Base 7B - AWQ\n- Model creator: Acme\n", None, "quantized", '"Base 7B - AWQ"'),
        # Qwen's own AWQ release: the title is the repository's name.
        ("library_name: transformers", "# Base-7B-Instruct-AWQ\n", None, "quantized", '"Base-7B-Instruct-AWQ"'),
        # neuralmagic: a model-index name ending in a bit width.
        (
            "model-index:\n- name: Base-7B-GPTQ-4bit\n  results: []",
            "# Model Card for Base-7B quantized to 4bit weights\n",
            None,
            "quantized",
            "model-index name",
        ),
        # unsloth's bnb-4bit card has a generic title: only the folder (the repository's name) says it.
        (
            "library_name: transformers",
            "# Finetune Llama 3.2, Gemma 2, Mistral 2-5x faster with 70% less memory via Unsloth!\n",
            "unsloth_Base-7B-bnb-4bit",
            "quantized",
            'the folder name "unsloth_Base-7B-bnb-4bit"',
        ),
        # neo4j's text2cypher adapter card without its adapter files.
        ("library_name: peft", "# Model Card for Model ID\n", None, "adapter", "library_name: peft"),
        # A LazyMergekit card quoting its configuration.
        (
            "tags:\n- merge\n- mergekit",
            "# Base-Chat-7B-slerp\n" + MERGEKIT_BLOCK,
            None,
            "merge",
            "merge_method: dare_ties",
        ),
        # A quantization of a merge quotes the merge's card, block included: it is the quantization.
        (
            "tags:\n- merge\n- mergekit",
            "# QuantFactory/Base-Chat-7B-GGUF\nThis is quantized version of Base-Chat-7B\n\n# Original Model Card\n"
            + MERGEKIT_BLOCK,
            None,
            "quantized",
            '"QuantFactory/Base-Chat-7B-GGUF"',
        ),
        # A card declaring adapter, copied without its weights, contradicts nothing.
        ("base_model_relation: adapter", "# Base-7B-lora\n", None, "adapter", None),
        # A plain fine-tune's card says none of these.
        ("library_name: transformers", "# Base-7B-Tuned\nA fine-tune.\n", None, "finetune", None),
        # MaziyarPanahi/calme-2.3-phi3-4b: `quantized_by` on a DPO fine-tune; the card's words say what it is.
        (
            "tags:\n- finetune\n- dpo\nmodel_creator: MaziyarPanahi\nquantized_by: MaziyarPanahi",
            "# MaziyarPanahi/calme-2.3-phi3-4b\n\nThis model is a fine-tune (DPO) of `acme/Base-7B` model.\n\n"
            "# ⚡ Quantized GGUF\n\nAll GGUF models are available here: [MaziyarPanahi/calme-2.3-phi3-4b-GGUF]"
            "(https://huggingface.co/MaziyarPanahi/calme-2.3-phi3-4b-GGUF)\n",
            None,
            "finetune",
            '"This model is a fine-tune (DPO) of `acme/Base-7B` model." says how the weights were made',
        ),
        # The EXAONE-3.5-2.4B-Instruct-Yaho card: an `mlx` tag on a LoRA trained with mlx-lm.
        (
            "tags: [korean, mlx, exaone]",
            "# Base-7B-Yaho\n\nA LoRA fine-tune of `acme/Base-7B`, bf16 plain LoRA SFT via mlx-lm.\n",
            None,
            "adapter",
            '"A LoRA fine-tune of `acme/Base-7B`, bf16 plain LoRA SFT via mlx-lm." says how',
        ),
        # A quantizer's card quoting the base's card: the quoted "fine-tune of" is the base's, not its own.
        (
            "quantized_by: TheBloke",
            "# Base Chat\nThis repo contains model files for Base Chat.\n\n<!-- original-model-card start -->\n"
            "# Original model card: Acme's Base Chat\nThis model is a fine-tune of Llama 2.\n"
            "<!-- original-model-card end -->\n",
            None,
            "quantized",
            "quantized_by: TheBloke",
        ),
    ],
)
def test_a_card_without_its_files_says_its_relation(cli, make_repo, front, body, folder, relation, said):
    files = {
        "README.md": card(f"license: mit\nbase_model: acme/Base-7B\n{front}", body),
        "LICENSE": license_text("mit"),
    }
    report, _ = audit_json(cli, make_repo(files, name=folder))
    cand = lineage_of(report, "acme/Base-7B")
    assert cand["relation"] == relation
    if said is None:
        assert not relation_lines(cand)
    else:
        assert any(said in line for line in relation_lines(cand)), cand["evidence"]
    # The relation line says what kind of derivative the model is, never why it derives.
    for f in report["findings"]:
        assert "relation " + relation + ":" not in f["message"]


@pytest.mark.parametrize(
    ("front", "files", "relation"),
    [
        # Full weights beside `library_name: peft`: the adapter was merged in, a fine-tune.
        ("library_name: peft", {"model.safetensors": LFS}, "finetune"),
        # Full weights beside a declared `adapter`: not an adapter.
        ("base_model_relation: adapter", {"model.safetensors": LFS}, "finetune"),
        # The files speak first: GGUF files are a quantization whatever the card's name says.
        ("library_name: peft", {"model-Q4_K_M.gguf": LFS}, "quantized"),
    ],
)
def test_the_files_outrank_the_cards_words(cli, make_repo, front, files, relation):
    files = {
        "README.md": card(f"license: mit\nbase_model: acme/Base-7B\n{front}", "# Base-7B-Tuned\n"),
        "LICENSE": license_text("mit"),
        **files,
    }
    report, _ = audit_json(cli, make_repo(files))
    cand = lineage_of(report, "acme/Base-7B")
    assert cand["relation"] == relation
    assert not relation_lines(cand)


def test_a_family_candidate_takes_the_cards_relation(cli, make_repo):
    # unsloth's Gemma 2 bnb-4bit card: no base_model, the family comes from the tag and the license.
    files = {
        "README.md": card(
            "license: gemma\nlibrary_name: transformers\ntags:\n- unsloth\n- gemma2",
            "# Finetune Llama 3.2, Gemma 2, Mistral 2-5x faster with 70% less memory via Unsloth!\n",
        )
    }
    report, _ = audit_json(cli, make_repo(files, name="unsloth_gemma-2-9b-it-bnb-4bit"))
    cand = next(c for c in report["lineage"] if c["model"].startswith("Gemma 2"))
    assert cand["relation"] == "quantized"
    assert relation_lines(cand)


# ------------------------------------------------------------------------------- the conversion sentence

MLX_BODY = """# mlx-community/{repo}
The Model [mlx-community/{repo}](https://huggingface.co/mlx-community/{repo}) was converted to MLX format from \
{link} using mlx-lm version **0.18.1**.
## Use with mlx
```bash
pip install mlx-lm
```
"""


def mlx_card(front: str, repo: str, link: str) -> str:
    return card(f"{front}\ntags:\n- mlx", MLX_BODY.format(repo=repo, link=link))


@pytest.mark.parametrize(
    "link",
    [
        "[meta-llama/Meta-Llama-3-8B-Instruct](https://huggingface.co/meta-llama/Meta-Llama-3-8B-Instruct)",
        # mlx-community's Meta-Llama-3-8B-Instruct-4bit card: the link target left empty.
        "[`meta-llama/Meta-Llama-3-8B-Instruct`]()",
    ],
)
def test_the_mlx_conversion_sentence_names_the_checkpoint(cli, make_repo, link):
    files = {"README.md": mlx_card("license: other\nlicense_name: llama3", "Meta-Llama-3-8B-Instruct-4bit", link)}
    report, _ = audit_json(cli, make_repo(files))
    cand = lineage_of(report, "meta-llama/Meta-Llama-3-8B-Instruct")
    assert cand["relation"] == "quantized" and cand["confidence"] == 0.85
    assert any("converted to MLX format from" in e for e in cand["evidence"])
    undeclared = [f for f in report["findings"] if f["rule"] == "base-model-undeclared"]
    assert [f["upstream"] for f in undeclared] == ["meta-llama/Meta-Llama-3-8B-Instruct"]


def test_the_gguf_my_repo_sentence_names_the_checkpoint(cli, make_repo):
    body = (
        "# acme/Base-7B-Q8_0-GGUF\nThis model was converted to GGUF format from [`acme/Base-7B`]"
        "(https://huggingface.co/acme/Base-7B) using llama.cpp via the ggml.ai's "
        "[GGUF-my-repo](https://huggingface.co/spaces/ggml-org/gguf-my-repo) space.\n"
    )
    files = {"README.md": card("license: mit", body), "LICENSE": license_text("mit")}
    report, _ = audit_json(cli, make_repo(files))
    cand = lineage_of(report, "acme/Base-7B")
    assert cand["relation"] == "quantized" and cand["confidence"] == 0.85


def test_the_original_model_card_link_names_the_checkpoint(cli, make_repo):
    # mlx-community's Llama-2-7b-chat-mlx card: no conversion sentence, only the link.
    body = (
        "# **Llama 2**\nThis is the repository for the 7B fine-tuned model, in `npz` format suitable for use in "
        "Apple's MLX framework.\n\nPlease, refer to the [original model card]"
        "(https://huggingface.co/meta-llama/Llama-2-7b-chat) for details on Llama 2.\n"
    )
    files = {"README.md": card("license: llama2\nlibrary_name: mlx\ntags:\n- llama-2\n- mlx", body)}
    report, _ = audit_json(cli, make_repo(files))
    cand = lineage_of(report, "meta-llama/Llama-2-7b-chat")
    assert cand["relation"] == "quantized" and cand["confidence"] >= 0.85
    assert not any(c["model"].endswith("(family)") for c in report["lineage"])


def test_a_declared_base_the_conversion_contradicts_is_a_mismatch(cli, make_repo):
    # mlx-community/Qwen2.5-7B-Instruct-4bit: base_model copied from the Instruct model's own card.
    link = "[Qwen/Qwen2.5-7B-Instruct](https://huggingface.co/Qwen/Qwen2.5-7B-Instruct)"
    files = {
        "README.md": mlx_card("license: apache-2.0\nbase_model: Qwen/Qwen2.5-7B", "Qwen2.5-7B-Instruct-4bit", link),
        "LICENSE": license_text("apache-2.0"),
    }
    report, _ = audit_json(cli, make_repo(files))
    assert lineage_of(report, "Qwen/Qwen2.5-7B")["declared"]
    converted = lineage_of(report, "Qwen/Qwen2.5-7B-Instruct")
    assert converted["relation"] == "quantized" and not converted["declared"]
    bad = [f for f in report["findings"] if f["rule"] == "base-model-mismatch"]
    assert len(bad) == 1 and bad[0]["upstream"] == "Qwen/Qwen2.5-7B" and bad[0]["severity"] == "warning"
    assert "converted from Qwen/Qwen2.5-7B-Instruct" in bad[0]["message"]
    assert "Qwen/Qwen2.5-7B-Instruct" in bad[0]["fix"]


def test_a_declared_base_the_conversion_names_is_no_mismatch(cli, make_repo):
    link = "[Qwen/Qwen2.5-7B-Instruct](https://huggingface.co/Qwen/Qwen2.5-7B-Instruct)"
    files = {
        "README.md": mlx_card(
            "license: apache-2.0\nbase_model: Qwen/Qwen2.5-7B-Instruct", "Qwen2.5-7B-Instruct-4bit", link
        ),
        "LICENSE": license_text("apache-2.0"),
    }
    report, _ = audit_json(cli, make_repo(files))
    assert [c["model"] for c in report["lineage"]] == ["Qwen/Qwen2.5-7B-Instruct"]
    assert lineage_of(report, "Qwen/Qwen2.5-7B-Instruct")["relation"] == "quantized"
    assert not [f for f in report["findings"] if f["rule"].startswith("base-model")]


# ------------------------------------------------------------------------------ merges the card describes

LAZY_LIST = """# NeuralPipe-7B

This model is a merge of the following models made with [mergekit](https://github.com/cg123/mergekit):
 * [OpenPipe/mistral-ft-optimized-1218](https://huggingface.co/OpenPipe/mistral-ft-optimized-1218)
 * [mlabonne/NeuralHermes-2.5-Mistral-7B](https://huggingface.co/mlabonne/NeuralHermes-2.5-Mistral-7B)

## ⚡ Quantized models
"""
LAZY_YAML = """
## 🧩 Configuration

```yaml
slices:
  - sources:
      - model: OpenPipe/mistral-ft-optimized-1218
        layer_range: [0, 32]
      - model: mlabonne/NeuralHermes-2.5-Mistral-7B
        layer_range: [0, 32]
merge_method: slerp
base_model: OpenPipe/mistral-ft-optimized-1218
dtype: bfloat16
```
"""
PARENTS = ["OpenPipe/mistral-ft-optimized-1218", "mlabonne/NeuralHermes-2.5-Mistral-7B"]


def merge_report(cli, make_repo, body: str, front: str = "license: apache-2.0", **files) -> dict:
    report, _ = audit_json(cli, make_repo({"README.md": card(front, body), **files}))
    return report


def undeclared(report: dict) -> list[str]:
    return sorted(f["upstream"] for f in report["findings"] if f["rule"] == "base-model-undeclared")


def test_a_merge_list_in_the_card_names_each_parent(cli, make_repo):
    report = merge_report(cli, make_repo, LAZY_LIST)
    for parent in PARENTS:
        cand = lineage_of(report, parent)
        assert cand["relation"] == "merge" and cand["confidence"] == 0.85
        assert "is a merge of" not in cand["evidence"][0] and cand["evidence"][0].startswith("README.md line ")
    assert undeclared(report) == sorted(PARENTS)


def test_a_mergekit_block_in_the_card_is_read_as_the_file_is(cli, make_repo):
    report = merge_report(cli, make_repo, LAZY_LIST + LAZY_YAML)
    for parent in PARENTS:
        cand = lineage_of(report, parent)
        # The list and the block say the same thing once: the block's 0.9, not two statements combined.
        assert cand["relation"] == "merge" and cand["confidence"] == 0.9
        assert "the mergekit configuration in the card merges" in cand["evidence"][0]
    assert undeclared(report) == sorted(PARENTS)


def test_a_mergekit_file_outranks_the_block_in_the_card(cli, make_repo):
    config = "models:\n  - model: OpenPipe/mistral-ft-optimized-1218\nmerge_method: slerp\n"
    report = merge_report(cli, make_repo, LAZY_YAML, **{"mergekit_config.yml": config})
    cand = lineage_of(report, "OpenPipe/mistral-ft-optimized-1218")
    assert cand["confidence"] == 0.9 and cand["evidence"][0].startswith("mergekit_config.yml:")
    assert not any(c["model"] == "mlabonne/NeuralHermes-2.5-Mistral-7B" for c in report["lineage"])


def test_merge_of_a_and_b_names_both(cli, make_repo):
    # Weyaxi's OpenOrca-Zephyr-7B card: no front matter base, no configuration, one sentence.
    body = (
        "Merge of [HuggingFaceH4/zephyr-7b-alpha](https://huggingface.co/HuggingFaceH4/zephyr-7b-alpha) and "
        "[Open-Orca/Mistral-7B-OpenOrca](https://huggingface.co/Open-Orca/Mistral-7B-OpenOrca) using ties merge.\n"
    )
    report = merge_report(cli, make_repo, body, front="license: cc-by-nc-4.0")
    parents = ["HuggingFaceH4/zephyr-7b-alpha", "Open-Orca/Mistral-7B-OpenOrca"]
    assert all(lineage_of(report, p)["relation"] == "merge" for p in parents)
    assert undeclared(report) == parents


def test_links_joined_before_the_word_merge_name_the_parents(cli, make_repo):
    # Gryphe/MythoMax-L2-13b's card: "my [MythoLogic-L2](...) and [Huginn](...) merge using ...".
    body = (
        "An improved, potentially even perfected variant of MythoMix, my "
        "[MythoLogic-L2](https://huggingface.co/Gryphe/MythoLogic-L2-13b) and "
        "[Huginn](https://huggingface.co/The-Face-Of-Goonery/Huginn-13b-FP16) merge using a highly experimental "
        "tensor type merge technique.\n"
    )
    report = merge_report(cli, make_repo, body, front="license: other")
    parents = ["Gryphe/MythoLogic-L2-13b", "The-Face-Of-Goonery/Huginn-13b-FP16"]
    assert all(lineage_of(report, p)["relation"] == "merge" for p in parents)
    assert undeclared(report) == parents


def test_a_mixture_of_experts_based_on_a_model_merges_it(cli, make_repo):
    # macadeliccc/laser-dolphin-mixtral-2x7b-dpo's card: its experts are that model's weights (mergekit-moe).
    body = (
        "This model is a medium-sized MoE implementation based on "
        "[cognitivecomputations/dolphin-2.6-mistral-7b-dpo-laser](https://huggingface.co/cognitivecomputations/"
        "dolphin-2.6-mistral-7b-dpo-laser)\n\n+ The mergekit_config is in the files.\n"
    )
    report = merge_report(cli, make_repo, body, front="license: apache-2.0")
    cand = lineage_of(report, "cognitivecomputations/dolphin-2.6-mistral-7b-dpo-laser")
    assert cand["relation"] == "merge" and cand["confidence"] >= 0.85


def test_a_mixture_of_experts_based_on_a_list_merges_each(cli, make_repo):
    # cloudyu/Mixtral_34Bx2_MoE_60B's card lists its two experts below the sentence.
    body = "This is my first English & Chinese MoE Model based on\n* [jondurbin/bagel-dpo-34b-v0.2]\n* [SUSTech/SUS-Chat-34B]\n"
    report = merge_report(cli, make_repo, body)
    assert all(
        lineage_of(report, p)["relation"] == "merge" for p in ("jondurbin/bagel-dpo-34b-v0.2", "SUSTech/SUS-Chat-34B")
    )


def test_a_mixture_based_on_a_mixture_is_a_fine_tune_of_it(cli, make_repo):
    # VAGOsolutions/SauerkrautLM-Mixtral-8x7B-Instruct: DPO-aligned Mixtral, itself a mixture of experts.
    body = (
        "- **Model Type:** SauerkrautLM-Mixtral-8x7B-Instruct-v0.1 is a Mixture of Experts (MoE) Model based on "
        "[mistralai/Mixtral-8x7B-Instruct-v0.1](https://huggingface.co/mistralai/Mixtral-8x7B-Instruct-v0.1)\n"
    )
    report = merge_report(cli, make_repo, body)
    assert lineage_of(report, "mistralai/Mixtral-8x7B-Instruct-v0.1")["relation"] == "finetune"


def test_the_model_merged_with_is_a_parent(cli, make_repo):
    # TheBloke's SuperHOT GPTQ cards: the base merged with Kaio Ken's SuperHOT 8K LoRA.
    body = (
        "These files are GPTQ 4bit model files for [Pygmalion 13B](https://huggingface.co/TehVenom/Pygmalion-13b-Merged)"
        " merged with [Kaio Ken's SuperHOT 8K](https://huggingface.co/kaiokendev/superhot-13b-8k-no-rlhf-test).\n"
    )
    report = merge_report(cli, make_repo, body)
    assert lineage_of(report, "kaiokendev/superhot-13b-8k-no-rlhf-test")["confidence"] >= 0.85


def test_a_merge_the_card_only_recommends_is_no_parent(cli, make_repo):
    # lzlv_70b's card: the link is to the result of another merge, not to what this one merged.
    body = (
        "A multi-model merge of several LLaMA2 70B finetunes.\n\nAlso recommended: lzlv merged with limarpv3 - "
        "check it out here: https://huggingface.co/Doctor-Shotgun/lzlv-limarpv3-l2-70b/tree/main\n"
    )
    report = merge_report(cli, make_repo, body)
    assert not any(c["model"] == "Doctor-Shotgun/lzlv-limarpv3-l2-70b" for c in report["lineage"])


def test_a_quoted_card_s_merge_is_the_quoted_model_s(cli, make_repo):
    # A quantization of a merge quotes the merge's card, its mergekit block and list included.
    body = (
        "# NeuralPipe 7B GGUF\n\nQuantized from [mlabonne/NeuralPipe-7B-slerp](https://huggingface.co/mlabonne/"
        "NeuralPipe-7B-slerp).\n\n<!-- original-model-card start -->\n# Original model card: NeuralPipe-7B-slerp\n\n"
        + LAZY_LIST
        + LAZY_YAML
        + "\n<!-- original-model-card end -->\n"
    )
    report = merge_report(cli, make_repo, body, front="base_model: mlabonne/NeuralPipe-7B-slerp\nlicense: apache-2.0")
    assert not any(c["model"] in PARENTS and c["relation"] == "merge" for c in report["lineage"]), report["lineage"]
    assert undeclared(report) == []


@pytest.mark.parametrize(
    "body",
    [
        "Compare [A](https://huggingface.co/acme/A-7B) and [B](https://huggingface.co/acme/B-7B) before you merge.\n",
        "Our MoE router is based on the Switch Transformer paper.\n",
    ],
)
def test_words_near_merge_that_state_no_merge(cli, make_repo, body):
    report = merge_report(cli, make_repo, "# M\n" + body, front="license: mit")
    assert not any(c["relation"] == "merge" for c in report["lineage"]), report["lineage"]


def test_the_base_of_a_merge_method_is_a_parent(cli, make_repo):
    # mergekit's card template, as in Llama3-merge-biomed-8b.
    body = (
        "# Llama3-merge-biomed-8b\n\nThis is a merge of pre-trained language models created using "
        "[mergekit](https://github.com/cg123/mergekit).\n\n## Merge Details\n### Merge Method\n\nThis model was "
        "merged using the [DARE](https://arxiv.org/abs/2311.03099) [TIES](https://arxiv.org/abs/2306.01708) merge "
        "method using [meta-llama/Meta-Llama-3-8B-Instruct](https://huggingface.co/meta-llama/Meta-Llama-3-8B-Instruct)"
        " as a base.\n\n### Models Merged\n\nThe following models were included in the merge:\n"
        "* [NousResearch/Hermes-2-Pro-Llama-3-8B](https://huggingface.co/NousResearch/Hermes-2-Pro-Llama-3-8B)\n"
        "* [aaditya/Llama3-OpenBioLLM-8B](https://huggingface.co/aaditya/Llama3-OpenBioLLM-8B)\n"
    )
    report = merge_report(cli, make_repo, body, front="license: llama3")
    base = lineage_of(report, "meta-llama/Meta-Llama-3-8B-Instruct")
    assert base["relation"] == "merge" and base["confidence"] >= 0.8 and base["license"] == "llama3"
    assert undeclared(report) == [
        "NousResearch/Hermes-2-Pro-Llama-3-8B",
        "aaditya/Llama3-OpenBioLLM-8B",
        "meta-llama/Meta-Llama-3-8B-Instruct",
    ]
    # The Llama 3 duties are owed at error level: the checkpoint is named, not guessed from the title.
    assert any(f["rule"] == "upstream-license-missing" and f["severity"] == "error" for f in report["findings"])


@pytest.mark.parametrize(
    "body",
    [
        # Not a merge statement's model: a precision, a code host, a dataset.
        "A merge of our two runs in bf16/fp16 with [mergekit](https://github.com/cg123/mergekit).\n",
        "A merge of [the data](https://huggingface.co/datasets/acme/mix) with more data.\n",
        # A YAML block that is no mergekit configuration.
        "```yaml\nmodels:\n  - model: acme/Base-7B\n```\n",
        # A hostile block: many aliases, refused by the loader like any YAML of the audited repository.
        "```yaml\na: &a [x, x, x, x, x, x, x, x, x]\n"
        + "".join(
            f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
            for p, c in zip("abcdefgh", "bcdefghi")
        )
        + "merge_method: slerp\nmodels: [*i]\n```\n",
    ],
)
def test_words_that_name_no_merged_model(cli, make_repo, body):
    report = merge_report(cli, make_repo, "# M\n" + body, front="license: mit")
    assert report["lineage"] == []


# ------------------------------------------------------------------------- a partly declared merge

MODEL_STOCK = """slices:
  - sources:
      - model: arcee-ai/Llama-3.1-SuperNova-Lite
        layer_range: [0, 32]
      - model: DreadPoor/Heart_Stolen-8B-Model_Stock
        layer_range: [0, 32]
      - model: Dampfinchen/Llama-3.1-8B-Ultra-Instruct
        layer_range: [0, 32]
merge_method: model_stock
base_model: arcee-ai/Llama-3.1-SuperNova-Lite
dtype: bfloat16
"""


def test_each_merged_model_the_card_leaves_out_is_undeclared(cli, make_repo):
    # YouriLalain/1PARAMMYL-8B-ModelStock: the card declares the merge's base only.
    front = "base_model:\n- arcee-ai/Llama-3.1-SuperNova-Lite\nlicense: llama3.1"
    report = merge_report(cli, make_repo, "# 1PARAMMYL-8B-ModelStock\n", front, **{"mergekit_config.yml": MODEL_STOCK})
    assert undeclared(report) == ["Dampfinchen/Llama-3.1-8B-Ultra-Instruct", "DreadPoor/Heart_Stolen-8B-Model_Stock"]


def test_a_declared_parent_of_the_same_family_does_not_stand_for_another(cli, make_repo):
    config = (
        "models:\n  - model: meta-llama/Meta-Llama-3-8B-Instruct\n  - model: meta-llama/Meta-Llama-3-8B\n"
        "merge_method: task_arithmetic\nbase_model: meta-llama/Meta-Llama-3-8B\n"
    )
    front = "base_model: meta-llama/Meta-Llama-3-8B\nlicense: llama3"
    report = merge_report(cli, make_repo, "# Llama-3-8B-Arith\n" + f"```yaml\n{config}```\n", front)
    assert undeclared(report) == ["meta-llama/Meta-Llama-3-8B-Instruct"]


def test_a_merged_local_path_asks_for_the_hub_id(cli, make_repo):
    config = "models:\n  - model: acme/Base-7B\n  - model: /data/runs/my-finetune\nmerge_method: ties\nbase_model: acme/Base-7B\n"
    front = "base_model: acme/Base-7B\nlicense: mit"
    report = merge_report(
        cli, make_repo, "# M\n", front, LICENSE=license_text("mit"), **{"mergekit_config.yml": config}
    )
    found = [f for f in report["findings"] if f["rule"] == "base-model-undeclared"]
    assert [f["upstream"] for f in found] == ["/data/runs/my-finetune"]
    assert "the Hub id of the model that was at /data/runs/my-finetune" in found[0]["fix"]


def test_a_declared_reupload_of_a_merged_model_is_that_parent(cli, make_repo):
    # pt_dare_ties_1_0846: the card declares unsloth's re-upload, the configuration merges the same repository.
    config = (
        "models:\n  - model: Nos-PT/Llama-Carvalho-PT\nbase_model: unsloth/Meta-Llama-3.1-8B-Instruct\n"
        "merge_method: dare_ties\n"
    )
    front = "base_model:\n- Nos-PT/Llama-Carvalho-PT\n- unsloth/Meta-Llama-3.1-8B-Instruct\nlicense: llama3.1"
    report = merge_report(cli, make_repo, "# M\n", front, **{"mergekit_config.yml": config})
    assert undeclared(report) == []
