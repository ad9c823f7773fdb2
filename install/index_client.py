"""The package index over HTTP, for install/wheel_install.py: each host looked up once, connections kept open.

Standard library only. Many downloads at once through urllib would look each host up again for every request
and handshake every time; resolvers drop some of many simultaneous queries, and each drop stalls a download
for the resolver's five-second retry. Here a host is looked up once per install (one lookup at a time) and
each download thread keeps one connection per host.
"""

from __future__ import annotations

import http.client
import json
import socket
import ssl
import threading
import urllib.parse
import urllib.request

LARGEST = 256 * 2**20  # bytes one answer may hold: far above any wheel this action installs


def safe_to_show(url: str) -> str:
    """`url` without what may hold a secret: user, password, query string."""
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.hostname}{f':{parts.port}' if parts.port else ''}{parts.path}"


class IndexProblem(Exception):
    """The index could not be read the way this client reads it."""


class AddressedConnection(http.client.HTTPSConnection):
    """An HTTPS connection to addresses looked up beforehand, checked against the host's certificate."""

    def __init__(self, host: str, port: int, addresses: list[str], tls: ssl.SSLContext, timeout: float):
        super().__init__(host, port, timeout=timeout, context=tls)
        self.addresses, self.tls = addresses, tls

    def connect(self) -> None:
        """Connect to the first address that answers, then verify the host name over TLS."""
        failure: OSError = OSError(f"{self.host} has no address")
        for address in self.addresses:
            try:
                raw = socket.create_connection((address, self.port), self.timeout)
            except OSError as problem:
                failure = problem
                continue
            try:
                self.sock = self.tls.wrap_socket(raw, server_hostname=self.host)
            except BaseException:
                raw.close()
                raise
            return
        raise failure


class IndexClient:
    """GET requests to the index and its file host; safe to share between download threads."""

    def __init__(self, index: str, timeout: float = 30) -> None:
        if any(urllib.request.getproxies().get(scheme) for scheme in ("https", "http", "all")):
            raise IndexProblem("a proxy is configured, which this client does not use")
        self.local_index = index.startswith("http://127.0.0.1:")  # plain HTTP only to an index on loopback
        self.timeout = timeout
        self.tls = ssl.create_default_context()  # the certificate store is read once, not once per request
        self.addresses: dict[tuple[str, int], list[str]] = {}
        self.looking_up = threading.Lock()
        self.local = threading.local()
        self.opened: list[http.client.HTTPConnection] = []

    def address(self, host: str, port: int) -> list[str]:
        """The host's addresses, looked up on first use and then remembered."""
        with self.looking_up:
            if (host, port) not in self.addresses:
                found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
                self.addresses[host, port] = list(dict.fromkeys(str(entry[4][0]) for entry in found))
            return self.addresses[host, port]

    def connection(self, scheme: str, host: str, port: int) -> http.client.HTTPConnection:
        """This thread's open connection to the host, made when it has none."""
        kept: dict[tuple[str, str, int], http.client.HTTPConnection]
        kept = self.local.__dict__.setdefault("kept", {})
        key = (scheme, host, port)
        if key not in kept:
            if scheme == "https":
                kept[key] = AddressedConnection(host, port, self.address(host, port), self.tls, self.timeout)
            elif self.local_index and host == "127.0.0.1":
                kept[key] = http.client.HTTPConnection(host, port, timeout=self.timeout)
            else:
                raise IndexProblem(f"the index gave a URL that is not https: {scheme}://{host}")
            self.opened.append(kept[key])
        return kept[key]

    def get(self, url: str, accept: str = "*/*") -> bytes:
        """The body of a 200 answer to GET `url`; one retry on a fresh connection if a kept one was closed."""
        parts = urllib.parse.urlsplit(url)
        if parts.username or parts.password:
            raise IndexProblem("the index URL holds credentials, which this client does not send")
        shown = safe_to_show(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        failure: Exception | None = None
        for _ in range(2):
            connection = self.connection(parts.scheme, parts.hostname or "", port)
            try:
                connection.request("GET", target or "/", headers={"Accept": accept})
                answer = connection.getresponse()
                body = answer.read(LARGEST + 1)
            except (http.client.HTTPException, ConnectionError) as problem:
                failure = problem
                connection.close()
                del self.local.kept[parts.scheme, parts.hostname or "", port]
                continue
            if answer.status != 200:
                raise IndexProblem(f"GET {shown} answered {answer.status}")
            if len(body) > LARGEST:
                raise IndexProblem(f"GET {shown} answered more than {LARGEST // 2**20} MiB")
            return body
        raise IndexProblem(f"GET {shown} failed: {failure}") from failure

    def files(self, index: str, name: str) -> tuple[str, list[dict]]:
        """The page URL and file list of one project, from the index's JSON simple API (PEP 691)."""
        page = f"{index.rstrip('/')}/{name}/"
        body = self.get(page, accept="application/vnd.pypi.simple.v1+json")
        try:
            return page, list(json.loads(body)["files"])
        except (ValueError, KeyError, TypeError) as problem:
            raise IndexProblem(f"{safe_to_show(page)} is not the JSON simple API: {problem}") from problem

    def close(self) -> None:
        """Close every connection any thread opened."""
        for connection in self.opened:
            connection.close()
