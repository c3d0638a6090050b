"""Lineage evidence sources, each on fixtures the tests create: config signatures (collisions, shared shapes,
perturbations), tokenizer vocabularies, PEFT, mergekit, quantization, GGUF metadata, card prose."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from conftest import card, config_of, pipeline_files, write_tree

from license_audit.crawl import crawl
from license_audit.lineage import find_lineage
from license_audit.registry import load_registry
from license_audit.tokenizer import fingerprint


def lineage(cli, path, *extra) -> list[dict]:
    res = cli("lineage", path, "--format", "json", *extra)
    assert res.exit_code == 0, res.output
    return json.loads(res.output)["candidates"]


def own_card(name="Acme-LM", license="apache-2.0", body="# Acme-LM\nTrained in house.\n"):
    return card(f"license: {license}\nmodel_name: {name}", body)


# --- config signatures ----------------------------------------------------------------------------


def test_every_registry_model_identifies_itself(tmp_path):
    reg = load_registry()
    assert len(reg) >= 60 and len({m.family for m in reg}) >= 12
    for known in reg:
        d = tmp_path / known.id.replace("/", "__")
        d.mkdir()
        if "denoiser" in known.signature:  # a diffusers pipeline: model_index.json and component configs
            write_tree(d, pipeline_files(known.id))
        else:
            (d / "config.json").write_text(json.dumps(config_of(known.id)))
        top = find_lineage(crawl(d), reg)[0]
        assert known.id in [top.model, *top.alternatives], known.id


def test_noise_keys_do_not_matter(cli, make_repo):
    cfg = config_of(
        "Qwen/Qwen3-8B",
        transformers_version="9.9.9",
        torch_dtype="float32",
        _name_or_path="x/y",
        use_cache=False,
        quantization_config=None,
    )
    top = lineage(cli, make_repo({"README.md": own_card(), "config.json": cfg}))[0]
    assert top["model"] == "Qwen/Qwen3-8B" and top["confidence"] >= 0.95


@pytest.mark.parametrize(
    "changes,why",
    [
        (
            {"max_position_embeddings": 131072 * 4, "rope_scaling": {"rope_type": "yarn", "factor": 4.0}},
            "context extended",
        ),
        ({"vocab_size": 151936 + 4096}, "vocabulary extended"),
        ({"quantization_config": {"quant_method": "gptq", "bits": 4}}, "quantized"),
    ],
)
def test_perturbed_configs_keep_the_right_top_candidate(cli, make_repo, changes, why):
    cfg = config_of("Qwen/Qwen3-8B", **changes)
    top = lineage(cli, make_repo({"README.md": own_card(), "config.json": cfg}))[0]
    assert top["model"] == "Qwen/Qwen3-8B", why
    if why == "quantized":
        assert top["relation"] == "quantized"
    if why == "vocabulary extended":
        # config alone: possible; the tokenizer has to show the base vocabulary kept as a prefix
        assert 0.5 <= top["confidence"] < 0.8 and "vocab_size (raised)" in top["evidence"][0]
        assert "only if the tokenizer keeps the base vocabulary" in top["evidence"][0]
    else:
        assert top["confidence"] >= 0.8


def test_native_fp8_of_deepseek_is_not_a_quantized_derivative(cli, make_repo):
    cfg = config_of("deepseek-ai/DeepSeek-V3", quantization_config={"quant_method": "fp8", "fmt": "e4m3"})
    top = lineage(cli, make_repo({"README.md": own_card(), "config.json": cfg}))[0]
    assert top["relation"] == "finetune"


def test_config_identical_set_is_reported_with_each_license(cli, make_repo):
    cfg = config_of("meta-llama/Llama-3.3-70B-Instruct")
    cands = lineage(cli, make_repo({"README.md": own_card(), "config.json": cfg}))
    top = cands[0]
    members = {top["model"], *top["alternatives"]}
    assert {"meta-llama/Llama-3.1-70B-Instruct", "meta-llama/Llama-3.3-70B-Instruct"} <= members
    assert top["license"] == "llama3.1" and any(
        e == "same config as meta-llama/Llama-3.3-70B-Instruct (llama3.3)" for e in top["evidence"]
    )
    assert any("llama3.1: " in e and "llama3.3: " in e and "its license applies instead" in e for e in top["evidence"])
    # one candidate for the set, not one accusation per member
    assert not any(c["model"] in top["alternatives"] for c in cands)


def test_qwen2_and_qwen25_7b_collision_is_a_set(cli, make_repo):
    top = lineage(cli, make_repo({"README.md": own_card(), "config.json": config_of("Qwen/Qwen2.5-7B-Instruct")}))[0]
    assert {top["model"], *top["alternatives"]} == {"Qwen/Qwen2-7B-Instruct", "Qwen/Qwen2.5-7B-Instruct"}


def test_llama2_shape_alone_is_not_an_accusation(cli, make_repo):
    repo = make_repo({"README.md": own_card(), "config.json": config_of("meta-llama/Llama-2-7b-hf")})
    top = lineage(cli, repo)[0]
    assert top["model"].startswith("meta-llama/Llama-2-7b") and 0.5 <= top["confidence"] < 0.8
    assert "reuse this exact shape" in top["evidence"][0]
    res = cli("audit", repo, "--format", "json")
    sev = {f["severity"] for f in json.loads(res.output)["findings"] if f["rule"] == "base-model-undeclared"}
    assert sev == {"warning"}


def test_declared_base_takes_config_evidence(cli, make_repo):
    # Llama-3.1-8B declared; config.json is the Instruct one (eos list): no other family is accused.
    cands = lineage(
        cli,
        make_repo(
            {
                "README.md": card("license: llama3.1\nbase_model: meta-llama/Llama-3.1-8B"),
                "config.json": config_of("meta-llama/Llama-3.1-8B-Instruct"),
            }
        ),
    )
    assert [c["model"] for c in cands] == ["meta-llama/Llama-3.1-8B"]
    assert cands[0]["declared"] and any("config.json" in e for e in cands[0]["evidence"])


def test_falcon_style_keys_are_understood(cli, make_repo):
    sig = dict(load_registry().get("tiiuae/falcon-7b").signature)
    cfg = {
        ("n_head" if k == "num_attention_heads" else "n_layer" if k == "num_hidden_layers" else k): v
        for k, v in sig.items()
    }
    top = lineage(cli, make_repo({"README.md": own_card(), "config.json": cfg}))[0]
    assert top["model"] == "tiiuae/falcon-7b"


# --- tokenizer ------------------------------------------------------------------------------------


def tokenizer_json(tokens: list[str], added: list[str] = ()) -> dict:
    vocab = {t: i for i, t in enumerate(tokens)}
    return {
        "version": "1.0",
        "model": {"type": "BPE", "vocab": vocab, "merges": []},
        "added_tokens": [{"id": len(tokens) + i, "content": t, "special": True} for i, t in enumerate(added)],
    }


BASE_TOKENS = [f"tok{i}" for i in range(300)]


@pytest.fixture
def tok_rules(tmp_path):
    """A registry entry (via --rules) with the Llama-2-7B shape and a known tokenizer fingerprint."""
    rules = tmp_path / "rules" / "models"
    rules.mkdir(parents=True)
    known = dict(load_registry().get("meta-llama/Llama-2-7b-hf").raw)
    known.update(
        id="acme/Shape-7B",
        family="acme",
        license="mit",
        aliases=[],
        released="2024-01-01",
        tokenizer=fingerprint(tokenizer_json(BASE_TOKENS, ["<s>", "</s>"])),
    )
    known.pop("source", None)
    import yaml

    (rules / "acme.yaml").write_text(yaml.safe_dump(known))
    return tmp_path / "rules"


def shape_cfg(**changes):
    cfg = config_of("meta-llama/Llama-2-7b-hf")
    cfg.update(changes)
    return cfg


def test_identical_vocabulary_lifts_a_shared_shape_to_derived(cli, make_repo, tok_rules):
    repo = make_repo(
        {
            "README.md": own_card(),
            "config.json": shape_cfg(),
            "tokenizer.json": tokenizer_json(BASE_TOKENS, ["<s>", "</s>"]),
        }
    )
    cands = {c["model"]: c for c in lineage(cli, repo, "--rules", tok_rules)}
    c = cands["acme/Shape-7B"]
    assert c["confidence"] >= 0.8 and any("vocabulary identical" in e for e in c["evidence"])
    # the vocabulary decides within the config-identical set: the member it matches leads, and Llama-2-7B,
    # whose own (real) vocabulary is on file and differs, is no longer an alternative
    assert "meta-llama/Llama-2-7b-hf" not in c.get("alternatives", []) and "meta-llama/Llama-2-7b-hf" not in cands


def test_extended_vocabulary_is_evidence_of_derivation(cli, make_repo, tok_rules):
    repo = make_repo(
        {
            "README.md": own_card(),
            "config.json": shape_cfg(vocab_size=32000 + 200),
            "tokenizer.json": tokenizer_json(BASE_TOKENS + [f"new{i}" for i in range(200)]),
        }
    )
    c = {c["model"]: c for c in lineage(cli, repo, "--rules", tok_rules)}["acme/Shape-7B"]
    assert c["confidence"] >= 0.8 and any("extends the base's 300 tokens" in e for e in c["evidence"])


def test_same_size_other_vocabulary_is_not_derivation(cli, make_repo, tok_rules):
    repo = make_repo(
        {
            "README.md": own_card(),
            "config.json": shape_cfg(),
            "tokenizer.json": tokenizer_json([f"other{i}" for i in range(300)]),
        }
    )
    cands = lineage(cli, repo, "--rules", tok_rules)
    assert "acme/Shape-7B" not in [c["model"] for c in cands]
    # the shape also matches Llama-2-7B, whose vocabulary is on file and differs too: an independent model
    assert all(c["confidence"] < 0.5 for c in cands)
    assert all("acme/Shape-7B" not in c.get("alternatives", []) for c in cands)


def test_chat_markers_are_listed_as_evidence(cli, make_repo):
    repo = make_repo(
        {
            "README.md": own_card(),
            "config.json": config_of("meta-llama/Llama-3.1-8B-Instruct"),
            "tokenizer_config.json": {"chat_template": "{{ '<|start_header_id|>' + role + '<|end_header_id|>' }}"},
        }
    )
    top = lineage(cli, repo)[0]
    assert any("<|start_header_id|>" in e and "llama3" in e for e in top["evidence"])


# --- declarations: PEFT, mergekit, GGUF, prose ----------------------------------------------------


def test_peft_adapter(cli, make_repo):
    repo = make_repo(
        {
            "README.md": own_card(),
            "adapter_config.json": {
                "peft_type": "LORA",
                "base_model_name_or_path": "Qwen/Qwen2.5-7B-Instruct",
                "r": 16,
            },
        }
    )
    top = lineage(cli, repo)[0]
    assert top["model"] == "Qwen/Qwen2.5-7B-Instruct" and top["relation"] == "adapter" and top["confidence"] >= 0.9
    assert "LORA adapter" in top["evidence"][0]


def test_mergekit_config_names_every_model(cli, make_repo):
    merge = (
        "merge_method: slerp\nbase_model: mistralai/Mistral-7B-v0.3\nslices:\n  - sources:\n"
        "      - model: mistralai/Mistral-7B-v0.3\n        layer_range: [0, 32]\n"
        "      - model: someone/Mistral-7B-Tuned\n        layer_range: [0, 32]\n"
    )
    repo = make_repo(
        {"README.md": own_card(), "mergekit_config.yml": merge, "config.json": config_of("mistralai/Mistral-7B-v0.3")}
    )
    cands = {c["model"]: c for c in lineage(cli, repo)}
    assert cands["mistralai/Mistral-7B-v0.3"]["relation"] == "merge"
    assert "someone/Mistral-7B-Tuned" in cands
    assert cands["mistralai/Mistral-7B-v0.3"]["confidence"] > 0.97


@pytest.mark.parametrize(
    "quant_file,doc,method",
    [
        ("quantize_config.json", {"bits": 4, "group_size": 128, "desc_act": False}, "gptq"),
        ("hf_quant_config.json", {"quantization": {"quant_algo": "NVFP4"}}, "nvfp4"),
    ],
)
def test_quantization_configs(cli, make_repo, quant_file, doc, method):
    repo = make_repo({"README.md": own_card(), "config.json": config_of("Qwen/Qwen3-8B"), quant_file: doc})
    assert lineage(cli, repo)[0]["relation"] == "quantized"


def test_bitsandbytes_in_config(cli, make_repo):
    cfg = config_of("Qwen/Qwen3-8B", quantization_config={"load_in_4bit": True, "bnb_4bit_quant_type": "nf4"})
    assert lineage(cli, make_repo({"README.md": own_card(), "config.json": cfg}))[0]["relation"] == "quantized"


def test_gguf_metadata(cli, make_repo, tmp_path):
    gguf = pytest.importorskip("gguf")
    repo = make_repo({"README.md": own_card()})
    w = gguf.GGUFWriter(str(repo / "model-Q4_K_M.gguf"), "qwen3")
    w.add_base_model_count(1)
    w.add_base_model_name(0, "Qwen3 8B")
    w.add_base_model_organization(0, "Qwen")
    w.add_base_model_repo_url(0, "https://huggingface.co/Qwen/Qwen3-8B")
    w.add_block_count(36)
    w.add_embedding_length(4096)
    w.add_feed_forward_length(12288)
    w.add_head_count(32)
    w.add_head_count_kv(8)
    w.add_tensor("token_embd.weight", np.zeros((4, 8), dtype=np.float32))
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    top = lineage(cli, repo)[0]
    assert top["model"] == "Qwen/Qwen3-8B" and top["relation"] == "quantized" and top["confidence"] >= 0.9
    assert any("general.base_model.0.repo_url" in e for e in top["evidence"])


def test_broken_gguf_is_a_problem_line(cli, make_repo):
    repo = make_repo({"README.md": own_card(), "model.gguf": b"GGUF\x03\x00\x00\x00" + b"\xff" * 40})
    doc = json.loads(cli("audit", repo, "--format", "json").output)
    assert any(f["rule"] == "invalid-file" and f["path"] == "model.gguf" for f in doc["findings"])


def test_card_prose(cli, make_repo):
    body = "# Acme-LM\n\nAcme-LM is a fine-tuned version of Qwen2.5-32B-Instruct for legal text.\n"
    top = lineage(cli, make_repo({"README.md": own_card(body=body)}))[0]
    assert top["model"] == "Qwen/Qwen2.5-32B-Instruct" and top["confidence"] >= 0.8 and not top["declared"]
    assert "line" in top["evidence"][0] and "fine-tuned version of" in top["evidence"][0]


def test_card_prose_negation_and_unrelated_text(cli, make_repo):
    body = "# Acme-LM\n\nAcme-LM is not based on Llama-3.1-8B. It was trained on 2T tokens of web text.\n"
    assert lineage(cli, make_repo({"README.md": own_card(body=body)})) == []


def test_card_prose_with_hub_link(cli, make_repo):
    body = "Built on top of [DeepSeek-V3](https://huggingface.co/deepseek-ai/DeepSeek-V3-Base).\n"
    top = lineage(cli, make_repo({"README.md": own_card(body=body)}))[0]
    # The checkpoint the link names (an alias of the DeepSeek-V3 entry), with the entry's facts.
    assert top["model"] == "deepseek-ai/DeepSeek-V3-Base" and top["family"] == "deepseek-v3"


def test_lineage_json_is_deterministic(cli, make_repo):
    repo = make_repo(
        {
            "README.md": own_card(),
            "config.json": config_of("deepseek-ai/DeepSeek-V3"),
            "tokenizer.json": tokenizer_json(BASE_TOKENS),
        }
    )
    assert cli("lineage", repo, "--format", "json").output == cli("lineage", repo, "--format", "json").output


def test_report_lists_evidence(cli):
    ex = Path(__file__).resolve().parents[1] / "examples" / "deepseek-v3-relabelled"
    doc = json.loads(cli("audit", ex, "--format", "json").output)
    assert all(c["evidence"] for c in doc["lineage"])


@pytest.mark.parametrize(
    "body",
    [
        "It was trained on 2T tokens and compared with Llama-3.1-8B on MMLU.\n",
        "Fine-tuned on the Alpaca data set; see Qwen2.5-7B for a stronger model.\n",
        "Based on our experience with DeepSeek-V3 serving, we built a new stack.\n",
    ],
)
def test_card_prose_needs_the_name_right_after_the_phrase(cli, make_repo, body):
    assert lineage(cli, make_repo({"README.md": own_card(body=body)})) == []


def test_card_prose_distilled_from_hub_id(cli, make_repo):
    body = "This model was distilled from deepseek-ai/DeepSeek-R1 reasoning traces.\n"
    top = lineage(cli, make_repo({"README.md": own_card(body=body)}))[0]
    assert top["model"] == "deepseek-ai/DeepSeek-R1" and top["relation"] == "distillation"


def test_gguf_with_lying_counts_is_refused_quickly(cli, make_repo):
    import struct
    import time

    lying = (
        b"GGUF"
        + struct.pack("<I", 3)
        + struct.pack("<QQ", 0, 1)
        + struct.pack("<Q", 3)
        + b"key"
        + struct.pack("<II", 9, 4)
        + struct.pack("<Q", 2**50)
        + b"\x00" * 32
    )
    repo = make_repo({"README.md": own_card(), "model.gguf": lying})
    t0 = time.perf_counter()
    doc = json.loads(cli("audit", repo, "--format", "json").output)
    assert time.perf_counter() - t0 < 5
    msg = next(f["message"] for f in doc["findings"] if f["path"] == "model.gguf")
    assert "array items" in msg


def test_tokenizer_json_is_parsed_only_when_needed(make_repo):
    # No registry fingerprint to compare with: the (large) tokenizer.json is never parsed, not even when broken.
    repo = make_repo({"README.md": own_card(), "config.json": config_of("Qwen/Qwen3-8B"), "tokenizer.json": "{broken"})
    snap = crawl(repo)
    find_lineage(snap, load_registry())
    assert snap.artifacts._vocab is None and not any(p.path == "tokenizer.json" for p in snap.problems)


def test_adapter_on_a_local_path_names_the_known_model(cli, make_repo):
    repo = make_repo(
        {
            "README.md": own_card(),
            "adapter_config.json": {
                "peft_type": "LORA",
                "base_model_name_or_path": "/data/models/Llama-3.1-8B-Instruct/",
            },
        }
    )
    top = lineage(cli, repo)[0]
    assert top["model"] == "meta-llama/Llama-3.1-8B-Instruct" and top["license"] == "llama3.1"
    assert "/data/models/Llama-3.1-8B-Instruct/" in top["evidence"][0]


def test_config_identical_set_says_what_each_license_asks(cli):
    ex = Path(__file__).resolve().parents[1] / "examples" / "deepseek-v3-relabelled"
    top = lineage(cli, ex)[0]
    assert set(top["alternatives"]) == {"deepseek-ai/DeepSeek-R1", "deepseek-ai/DeepSeek-V3.1"}
    line = next(e for e in top["evidence"] if "what each asks of a derivative" in e)
    assert "deepseek: pass on its use restrictions" in line and "mit: ship its license text" in line


def test_prose_picks_the_member_of_a_config_identical_set(cli, make_repo):
    body = "# Acme-R\n\nAcme-R is fine-tuned from DeepSeek-R1 on legal reasoning.\n"
    cands = lineage(
        cli, make_repo({"README.md": own_card(body=body), "config.json": config_of("deepseek-ai/DeepSeek-V3")})
    )
    assert [c["model"] for c in cands] == ["deepseek-ai/DeepSeek-R1"]
    assert cands[0]["license"] == "mit" and "deepseek-ai/DeepSeek-V3" in cands[0]["alternatives"]


def test_prose_named_near_twin_takes_the_config_evidence(cli, make_repo):
    # Llama-3.1-8B and 8B-Instruct differ only in eos ids: a config equal to the base's and prose that
    # names the Instruct model are one upstream, not two (which doubled every finding).
    body = "# Acme-LM\n\nThis model is fine-tuned from meta-llama/Llama-3.1-8B-Instruct on our data.\n"
    repo = make_repo({"README.md": own_card(body=body), "config.json": config_of("meta-llama/Llama-3.1-8B")})
    cands = lineage(cli, repo)
    assert [c["model"] for c in cands] == ["meta-llama/Llama-3.1-8B-Instruct"]
    assert cands[0]["confidence"] >= 0.8
    assert any("closest known config: meta-llama/Llama-3.1-8B (same family)" in e for e in cands[0]["evidence"])
    res = cli("audit", repo, "--format", "json", "--no-history")
    rules = [f["rule"] for f in json.loads(res.output)["findings"]]
    assert rules.count("base-model-undeclared") == 1 and rules.count("license-incompatible") == 1


def test_prose_mention_of_a_model_with_other_context_does_not_hide_the_exact_config(cli, make_repo):
    # Free text names models for other reasons; Meta-Llama-3-8B-Instruct differs from Llama-3.1-8B in
    # context and rope, not only token ids, so the config keeps its own exact match.
    body = "# Acme-LM\n\nAcme-LM beats chat models fine-tuned from Meta-Llama-3-8B-Instruct on every benchmark.\n"
    cands = lineage(
        cli, make_repo({"README.md": own_card(body=body), "config.json": config_of("meta-llama/Llama-3.1-8B")})
    )
    top = cands[0]
    assert top["model"] == "meta-llama/Llama-3.1-8B" and top["confidence"] >= 0.8
    assert any(e.startswith("config.json: 18 of 18") for e in top["evidence"])


def test_near_twin_takeover_keeps_the_exact_match_as_alternative(cli, make_repo):
    body = "# Acme-LM\n\nThis model is fine-tuned from meta-llama/Llama-3.1-8B-Instruct on our data.\n"
    cands = lineage(
        cli, make_repo({"README.md": own_card(body=body), "config.json": config_of("meta-llama/Llama-3.1-8B")})
    )
    assert cands[0]["alternatives"] == ["meta-llama/Llama-3.1-8B"]


def test_prose_named_model_of_another_shape_does_not_take_the_config(cli, make_repo):
    body = "# Acme-LM\n\nThis model is fine-tuned from Qwen/Qwen2.5-7B on our data.\n"
    cands = lineage(
        cli, make_repo({"README.md": own_card(body=body), "config.json": config_of("meta-llama/Llama-3.1-8B")})
    )
    assert {c["model"] for c in cands} == {"Qwen/Qwen2.5-7B", "meta-llama/Llama-3.1-8B"}


def test_same_shape_with_an_own_smaller_vocabulary_is_only_possible(cli, make_repo):
    cfg = config_of("Qwen/Qwen2.5-32B", vocab_size=100352, bos_token_id=1, eos_token_id=2)
    top = lineage(cli, make_repo({"README.md": own_card(), "config.json": cfg}))[0]
    assert top["model"] == "Qwen/Qwen2.5-32B" and 0.5 <= top["confidence"] < 0.8
    assert "an own vocabulary" in top["evidence"][0]


def test_lineage_thresholds_apply_to_the_confidence_the_report_shows(monkeypatch):
    import license_audit.lineage as lineage
    from license_audit.report import Candidate

    made = [
        Candidate("a/b", None, "finetune", False, 0.7996, None),
        Candidate("c/d", None, "finetune", False, 0.4996, None),
        Candidate("e/f", None, "finetune", False, 0.4949, None),
    ]
    monkeypatch.setattr(
        lineage, "collect_candidates", lambda snapshot, registry, families=None, catalog=None, **_: made
    )
    monkeypatch.setattr("license_audit.lineage.openworld.open_world", lambda snapshot, registry, cands, ctx: cands)
    found = {c.model: c for c in lineage.find_lineage(None, None)}
    assert set(found) == {"a/b", "c/d"}
    assert found["a/b"].derived and found["a/b"].to_dict()["confidence"] == 0.8
