"""The card's sentences that say which model this one is made from: the verb with the model as its object, a
fine-tune, LoRA or ControlNet "of"/"for" a model, conversions to other formats, pruned and depth up-scaled
models, and the sentences that name a model without making it a base (another model's description, a data
set). Each sentence is taken from the real card named in its comment."""

from __future__ import annotations

import json

import pytest
from conftest import audit_json, card

from license_audit.crawl import crawl
from license_audit.lineage import find_lineage
from license_audit.lineage.declarations import prose_hits
from license_audit.lineage.families import load_families
from license_audit.lineage.hits import Hit
from license_audit.lineage.openworld import lineage_context
from license_audit.registry import load_registry


def hits_of(make_repo, body: str, front: str = "license: apache-2.0", files: dict | None = None) -> list[Hit]:
    snap = crawl(make_repo({"README.md": card(front, body), **(files or {})}))
    return [h for h in prose_hits(snap, load_registry(), load_families()) if h.score > 0]


def read(make_repo, body: str, front: str = "license: apache-2.0") -> list[tuple[str, float, str | None]]:
    return [(h.model, h.score, h.relation) for h in hits_of(make_repo, body, front)]


XLSR = "facebook/wav2vec2-large-xlsr-53"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # jonatasgrosman/wav2vec2-large-xlsr-53-japanese (the template of his 20 XLSR fine-tunes)
        (
            f"# Fine-tuned XLSR-53 large model for speech recognition in Japanese\n\nFine-tuned [{XLSR}]"
            f"(https://huggingface.co/{XLSR}) on Japanese using the train and validation splits of [Common Voice 6.1]"
            "(https://huggingface.co/datasets/common_voice), [CSS10](https://github.com/Kyubyong/css10) and [JSUT]"
            "(https://sites.google.com/site/shinnosuketakamichi/publication/jsut).\n",
            (XLSR, 0.85, None),
        ),
        # princeton-nlp/gemma-2-9b-it-SimPO: the data set after "on" is no base
        (
            "We fine-tuned [google/gemma-2-9b-it](https://huggingface.co/google/gemma-2-9b-it) on "
            "[princeton-nlp/gemma2-ultrafeedback-armorm](https://huggingface.co/datasets/princeton-nlp/gemma2-"
            "ultrafeedback-armorm) with the SimPO objective.\n",
            ("google/gemma-2-9b-it", 0.85, None),
        ),
        # KBLab/wav2vec2-large-xlsr-53-swedish: a link is the object, whatever follows it
        (
            f"Fine-tuned [{XLSR}](https://huggingface.co/{XLSR}) in Swedish using the [NST Swedish Dictation]"
            "(https://www.nb.no/sprakbanken/en/resource-catalogue/oai-nb-no-sbr-17/).\n",
            (XLSR, 0.85, None),
        ),
        # georgesung/llama2_7b_chat_uncensored: a re-upload of Llama 2 7B
        (
            "Fine-tuned [Llama-2 7B](https://huggingface.co/TheBloke/Llama-2-7B-fp16) with an uncensored/unfiltered "
            "Wizard-Vicuna conversation dataset (originally from [ehartford/wizard_vicuna_70k_unfiltered]"
            "(https://huggingface.co/datasets/ehartford/wizard_vicuna_70k_unfiltered)).\n",
            ("meta-llama/Llama-2-7b", 0.85, None),
        ),
        # A Whisper fine-tune's card, as the exploration of speech repositories quotes it
        ("We finetuned openai/whisper-small on Hindi.\n", ("openai/whisper-small", 0.85, None)),
        # An XTTS-v2 fine-tune's card, as the exploration of speech repositories quotes it: no checkpoint named
        ("Finetuned XTTS v2 on Egyptian Arabic.\n", ("XTTS (family)", 0.7, None)),
    ],
)
def test_the_verb_with_the_model_as_its_object_names_the_base(make_repo, body, expected):
    assert read(make_repo, body) == [expected]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # ostris/OpenFLUX.1
        (
            "This is a fine tune of the [FLUX.1-schnell](https://huggingface.co/black-forest-labs/FLUX.1-schnell) "
            "model that has had the distillation trained out of it.\n",
            "black-forest-labs/FLUX.1-schnell",
        ),
        # TheDrummer/Moistral-11B-v3
        (
            "(Moistral is a finetune of Sao's legendary [Fimbulvert v2](https://huggingface.co/Sao10K/Fimbulvetr-11B-v2)"
            " model)\n",
            "Sao10K/Fimbulvetr-11B-v2",
        ),
    ],
)
def test_a_fine_tune_of_names_the_base(make_repo, body, expected):
    [hit] = hits_of(make_repo, body)
    assert (hit.model, hit.score, hit.relation, hit.trained) == (expected, 0.85, None, True)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # XLabs-AI/flux-lora-collection
        (
            "This repository provides a checkpoint with trained LoRAs for\n[FLUX.1-dev model]"
            "(https://huggingface.co/black-forest-labs/FLUX.1-dev) by Black Forest Labs\n",
            ("black-forest-labs/FLUX.1-dev", 0.85, "adapter"),
        ),
        # minimaxir/sdxl-wrong-lora: a family, no checkpoint named
        (
            "A LoRA for SDXL 1.0 Base which improves output image quality after loading it and using `wrong` as a "
            "negative prompt during inference.\n",
            ("Stable Diffusion 2.x / XL (family)", 0.7, "adapter"),
        ),
    ],
)
def test_a_lora_for_a_model_is_its_adapter(make_repo, body, expected):
    assert read(make_repo, body) == [expected]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # Shakker-Labs/FLUX.1-dev-ControlNet-Union-Pro
        (
            "This repository contains a unified ControlNet for FLUX.1-dev model jointly released by researchers from "
            "[InstantX Team](https://huggingface.co/InstantX) and [Shakker Labs](https://huggingface.co/Shakker-Labs).\n",
            ("black-forest-labs/FLUX.1-dev", 0.85),
        ),
        # thibaud/controlnet-sd21
        (
            "Here's the first version of controlnet for stablediffusion 2.1\n",
            ("Stable Diffusion 2.x / XL (family)", 0.7),
        ),
    ],
)
def test_a_controlnet_for_a_model_is_trained_from_it(make_repo, body, expected):
    # A ControlNet is weights of its own, initialized from the model's: not an adapter, the files say the relation.
    [hit] = hits_of(make_repo, body)
    assert (hit.model, hit.score, hit.relation, hit.trained) == (*expected, None, True)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # cambridgeltl/SapBERT-from-PubMedBERT-fulltext
        (
            "SapBERT by [Liu et al. (2020)](https://arxiv.org/pdf/2010.11784.pdf). Trained with [UMLS](https://www.nlm."
            "nih.gov/research/umls/licensedcontent/umlsknowledgesources.html) 2020AA (English only), using [microsoft/"
            "BiomedNLP-PubMedBERT-base-uncased-abstract-fulltext](https://huggingface.co/microsoft/BiomedNLP-PubMedBERT"
            "-base-uncased-abstract-fulltext) as the base model.\n",
            ("microsoft/BiomedNLP-PubMedBERT-base-uncased-abstract-fulltext", 0.85, None),
        ),
        # An SDXL ControlNet's card, as the exploration of diffusion repositories quotes it
        (
            "Trained with [stabilityai/stable-diffusion-xl-base-1.0](https://huggingface.co/stabilityai/stable-"
            "diffusion-xl-base-1.0) as the base.\n",
            ("stabilityai/stable-diffusion-xl-base-1.0", 0.85, None),
        ),
        # ml6team/keyphrase-extraction-kbir-inspec
        (
            "This model uses [KBIR](https://huggingface.co/bloomberg/KBIR) as its base model and fine-tunes it on the "
            "[Inspec dataset](https://huggingface.co/datasets/midas/inspec).\n",
            ("bloomberg/KBIR", 0.85, None),
        ),
    ],
)
def test_a_model_used_as_the_base_is_the_base(make_repo, body, expected):
    assert read(make_repo, body) == [expected]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # Systran/faster-whisper-large-v3 (and the 10 other faster-whisper cards)
        (
            "This repository contains the conversion of [openai/whisper-large-v3](https://huggingface.co/openai/"
            "whisper-large-v3) to the [CTranslate2](https://github.com/OpenNMT/CTranslate2) model format.\n",
            "openai/whisper-large-v3",
        ),
        # immich-app/ViT-B-32__openai
        (
            "This repo contains ONNX exports for the CLIP model [openai/clip-vit-base-patch32](https://huggingface.co/"
            "openai/clip-vit-base-patch32).\n",
            "openai/clip-vit-base-patch32",
        ),
        # coreml-projects/Llama-2-7b-chat-coreml
        (
            "This is a Core ML version of [`meta-llama/Llama-2-7b-chat-hf`](https://huggingface.co/meta-llama/"
            "Llama-2-7b-chat-hf).\n",
            "meta-llama/Llama-2-7b-chat-hf",
        ),
        # Kijai/flux-fp8: the weights re-saved in fp8, the model's address on the lines after
        (
            "`float8_e4m3fn` and `float8_e5m2` weights of:\n\nhttps://huggingface.co/black-forest-labs/FLUX.1-dev\n",
            "black-forest-labs/FLUX.1-dev",
        ),
    ],
)
def test_a_conversion_to_another_format_is_a_quantization_of_the_model(make_repo, body, expected):
    assert read(make_repo, body) == [(expected, 0.85, "quantized")]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # nvidia/Llama-3.1-Minitron-4B-Width-Base
        (
            "It is obtained by pruning Llama-3.1-8B; specifically, we prune model embedding size and MLP intermediate "
            "dimension.\n",
            ("meta-llama/Llama-3.1-8B", 0.85),
        ),
        # nvidia/Mistral-NeMo-Minitron-8B-Base
        (
            "It is a large language model (LLM) obtained by pruning and distilling the Mistral-NeMo 12B; specifically, "
            "we prune the embedding dimension and MLP intermediate dimension.\n",
            ("Mistral NeMo 12B (family)", 0.7),
        ),
        # chargoddard/llama3-42b-v0
        (
            "> This model is pruned from the base Llama 3 70B, which has no instruction tuning and randomly initialized "
            "special tokens.\n",
            ("Meta Llama 3 70B (family)", 0.7),
        ),
        # upstage/SOLAR-10.7B-v1.0: no checkpoint named, the family is
        (
            "We present a methodology for scaling LLMs called depth up-scaling (DUS) , which encompasses "
            "architectural modifications and continued pretraining. In other words, we integrated Mistral 7B weights "
            "into the upscaled layers, and finally, continued pre-training for the entire model.\n",
            ("Mistral 7B (family)", 0.7),
        ),
        # The verb of a depth up-scaled model's card (no card of the corpus writes it with a name)
        ("The model is depth up-scaled from Mistral 7B.\n", ("Mistral 7B (family)", 0.7)),
    ],
)
def test_a_pruned_or_up_scaled_model_comes_from_the_model_named(make_repo, body, expected):
    [hit] = hits_of(make_repo, body)
    assert (hit.model, hit.score, hit.relation, hit.trained) == (*expected, None, True)


# upstage/SOLAR-10.7B-v1.0's configuration: Mistral 7B's dimensions in a Llama configuration with 48 layers.
SOLAR_CONFIG = {
    "architectures": ["LlamaForCausalLM"],
    "model_type": "llama",
    "hidden_size": 4096,
    "intermediate_size": 14336,
    "num_attention_heads": 32,
    "num_hidden_layers": 48,
    "num_key_value_heads": 8,
    "vocab_size": 32000,
    "max_position_embeddings": 4096,
    "rms_norm_eps": 1e-05,
    "rope_theta": 10000.0,
}


def test_an_up_scaled_model_s_own_configuration_does_not_make_the_sentence_another_s(make_repo):
    body = "In other words, we integrated Mistral 7B weights into the upscaled layers.\n"
    files = {"README.md": card("license: apache-2.0", body), "config.json": json.dumps(SOLAR_CONFIG)}
    snap = crawl(make_repo(files))
    registry = load_registry()
    [top] = find_lineage(snap, registry, context=lineage_context(registry, offline=True))
    assert (top.model, round(top.confidence, 2)) == ("Mistral 7B (family)", 0.7)
    assert any("the card says so of this model" in e for e in top.evidence)


# --- sentences that name a model without making it a base ------------------------------------------------------

# The jonatasgrosman sentence, read beside each one.
XLSR_SENTENCE = f"Fine-tuned [{XLSR}](https://huggingface.co/{XLSR}) on Japanese using Common Voice.\n"


@pytest.mark.parametrize(
    "other",
    [
        # A research paper's fine-tune, quoted in a notes file (the sentence's subject is not the model)
        "A 2025 research paper fine-tuned Whisper Small on Amharic using Mozilla Common Voice, FLEURS, and the "
        "BDU-speech dataset.\n",
        # mosaicml/mpt-7b: the fine-tune of a sibling, in parentheses
        "* **Prepared to handle extremely long inputs** thanks to [ALiBi](https://arxiv.org/abs/2108.12409) (we "
        "finetuned [MPT-7B-StoryWriter-65k+](https://huggingface.co/mosaicml/mpt-7b-storywriter) on up to 65k inputs "
        "and can handle up to 84k vs. 2k-4k for other open source models).\n",
        # playgroundai/playground-v2.5-1024px-aesthetic: what another model is
        "We compared Playground v2.5 against two commonly-used baseline models: SDXL and RealStock v2, a community "
        "fine-tune of SDXL that was trained on a realistic people dataset.\n",
        # A negation and a plan
        "This is not a fine tune of [FLUX.1-schnell](https://huggingface.co/black-forest-labs/FLUX.1-schnell).\n",
        "We will release a LoRA for [black-forest-labs/FLUX.1-dev](https://huggingface.co/black-forest-labs/FLUX.1-dev)"
        " soon.\n",
        # A table row listing other models
        "| [Acme-LoRA](https://huggingface.co/acme/Acme-LoRA) | LoRA for [black-forest-labs/FLUX.1-dev](https://"
        "huggingface.co/black-forest-labs/FLUX.1-dev) |\n",
        # LoRA for no model; ControlNet for a task
        "Was LoRA for the text encoder enabled? False.\n",
        "This is [Flux.1-dev](https://huggingface.co/black-forest-labs/FLUX.1-dev) ControlNet for Depth map developed "
        "by Jasper research team.\n",
    ],
)
def test_sentences_about_other_models_name_no_base(make_repo, other):
    body = "# Playground v2.5 - 1024px Aesthetic Model\n\n" + XLSR_SENTENCE + "\n" + other
    assert [h.model for h in hits_of(make_repo, body)] == [XLSR]


def test_a_model_merge_s_base_is_read_once(make_repo):
    # sophosympatheia/Midnight-Miqu-70B-v1.5: the merge statement names the merge's base (card_merge_hits), the
    # "using X as a base" in it is that statement, not another.
    body = (
        "This model was merged using the [DARE](https://arxiv.org/abs/2311.03099) [TIES](https://arxiv.org/abs/2306."
        "01708) merge method using [152334H_miqu-1-70b-sf](https://huggingface.co/152334H/miqu-1-70b-sf) as a base.\n"
    )
    assert hits_of(make_repo, XLSR_SENTENCE + body) == hits_of(make_repo, XLSR_SENTENCE)
    assert [h.model for h in hits_of(make_repo, XLSR_SENTENCE)] == [XLSR]


def test_a_verb_naming_nothing_leaves_the_phrase_after_it_to_be_read(make_repo):
    # royokong/e5-v: "fine-tuned based" names nothing, "based on X" does.
    body = "E5-V is fine-tuned based on lmms-lab/llama3-llava-next-8b.\n\n" + XLSR_SENTENCE
    assert [h.model for h in hits_of(make_repo, body)] == ["lmms-lab/llama3-llava-next-8b", XLSR]


@pytest.mark.parametrize(
    ("front", "body"),
    [
        # sanchit-gandhi/whisper-medium-fleurs-lang-id: the word "dataset", and `datasets: xtreme_s` (no owner)
        (
            "datasets:\n- xtreme_s\nlicense: apache-2.0",
            "This model is a fine-tuned version of [openai/whisper-medium](https://huggingface.co/openai/whisper-medium)"
            " on the [FLEURS subset](https://huggingface.co/datasets/google/xtreme_s#language-identification---fleurs-"
            "langid) of the [google/xtreme_s](https://huggingface.co/google/xtreme_s) dataset.\n",
        ),
        # The same reduced to the front matter: `xtreme_s` is google/xtreme_s by its name
        (
            "datasets:\n- xtreme_s\nlicense: apache-2.0",
            "This model is a fine-tuned version of [openai/whisper-medium](https://huggingface.co/openai/whisper-medium)"
            " on [google/xtreme_s](https://huggingface.co/google/xtreme_s) (FLEURS).\n",
        ),
        # The same, without the front matter: the word after the link says it
        (
            "license: apache-2.0",
            "This model is a fine-tuned version of [openai/whisper-medium](https://huggingface.co/openai/whisper-medium)"
            " on the [google/xtreme_s](https://huggingface.co/google/xtreme_s) dataset.\n",
        ),
        # nomic-ai/gpt4all-13b-snoozy: the id the card's `datasets:` lists
        (
            "datasets:\n- nomic-ai/gpt4all-j-prompt-generations\nlicense: gpl",
            "This model is a fine-tuned version of [openai/whisper-medium](https://huggingface.co/openai/whisper-medium)"
            ".\n\nThis model was trained on `nomic-ai/gpt4all-j-prompt-generations` using `revision=v1.3-groovy`\n",
        ),
        # climatebert/distilroberta-base-climate-detector
        (
            "datasets:\n- climatebert/climate_detection\nlicense: apache-2.0",
            "This model is a fine-tuned version of [openai/whisper-medium](https://huggingface.co/openai/whisper-medium)"
            ".\n\nThe model is fine-tuned on our [climatebert/climate_detection](https://huggingface.co/climatebert/"
            "climate_detection) dataset.\n",
        ),
    ],
)
def test_a_data_set_written_as_a_model_address_is_no_base(make_repo, front, body):
    assert [h.model for h in hits_of(make_repo, body, front)] == ["openai/whisper-medium"]


def test_a_chinese_sentence_names_the_checkpoint_the_text_runs_on_from(make_repo):
    # stvlynn/Qwen-7B-Chat-Cantonese: the registered checkpoint, not the Qwen (1) 7B family.
    hits = hits_of(make_repo, "# Qwen-7B-Chat-Cantonese\n基於Qwen-7B-Chat嘅微調版本，基於大量粵語數據進行訓練。\n")
    assert [(h.model, h.score, h.family) for h in hits] == [("Qwen/Qwen-7B-Chat", 0.85, None)]


def test_a_lora_for_a_linked_model_makes_the_repository_its_adapter(cli, make_repo):
    # XLabs-AI/flux-lora-collection's card, the repository's weights left out: the card says what they are.
    body = (
        "This repository provides a checkpoint with trained LoRAs for\n[FLUX.1-dev model]"
        "(https://huggingface.co/black-forest-labs/FLUX.1-dev) by Black Forest Labs\n"
    )
    report, _ = audit_json(cli, make_repo({"README.md": card("license: other", body)}), "--offline")
    [cand] = [c for c in report["lineage"] if c["model"] == "black-forest-labs/FLUX.1-dev"]
    assert cand["relation"] == "adapter"
