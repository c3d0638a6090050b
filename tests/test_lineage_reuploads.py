"""A checkpoint under another name: a quantized re-upload (`TheBloke/Llama-2-13B-chat-GPTQ`,
`unsloth/...-unsloth-bnb-4bit`) or another owner's copy under its own name is the registered checkpoint, and
two names of one checkpoint are one candidate with both pieces of evidence. A name that only contains a
registered name with other words is another model. The last test reads the real repository of
../shared/data/model-repos when present and skips otherwise."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import audit_json, card, license_text

from license_audit.lineage.names import checkpoint_key, registered_name, without_quantization
from license_audit.registry import load_registry

CASES = Path(__file__).resolve().parents[2] / "shared" / "data" / "model-repos"


def undeclared(report: dict) -> list[dict]:
    return [f for f in report["findings"] if f["rule"] == "base-model-undeclared"]


@pytest.mark.parametrize(
    ("name", "registered"),
    [
        ("TheBloke/Llama-2-13B-chat-GPTQ", "meta-llama/Llama-2-13b-chat"),
        ("TheBloke/Llama-2-13B-chat-AWQ", "meta-llama/Llama-2-13b-chat"),
        ("TheBloke/Llama-2-13B-chat-GGUF", "meta-llama/Llama-2-13b-chat"),
        ("thebloke/llama-2-13b-chat-gptq", "meta-llama/Llama-2-13b-chat"),
        ("someone/Llama-2-13b-chat-hf-bnb-4bit", "meta-llama/Llama-2-13b-chat-hf"),
        ("someone/Llama-2-13b-chat-hf-4bit", "meta-llama/Llama-2-13b-chat-hf"),
        ("someone/Llama-2-13b-chat-hf-INT4", "meta-llama/Llama-2-13b-chat-hf"),
        ("someone/Llama-2-13b-chat-hf-FP8", "meta-llama/Llama-2-13b-chat-hf"),
        ("unsloth/Llama-2-13b-chat-hf-unsloth-bnb-4bit", "meta-llama/Llama-2-13b-chat-hf"),
        # Another owner's repository under the registered name, and the registered name itself.
        ("someone/Llama-2-13b-chat-hf", "meta-llama/Llama-2-13b-chat-hf"),
        ("meta-llama/llama-2-13b-chat-hf", "meta-llama/Llama-2-13b-chat-hf"),
    ],
)
def test_a_reupload_names_the_registered_checkpoint(name, registered):
    assert registered_name(name, load_registry()) == registered


@pytest.mark.parametrize(
    "name",
    [
        "someone/Llama-2-13b-chat-hf-finetuned-on-alpaca",  # a fine-tune named after its base
        "someone/Llama-2-13b-chat-hf-v2",
        "someone/Llama-2-13b-chat-hf-GPTQ-finetuned",  # the format is not where the name ends
        "someone/My-Llama-2-13b-chat-hf-GPTQ",  # the registered name with a word before it
        "someone/GPTQ",
        "Llama-2-13b-chat-hf-GPTQ",  # no owner: not a Hub id
    ],
)
def test_a_name_that_only_contains_a_registered_name_is_another_model(name):
    assert registered_name(name, load_registry()) is None


def test_without_quantization_and_the_key_of_one_checkpoint():
    assert without_quantization("DeepSeek-R1-Distill-Llama-8B-unsloth-bnb-4bit") == "DeepSeek-R1-Distill-Llama-8B"
    assert without_quantization("Acme-7B-GPTQ-4bit") == "Acme-7B"
    assert without_quantization("GGUF") == "GGUF"  # nothing would be left
    assert without_quantization("Acme-7B-GGUF-v2") == "Acme-7B-GGUF-v2"
    assert checkpoint_key("unsloth/deepseek-r1-distill-llama-8b-unsloth-bnb-4bit") == checkpoint_key(
        "unsloth/DeepSeek-R1-Distill-Llama-8B"
    )
    # Another owner's copy outside the registry is not taken for the same checkpoint.
    assert checkpoint_key("acme/Acme-7B-GPTQ") != checkpoint_key("other/Acme-7B")


def _adapter(base: str) -> str:
    return json.dumps({"base_model_name_or_path": base, "peft_type": "LORA", "r": 8})


def test_an_adapter_on_a_quantized_reupload_derives_from_the_registered_checkpoint(cli, make_repo):
    body = "# Helper\n\nBuilt on top of [`meta-llama/Llama-2-13b-chat-hf`](https://huggingface.co/meta-llama/Llama-2-13b-chat-hf).\n"
    files = {
        "README.md": card("license: apache-2.0", body),
        "LICENSE": license_text("apache-2.0"),
        "adapter_config.json": _adapter("TheBloke/Llama-2-13B-chat-GPTQ"),
    }
    report, _ = audit_json(cli, make_repo(files))
    # The chat checkpoint the re-upload is (an alias of the Llama-2-13b-hf entry), not the entry's base model.
    assert [c["model"] for c in report["lineage"]] == ["meta-llama/Llama-2-13b-chat"]
    cand = report["lineage"][0]
    assert cand["license"] == "llama2" and cand["relation"] == "adapter"
    # Both names, one candidate: the adapter's base (what its weights attach to) is the checkpoint it names.
    assert cand["checkpoint"] == "TheBloke/Llama-2-13B-chat-GPTQ"
    assert any("quantized re-upload of meta-llama/Llama-2-13b-chat" in e for e in cand["evidence"])
    assert any("README.md line" in e for e in cand["evidence"])
    found = undeclared(report)
    assert len(found) == 1 and found[0]["upstream"] == "TheBloke/Llama-2-13B-chat-GPTQ"


def test_a_declared_quantized_reupload_is_the_declared_base(cli, make_repo):
    files = {
        "README.md": card("license: llama2\nbase_model: TheBloke/Llama-2-13B-chat-GPTQ", "# Helper\n"),
        "adapter_config.json": _adapter("meta-llama/Llama-2-13b-chat-hf"),
    }
    report, _ = audit_json(cli, make_repo(files))
    assert [c["model"] for c in report["lineage"]] == ["meta-llama/Llama-2-13b-chat"]
    assert report["lineage"][0]["checkpoint"] == "TheBloke/Llama-2-13B-chat-GPTQ"
    assert report["lineage"][0]["declared"] is True and report["lineage"][0]["license"] == "llama2"
    assert undeclared(report) == []


def test_a_finetune_named_after_a_registered_model_is_not_that_model(cli, make_repo):
    files = {
        "README.md": card("license: apache-2.0", "# Helper\n"),
        "adapter_config.json": _adapter("someone/Llama-2-13b-chat-hf-finetuned-on-alpaca"),
    }
    report, _ = audit_json(cli, make_repo(files), "--offline")
    assert "meta-llama/Llama-2-13b-hf" not in [c["model"] for c in report["lineage"]]


def test_two_names_of_one_unregistered_checkpoint_are_one_candidate(cli, make_repo):
    body = "# Helper\n\nBuilt on top of [`acme/Acme-Chat-7B`](https://huggingface.co/acme/Acme-Chat-7B).\n"
    files = {
        "README.md": card("license: apache-2.0", body),
        "adapter_config.json": _adapter("acme/acme-chat-7b-bnb-4bit"),
    }
    report, _ = audit_json(cli, make_repo(files), "--offline")
    assert [c["model"] for c in report["lineage"]] == ["acme/acme-chat-7b-bnb-4bit"]
    assert len(report["lineage"][0]["evidence"]) >= 2
    assert [f["upstream"] for f in undeclared(report)] == ["acme/acme-chat-7b-bnb-4bit"]


@pytest.mark.skipif(not CASES.is_dir(), reason="../shared/data/model-repos is not present")
def test_real_adapter_on_an_unsloth_reupload_is_one_base_with_one_set_of_duties(cli):
    report, _ = audit_json(cli, str(CASES / "r1-distill-llama8b-lora-apache-license"), "--offline", "--no-history")
    assert len(report["lineage"]) == 1
    cand = report["lineage"][0]
    assert any("adapter_config.json" in e for e in cand["evidence"])
    assert any("unsloth/DeepSeek-R1-Distill-Llama-8B" in e for e in cand["evidence"])
    found = undeclared(report)
    assert len(found) == 1 and found[0]["upstream"] == "unsloth/deepseek-r1-distill-llama-8b-unsloth-bnb-4bit"
    for rule in ("license-incompatible", "upstream-license-missing", "upstream-notice-missing"):
        # One finding per upstream and license file, not one per name of the upstream.
        ups = [(f["upstream"], f["path"]) for f in report["findings"] if f["rule"] == rule]
        assert ups and len(ups) == len(set(ups)), (rule, ups)
        assert {u for u, _ in ups} == {"unsloth/deepseek-r1-distill-llama-8b-unsloth-bnb-4bit"}


# Devsam2898/Gemma2-Peshwa @ 8fef9ab2: an unsloth LoRA adapter on Unsloth's 4-bit re-upload of Gemma 2 9B
PESHWA_CARD = card(
    "base_model: unsloth/gemma-2-9b-bnb-4bit\nlanguage:\n- en\nlicense: apache-2.0\ntags:\n"
    "- text-generation-inference\n- transformers\n- unsloth\n- gemma2\n- trl",
    "# Uploaded  model\n\n- **Developed by:** Devavrat28\n- **License:** apache-2.0\n"
    "- **Finetuned from model :** unsloth/gemma-2-9b-bnb-4bit\n\n"
    "This gemma2 model was trained 2x faster with [Unsloth](https://github.com/unslothai/unsloth) and "
    "Huggingface's TRL library.\n",
)
PESHWA_ADAPTER = json.dumps(
    {"base_model_name_or_path": "unsloth/gemma-2-9b-bnb-4bit", "peft_type": "LORA", "r": 64, "task_type": "CAUSAL_LM"}
)


def test_the_duties_of_a_reupload_name_the_licensors_checkpoint_with_the_reupload_as_the_route(cli, make_repo):
    repo = make_repo({"README.md": PESHWA_CARD, "adapter_config.json": PESHWA_ADAPTER}, name="Gemma2-Peshwa")
    report, _ = audit_json(cli, repo, "--offline", "--no-history")
    assert report["lineage"][0]["model"] == "google/gemma-2-9b"
    assert report["lineage"][0]["checkpoint"] == "unsloth/gemma-2-9b-bnb-4bit"
    duties = [f for f in report["findings"] if f["upstream"]]
    assert {f["rule"] for f in duties} >= {
        "license-incompatible",
        "upstream-license-missing",
        "upstream-notice-missing",
    }
    assert {f["upstream"] for f in duties} == {"google/gemma-2-9b"}
    for f in duties:
        assert "google/gemma-2-9b (via unsloth/gemma-2-9b-bnb-4bit)" in f["message"], f
    notice = cli("notice", repo, "--offline").output
    assert "google/gemma-2-9b (adapter)\n  https://huggingface.co/google/gemma-2-9b\n" in notice
    assert "  via unsloth/gemma-2-9b-bnb-4bit, a re-upload of it\n" in notice
    assert "https://huggingface.co/unsloth/" not in notice
    assert (
        "Gemma2-Peshwa is an adapter trained on top of google/gemma-2-9b (via unsloth/gemma-2-9b-bnb-4bit):" in notice
    )


def test_an_undeclared_reupload_is_still_the_base_the_card_should_declare(cli, make_repo):
    front = "language:\n- en\nlicense: gemma\ntags:\n- unsloth\n- gemma2"
    repo = make_repo({"README.md": card(front), "adapter_config.json": PESHWA_ADAPTER})
    report, _ = audit_json(cli, repo, "--offline", "--no-history")
    found = undeclared(report)
    assert [f["upstream"] for f in found] == ["unsloth/gemma-2-9b-bnb-4bit"]
    assert found[0]["fix"].startswith("Add `base_model: unsloth/gemma-2-9b-bnb-4bit` to README.md")
    duties = [f for f in report["findings"] if f["upstream"] and f["rule"] != "base-model-undeclared"]
    assert duties and {f["upstream"] for f in duties} == {"google/gemma-2-9b"}


# KoboldAI/LLaMA2-13B-Psyfighter2's mergekit recipe (its card's block, as mergekit_config.yml writes it)
PSYFIGHTER_MERGEKIT = """merge_method: task_arithmetic
base_model: TheBloke/Llama-2-13B-fp16
models:
  - model: TheBloke/Llama-2-13B-fp16
  - model: KoboldAI/LLaMA2-13B-Tiefighter
    parameters:
      weight: 1.0
  - model: Doctor-Shotgun/cat-v1.0-13b
    parameters:
      weight: 0.01
  - model: Doctor-Shotgun/llama-2-13b-chat-limarp-v2-merged
    parameters:
      weight: 0.02
dtype: float16
"""


def test_a_merges_shared_duties_name_the_licensors_checkpoint_not_a_merged_community_model(cli, make_repo):
    files = {
        "README.md": card("license: llama2", "# LLAMA2-13B-Psyfighter2\nPsyfighter is a merged model.\n"),
        "mergekit_config.yml": PSYFIGHTER_MERGEKIT,
    }
    report, _ = audit_json(cli, make_repo(files), "--offline", "--no-history")
    for rule in ("upstream-license-missing", "upstream-notice-missing", "use-restrictions-missing"):
        found = [f for f in report["findings"] if f["rule"] == rule]
        assert [f["upstream"] for f in found] == ["meta-llama/Llama-2-13b"], (rule, found)
        assert "meta-llama/Llama-2-13b (via TheBloke/Llama-2-13B-fp16)" in found[0]["message"]
    undeclared_ids = {f["upstream"] for f in undeclared(report)}
    assert "TheBloke/Llama-2-13B-fp16" in undeclared_ids and "meta-llama/Llama-2-13b" not in undeclared_ids
