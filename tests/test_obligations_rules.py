"""One failing and one passing fixture repository per duty rule, with the built-in catalog's real licenses
(Gemma, Qwen, Llama 3 and 3.2, CC BY-NC, Apache NOTICE) and fixture registry entries passed with --rules."""

import pytest
import yaml
from conftest import audit_json, card, write_tree
from test_obligations_catalog import copy_of

from license_audit.catalog import load_catalog


def license_text(lic_id):
    """The catalog's reference text, or a copy made of the license's identify phrases when none ships."""
    return copy_of(load_catalog().get(lic_id))


GEMMA_NOTICE = "Gemma is provided under and subject to the Gemma Terms of Use found at ai.google.dev/gemma/terms\n"
QWEN_NOTICE = "Qwen is licensed under the Qwen LICENSE AGREEMENT, Copyright (c) Alibaba Cloud. All Rights Reserved.\n"
L32_NOTICE = "Llama 3.2 is licensed under the Llama 3.2 Community License, Copyright © Meta Platforms, Inc. All Rights Reserved.\n"

MODELS = [
    {"id": "google/gemma-2-2b", "family": "gemma2", "license": "gemma"},
    {"id": "Qwen/Qwen2.5-72B", "family": "qwen2.5", "license": "qwen"},
    {"id": "meta-llama/Meta-Llama-3-8B", "family": "llama3", "license": "llama3"},
    {"id": "meta-llama/Llama-3.2-11B-Vision", "family": "llama3.2-vision", "license": "llama3.2", "multimodal": True},
    {"id": "meta-llama/Llama-3.2-1B", "family": "llama3.2", "license": "llama3.2"},
    {
        "id": "facebook/musicgen-small",
        "family": "musicgen",
        "license": "cc-by-nc-4.0",
        "copyright": ["Copyright (c) Meta Platforms, Inc."],
    },
    {
        "id": "01-ai/Yi-1.5-6B",
        "family": "yi",
        "license": "apache-2.0",
        "notice": "This product includes Yi models developed by 01.AI (https://01.ai).",
    },
]


def registry(tmp_path):
    root = tmp_path / "fixture-rules"
    write_tree(root, {f"models/{m['id'].replace('/', '__')}.yaml": yaml.safe_dump(m) for m in MODELS})
    return root


def found(cli, repo, rules, rule):
    report, _ = audit_json(cli, repo, "--rules", rules)
    return [f for f in report["findings"] if f["rule"] == rule]


def gemma_repo(**over):
    files = {
        "README.md": card(
            "license: gemma\nbase_model: google/gemma-2-2b", "Use is subject to the Gemma Prohibited Use Policy.\n"
        ),
        "LICENSE": license_text("gemma"),
        "NOTICE": GEMMA_NOTICE,
    }
    files.update(over)
    return {k: v for k, v in files.items() if v is not None}


def test_upstream_license_missing_gemma(cli, make_repo, tmp_path):
    rules = registry(tmp_path)
    f = found(cli, make_repo(gemma_repo(LICENSE=None)), rules, "upstream-license-missing")
    assert f and f[0]["clause"] == "Gemma Terms of Use 3.1(2)" and f[0]["path"] == "LICENSE"
    assert not found(cli, make_repo(gemma_repo()), rules, "upstream-license-missing")


def test_upstream_notice_missing_gemma_notice_text(cli, make_repo, tmp_path):
    rules = registry(tmp_path)
    f = found(cli, make_repo(gemma_repo(NOTICE=None)), rules, "upstream-notice-missing")
    assert f and "Gemma is provided under" in f[0]["message"] and f[0]["clause"] == "Gemma Terms of Use 3.1(4)"
    assert not found(cli, make_repo(gemma_repo()), rules, "upstream-notice-missing")


def test_upstream_notice_missing_apache_notice_file(cli, make_repo, tmp_path):
    rules = registry(tmp_path)
    base = {
        "README.md": card("license: apache-2.0\nbase_model: 01-ai/Yi-1.5-6B"),
        "LICENSE": license_text("apache-2.0"),
    }
    f = found(cli, make_repo(base), rules, "upstream-notice-missing")
    assert f and "01.AI" in f[0]["message"] and f[0]["clause"] == "Apache License 2.0 4(d)"
    ok = {**base, "NOTICE": "This product includes Yi models developed by 01.AI (https://01.ai).\n"}
    assert not found(cli, make_repo(ok), rules, "upstream-notice-missing")


def test_use_restrictions_missing_gemma(cli, make_repo, tmp_path):
    rules = registry(tmp_path)
    # A copy of the Gemma terms incorporates the Prohibited Use Policy, so only a repo without one fails.
    repo = make_repo(gemma_repo(LICENSE=None, **{"README.md": card("license: gemma\nbase_model: google/gemma-2-2b")}))
    f = found(cli, repo, rules, "use-restrictions-missing")
    assert f and "ai.google.dev/gemma/prohibited_use_policy" in f[0]["fix"]
    assert not found(cli, make_repo(gemma_repo()), rules, "use-restrictions-missing")


def qwen_repo(body="Built with Qwen.\n", **over):
    files = {
        "README.md": card("license: other\nlicense_name: qwen\nbase_model: Qwen/Qwen2.5-72B", body),
        "LICENSE": license_text("qwen"),
        "NOTICE": QWEN_NOTICE,
    }
    files.update(over)
    return files


def test_attribution_missing_qwen(cli, make_repo, tmp_path):
    rules = registry(tmp_path)
    f = found(cli, make_repo(qwen_repo("A fine model.\n")), rules, "attribution-missing")
    assert f and '"Built with Qwen" or "Improved using Qwen"' in f[0]["message"]
    assert f[0]["clause"].endswith("5(b)")
    assert not found(cli, make_repo(qwen_repo("Improved using Qwen.\n")), rules, "attribution-missing")


def test_usage_threshold_qwen_100m(cli, make_repo, tmp_path):
    rules = registry(tmp_path)
    f = found(cli, make_repo(qwen_repo()), rules, "usage-threshold")
    assert f and f[0]["severity"] == "info" and "100,000,000" in f[0]["message"]
    repo = make_repo({"README.md": card("license: apache-2.0\nbase_model: 01-ai/Yi-1.5-6B")})
    assert not found(cli, repo, rules, "usage-threshold")


def llama3_repo(name):
    return {
        "README.md": card(
            f"license: llama3\nbase_model: meta-llama/Meta-Llama-3-8B\nmodel_name: {name}",
            "Built with Meta Llama 3. Acceptable Use Policy applies.\n",
        ),
        "LICENSE": license_text("llama3"),
        "NOTICE": "Meta Llama 3 is licensed under the Meta Llama 3 Community License, Copyright © Meta Platforms, Inc. All Rights Reserved.\n",
    }


def test_name_prefix_required_llama3(cli, make_repo, tmp_path):
    rules = registry(tmp_path)
    f = found(cli, make_repo(llama3_repo("Llama-Harbor-8B")), rules, "name-prefix-required")
    assert f and '"Llama 3"' in f[0]["message"]  # Llama 3 wants "Llama 3", not just "Llama"
    assert not found(cli, make_repo(llama3_repo("Llama-3-Harbor-8B")), rules, "name-prefix-required")


def test_attribution_llama3_wants_meta_llama_3(cli, make_repo, tmp_path):
    rules = registry(tmp_path)
    files = llama3_repo("Llama-3-Harbor-8B")
    files["README.md"] = files["README.md"].replace("Built with Meta Llama 3", "Built with Llama")
    f = found(cli, make_repo(files), rules, "attribution-missing")
    assert f and "Built with Meta Llama 3" in f[0]["message"]


def test_license_incompatible_commercial_on_nc_weights(cli, make_repo, tmp_path):
    rules = registry(tmp_path)
    repo = make_repo({"README.md": card("license: apache-2.0\nbase_model: facebook/musicgen-small")})
    f = found(cli, repo, rules, "license-incompatible")
    assert f and "forbids commercial use" in f[0]["message"] and "2(a)(1)" in f[0]["clause"]
    repo = make_repo({"README.md": card("license: cc-by-nc-4.0\nbase_model: facebook/musicgen-small")})
    assert not found(cli, repo, rules, "license-incompatible")


@pytest.mark.parametrize(
    "body, carried",
    [
        # CC BY-NC 4.0 3(a)(1)(C) takes "the URI or hyperlink to this Public License" for its text.
        ("License: [CC BY-NC 4.0](https://creativecommons.org/licenses/by-nc/4.0/).\n", True),
        ("License: CC BY-NC 4.0, https://creativecommons.org/licenses/by-nc/4.0/legalcode\n", True),
        ("License: CC BY-NC 4.0.\n", False),  # named, not linked
        ("License: [CC BY 4.0](https://creativecommons.org/licenses/by/4.0/).\n", False),  # another license's link
    ],
)
def test_a_link_to_the_license_carries_it_where_its_terms_take_a_link(cli, make_repo, tmp_path, body, carried):
    rules = registry(tmp_path)
    repo = make_repo({"README.md": card("license: cc-by-nc-4.0\nbase_model: facebook/musicgen-small", body)})
    missing = found(cli, repo, rules, "upstream-license-missing")
    assert (not missing) is carried, missing


def llama32_repo(base, body="Built with Llama. Acceptable Use Policy applies.\n", **over):
    files = {
        "README.md": card(f"license: llama3.2\nbase_model: {base}\nmodel_name: Llama-3.2-Harbor", body),
        "LICENSE": license_text("llama3.2"),
        "NOTICE": L32_NOTICE,
    }
    files.update(over)
    return files


def test_regional_restriction_llama32_vision(cli, make_repo, tmp_path):
    rules = registry(tmp_path)
    f = found(cli, make_repo(llama32_repo("meta-llama/Llama-3.2-11B-Vision")), rules, "regional-restriction")
    assert f and f[0]["severity"] == "warning" and "European Union" in f[0]["message"]
    assert (
        f[0]["clause"] == "Llama 3.2 Community License Agreement Acceptable Use Policy (Llama 3.2), multimodal models"
    )
    # Stated in the card, or a text-only base: no finding.
    body = "Built with Llama. Acceptable Use Policy applies. Not licensed in the European Union for multimodal use.\n"
    assert not found(
        cli, make_repo(llama32_repo("meta-llama/Llama-3.2-11B-Vision", body)), rules, "regional-restriction"
    )
    assert not found(cli, make_repo(llama32_repo("meta-llama/Llama-3.2-1B")), rules, "regional-restriction")


def test_regional_restriction_waivable_by_policy(cli, make_repo, tmp_path):
    rules = registry(tmp_path)
    policy = (
        "waivers:\n  - rule: regional-restriction\n    upstream: meta-llama/Llama-3.2-*\n"
        "    reason: publisher is incorporated in Canada\n"
    )
    repo = make_repo(llama32_repo("meta-llama/Llama-3.2-11B-Vision", **{".license-audit.yaml": policy}))
    f = found(cli, repo, rules, "regional-restriction")
    assert f and f[0]["waived"] and f[0]["waiver_reason"] == "publisher is incorporated in Canada"


def _shared_file(case):
    from conftest import SHARED

    folder = SHARED / "data" / "license-texts" / case
    if not folder.is_dir():
        pytest.skip("shared reference data (../shared/data) is absent")
    return next(p for p in sorted(folder.iterdir()) if p.name != "expected.json").read_text(encoding="utf-8")


def test_real_llama3_text_in_a_llama32_vision_derivative(cli, make_repo, tmp_path):
    # aws-neuron shipped the Llama 3 text in the Llama 3.2 Vision folder: the version comes from the text.
    rules = registry(tmp_path)
    repo = make_repo(llama32_repo("meta-llama/Llama-3.2-11B-Vision", LICENSE=_shared_file("llama3-text-in-mllama-dir")))
    f = found(cli, repo, rules, "upstream-license-missing")
    assert f and "Llama 3.2 Community License" in f[0]["message"]


def test_real_gemma_notice_file(cli, make_repo, tmp_path):
    rules = registry(tmp_path)
    repo = make_repo(gemma_repo(LICENSE=None, NOTICE=None, **{"NOTICE.txt": _shared_file("gemma-notice-only")}))
    assert not found(cli, repo, rules, "upstream-notice-missing")
    assert found(cli, repo, rules, "upstream-license-missing")
