"""The policy file: fail-on, severity overrides, allowed and denied licenses, waivers with reasons and expiry."""

from datetime import date, timedelta

from conftest import audit_json, card, config_of, llama_repo, rules_of
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from license_audit.errors import InputError
from license_audit.policy import parse_policy


def no_notice(policy: str | None = None):
    files = llama_repo(NOTICE=None)
    if policy is not None:
        files[".license-audit.yaml"] = policy
    return files


def findings_of(report, rule):
    return [f for f in report["findings"] if f["rule"] == rule]


def test_waiver_by_path_keeps_the_finding_visible_and_passes(cli, make_repo):
    policy = (
        "waivers:\n  - rule: upstream-notice-missing\n    path: NOTICE\n    reason: Notice is in the product docs\n"
    )
    report, code = audit_json(cli, make_repo(no_notice(policy)))
    f = findings_of(report, "upstream-notice-missing")
    assert code == 0
    assert f and f[0]["waived"] is True and f[0]["waiver_reason"] == "Notice is in the product docs"
    assert report["summary"]["error"] == 0
    report, code = audit_json(cli, make_repo(no_notice()))
    assert code == 1 and "waived" not in findings_of(report, "upstream-notice-missing")[0]


def test_waiver_by_upstream_glob(cli, make_repo):
    policy = "waivers:\n  - rule: upstream-notice-missing\n    upstream: meta-llama/*\n    reason: agreed with Meta\n"
    report, code = audit_json(cli, make_repo(no_notice(policy)))
    assert code == 0 and findings_of(report, "upstream-notice-missing")[0]["waived"]


def test_waiver_for_another_path_does_not_match(cli, make_repo):
    policy = "waivers:\n  - rule: upstream-notice-missing\n    path: docs/*\n    reason: other file\n"
    report, code = audit_json(cli, make_repo(no_notice(policy)))
    assert code == 1 and "waived" not in findings_of(report, "upstream-notice-missing")[0]


def test_expired_waiver_stops_working_and_says_so(cli, make_repo):
    past = (date.today() - timedelta(days=2)).isoformat()
    future = (date.today() + timedelta(days=30)).isoformat()
    tmpl = "waivers:\n  - rule: upstream-notice-missing\n    path: NOTICE\n    reason: temporary\n    expires: {}\n"
    report, code = audit_json(cli, make_repo(no_notice(tmpl.format(past))))
    assert code == 1
    assert "waived" not in findings_of(report, "upstream-notice-missing")[0]
    assert any("expired" in n and past in n for n in report.get("notes", []))
    report, code = audit_json(cli, make_repo(no_notice(tmpl.format(future))))
    assert code == 0 and findings_of(report, "upstream-notice-missing")[0]["waived"]


def test_policy_option_overrides_the_repository_file(cli, make_repo, tmp_path):
    outside = tmp_path / "org-policy.yaml"
    outside.write_text(
        "waivers:\n  - rule: upstream-notice-missing\n    path: NOTICE\n    reason: org-wide\n", encoding="utf-8"
    )
    repo = make_repo(no_notice("fail-on: never\n"))
    report, code = audit_json(cli, repo, "--policy", outside)
    assert code == 0 and findings_of(report, "upstream-notice-missing")[0]["waiver_reason"] == "org-wide"


def test_fail_on_from_policy_and_command_line_wins(cli, make_repo):
    repo = make_repo(no_notice("fail-on: never\n"))
    _, code = audit_json(cli, repo)
    assert code == 0
    _, code = audit_json(cli, repo, "--fail-on", "error")
    assert code == 1
    # usage-threshold is info: fail-on warning still passes a compliant repo; severity override makes it fail.
    repo = make_repo(llama_repo(**{".license-audit.yaml": "fail-on: warning\n"}))
    _, code = audit_json(cli, repo)
    assert code == 0
    repo = make_repo(llama_repo(**{".license-audit.yaml": "fail-on: warning\nseverity:\n  usage-threshold: warning\n"}))
    report, code = audit_json(cli, repo)
    assert code == 1 and findings_of(report, "usage-threshold")[0]["severity"] == "warning"


def test_severity_override_can_lower_an_error(cli, make_repo):
    repo = make_repo(no_notice("severity:\n  upstream-notice-missing: warning\n"))
    report, code = audit_json(cli, repo)
    assert code == 0 and findings_of(report, "upstream-notice-missing")[0]["severity"] == "warning"


def test_severity_override_keeps_the_possibly_derived_downgrade(cli, make_repo):
    cfg = config_of("deepseek-ai/DeepSeek-V3", num_hidden_layers=30, max_position_embeddings=4096, rope_theta=50000)
    files = {
        "README.md": card("license: other\nlicense_name: acme"),
        "config.json": cfg,
        ".license-audit.yaml": "severity:\n  base-model-undeclared: error\n  use-restrictions-missing: info\n",
    }
    report, _ = audit_json(cli, make_repo(files))
    assert {f["severity"] for f in findings_of(report, "base-model-undeclared")} == {"warning"}
    assert {f["severity"] for f in findings_of(report, "use-restrictions-missing")} == {"info"}


def test_denied_license_of_an_upstream(cli, make_repo):
    report, code = audit_json(cli, make_repo(llama_repo(**{".license-audit.yaml": "licenses:\n  deny: [llama3.1]\n"})))
    denied = findings_of(report, "license-denied")
    assert code == 1 and denied
    assert {f["upstream"] for f in denied} >= {"meta-llama/Llama-3.1-8B"}
    report, code = audit_json(
        cli, make_repo(llama_repo(**{".license-audit.yaml": "licenses:\n  deny: [cc-by-nc-4.0]\n"}))
    )
    assert code == 0 and not findings_of(report, "license-denied")


def test_allowed_list(cli, make_repo):
    report, code = audit_json(
        cli, make_repo(llama_repo(**{".license-audit.yaml": "licenses:\n  allow: [mit, apache-2.0]\n"}))
    )
    assert code == 1 and any("not on the allowed list" in f["message"] for f in findings_of(report, "license-denied"))
    # Aliases resolve through the catalog: `Llama-3.1` is llama3.1.
    report, code = audit_json(
        cli, make_repo(llama_repo(**{".license-audit.yaml": "licenses:\n  allow: [Llama-3.1]\n"}))
    )
    assert code == 0 and not findings_of(report, "license-denied")


def test_denied_finding_can_be_waived(cli, make_repo):
    policy = (
        "licenses:\n  deny: [llama3.1]\nwaivers:\n  - rule: license-denied\n    path: '*'\n"
        "    reason: approved by legal, ticket 42\n"
    )
    report, code = audit_json(cli, make_repo(llama_repo(**{".license-audit.yaml": policy})))
    assert code == 0 and all(f["waived"] for f in findings_of(report, "license-denied"))


def test_text_report_shows_waived_findings(cli, make_repo):
    policy = (
        "waivers:\n  - rule: upstream-notice-missing\n    path: NOTICE\n    reason: Notice is in the product docs\n"
    )
    res = cli("audit", make_repo(no_notice(policy)))
    assert res.exit_code == 0
    assert "(waived: Notice is in the product docs) upstream-notice-missing" in res.output


BAD = [
    ("fail-on: sometimes\n", ":1:", "fail-on"),
    ("severity:\n  no-such-rule: error\n", ":2:", "no-such-rule"),
    ("severity:\n  license-missing: fatal\n", ":2:", "fatal"),
    ("colour: blue\n", ":1:", "colour"),
    ("licenses:\n  permit: [mit]\n", ":2:", "permit"),
    ("waivers:\n  - rule: license-missing\n    path: README.md\n", ":2:", "reason"),
    ("waivers:\n  - rule: license-missing\n    reason: x\n", ":2:", "path"),
    ("waivers:\n  - rule: license-missing\n    path: x\n    reason: y\n    expires: next week\n", ":5:", "date"),
    ("waivers:\n  - rule: license-missing\n    path: x\n    reasn: y\n", ":4:", "reasn"),
    ("waivers: [\n", ":", "YAML"),
    ("- just a list\n", ":1:", "mapping"),
]


def test_bad_policy_exits_2_naming_the_line(cli, make_repo):
    for text, line, word in BAD:
        res = cli("audit", make_repo(llama_repo(**{".license-audit.yaml": text})))
        assert res.exit_code == 2, text
        assert ".license-audit.yaml" + line in res.output and word in res.output, (text, res.output)
        assert "Traceback" not in res.output


def test_missing_policy_option_file_exits_2(cli, make_repo, tmp_path):
    res = cli("audit", make_repo(llama_repo()), "--policy", tmp_path / "nope.yaml")
    assert res.exit_code == 2 and "policy file not found" in res.output


def test_empty_policy_changes_nothing(cli, make_repo):
    report, code = audit_json(cli, make_repo(llama_repo(**{".license-audit.yaml": ""})))
    assert code == 0 and "usage-threshold" in rules_of(report)


def test_alias_bomb_policy_is_refused(cli, make_repo):
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join('*' + chr(97 + i) for _ in range(10))}]\n" for i in range(12)
    )
    res = cli("audit", make_repo(llama_repo(**{".license-audit.yaml": bomb})))
    assert res.exit_code == 2 and ".license-audit.yaml:1:" in res.output and "Traceback" not in res.output


def test_any_text_is_a_policy_or_one_input_error():
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from license_audit.errors import InputError
    from license_audit.policy import parse_policy

    keys = st.sampled_from(
        [
            "fail-on",
            "severity",
            "licenses",
            "waivers",
            "rule",
            "path",
            "reason",
            "expires",
            "allow",
            "deny",
            "upstream-notice-missing",
            "error",
            "- ",
            ": ",
            "\n  ",
            "[",
            "{",
            "*a",
            "&a ",
            "2026-01-01",
            "'",
            '"',
            "\t",
            "#",
        ]
    )

    @settings(max_examples=300, deadline=None)
    @given(st.lists(keys, max_size=30).map("".join))
    def check(text):
        try:
            parse_policy(text, "p.yaml")
        except InputError as exc:
            assert str(exc).startswith("p.yaml")

    check()


FUZZ = settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)


policy_ish = st.text(alphabet=st.sampled_from(list("-:[]{}&*!|>'\"#\n abcfilonrswvxy0123,.%@")), max_size=200)


@FUZZ
@given(policy_ish)
def test_policy_any_text_is_a_policy_or_one_input_error(text):
    try:
        parse_policy(text, ".license-audit.yaml")
    except InputError as exc:
        assert "\n" not in str(exc) and str(exc).startswith(".license-audit.yaml")


def _one_clear_line(res) -> str:
    assert res.exit_code == 2, res.output
    out = res.output.strip()
    assert "internal error" not in out and "Traceback" not in out
    return out


def test_huge_policy_file_is_refused_not_read_whole(cli, make_repo, tmp_path):
    big = tmp_path / "policy.yaml"
    big.write_text("# " + "x" * (1024 * 1024) + "\n", encoding="utf-8")
    repo = make_repo({"README.md": card("license: mit"), "LICENSE": "MIT License\n"})
    assert "larger than" in _one_clear_line(cli("audit", repo, "--policy", big))
