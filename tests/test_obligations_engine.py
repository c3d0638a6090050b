"""Duties through chains (registry base_model) and merges, the regional clause, the compatibility matrix,
extra catalogs with --rules, and `rules list` / `rules show`."""

import json

import pytest
import yaml
from conftest import DEEPSEEK_MIT, LLAMA_NOTICE, audit_json, card, license_text, rules_of, write_tree


def rules_dir(tmp_path, models=(), licenses=(), name="org-rules"):
    """A --rules DIR with model entries and license entries given as dicts."""
    root = tmp_path / name
    files = {}
    for m in models:
        files[f"models/{m['id'].replace('/', '__')}.yaml"] = yaml.safe_dump(m, sort_keys=False)
    for lic in licenses:
        files[f"licenses/{lic['id']}.yaml"] = yaml.safe_dump(lic, sort_keys=False)
    root.mkdir()
    write_tree(root, files)
    return root


def findings_of(report, rule):
    return [f for f in report["findings"] if f["rule"] == rule]


# --- chains --------------------------------------------------------------------------------------

FINETUNE = {
    "id": "acme/Harbor-8B",
    "family": "harbor",
    "license": "mit",  # relabelled: its registry says MIT
    "base_model": "meta-llama/Llama-3.1-8B",
    "copyright": ["Copyright (c) 2023 Acme Corp"],
}


def test_chain_quantization_of_a_finetune_owes_the_base_duties(cli, make_repo, tmp_path):
    rules = rules_dir(tmp_path, models=[FINETUNE])
    # A GGUF of acme/Harbor-8B: only card data, no config.json. Llama 3.1's duties still travel.
    repo = make_repo(
        {
            "README.md": card(
                "license: mit\nbase_model: acme/Harbor-8B\nbase_model_relation: quantized", "# Harbor GGUF\n"
            ),
            "LICENSE": DEEPSEEK_MIT.replace("DeepSeek", "Acme Corp"),
            "model-Q4_K_M.gguf": b"GGUF\x03\x00\x00\x00",
        }
    )
    report, code = audit_json(cli, repo, "--rules", rules)
    assert code == 1
    llama = [f for f in report["findings"] if f["upstream"] == "meta-llama/Llama-3.1-8B"]
    got = {f["rule"] for f in llama}
    assert {
        "upstream-license-missing",
        "upstream-notice-missing",
        "attribution-missing",
        "name-prefix-required",
        "license-incompatible",
    } <= got
    assert all("through acme/Harbor-8B" in f["message"] for f in llama)
    # The intermediate model's own copyright line is present: no finding for it.
    assert not [f for f in findings_of(report, "upstream-notice-missing") if "Acme" in f["message"]]


def test_chain_satisfied_when_the_base_duties_are_met(cli, make_repo, tmp_path):
    rules = rules_dir(tmp_path, models=[FINETUNE])
    repo = make_repo(
        {
            "README.md": card(
                "license: llama3.1\nbase_model: acme/Harbor-8B\nmodel_name: Llama-Harbor-GGUF",
                "Built with Llama. Acceptable Use Policy applies.\n",
            ),
            "LICENSE": license_text("llama3.1"),
            "LICENSE-MIT": DEEPSEEK_MIT.replace("DeepSeek", "Acme Corp"),
            "NOTICE": LLAMA_NOTICE,
        }
    )
    report, code = audit_json(cli, repo, "--rules", rules)
    assert code == 0, report["findings"]
    assert rules_of(report, "error") == set()


def test_chain_of_three_and_cycles_terminate(cli, make_repo, tmp_path):
    models = [
        {"id": "a/Top", "family": "x", "license": "mit", "base_model": "b/Mid"},
        {"id": "b/Mid", "family": "x", "license": "mit", "base_model": ["deepseek-ai/DeepSeek-V3", "a/Top"]},
    ]
    rules = rules_dir(tmp_path, models=models)
    repo = make_repo({"README.md": card("license: mit\nbase_model: a/Top"), "LICENSE": license_text("mit")})
    report, _ = audit_json(cli, repo, "--rules", rules)
    ds = [f for f in report["findings"] if f["upstream"] == "deepseek-ai/DeepSeek-V3"]
    assert ds and all("through a/Top -> b/Mid" in f["message"] for f in ds)
    assert "use-restrictions-missing" in {f["rule"] for f in ds}


# --- merges --------------------------------------------------------------------------------------


def test_merge_owes_every_parent_duties(cli, make_repo):
    front = (
        "license: other\nlicense_name: acme\nbase_model:\n- meta-llama/Llama-3.1-8B\n- deepseek-ai/DeepSeek-V3\n"
        "base_model_relation: merge\nmodel_name: Llama-Merge"
    )
    repo = make_repo(
        {
            "README.md": card(front, "Built with Llama. Acceptable Use Policy. Attachment A use restrictions.\n"),
            "LICENSE": license_text("llama3.1"),
            "NOTICE": LLAMA_NOTICE,
        }
    )
    report, code = audit_json(cli, repo)
    assert code == 1
    ups = {
        f["upstream"]
        for f in report["findings"]
        if f["rule"] in ("upstream-license-missing", "upstream-notice-missing")
    }
    assert ups == {"deepseek-ai/DeepSeek-V3"}  # Llama's duties are met, DeepSeek's are not
    # A proprietary license cannot be granted on Llama weights; DeepSeek would allow it.
    inc = findings_of(report, "license-incompatible")
    assert [f["upstream"] for f in inc] == ["meta-llama/Llama-3.1-8B"]


def test_merge_listed_in_the_registry(cli, make_repo, tmp_path):
    merged = {
        "id": "acme/Frankenmerge",
        "family": "x",
        "license": "llama3.1",
        "base_model": ["meta-llama/Llama-3.1-8B", "deepseek-ai/DeepSeek-V3"],
    }
    rules = rules_dir(tmp_path, models=[merged])
    repo = make_repo(
        {
            "README.md": card(
                "license: llama3.1\nbase_model: acme/Frankenmerge\nmodel_name: Llama-F",
                "Built with Llama. Acceptable Use Policy.\n",
            ),
            "LICENSE": license_text("llama3.1"),
            "NOTICE": LLAMA_NOTICE,
        }
    )
    report, _ = audit_json(cli, repo, "--rules", rules)
    msgs = [f["message"] for f in findings_of(report, "upstream-notice-missing")]
    assert any("Copyright (c) 2023 DeepSeek" in m and "through acme/Frankenmerge" in m for m in msgs)


# --- regional restriction (EU clause for multimodal models) ----------------------------------------

VISION_LICENSE = {
    "id": "acme-vision",
    "spdx": "LicenseRef-acme-vision",
    "name": "Acme Vision License",
    "category": "model-community",
    "identify": {"phrases": ["acme vision license agreement"]},
    "derivatives": {"relicense": "same"},
    "obligations": [
        {
            "kind": "regional-restriction",
            "clause": "AUP, multimodal models",
            "region": "the European Union",
            "applies_to": "multimodal",
            "markers": ["european union"],
        }
    ],
}
VISION_MODEL = {"id": "acme/Vision-11B", "family": "acme-vision", "license": "acme-vision", "multimodal": True}
TEXT_MODEL = {"id": "acme/Text-1B", "family": "acme-vision", "license": "acme-vision"}


def test_regional_restriction_for_multimodal_upstream(cli, make_repo, tmp_path):
    rules = rules_dir(tmp_path, models=[VISION_MODEL, TEXT_MODEL], licenses=[VISION_LICENSE])
    repo = make_repo({"README.md": card("license: other\nlicense_name: acme-vision\nbase_model: acme/Vision-11B")})
    report, _ = audit_json(cli, repo, "--rules", rules)
    f = findings_of(report, "regional-restriction")
    assert f and f[0]["severity"] == "warning" and "European Union" in f[0]["message"]
    assert f[0]["clause"] == "Acme Vision License AUP, multimodal models"
    # Stated in the card: passed on.
    repo = make_repo(
        {
            "README.md": card(
                "license: other\nlicense_name: acme-vision\nbase_model: acme/Vision-11B",
                "Not licensed to companies based in the European Union (multimodal).\n",
            )
        }
    )
    report, _ = audit_json(cli, repo, "--rules", rules)
    assert not findings_of(report, "regional-restriction")
    # A text-only upstream under the same license: the clause does not apply...
    repo = make_repo({"README.md": card("license: other\nlicense_name: acme-vision\nbase_model: acme/Text-1B")})
    report, _ = audit_json(cli, repo, "--rules", rules)
    assert not findings_of(report, "regional-restriction")
    # ...unless the derivative itself takes images (a vision tower added on top).
    repo = make_repo(
        {
            "README.md": card("license: other\nlicense_name: acme-vision\nbase_model: acme/Text-1B"),
            "config.json": {"model_type": "mllama", "vision_config": {"hidden_size": 8}},
        }
    )
    report, _ = audit_json(cli, repo, "--rules", rules)
    assert findings_of(report, "regional-restriction")


# --- compatibility -------------------------------------------------------------------------------


def lic(id_, **kw):
    base = {
        "id": id_,
        "spdx": f"LicenseRef-{id_}",
        "name": f"{id_} license",
        "category": "permissive",
        "identify": {"phrases": [f"{id_} license agreement text"]},
    }
    base.update(kw)
    return base


def test_compatibility_matrix_from_data(cli, make_repo, tmp_path):
    licenses = [
        lic(
            "nc-weights",
            category="noncommercial",
            commercial_use=False,
            obligations=[{"kind": "noncommercial", "clause": "1(a)"}],
        ),
        lic(
            "sa-weights",
            sharealike=True,
            derivatives={"allowed": ["sa-weights", "gpl-ish"]},
            obligations=[{"kind": "sharealike", "clause": "3(b)"}],
        ),
        lic("gpl-ish", category="copyleft", sharealike=True),
        lic("nc-research", category="noncommercial", commercial_use=False),
        lic("rail", category="open-rail", derivatives={"forbid_categories": ["permissive"]}),
    ]
    models = [{"id": f"up/{x['id']}", "family": x["id"], "license": x["id"]} for x in licenses]
    rules = rules_dir(tmp_path, models=models, licenses=licenses)

    def verdict(upstream, declared):
        key = (
            f"license: {declared}"
            if declared in ("mit", "apache-2.0", "llama3.1")
            else f"license: other\nlicense_name: {declared}"
        )
        repo = make_repo({"README.md": card(f"{key}\nbase_model: up/{upstream}")})
        report, _ = audit_json(cli, repo, "--rules", rules)
        return findings_of(report, "license-incompatible")

    assert verdict("nc-weights", "mit")  # commercial license on -nc weights
    assert verdict("nc-weights", "acme-proprietary")  # unknown terms are taken as commercial
    assert not verdict("nc-weights", "nc-research")  # another non-commercial license is fine
    assert verdict("nc-weights", "mit")[0]["clause"] == "nc-weights license 1(a)"
    assert verdict("sa-weights", "apache-2.0")  # non-ShareAlike on -sa weights
    assert not verdict("sa-weights", "gpl-ish")  # a listed compatible license
    assert verdict("rail", "mit") and not verdict("rail", "acme-proprietary")


def test_permissive_upstreams_relicense_with_notices(cli, make_repo):
    # MIT upstream (DeepSeek code license) -> Apache or proprietary derivative: fine, the notice must travel.
    for key in ("license: apache-2.0", "license: other\nlicense_name: acme-proprietary"):
        repo = make_repo({"README.md": card(f"{key}\nbase_model: Qwen/Qwen2.5-32B")})
        report, _ = audit_json(cli, repo)
        assert not findings_of(report, "license-incompatible")
        assert findings_of(report, "upstream-license-missing")  # ... but the Apache text must travel


def test_llama_family_forbids_permissive_relicensing(cli, make_repo):
    for key in ("license: apache-2.0", "license: mit", "license: other\nlicense_name: acme-proprietary"):
        repo = make_repo({"README.md": card(f"{key}\nbase_model: meta-llama/Llama-3.1-8B")})
        report, _ = audit_json(cli, repo)
        assert findings_of(report, "license-incompatible"), key


# --- extra catalogs and rules list / show --------------------------------------------------------


def test_extra_catalog_license_duties_apply(cli, make_repo, tmp_path):
    org = lic(
        "acme-model",
        category="model-community",
        derivatives={"relicense": "same"},
        obligations=[
            {"kind": "attribution", "clause": "5", "display_phrases": ["Powered by Acme"]},
            {"kind": "name-prefix", "clause": "6", "prefix": "Acme"},
        ],
    )
    rules = rules_dir(tmp_path, models=[{"id": "acme/Base", "family": "acme", "license": "acme-model"}], licenses=[org])
    repo = make_repo(
        {"README.md": card("license: other\nlicense_name: acme-model\nbase_model: acme/Base\nmodel_name: Tiny")}
    )
    report, _ = audit_json(cli, repo, "--rules", rules)
    assert {"attribution-missing", "name-prefix-required"} <= rules_of(report, "error")
    repo = make_repo(
        {
            "README.md": card(
                "license: other\nlicense_name: acme-model\nbase_model: acme/Base\nmodel_name: Acme-Tiny",
                "Powered by Acme.\n",
            )
        }
    )
    report, _ = audit_json(cli, repo, "--rules", rules)
    assert not {"attribution-missing", "name-prefix-required"} & rules_of(report)
    res = cli("rules", "show", "acme-model", "--rules", rules)
    assert res.exit_code == 0 and "Powered by Acme" in res.output and "-> attribution-missing" in res.output


def test_name_prefix_compares_letters_and_digits(cli, make_repo, tmp_path):
    org = lic("acme3", obligations=[{"kind": "name-prefix", "clause": "1", "prefix": "Llama 3"}])
    rules = rules_dir(tmp_path, models=[{"id": "acme/B", "family": "a", "license": "acme3"}], licenses=[org])
    for name, ok in (
        ("Llama-3-Chat", True),
        ("llama3-chat", True),
        ("Llama 3 Chat", True),
        ("Llama-2-Chat", False),
        ("Chat-Llama-3", False),
    ):
        repo = make_repo(
            {"README.md": card(f"license: other\nlicense_name: acme3\nbase_model: acme/B\nmodel_name: {name}")}
        )
        report, _ = audit_json(cli, repo, "--rules", rules)
        assert bool(findings_of(report, "name-prefix-required")) != ok, name


def test_rules_list_and_show(cli):
    res = cli("rules", "list")
    assert res.exit_code == 0
    for rule in ("license-missing", "upstream-notice-missing", "license-denied", "regional-restriction", "llama3.1"):
        assert rule in res.output
    res = cli("rules", "list", "--format", "json")
    data = json.loads(res.output)
    assert {r["id"] for r in data["rules"]} >= {"license-incompatible", "usage-threshold"}
    res = cli("rules", "show", "attribution-missing")
    assert res.exit_code == 0 and "fix:" in res.output and "llama3.1 1.b.i(B)" in res.output
    res = cli("rules", "show", "llama3.1")
    assert res.exit_code == 0 and "1.b.iii" in res.output and "700000000" in res.output
    res = cli("rules", "show", "no-such-thing")
    assert res.exit_code == 2 and "neither a rule id nor a license id" in res.output


def test_unknown_declared_base_takes_the_cards_vendor_license(cli, make_repo):
    # A GGUF of a fine-tune the registry does not know, declared `license: llama3.1`: Llama 3.1's duties apply.
    repo = make_repo(
        {
            "README.md": card(
                "license: llama3.1\nbase_model: someone/Harbor-FT-8B\nmodel_name: Harbor-Q4", "# Harbor Q4\n"
            ),
            "harbor-q4_k_m.gguf": b"GGUF\x03\x00\x00\x00",
        }
    )
    report, code = audit_json(cli, repo)
    assert code == 1
    got = {f["rule"] for f in report["findings"] if f["upstream"] == "someone/Harbor-FT-8B"}
    assert {"upstream-license-missing", "upstream-notice-missing", "attribution-missing", "name-prefix-required"} <= got
    assert all(
        "license as the card declares" in f["message"]
        for f in report["findings"]
        if f["upstream"] == "someone/Harbor-FT-8B" and f["rule"] != "name-prefix-required"
    )
    # The publisher's own permissive license says nothing about the base: no duties are assumed.
    repo = make_repo(
        {"README.md": card("license: mit\nbase_model: someone/Harbor-FT-8B"), "LICENSE": license_text("mit")}
    )
    report, code = audit_json(cli, repo)
    # No duties are assumed, and the base is not passed in silence: its license is named as unknown.
    named = [f for f in report["findings"] if f["upstream"] == "someone/Harbor-FT-8B"]
    assert code == 0 and [(f["rule"], f["severity"]) for f in named] == [("upstream-license-unknown", "warning")]


def test_adapter_of_an_unknown_base_takes_the_cards_vendor_license(cli, make_repo):
    repo = make_repo(
        {
            "README.md": card("license: gemma", "# LoRA\n"),
            "adapter_config.json": {"base_model_name_or_path": "someone/gemma-ft", "peft_type": "LORA"},
        }
    )
    report, _ = audit_json(cli, repo)
    got = {f["rule"] for f in report["findings"] if f["upstream"] == "someone/gemma-ft"}
    assert {"upstream-license-missing", "upstream-notice-missing", "use-restrictions-missing"} <= got


def test_card_listing_the_upstream_license_among_others_is_compatible(cli, make_repo):
    repo = make_repo({"README.md": card("license:\n- llama3.1\n- cc-by-nc-4.0\nbase_model: meta-llama/Llama-3.1-8B")})
    report, _ = audit_json(cli, repo)
    assert not [f for f in report["findings"] if f["rule"] == "license-incompatible"]
    repo = make_repo({"README.md": card("license:\n- apache-2.0\n- cc-by-nc-4.0\nbase_model: meta-llama/Llama-3.1-8B")})
    report, _ = audit_json(cli, repo)
    assert [f for f in report["findings"] if f["rule"] == "license-incompatible"]


def test_naming_the_deepseek_license_does_not_pass_on_its_use_restrictions(cli, make_repo):
    files = {
        "README.md": card("license: other\nlicense_name: deepseek\nbase_model: deepseek-ai/DeepSeek-V3"),
        "NOTICE": "This model is a derivative of DeepSeek-V3, under the DeepSeek License Agreement.\n"
        "Copyright (c) 2023 DeepSeek\n",
    }
    report, _ = audit_json(cli, make_repo(files))
    assert "use-restrictions-missing" in rules_of(report)
    files["README.md"] += (
        "\nUse of this model is subject to the use-based restrictions in Attachment A of the license.\n"
    )
    report, _ = audit_json(cli, make_repo(files))
    assert "use-restrictions-missing" not in rules_of(report)


def test_different_weight_licenses_and_no_declared_one_are_said_undecided(cli, tmp_path):
    files = {
        "README.md": "# A model\n",
        "MODEL_LICENSE": license_text("bluelm-model-license"),
        "OpenAtom Model License.txt": license_text("openatom-model-license-1.0"),
    }
    report = json.loads(
        cli("audit", str(write_tree(tmp_path / "two", files)), "--format", "json", "--no-history", "--offline").output
    )
    (note,) = [n for n in report["notes"] if n.startswith("license:")]
    assert "bluelm-model-license" in note and "openatom-model-license-1.0" in note
    # A card that declares its license settles it; one weights license file needs no note.
    declared = dict(files, **{"README.md": card("license: other\nlicense_name: openatom-model-license-1.0")})
    one = {k: v for k, v in files.items() if k != "MODEL_LICENSE"}
    for name, tree in (("declared", declared), ("one", one)):
        out = cli("audit", str(write_tree(tmp_path / name, tree)), "--format", "json", "--no-history", "--offline")
        assert not [n for n in json.loads(out.output)["notes"] if n.startswith("license:")], name


# --- a license named by its family, or by the file the card links --------------------------------

EXAONE_CARD = (
    "license: other\nlicense_name: exaone\nlicense_link: LICENSE\nbase_model: LGAI-EXAONE/EXAONE-3.5-7.8B-Instruct"
)


def test_a_card_naming_its_license_as_every_edition_is_named_keeps_the_bases_terms(cli, make_repo):
    # EXAONE's own cards say `license_name: exaone` for each edition of LG's agreement: a derivative that
    # says the same keeps its base's edition, and that edition's duties are still checked.
    repo = make_repo({"README.md": card(EXAONE_CARD)})
    report, _ = audit_json(cli, repo)
    found = rules_of(report)
    assert "license-incompatible" not in found and "license-unknown" not in found, report["findings"]
    # The base's family, known from its name, is confirmed by the card's license: its duties hold in full.
    (missing,) = findings_of(report, "upstream-license-missing")
    assert missing["severity"] == "error", missing


def test_prose_naming_the_license_as_every_edition_is_named_means_the_bases_edition(cli, make_repo):
    # "The Llama license" names no edition: on a Llama 3.1 fine-tune it is Llama 3.1's, never LLaMA 1's
    # non-commercial agreement (which a derivative of Llama 3.1 could not be granted).
    body = "# Llama-3.1-poet\n\nThis model is released under the Llama license.\n"
    repo = make_repo({"README.md": card("base_model: meta-llama/Llama-3.1-8B-Instruct", body)}, name="llama")
    report, _ = audit_json(cli, repo)
    assert "license-incompatible" not in rules_of(report), report["findings"]
    (missing,) = findings_of(report, "license-missing")
    assert (
        "names the Llama 3.1 Community License Agreement only in prose, by the name every edition" in missing["message"]
    )
    assert "`license: llama3.1`" in missing["fix"], missing
    (readme,) = [lf for lf in report["license_files"] if lf["path"] == "README.md"]
    assert len(readme["licenses"]) == 7 and all(m["ambiguous"] for m in readme["licenses"]), readme
    # The text report lists the name once, as the editions it may be.
    text = cli("audit", repo, "--no-history", "--offline").output
    assert "README.md: one of llama-license, llama2, llama3, llama3.1, llama3.2, llama3.3, llama4 [reference]" in text
    # On a base of another family the name establishes no license at all: nothing is said to be declared.
    other_body = body.replace("Llama-3.1-poet", "Poet-7B")
    other = make_repo({"README.md": card("base_model: Qwen/Qwen2.5-7B-Instruct", other_body)}, name="qwen")
    report, _ = audit_json(cli, other)
    assert "license-incompatible" not in rules_of(report), report["findings"]
    (missing,) = findings_of(report, "license-missing")
    assert "only in prose" not in missing["message"], missing


def test_license_other_linking_the_repositorys_license_file_declares_that_files_terms(cli, make_repo):
    # `license_name: exaone` and the LICENSE it links holds the 1.1 - NC text: those are the declared terms.
    same = make_repo({"README.md": card(EXAONE_CARD), "LICENSE": license_text("exaone-1.1-nc")}, name="same")
    report, _ = audit_json(cli, same)
    assert not {"license-incompatible", "license-unknown", "upstream-license-missing"} & set(rules_of(report))
    # A name of its own linking an Apache-2.0 LICENSE declares Apache-2.0, which the base does not allow.
    front = EXAONE_CARD.replace("license_name: exaone", "license_name: my-terms")
    other = make_repo({"README.md": card(front), "LICENSE": license_text("apache-2.0")}, name="other")
    report, _ = audit_json(cli, other)
    bad = findings_of(report, "license-incompatible")
    assert bad and "does not allow relicensing" in bad[0]["message"], report["findings"]


def test_license_other_linking_a_license_page_declares_that_license(cli, make_repo):
    base = "base_model: meta-llama/Llama-3.1-8B-Instruct"
    # A name of its own whose link is the Llama 3.1 license's page: the Llama 3.1 license, not an unknown one.
    own = make_repo(
        {
            "README.md": card(
                f"license: other\nlicense_name: llama-3.1-community\nlicense_link: https://www.llama.com/llama3_1/license/\n{base}"
            )
        },
        name="llama",
    )
    report, _ = audit_json(cli, own)
    assert not {"license-unknown", "license-incompatible"} & set(rules_of(report)), report["findings"]
    # A link to the Apache-2.0 text declares Apache-2.0, and the finding says where that reading comes from.
    apache = make_repo(
        {
            "README.md": card(
                f"license: other\nlicense_name: custom-terms\nlicense_link: https://www.apache.org/licenses/LICENSE-2.0\n{base}"
            )
        },
        name="apache",
    )
    report, _ = audit_json(cli, apache)
    (bad,) = findings_of(report, "license-incompatible")
    assert "`custom-terms` (the Apache License 2.0, by its `license_link`)" in bad["message"], bad


def test_license_link_is_a_path_in_the_repository_and_never_leaves_it(cli, make_repo):
    exaone = "base_model: LGAI-EXAONE/EXAONE-3.5-7.8B-Instruct"
    front = f"license: other\nlicense_name: my-terms\nlicense_link: {{}}\n{exaone}"
    # A file in a dot-folder is the file it names.
    hidden = make_repo(
        {"README.md": card(front.format(".github/LICENSE")), ".github/LICENSE": license_text("apache-2.0")},
        name="hidden",
    )
    report, _ = audit_json(cli, hidden)
    (bad,) = findings_of(report, "license-incompatible")
    assert "(the Apache License 2.0, by its `license_link`)" in bad["message"], bad
    # A link out of the repository reads nothing, even when a file of that name is in it.
    outside = make_repo(
        {"README.md": card(front.format("../LICENSE")), "LICENSE": license_text("apache-2.0")}, name="out"
    )
    report, _ = audit_json(cli, outside)
    assert all("by its `license_link`" not in f["message"] for f in report["findings"]), report["findings"]
    assert "license-unknown" in rules_of(report)


def test_license_link_to_the_models_own_hub_file_is_that_file(cli, tmp_path):
    exaone = "base_model: LGAI-EXAONE/EXAONE-3.5-7.8B-Instruct"
    front = f"license: other\nlicense_name: my-terms\nlicense_link: {{}}\n{exaone}"
    files = {"LICENSE": license_text("apache-2.0")}

    def poet(k, link):
        # The folder is named as the model is published.
        return write_tree(tmp_path / str(k) / "Poet-7B", {"README.md": card(front.format(link)), **files})

    # Cards link their own license file by its Hub address: the file in the repository is what it declares.
    for k, link in enumerate(
        (
            "https://huggingface.co/acme/Poet-7B/blob/main/LICENSE",
            "<https://huggingface.co/acme/poet-7b/resolve/main/LICENSE?download=true>",
        )
    ):
        report, _ = audit_json(cli, poet(k, link))
        (bad,) = findings_of(report, "license-incompatible")
        assert "(the Apache License 2.0, by its `license_link`)" in bad["message"], (link, bad)
    # Another repository's file is that repository's, whatever this one holds under the same path.
    report, _ = audit_json(cli, poet(2, "https://huggingface.co/acme/Other-Model/blob/main/LICENSE"))
    assert all("by its `license_link`" not in f["message"] for f in report["findings"]), report["findings"]
    assert "license-unknown" in rules_of(report)


def test_license_link_to_the_bases_hub_file_is_the_bases_even_under_the_bases_name(cli, tmp_path):
    # A quantization keeps its base's card, title and folder name: the link is Meta's file, not its own MIT copy.
    link = "https://huggingface.co/meta-llama/Llama-3.1-8B-Instruct/blob/main/LICENSE"
    front = f"license: other\nlicense_name: llama3.1-community\nlicense_link: {link}\nbase_model: meta-llama/Llama-3.1-8B-Instruct"
    repo = write_tree(
        tmp_path / "Llama-3.1-8B-Instruct",
        {"README.md": card(front, "# Llama-3.1-8B-Instruct\n"), "LICENSE": license_text("mit")},
    )
    report, _ = audit_json(cli, repo)
    assert all("by its `license_link`" not in f["message"] for f in report["findings"]), report["findings"]
    assert "license-incompatible" not in rules_of(report), report["findings"]


def test_a_use_policy_linked_as_the_license_declares_no_license(cli, make_repo):
    front = "license: other\nlicense_name: my-llama-terms\nlicense_link: USE_POLICY.md\nbase_model: meta-llama/Llama-3.1-8B-Instruct"
    repo = make_repo({"README.md": card(front), "USE_POLICY.md": license_text("llama3.1-acceptable-use-policy")})
    report, _ = audit_json(cli, repo)
    assert all("Acceptable Use Policy, by its `license_link`" not in f["message"] for f in report["findings"])


@pytest.mark.parametrize(
    "name", ["tencent-hunyuan-community", "tencent_hunyuan_community", "Tencent Hunyuan Community"]
)
def test_a_shared_name_is_compared_as_catalog_keys_are(cli, make_repo, name):
    repo = make_repo({"README.md": card(f"license: other\nlicense_name: {name}\nbase_model: tencent/HunyuanVideo")})
    report, _ = audit_json(cli, repo)
    assert "license-unknown" not in rules_of(report), report["findings"]
    (missing,) = findings_of(report, "upstream-license-missing")
    assert missing["severity"] == "error", missing


def test_a_shared_name_alone_names_no_base(cli, make_repo):
    # `tencent-license` is what Hunyuan-Large's cards call its agreement; on a card with nothing else of
    # Hunyuan, it does not make the model a Hunyuan-Large derivative.
    repo = make_repo(
        {"README.md": card("license: other\nlicense_name: tencent-license", "# DepthThing\n\nA depth model.\n")}
    )
    report, _ = audit_json(cli, repo)
    assert not report["lineage"], report["lineage"]
    assert "base-model-undeclared" not in rules_of(report), report["findings"]


def test_a_hub_license_file_link_names_the_license_of_a_model_a_rules_dir_registers(cli, tmp_path):
    # The registry a link is read with holds the --rules DIR's models, as the audit's lineage does.
    rules = rules_dir(tmp_path, models=[FINETUNE])
    link = tmp_path / "NOTICE"
    link.write_text("https://huggingface.co/acme/Harbor-8B/blob/main/LICENSE\n", encoding="utf-8")
    assert "mit (MIT) [reference]" in cli("identify", str(link), "--rules", str(rules)).output
    assert "mit" not in cli("identify", str(link)).output
