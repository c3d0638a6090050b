"""Which member of a set of registered models sharing a config or a vocabulary the evidence names, and how sure it
is. The repository's shape (config.json, GGUF architecture values, safetensors headers), its rope settings and
its chat/special-token markers tell members apart; release order and a field one member records and another
leaves unset do not. Each case is a fragment of a real re-publication (a GGUF-only re-upload of Llama 3 8B,
Chinese-LLaMA-2, a "Llamafied" Qwen2.5-7B, DeepSeek-R1-Distill-Qwen-32B, Falcon-180B-chat, Llama-3.1-Minitron-4B,
Llama-3.2-3B shards, MiMo-7B, Steel-LLM), with small synthetic vocabularies standing in for the real ones.
"""

from __future__ import annotations

import json
import struct
from pathlib import Path

import pytest
import yaml
from conftest import card, config_of

from license_audit.registry import load_registry
from license_audit.tokenizer import vocabulary_fingerprint


def synthetic(prefix: str, n: int) -> list[str]:
    return ["<unk>", "<s>", "</s>"] + [f"▁{prefix}{i}" for i in range(n - 3)]


def tokenizer_json(tokens: list[str]) -> dict:
    return {"version": "1.0", "model": {"type": "BPE", "vocab": {t: i for i, t in enumerate(tokens)}, "merges": []}}


def sharing(tmp_path: Path, tokens: list[str], entries: dict[str, tuple[str, dict]]) -> list[str]:
    """--rules arguments for registry entries copied from real ones (`new id -> (real id, signature changes)`),
    all with the vocabulary `tokens`."""
    reg = load_registry()
    models = tmp_path / "rules" / "models"
    models.mkdir(parents=True, exist_ok=True)
    for new, (src, changes) in entries.items():
        raw = dict(reg.get(src).raw)
        raw.update(id=new, aliases=[], tokenizer=vocabulary_fingerprint(tokens))
        raw["signature"] = {**raw["signature"], **changes}
        raw.pop("source", None)
        (models / f"{new.split('/')[1]}.yaml").write_text(yaml.safe_dump(raw), encoding="utf-8")
    return ["--rules", str(tmp_path / "rules")]


def lineage(cli, path, *extra) -> list[dict]:
    res = cli("lineage", path, "--format", "json", *extra)
    assert res.exit_code == 0, res.output
    return json.loads(res.output)["candidates"]


def by_model(cands: list[dict]) -> dict[str, dict]:
    return {c["model"]: c for c in cands}


def own_card(title: str = "Acme-LM", license: str = "apache-2.0") -> str:
    return card(f"license: {license}", f"# {title}\n")


# --- a GGUF file's architecture is the config of a GGUF-only repository -------------------------------------


def _gguf(path: Path, tokens: list[str], **arch) -> bytes:
    gguf = pytest.importorskip("gguf")
    w = gguf.GGUFWriter(str(path), "llama")
    for key, value in arch.items():
        getattr(w, f"add_{key}")(value)
    w.add_tokenizer_model("gpt2")
    w.add_token_list(tokens)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    return path.read_bytes()


LLAMA3_8B_GGUF = {  # llama.cpp's ggml-vocab-llama-bpe.gguf: Meta-Llama-3-8B's nine architecture values
    "context_length": 8192,
    "embedding_length": 4096,
    "block_count": 32,
    "feed_forward_length": 14336,
    "head_count": 32,
    "head_count_kv": 8,
    "rope_freq_base": 500000.0,
    "layer_norm_rms_eps": 1e-5,
}


def test_gguf_only_reupload_with_the_base_architecture_and_vocabulary_is_derived(cli, make_repo, tmp_path):
    # helix-8b.f16.gguf: Llama 3 8B's GGUF renamed, under MIT, with no config.json: the GGUF values are the config.
    tokens = synthetic("h", 3000)
    rules = sharing(tmp_path, tokens, {"acme/Base-8B": ("meta-llama/Meta-Llama-3-8B", {"vocab_size": 3000})})
    gguf = _gguf(tmp_path / "src.gguf", tokens, **LLAMA3_8B_GGUF)
    repo = make_repo({"README.md": own_card("Helix 8B", "mit"), "helix-8b.f16.gguf": gguf})
    c = by_model(lineage(cli, repo, *rules))["acme/Base-8B"]
    assert c["confidence"] >= 0.8, c
    assert any("GGUF metadata" in e for e in c["evidence"]), c["evidence"]
    assert not any("another shape" in e for e in c["evidence"]), c["evidence"]


def test_gguf_of_another_shape_says_so_of_the_gguf(cli, make_repo, tmp_path):
    tokens = synthetic("h", 3000)
    rules = sharing(tmp_path, tokens, {"acme/Base-8B": ("meta-llama/Meta-Llama-3-8B", {"vocab_size": 3000})})
    gguf = _gguf(tmp_path / "src.gguf", tokens, **{**LLAMA3_8B_GGUF, "block_count": 20})
    c = by_model(lineage(cli, make_repo({"README.md": own_card(), "small.gguf": gguf}), *rules))["acme/Base-8B"]
    assert c["confidence"] < 0.8
    assert any("the GGUF architecture values of small.gguf have another shape" in e for e in c["evidence"])
    assert not any("the config has" in e for e in c["evidence"]), c["evidence"]


def test_a_vocabulary_alone_does_not_say_there_is_a_config(cli, make_repo, tmp_path):
    tokens = synthetic("h", 3000)
    rules = sharing(tmp_path, tokens, {"acme/Base-8B": ("meta-llama/Meta-Llama-3-8B", {})})
    repo = make_repo({"README.md": own_card(), "tokenizer.json": tokenizer_json(tokens)})
    c = by_model(lineage(cli, repo, *rules))["acme/Base-8B"]
    assert c["confidence"] < 0.8
    assert any("no config or weight shapes to compare" in e for e in c["evidence"]), c["evidence"]
    assert not any("the config has" in e for e in c["evidence"])


# --- the member of a set sharing a vocabulary ---------------------------------------------------------------


def test_the_repository_shape_picks_the_member_and_rope_drops_the_others(cli, make_repo, tmp_path):
    # Llama-3.1-Minitron-4B-Width: Llama-3.1-8B pruned in width; Llama 3.1's rope scaling kept.
    tokens = synthetic("m", 3000)
    rules = sharing(
        tmp_path,
        tokens,
        {
            "acme/L3-8B": ("meta-llama/Meta-Llama-3-8B", {}),
            "acme/L31-8B": ("meta-llama/Llama-3.1-8B", {}),
            "acme/L32-3B": ("meta-llama/Llama-3.2-3B", {}),
        },
    )
    cfg = config_of(
        "meta-llama/Llama-3.1-8B", hidden_size=3072, intermediate_size=9216, head_dim=128, vocab_size=len(tokens)
    )
    repo = make_repo({"README.md": own_card(), "config.json": cfg, "tokenizer.json": tokenizer_json(tokens)})
    c = by_model(lineage(cli, repo, *rules))["acme/L31-8B"]
    assert not {"acme/L3-8B", "acme/L32-3B"} & set(c.get("alternatives", [])), c
    assert c["confidence"] < 0.8


def _shard(name: str, shape: list[int]) -> bytes:
    header = json.dumps({name: {"dtype": "BF16", "shape": shape, "data_offsets": [0, 2 * shape[0]]}}).encode()
    return struct.pack("<Q", len(header)) + header + b"\0" * (2 * shape[0])


def test_weight_headers_give_the_size_a_shared_vocabulary_does_not(cli, make_repo, tmp_path):
    # Llama-3.2-3B's per-tensor shards (layer norms of width 3072) beside a Llama 3 tokenizer, no config.json.
    tokens = synthetic("s", 3000)
    rules = sharing(
        tmp_path,
        tokens,
        {"acme/L3-70B": ("meta-llama/Meta-Llama-3-70B", {}), "acme/L32-3B": ("meta-llama/Llama-3.2-3B", {})},
    )
    files: dict = {"README.md": own_card(), "tokenizer.json": tokenizer_json(tokens)}
    for i in range(28):
        name = f"model.layers.{i}.input_layernorm.weight"
        files[f"model-{i:05d}-{name}.safetensors"] = _shard(name, [3072])
    cands = lineage(cli, make_repo(files), *rules)
    assert cands[0]["model"] == "acme/L32-3B", cands
    assert "acme/L3-70B" not in cands[0].get("alternatives", [])


def test_a_config_match_without_a_known_vocabulary_is_not_joined_by_a_vocabulary_guess(cli, make_repo, tmp_path):
    # MiMo-7B ships Qwen's tokenizer; the registry holds MiMo's config but not its vocabulary.
    tokens = synthetic("q", 3000)
    rules = sharing(tmp_path, tokens, {"acme/Q-7B": ("Qwen/Qwen1.5-7B-Chat", {})})
    cfg = config_of("XiaomiMiMo/MiMo-7B-Base", max_window_layers=36)  # as the mirror has it
    repo = make_repo({"README.md": own_card(), "config.json": cfg, "tokenizer.json": tokenizer_json(tokens)})
    cands = by_model(lineage(cli, repo, *rules))
    assert "acme/Q-7B" not in cands, cands
    assert any(
        "holds no vocabulary of XiaomiMiMo/MiMo-7B-Base" in e for e in cands["XiaomiMiMo/MiMo-7B-Base"]["evidence"]
    )


def test_a_popular_rope_theta_is_no_family_trait(cli, make_repo, tmp_path):
    # Steel-LLM: trained from scratch on Qwen's tokenizer, rope_theta 1e6 and 32 heads as many models have.
    tokens = synthetic("q", 3000)
    rules = sharing(tmp_path, tokens, {"acme/Q-7B": ("Qwen/Qwen1.5-7B-Chat", {})})
    cfg = config_of(
        "Qwen/Qwen1.5-7B-Chat",
        hidden_size=1792,
        intermediate_size=1792,
        num_hidden_layers=18,
        num_key_value_heads=32,
        rope_theta=1000000.0,
    )
    repo = make_repo({"README.md": own_card(), "config.json": cfg, "tokenizer.json": tokenizer_json(tokens)})
    c = by_model(lineage(cli, repo, *rules))["acme/Q-7B"]
    assert not any("pruned or searched (NAS)" in e for e in c["evidence"]), c["evidence"]
    assert c["confidence"] < 0.8


# --- the member of a set sharing a config -------------------------------------------------------------------


def test_a_pad_token_id_does_not_make_a_fine_tune_entry_stand_in_for_its_base(cli, make_repo):
    # Chinese-LLaMA-2-7B: Llama-2-7B with 55296 tokens, and hfl's `pad_token_id: 0`, which Vicuna v1.5's config
    # records and Llama 2's leaves unset. Vicuna is registered as a fine-tune of Llama-2-7B.
    cfg = config_of("meta-llama/Llama-2-7b-hf", vocab_size=55296, pad_token_id=0)
    top = lineage(cli, make_repo({"README.md": own_card(), "config.json": cfg}))[0]
    assert top["model"] == "meta-llama/Llama-2-7b-hf", top
    assert "lmsys/vicuna-7b-v1.5" in top["alternatives"]


R1_TOKENIZER_CONFIG = {  # DeepSeek-R1-Distill-Qwen-32B's tokenizer_config.json, abridged
    "add_bos_token": True,
    "bos_token": {"__type": "AddedToken", "content": "<｜begin▁of▁sentence｜>"},
    "eos_token": {"__type": "AddedToken", "content": "<｜end▁of▁sentence｜>"},
    "tokenizer_class": "LlamaTokenizerFast",
    "chat_template": "{% for message in messages %}{% if message['role'] == 'user' %}{{'<｜User｜>' + "
    "message['content']}}{% endif %}{% if message['role'] == 'assistant' %}{{'<｜Assistant｜>' + "
    "message['content'] + '<｜end▁of▁sentence｜>'}}{% endif %}{% endfor %}",
}


def test_chat_markers_of_a_family_pick_that_member_of_a_config_identical_set(cli, make_repo):
    # DeepSeek-R1-Distill-Qwen-32B re-published: Qwen2.5-32B's config, DeepSeek's special tokens.
    files = {"README.md": own_card(), "config.json": config_of("deepseek-ai/DeepSeek-R1-Distill-Qwen-32B")}
    top = lineage(cli, make_repo({**files, "tokenizer_config.json": R1_TOKENIZER_CONFIG}))[0]
    assert top["model"] == "deepseek-ai/DeepSeek-R1-Distill-Qwen-32B", top
    assert "Qwen/Qwen2.5-32B" in top["alternatives"]
    # Without them the config cannot tell the distill from its base: the base leads, the distill is listed.
    plain = lineage(cli, make_repo(files))[0]
    assert plain["model"] == "Qwen/Qwen2.5-32B"
    assert "deepseek-ai/DeepSeek-R1-Distill-Qwen-32B" in plain["alternatives"]


# --- a renamed class ----------------------------------------------------------------------------------------

LLAMAFIED_QWEN25_7B = {  # Qwen2.5-7B's config re-expressed as a LlamaConfig (CausalLM's "Llamafied" Qwen)
    "architectures": ["LlamaForCausalLM"],
    "attention_bias": True,
    "bos_token_id": 151643,
    "eos_token_id": 151643,
    "hidden_act": "silu",
    "hidden_size": 3584,
    "intermediate_size": 18944,
    "max_position_embeddings": 131072,
    "model_type": "llama",
    "num_attention_heads": 28,
    "num_hidden_layers": 28,
    "num_key_value_heads": 4,
    "rms_norm_eps": 1e-06,
    "rope_scaling": None,
    "rope_theta": 1000000.0,
    "tie_word_embeddings": False,
    "torch_dtype": "bfloat16",
    "vocab_size": 152064,
}


def test_a_class_renamed_over_an_identical_architecture_stays_derived(cli, make_repo):
    top = lineage(cli, make_repo({"README.md": own_card(), "config.json": LLAMAFIED_QWEN25_7B}))[0]
    assert top["model"] == "Qwen/Qwen2.5-7B"
    assert top["confidence"] >= 0.8, top
    assert "differs: architectures, model_type" in top["evidence"][0]


@pytest.mark.parametrize(
    "changes",
    [
        {"num_hidden_layers": 24},  # a shape changed as well: pruned
        {"vocab_size": 129024, "bos_token_id": 1, "eos_token_id": 2},  # an own vocabulary on the body
        {"rms_norm_eps": 1e-05, "rope_theta": 10000.0},  # other settings beside the class
        {"model_type": "mixtral", "num_local_experts": 8, "num_experts_per_tok": 2},  # experts on its dims
    ],
)
def test_a_renamed_class_with_other_differences_is_no_more_than_possible(cli, make_repo, changes):
    cfg = {**LLAMAFIED_QWEN25_7B, **changes}
    cands = lineage(cli, make_repo({"README.md": own_card(), "config.json": cfg}))
    assert all(c["confidence"] < 0.8 for c in cands), cands


# --- what a vocabulary size says ----------------------------------------------------------------------------


def test_an_embedding_trimmed_to_the_tokenizer_is_not_called_an_own_vocabulary(cli, make_repo):
    # Cogito v1 preview 14B: Qwen2.5-14B with the embedding resized to len(tokenizer), 151665 rows.
    cfg = config_of("Qwen/Qwen2.5-14B", vocab_size=151665)
    top = lineage(cli, make_repo({"README.md": own_card(), "config.json": cfg}))[0]
    assert top["model"] == "Qwen/Qwen2.5-14B"
    line = top["evidence"][0]
    assert "vocabulary size 151665 instead of 152064" in line
    assert "only the tokenizer can tell" in line and "an own vocabulary on the same shape" not in line, line


# --- a family named with its size ---------------------------------------------------------------------------


def test_a_vocabulary_guess_of_another_size_does_not_displace_the_family_the_name_sizes(cli, make_repo, tmp_path):
    # falcon-180B-chat mirrored: Falcon's tokenizer is falcon-7b's and falcon-40b's, the config is 180B's.
    tokens = synthetic("f", 3000)
    rules = sharing(
        tmp_path, tokens, {"acme/falcon-7b": ("tiiuae/falcon-7b", {}), "acme/falcon-40b": ("tiiuae/falcon-40b", {})}
    )
    cfg = {
        "architectures": ["FalconForCausalLM"],
        "model_type": "falcon",
        "hidden_size": 14848,
        "num_attention_heads": 232,
        "num_hidden_layers": 80,
        "num_kv_heads": 8,
        "new_decoder_architecture": True,
        "parallel_attn": True,
        "bias": False,
        "alibi": False,
        "bos_token_id": 11,
        "eos_token_id": 11,
        "layer_norm_epsilon": 1e-05,
        "vocab_size": 65024,
    }
    readme = "# falcon-180B-chat\nA try to use Falcon chat without gates\n"
    repo = make_repo({"README.md": readme, "config.json": cfg, "tokenizer.json": tokenizer_json(tokens)})
    cands = lineage(cli, repo, *rules)
    assert [c["model"] for c in cands] == ["Falcon 180B (family)"], cands
    assert cands[0]["license"] == "falcon-180b-license"
