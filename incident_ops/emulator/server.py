"""The HTTP side: authentication, faults, pagination, rate-limit headers and the request log."""

from __future__ import annotations

import contextlib
import json
import math
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

from . import routes_clock, routes_issues, routes_labels  # noqa: F401  (they register the routes)
from .faults import FaultTable, InterleavingTable
from .objects import ApiError
from .routing import Ctx, Reply, find
from .serialize import Serializer
from .store import Store

WRITE_METHODS = ("POST", "PATCH", "PUT", "DELETE")
JSON_TYPE = "application/json; charset=utf-8"


@dataclass(frozen=True)
class RequestRecord:
    """One request the emulator answered; `path` is percent-decoded, without the query."""

    method: str
    path: str
    query: dict[str, str]
    status: int
    login: str | None
    json: object | None


class RateLimits:
    """Per-caller request counts in hourly windows of real time (never enforced)."""

    def __init__(self) -> None:
        """No calls counted yet."""
        self._used: dict[str | None, tuple[int, int]] = {}

    def count(self, login: str | None, spend: bool) -> dict[str, str]:
        """Spend one call (when `spend`) and return the X-RateLimit-* headers."""
        now = int(time.time())
        used, reset = self._used.get(login, (0, now + 3600))
        if now >= reset:
            used, reset = 0, now + 3600
        used += 1 if spend else 0
        self._used[login] = (used, reset)
        limit = 60 if login is None else 5000
        return {
            "X-RateLimit-Limit": str(limit),
            "X-RateLimit-Remaining": str(max(0, limit - used)),
            "X-RateLimit-Reset": str(reset),
            "X-RateLimit-Used": str(used),
            "X-RateLimit-Resource": "core",
        }


class App:
    """Answers raw HTTP requests against the store; thread-safe through the store's lock."""

    def __init__(self, store: Store, base_url: str) -> None:
        """Serve this store with URLs under base_url."""
        self.store = store
        self.base_url = base_url
        self.ser = Serializer(store, base_url)
        self.faults = FaultTable()
        self.interleavings = InterleavingTable()
        self.log: list[RequestRecord] = []
        self.rates = RateLimits()
        self._request_ids = 0

    def handle(
        self, method: str, target: str, auth: str | None, raw: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        """Status, headers and body for one request."""
        split = urlsplit(target)
        path = unquote(split.path)
        query = dict(parse_qsl(split.query, keep_blank_values=True))
        with self.store.lock:
            body, bad_json = _parse_json(raw)
            login: str | None = None
            try:
                login = self._authenticate(auth)
                if (other := self.interleavings.take(method, path, body)) is not None:
                    other.action()  # under the store's (re-entrant) lock: nothing else happens in between
                fault = self.faults.take(method, path)
                if fault is not None and fault.apply:
                    # A lost response: the change is made, the caller sees the fault.
                    with contextlib.suppress(ApiError):
                        self._dispatch(method, split.path, query, login, body, bad_json)
                if fault is not None:
                    status, headers, data = fault.answer()
                else:
                    reply = self._dispatch(method, split.path, query, login, body, bad_json)
                    status, headers, data = reply.status, reply.headers, reply.data
                    if reply.paginate:
                        data, links = _paginate(data, query, self.base_url + split.path)
                        headers = {**headers, **links}
            except ApiError as error:
                status, headers, data = error.status, error.headers, error.body()
            self.log.append(RequestRecord(method, path, query, status, login, body))
            headers = {**self.rates.count(login, path != "/rate_limit"), **headers}
            self._request_ids += 1
            headers.setdefault("X-GitHub-Request-Id", f"E{self._request_ids:07X}")
            headers.setdefault("X-GitHub-Media-Type", "github.v3; format=json")
            headers.setdefault("X-GitHub-Api-Version-Selected", "2022-11-28")
        return status, headers, _encode(data, headers)

    def _authenticate(self, auth: str | None) -> str | None:
        """The login of the token in the Authorization header; None when anonymous."""
        if not auth:
            return None
        scheme, _, token = auth.strip().partition(" ")
        login = self.store.tokens.get(token.strip())
        if scheme.lower() not in ("token", "bearer") or login is None:
            raise ApiError(401, "Bad credentials")
        return login

    def _dispatch(
        self,
        method: str,
        raw_path: str,
        query: dict[str, str],
        login: str | None,
        body: Any,
        bad_json: bool,
    ) -> Reply:
        """Run the matching route."""
        if raw_path == "/rate_limit" and method == "GET":
            return Reply(data=self._rate_limit_body(login))
        found = find(method, raw_path)
        if found is None:
            raise ApiError(404, "Not Found")
        if bad_json:
            raise ApiError(400, "Problems parsing JSON")
        if method in WRITE_METHODS and login is None:
            raise ApiError(401, "Requires authentication")
        handler, params = found
        return handler(Ctx(self.store, self.ser, login, query, body), **params)

    def _rate_limit_body(self, login: str | None) -> dict[str, Any]:
        """GET /rate_limit: the caller's core budget (this call is free, as on GitHub)."""
        headers = self.rates.count(login, spend=False)
        core = {
            "limit": int(headers["X-RateLimit-Limit"]),
            "remaining": int(headers["X-RateLimit-Remaining"]),
            "reset": int(headers["X-RateLimit-Reset"]),
            "used": int(headers["X-RateLimit-Used"]),
            "resource": "core",
        }
        search = {**core, "limit": 30, "remaining": 30, "used": 0, "resource": "search"}
        graphql = {**core, "limit": 5000, "remaining": 5000, "used": 0, "resource": "graphql"}
        return {"resources": {"core": core, "search": search, "graphql": graphql}, "rate": core}


def _parse_json(raw: bytes) -> tuple[Any, bool]:
    """The request body as JSON; (None, True) when it is not JSON."""
    if not raw.strip():
        return None, False
    try:
        return json.loads(raw), False
    except ValueError:
        return None, True


def _encode(data: Any, headers: dict[str, str]) -> bytes:
    """The response body bytes; sets Content-Type unless the caller chose one."""
    if data is None:
        return b""
    if isinstance(data, bytes | str):
        headers.setdefault("Content-Type", "text/plain; charset=utf-8")
        return data.encode() if isinstance(data, str) else data
    headers.setdefault("Content-Type", JSON_TYPE)
    return json.dumps(data, ensure_ascii=False).encode("utf-8")


def _paginate(items: list[Any], query: dict[str, str], url: str) -> tuple[list[Any], dict[str, str]]:
    """One page of items and GitHub's Link header (absent when there is a single page)."""
    per_page = _int(query.get("per_page"), 30)
    per_page = 30 if per_page < 1 else min(per_page, 100)
    page = max(1, _int(query.get("page"), 1))
    last = max(1, math.ceil(len(items) / per_page))
    chunk = items[(page - 1) * per_page : page * per_page]
    if last == 1:
        return chunk, {}

    def link(number: int, rel: str) -> str:
        return f'<{url}?{urlencode({**query, "page": str(number)})}>; rel="{rel}"'

    links = []
    if page > 1:
        links.append(link(min(page - 1, last), "prev"))
    if page < last:
        links += [link(page + 1, "next"), link(last, "last")]
    if page > 1:
        links.append(link(1, "first"))
    return chunk, {"Link": ", ".join(links)}


def _int(text: str | None, default: int) -> int:
    """An integer parameter, or the default when absent or malformed."""
    try:
        return int(text) if text is not None else default
    except ValueError:
        return default


class _Handler(BaseHTTPRequestHandler):
    """Hands every request to the App and writes its answer with a Content-Length."""

    protocol_version = "HTTP/1.1"
    # Headers and body leave in one segment; otherwise keep-alive clients stall on delayed ACKs.
    wbufsize = -1
    disable_nagle_algorithm = True
    server: EmulatorServer

    def _serve(self) -> None:
        """Read the body, answer, keep the connection open."""
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        auth = self.headers.get("Authorization")
        status, headers, body = self.server.app.handle(self.command, self.path, auth, raw)
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body:
            self.wfile.write(body)

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _serve

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet."""


class EmulatorServer(ThreadingHTTPServer):
    """A threading HTTP server bound to the App."""

    daemon_threads = True

    def __init__(self, app_factory: Any, host: str = "127.0.0.1", port: int = 0) -> None:
        """Bind now (so the port is known), then build the App with the final base URL."""
        super().__init__((host, port), _Handler)
        self.app: App = app_factory(f"http://{host}:{self.server_address[1]}")
