"""An in-memory Hugging Face Hub on 127.0.0.1 for watch, batch listings and rate-limit tests (and bench/).

Answers what huggingface_hub and license_audit ask: model listings (`/api/models` with tag filters,
`expand`, `limit` and cursor links), model info, and file resolves (HEAD/GET with X-Repo-Commit, ETag,
byte ranges). Faults are switched on per hub or per repository: gated (401/403), removed (404 while
still listed), 429 storms with Retry-After, 5xx answers, list pages whose JSON arrives cut short.
Repositories are generated programmatically and served from memory.
"""

from __future__ import annotations

import hashlib
import json
import socket
import threading
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit


def sha_of(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()


class QuietServer(ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        # A client that drops a connection (a retried answer, a capped read) is no server error; the
        # default prints a traceback on stderr, which a command's captured output would then carry.
        pass


@dataclass
class Repo:
    id: str
    files: dict[str, bytes]
    tags: list[str]
    sha: str = ""
    last_modified: str = "2025-01-01T00:00:00.000Z"
    gated: int = 0  # 401 or 403: resolves refused
    removed: bool = False  # still listed, gone everywhere else
    storm: int = 0  # the next `storm` requests about this repository get 429

    def __post_init__(self):
        if not self.sha:
            self.sha = sha_of(self.id + json.dumps(sorted(self.files)) + self.last_modified)


@dataclass
class FakeHub:
    repos: dict[str, Repo] = field(default_factory=dict)
    page_size: int = 100
    retry_after: str = "0"
    storm_every: int = 0  # every `storm_every`-th request is answered 429 (0: never)
    error_every: int = 0  # every `error_every`-th request is answered 503 (0: never)
    truncate_pages: set[int] = field(default_factory=set)  # page offsets served cut short, once each
    log: list[tuple[str, str]] = field(default_factory=list)
    endpoint: str = ""

    def __post_init__(self):
        self.lock = threading.Lock()
        self.count = 0

    def add(self, repo: Repo) -> Repo:
        self.repos[repo.id] = repo
        return repo

    def calls(self, kind: str | None = None) -> int:
        return sum(1 for k, _ in self.log if kind is None or k == kind)

    def per_kind(self) -> Counter:
        return Counter(k for k, _ in self.log)

    # -- serving ------------------------------------------------------------------------------------

    def start(self):
        self.server = QuietServer(("127.0.0.1", 0), make_handler(self))
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()
        self.endpoint = f"http://127.0.0.1:{self.server.server_address[1]}"
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


class HubHandler(BaseHTTPRequestHandler):
    """What every loopback Hub answers with: JSON bodies, the Hub's error codes, HEAD without a body.
    A subclass routes GET and HEAD in `handle_any`."""

    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def setup(self):
        super().setup()
        # Headers and body go out in separate writes: without this, each answer waits for the
        # client's delayed ACK (~40 ms), which no real Hub costs.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def _send(self, status: int, body: bytes = b"", headers: dict | None = None, head: bool = False):
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _json(self, obj, head=False, headers=None):
        self._send(200, json.dumps(obj).encode(), {"Content-Type": "application/json", **(headers or {})}, head)

    def _error(self, status: int, code: str, head=False, headers=None):
        body = json.dumps({"error": code}).encode()
        self._send(status, body, {"X-Error-Code": code, "Content-Type": "application/json", **(headers or {})}, head)

    def do_HEAD(self):
        self.handle_any(head=True)

    def do_GET(self):
        self.handle_any(head=False)

    def handle_any(self, head: bool):
        raise NotImplementedError


def make_handler(hub: FakeHub):
    class Handler(HubHandler):
        def handle_any(self, head: bool):
            url = urlsplit(self.path)
            path = unquote(url.path)
            parts = path.strip("/").split("/")
            api = parts[:2] == ["api", "models"]
            if path == "/api/models":
                kind = "list"
            elif api:
                kind = "info" if len(parts) <= 4 or parts[4] == "revision" else parts[4]
            elif len(parts) >= 3 and parts[2] == "resolve":
                kind = "head" if head else "get"
            else:
                kind = "other"
            repo_id = "/".join(parts[2:4]) if api else "/".join(parts[0:2])
            repo = hub.repos.get(repo_id)
            with hub.lock:
                hub.count += 1
                n = hub.count
                hub.log.append((kind, path))
                storm = repo is not None and repo.storm > 0 and kind != "list"
                if storm:
                    repo.storm -= 1
            if storm or (hub.storm_every and n % hub.storm_every == 0):
                return self._error(429, "RateLimited", head, {"Retry-After": hub.retry_after})
            if hub.error_every and n % hub.error_every == 0:
                return self._error(503, "Unavailable", head)
            if kind == "list":
                return self.listing(url.query, head)
            if kind == "other":
                return self._error(404, "NotFound", head)
            if repo is None or repo.removed:
                return self._error(404, "RepoNotFound", head)
            rest = parts[4:] if api else parts[2:]
            if api and kind == "info":
                rev = rest[1] if rest else "main"
                if rev not in ("main", repo.sha):
                    return self._error(404, "RevisionNotFound", head)
                blobs = "blobs=true" in (url.query or "").lower()
                siblings = [
                    dict({"rfilename": f}, **({"size": len(b), "blobId": sha_of(f)} if blobs else {}))
                    for f, b in sorted(repo.files.items())
                ]
                return self._json(
                    {
                        "id": repo.id,
                        "sha": repo.sha,
                        "private": False,
                        "gated": "manual" if repo.gated else False,
                        "siblings": siblings,
                        "tags": repo.tags,
                        "lastModified": repo.last_modified,
                    },
                    head,
                )
            if kind in ("head", "get"):
                rev, name = rest[1], "/".join(rest[2:])
                if rev not in ("main", repo.sha):
                    return self._error(404, "RevisionNotFound", head)
                if repo.gated:
                    return self._error(repo.gated, "GatedRepo", head)
                data = repo.files.get(name)
                headers = {"X-Repo-Commit": repo.sha, "ETag": f'"{sha_of(name + repo.sha)}"'}
                if data is None:
                    return self._send(404, b"", dict(headers, **{"X-Error-Code": "EntryNotFound"}), head)
                rng = self.headers.get("Range")
                if rng and rng.startswith("bytes="):
                    a, _, b = rng[6:].partition("-")
                    part = data[int(a) : int(b) + 1 if b else None]
                    cr = f"bytes {a}-{int(a) + len(part) - 1}/{len(data)}"
                    return self._send(206, part, dict(headers, **{"Content-Range": cr}), head)
                return self._send(200, data, headers, head)
            return self._error(404, "NotFound", head)

        def listing(self, query: str, head: bool):
            params = parse_qsl(query or "")
            filters = [v for k, v in params if k == "filter"]
            expand = {v for k, v in params if k in ("expand", "expand[]")}
            limit = int(next((v for k, v in params if k == "limit"), hub.page_size))
            offset = int(next((v for k, v in params if k == "cursor"), "0"))
            size = min(limit, hub.page_size)
            chosen = [r for _, r in sorted(hub.repos.items()) if all(f in r.tags for f in filters)]
            page = chosen[offset : offset + size]
            items = []
            for r in page:
                item = {"id": r.id, "modelId": r.id, "_id": sha_of(r.id)[:24]}
                if "sha" in expand:
                    item["sha"] = r.sha
                if "lastModified" in expand:
                    item["lastModified"] = r.last_modified
                if "gated" in expand:
                    item["gated"] = "manual" if r.gated else False
                if "siblings" in expand:
                    item["siblings"] = [{"rfilename": f} for f in sorted(r.files)]
                if "tags" in expand:
                    item["tags"] = r.tags
                items.append(item)
            headers = {}
            if offset + size < len(chosen):
                rest = [(k, v) for k, v in params if k != "cursor"] + [("cursor", str(offset + size))]
                headers["Link"] = f'<{hub.endpoint}/api/models?{urlencode(rest, quote_via=quote)}>; rel="next"'
            body = json.dumps(items).encode()
            with hub.lock:
                cut = offset in hub.truncate_pages
                hub.truncate_pages.discard(offset)
            if cut:
                body = body[: len(body) // 2]
            self._send(200, body, {"Content-Type": "application/json", **headers}, head)

    return Handler
