"""A model named in a card's prose whose architecture is not the repository's cannot be the base its weights
come from: the DeepSeek-R1 card, which every Distill model and their fine-tunes copy, names DeepSeek-V3-Base
(R1's own base) and the sibling distills' Llama and Qwen bases. Fixtures are cut from that card (its "7. License"
section) with the published Distill configs' architecture fields."""

from __future__ import annotations

import json

from conftest import card

from license_audit.crawl import crawl
from license_audit.lineage import find_lineage
from license_audit.lineage.evidence import collect_candidates
from license_audit.lineage.families import load_families
from license_audit.registry import load_registry

_R1_CARD = """# DeepSeek-R1

To support the research community, we have open-sourced DeepSeek-R1-Zero, DeepSeek-R1, and six dense models distilled from DeepSeek-R1 based on Llama and Qwen.

DeepSeek-R1-Zero & DeepSeek-R1 are trained based on DeepSeek-V3-Base.

## 7. License
This code repository and the model weights are licensed under the [MIT License](https://github.com/deepseek-ai/DeepSeek-R1/blob/main/LICENSE).
- DeepSeek-R1-Distill-Qwen-1.5B, DeepSeek-R1-Distill-Qwen-7B, DeepSeek-R1-Distill-Qwen-14B and DeepSeek-R1-Distill-Qwen-32B are derived from [Qwen-2.5 series](https://github.com/QwenLM/Qwen2.5), which are originally licensed under [Apache 2.0 License](https://huggingface.co/Qwen/Qwen2.5-1.5B/blob/main/LICENSE), and now finetuned with 800k samples curated with DeepSeek-R1.
- DeepSeek-R1-Distill-Llama-8B is derived from Llama3.1-8B-Base and is originally licensed under [Llama3.1 license](https://huggingface.co/meta-llama/Llama-3.1-8B/blob/main/LICENSE).
- DeepSeek-R1-Distill-Llama-70B is derived from Llama3.3-70B-Instruct and is originally licensed under [Llama3.3 license](https://huggingface.co/meta-llama/Llama-3.3-70B-Instruct/blob/main/LICENSE).
"""
_QWEN2_7B = {
    "architectures": ["Qwen2ForCausalLM"],
    "model_type": "qwen2",
    "hidden_size": 3584,
    "intermediate_size": 18944,
    "num_attention_heads": 28,
    "num_hidden_layers": 28,
    "num_key_value_heads": 4,
    "vocab_size": 152064,
}
_LLAMA_8B = {
    "architectures": ["LlamaForCausalLM"],
    "model_type": "llama",
    "hidden_size": 4096,
    "intermediate_size": 14336,
    "num_attention_heads": 32,
    "num_hidden_layers": 32,
    "num_key_value_heads": 8,
    "vocab_size": 128256,
}


def lineage(make_repo, name: str, config: dict | None) -> list:
    files = {"README.md": card("license: mit\nlibrary_name: transformers", _R1_CARD)}
    if config is not None:
        files["config.json"] = json.dumps(config)
    snap = crawl(make_repo(files, name=name))
    names = (("the folder name", name),)
    return collect_candidates(snap, load_registry(), load_families(), names=names)


def test_bases_of_another_architecture_are_below_the_bar(make_repo):
    cands = lineage(make_repo, "DeepSeek-R1-Distill-Qwen-7B", _QWEN2_7B)
    kept = [c.model for c in cands if c.confidence >= 0.5]
    assert any(m.startswith("Qwen") for m in kept), kept
    assert not any("Llama" in m or "DeepSeek-V3" in m for m in kept), kept
    v3 = next(c for c in cands if "DeepSeek-V3" in c.model)
    assert v3.confidence < 0.5
    assert any("model_type is qwen2" in e and "deepseek_v3" in e for e in v3.evidence), v3.evidence
    # The model it was distilled from is no weights' base: its architecture says nothing against it.
    assert any(c.model == "deepseek-ai/DeepSeek-R1" and c.relation == "distillation" for c in cands)


def test_the_llama_distill_keeps_only_its_llama_base(make_repo):
    cands = lineage(make_repo, "DeepSeek-R1-Distill-Llama-8B", _LLAMA_8B)
    kept = [c.model for c in cands if c.confidence >= 0.5]
    assert any("Llama 3.1" in m or "Llama-3.1" in m for m in kept), kept
    # Qwen by architecture; Llama 3.3 70B is the 70B sibling's base, said in a sentence about that sibling.
    assert not any("Qwen" in m or "3.3" in m or "DeepSeek-V3" in m for m in kept), kept


def test_without_a_config_nothing_is_ruled_out(make_repo):
    snap = crawl(make_repo({"README.md": card("license: mit", _R1_CARD)}, name="some-upload"))
    found = [c.model for c in find_lineage(snap, load_registry())]
    assert any("DeepSeek-V3" in m for m in found), found
    assert any("Llama 3.1" in m or "Llama-3.1" in m for m in found), found


def test_a_base_the_card_names_for_itself_is_kept_with_the_conflict_stated(make_repo):
    # A Qwen model's weights re-saved in a Llama config ("llamafied"): the card's own word is not overruled.
    files = {
        "README.md": card("license: apache-2.0", "# Acme-LM\n\nThis model is fine-tuned from Qwen/Qwen2.5-7B.\n"),
        "config.json": json.dumps(_LLAMA_8B),
    }
    cands = collect_candidates(crawl(make_repo(files)), load_registry(), load_families())
    qwen = next(c for c in cands if c.model == "Qwen/Qwen2.5-7B")
    assert qwen.confidence >= 0.8
    assert any("model_type is llama" in e and "does not bear out" in e for e in qwen.evidence), qwen.evidence


def test_a_composite_config_keeps_a_base_named_for_one_of_its_parts(make_repo):
    # InfiMM-Zephyr's config.json (model_type infimm-zephyr) holds its language model's configuration under
    # `language`: zephyr-7b-beta, a Mistral, is that part's base though the whole model's type is its own.
    body = (
        "# InfiMM-Zephyr\n\n- **Parent Models:** [QuanSun/EVA-CLIP](https://huggingface.co/QuanSun/EVA-CLIP) and "
        "[HuggingFaceH4/zephyr-7b-beta](https://huggingface.co/HuggingFaceH4/zephyr-7b-beta)\n"
    )
    config = {
        "architectures": ["InfiMMZephyrModel"],
        "model_type": "infimm-zephyr",
        "visual": {"image_size": 336, "layers": 24, "width": 1024},
        "language": {"architectures": ["MistralForCausalLM"], "hidden_size": 4096, "vocab_size": 32002},
    }
    files = {"README.md": card("license: cc-by-nc-4.0", body), "config.json": json.dumps(config)}
    snap = crawl(make_repo(files, name="infimm-zephyr"))
    cands = collect_candidates(snap, load_registry(), load_families(), names=(("the folder name", "infimm-zephyr"),))
    assert any(c.model == "HuggingFaceH4/zephyr-7b-beta" and c.confidence >= 0.5 for c in cands), cands
