"""FreshDesk API v2 tickets: Basic auth (api_key:X), status, replies, notes, conversations."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable
from datetime import UTC, datetime
from html import unescape
from typing import Any
from urllib.parse import urlencode

from .freshdesk_records import (
    AGENT_ID,
    REQUESTER_ID,
    SOURCE_NOTE,
    SOURCE_REPLY,
    STATUS_NAMES,
    STATUSES,
    UNAUTHORIZED,
    Ticket,
    stamp,
    validation_failed,
)
from .server import Heard, Recorded, Reply, StandIn, json_answer

TAG = re.compile(r"<[^>]+>")
_TICKET = re.compile(r"^/api/v2/tickets/(?P<id>\d+)(?P<rest>/[a-z]+)?$")


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
            return json_answer(401, UNAUTHORIZED)
        found = _TICKET.match(path)
        if found is None:
            return json_answer(404, {"code": "invalid_url", "message": "The requested URL was not found."})
        ticket = self.tickets.get(int(found["id"]))
        if ticket is None:
            return 404, {}, b""
        route = (method, found["rest"] or "")
        data: Any = None
        if method in ("POST", "PUT"):
            try:
                data = json.loads(body or b"null")
            except ValueError:
                return json_answer(
                    400, {"code": "invalid_json", "message": "Request body has invalid json format"}
                )
        if route == ("GET", ""):
            return json_answer(200, ticket.as_json())
        if route == ("PUT", ""):
            return self._update(ticket, data)
        if route == ("POST", "/reply"):
            return self._post(ticket, data, private=False, source=SOURCE_REPLY)
        if route == ("POST", "/notes"):
            private = data.get("private", True) if isinstance(data, dict) else True
            return self._post(ticket, data, private=bool(private), source=SOURCE_NOTE)
        if route == ("GET", "/conversations"):
            return self._conversations(ticket, query)
        return json_answer(405, {"code": "method_not_allowed", "message": f"{method} is not allowed here"})

    def heard(self, request: Recorded) -> Heard | None:
        """A write to a ticket: a public reply or a note (their text), or a new status."""
        found = _TICKET.match(request.path)
        data = request.json
        if found is None or request.method == "GET" or not isinstance(data, dict):
            return None
        ticket = found["id"]
        if request.method == "PUT":
            status = data.get("status")
            return Heard("FreshDesk", f"ticket {ticket} status {STATUS_NAMES.get(status, '?')} ({status})")
        text = unescape(TAG.sub("", str(data.get("body", "")))).strip()
        if found["rest"] == "/reply":
            return Heard("FreshDesk", f"public reply on ticket {ticket}", text)
        private = "private" if data.get("private", True) else "public"
        return Heard("FreshDesk", f"{private} note on ticket {ticket}", text)

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
            return validation_failed("status", message, "invalid_value")
        ticket.status = int(status)
        ticket.statuses.append(ticket.status)
        ticket.updated_at = self.now()
        return json_answer(200, ticket.as_json())

    def _post(self, ticket: Ticket, data: Any, private: bool, source: int) -> Reply:
        """POST a reply or a note as the agent."""
        text = data.get("body") if isinstance(data, dict) else None
        if not isinstance(text, str) or not text.strip():
            return validation_failed(
                "body", "It should not be blank as this is a mandatory field", "missing_field"
            )
        entry = self._converse(ticket, text, AGENT_ID, False, private, source, self.now(), html=True)
        return json_answer(201, entry)

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
            "body_text": TAG.sub("", body).strip(),
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
            "created_at": stamp(at),
            "updated_at": stamp(at),
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
            return validation_failed("page", "It should be a positive number", "datatype_mismatch")
        if page < 1 or not 1 <= per_page <= 100:
            return validation_failed(
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
        return json_answer(200, batch, headers)
