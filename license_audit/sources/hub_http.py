"""One retry policy for every Hub request the tool makes: 429 and 5xx answers are retried with bounded backoff.

huggingface_hub retries some of its requests (downloads, list pages) but not the API calls most audits
make (model info, tree, commits), and it waits as long as a `Retry-After` header says. Here the retries
sit in the HTTP transport of huggingface_hub's shared client (built with its public
`set_client_factory`), so `audit hf:...`, `batch` and `watch` share them whichever huggingface_hub
function sends the request. The wait is the Hub's `Retry-After` (or its `RateLimit` headers, read by
huggingface_hub's `parse_ratelimit_headers`), else exponential backoff from BASE_WAIT; every wait is
capped at MAX_WAIT and the retries of a request at MAX_RETRIES, so a storm of 429s costs a bounded time
and then becomes the target's error record.

Only idempotent requests (GET, HEAD) are retried. The bounds can be set through the environment
(LICENSE_AUDIT_HUB_RETRIES, LICENSE_AUDIT_HUB_MAX_WAIT) for a Hub that asks for longer waits.
"""

from __future__ import annotations

import importlib
import os
import threading
import time
from collections.abc import Callable
from email.utils import parsedate_to_datetime
from typing import Any

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
RETRY_METHODS = frozenset({"GET", "HEAD"})
BASE_WAIT = 0.5  # seconds before the first retry when the Hub says nothing
MAX_RETRIES = 6
MAX_WAIT = 60.0  # one wait never exceeds this, whatever Retry-After asks


def _env_number(name: str, default: float) -> float:
    try:
        value = float(os.environ.get(name, ""))
    except ValueError:
        return default
    return value if value >= 0 else default


def retry_bounds() -> tuple[int, float]:
    return int(_env_number("LICENSE_AUDIT_HUB_RETRIES", MAX_RETRIES)), _env_number(
        "LICENSE_AUDIT_HUB_MAX_WAIT", MAX_WAIT
    )


def wait_for(headers: Any, attempt: int, max_wait: float) -> float:
    """Seconds to wait before retry number `attempt` (1-based) of an answer with these headers."""
    from huggingface_hub.utils import parse_ratelimit_headers

    wait: float | None = None
    info = parse_ratelimit_headers(headers)
    if info is not None and info.remaining == 0:
        wait = float(info.reset_in_seconds)
    else:
        value = (headers.get("retry-after") or "").strip()
        if value.isdigit():
            wait = float(value)
        elif value:
            try:  # Retry-After may also be an HTTP date
                wait = parsedate_to_datetime(value).timestamp() - time.time()
            except (TypeError, ValueError, IndexError, OverflowError):
                wait = None
    if wait is None:
        wait = BASE_WAIT * 2 ** (attempt - 1)
    return max(0.0, min(wait, max_wait))


class RetryTransport:
    """An httpx transport that retries a wrapped transport's 429/5xx answers to GET and HEAD requests.

    Duck-typed as an httpx transport (handle_request, close, context manager), so the retry policy is tested
    without a network and without importing httpx.
    """

    def __init__(self, inner: Any, sleep=time.sleep):
        self.inner = inner
        self.sleep = sleep

    def handle_request(self, request: Any) -> Any:
        retries, max_wait = retry_bounds()
        attempt = 0
        while True:
            response = self.inner.handle_request(request)
            if response.status_code not in RETRY_STATUSES or request.method not in RETRY_METHODS or attempt >= retries:
                return response
            attempt += 1
            wait = wait_for(response.headers, attempt, max_wait)
            try:
                # An error body is small: read, the connection goes back to the pool instead of being dropped.
                response.read()
            finally:
                response.close()
            self.sleep(wait)

    def close(self) -> None:
        self.inner.close()

    def __enter__(self):
        self.inner.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.inner.__exit__(*exc)


def retrying_client_factory(template: Any) -> Callable[[], Any]:
    """A client factory for huggingface_hub: clients configured like `template`, sending through RetryTransport.

    `template` is the client huggingface_hub would otherwise use; its public settings (event hooks, which
    enforce offline mode and tag requests, redirects, timeout, headers) carry over, and the transport is a
    RetryTransport around a fresh transport of the same httpx package (which huggingface_hub names `httpx2`
    in recent versions). Proxies from the environment are mounted by the client as usual.
    """
    httpx = importlib.import_module(type(template).__module__.split(".")[0])
    hooks = {name: list(functions) for name, functions in template.event_hooks.items()}
    follow_redirects, timeout, headers = template.follow_redirects, template.timeout, template.headers

    def factory() -> Any:
        return httpx.Client(
            transport=RetryTransport(httpx.HTTPTransport()),
            event_hooks=hooks,
            follow_redirects=follow_redirects,
            timeout=timeout,
            headers=headers,
        )

    return factory


_installed = False
_lock = threading.Lock()


def install() -> None:
    """Route huggingface_hub's shared client through RetryTransport (once per process; forks inherit it)."""
    global _installed
    if _installed:
        return
    with _lock:
        if _installed:
            return
        from huggingface_hub import set_client_factory
        from huggingface_hub.utils import get_session

        set_client_factory(retrying_client_factory(get_session()))
        _installed = True
