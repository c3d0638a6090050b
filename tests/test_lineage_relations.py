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
