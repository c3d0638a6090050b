"""The card's sentences that say which model this one is made from: the verb with the model as its object, a
fine-tune, LoRA or ControlNet "of"/"for" a model, conversions to other formats, pruned and depth up-scaled
models, and the sentences that name a model without making it a base (another model's description, a data
set). Each sentence is taken from the real card named in its comment."""

from __future__ import annotations

import pytest
from conftest import card

from license_audit.crawl import crawl
from license_audit.lineage.declarations import prose_hits
from license_audit.lineage.families import load_families
from license_audit.lineage.hits import Hit
from license_audit.registry import load_registry


def hits_of(make_repo, body: str, front: str = "license: apache-2.0", files: dict | None = None) -> list[Hit]:
    snap = crawl(make_repo({"README.md": card(front, body), **(files or {})}))
    return [h for h in prose_hits(snap, load_registry(), load_families()) if h.score > 0]


def read(make_repo, body: str, front: str = "license: apache-2.0") -> list[tuple[str, float, str | None]]:
    return [(h.model, h.score, h.relation) for h in hits_of(make_repo, body, front)]


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
