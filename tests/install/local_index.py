"""A package index on 127.0.0.1 for the install tests, answering each GET from a function of its path."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@contextlib.contextmanager
def local_index(answer: Callable[[str, str], bytes | None]) -> Iterator[tuple[str, list[str]]]:
    """Serve `answer(path, base URL)` (404 when None); yields the base URL and every path asked for."""
    asked: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # connections stay open, as an index's do

        def do_GET(self) -> None:  # noqa: N802 - the http.server API
            asked.append(self.path)
            body = answer(self.path, f"http://127.0.0.1:{self.server.server_address[1]}")
            if body is None:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", asked
    finally:
        server.shutdown()
        thread.join(timeout=5)
