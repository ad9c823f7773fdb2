"""The HTTP server under every stand-in: faults answer first, then the service; requests are logged and each
message a service accepts is told to its listeners."""

from __future__ import annotations

import base64
import contextlib
import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self
from urllib.parse import parse_qsl, urlsplit

Reply = tuple[int, dict[str, str], bytes]
JSON_TYPE = "application/json; charset=utf-8"
TEXT_TYPE = "text/html"
MAX_DELAY = 5.0  # a delayed answer never holds a server thread longer than this


@dataclass(frozen=True)
class Recorded:
    """One request a stand-in answered, and the status it answered with."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    status: int
    params: dict[str, list[str]] = field(default_factory=dict)  # every value of each query key, in order

    @property
    def json(self) -> Any:
        """The request's JSON body (None when it has none or it is not JSON)."""
        try:
            return json.loads(self.body) if self.body else None
        except ValueError:
            return None

    @property
    def auth(self) -> tuple[str, str] | None:
        """The Basic credentials sent, if any."""
        scheme, _, value = self.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "basic":
            return None
        try:
            user, _, password = base64.b64decode(value).decode("utf-8").partition(":")
        except ValueError:
            return None
        return user, password


@dataclass(frozen=True)
class Heard:
    """A message a service accepted, as a person reads it: the service, what it is, and its text if any."""

    service: str
    what: str
    text: str = ""


@dataclass
class Fault:
    """An answer for the next `times` requests that match (method and path regex, when given)."""

    status: int
    body: bytes
    headers: dict[str, str]
    times: int
    method: str | None = None
    path: re.Pattern[str] | None = None
    delay: float = 0.0

    def matches(self, method: str, path: str) -> bool:
        """Whether this fault answers the request."""
        if self.method is not None and self.method != method:
            return False
        return self.path is None or self.path.search(path) is not None


class StandIn:
    """A threaded HTTP server on 127.0.0.1: faults answer first, then `answer`; every request is logged."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []
        self._log: list[Recorded] = []
        self._listeners: list[Callable[[Heard], None]] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.01,), daemon=True)

    @property
    def base_url(self) -> str:
        """http://127.0.0.1:PORT"""
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> Self:
        """Serve in a background thread."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and free the port."""
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # --- faults and the log ---

    def fail_next(
        self,
        times: int,
        status: int,
        body: str | bytes | dict[str, Any] = b"",
        headers: dict[str, str] | None = None,
        method: str | None = None,
        path: str | None = None,
        delay: float = 0.0,
    ) -> None:
        """Answer the next `times` matching requests with `status` and `body` (after `delay` seconds)."""
        raw, content_type = _encode(body)
        all_headers = {"Content-Type": content_type, **(headers or {})}
        pattern = re.compile(path) if path is not None else None
        fault = Fault(status, raw, all_headers, times, method, pattern, min(delay, MAX_DELAY))
        with self._lock:
            self._faults.append(fault)

    def clear_faults(self) -> None:
        """Answer normally again."""
        with self._lock:
            self._faults.clear()

    @property
    def log(self) -> list[Recorded]:
        """Every request answered so far, oldest first."""
        with self._lock:
            return list(self._log)

    def clear_log(self) -> None:
        """Forget the requests answered so far."""
        with self._lock:
            self._log.clear()

    def listen(self, listener: Callable[[Heard], None]) -> None:
        """Tell `listener` each message the service accepts, before the sender has its answer."""
        with self._lock:
            self._listeners.append(listener)

    def answer(
        self, method: str, path: str, query: dict[str, str], headers: dict[str, str], body: bytes
    ) -> Reply:
        """The normal answer to one request (subclasses implement the service)."""
        raise NotImplementedError

    def respond(
        self, method: str, path: str, params: dict[str, list[str]], headers: dict[str, str], body: bytes
    ) -> Reply:
        """The normal answer given every value of each query key (by default `answer`, with the last)."""
        return self.answer(method, path, {k: v[-1] for k, v in params.items()}, headers, body)

    def heard(self, request: Recorded) -> Heard | None:
        """The message an accepted request delivered, if it delivered one (subclasses say which)."""
        return None

    def _handle(self, method: str, target: str, headers: dict[str, str], body: bytes) -> Reply:
        """A fault's answer or the service's, logged."""
        split = urlsplit(target)
        pairs = parse_qsl(split.query)
        query = dict(pairs)
        params: dict[str, list[str]] = {}
        for key, value in pairs:
            params.setdefault(key, []).append(value)
        fault = self._take_fault(method, split.path)
        if fault is not None:
            if fault.delay:
                time.sleep(fault.delay)
            reply: Reply = (fault.status, dict(fault.headers), fault.body)
        else:
            with self._lock:
                reply = self.respond(method, split.path, params, headers, body)
        recorded = Recorded(method, split.path, query, headers, body, reply[0], params)
        with self._lock:
            self._log.append(recorded)
            listeners = list(self._listeners)
        message = self.heard(recorded) if recorded.status < 400 and listeners else None
        if message is not None:
            for listener in listeners:
                listener(message)
        return reply

    def _take_fault(self, method: str, path: str) -> Fault | None:
        """The first pending fault matching the request, spent once."""
        with self._lock:
            for fault in self._faults:
                if fault.times > 0 and fault.matches(method, path):
                    fault.times -= 1
                    return fault
            return None


def _handler_for(standin: StandIn) -> type[BaseHTTPRequestHandler]:
    """A request handler class that passes every request to `standin`."""

    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            headers = {k.lower(): v for k, v in self.headers.items()}
            status, reply_headers, raw = standin._handle(self.command, self.path, headers, body)
            self.send_response(status)
            for name, value in reply_headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            with contextlib.suppress(OSError):  # the client may have timed out and gone
                self.wfile.write(raw)

        do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _serve

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: the stand-in keeps its own log."""

    return Handler


def _encode(body: str | bytes | dict[str, Any] | list[Any]) -> tuple[bytes, str]:
    """Raw bytes and content type of a reply body."""
    if isinstance(body, dict | list):
        return json.dumps(body).encode("utf-8"), JSON_TYPE
    if isinstance(body, str):
        return body.encode("utf-8"), TEXT_TYPE
    return body, TEXT_TYPE


def text_answer(status: int, text: str) -> Reply:
    """A Slack-style plain-text answer."""
    return status, {"Content-Type": TEXT_TYPE}, text.encode("utf-8")


def json_answer(status: int, data: Any, headers: dict[str, str] | None = None) -> Reply:
    """A JSON answer."""
    return status, {"Content-Type": JSON_TYPE, **(headers or {})}, json.dumps(data).encode("utf-8")
