"""FreshDesk's records as API v2 shows them: a ticket, its statuses and its validation answers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from .server import Reply, json_answer

AGENT_ID = 9001  # the agent whose API key the tool uses
REQUESTER_ID = 5001
UNAUTHORIZED = {"code": "invalid_credentials", "message": "You have to be logged in to perform this action."}
STATUSES = (2, 3, 4, 5)  # Open, Pending, Resolved, Closed
SOURCE_REPLY, SOURCE_NOTE = 0, 2
STATUS_NAMES = {2: "Open", 3: "Pending", 4: "Resolved", 5: "Closed"}


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
            "due_by": stamp(self.created_at),
            "fr_due_by": stamp(self.created_at),
            "custom_fields": {},
            "created_at": stamp(self.created_at),
            "updated_at": stamp(self.updated_at),
        }


def validation_failed(name: str, message: str, code: str) -> Reply:
    """FreshDesk's 400 Validation failed answer."""
    return json_answer(
        400,
        {"description": "Validation failed", "errors": [{"field": name, "message": message, "code": code}]},
    )


def stamp(when: datetime) -> str:
    """FreshDesk's timestamp format: UTC, seconds, a Z."""
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
