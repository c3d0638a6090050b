"""Encoder-decoder and speech configs (T5, M2M100/NLLB, Whisper) spell their sizes their own way (d_model, d_ff,
num_heads, encoder_layers, decoder_layers, num_mel_bins): the signature reads them as transformers does, so a
fine-tune's config is matched to its base, and sizes that differ only in the decoder or the mel filterbank are
told apart. The configs below repeat the hyper-parameters of the published configs (the noise keys a
fine-tune's save adds or drops differ)."""

from __future__ import annotations

import copy
import json

import pytest

from license_audit.crawl import crawl
from license_audit.lineage import find_lineage
from license_audit.lineage.evidence import _INDEX_FIELDS
from license_audit.lineage.signature import SHAPE_FIELDS, canonical, normalized, signature_of
from license_audit.registry import Registry, load_registry, model_from_dict

WHISPER_TURBO = {
    "activation_function": "gelu",
    "architectures": ["WhisperForConditionalGeneration"],
    "begin_suppress_tokens": [220, 50256],
    "bos_token_id": 50257,
    "d_model": 1280,
    "decoder_attention_heads": 20,
    "decoder_ffn_dim": 5120,
    "decoder_layers": 4,
    "decoder_start_token_id": 50258,
    "encoder_attention_heads": 20,
    "encoder_ffn_dim": 5120,
    "encoder_layers": 32,
    "eos_token_id": 50257,
    "is_encoder_decoder": True,
    "max_source_positions": 1500,
    "max_target_positions": 448,
    "model_type": "whisper",
    "num_hidden_layers": 32,
    "num_mel_bins": 128,
    "pad_token_id": 50257,
    "scale_embedding": False,
    "torch_dtype": "float16",
    "vocab_size": 51866,
}
NLLB_600M = {
    "activation_function": "relu",
    "architectures": ["M2M100ForConditionalGeneration"],
    "bos_token_id": 0,
    "d_model": 1024,
    "decoder_attention_heads": 16,
    "decoder_ffn_dim": 4096,
    "decoder_layers": 12,
    "decoder_start_token_id": 2,
    "encoder_attention_heads": 16,
    "encoder_ffn_dim": 4096,
    "encoder_layers": 12,
    "eos_token_id": 2,
    "is_encoder_decoder": True,
    "max_position_embeddings": 1024,
    "model_type": "m2m_100",
    "num_hidden_layers": 12,
    "pad_token_id": 1,
    "scale_embedding": True,
    "vocab_size": 256206,
    "tokenizer_class": "NllbTokenizer",
}
FLAN_T5_LARGE = {
    "architectures": ["T5ForConditionalGeneration"],
    "d_ff": 2816,
    "d_kv": 64,
    "d_model": 1024,
    "decoder_start_token_id": 0,
    "eos_token_id": 1,
    "feed_forward_proj": "gated-gelu",
    "is_encoder_decoder": True,
    "layer_norm_epsilon": 1e-06,
    "model_type": "t5",
    "n_positions": 512,
    "num_decoder_layers": 24,
    "num_heads": 16,
    "num_layers": 24,
    "pad_token_id": 0,
    "relative_attention_max_distance": 128,
    "relative_attention_num_buckets": 32,
    "tie_word_embeddings": False,
    "vocab_size": 32128,
}


def _variant(cfg: dict, **changes) -> dict:
    out = copy.deepcopy(cfg)
    out.update(changes)
    return out


# Whisper large-v3 is turbo's encoder with the full 32-layer decoder; large-v2 has 80 mel bins and one token less.
WHISPER_V3 = _variant(WHISPER_TURBO, decoder_layers=32)
WHISPER_V2 = _variant(WHISPER_TURBO, decoder_layers=32, num_mel_bins=80, vocab_size=51865)
# T5 1.0 large: the same depth and width with a plain ReLU feed-forward of 4096.
T5_LARGE = {k: v for k, v in FLAN_T5_LARGE.items() if k not in ("num_decoder_layers", "tie_word_embeddings")}
T5_LARGE.update(d_ff=4096, feed_forward_proj="relu")

BASES = {
    "acme/whisper-large-v3-turbo": WHISPER_TURBO,
    "acme/whisper-large-v3": WHISPER_V3,
    "acme/whisper-large-v2": WHISPER_V2,
    "acme/nllb-600M": NLLB_600M,
    "acme/flan-t5-large": FLAN_T5_LARGE,
    "acme/t5-large": T5_LARGE,
}


def _registry() -> Registry:
    return Registry(
        [
            model_from_dict({"id": rid, "family": rid.split("/")[1], "license": "mit", "signature": signature_of(cfg)})
            for rid, cfg in BASES.items()
        ]
    )


def _top(tmp_path, cfg: dict, registry: Registry):
    d = tmp_path / "repo"
    d.mkdir(exist_ok=True)
    (d / "config.json").write_text(json.dumps(cfg), encoding="utf-8")
    cands = find_lineage(crawl(d), registry)
    return cands[0] if cands else None


def test_sizes_are_read_under_their_transformers_names():
    for cfg in BASES.values():
        sig = signature_of(cfg)
        assert {"hidden_size", "num_hidden_layers", "intermediate_size", "num_attention_heads"} <= set(sig), sig
        for alias in ("d_model", "d_ff", "num_heads", "d_kv", "encoder_layers", "encoder_ffn_dim", "num_layers"):
            assert alias not in sig
    t5 = signature_of(FLAN_T5_LARGE)
    assert (t5["hidden_size"], t5["intermediate_size"]) == (1024, 2816)
    assert (t5["num_attention_heads"], t5["head_dim"]) == (16, 64)
    assert (t5["num_hidden_layers"], t5["decoder_layers"]) == (24, 24)
    whisper = signature_of(WHISPER_TURBO)
    assert (whisper["hidden_size"], whisper["num_hidden_layers"], whisper["decoder_layers"]) == (1280, 32, 4)
    assert whisper["num_mel_bins"] == 128 and whisper["intermediate_size"] == 5120
    # the shape index finds them: width, depth and feed-forward size are all there
    assert all(k in normalized(NLLB_600M) for k in _INDEX_FIELDS)


def test_a_written_transformers_name_wins_over_its_alias():
    # BART-style configs write num_hidden_layers beside encoder_layers; the written name is kept
    assert canonical({"encoder_layers": 12, "num_hidden_layers": 6})["num_hidden_layers"] == 6
    assert {"decoder_layers", "decoder_ffn_dim", "decoder_attention_heads", "num_mel_bins"} <= SHAPE_FIELDS


@pytest.mark.parametrize(
    "base,finetune",
    [
        # a Whisper fine-tune as Seq2SeqTrainer saves it: generation settings moved out, cache off, float32
        (
            "acme/whisper-large-v3-turbo",
            _variant(
                WHISPER_TURBO,
                _name_or_path="openai/whisper-large-v3-turbo",
                begin_suppress_tokens=None,
                forced_decoder_ids=None,
                use_cache=False,
                torch_dtype="float32",
                transformers_version="4.46.3",
                apply_spec_augment=True,
            ),
        ),
        ("acme/whisper-large-v3", _variant(WHISPER_V3, use_cache=False, transformers_version="4.40.0")),
        ("acme/whisper-large-v2", _variant(WHISPER_V2, forced_decoder_ids=None, transformers_version="4.36.0")),
        # an NLLB fine-tune for one language pair: the tokenizer hint and generation length dropped
        (
            "acme/nllb-600M",
            {
                **{k: v for k, v in NLLB_600M.items() if k != "tokenizer_class"},
                "_name_or_path": "facebook/nllb-200-distilled-600M",
                "dropout": 0.1,
                "transformers_version": "4.44.2",
            },
        ),
        # a Flan-T5 fine-tune saved without the decoder depth (older transformers) and with the task prompts
        (
            "acme/flan-t5-large",
            {
                **{k: v for k, v in FLAN_T5_LARGE.items() if k != "num_decoder_layers"},
                "task_specific_params": {"summarization": {"prefix": "summarize: "}},
                "transformers_version": "4.27.0",
            },
        ),
    ],
)
def test_a_finetune_config_is_matched_to_its_base(tmp_path, base, finetune):
    top = _top(tmp_path, finetune, _registry())
    assert top is not None and top.model == base and not top.alternatives, top
    assert top.confidence >= 0.8, top


def test_a_size_that_differs_in_the_decoder_or_the_filterbank_is_not_its_sibling(tmp_path):
    reg = _registry()
    # each Whisper large is its own candidate: turbo's 4-layer decoder, v2's 80 mel bins
    assert _top(tmp_path, WHISPER_V3, reg).model == "acme/whisper-large-v3"
    assert _top(tmp_path, WHISPER_V2, reg).model == "acme/whisper-large-v2"
    # T5 1.0 and Flan-T5 share depth and width; the feed-forward kind and size tell them apart
    top = _top(tmp_path, T5_LARGE, reg)
    assert top.model == "acme/t5-large" and not top.alternatives
    # a decoder pruned to another depth keeps the encoder of every Whisper large-v3: at most "possibly derived"
    pruned = _top(tmp_path, _variant(WHISPER_TURBO, decoder_layers=2), reg)
    assert pruned.model in ("acme/whisper-large-v3-turbo", "acme/whisper-large-v3") and pruned.confidence < 0.8


# --- the shipped registry ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "base,finetune",
    [
        (
            "openai/whisper-large-v3-turbo",
            _variant(WHISPER_TURBO, _name_or_path="openai/whisper-large-v3-turbo", use_cache=False, dropout=0.1),
        ),
        (
            "facebook/nllb-200-distilled-600M",
            {**NLLB_600M, "_name_or_path": "facebook/nllb-200-distilled-600M", "transformers_version": "4.44.2"},
        ),
        (
            "google/flan-t5-large",
            {
                **{k: v for k, v in FLAN_T5_LARGE.items() if k != "num_decoder_layers"},
                "_name_or_path": "google/flan-t5-large",
                "transformers_version": "4.27.0",
            },
        ),
    ],
)
def test_a_finetune_is_matched_to_the_shipped_base(tmp_path, base, finetune):
    reg = load_registry()
    top = _top(tmp_path, finetune, reg)
    assert top is not None and top.model == base, top
    assert top.confidence >= 0.8, top
    # the base's license comes with it: Whisper's MIT (openai/whisper), NLLB's CC-BY-NC-4.0, Flan-T5's Apache-2.0
    assert (
        reg.get(base).license
        == {"openai": "mit", "facebook": "cc-by-nc-4.0", "google": "apache-2.0"}[base.split("/")[0]]
    )


def test_the_shipped_whisper_sizes_are_told_apart(tmp_path):
    reg = load_registry()
    # large-v3's full decoder is not turbo's, and the other way round
    full = _variant(WHISPER_TURBO, decoder_layers=32)
    assert _top(tmp_path, full, reg).model == "openai/whisper-large-v3"
    assert _top(tmp_path, WHISPER_TURBO, reg).model == "openai/whisper-large-v3-turbo"
    small = reg.get("openai/whisper-small").signature
    fields = ("hidden_size", "num_hidden_layers", "decoder_layers", "num_mel_bins")
    assert [small[k] for k in fields] == [768, 12, 12, 80]


def test_bloom_width_is_read_from_n_embed():
    """BLOOM configs write the width as n_embed (BloomConfig takes it for hidden_size): without it two BLOOM
    sizes of equal depth and heads would look alike."""
    bloom = {"architectures": ["BloomForCausalLM"], "model_type": "bloom", "n_embed": 2560, "n_layer": 30}
    bloom["num_attention_heads"] = 32
    sig = signature_of(bloom)
    assert sig["hidden_size"] == 2560 and "n_embed" not in sig
    shipped = load_registry().get("bigscience/bloomz-3b")
    assert shipped is not None and shipped.signature.get("hidden_size") == 2560
