"""Bases whose own license is a vendor's model license: a derivative that names them owes that license's duties,
which the registry entry (rules/models) or the family (rules/families.yaml) supplies. Each case is a minimal
card in the shape of a real derivative's."""

from __future__ import annotations

from conftest import audit_json, card, license_text, rules_of


def _findings(report: dict, rule: str) -> list[dict]:
    return [f for f in report["findings"] if f["rule"] == rule]


def _upstream(report: dict, model: str) -> dict:
    return next(u for u in report["lineage"] if u["model"] == model)


# --- FLUX.1 [dev] -------------------------------------------------------------------------------------------
# The shape of alvdansen/flux-koda: a LoRA on FLUX.1-dev under a license of its own choosing.


def test_a_flux_dev_lora_under_a_commercial_license_owes_the_dev_license(cli, make_repo):
    for declared in ("apache-2.0", "mit", "creativeml-openrail-m"):
        front = f"license: {declared}\nbase_model: black-forest-labs/FLUX.1-dev\ntags:\n- lora\n- flux"
        report, code = audit_json(
            cli, make_repo({"README.md": card(front, "# My FLUX LoRA\n\nA LoRA trained on FLUX.1-dev.\n")})
        )
        assert code == 1, declared
        errors = rules_of(report, "error")
        assert {"license-incompatible", "upstream-license-missing", "upstream-notice-missing"} <= errors, declared
        up = _upstream(report, "black-forest-labs/FLUX.1-dev")
        assert up["license"] == "flux-1-dev-non-commercial-license"


def test_a_flux_schnell_lora_keeps_apache(cli, make_repo):
    front = "license: apache-2.0\nbase_model: black-forest-labs/FLUX.1-schnell\ntags:\n- lora"
    report, _ = audit_json(cli, make_repo({"README.md": card(front, "# My FLUX LoRA\n")}))
    assert _upstream(report, "black-forest-labs/FLUX.1-schnell")["license"] == "apache-2.0"
    assert "license-incompatible" not in rules_of(report)


def test_flux_dev_named_in_prose_names_the_dev_family(cli, make_repo):
    """Without a Hub id, the names the publisher uses (FLUX.1 [dev], flux1-dev, FLUX.1-Fill-dev) name the [dev]
    terms; [schnell] is not one of them."""
    from license_audit.lineage.families import load_families

    fams = load_families()
    for name in (
        "flux.1-dev",
        "flux-dev",
        "flux.1 [dev]",
        "flux1-dev.safetensors",
        "black-forest-labs/flux.1-fill-dev",
    ):
        got = fams.match_name(name)
        assert got is not None and got.family.id == "flux1-dev", name
    for name in ("flux.1-schnell", "flux-schnell", "flux.2-dev", "fluxdevice"):
        got = fams.match_name(name)
        assert got is None or got.family.id != "flux1-dev", name


# --- GPT-2 --------------------------------------------------------------------------------------------------
# The shape of a transformers fine-tune of gpt2: the card keeps the Hub key `license: mit` of openai-community/gpt2,
# whose LICENSE is OpenAI's Modified MIT License.

GPT2_CARD = card(
    "license: mit\nbase_model: openai-community/gpt2\ntags: [generated_from_trainer]",
    "# gpt2-poetry\n\nThis model is a fine-tuned version of [gpt2](https://huggingface.co/gpt2) on a poetry dataset.\n",
)


def test_a_gpt2_finetune_carrying_openais_license_is_in_order(cli, make_repo):
    report, _ = audit_json(cli, make_repo({"README.md": GPT2_CARD, "LICENSE": license_text("gpt2-modified-mit")}))
    assert _upstream(report, "openai-community/gpt2")["license"] == "gpt2-modified-mit"
    assert not {"license-mismatch", "upstream-license-missing", "license-incompatible"} & rules_of(report, "error")


def test_a_gpt2_finetune_without_a_license_is_asked_for_gpt2s_text(cli, make_repo):
    report, _ = audit_json(cli, make_repo({"README.md": GPT2_CARD}))
    missing = _findings(report, "upstream-license-missing")
    assert missing and all("Modified MIT License (OpenAI GPT-2)" in f["fix"] for f in missing)
    assert all(f["path"] != "LICENSE-MIT" for f in missing)


def test_a_derivative_keeping_its_base_s_own_licenses_relicenses_nothing(cli, make_repo):
    # NVIDIA publishes Llama-3_3-Nemotron-Super-49B-v1 under its Open Model License, with the Llama 3.3 Community
    # License for the Llama materials it holds; a quantization declaring the same keeps its base's terms.
    front = (
        "license: other\nlicense_name: nvidia-open-model-license\nbase_model: nvidia/Llama-3_3-Nemotron-Super-49B-v1"
    )
    repo = make_repo({"README.md": card(front, "# Llama-3_3-Nemotron-Super-49B-v1-FP8\n\nBuilt with Llama.\n")})
    report, _ = audit_json(cli, repo, "--no-history", "--offline")
    assert "license-incompatible" not in rules_of(report), report["findings"]
    # The Llama duties still travel.
    assert "upstream-license-missing" in rules_of(report, "error")
    # Apache declared instead is a relicensing of the Llama materials.
    apache = front.replace("license: other\nlicense_name: nvidia-open-model-license", "license: apache-2.0")
    report, _ = audit_json(cli, make_repo({"README.md": card(apache, "# Nemotron FP8\n")}), "--no-history", "--offline")
    assert "license-incompatible" in rules_of(report, "error")


# --- Llama 4 ------------------------------------------------------------------------------------------------
# Llama 4 Scout and Maverick are natively multimodal, so the Llama 4 Acceptable Use Policy's EU clause on "any
# multimodal models included in Llama 4" travels to their derivatives (the shape of a LoRA on either).


def test_a_llama4_derivative_is_told_the_eu_restriction_of_multimodal_llama4(cli, make_repo):
    from license_audit.registry import load_registry

    for base in ("meta-llama/Llama-4-Scout-17B-16E-Instruct", "meta-llama/Llama-4-Maverick-17B-128E-Instruct"):
        assert load_registry().get(base).multimodal, base
        front = f"license: other\nlicense_name: llama4\nbase_model: {base}"
        report, _ = audit_json(cli, make_repo({"README.md": card(front, "# Llama-finetune\n\nBuilt with Llama.\n")}))
        [eu] = _findings(report, "regional-restriction")
        assert "European Union" in eu["message"], eu


def test_every_llama_3_2_vision_checkpoint_carries_the_eu_restriction(cli, make_repo):
    # Llama 3.2's use policy withholds the rights to its multimodal models from the EU: the 90B as the 11B.
    from license_audit.registry import load_registry

    for base in ("meta-llama/Llama-3.2-11B-Vision-Instruct", "meta-llama/Llama-3.2-90B-Vision-Instruct"):
        assert load_registry().get(base).multimodal, base
        front = f"license: llama3.2\nbase_model: {base}"
        report, _ = audit_json(
            cli, make_repo({"README.md": card(front, "# Llama-vision-tuned\n\nBuilt with Llama.\n")})
        )
        assert _findings(report, "regional-restriction"), base
