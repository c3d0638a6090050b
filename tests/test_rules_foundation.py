"""Each foundation rule id with a fixture that fails and one that passes."""

from conftest import DEEPSEEK_MIT, audit_json, card, config_of, license_text, llama_repo, rules_of


def test_compliant_llama_has_no_error(cli, make_repo):
    report, code = audit_json(cli, make_repo(llama_repo()))
    assert code == 0
    assert rules_of(report, "error") == set()
    assert "usage-threshold" in rules_of(report, "info")


def test_license_missing(cli, make_repo):
    report, code = audit_json(cli, make_repo({"README.md": "# nothing\n"}))
    assert code == 1 and "license-missing" in rules_of(report)
    report, _ = audit_json(cli, make_repo({"README.md": card("license: mit"), "LICENSE": license_text("mit")}))
    assert "license-missing" not in rules_of(report)


def test_license_mismatch(cli, make_repo):
    report, code = audit_json(
        cli, make_repo({"README.md": card("license: apache-2.0"), "LICENSE": license_text("mit")})
    )
    assert code == 1 and "license-mismatch" in rules_of(report)
    report, _ = audit_json(cli, make_repo({"README.md": card("license: mit"), "LICENSE": license_text("mit")}))
    assert "license-mismatch" not in rules_of(report)


def test_license_unknown(cli, make_repo):
    report, _ = audit_json(cli, make_repo({"README.md": card("license: mit"), "LICENSE": "Be nice with it.\n"}))
    assert "license-unknown" in rules_of(report, "warning")
    report, _ = audit_json(cli, make_repo({"README.md": card("license: mit"), "LICENSE": license_text("mit")}))
    assert "license-unknown" not in rules_of(report)


def test_base_model_undeclared(cli, make_repo):
    repo = make_repo(
        {"README.md": card("license: other\nlicense_name: acme"), "config.json": config_of("deepseek-ai/DeepSeek-V3")}
    )
    report, code = audit_json(cli, repo)
    f = [f for f in report["findings"] if f["rule"] == "base-model-undeclared"]
    assert code == 1 and f and f[0]["upstream"] == "deepseek-ai/DeepSeek-V3" and f[0]["severity"] == "error"
    repo = make_repo(
        {
            "README.md": card("license: other\nlicense_name: acme\nbase_model: deepseek-ai/DeepSeek-V3"),
            "config.json": config_of("deepseek-ai/DeepSeek-V3"),
        }
    )
    report, _ = audit_json(cli, repo)
    assert "base-model-undeclared" not in rules_of(report)


def test_base_model_mismatch(cli, make_repo):
    repo = make_repo(llama_repo(**{"config.json": config_of("deepseek-ai/DeepSeek-V3")}))
    report, _ = audit_json(cli, repo)
    assert "base-model-mismatch" in rules_of(report, "warning")
    report, _ = audit_json(cli, make_repo(llama_repo()))
    assert "base-model-mismatch" not in rules_of(report)


def test_upstream_license_missing(cli, make_repo):
    report, code = audit_json(cli, make_repo(llama_repo(LICENSE=None)))
    assert code == 1 and "upstream-license-missing" in rules_of(report, "error")
    report, _ = audit_json(cli, make_repo(llama_repo()))
    assert "upstream-license-missing" not in rules_of(report)


def test_upstream_notice_missing_copyright_line(cli, make_repo):
    base = {
        "README.md": card(
            "license: other\nlicense_name: deepseek\nbase_model: deepseek-ai/DeepSeek-V3",
            "Attachment A use restrictions apply.\n",
        ),
        "config.json": config_of("deepseek-ai/DeepSeek-V3"),
    }
    report, _ = audit_json(cli, make_repo(base))
    msgs = [f["message"] for f in report["findings"] if f["rule"] == "upstream-notice-missing"]
    assert any("Copyright (c) 2023 DeepSeek" in m for m in msgs)
    report, _ = audit_json(cli, make_repo({**base, "LICENSE-CODE": DEEPSEEK_MIT}))
    msgs = [f["message"] for f in report["findings"] if f["rule"] == "upstream-notice-missing"]
    assert not any("Copyright (c) 2023 DeepSeek" in m for m in msgs)


def test_upstream_notice_missing_llama_notice(cli, make_repo):
    report, _ = audit_json(cli, make_repo(llama_repo(NOTICE=None)))
    f = [f for f in report["findings"] if f["rule"] == "upstream-notice-missing"]
    assert f and f[0]["path"] == "NOTICE" and "Llama 3.1 is licensed" in f[0]["message"]


def test_attribution_missing(cli, make_repo):
    repo = make_repo(
        llama_repo(
            **{
                "README.md": card(
                    "license: llama3.1\nbase_model: meta-llama/Llama-3.1-8B\nmodel_name: Llama-3.1-Tiny",
                    "Use policy: Acceptable Use Policy.\n",
                )
            }
        )
    )
    report, _ = audit_json(cli, repo)
    assert "attribution-missing" in rules_of(report, "error")
    report, _ = audit_json(cli, make_repo(llama_repo()))
    assert "attribution-missing" not in rules_of(report)


def test_name_prefix_required(cli, make_repo):
    repo = make_repo(
        llama_repo(
            **{
                "README.md": card(
                    "license: llama3.1\nbase_model: meta-llama/Llama-3.1-8B\nmodel_name: Tiny-Chat",
                    "Built with Llama. Acceptable Use Policy.\n",
                )
            }
        )
    )
    report, _ = audit_json(cli, repo)
    f = [f for f in report["findings"] if f["rule"] == "name-prefix-required"]
    assert f and "Tiny-Chat" in f[0]["message"]
    report, _ = audit_json(cli, make_repo(llama_repo()))
    assert "name-prefix-required" not in rules_of(report)


def test_name_falls_back_to_folder_name(cli, make_repo):
    files = llama_repo(
        **{
            "README.md": card(
                "license: llama3.1\nbase_model: meta-llama/Llama-3.1-8B", "Built with Llama. Acceptable Use Policy.\n"
            )
        }
    )
    report, _ = audit_json(cli, make_repo(files, name="Llama-3.1-folder"))
    assert report["model"]["name"] == "Llama-3.1-folder"
    assert "name-prefix-required" not in rules_of(report)


def test_license_incompatible(cli, make_repo):
    repo = make_repo(
        llama_repo(
            **{
                "README.md": card(
                    "license: apache-2.0\nbase_model: meta-llama/Llama-3.1-8B\nmodel_name: Llama-3.1-Tiny",
                    "Built with Llama. Acceptable Use Policy.\n",
                )
            }
        )
    )
    report, _ = audit_json(cli, repo)
    assert "license-incompatible" in rules_of(report, "error")
    report, _ = audit_json(cli, make_repo(llama_repo()))
    assert "license-incompatible" not in rules_of(report)


def test_permissive_upstream_can_be_relicensed(cli, make_repo):
    # Apache-2.0 base (Qwen2.5-32B) under a proprietary card is fine as long as the Apache text travels.
    repo = make_repo(
        {
            "README.md": card("license: other\nlicense_name: acme-proprietary\nbase_model: Qwen/Qwen2.5-32B"),
            "LICENSE-APACHE": "Apache License\nVersion 2.0, January 2004\n" + "filler " * 10,
            "config.json": config_of("Qwen/Qwen2.5-32B"),
        }
    )
    report, _ = audit_json(cli, repo)
    assert "license-incompatible" not in rules_of(report)


def test_use_restrictions_missing(cli, make_repo):
    repo = make_repo(
        {
            "README.md": card("license: other\nlicense_name: deepseek\nbase_model: deepseek-ai/DeepSeek-V3"),
            "config.json": config_of("deepseek-ai/DeepSeek-V3"),
        }
    )
    report, _ = audit_json(cli, repo)
    assert "use-restrictions-missing" in rules_of(report, "error")


def test_possible_derivation_is_warning_level(cli, make_repo):
    # Three heavy fields changed: still DeepSeek-like, but only "possibly derived".
    cfg = config_of("deepseek-ai/DeepSeek-V3", num_hidden_layers=30, max_position_embeddings=4096, rope_theta=50000)
    report, _ = audit_json(
        cli, make_repo({"README.md": card("license: other\nlicense_name: acme"), "config.json": cfg})
    )
    lin = report["lineage"]
    assert lin and 0.5 <= lin[0]["confidence"] < 0.8
    sev = {f["severity"] for f in report["findings"] if f["rule"] == "base-model-undeclared"}
    assert sev == {"warning"}


def test_base_model_undeclared_points_at_the_file_of_its_evidence(cli, make_repo):
    repo = make_repo(
        {
            "README.md": card("license: mit", "# Model\n\nThis model was fine-tuned from Qwen/Qwen2.5-7B.\n"),
            "LICENSE": "MIT License\n",
            "config.json": {"architectures": ["Unknown"], "hidden_size": 7},
        }
    )
    report, _ = audit_json(cli, repo)
    found = [f for f in report["findings"] if f["rule"] == "base-model-undeclared"]
    assert found and all(f["path"] == "README.md" for f in found), found


def test_license_other_naming_nothing_is_license_missing(cli, make_repo):
    report, code = audit_json(cli, make_repo({"README.md": card("license: other")}))
    assert code == 1 and "license-missing" in {f["rule"] for f in report["findings"]}
    named, _ = audit_json(
        cli, make_repo({"README.md": card("license: other\nlicense_name: acme\nlicense_link: LICENSE")})
    )
    assert "license-missing" not in {f["rule"] for f in named["findings"]}
