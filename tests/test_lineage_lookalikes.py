"""Config look-alikes: a config match stands for the checkpoint the config was saved from, not for a checkpoint
of another generation or modality that shares most of its fields.

Fixtures are cut from real repositories: YouriLalain/2PRYMMAL-Yi1.5-6B-SLERP @ 82cdc2e1 and
YouriLalain/1PARAMMYL-8B-ModelStock @ 4ce556da (card, mergekit_config.yml, config.json).
"""

from __future__ import annotations

from conftest import audit_json, card, config_of

# config.json of 2PRYMMAL-Yi1.5-6B-SLERP (a Yi-1.5 merge): Yi-6B-Chat's fields but for rms_norm_eps (1e-06)
YI15_CONFIG = {
    "_name_or_path": "01-ai/Yi-1.5-6B-Chat",
    "architectures": ["LlamaForCausalLM"],
    "attention_bias": False,
    "bos_token_id": 1,
    "eos_token_id": 2,
    "hidden_act": "silu",
    "hidden_size": 4096,
    "intermediate_size": 11008,
    "max_position_embeddings": 4096,
    "mlp_bias": False,
    "model_type": "llama",
    "num_attention_heads": 32,
    "num_hidden_layers": 32,
    "num_key_value_heads": 4,
    "pad_token_id": 0,
    "rms_norm_eps": 1e-06,
    "rope_scaling": None,
    "rope_theta": 5000000.0,
    "tie_word_embeddings": False,
    "torch_dtype": "bfloat16",
    "transformers_version": "4.44.2",
    "vocab_size": 64000,
}
YI15_MERGEKIT = """
slices:
  - sources:
      - model: 01-ai/Yi-1.5-6B-Chat
        layer_range: [0, 32]
      - model: 01-ai/Yi-1.5-6B
        layer_range: [0, 32]
merge_method: slerp
base_model: 01-ai/Yi-1.5-6B-Chat
dtype: bfloat16
"""
YI15_CARD = card(
    "base_model:\n- 01-ai/Yi-1.5-6B-Chat\n- 01-ai/Yi-1.5-6B\nlibrary_name: transformers\ntags:\n- mergekit\n- merge\n"
    "license: apache-2.0",
    "# 2PRYMMAL-Yi1.5-6B-SLERP\n\nThis is a merge of pre-trained language models created using mergekit.\n",
)


def _yi15_merge(make_repo):
    return make_repo(
        {"README.md": YI15_CARD, "mergekit_config.yml": YI15_MERGEKIT, "config.json": YI15_CONFIG},
        name="2PRYMMAL-Yi1.5-6B-SLERP",
    )


def test_a_config_look_alike_of_another_generation_is_no_derived_base_of_a_declared_merge(cli, make_repo):
    report, _ = audit_json(cli, _yi15_merge(make_repo), "--offline")
    first_gen = next(c for c in report["lineage"] if c["model"] == "01-ai/Yi-6B-Chat")
    assert first_gen["confidence"] < 0.8
    assert "look-alike of 01-ai/Yi-6B-Chat" in first_gen["evidence"][0]
    assert not [f for f in report["findings"] if f["severity"] == "error" and "Yi-6B-Chat" in f["message"]]


def test_the_notice_of_a_merge_names_only_the_models_it_merges_as_included(cli, make_repo):
    out = cli("notice", _yi15_merge(make_repo), "--offline").output
    assert "is a merge that includes 01-ai/Yi-1.5-6B-Chat" in out
    assert "01-ai/Yi-6B-Chat" not in out


def test_an_ancestor_found_by_config_is_not_said_to_be_merged_in(cli, make_repo):
    # The merged Llama 3.1 fine-tunes keep Llama-3.1-8B-Instruct's config exactly: an ancestor, not a parent.
    mergekit = (
        "slices:\n  - sources:\n      - model: arcee-ai/Llama-3.1-SuperNova-Lite\n        layer_range: [0, 32]\n"
        "      - model: DreadPoor/Heart_Stolen-8B-Model_Stock\n        layer_range: [0, 32]\n"
        "      - model: Dampfinchen/Llama-3.1-8B-Ultra-Instruct\n        layer_range: [0, 32]\n"
        "merge_method: model_stock\nbase_model: arcee-ai/Llama-3.1-SuperNova-Lite\ndtype: bfloat16\n"
    )
    repo = make_repo(
        {
            "README.md": card(
                "base_model:\n- arcee-ai/Llama-3.1-SuperNova-Lite\ntags:\n- merge\n- mergekit\n- lazymergekit",
                "# 1PARAMMYL-8B-ModelStock\n\n1PARAMMYL-8B-ModelStock is a merge of the following models using "
                "LazyMergekit:\n* [arcee-ai/Llama-3.1-SuperNova-Lite](https://huggingface.co/arcee-ai/Llama-3.1-SuperNova-Lite)\n",
            ),
            "mergekit_config.yml": mergekit,
            "config.json": config_of(
                "meta-llama/Llama-3.1-8B-Instruct", _name_or_path="arcee-ai/Llama-3.1-SuperNova-Lite"
            ),
        },
        name="1PARAMMYL-8B-ModelStock",
    )
    report, _ = audit_json(cli, repo, "--offline")
    ancestor = next(c for c in report["lineage"] if c["model"] == "meta-llama/Llama-3.1-8B-Instruct")
    assert ancestor["confidence"] >= 0.8  # an exact config: the merged models' own base
    out = cli("notice", repo, "--offline").output
    assert "includes meta-llama/Llama-3.1-8B-Instruct" not in out
    assert "is a merge of models derived from meta-llama/Llama-3.1-8B-Instruct" in out
    assert "is a merge that includes Dampfinchen/Llama-3.1-8B-Ultra-Instruct" in out


# config.json of Qwen/Qwen-VL-Chat-Int4 (github x1ngzai/Qwen-VL-Chat-Int4 @ 1cd721a2): Qwen-7B's language model
# with the `visual` tower beside it
QWEN_VL_INT4_CONFIG = {
    "architectures": ["QWenLMHeadModel"],
    "hidden_size": 4096,
    "intermediate_size": 22016,
    "kv_channels": 128,
    "layer_norm_epsilon": 1e-06,
    "max_position_embeddings": 8192,
    "model_type": "qwen",
    "no_bias": True,
    "num_attention_heads": 32,
    "num_hidden_layers": 32,
    "quantization_config": {"bits": 4, "group_size": 128, "quant_method": "gptq"},
    "rotary_emb_base": 10000,
    "seq_length": 2048,
    "tie_word_embeddings": False,
    "tokenizer_type": "QWenTokenizer",
    "torch_dtype": "float16",
    "transformers_version": "4.32.0",
    "visual": {
        "heads": 16,
        "image_size": 448,
        "image_start_id": 151857,
        "layers": 48,
        "mlp_ratio": 4.9231,
        "output_dim": 4096,
        "patch_size": 14,
        "width": 1664,
    },
    "vocab_size": 151936,
}
QWEN_VL_CARD = card(
    "language:\n- zh\n- en\ntags:\n- qwen\npipeline_tag: text-generation\ninference: false",
    "# Qwen-VL-Chat-Int4\n\nWe release Qwen-VL and Qwen-VL-Chat, which are pretrained model and Chat model "
    "respectively. This repo is the one for Qwen-VL-Chat-Int4.\n",
)


def test_a_config_with_a_vision_tower_is_the_multimodal_checkpoints_not_the_text_models(cli, make_repo):
    repo = make_repo({"README.md": QWEN_VL_CARD, "config.json": QWEN_VL_INT4_CONFIG})
    report, _ = audit_json(cli, repo, "--offline")
    assert [c["model"] for c in report["lineage"]] == ["Qwen/Qwen-VL-Chat"]
    lead = report["lineage"][0]
    assert lead["relation"] == "quantized" and lead["confidence"] >= 0.8
    assert any("Qwen/Qwen-7B-Chat (text only)" in e and "`visual`" in e for e in lead["evidence"])
    undeclared = [f for f in report["findings"] if f["rule"] == "base-model-undeclared"]
    assert [f["fix"] for f in undeclared] == [
        "Add `base_model: Qwen/Qwen-VL-Chat` to README.md and carry Qwen/Qwen-VL-Chat's license duties."
    ]


def test_the_same_language_model_without_a_tower_stays_the_text_models(cli, make_repo):
    text_only = {k: v for k, v in QWEN_VL_INT4_CONFIG.items() if k != "visual"}
    repo = make_repo({"README.md": card("tags:\n- qwen"), "config.json": text_only})
    report, _ = audit_json(cli, repo, "--offline")
    assert report["lineage"][0]["model"] == "Qwen/Qwen-7B-Chat"
