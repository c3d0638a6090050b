"""Diffusion pipelines: diffusers repositories (model_index.json, unet/ or transformer/ configs), LoRA files and
their training metadata, against the registry's Stable Diffusion and FLUX entries; and `registry build` reading
a pipeline's configs."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import pytest
from conftest import audit_json, card, pipeline_files, rules_of

ROOT = Path(__file__).resolve().parents[1]
SHARED_REPOS = next(
    (
        p / "shared" / "data" / "model-repos"
        for p in (ROOT.parent, ROOT.parent.parent)
        if (p / "shared" / "data" / "model-repos").is_dir()
    ),
    None,
)

SDXL = "stabilityai/stable-diffusion-xl-base-1.0"
SD15 = "runwayml/stable-diffusion-v1-5"


def lineage(cli, path) -> list[dict]:
    res = cli("lineage", path, "--format", "json")
    assert res.exit_code == 0, res.output
    return json.loads(res.output)["candidates"]


def safetensors(tensors: dict[str, list[int]], metadata: dict[str, str] | None = None) -> bytes:
    """A small safetensors file (F16 zeros) with the given tensor shapes and `__metadata__`."""
    header: dict = {"__metadata__": metadata} if metadata else {}
    offset = 0
    for name, shape in tensors.items():
        n = 2
        for d in shape:
            n *= d
        header[name] = {"dtype": "F16", "shape": shape, "data_offsets": [offset, offset + n]}
        offset += n
    raw = json.dumps(header).encode()
    return struct.pack("<Q", len(raw)) + raw + bytes(offset)


LORA_TENSORS = {
    "unet.down_blocks.1.attentions.0.transformer_blocks.0.attn1.to_q.lora.down.weight": [4, 640],
    "unet.down_blocks.1.attentions.0.transformer_blocks.0.attn1.to_q.lora.up.weight": [640, 4],
}


def test_fine_tuned_sdxl_folder_is_found_by_its_unet(cli, make_repo):
    files = pipeline_files(SDXL)
    files["README.md"] = card("license: openrail++\ntags: [text-to-image]", "# Anime XL\nOur own style model.\n")
    files["unet/diffusion_pytorch_model.safetensors"] = safetensors({"conv_in.weight": [320, 4, 3, 3]})
    top = lineage(cli, make_repo(files))[0]
    assert top["model"] == SDXL and top["license"] == "openrail++"
    assert top["confidence"] >= 0.8 and top["relation"] == "finetune"
    assert top["evidence"][0].startswith("unet/config.json:")
    report, _ = audit_json(cli, make_repo(files))
    undeclared = [f for f in report["findings"] if f["rule"] == "base-model-undeclared"]
    assert undeclared and undeclared[0]["upstream"] == SDXL and undeclared[0]["path"] == "unet/config.json"


def test_sd15_and_sd14_share_one_unet_and_one_license(cli, make_repo):
    """Stable Diffusion 1.4 and 1.5 are one architecture: the config cannot tell them apart, and says so."""
    top = lineage(cli, make_repo(pipeline_files(SD15)))[0]
    assert {top["model"], *top.get("alternatives", [])} >= {SD15, "CompVis/stable-diffusion-v1-4"}
    assert top["license"] == "creativeml-openrail-m"


def test_sd21_768_and_base_differ_by_resolution_and_objective(cli, make_repo):
    top = lineage(cli, make_repo(pipeline_files("stabilityai/stable-diffusion-2-1")))[0]
    assert top["model"] == "stabilityai/stable-diffusion-2-1" and not top.get("alternatives")
    base = lineage(cli, make_repo(pipeline_files("stabilityai/stable-diffusion-2-1-base")))[0]
    assert base["model"] == "stabilityai/stable-diffusion-2-1-base"


def test_unrelated_unet_shape_names_no_base(cli, make_repo):
    """A UNet of its own shape (another width, cross-attention size and depth) is no Stable Diffusion."""
    files = pipeline_files(
        SD15, block_out_channels=[128, 256, 512], cross_attention_dim=512, layers_per_block=1, attention_head_dim=4
    )
    files["README.md"] = card("license: mit", "# Tiny diffusion\nTrained from scratch.\n")
    assert lineage(cli, make_repo(files)) == []


def test_a_unet_alone_at_the_root_is_compared_as_a_pipeline(cli, make_repo):
    """Repositories that ship only the fine-tuned UNet keep its config.json at the root."""
    unet = pipeline_files(SDXL)["unet/config.json"]
    top = lineage(cli, make_repo({"config.json": unet}))[0]
    assert top["model"] == SDXL and top["confidence"] >= 0.8


def test_the_sdxl_refiner_and_the_base_are_told_apart(cli, make_repo):
    """The refiner is an img2img pipeline with a UNet of its own (wider blocks, SDXL's second text encoder's
    1280-dim cross-attention): a refiner fine-tune is the refiner's, a base fine-tune the base's."""
    refiner = "stabilityai/stable-diffusion-xl-refiner-1.0"
    top = lineage(cli, make_repo(pipeline_files(refiner)))[0]
    assert top["model"] == refiner and top["license"] == "openrail++" and top["confidence"] >= 0.8
    assert SDXL not in top.get("alternatives", [])
    unet = pipeline_files(refiner)["unet/config.json"]
    top = lineage(cli, make_repo({"config.json": unet}))[0]
    assert top["model"] == refiner
    assert lineage(cli, make_repo(pipeline_files(SDXL)))[0]["model"] == SDXL


def test_diffusers_lora_on_sd15_is_an_adapter_under_its_license(cli, make_repo):
    files = {
        "README.md": card(f"license: creativeml-openrail-m\nbase_model: {SD15}\ntags: [lora]", "# Pixel LoRA\n"),
        "pytorch_lora_weights.safetensors": safetensors(LORA_TENSORS),
    }
    top = lineage(cli, make_repo(files))[0]
    assert top["model"] == SD15 and top["declared"] and top["relation"] == "adapter"
    assert top["license"] == "creativeml-openrail-m"


def test_kohya_lora_metadata_names_its_base_by_checkpoint_file(cli, make_repo):
    """A kohya LoRA records the checkpoint it was trained on; the file name is SD 1.5's published one."""
    meta = {
        "ss_network_module": "networks.lora",
        "ss_sd_model_name": "/content/models/v1-5-pruned-emaonly.safetensors",
        "ss_tag_frequency": json.dumps({"x": {"y": 1}}),
    }
    files = {
        "README.md": card("license: creativeml-openrail-m", "# Pixel LoRA\n"),
        "pixel_style.safetensors": safetensors({"lora_unet_down_blocks_0.alpha": [1]}, meta),
    }
    top = lineage(cli, make_repo(files))[0]
    assert top["model"] == SD15 and not top["declared"] and top["relation"] == "adapter"
    assert top["confidence"] >= 0.8 and "ss_sd_model_name" in top["evidence"][0]
    # An unknown checkpoint name is not guessed at.
    meta["ss_sd_model_name"] = "my_own_mix_v3.safetensors"
    files["pixel_style.safetensors"] = safetensors({"lora_unet_down_blocks_0.alpha": [1]}, meta)
    assert all(c["model"] != SD15 for c in lineage(cli, make_repo(files)))


def test_sdxl_fine_tune_audit_names_the_openrail_duties(cli, make_repo):
    """A declared SDXL fine-tune without the license text: the OpenRAIL++-M duties are checked."""
    files = pipeline_files(SDXL)
    files["README.md"] = card(f"license: openrail++\nbase_model: {SDXL}", "# Anime XL\n")
    report, _ = audit_json(cli, make_repo(files))
    assert report["lineage"][0]["model"] == SDXL and report["lineage"][0]["license"] == "openrail++"
    assert {"upstream-license-missing", "upstream-notice-missing", "use-restrictions-missing"} <= rules_of(report)
    notice = next(f for f in report["findings"] if f["rule"] == "upstream-notice-missing")
    assert "Copyright (c) 2023 Stability AI" in notice["message"]


def test_registry_build_reads_a_pipeline_folder(tmp_path, cli):
    src = tmp_path / "configs"
    repo = pipeline_files(SDXL)
    for rel, doc in repo.items():
        path = src / "acme__Pixel-XL" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(doc))
    out = tmp_path / "models"
    out.mkdir()
    (out / "_sources.yaml").write_text('acme/Pixel-XL: {family: pixel, license: mit, released: "2024-01-01"}\n')
    res = cli("registry", "build", src, "--out", out)
    assert res.exit_code == 0, res.output
    import yaml

    entry = yaml.safe_load((out / "acme__Pixel-XL.yaml").read_text())
    assert entry["signature"]["denoiser"] == "UNet2DConditionModel"
    assert entry["signature"]["cross_attention_dim"] == 2048 and entry["signature"]["vae_scaling_factor"] == 0.13025
    assert "model_index.json" in entry["source"]
    # A model_index.json without its denoiser's config is refused in one line.
    (src / "acme__Pixel-XL" / "unet" / "config.json").unlink()
    res = cli("registry", "build", src, "--out", out)
    assert res.exit_code == 2 and "unet/config.json" in res.output and "Traceback" not in res.output


@pytest.mark.skipif(SHARED_REPOS is None, reason="shared model-repos corpus not present")
@pytest.mark.parametrize(
    "case,model,license",
    [
        ("portraitplus-sd-dreambooth-reupload", "CompVis/stable-diffusion-v1-4", "creativeml-openrail-m"),
        ("sd21-official-mirror-openrailpp", "stabilityai/stable-diffusion-2-1", "openrail++"),
    ],
)
def test_real_diffusers_repositories(cli, case, model, license):
    top = lineage(cli, SHARED_REPOS / case)[0]
    assert model in [top["model"], *top.get("alternatives", [])] and top["license"] == license
    assert top["confidence"] >= 0.8


def test_inpainting_unet_is_told_from_the_text_to_image_one(cli, make_repo):
    """SD 1.5 inpainting widens the first convolution to 9 input channels: its fine-tunes are found as such."""
    top = lineage(cli, make_repo(pipeline_files("runwayml/stable-diffusion-inpainting")))[0]
    assert top["model"] == "runwayml/stable-diffusion-inpainting" and top["confidence"] >= 0.8
    t2i = lineage(cli, make_repo(pipeline_files(SD15)))[0]
    assert "runwayml/stable-diffusion-inpainting" not in [t2i["model"], *t2i.get("alternatives", [])]


def test_flux_dev_license_is_identified_and_its_duties_checked(cli, make_repo):
    """A FLUX.1 [dev] derivative: the Non-Commercial License is found by name and by text, and a commercial
    license on the derivative conflicts with it."""
    from license_audit.resources import rules_dir

    text = (rules_dir() / "licenses" / "texts" / "flux-1-dev-non-commercial-license.txt").read_text(encoding="utf-8")
    res = cli("identify", make_repo({"LICENSE.md": text}) / "LICENSE.md", "--format", "json")
    assert "flux-1-dev-non-commercial-license" in res.output
    front = "license: other\nlicense_name: flux-1-dev-non-commercial-license"
    report, _ = audit_json(cli, make_repo({"README.md": card(front, "# Flux portrait LoRA\n"), "LICENSE.md": text}))
    assert report["model"]["declared_license_name"] == "flux-1-dev-non-commercial-license"
    assert report["license_files"][0]["licenses"][0]["id"] == "flux-1-dev-non-commercial-license"


def test_guidance_embeddings_tell_a_flux_dev_transformer_from_schnell(cli, make_repo):
    """FLUX.1 [dev] carries a guidance embedder [schnell] lacks: a dev-shaped transformer is not claimed as a
    derivative of the Apache-2.0 [schnell]."""
    files = pipeline_files("black-forest-labs/FLUX.1-schnell", guidance_embeds=True)
    for c in lineage(cli, make_repo(files)):
        assert not (c["model"] == "black-forest-labs/FLUX.1-schnell" and c["confidence"] >= 0.8)
    top = lineage(cli, make_repo(pipeline_files("black-forest-labs/FLUX.1-schnell")))[0]
    assert top["model"] == "black-forest-labs/FLUX.1-schnell" and top["license"] == "apache-2.0"


@pytest.mark.skipif(SHARED_REPOS is None, reason="shared model-repos corpus not present")
def test_a_flattened_pipeline_copy_is_not_its_text_encoder(cli):
    """The SD 3.5 Large mirror keeps its CLIP-L text encoder's config.json at the root beside model_index.json:
    the text encoder is a frozen component, not the base of the pipeline."""
    cands = lineage(cli, SHARED_REPOS / "sd35-large-mirror-community-license")
    assert all("clip" not in c["model"].lower() for c in cands), cands
    assert cands and cands[0]["license"] == "stabilityai-ai-community"


def test_clip_vit_l14_fine_tune_is_found_with_its_mit_license(cli, make_repo):
    from conftest import config_of

    cfg = config_of("openai/clip-vit-large-patch14")
    top = lineage(cli, make_repo({"config.json": cfg, "README.md": card("license: mit", "# CLIP fine-tune\n")}))[0]
    assert top["model"] == "openai/clip-vit-large-patch14" and top["license"] == "mit"


def test_a_declared_base_the_unet_does_not_match_is_a_mismatch(cli, make_repo):
    """A card that names SDXL over a Stable Diffusion 1.5 UNet: base-model-mismatch on the UNet's config."""
    files = pipeline_files(SD15)
    files["README.md"] = card(f"license: openrail++\nbase_model: {SDXL}", "# Anime XL\n")
    report, _ = audit_json(cli, make_repo(files))
    bad = [f for f in report["findings"] if f["rule"] == "base-model-mismatch"]
    assert bad and bad[0]["path"] == "unet/config.json" and "cross_attention_dim" in bad[0]["message"]
    files = pipeline_files(SDXL)
    files["README.md"] = card(f"license: openrail++\nbase_model: {SDXL}", "# Anime XL\n")
    report, _ = audit_json(cli, make_repo(files))
    assert "base-model-mismatch" not in rules_of(report)
