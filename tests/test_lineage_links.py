"""Links and names in a card that say where a model comes from, and those that do not: a `base_model`
written as its Hub address, code and license-file links in the card's prose, and family names the community
writes in model names. Fixtures are reduced from real Hub cards."""

from __future__ import annotations

import pytest
from conftest import audit_json, card, rules_of

from license_audit.card import hub_model_id, parse_card
from license_audit.crawl import crawl
from license_audit.lineage import find_lineage
from license_audit.lineage.declarations import prose_hits
from license_audit.lineage.families import load_families
from license_audit.lineage.names import registered_name, reupload_note
from license_audit.lineage.openworld import lineage_context
from license_audit.registry import load_registry


def prose_models(make_repo, body: str, front: str = "license: apache-2.0") -> list[str]:
    snap = crawl(make_repo({"README.md": card(front, body)}))
    return [h.model for h in prose_hits(snap, load_registry(), load_families())]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("https://huggingface.co/budecosystem/genz-70b", "budecosystem/genz-70b"),
        ("http://www.huggingface.co/budecosystem/genz-70b/", "budecosystem/genz-70b"),
        ("https://hf.co/meta-llama/Llama-2-7b-chat-hf", "meta-llama/Llama-2-7b-chat-hf"),
        ("huggingface.co/meta-llama/Llama-2-7b-chat-hf/tree/main", "meta-llama/Llama-2-7b-chat-hf"),
        ("https://huggingface.co/meta-llama/Llama-2-7b-chat-hf/blob/main/README.md", "meta-llama/Llama-2-7b-chat-hf"),
        ("https://huggingface.co/datasets/tatsu-lab/alpaca", None),
        ("https://huggingface.co/spaces/acme/demo", None),
        ("https://github.com/casper-hansen/AutoAWQ", None),
        ("meta-llama/Llama-2-7b-chat-hf", None),
        ("/data/models/Llama-2-7b-chat-hf", None),
    ],
)
def test_a_hub_model_address_is_its_id(value, expected):
    assert hub_model_id(value) == expected


def test_a_base_model_written_as_its_hub_address_is_its_id():
    # TheBloke's cards of autumn 2023 write the base as its address.
    front = "base_model: https://huggingface.co/meta-llama/Llama-2-7b-chat-hf\nlicense: llama2"
    assert parse_card(card(front)).base_models == ["meta-llama/Llama-2-7b-chat-hf"]
    listed = "base_model:\n- https://hf.co/budecosystem/genz-70b/tree/main\n- https://example.com/models/x\n- ./local"
    assert parse_card(card(listed)).base_models == ["budecosystem/genz-70b", "https://example.com/models/x", "./local"]


def test_a_declared_hub_address_resolves_like_the_id(cli, make_repo):
    front = "arxiv: 2307.09288\nbase_model: https://huggingface.co/meta-llama/Llama-2-7b-chat-hf\nlicense: llama2\nmodel_name: Llama 2 7B Chat\nquantized_by: TheBloke"
    report, _ = audit_json(cli, make_repo({"README.md": card(front, "# Llama 2 7B Chat - GGUF\n")}), "--offline")
    assert report["model"]["declared_base_models"] == ["meta-llama/Llama-2-7b-chat-hf"]
    top = report["lineage"][0]
    assert top["model"] == "meta-llama/Llama-2-7b-chat-hf" and top["declared"] is True
    assert top["family"] == "llama2" and top["license"] == "llama2"
    assert any("written as its Hub address https://huggingface.co/" in e for e in top["evidence"])
    assert all("https://" not in (f["upstream"] or "") for f in report["findings"])


def test_a_declared_hub_address_outside_the_registry_is_named_by_its_id(cli, make_repo):
    front = "base_model: https://huggingface.co/budecosystem/genz-70b\nlicense: llama2\nmodel_name: GenZ 70B"
    report, _ = audit_json(cli, make_repo({"README.md": card(front, "# GenZ 70B - GPTQ\n")}), "--offline")
    assert report["model"]["declared_base_models"] == ["budecosystem/genz-70b"]
    assert report["lineage"][0]["model"] == "budecosystem/genz-70b"
    assert not any("not a Hub id" in e for e in report["lineage"][0]["evidence"])


# hugging-quants' AWQ cards credit the AutoAWQ scripts they adapt, linked on GitHub.
AWQ_CARD = """# Model Information

This repository is a community-driven quantized version of the original model \
[`meta-llama/Meta-Llama-3.1-8B-Instruct`](https://huggingface.co/meta-llama/Meta-Llama-3.1-8B-Instruct).

The AutoAWQ script has been adapted from [`AutoAWQ/examples/generate.py`](https://github.com/casper-hansen/AutoAWQ/blob/main/examples/generate.py).
"""


def test_a_link_to_code_on_github_names_no_model(cli, make_repo):
    assert prose_models(make_repo, AWQ_CARD) == ["meta-llama/Meta-Llama-3.1-8B-Instruct"]
    report, _ = audit_json(cli, make_repo({"README.md": card("license: llama3.1", AWQ_CARD)}), "--offline")
    assert [c["model"] for c in report["lineage"]] == ["meta-llama/Meta-Llama-3.1-8B-Instruct"]
    assert {f["upstream"] for f in report["findings"] if f["upstream"]} == {"meta-llama/Meta-Llama-3.1-8B-Instruct"}


@pytest.mark.parametrize(
    "body",
    [
        "Adapted from https://github.com/casper-hansen/AutoAWQ/tree/main/examples.\n",
        "Based on github.com/facebookresearch/llama-recipes.\n",
        "Adapted from [`AutoAWQ/examples`](https://github.com/casper-hansen/AutoAWQ/tree/main/examples).\n",
        "Fine-tuned on [tatsu-lab/alpaca](https://huggingface.co/datasets/tatsu-lab/alpaca).\n",
        "Adapted from `AutoAWQ/examples/quantize.py`.\n",
    ],
)
def test_code_dataset_and_path_links_name_no_model(make_repo, body):
    assert prose_models(make_repo, "# Acme-7B\n\n" + body) == []


@pytest.mark.parametrize(
    "body",
    [
        "Fine-tuned from [acme/Foo-7B](https://huggingface.co/acme/Foo-7B/tree/main).\n",
        "Fine-tuned from [the Foo model](https://hf.co/acme/Foo-7B).\n",
        "Fine-tuned from acme/Foo-7B.\n",
        "Fine-tuned from https://huggingface.co/acme/Foo-7B/blob/main/README.md\n",
    ],
)
def test_hub_links_and_bare_ids_still_name_their_model(make_repo, body):
    assert prose_models(make_repo, "# Bar-7B\n\n" + body) == ["acme/Foo-7B"]


def test_a_registered_id_linked_elsewhere_is_still_that_model(make_repo):
    body = "# Bar-7B\n\nFine-tuned from [mistralai/Mistral-7B-v0.1](https://mistral.ai/news/announcing-mistral-7b/).\n"
    assert prose_models(make_repo, body) == ["mistralai/Mistral-7B-v0.1"]


# Nexusflow's NexusRaven-V2-13B card, as copies of it carry it.
RAVEN_FRONT = "license: other\nbase_model: codellama/CodeLlama-13b-Instruct-hf"
RAVEN_BODY = """# NexusRaven-13B: Surpassing GPT-4 for Zero-shot Function Calling

## License
This model was trained on commercially viable data and is licensed under the [Nexusflow community license](https://huggingface.co/Nexusflow/NexusRaven-V2-13B/blob/main/LICENSE.txt).
"""


@pytest.mark.parametrize("folder", ["raven-release", "NexusRaven-V2-13B"])
def test_a_link_to_a_license_file_names_no_upstream(cli, make_repo, folder):
    assert prose_models(make_repo, RAVEN_BODY, RAVEN_FRONT) == []
    report, _ = audit_json(cli, make_repo({"README.md": card(RAVEN_FRONT, RAVEN_BODY)}, name=folder), "--offline")
    assert [c["model"] for c in report["lineage"]] == ["codellama/CodeLlama-13b-Instruct-hf"]
    assert not [f for f in report["findings"] if f["upstream"] == "Nexusflow/NexusRaven-V2-13B"]


@pytest.mark.parametrize(
    "body",
    [
        "Based on Llama 2 and released under https://huggingface.co/meta-llama/Llama-2-7b-hf/blob/main/LICENSE.txt\n",
        "Based on Llama 2; see the [Notice](https://huggingface.co/meta-llama/Llama-2-7b-hf/raw/main/NOTICE).\n",
        "Based on Llama 2 under the [use policy](https://hf.co/meta-llama/Llama-2-7b-hf/blob/main/USE_POLICY.md).\n",
    ],
)
def test_license_notice_and_policy_links_name_terms_not_a_checkpoint(make_repo, body):
    assert prose_models(make_repo, "# Acme-7B\n\n" + body) == ["Llama 2 (family)"]


def test_the_audited_repository_s_own_id_is_never_its_upstream(make_repo):
    body = "# NexusRaven-V2-13B\n\nOriginal model: [NexusRaven](https://huggingface.co/Nexusflow/NexusRaven-V2-13B)\n"
    snap = crawl(make_repo({"README.md": card(RAVEN_FRONT, body)}))
    registry = load_registry()

    def models(repo_id):
        context = lineage_context(registry, offline=True, repo_id=repo_id)
        return [c.model for c in find_lineage(snap, registry, context=context)]

    assert models("Nexusflow/NexusRaven-V2-13B") == ["codellama/CodeLlama-13b-Instruct-hf"]
    # Audited as another repository, the link names the model it comes from.
    assert "Nexusflow/NexusRaven-V2-13B" in models("someone/NexusRaven-V2-13B-GGUF")


def test_the_yi_family_and_its_registered_checkpoints_name_one_license():
    # 01.AI relicensed the Yi series to Apache-2.0 (01-ai/Yi 62800976c9b3, 2024-05-30); the registry's Yi
    # checkpoints say so too.
    yi = load_families().get("yi")
    assert yi.licenses == ("apache-2.0",) and yi.former_licenses == ("yi-license",)
    assert "2024-05-30" in yi.license_note and "62800976c9b3" in yi.source
    for model in load_registry():
        if model.family == "yi":
            assert model.license in yi.licenses and "yi-license" in (model.license_note or "")
    assert [f.id for f in load_families().by_license("yi-license")] == ["yi"]


def _yi_finetune(cli, make_repo, front):
    report, _ = audit_json(cli, make_repo({"README.md": card(front, "# Nous-Hermes-2-Yi-34B\n")}), "--offline")
    return report, report["lineage"][0]


def test_an_apache_yi_finetune_is_no_relicensing_of_the_yi_license(cli, make_repo):
    # Nous-Hermes-2-Yi-34B: an Apache-2.0 card on 01-ai/Yi-34B, which the registry does not hold.
    report, top = _yi_finetune(cli, make_repo, "base_model: 01-ai/Yi-34B\nlicense: apache-2.0")
    assert top["model"] == "01-ai/Yi-34B" and top["family"] == "yi" and top["license"] == "apache-2.0"
    assert any("relicensed the Yi series to Apache-2.0 on 2024-05-30" in e for e in top["evidence"])
    assert "license-incompatible" not in rules_of(report)


def test_a_yi_finetune_under_the_earlier_license_keeps_it(cli, make_repo):
    # A card that took the Yi Series Models Community License says which terms it took.
    front = "base_model: 01-ai/Yi-34B\nlicense: other\nlicense_name: yi-license"
    _, top = _yi_finetune(cli, make_repo, front)
    assert top["family"] == "yi" and top["license"] == "yi-license"


def test_a_base_carrying_the_earlier_yi_license_adds_no_yi_family_candidate(cli, make_repo):
    # Pallas-0.5-frankenmerge: yi-license on a merge of a community Yi model the registry does not hold.
    front = "base_model: Mihaiii/Pallas-0.5\nlicense: other\nlicense_name: yi-license"
    report, _ = audit_json(cli, make_repo({"README.md": card(front, "# Pallas-0.5-frankenmerge\n")}), "--offline")
    assert [c["model"] for c in report["lineage"]] == ["Mihaiii/Pallas-0.5"]


@pytest.mark.parametrize(
    ("name", "size"),
    [
        ("Gryphe/MythoMax-L2-13b", "13B"),
        ("jondurbin/airoboros-l2-70b-gpt4-1.4.1", "70B"),
        ("Undi95/MLewd-ReMM-L2-Chat-20B", "20B"),
        ("TheBloke/Airoboros-L2-70B-3.1.2-GGUF", "70B"),
        ("MythoMax L2 13B", "13B"),
        ("Chronos-Hermes-13b-L2", None),
    ],
)
def test_l2_beside_a_llama_2_size_names_llama_2(name, size):
    found = load_families().match_name(name)
    assert found is not None and found.family.id == "llama2" and found.size == size


@pytest.mark.parametrize(
    "name",
    [
        "ViT-L/14",
        "nvidia L20 48GB",
        "l2-distance",
        "l2_norm",
        "L2 norm of 7B embeddings",
        "tf_efficientnet_l2_ns_475",
        "MythoLogic-L2",  # no size: nothing says which L2
        "some-l20-13b",
        "sentence-t5-l2",
        "L2-cache-13B",
    ],
)
def test_l2_elsewhere_names_no_family(name):
    found = load_families().match_name(name)
    assert found is None or found.family.id != "llama2"


def test_a_merge_of_l2_models_owes_llama_2_duties(cli, make_repo):
    # Gryphe/MythoMax-L2-13b: a merge of MythoLogic-L2 and Huginn, its card naming no base.
    body = (
        "An improved, potentially even perfected variant of MythoMix, my "
        "[MythoLogic-L2](https://huggingface.co/Gryphe/MythoLogic-L2-13b) and "
        "[Huginn](https://huggingface.co/The-Face-Of-Goonery/Huginn-13b-FP16) merge.\n"
    )
    report, _ = audit_json(cli, make_repo({"README.md": card("license: other", body)}, name="MythoMax-L2-13b"))
    assert "llama2" in {c["family"] for c in report["lineage"]}
    assert "upstream-license-missing" in rules_of(report, "warning")


@pytest.mark.parametrize(
    ("name", "registered"),
    [
        ("TheBloke/Llama-2-13B-fp16", "meta-llama/Llama-2-13b"),
        ("TheBloke/Llama-2-70B-fp16", "meta-llama/Llama-2-70b"),
        ("TheBloke/Llama-2-13B-Chat-fp16", "meta-llama/Llama-2-13b-chat"),
    ],
)
def test_an_fp16_conversion_is_the_registered_checkpoint(name, registered):
    found = registered_name(name, load_registry())
    assert found == registered
    assert reupload_note(name, found) == f"{name} is a re-upload of {registered} converted to fp16"


def test_an_fp16_name_with_other_words_is_another_model():
    assert registered_name("someone/Llama-2-13b-hf-finetuned-fp16", load_registry()) is None


def test_a_merge_on_thebloke_s_fp16_llama_2_names_meta_s_checkpoint(cli, make_repo):
    # KoboldAI/LLaMA2-13B-Psyfighter2's mergekit configuration, its base TheBloke/Llama-2-13B-fp16.
    config = (
        "merge_method: task_arithmetic\nbase_model: TheBloke/Llama-2-13B-fp16\nmodels:\n"
        "  - model: TheBloke/Llama-2-13B-fp16\n  - model: KoboldAI/LLaMA2-13B-Tiefighter\n"
        "    parameters:\n      weight: 1.0\ndtype: float16\n"
    )
    files = {"README.md": card("license: llama2", "# LLaMA2-13B-Psyfighter2\n"), "mergekit_config.yml": config}
    report, _ = audit_json(cli, make_repo(files), "--offline")
    meta = next(c for c in report["lineage"] if c["model"] == "meta-llama/Llama-2-13b")
    assert meta["license"] == "llama2" and meta["checkpoint"] == "TheBloke/Llama-2-13B-fp16"
    assert any("converted to fp16" in e for e in meta["evidence"])


# TheBloke/Mistral-7B-Instruct-v0.2-AWQ: TheBloke's header, then Mistral's own card quoted under a heading.
_MISTRAL_AWQ = """# Mistral 7B Instruct v0.2 - AWQ
- Model creator: [Mistral AI_](https://huggingface.co/mistralai)
- Original model: [Mistral 7B Instruct v0.2](https://huggingface.co/mistralai/Mistral-7B-Instruct-v0.2)

<!-- footer end -->

# Original model card: Mistral AI_'s Mistral 7B Instruct v0.2


# Model Card for Mistral-7B-Instruct-v0.2

The Mistral-7B-Instruct-v0.2 Large Language Model (LLM) is an improved instruct fine-tuned version of [Mistral-7B-Instruct-v0.1](https://huggingface.co/mistralai/Mistral-7B-Instruct-v0.1).

## Model Architecture
This instruction model is based on Mistral-7B-v0.1, a transformer model with the following architecture choices:
"""
# TheBloke/Yi-34B-GGUF: 01.AI's card between TheBloke's markers, its introduction linking the 6B sibling.
_YI_GGUF = """# Yi 34B - GGUF
- Original model: [Yi 34B](https://huggingface.co/01-ai/Yi-34B)

<!-- original-model-card start -->
# Original model card: 01-ai's Yi 34B

The **Yi** series models are large language models trained from scratch by
developers at [01.AI](https://01.ai/). The first public release contains two
bilingual(English/Chinese) base models with the parameter sizes of 6B([`Yi-6B`](https://huggingface.co/01-ai/Yi-6B))
and 34B([`Yi-34B`](https://huggingface.co/01-ai/Yi-34B)).

- 🎯 **2023/11/06**: The base model of [`Yi-6B-200K`](https://huggingface.co/01-ai/Yi-6B-200K) and [`Yi-34B-200K`](https://huggingface.co/01-ai/Yi-34B-200K) with 200K context length.
<!-- original-model-card end -->
"""


@pytest.mark.parametrize(
    ("front", "body", "base"),
    [
        (
            "base_model: mistralai/Mistral-7B-Instruct-v0.2\nlicense: apache-2.0\nquantized_by: TheBloke",
            _MISTRAL_AWQ,
            "mistralai/Mistral-7B-Instruct-v0.2",
        ),
        # Named only in TheBloke's "Original model:" line, not declared.
        ("license: apache-2.0\nquantized_by: TheBloke", _MISTRAL_AWQ, "mistralai/Mistral-7B-Instruct-v0.2"),
        (
            "base_model: 01-ai/Yi-34B\nlicense: other\nlicense_name: yi-license\nquantized_by: TheBloke",
            _YI_GGUF,
            "01-ai/Yi-34B",
        ),
    ],
)
def test_the_quoted_card_of_the_base_names_no_base_of_this_repository(cli, make_repo, front, body, base):
    report, _ = audit_json(cli, make_repo({"README.md": card(front, body)}), "--offline")
    assert [c["model"] for c in report["lineage"]] == [base]
    assert {f["upstream"] for f in report["findings"] if f.get("upstream")} <= {base}


def test_lineage_said_in_the_quoted_card_is_the_base_s_own(make_repo):
    snap = crawl(make_repo({"README.md": card("base_model: mistralai/Mistral-7B-Instruct-v0.2", _MISTRAL_AWQ)}))
    hits = prose_hits(snap, load_registry(), load_families())
    quoted = [h for h in hits if "in the quoted card of" in h.text]
    assert quoted and all(h.score == 0 for h in quoted)
    assert {h.model for h in quoted} == {"mistralai/Mistral-7B-Instruct-v0.2"}
    assert "the lineage of mistralai/Mistral-7B-Instruct-v0.2, not of this repository" in quoted[0].text


def test_without_a_quoted_card_the_same_sentence_still_names_a_base(make_repo):
    body = "This model is an improved instruct fine-tuned version of [Mistral-7B-Instruct-v0.1](https://huggingface.co/mistralai/Mistral-7B-Instruct-v0.1).\n"
    assert "mistralai/Mistral-7B-Instruct-v0.1" in prose_models(make_repo, body)


@pytest.mark.parametrize(
    "body",
    [
        # NousResearch/Nous-Capybara-34B, "Future model sizes".
        "Capybara V1.9 now currently has a 3B, 7B and 34B size, and we plan to eventually have a 13B and 70B version "
        "in the future, as well as a potential 1B version based on phi-1.5 or Tiny Llama.\n",
        "Next we will release a 70B version based on Llama 2 with more data.\n",
        "We would release a variant fine-tuned from [Qwen/Qwen2.5-7B](https://huggingface.co/Qwen/Qwen2.5-7B) if asked.\n",
        "Upcoming: a 3B model built on https://huggingface.co/Qwen/Qwen2.5-3B\n",
    ],
)
def test_a_plan_names_no_base(make_repo, body):
    assert prose_models(make_repo, body) == []


def test_the_sentence_after_a_plan_still_names_the_base(make_repo):
    # A plan, then Nous-Capybara-34B's line 18 in the next sentence.
    body = (
        "We plan to release a 70B version based on Llama 2 next year. The first 34B Nous model and first 200K "
        "context length Nous model! Trained on the Yi-34B model with 200K context length.\n"
    )
    assert prose_models(make_repo, body) == ["Yi 34B (family)"]


def test_a_future_word_after_the_base_leaves_it_named(make_repo):
    # The plan word must come before the phrase in its sentence: what follows may be about this model's future.
    body = "This model is fine-tuned from Llama 2 and will be updated with more data.\n"
    assert prose_models(make_repo, body) == ["Llama 2 (family)"]


@pytest.mark.parametrize(
    ("name", "family", "size"),
    [
        ("Sao10K/L3-8B-Stheno-v3.2", "llama3", "8B"),
        ("Sao10K/L3-70B-Euryale-v2.1", "llama3", "70B"),
        ("bartowski/L3-8B-Lunaris-v1-GGUF", "llama3", "8B"),
        ("Hermes-8B-L3", "llama3", None),
        ("Sao10K/L3.1-70B-Euryale-v2.2", "llama3.1", "70B"),
        ("Nexesenex/L3.2-3B-Costume", "llama3.2", "3B"),
        ("Doctor-Shotgun/L3.3-70B-Magnum-Diamond", "llama3.3", "70B"),
    ],
)
def test_l3_beside_a_llama_3_size_names_llama_3(name, family, size):
    found = load_families().match_name(name)
    assert found is not None and found.family.id == family and found.size == size


@pytest.mark.parametrize(
    "name",
    [
        "L3-cache-8B",
        "ResNet-L3",
        "l3-norm",
        "L3-Umbral-Mind-RP-v3.0",  # no size beside it: nothing says which L3
        "tier-L3-8bit",
        "xyzl3-8b",
        "L30-8B",
        "L3.5-8B",
        "L3.1-7B",
        "sentence-t5-l3",
    ],
)
def test_l3_elsewhere_names_no_family(name):
    found = load_families().match_name(name)
    assert found is None or not found.family.id.startswith("llama3")


def test_an_l3_model_owes_llama_3_duties(cli, make_repo):
    # Sao10K/L3-8B-Stheno-v3.2: a Llama 3 8B fine-tune under a license of its own, declaring no base.
    files = {"README.md": card("license: cc-by-nc-4.0\nmodel_name: L3-8B-Stheno-v3.2", "# Stheno v3.2\n")}
    report, _ = audit_json(cli, make_repo(files))
    assert "llama3" in {c["family"] for c in report["lineage"]}
    assert "upstream-license-missing" in rules_of(report, "warning")


# llmware/dragon-yi-6b-v0: a README alone, its front matter naming the base's name and license file.
_DRAGON_FRONT = (
    "license: other\nlicense_link: https://huggingface.co/01-ai/Yi-6B/blob/main/LICENSE\nlicense_name: yi-license\n"
    "model_creator: 01-ai\nmodel_name:  Yi 6B\nmodel_type:  yi"
)
_DRAGON_BODY = (
    "# Model Card for Model ID\n\n"
    'dragon-yi-6b-v0 part of the dRAGon ("Delivering RAG On ...") model series, RAG-instruct trained on top of a '
    "Yi-6B base model.\n"
)


def test_a_model_trained_on_top_of_its_base_is_no_copy_of_it(cli, make_repo):
    report, _ = audit_json(cli, make_repo({"README.md": card(_DRAGON_FRONT, _DRAGON_BODY)}), "--offline")
    yi = next(c for c in report["lineage"] if c["model"] == "01-ai/Yi-6B")
    assert not yi.get("copy") and yi["relation"] == "finetune"
    assert not any("recognised as" in e for e in yi["evidence"])
    assert "base-model-undeclared" in rules_of(report)


def test_a_copy_is_never_said_to_match_files_it_does_not_hold(cli, make_repo):
    # The same front matter over a card that says nothing of training: named like Yi-6B and linking its license.
    body = "# Model Card for Model ID\n\nOriginal model: [Yi-6B](https://huggingface.co/01-ai/Yi-6B)\n"
    report, _ = audit_json(cli, make_repo({"README.md": card(_DRAGON_FRONT, body)}), "--offline")
    said = [e for c in report["lineage"] for e in c["evidence"] if "recognised as" in e]
    assert said and not any("files match" in e for e in said)
    assert "license_link points at 01-ai/Yi-6B's license" in said[0]


# 01-ai/Yi-34B's card: its table of sizes (HTML cells) and its ecosystem table (projects built on Yi).
_YI34B_TABLES = """# What is Yi?

<tbody><tr>
<td>9B series models</td>
<td>It is the best at coding and math in the Yi series models.</td>
<td>Yi-9B is continuously trained based on Yi-6B, using 0.8T tokens.</td>
</tr>

| Deliverable | Date | Author |
| --- | --- | --- |
| [基于零一万物yi-34b-chat-200k输入任意文章地址，点击按钮即可生成无广告或推广内容的简要笔记](https://github.com/zjrwtx/open_summary) | 2024-04-24 | [正经人王同学](https://github.com/zjrwtx) |
"""
# deepseek-ai/DeepSeek-R1-Distill-Qwen-7B's license section (the DeepSeek-R1 card's), titled as the repository.
_R1_DISTILL_LICENSE = """# DeepSeek-R1-Distill-Qwen-7B

## 7. License
- DeepSeek-R1-Distill-Qwen-1.5B, DeepSeek-R1-Distill-Qwen-7B, DeepSeek-R1-Distill-Qwen-14B and DeepSeek-R1-Distill-Qwen-32B are derived from [Qwen-2.5 series](https://github.com/QwenLM/Qwen2.5), which are originally licensed under [Apache 2.0 License](https://huggingface.co/Qwen/Qwen2.5-1.5B/blob/main/LICENSE).
- DeepSeek-R1-Distill-Llama-8B is derived from Llama3.1-8B-Base and is originally licensed under [Llama3.1 license](https://huggingface.co/meta-llama/Llama-3.1-8B/blob/main/LICENSE).
"""


def test_a_table_row_about_other_models_names_no_base(make_repo):
    assert prose_models(make_repo, _YI34B_TABLES) == []


def test_a_sentence_about_a_sibling_is_the_siblings_lineage(make_repo):
    found = prose_models(make_repo, _R1_DISTILL_LICENSE, "license: mit")
    assert any("Qwen" in m for m in found), found
    assert not any("Llama" in m for m in found), found


@pytest.mark.parametrize(
    "body",
    [
        # A row naming the model itself is about it.
        "# Foo-7B\n\n| Foo-7B | fine-tuned from mistralai/Mistral-7B-v0.1 |\n",
        # The model's own name in a longer form is the model itself.
        "# Foo\n\nFoo-7B-v2 is fine-tuned from mistralai/Mistral-7B-v0.1.\n",
    ],
)
def test_a_row_or_sentence_about_the_model_itself_names_its_base(make_repo, body):
    assert prose_models(make_repo, body) == ["mistralai/Mistral-7B-v0.1"]


# ---- NVIDIA's Llama-Nemotron names and cards ------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "family"),
    [
        ("nvidia/Llama-3_1-Nemotron-51B-Instruct", "llama3.1"),
        ("nvidia/Llama-3_1-Nemotron-Ultra-253B-v1", "llama3.1"),
        ("nvidia/Llama-3_3-Nemotron-Super-49B-v1", "llama3.3"),
        ("Llama-3_2-1B-Instruct-onnx", "llama3.2"),
        ("llama3_8b_instruct", "llama3"),  # the size after an underscore is no version
    ],
)
def test_a_version_written_with_an_underscore_names_that_llama(name, family):
    found = load_families().match_name(name)
    assert found is not None and found.family.id == family


def test_a_derivative_of_a_model_is_its_base(make_repo):
    # nvidia/Llama-3.1-Nemotron-Nano-8B-v1's card.
    body = (
        "Llama-3.1-Nemotron-Nano-8B-v1 is a large language model (LLM) which is a derivative of "
        "[Meta Llama-3.1-8B-Instruct](https://huggingface.co/meta-llama/Llama-3.1-8B-Instruct) (AKA the reference "
        "model).\n"
    )
    assert "meta-llama/Llama-3.1-8B-Instruct" in prose_models(make_repo, body)


@pytest.mark.parametrize(
    "body",
    [
        # CohereForAI/c4ai-command-r-plus's card: the 4-bit repository is this model's quantization.
        "🚨 **This model is non-quantized version of C4AI Command R+. You can find the quantized version of C4AI "
        "Command R+ using bitsandbytes [here](https://huggingface.co/CohereForAI/c4ai-command-r-plus-4bit)**.\n",
        # NoCrypt/SomethingV2's card: a newer version of this model.
        "## Introducing SomethingV2.2, An updated version of this model, can be found "
        "[here](https://huggingface.co/NoCrypt/SomethingV2_2)\n",
    ],
)
def test_a_version_of_this_model_found_elsewhere_is_no_base(make_repo, body):
    assert prose_models(make_repo, body) == []


def test_the_original_model_found_elsewhere_is_still_the_base(make_repo):
    # cardiffnlp/twitter-roberta-base-sentiment-latest's card.
    body = (
        "The original Twitter-based RoBERTa model can be found "
        "[here](https://huggingface.co/cardiffnlp/twitter-roberta-base-2021-124m) and the original reference paper "
        "is [TweetEval](https://github.com/cardiffnlp/tweeteval).\n"
    )
    assert "cardiffnlp/twitter-roberta-base-2021-124m" in prose_models(make_repo, body)


# unsloth's GGUF cards of DeepSeek's distills: unsloth's header, then DeepSeek-R1's card under its own title.
_UNSLOTH_R1 = """# Finetune your own Reasoning model like R1 with Unsloth!

We have a free Google Colab notebook for turning Llama 3.1 (8B) into a reasoning model.

# DeepSeek-R1

## 1. Introduction

DeepSeek-R1-Zero & DeepSeek-R1 are trained based on DeepSeek-V3-Base.
We open-source distilled 1.5B, 7B, 8B, 14B, 32B, and 70B checkpoints based on Qwen2.5 and Llama3 series to the community.
"""


def test_the_base_s_card_under_its_own_title_names_no_base_of_this_repository(cli, make_repo):
    front = "base_model: deepseek-ai/DeepSeek-R1-Distill-Llama-8B\nlicense: llama3.1\nlibrary_name: transformers"
    report, _ = audit_json(cli, make_repo({"README.md": card(front, _UNSLOTH_R1)}), "--offline")
    assert [c["model"] for c in report["lineage"]] == ["deepseek-ai/DeepSeek-R1-Distill-Llama-8B"]


def test_a_license_of_the_declared_base_s_publisher_mislabels_it_rather_than_naming_a_parent(cli, make_repo):
    # RedHatAI/Llama-4-Scout-17B-16E-Instruct-NVFP4's card says `license: llama3.1`.
    front = "license: llama3.1\nbase_model: meta-llama/Llama-4-Scout-17B-16E-Instruct"
    report, _ = audit_json(cli, make_repo({"README.md": card(front, "# Llama-4-Scout-17B-16E-Instruct-NVFP4\n")}))
    assert [c["model"] for c in report["lineage"]] == ["meta-llama/Llama-4-Scout-17B-16E-Instruct"]
    assert "license-incompatible" in rules_of(report, "error")
