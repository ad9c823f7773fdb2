"""Local HTTP stand-ins on 127.0.0.1 for a Slack incoming webhook and FreshDesk API v2, with faults."""

from __future__ import annotations

import base64
import contextlib
import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self
from urllib.parse import parse_qsl, urlencode, urlsplit

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

    def answer(
        self, method: str, path: str, query: dict[str, str], headers: dict[str, str], body: bytes
    ) -> Reply:
        """The normal answer to one request (subclasses implement the service)."""
        raise NotImplementedError

    def _handle(self, method: str, target: str, headers: dict[str, str], body: bytes) -> Reply:
        """A fault's answer or the service's, logged."""
        split = urlsplit(target)
        query = dict(parse_qsl(split.query))
        fault = self._take_fault(method, split.path)
        if fault is not None:
            if fault.delay:
                time.sleep(fault.delay)
            reply: Reply = (fault.status, dict(fault.headers), fault.body)
        else:
            with self._lock:
                reply = self.answer(method, split.path, query, headers, body)
        with self._lock:
            self._log.append(Recorded(method, split.path, query, headers, body, reply[0]))
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


def _text(status: int, text: str) -> Reply:
    """A Slack-style plain-text answer."""
    return status, {"Content-Type": TEXT_TYPE}, text.encode("utf-8")


def _json(status: int, data: Any, headers: dict[str, str] | None = None) -> Reply:
    """A JSON answer."""
    return status, {"Content-Type": JSON_TYPE, **(headers or {})}, json.dumps(data).encode("utf-8")


# --- Slack ------------------------------------------------------------------------------------------


class SlackStandIn(StandIn):
    """A Slack incoming webhook: POST {"text": …} to the secret URL answers 200 "ok", errors as text."""

    def __init__(self, secret: str = "xS3cr3tW3bh00kT0k3n") -> None:
        super().__init__()
        self.secret = secret
        self.path = f"/services/T0HUBTEAM/B0INCIDENT/{secret}"
        self.revoked = False
        self.archived = False
        self.accepted: list[dict[str, Any]] = []

    @property
    def url(self) -> str:
        """The webhook URL (itself a secret)."""
        return self.base_url + self.path

    @property
    def messages(self) -> list[str]:
        """The text of every message the channel received, oldest first."""
        with self._lock:
            return [str(m.get("text", "")) for m in self.accepted]

    def answer(
        self, method: str, path: str, query: dict[str, str], headers: dict[str, str], body: bytes
    ) -> Reply:
        """Slack's answers: "ok", or an error code as text with its HTTP status."""
        if path != self.path:
            return _text(404, "no_service")
        if method != "POST":
            return _text(400, "invalid_payload")
        if self.revoked:
            return _text(403, "invalid_token")
        if self.archived:
            return _text(410, "channel_is_archived")
        try:
            payload = json.loads(body)
        except ValueError:
            return _text(400, "invalid_payload")
        if not isinstance(payload, dict):
            return _text(400, "invalid_payload")
        if not payload.get("text") and not payload.get("blocks"):
            return _text(400, "no_text")
        self.accepted.append(payload)
        return _text(200, "ok")

    def outage(self, times: int = 100) -> None:
        """Slack's servers fail: 500 rollup_error for the next `times` requests."""
        self.fail_next(times, 500, "rollup_error")


# --- FreshDesk --------------------------------------------------------------------------------------

AGENT_ID = 9001  # the agent whose API key the tool uses
REQUESTER_ID = 5001
UNAUTHORIZED = {"code": "invalid_credentials", "message": "You have to be logged in to perform this action."}
STATUSES = (2, 3, 4, 5)  # Open, Pending, Resolved, Closed
SOURCE_REPLY, SOURCE_NOTE = 0, 2
_TAG = re.compile(r"<[^>]+>")
_TICKET = re.compile(r"^/api/v2/tickets/(?P<id>\d+)(?P<rest>/[a-z]+)?$")


@dataclass
class Ticket:
    """A FreshDesk ticket: its status history and its conversations."""

    id: int
    subject: str
    requester_id: int
    status: int
    created_at: datetime
    updated_at: datetime
    statuses: list[int] = field(default_factory=list)
    conversations: list[dict[str, Any]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        """The ticket as GET /api/v2/tickets/{id} shows it."""
        return {
            "id": self.id,
            "subject": self.subject,
            "description": "<div>Our hub does not load.</div>",
            "description_text": "Our hub does not load.",
            "status": self.status,
            "priority": 2,
            "source": 1,
            "type": "Incident",
            "requester_id": self.requester_id,
            "responder_id": AGENT_ID,
            "group_id": None,
            "company_id": None,
            "cc_emails": [],
            "fwd_emails": [],
            "reply_cc_emails": [],
            "to_emails": None,
            "tags": [],
            "fr_escalated": False,
            "is_escalated": False,
            "spam": False,
            "due_by": _stamp(self.created_at),
            "fr_due_by": _stamp(self.created_at),
            "custom_fields": {},
            "created_at": _stamp(self.created_at),
            "updated_at": _stamp(self.updated_at),
        }


class FreshDeskStandIn(StandIn):
    """FreshDesk API v2 tickets: Basic auth (api_key:X), status, replies, notes, conversations."""

    def __init__(
        self, api_key: str = "fdK3y-s3cr3t-0123456789", now: Callable[[], datetime] | None = None
    ) -> None:
        super().__init__()
        self.api_key = api_key
        self.now = now or (lambda: datetime.now(UTC))
        self.tickets: dict[int, Ticket] = {}
        self._next_id = 43000000001

    # --- seeding and inspection ---

    def add_ticket(self, ticket_id: int, requester_id: int = REQUESTER_ID, status: int = 2) -> Ticket:
        """A ticket the community opened."""
        when = self.now()
        ticket = Ticket(ticket_id, "Hub down", requester_id, status, when, when)
        with self._lock:
            self.tickets[ticket_id] = ticket
        return ticket

    def add_requester_reply(self, ticket_id: int, text: str, at: datetime) -> dict[str, Any]:
        """The requester answers by email at `at`: an incoming public reply."""
        with self._lock:
            ticket = self.tickets[ticket_id]
            return self._converse(ticket, text, ticket.requester_id, True, False, SOURCE_REPLY, at)

    def add_agent_reply(
        self, ticket_id: int, text: str, at: datetime, agent_id: int = AGENT_ID
    ) -> dict[str, Any]:
        """An agent replies to the requester from FreshDesk at `at`: an outgoing public reply."""
        with self._lock:
            return self._converse(self.tickets[ticket_id], text, agent_id, False, False, SOURCE_REPLY, at)

    def add_incoming(self, ticket_id: int, text: str, at: datetime, user_id: int) -> dict[str, Any]:
        """Someone other than the requester (a cc'd person) writes to the ticket at `at`."""
        with self._lock:
            return self._converse(self.tickets[ticket_id], text, user_id, True, False, SOURCE_REPLY, at)

    def ticket(self, ticket_id: int) -> Ticket:
        """A ticket as it stands."""
        with self._lock:
            return self.tickets[ticket_id]

    def writes(self) -> list[Recorded]:
        """Successful write requests, oldest first."""
        return [r for r in self.log if r.method != "GET" and r.status < 400]

    # --- the API ---

    def answer(
        self, method: str, path: str, query: dict[str, str], headers: dict[str, str], body: bytes
    ) -> Reply:
        """FreshDesk's answer to one request."""
        if not self._authorized(headers):
            return _json(401, UNAUTHORIZED)
        found = _TICKET.match(path)
        if found is None:
            return _json(404, {"code": "invalid_url", "message": "The requested URL was not found."})
        ticket = self.tickets.get(int(found["id"]))
        if ticket is None:
            return 404, {}, b""
        route = (method, found["rest"] or "")
        data: Any = None
        if method in ("POST", "PUT"):
            try:
                data = json.loads(body or b"null")
            except ValueError:
                return _json(400, {"code": "invalid_json", "message": "Request body has invalid json format"})
        if route == ("GET", ""):
            return _json(200, ticket.as_json())
        if route == ("PUT", ""):
            return self._update(ticket, data)
        if route == ("POST", "/reply"):
            return self._post(ticket, data, private=False, source=SOURCE_REPLY)
        if route == ("POST", "/notes"):
            private = data.get("private", True) if isinstance(data, dict) else True
            return self._post(ticket, data, private=bool(private), source=SOURCE_NOTE)
        if route == ("GET", "/conversations"):
            return self._conversations(ticket, query)
        return _json(405, {"code": "method_not_allowed", "message": f"{method} is not allowed here"})

    def rate_limit_next(self, times: int, retry_after: int = 0) -> None:
        """FreshDesk's rate limit: 429 with Retry-After (seconds) for the next `times` requests."""
        body = {
            "code": "rate_limit_exceeded",
            "message": "You have exceeded the limit of requests per minute",
        }
        self.fail_next(times, 429, body, headers={"Retry-After": str(retry_after)})

    def outage(self, times: int = 100, method: str | None = None, path: str | None = None) -> None:
        """FreshDesk fails: 500 for the next `times` matching requests."""
        body = {"code": "internal_error", "message": "We're sorry, but something went wrong."}
        self.fail_next(times, 500, body, method=method, path=path)

    def _authorized(self, headers: dict[str, str]) -> bool:
        """Basic auth with the API key as user and any password (FreshDesk's docs use X)."""
        scheme, _, value = headers.get("authorization", "").partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            user = base64.b64decode(value).decode("utf-8").partition(":")[0]
        except ValueError:
            return False
        return user == self.api_key

    def _update(self, ticket: Ticket, data: Any) -> Reply:
        """PUT /tickets/{id}: only the status is understood here."""
        status = data.get("status") if isinstance(data, dict) else None
        if status not in STATUSES:
            message = "It should be one of these values: '2,3,4,5'"
            return _validation("status", message, "invalid_value")
        ticket.status = int(status)
        ticket.statuses.append(ticket.status)
        ticket.updated_at = self.now()
        return _json(200, ticket.as_json())

    def _post(self, ticket: Ticket, data: Any, private: bool, source: int) -> Reply:
        """POST a reply or a note as the agent."""
        text = data.get("body") if isinstance(data, dict) else None
        if not isinstance(text, str) or not text.strip():
            return _validation("body", "It should not be blank as this is a mandatory field", "missing_field")
        entry = self._converse(ticket, text, AGENT_ID, False, private, source, self.now(), html=True)
        return _json(201, entry)

    def _converse(
        self,
        ticket: Ticket,
        text: str,
        user_id: int,
        incoming: bool,
        private: bool,
        source: int,
        at: datetime,
        html: bool = False,
    ) -> dict[str, Any]:
        """Add one conversation entry (caller holds the lock)."""
        body = text if html else f"<div>{text}</div>"
        entry = {
            "id": self._next_id,
            "body": body,
            "body_text": _TAG.sub("", body).strip(),
            "incoming": incoming,
            "private": private,
            "user_id": user_id,
            "support_email": None if incoming else "support@hub.example.org",
            "source": source,
            "category": 2 if incoming else 3,
            "ticket_id": ticket.id,
            "to_emails": [] if private else ["community@example.org"],
            "from_email": "community@example.org" if incoming else "support@hub.example.org",
            "cc_emails": [],
            "bcc_emails": None,
            "email_failure_count": None,
            "outgoing_failures": None,
            "attachments": [],
            "last_edited_at": None,
            "last_edited_user_id": None,
            "created_at": _stamp(at),
            "updated_at": _stamp(at),
        }
        self._next_id += 1
        ticket.conversations.append(entry)
        ticket.updated_at = max(ticket.updated_at, at)
        return entry

    def _conversations(self, ticket: Ticket, query: dict[str, str]) -> Reply:
        """GET /tickets/{id}/conversations: oldest first, page and per_page (≤ 100), a Link to the next."""
        try:
            page, per_page = int(query.get("page", "1")), int(query.get("per_page", "30"))
        except ValueError:
            return _validation("page", "It should be a positive number", "datatype_mismatch")
        if page < 1 or not 1 <= per_page <= 100:
            return _validation(
                "per_page", "It should be a positive number less than or equal to 100", "invalid_value"
            )
        start = (page - 1) * per_page
        batch = ticket.conversations[start : start + per_page]
        headers = {}
        if start + per_page < len(ticket.conversations):
            after = urlencode({"page": page + 1, "per_page": per_page})
            headers["Link"] = (
                f'<{self.base_url}/api/v2/tickets/{ticket.id}/conversations?{after}>; rel="next"'
            )
        return _json(200, batch, headers)


def _validation(name: str, message: str, code: str) -> Reply:
    """FreshDesk's 400 Validation failed answer."""
    return _json(
        400,
        {"description": "Validation failed", "errors": [{"field": name, "message": message, "code": code}]},
    )


def _stamp(when: datetime) -> str:
    """FreshDesk's timestamp format: UTC, seconds, a Z."""
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# --- PagerDuty --------------------------------------------------------------------------------------

PD_ACTIONS = ("trigger", "acknowledge", "resolve")
PD_SEVERITIES = ("critical", "error", "warning", "info")


class PagerDutyStandIn(StandIn):
    """The Events API v2 (POST /v2/enqueue): 202 with the dedup key echoed, 400 for an invalid event.

    It keeps PagerDuty's alert rules: a trigger opens an incident unless one is open under its dedup key,
    acknowledge and resolve act on the open one; `opened` counts the incidents opened per dedup key.
    """

    def __init__(self, routing_key: str = "R0UT1NGK3YF0RTH3HUBT34M00000000") -> None:
        super().__init__()
        self.routing_key = routing_key
        self.events: list[dict[str, Any]] = []
        self.status: dict[str, str] = {}  # dedup key → triggered, acknowledged or resolved
        self.opened: dict[str, int] = {}

    @property
    def url(self) -> str:
        """The events endpoint."""
        return self.base_url + "/v2/enqueue"

    def answer(
        self, method: str, path: str, query: dict[str, str], headers: dict[str, str], body: bytes
    ) -> Reply:
        """PagerDuty's answers to an event."""
        if path != "/v2/enqueue" or method != "POST":
            return _json(404, {"status": "Not found"})
        try:
            event = json.loads(body)
        except ValueError:
            return _json(
                400, {"status": "invalid event", "message": "Event object is invalid", "errors": ["JSON"]}
            )
        problems = self._problems(event)
        if problems:
            return _json(
                400, {"status": "invalid event", "message": "Event object is invalid", "errors": problems}
            )
        action, key = event["event_action"], event.get("dedup_key") or f"generated-{len(self.events)}"
        self.events.append(event)
        current = self.status.get(key)
        if action == "trigger" and current in (None, "resolved"):
            self.status[key] = "triggered"
            self.opened[key] = self.opened.get(key, 0) + 1
        elif action == "acknowledge" and current in ("triggered", "acknowledged"):
            self.status[key] = "acknowledged"
        elif action == "resolve" and current is not None:
            self.status[key] = "resolved"
        return _json(202, {"status": "success", "message": "Event processed", "dedup_key": key})

    def _problems(self, event: Any) -> list[str]:
        """Why an event is invalid, as PagerDuty lists it."""
        if not isinstance(event, dict):
            return ["Event object is not an object"]
        problems = []
        if event.get("routing_key") != self.routing_key:
            problems.append("Invalid routing key")
        if event.get("event_action") not in PD_ACTIONS:
            problems.append("'event_action' is invalid")
        if event.get("event_action") in ("acknowledge", "resolve") and not event.get("dedup_key"):
            problems.append("'dedup_key' is missing")
        if event.get("event_action") == "trigger":
            payload = event.get("payload") or {}
            if not payload.get("summary") or not payload.get("source"):
                problems.append("'payload.summary' and 'payload.source' are required")
            if payload.get("severity") not in PD_SEVERITIES:
                problems.append("'payload.severity' is invalid")
        return problems

    def actions(self) -> list[tuple[str, str]]:
        """(event_action, dedup_key) of every accepted event, oldest first."""
        with self._lock:
            return [(e["event_action"], e.get("dedup_key", "")) for e in self.events]
