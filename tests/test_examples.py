"""The bundled examples behave as the README says."""

from pathlib import Path

from conftest import audit_json, rules_of

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def test_deepseek_example(cli):
    report, code = audit_json(cli, EXAMPLES / "deepseek-v3-relabelled")
    assert code == 1
    undeclared = [f for f in report["findings"] if f["rule"] == "base-model-undeclared"]
    assert undeclared[0]["upstream"] == "deepseek-ai/DeepSeek-V3"
    notices = [f for f in report["findings"] if f["rule"] == "upstream-notice-missing"]
    assert any("Copyright (c) 2023 DeepSeek" in f["message"] for f in notices)
    assert report["lineage"][0]["model"] == "deepseek-ai/DeepSeek-V3" and report["lineage"][0]["confidence"] >= 0.8


def test_qwen_example(cli):
    report, code = audit_json(cli, EXAMPLES / "qwen25-32b-proprietary")
    assert code == 1
    assert {"base-model-undeclared", "upstream-license-missing"} <= rules_of(report, "error")
    assert report["lineage"][0]["model"] == "Qwen/Qwen2.5-32B"


def test_compliant_llama_example(cli):
    report, code = audit_json(cli, EXAMPLES / "llama31-compliant")
    assert code == 0
    assert rules_of(report, "error") == set()


def test_readme_sample_report_is_the_real_output(cli, monkeypatch):
    """The README shows the DeepSeek example's text report; it must be what the tool prints today."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    monkeypatch.chdir(root)
    readme = (root / "README.md").read_text(encoding="utf-8")
    head = "Sample report (`license-audit audit examples/deepseek-v3-relabelled`):\n\n```\n"
    assert head in readme
    sample = readme.split(head, 1)[1].split("```\n", 1)[0]
    res = cli("audit", "examples/deepseek-v3-relabelled")
    assert res.exit_code == 1
    assert res.output == sample
