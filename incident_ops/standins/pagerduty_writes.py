"""What PagerDuty's REST API writes do: open an incident, acknowledge or resolve one, add a note; each request
checked as PagerDuty checks it."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from .pagerduty_records import Incident, Note, Priority, Refused, User, invalid

MAX_NOTES = 2000


def read_json(body: bytes) -> Any:
    """A request's JSON body, or PagerDuty's 400."""
    try:
        return json.loads(body or b"null")
    except ValueError:
        raise invalid("The request body is not valid JSON.") from None


def ref_id(value: object) -> str | None:
    """The id of a reference like {"id": "PIJ90N7", "type": "service_reference"}, if it is one."""
    found = value.get("id") if isinstance(value, dict) else None
    return found if isinstance(found, str) else None


def new_incident(
    data: Any, services: Mapping[str, str], priorities: Sequence[Priority], users: Mapping[str, User]
) -> tuple[str, str, Priority | None, list[User]]:
    """POST /incidents: its title, service id, priority and assignees, each one of the account's."""
    wanted = data.get("incident") if isinstance(data, dict) else None
    if not isinstance(wanted, dict) or wanted.get("type") != "incident":
        raise invalid("incident.type must be incident.")
    title, service = wanted.get("title"), ref_id(wanted.get("service"))
    if not isinstance(title, str) or not title.strip() or service is None or service not in services:
        raise invalid("incident.title and incident.service (one of the account's services) are required.")
    chosen = wanted.get("assignments") or []
    if not isinstance(chosen, list) or not all(
        isinstance(a, dict) and ref_id(a.get("assignee")) for a in chosen
    ):
        raise invalid("incident.assignments must be a list of {assignee: a user reference}.")
    assigned = [ref_id(a["assignee"]) for a in chosen]
    priority_id = ref_id(wanted.get("priority"))
    ranks = [p for p in priorities if p.id == priority_id]
    if (priority_id is not None and not ranks) or any(a not in users for a in assigned):
        raise invalid("incident.priority and incident.assignments must be the account's.")
    return title.strip(), service, ranks[0] if ranks else None, [users[a] for a in assigned if a is not None]


def update(incident: Incident, user: User, data: Any, now: datetime, already_resolved_status: int) -> None:
    """PUT /incidents/{id}: acknowledge or resolve as the From user."""
    wanted = data.get("incident") if isinstance(data, dict) else None
    if not isinstance(wanted, dict) or wanted.get("type") not in ("incident", "incident_reference"):
        raise invalid("incident.type must be incident or incident_reference.")
    status = wanted.get("status")
    if status == "resolved" and incident.status == "resolved":
        if already_resolved_status >= 400:
            raise Refused(already_resolved_status, "Incident Already Resolved", 1001)
    elif status == "resolved":
        incident.resolve(now, user)
    elif status == "acknowledged":
        incident.acknowledge(user, now)
    elif status is not None:
        raise Refused(400, "Invalid Status Provided", 1003)


def add_note(incident: Incident, user: User, data: Any, new_id: Callable[[], str], now: datetime) -> Note:
    """POST /incidents/{id}/notes: the note, written by the From user, on the incident's timeline."""
    note = data.get("note") if isinstance(data, dict) else None
    content = note.get("content") if isinstance(note, dict) else None
    if not isinstance(content, str) or not content.strip():
        raise invalid("Note content can't be blank.")
    if len(incident.notes) >= MAX_NOTES:
        raise invalid(f"A maximum of {MAX_NOTES} notes can be added to an incident.")
    added = Note(new_id(), user, content, now)
    incident.notes.append(added)
    incident.updated_at = added.created_at
    return added
