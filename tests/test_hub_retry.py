"""Rate limits and server errors: every Hub request goes through one bounded retry policy."""

from __future__ import annotations

import json

import pytest
from conftest import audit_json, card, config_of
from fakehub import FakeHub, Repo

from license_audit.sources.hub_http import RetryTransport, wait_for


class Answer:
    def __init__(self, status: int, headers: dict | None = None):
        self.status_code = status
        self.headers = {k.lower(): v for k, v in (headers or {}).items()}
        self.closed = False

    def read(self):
        return b""

    def close(self):
        self.closed = True


class Inner:
    def __init__(self, answers):
        self.answers = list(answers)
        self.sent = 0

    def handle_request(self, request):
        self.sent += 1
        return self.answers.pop(0)


class Request:
    def __init__(self, method="GET"):
        self.method = method


def transport(answers, monkeypatch=None):
    waits: list[float] = []
    inner = Inner(answers)
    return RetryTransport(inner, sleep=waits.append), inner, waits


def test_retry_after_is_honoured_then_the_answer_passes():
    t, inner, waits = transport([Answer(429, {"Retry-After": "3"}), Answer(503), Answer(200)])
    assert t.handle_request(Request()).status_code == 200
    assert inner.sent == 3 and waits[0] == 3.0 and 0 < waits[1] <= 1.0


def test_retries_and_waits_are_bounded(monkeypatch):
    monkeypatch.setenv("LICENSE_AUDIT_HUB_RETRIES", "2")
    monkeypatch.setenv("LICENSE_AUDIT_HUB_MAX_WAIT", "5")
    t, inner, waits = transport([Answer(429, {"Retry-After": "3600"})] * 5)
    assert t.handle_request(Request()).status_code == 429  # given up: the caller's error
    assert inner.sent == 3 and waits == [5.0, 5.0]


def test_only_idempotent_requests_and_retryable_statuses_are_retried():
    t, inner, _ = transport([Answer(503), Answer(200)])
    assert t.handle_request(Request("POST")).status_code == 503 and inner.sent == 1
    t, inner, _ = transport([Answer(404), Answer(200)])
    assert t.handle_request(Request()).status_code == 404 and inner.sent == 1


def test_rate_limit_headers_and_http_dates():
    assert wait_for({"ratelimit": '"api";r=0;t=7', "ratelimit-policy": '"fixed";q=10;w=300'}, 1, 60) == 7
    assert wait_for({"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}, 1, 60) == 0  # a date passed: no wait
    assert wait_for({}, 3, 60) == pytest.approx(4 * 0.5)


@pytest.fixture
def small_hub(monkeypatch, tmp_path):
    import huggingface_hub.constants as c

    import license_audit.sources.hub_http as hub_http

    hub = FakeHub()
    cfg = json.dumps(config_of("deepseek-ai/DeepSeek-V3")).encode()
    hub.add(Repo("acme/model", {"README.md": card("license: mit").encode(), "config.json": cfg}, ["deepseek_v3"]))
    hub.start()
    monkeypatch.setenv("HF_ENDPOINT", hub.endpoint)
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setattr(c, "HF_HUB_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(c, "HF_HUB_OFFLINE", False)
    monkeypatch.setattr(hub_http, "BASE_WAIT", 0.001)
    yield hub
    hub.stop()


def test_a_429_storm_does_not_turn_an_hf_target_into_an_error(cli, small_hub):
    small_hub.repos["acme/model"].storm = 5  # model info and the first downloads answered 429
    report, _ = audit_json(cli, "hf:acme/model", "--no-history")
    assert report["target"]["id"] == "acme/model"
    assert small_hub.calls() >= 5


def test_a_storm_past_the_bound_is_one_line_exit_2(cli, small_hub, monkeypatch):
    monkeypatch.setenv("LICENSE_AUDIT_HUB_RETRIES", "1")
    small_hub.repos["acme/model"].storm = 50
    res = cli("audit", "hf:acme/model", "--no-history")
    assert res.exit_code == 2 and "HTTP 429" in res.output and len(res.output.strip().splitlines()) == 1


def test_an_hf_target_costs_one_info_call_and_one_download_per_file(cli, small_hub):
    audit_json(cli, "hf:acme/model", "--no-history")
    kinds = small_hub.per_kind()
    # model_info lists the files (no tree listing); README and config.json are downloaded once each.
    assert kinds["info"] == 1 and kinds["tree"] == 0 and kinds["get"] == 2
    small_hub.log.clear()
    audit_json(cli, "hf:acme/model", "--no-history")
    # Again: the cache has the commit's files and records refs/main: only model_info is asked.
    assert small_hub.per_kind() == {"info": 1}
