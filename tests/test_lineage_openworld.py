"""Open-world lineage: declared bases outside the registry resolved through their chain (Hub metadata on
the loopback fake Hub, the resolution cache, the local HF cache), families, upstream-license-unknown,
self-releases, look-alike siblings, card prose, relation labels and git-lfs pointers."""

from __future__ import annotations

import hashlib
import json
import socket
from pathlib import Path

import pytest
from conftest import audit_json, card, config_of, license_text, rules_of
from test_hub import FakeHub, fake_hub  # noqa: F401 (the fixture is used by name)

LFS = "version https://git-lfs.github.com/spec/v1\noid sha256:{}\nsize 966995080\n".format("a" * 64)


def add_model(hub: FakeHub, rid: str, card_data: dict | None = None, **flags) -> None:
    sha = hashlib.sha1(rid.encode()).hexdigest()
    files = {"README.md": b"---\n---\n# card\n"}
    hub.repos[rid] = {"commits": [{"id": sha, "files": files}], "card_data": card_data, **flags}


def api_calls(hub: FakeHub, rid: str) -> int:
    return sum(1 for _m, path, _r, _a in hub.log if path == f"/api/models/{rid}")


def of(report: dict, rule: str) -> list[dict]:
    return [f for f in report["findings"] if f["rule"] == rule]


def lineage_of(report: dict, model: str) -> dict:
    return next(c for c in report["lineage"] if c["model"] == model)


# ------------------------------------------------------------------------------ the Hub, a chain of 3


def test_chain_of_three_through_the_hub_reaches_the_root_license(cli, make_repo, fake_hub):  # noqa: F811
    add_model(fake_hub, "quant/Harbor-GGUF-src", {"license": "apache-2.0", "base_model": "mid/Harbor-FT"})
    add_model(fake_hub, "mid/Harbor-FT", {"license": "other", "base_model": "NousResearch/Meta-Llama-3-8B"})
    add_model(
        fake_hub, "NousResearch/Meta-Llama-3-8B", {"license": "other", "base_model": "meta-llama/Meta-Llama-3-8B"}
    )
    add_model(fake_hub, "meta-llama/Meta-Llama-3-8B", {"license": "llama3"})
    repo = make_repo({"README.md": card("license: apache-2.0\nbase_model: NousResearch/Meta-Llama-3-8B")})
    report, code = audit_json(cli, repo)
    cand = lineage_of(report, "NousResearch/Meta-Llama-3-8B")
    assert cand["chain"] == ["NousResearch/Meta-Llama-3-8B", "meta-llama/Meta-Llama-3-8B"]
    assert cand["license"] == "llama3"
    assert code == 1
    bad = of(report, "license-incompatible")
    assert bad and bad[0]["upstream"] == "meta-llama/Meta-Llama-3-8B" and bad[0]["severity"] == "error"
    assert "through NousResearch/Meta-Llama-3-8B" in bad[0]["message"]
    assert "upstream-license-unknown" not in rules_of(report)

    # Three hops: the model declares a fine-tune of a mirror of Meta's repository.
    repo = make_repo({"README.md": card("license: apache-2.0\nbase_model: mid/Harbor-FT")})
    report, _ = audit_json(cli, repo)
    cand = lineage_of(report, "mid/Harbor-FT")
    assert cand["chain"] == ["mid/Harbor-FT", "NousResearch/Meta-Llama-3-8B", "meta-llama/Meta-Llama-3-8B"]
    assert {f["upstream"] for f in of(report, "upstream-license-missing")} == {"meta-llama/Meta-Llama-3-8B"}


def test_chain_into_the_registry_hands_over_to_the_registered_model(cli, make_repo, fake_hub):  # noqa: F811
    add_model(fake_hub, "acme/Chat-8B", {"license": "llama3.1", "base_model": "meta-llama/Llama-3.1-8B-Instruct"})
    repo = make_repo({"README.md": card("license: mit\nbase_model: acme/Chat-8B")})
    report, _ = audit_json(cli, repo)
    cand = lineage_of(report, "acme/Chat-8B")
    assert cand["chain"] == ["acme/Chat-8B", "meta-llama/Llama-3.1-8B-Instruct"]
    assert {f["upstream"] for f in of(report, "license-incompatible")} >= {"acme/Chat-8B"}
    # The Llama 3.1 duties travel from the chain (the registered model's license, the Hub card's license).
    assert of(report, "upstream-notice-missing") and of(report, "attribution-missing")


@pytest.mark.parametrize(
    ("flags", "said"),
    [
        ({"gated_api": True}, "gated repository"),
        ({"token": "secret"}, "not found (or private"),
        (None, "repository not found"),
    ],
)
def test_gated_private_and_missing_bases_are_named(cli, make_repo, fake_hub, flags, said):  # noqa: F811
    if flags is not None:
        add_model(fake_hub, "acme/Mystery-Base", {"license": "mit"}, **flags)
    repo = make_repo({"README.md": card("license: mit\nbase_model: acme/Mystery-Base"), "LICENSE": license_text("mit")})
    report, code = audit_json(cli, repo)
    found = of(report, "upstream-license-unknown")
    assert code == 0 and len(found) == 1
    assert found[0]["upstream"] == "acme/Mystery-Base" and found[0]["severity"] == "warning"
    assert said in found[0]["message"] and "--rules DIR" in found[0]["fix"]


def test_base_whose_card_has_no_license(cli, make_repo, fake_hub):  # noqa: F811
    add_model(fake_hub, "acme/Quiet-Base", {"tags": ["text-generation"]})
    repo = make_repo({"README.md": card("license: mit\nbase_model: acme/Quiet-Base"), "LICENSE": license_text("mit")})
    report, _ = audit_json(cli, repo)
    found = of(report, "upstream-license-unknown")
    assert [f["upstream"] for f in found] == ["acme/Quiet-Base"]
    assert "states no license" in found[0]["message"]


@pytest.mark.parametrize("fail", [[429], [503], [500, 502]])
def test_rate_limit_and_server_errors_are_retried_then_resolved(cli, make_repo, fake_hub, monkeypatch, fail):  # noqa: F811
    monkeypatch.setattr("license_audit.sources.hub_http.BASE_WAIT", 0.01)
    add_model(fake_hub, "acme/Busy-Base", {"license": "llama3.1"}, fail=list(fail))
    repo = make_repo({"README.md": card("license: mit\nbase_model: acme/Busy-Base")})
    report, _ = audit_json(cli, repo)
    assert api_calls(fake_hub, "acme/Busy-Base") == len(fail) + 1
    assert lineage_of(report, "acme/Busy-Base")["license"] == "llama3.1"
    assert "upstream-license-unknown" not in rules_of(report)
    assert of(report, "license-incompatible")


def test_a_fully_cached_chain_needs_no_network(cli, make_repo, fake_hub, monkeypatch):  # noqa: F811
    add_model(fake_hub, "mid/Harbor-FT", {"license": "other", "base_model": "NousResearch/Meta-Llama-3-8B"})
    add_model(fake_hub, "NousResearch/Meta-Llama-3-8B", {"license": "llama3"})
    repo = make_repo({"README.md": card("license: apache-2.0\nbase_model: mid/Harbor-FT")})
    first, _ = audit_json(cli, repo)
    requests = len(fake_hub.log)
    assert requests >= 2

    def no_network(*args, **kwargs):
        raise OSError("network disabled in this test")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    second, _ = audit_json(cli, repo)
    assert len(fake_hub.log) == requests
    assert second == first


def test_a_hostile_resolution_cache_file_is_ignored(cli, make_repo, fake_hub, monkeypatch, tmp_path):  # noqa: F811
    from license_audit.lineage import resolve

    monkeypatch.setenv("LICENSE_AUDIT_CACHE", str(tmp_path / "cache"))
    add_model(fake_hub, "acme/Real-Base", {"license": "llama3"})
    name = resolve._cache_name(fake_hub.endpoint, "acme/Real-Base")
    (tmp_path / "cache").mkdir()
    for bad in ('{"format": 1, "id": "acme/Real-Base", "license": ["x"], "base_models": []}', "[" * 100000, "\xff"):
        (tmp_path / "cache" / name).write_text(bad, encoding="utf-8", errors="surrogateescape")
        repo = make_repo({"README.md": card("license: mit\nbase_model: acme/Real-Base")})
        report, _ = audit_json(cli, repo)
        assert lineage_of(report, "acme/Real-Base")["license"] == "llama3"
    # Another model's answer stored under this id's name is not taken for it.
    (tmp_path / "cache" / name).write_text(
        '{"format": 1, "id": "acme/Other", "license": "mit", "base_models": [], "license_link": null, "gated": false}'
    )
    assert (
        resolve._from_cache_doc(resolve.json.loads((tmp_path / "cache" / name).read_text()), "acme/Real-Base") is None
    )


def _cached_answer(tmp_path: Path, endpoint: str, rid: str, license: str, fetched: object) -> None:
    from license_audit.lineage import resolve

    doc = {"format": 1, "id": rid, "license": license, "base_models": [], "license_link": None, "gated": False}
    if fetched is not None:
        doc["fetched"] = fetched
    (tmp_path / "cache").mkdir(exist_ok=True)
    (tmp_path / "cache" / resolve._cache_name(endpoint, rid)).write_text(json.dumps(doc), encoding="utf-8")


@pytest.mark.parametrize(
    "age_days, days_env, asked",
    [(1, None, False), (30, None, True), (None, None, True), (-5, None, True), (2, "1", True), (2, "30", False)],
)
def test_a_cached_answer_is_asked_again_once_it_is_old(
    cli,
    make_repo,
    fake_hub,  # noqa: F811
    monkeypatch,
    tmp_path,
    age_days,
    days_env,
    asked,
):
    import time

    # The base was relicensed on the Hub after the answer was cached: an old answer is refreshed, a recent
    # one is used as is (no request), and an answer without a valid time counts as old.
    monkeypatch.setenv("LICENSE_AUDIT_CACHE", str(tmp_path / "cache"))
    if days_env is not None:
        monkeypatch.setenv("LICENSE_AUDIT_CACHE_DAYS", days_env)
    add_model(fake_hub, "acme/Relicensed-Base", {"license": "llama3"})
    fetched = None if age_days is None else int(time.time() - age_days * 86400)
    _cached_answer(tmp_path, fake_hub.endpoint, "acme/Relicensed-Base", "mit", fetched)
    repo = make_repo({"README.md": card("license: mit\nbase_model: acme/Relicensed-Base")})
    report, _ = audit_json(cli, repo)
    assert api_calls(fake_hub, "acme/Relicensed-Base") == (1 if asked else 0)
    assert lineage_of(report, "acme/Relicensed-Base")["license"] == ("llama3" if asked else "mit")
    if asked:  # the refreshed answer is cached with its time: the next audit asks nothing
        audit_json(cli, repo)
        assert api_calls(fake_hub, "acme/Relicensed-Base") == 1


def test_an_old_cached_answer_is_used_when_the_hub_cannot_be_asked(cli, make_repo, monkeypatch, tmp_path):
    from license_audit.lineage import resolve

    monkeypatch.setenv("LICENSE_AUDIT_CACHE", str(tmp_path / "cache"))
    _cached_answer(tmp_path, resolve._endpoint(), "acme/Old-Base", "llama3", 1)  # fetched in 1970
    repo = make_repo({"README.md": card("license: mit\nbase_model: acme/Old-Base")})
    report, _ = audit_json(cli, repo)  # the test environment is offline (HF_HUB_OFFLINE=1)
    assert lineage_of(report, "acme/Old-Base")["license"] == "llama3"
    assert "upstream-license-unknown" not in rules_of(report)


def test_loops_and_fifty_deep_chains_end_in_a_finding(cli, make_repo, fake_hub):  # noqa: F811
    add_model(fake_hub, "loop/A", {"license": "mit", "base_model": "loop/B"})
    add_model(fake_hub, "loop/B", {"base_model": "loop/A"})
    repo = make_repo({"README.md": card("license: mit\nbase_model: loop/A"), "LICENSE": license_text("mit")})
    report, _ = audit_json(cli, repo)
    assert any("loop" in f["message"] for f in of(report, "upstream-license-unknown"))

    for i in range(60):
        add_model(fake_hub, f"deep/M{i}", {"base_model": f"deep/M{i + 1}"})
    repo = make_repo({"README.md": card("license: mit\nbase_model: deep/M0"), "LICENSE": license_text("mit")})
    report, _ = audit_json(cli, repo)
    assert any("too deep" in f["message"] for f in of(report, "upstream-license-unknown"))
    assert api_calls(fake_hub, "deep/M55") == 0


# -------------------------------------------------------------------------- offline: HF cache, families


def test_offline_resolution_reads_the_local_hf_cache(cli, make_repo, tmp_path, monkeypatch):
    import huggingface_hub.constants as c

    cache = tmp_path / "hf"
    storage = cache / "models--acme--Cached-Base"
    sha = "b" * 40
    (storage / "snapshots" / sha).mkdir(parents=True)
    (storage / "refs").mkdir()
    (storage / "refs" / "main").write_text(sha)
    (storage / "snapshots" / sha / "README.md").write_text(card("license: llama3.2"))
    monkeypatch.setattr(c, "HF_HUB_CACHE", str(cache))
    repo = make_repo({"README.md": card("license: mit\nbase_model: acme/Cached-Base")})
    report, code = audit_json(cli, repo, "--offline")
    assert lineage_of(report, "acme/Cached-Base")["license"] == "llama3.2"
    assert any("Hugging Face cache" in e for e in lineage_of(report, "acme/Cached-Base")["evidence"])
    assert code == 1 and of(report, "license-incompatible")


def test_offline_unknown_base_is_named_with_what_was_tried(cli, make_repo):
    repo = make_repo({"README.md": card("license: mit\nbase_model: acme/Mystery-7B"), "LICENSE": license_text("mit")})
    report, code = audit_json(cli, repo, "--offline")
    found = of(report, "upstream-license-unknown")
    assert code == 0 and [f["upstream"] for f in found] == ["acme/Mystery-7B"]
    assert "not in the registry" in found[0]["message"] and "offline" in found[0]["message"]
    # A base given as a local path is named too: neither the Hub nor a cache can be asked about it.
    repo = make_repo(
        {
            "README.md": card("license: mit"),
            "LICENSE": license_text("mit"),
            "adapter_config.json": {"base_model_name_or_path": "/data/ckpt/my-base", "peft_type": "LORA"},
        }
    )
    report, _ = audit_json(cli, repo, "--offline")
    found = of(report, "upstream-license-unknown")
    assert [f["path"] for f in found] == ["adapter_config.json"] and "not a Hub id" in found[0]["message"]


def test_unresolved_base_gets_its_family_license_at_warning_level(cli, make_repo):
    repo = make_repo(
        {
            "README.md": card("license: apache-2.0\nbase_model: unsloth/Meta-Llama-3.1-8B"),
            "LICENSE": license_text("apache-2.0"),
        }
    )
    report, code = audit_json(cli, repo)
    cand = lineage_of(report, "unsloth/Meta-Llama-3.1-8B")
    assert cand["license"] == "llama3.1" and cand["family"] == "llama3.1"
    bad = of(report, "license-incompatible")
    assert bad and all(f["severity"] == "warning" for f in bad) and "inferred from the family name" in bad[0]["message"]
    assert "upstream-license-unknown" not in rules_of(report)
    # Confirmed by the card's own license: the duties are errors.
    repo = make_repo({"README.md": card("license: llama3.1\nbase_model: unsloth/Meta-Llama-3.1-8B")})
    report, code = audit_json(cli, repo)
    assert code == 1 and "upstream-license-missing" in rules_of(report, "error")


@pytest.mark.parametrize(
    ("base", "license"),
    [
        ("Qwen/Qwen2.5-72B-Instruct", "qwen"),  # the size says which of the family's licenses
        ("Qwen/Qwen2.5-Coder-3B-Instruct", "qwen-research"),
        ("mistralai/Codestral-22B-v0.1", "mnpl"),
        ("THUDM/CogVideoX-5b", "cogvideox"),
    ],
)
def test_a_declared_release_of_the_family_s_publisher_owes_its_license_at_error_level(cli, make_repo, base, license):
    # The id is the publisher's own repository and its name settles the license: no guess is left to warn of.
    repo = make_repo(
        {"README.md": card(f"license: apache-2.0\nbase_model: {base}"), "LICENSE": license_text("apache-2.0")}
    )
    report, code = audit_json(cli, repo, "--offline")
    assert lineage_of(report, base)["license"] == license
    bad = of(report, "license-incompatible")
    assert code == 1 and bad and all(f["severity"] == "error" for f in bad), bad
    assert "inferred from the family name" not in bad[0]["message"]


@pytest.mark.parametrize(
    ("base", "license"),
    [
        # Releases whose license differs from the rest of their family's.
        ("mistralai/Mamba-Codestral-7B-v0.1", None),  # Apache-2.0, no Codestral
        ("mistralai/Ministral-3-8B-Instruct-2512", "apache-2.0"),  # Mistral 3, not the research license
        ("mistralai/Mistral-Large-3-675B-Instruct-2512", "apache-2.0"),
        ("THUDM/CogVideoX-2b", "apache-2.0"),  # the 2B, unlike the 5B
        ("stabilityai/sdxl-vae", None),  # MIT, no SDXL OpenRAIL++
    ],
)
def test_releases_outside_their_family_s_license(cli, make_repo, base, license):
    repo = make_repo(
        {"README.md": card(f"license: apache-2.0\nbase_model: {base}"), "LICENSE": license_text("apache-2.0")}
    )
    report, _ = audit_json(cli, repo, "--offline")
    assert lineage_of(report, base)["license"] == license
    assert "license-incompatible" not in rules_of(report)


def test_card_family_license_without_a_parent_owes_its_duties(cli, make_repo):
    repo = make_repo({"README.md": card("license: llama3", "# My chat model\n")})
    report, code = audit_json(cli, repo)
    cand = lineage_of(report, "Meta Llama 3 (family)")
    assert cand["confidence"] >= 0.8 and cand["license"] == "llama3"
    assert code == 1
    assert {"upstream-license-missing", "attribution-missing"} <= rules_of(report, "error")


@pytest.mark.parametrize(
    "front",
    [
        # nvidia/Llama-3.1-Nemotron-Nano-8B-v1's card: NVIDIA puts its Open Model License on Nemotron, Minitron and
        # Cosmos alike, so it names none of them.
        "license: other\nlicense_name: nvidia-open-model-license\nlicense_link: "
        "https://www.nvidia.com/en-us/agreements/enterprise-software/nvidia-open-model-license/",
        # Mistral's Research License covers Mistral Large, Ministral and Pixtral Large.
        "license: other\nlicense_name: mrl",
    ],
)
def test_a_license_its_publisher_puts_on_several_model_lines_names_none(cli, make_repo, front):
    repo = make_repo({"README.md": card(front, "# Nano reasoning model\n\nA model for agentic tasks.\n")})
    report, _ = audit_json(cli, repo)
    assert not [c["model"] for c in report["lineage"] if c["model"].endswith("(family)")], report["lineage"]


# Meta tags every Llama 3.x repository `llama-3` (unsloth/Meta-Llama-3.1-8B-Instruct keeps Meta's card: license
# llama3.1, tags llama-3, llama, meta, facebook; no base_model).
_LLAMA3X_TAGS = "tags:\n- llama-3\n- llama\n- meta\n- facebook\n- unsloth\n- transformers"
_UNSLOTH_TITLE = "# Finetune Llama 3.1, Gemma 2, Mistral 2-5x faster with 70% less memory via Unsloth!\n"


@pytest.mark.parametrize(
    ("front", "family"),
    [
        ("language:\n- en\nlibrary_name: transformers\nlicense: llama3.1", "Llama 3.1 (family)"),
        ("license: llama3.2", "Llama 3.2 (family)"),
        ("license: llama3.3", "Llama 3.3 (family)"),
    ],
)
def test_the_llama_3_tag_adds_no_older_family_beside_a_llama_3x_license(cli, make_repo, front, family):
    repo = make_repo({"README.md": card(f"{front}\n{_LLAMA3X_TAGS}", _UNSLOTH_TITLE)})
    report, _ = audit_json(cli, repo)
    assert [c["model"] for c in report["lineage"]] == [family]
    assert not any("Meta Llama 3" in f["message"] for f in report["findings"])
    assert "license-incompatible" not in rules_of(report)


def test_the_llama_3_tag_adds_no_older_family_beside_a_llama_3x_base(cli, make_repo):
    # A base outside the registry, unresolved offline, under the card's Llama 3.1 license.
    repo = make_repo({"README.md": card(f"license: llama3.1\nbase_model: acme/Chat-8B\n{_LLAMA3X_TAGS}")})
    report, _ = audit_json(cli, repo, "--offline")
    assert "Meta Llama 3 (family)" not in [c["model"] for c in report["lineage"]]


@pytest.mark.parametrize("front", ["license: llama3", "license: mit"])
def test_the_llama_3_tag_still_names_llama_3_when_nothing_narrower_does(cli, make_repo, front):
    repo = make_repo({"README.md": card(f"{front}\n{_LLAMA3X_TAGS}", "# My chat model\n")})
    report, _ = audit_json(cli, repo)
    assert "Meta Llama 3 (family)" in [c["model"] for c in report["lineage"]]


@pytest.mark.parametrize(
    ("name", "family", "license"),
    [
        ("Qwen2.5-Coder-1.5B-Instruct-GGUF", "Qwen2.5 1.5B (family)", "apache-2.0"),
        ("Qwen2.5-3B-Instruct-AWQ", "Qwen2.5 3B (family)", "qwen-research"),
        ("gemma-3n-E4B-it-litert", "Gemma 3n (family)", "gemma"),
        ("Mistral-7B-v0.3-exl2", "Mistral 7B (family)", "apache-2.0"),
    ],
)
def test_family_inference_from_the_model_name(cli, make_repo, name, family, license):
    repo = make_repo({"README.md": card(f"model_name: {name}")})
    report, _ = audit_json(cli, repo)
    cand = lineage_of(report, family)
    assert cand["license"] == license and 0.5 <= cand["confidence"] < 0.8
    assert all(f["severity"] != "error" for f in report["findings"] if f["upstream"] == family)


def test_family_from_architecture_alone_is_not_enough(cli, make_repo):
    # A model_type names an architecture many models share only as supporting evidence (0.5 is listed,
    # as possibly derived).
    repo = make_repo(
        {"README.md": card("license: mit"), "LICENSE": license_text("mit"), "config.json": {"model_type": "gemma2"}}
    )
    report, _ = audit_json(cli, repo)
    cand = lineage_of(report, "Gemma 2 (family)")
    assert cand["confidence"] == 0.5 and "model_type gemma2" in cand["evidence"][0]


def _sd_pipeline(pad: str) -> dict:
    # An ONNX export of a Stable Diffusion checkpoint: no component config, only the pipeline's class and its
    # tokenizer (the denoiser is a model.onnx).
    return {
        "README.md": card("license: openrail"),
        "model_index.json": {
            "_class_name": "OnnxStableDiffusionPipeline",
            "tokenizer": ["transformers", "CLIPTokenizer"],
        },
        "tokenizer/special_tokens_map.json": {"bos_token": "<|startoftext|>", "pad_token": pad},
        "unet/model.onnx": LFS,
    }


def test_family_from_a_diffusers_pipeline_and_its_tokenizer(cli, make_repo):
    # The Stable Diffusion pipeline with CLIP ViT-L's tokenizer ("<|endoftext|>" pads) is the 1.x architecture:
    # its family and license are named at warning level, never passed in silence.
    report, _ = audit_json(cli, make_repo(_sd_pipeline("<|endoftext|>")))
    cand = lineage_of(report, "Stable Diffusion 1.x (family)")
    assert cand["license"] == "creativeml-openrail-m" and cand["confidence"] == 0.5
    assert "OnnxStableDiffusionPipeline" in cand["evidence"][0]
    assert "use-restrictions-missing" in rules_of(report)
    # OpenCLIP's tokenizer ("!" pads) is 2.x's or SD-Turbo's, under other licenses: no family is named.
    report, _ = audit_json(cli, make_repo(_sd_pipeline("!")))
    assert not any(c["model"].startswith("Stable Diffusion") for c in report["lineage"])


# ------------------------------------------------------------------------------------ self-release


def test_a_folder_holding_a_registered_base_is_a_copy_of_it(cli, make_repo):
    repo = make_repo(
        {
            "README.md": card(
                "license: llama3.1\nmodel_name: Llama-3.1-8B\n"
                "license_link: https://huggingface.co/meta-llama/Llama-3.1-8B/blob/main/LICENSE",
                "# Llama 3.1\n",
            ),
            "LICENSE": license_text("llama3.1"),
            "config.json": config_of("meta-llama/Llama-3.1-8B"),
        }
    )
    report, _ = audit_json(cli, repo)
    cand = lineage_of(report, "meta-llama/Llama-3.1-8B")
    assert cand.get("copy") is True and cand["confidence"] >= 0.9
    # The model itself, not an undeclared derivative, and its name is its own: no prefix to add ...
    assert "base-model-undeclared" not in rules_of(report) and "name-prefix-required" not in rules_of(report)
    # ... but a redistribution all the same: the license ships, "Built with Llama" is still to display.
    assert "upstream-license-missing" not in rules_of(report)
    assert "attribution-missing" in rules_of(report)
    assert any("recognised as meta-llama/Llama-3.1-8B itself, in a copy" in n for n in report["notes"])


@pytest.mark.parametrize(("repo_id", "same"), [("meta-llama/Llama-3.1-8B", True), ("someone/Llama-3.1-8B", False)])
def test_the_publishers_own_repository_is_its_release_another_owners_a_copy(make_repo, repo_id, same):
    from license_audit.crawl import crawl
    from license_audit.lineage import find_lineage
    from license_audit.lineage.families import load_families
    from license_audit.lineage.openworld import LineageContext
    from license_audit.registry import load_registry

    files = {
        "README.md": card("license: llama3.1", "# Llama 3.1 8B\n"),
        "config.json": config_of("meta-llama/Llama-3.1-8B"),
    }
    ctx = LineageContext(families=load_families(), repo_id=repo_id)
    cands = find_lineage(crawl(make_repo(files)), load_registry(), context=ctx)
    cand = next(c for c in cands if c.model == "meta-llama/Llama-3.1-8B")
    assert cand.same_model is same
    assert cand.copy is not same


# ------------------------------------------------------------------------------ look-alike siblings


def test_declared_id_wins_over_a_look_alike_sibling(cli, make_repo):
    repo = make_repo(
        {
            "README.md": card("license: mit\nbase_model: mistralai/Mistral-7B-v0.1"),
            "LICENSE": license_text("mit"),
            "config.json": config_of("mistralai/Mistral-7B-Instruct-v0.1"),
        }
    )
    report, _ = audit_json(cli, repo)
    # One candidate: the declared checkpoint, with the facts of the registered entry that answers for it.
    assert [c["model"] for c in report["lineage"]] == ["mistralai/Mistral-7B-v0.1"]
    assert "checkpoint" not in report["lineage"][0]
    assert report["lineage"][0]["license"] == "apache-2.0"
    assert not [f for f in report["findings"] if f["upstream"] == "mistralai/Mistral-7B-Instruct-v0.1"]
    assert [f["upstream"] for f in of(report, "upstream-license-missing")] == ["mistralai/Mistral-7B-v0.1"]


def test_near_identical_candidates_give_one_finding_naming_both(cli, make_repo):
    repo = make_repo(
        {
            "README.md": card("license: mit", "Fine-tuned from meta-llama/Llama-3.1-8B-Instruct.\n"),
            "LICENSE": license_text("mit"),
            "config.json": config_of("meta-llama/Llama-3.1-8B"),
        }
    )
    report, _ = audit_json(cli, repo)
    for rule in ("upstream-license-missing", "attribution-missing", "license-incompatible"):
        found = of(report, rule)
        assert len(found) == 1, (rule, found)
        assert "meta-llama/Llama-3.1-8B-Instruct" in found[0]["message"]
        assert "meta-llama/Llama-3.1-8B " in found[0]["message"] or "meta-llama/Llama-3.1-8B (" in found[0]["message"]


# ---------------------------------------------------------------------------------------- card prose


@pytest.mark.parametrize(
    ("body", "model", "relation"),
    [
        # A registered Qwen 72B checkpoint when the registry holds one, else the Qwen (1) family at that size:
        # either way the Tongyi Qianwen license.
        ("Initialized from Qwen 72B with more data.\n", "tongyi-qianwen", None),
        ("Initialized from Acme-Qwen 72B.\n", None, None),
        (
            "Original repo: [google/gemma-2b-it](https://huggingface.co/google/gemma-2b-it)\n",
            "google/gemma-2b-it",
            None,
        ),
        ("This model is based on Llama 2 and was tuned for chat.\n", "Llama 2 (family)", None),
        ("This is a GGUF conversion of acme/Foo-7B.\n", "acme/Foo-7B", "quantized"),
        ("A quantized version of acme/Bar-7B.\n", "acme/Bar-7B", "quantized"),
        ("Weights of the original model: hf.co/acme/Baz-7B\n", "acme/Baz-7B", None),
        ("The original weights are at huggingface.co/acme/Qux-7B.\n", "acme/Qux-7B", None),
    ],
)
def test_card_prose_names_bases_with_their_line(cli, make_repo, body, model, relation):
    repo = make_repo({"README.md": card("license: mit", "# M\n\nIntro.\n" + body), "LICENSE": license_text("mit")})
    report, _ = audit_json(cli, repo)
    if model is None:  # a name that is no base's ("Acme-Qwen" is not Qwen)
        assert report["lineage"] == []
        return
    cand = next(c for c in report["lineage"] if model in (c["model"], c["license"]))
    assert any("README.md line 8" in e for e in cand["evidence"]), cand["evidence"]
    if relation:
        assert cand["relation"] == relation


def test_bare_links_without_a_lineage_word_are_not_bases(cli, make_repo):
    body = "# M\n\nModel on Hugging Face: [acme/my-model](https://huggingface.co/acme/my-model)\nCompare with hf.co/other/Thing.\n"
    repo = make_repo({"README.md": card("license: mit", body), "LICENSE": license_text("mit")})
    report, _ = audit_json(cli, repo)
    assert report["lineage"] == []


# ----------------------------------------------------------------------------------------- relations


@pytest.mark.parametrize(
    ("files", "relation"),
    [
        (
            {
                "adapter_config.json": {"base_model_name_or_path": "acme/Base-7B", "peft_type": "LORA"},
                "adapter_model.safetensors": LFS,
            },
            "adapter",
        ),
        (
            {
                "adapter_config.json": {"base_model_name_or_path": "acme/Base-7B", "peft_type": "LORA"},
                "model.safetensors": LFS,
            },
            "merge",
        ),
        ({"README.md": card("license: mit\nbase_model: acme/Base-7B"), "model-Q4_K_M.gguf": LFS}, "quantized"),
        ({"README.md": card("license: mit\nbase_model: acme/Base-7B"), "onnx/model.onnx": LFS}, "quantized"),
        (
            {
                "README.md": card("license: mit\nbase_model: acme/Base-7B\nbase_model_relation: adapter"),
                "model.safetensors": LFS,
            },
            "finetune",
        ),
        (
            {
                "README.md": card("license: mit\nbase_model: acme/Base-7B\nbase_model_relation: quantized"),
                "model.safetensors": LFS,
            },
            "quantized",
        ),
    ],
)
def test_relation_labels_match_the_repository(cli, make_repo, files, relation):
    files = {"README.md": card("license: mit"), "LICENSE": license_text("mit"), **files}
    repo = make_repo(files)
    report, _ = audit_json(cli, repo)
    assert lineage_of(report, "acme/Base-7B")["relation"] == relation


# ------------------------------------------------------------------------------------ git-lfs pointers


def test_git_lfs_pointers_are_recognised(cli, make_repo):
    repo = make_repo(
        {
            "README.md": card("license: mit"),
            "LICENSE": license_text("mit"),
            "model-00001-of-00002.safetensors": LFS,
            "model-00002-of-00002.safetensors": LFS,
            "model-Q8_0.gguf": LFS,
        }
    )
    report, _ = audit_json(cli, repo)
    assert "invalid-file" not in rules_of(report)
    note = next(n for n in report["notes"] if "git-lfs pointer" in n)
    assert "weights not present" in note and "model-Q8_0.gguf" in note


def test_family_from_gguf_basename_and_architecture(cli, make_repo):
    gguf = pytest.importorskip("gguf")
    import numpy as np

    repo = make_repo({"README.md": card("license: mit"), "LICENSE": license_text("mit")})
    w = gguf.GGUFWriter(str(repo / "model-Q4_K_M.gguf"), "gemma3")
    w.add_basename("gemma-3")
    w.add_size_label("12B")
    w.add_tensor("token_embd.weight", np.zeros((4, 8), dtype=np.float32))
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    report, _ = audit_json(cli, repo)
    cand = lineage_of(report, "Gemma 3 (family)")
    assert cand["relation"] == "quantized" and cand["license"] == "gemma"
    assert any("general.basename" in e for e in cand["evidence"])
    assert any("general.architecture gemma3" in e for e in cand["evidence"])
    # Two independent hints, still only "possibly derived": the duties are warnings.
    assert 0.5 <= cand["confidence"] < 0.8
    assert of(report, "license-incompatible")[0]["severity"] == "warning"


def test_text_report_shows_the_chain(cli, make_repo, fake_hub):  # noqa: F811
    add_model(
        fake_hub, "NousResearch/Meta-Llama-3-8B", {"license": "other", "base_model": "meta-llama/Meta-Llama-3-8B"}
    )
    add_model(fake_hub, "meta-llama/Meta-Llama-3-8B", {"license": "llama3"})
    repo = make_repo(
        {"README.md": card("license: apache-2.0\nmodel_name: my-gguf\nbase_model: NousResearch/Meta-Llama-3-8B")}
    )
    out = cli("audit", repo, "--format", "text").output
    assert "chain: my-gguf -> NousResearch/Meta-Llama-3-8B -> meta-llama/Meta-Llama-3-8B (llama3)" in out


def test_hub_repository_of_the_registered_base_is_its_own_release(cli, fake_hub):  # noqa: F811
    rid = "google/gemma-2-9b-it"
    files = {
        "README.md": card("license: gemma", "# Gemma 2\n").encode(),
        "config.json": json.dumps(config_of(rid)).encode(),
    }
    fake_hub.repos[rid] = {
        "commits": [
            {
                "id": "c" * 40,
                "files": files,
                "authors": [],
                "date": "2024-06-27T00:00:00.000Z",
                "title": "x",
                "message": "",
            }
        ]
    }
    report, _ = audit_json(cli, f"hf:{rid}", "--no-history")
    assert "base-model-undeclared" not in rules_of(report)
    assert not [f for f in report["findings"] if f["rule"] in ("upstream-license-missing", "upstream-notice-missing")]
    assert any(f"recognised as the registered base {rid}" in n for n in report["notes"])


def test_families_are_data_a_rules_folder_can_add(cli, make_repo, tmp_path):
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "families.yaml").write_text(
        "acmelm:\n  name: AcmeLM\n  licenses: [llama3.1]\n  names: ['\\bacmelm[-_ ]?\\d']\n"
        "  source: 'https://example.invalid/acmelm (license: llama3.1)'\n"
    )
    repo = make_repo(
        {"README.md": card("license: mit\nbase_model: someone/AcmeLM-2-7B"), "LICENSE": license_text("mit")}
    )
    report, _ = audit_json(cli, repo, "--rules", rules)
    assert lineage_of(report, "someone/AcmeLM-2-7B")["license"] == "llama3.1"
    # A broken families file is one line and exit 2.
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "families.yaml").write_text("acmelm:\n  name: AcmeLM\n  licenses: [mit]\n  names: ['(']\n")
    res = cli("audit", repo, "--rules", broken)
    assert res.exit_code == 2 and "not a regular expression" in res.output and "Traceback" not in res.output


def test_adapter_one_folder_down_declares_its_base(cli, make_repo):
    adapter = {"base_model_name_or_path": "meta-llama/Meta-Llama-3-8B-Instruct", "peft_type": "LORA"}
    repo = make_repo(
        {"README.md": "# App\n", "LICENSE": license_text("mit"), "lora_adapter/adapter_config.json": adapter}
    )
    report, _ = audit_json(cli, repo)
    cand = lineage_of(report, "meta-llama/Meta-Llama-3-8B-Instruct")
    assert cand["relation"] == "adapter" and cand["evidence"][0].startswith("lora_adapter/adapter_config.json:")
    assert of(report, "upstream-license-missing")


def test_declared_base_takes_over_from_a_registered_sibling(cli, make_repo):
    # Llama-3.2-1B is not registered, its Instruct sibling is: the config matches the sibling, the findings
    # name the declared base (with the sibling's license), never the sibling.
    repo = make_repo(
        {
            "README.md": card("license: apache-2.0\nbase_model: meta-llama/Llama-3.2-1B"),
            "LICENSE": license_text("apache-2.0"),
            "config.json": config_of("meta-llama/Llama-3.2-1B-Instruct"),
        }
    )
    report, _ = audit_json(cli, repo, "--offline")
    assert [c["model"] for c in report["lineage"]] == ["meta-llama/Llama-3.2-1B"]
    assert report["lineage"][0]["license"] == "llama3.2"
    assert not [f for f in report["findings"] if f["upstream"] == "meta-llama/Llama-3.2-1B-Instruct"]
    bad = of(report, "license-incompatible")
    assert {f["upstream"] for f in bad} == {"meta-llama/Llama-3.2-1B"} and bad[0]["severity"] == "error"
    assert "upstream-license-unknown" not in rules_of(report)


def test_unreachable_hub_is_a_note_not_an_error(cli, make_repo, monkeypatch):
    import huggingface_hub.constants as c

    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setattr(c, "HF_HUB_OFFLINE", False)
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")
    repo = make_repo(
        {"README.md": card("license: mit\nbase_model: acme/One\nbase_model: acme/Two"), "LICENSE": license_text("mit")}
    )
    report, code = audit_json(cli, repo)
    assert code == 0
    assert any("could not be reached" in n for n in report["notes"])
    found = of(report, "upstream-license-unknown")
    assert found and "could not be reached" in found[0]["message"]


def test_resolver_helpers():
    from license_audit.lineage import resolve

    assert resolve.card_license("other", "Llama3.1") == "llama3.1"
    assert resolve.card_license("other", None) is None and resolve.card_license(["gemma"], None) == "gemma"
    assert resolve.card_license("unknown", None) is None and resolve.card_license(3, None) is None
    assert resolve.is_hub_id("meta-llama/Llama-3.1-8B") and not resolve.is_hub_id("/data/models/x")
    assert not resolve.is_hub_id("a/b/c") and not resolve.is_hub_id("a--b/c")
    good = {"format": 1, "id": "a/B", "license": "mit", "base_models": ["c/D"], "license_link": None, "gated": False}
    assert resolve._from_cache_doc(good, "a/b").base_models == ["c/D"]
    for bad in (
        dict(good, format=2),
        dict(good, base_models="c/D"),
        dict(good, base_models=[1]),
        dict(good, license={"x": 1}),
        dict(good, license_link=["x"]),
        [good],
    ):
        assert resolve._from_cache_doc(bad, "a/b") is None


def test_rules_check_validates_families(cli, tmp_path):
    res = cli("rules", "check", Path(__file__).resolve().parents[1] / "rules")
    assert res.exit_code == 0, res.output
    (tmp_path / "families.yaml").write_text(
        "acme:\n  name: Acme\n  licenses: [mit]\n  names: ['(']\n  source: x\n  colour: red\n"
    )
    res = cli("rules", "check", tmp_path)
    assert res.exit_code == 1
    assert "families.yaml:4: acme.names[0]: not a regular expression" in res.output
    assert "unknown key 'colour'" in res.output


def test_a_clone_named_like_the_registered_base_is_a_copy_of_it(cli, make_repo):
    files = {
        "README.md": card("license: llama3.1", "# Llama 3.1\n"),
        "LICENSE": license_text("llama3.1"),
        "config.json": config_of("meta-llama/Llama-3.1-8B"),
    }
    report, _ = audit_json(cli, make_repo(files, name="Llama-3.1-8B"))
    assert "base-model-undeclared" not in rules_of(report)
    assert lineage_of(report, "meta-llama/Llama-3.1-8B").get("copy") is True
    # The same files under another name are a derivative that does not say so.
    report, _ = audit_json(cli, make_repo(files, name="my-model"))
    assert "base-model-undeclared" in rules_of(report)
