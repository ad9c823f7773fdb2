"""PagerDuty's records as REST API v2 shows them: users, priorities, incidents and their notes, and errors."""

from __future__ import annotations

import base64
import calendar
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from .server import Reply, json_answer

WEB = "https://example.pagerduty.com"
STATUSES = ("triggered", "acknowledged", "resolved")
POLICY_ID = "PT20YPA"
PRIORITY_DESCRIPTIONS = {
    "P1": "Critical issue that warrants public notification and liaison with executive teams",
    "P2": "Critical system issue actively impacting many customers' ability to use the product",
    "P3": "Stability or minor customer-impacting issues that require immediate attention from service owners",
    "P4": "Minor issues requiring action, but not affecting customer ability to use the product",
    "P5": "Cosmetic issues or bugs, not affecting customer ability to use the product",
}
NO_FROM = 'You must specify a user\'s email address in the "From" header to perform this action'


def pd_error(status: int, message: str, code: int, errors: list[str] | None = None) -> Reply:
    """PagerDuty's error answer: {"error": {"message", "code", "errors"?}}."""
    error: dict[str, Any] = {"message": message, "code": code}
    if errors:
        error["errors"] = errors
    return json_answer(status, {"error": error})


class Refused(Exception):
    """A request PagerDuty refuses, with its error answer."""

    def __init__(self, status: int, message: str, code: int, errors: list[str] | None = None) -> None:
        super().__init__(message)
        self.reply = pd_error(status, message, code, errors)


def invalid(detail: str) -> Refused:
    """PagerDuty's 400 "Invalid Input Provided" (2001), with the detail."""
    return Refused(400, "Invalid Input Provided", 2001, [detail])


def page(params: dict[str, list[str]], key: str, items: list[dict[str, Any]]) -> Reply:
    """One page of `items` by limit (default 25, at most 100) and offset: PagerDuty's classic pagination."""
    try:
        limit = int(params.get("limit", ["25"])[-1])
        offset = int(params.get("offset", ["0"])[-1])
    except ValueError:
        raise invalid("limit and offset must be integers.") from None
    if not 1 <= limit <= 100 or offset < 0:
        raise invalid("limit must be between 1 and 100 and offset must not be negative.")
    if offset + limit > 10000:
        detail = "Offset+limit exceeds maximum allowed value of 10000. Please try to refine your search."
        raise Refused(400, "Arguments Caused Error", 2002, [detail])
    total = len(items) if params.get("total", [""])[-1] == "true" else None
    more = offset + limit < len(items)
    return json_answer(
        200,
        {key: items[offset : offset + limit], "limit": limit, "offset": offset, "more": more, "total": total},
    )


def created_between(params: dict[str, list[str]], now: datetime) -> tuple[datetime, datetime]:
    """since and until as UTC times: until defaults to now, since to a month before; 6 months at most."""
    try:
        until = moment(params["until"][-1]) if "until" in params else now
        since = moment(params["since"][-1]) if "since" in params else months_before(until, 1)
    except ValueError:
        raise Refused(400, "Invalid time values in 'since' and/or 'until' parameters", 2004) from None
    if since > until or since < months_before(until, 6):
        detail = "The date range must start before it ends and span at most 6 months."
        raise Refused(400, "Invalid Query Date Range", 2005, [detail])
    return since, until


def moment(text: str) -> datetime:
    """An ISO 8601 time as UTC (one without a zone is taken as UTC, the account's zone here)."""
    when = datetime.fromisoformat(text)
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def new_id(kind: str, seed: int) -> str:
    """A PagerDuty-like id: P and six uppercase letters or digits, the same for the same kind and seed."""
    digest = hashlib.sha1(f"{kind}:{seed}".encode()).digest()
    return "P" + base64.b32encode(digest).decode("ascii")[:6]


def stamp(when: datetime) -> str:
    """PagerDuty's timestamp format: UTC, seconds, a Z."""
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def months_before(when: datetime, months: int) -> datetime:
    """The same moment `months` calendar months earlier (the day clamped to that month's length)."""
    year, month = divmod(when.year * 12 + when.month - 1 - months, 12)
    day = min(when.day, calendar.monthrange(year, month + 1)[1])
    return when.replace(year=year, month=month + 1, day=day)


def reference(
    api: str, kind: str, collection: str, id_: str, summary: str, web_path: str | None = None
) -> dict[str, Any]:
    """A `<kind>_reference`: id, type, summary, self and (when given a web path) html_url."""
    ref = {"id": id_, "type": f"{kind}_reference", "summary": summary, "self": f"{api}/{collection}/{id_}"}
    if web_path is not None:
        ref["html_url"] = f"{WEB}/{web_path}/{id_}"
    return ref


@dataclass(frozen=True)
class User:
    """A PagerDuty user: a name and an email."""

    id: str
    name: str
    email: str

    def reference(self, api: str) -> dict[str, Any]:
        """The user as a `user_reference`."""
        return reference(api, "user", "users", self.id, self.name, "users")

    def as_json(self, api: str) -> dict[str, Any]:
        """The full user, as GET /users/{id} and include[] show it."""
        return {
            **self.reference(api),
            "type": "user",
            "name": self.name,
            "email": self.email,
            "time_zone": "Etc/UTC",
            "color": "green",
            "role": "user",
            "avatar_url": "https://pd-static-assets.pagerduty.com/users/blank-avatar.png",
            "description": None,
            "invitation_sent": False,
            "job_title": None,
            "teams": [],
        }


@dataclass(frozen=True)
class Priority:
    """An account priority, P1 most severe."""

    id: str
    name: str
    description: str

    def reference(self, api: str) -> dict[str, Any]:
        """The priority as an incident shows it: a reference whose summary is the name (no `name` field)."""
        return reference(api, "priority", "priorities", self.id, self.name)

    def as_json(self, api: str) -> dict[str, Any]:
        """The full priority, as GET /priorities lists it."""
        return {**self.reference(api), "type": "priority", "name": self.name, "description": self.description}


@dataclass(frozen=True)
class Note:
    """A note on an incident, written by a user through the API."""

    id: str
    user: User
    content: str
    created_at: datetime

    def as_json(self, api: str) -> dict[str, Any]:
        """The note as POST /incidents/{id}/notes answers it."""
        return {
            "id": self.id,
            "user": self.user.reference(api),
            "channel": {"summary": "The PagerDuty website or APIs"},
            "content": self.content,
            "created_at": stamp(self.created_at),
            "updated_at": stamp(self.created_at),
        }


@dataclass
class Incident:
    """A PagerDuty incident: its status, who is assigned and who acknowledged, its priority and notes."""

    id: str
    number: int
    title: str
    service_id: str
    service_name: str
    created_at: datetime
    priority: Priority | None = None
    status: str = "triggered"
    updated_at: datetime | None = None
    last_status_change_at: datetime | None = None
    last_status_change_by: User | None = None  # None: the service (its alert) changed it
    resolved_at: datetime | None = None
    assignments: list[tuple[datetime, User]] = field(default_factory=list)
    acknowledgements: list[tuple[datetime, User]] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)

    def _changed(self, status: str, at: datetime, by: User | None) -> None:
        """Record a change of status at `at`."""
        self.status = status
        self.updated_at = self.last_status_change_at = at
        self.last_status_change_by = by

    def acknowledge(self, user: User, at: datetime) -> None:
        """`user` acknowledges (reopening a resolved incident) and so is assigned."""
        self._changed("acknowledged", at, user)
        self.resolved_at = None
        self.acknowledgements = [(when, u) for when, u in self.acknowledgements if u != user] + [(at, user)]
        if all(assignee != user for _, assignee in self.assignments):
            self.assignments.append((at, user))

    def resolve(self, at: datetime, by: User | None = None) -> None:
        """Resolved: no one is assigned or acknowledging any more."""
        self._changed("resolved", at, by)
        self.resolved_at = at
        self.assignments.clear()
        self.acknowledgements.clear()

    def as_json(self, api: str, include: frozenset[str] = frozenset()) -> dict[str, Any]:
        """The incident as GET /incidents shows it; `include` makes those parts full objects."""

        def person(user: User, part: str) -> dict[str, Any]:
            return user.as_json(api) if part in include else user.reference(api)

        service = reference(
            api, "service", "services", self.service_id, self.service_name, "service-directory"
        )
        changed_by = self.last_status_change_by
        assigned, acknowledged = self.assignments, self.acknowledgements
        if self.priority is None:
            priority = None
        else:
            full = "priorities" in include
            priority = self.priority.as_json(api) if full else self.priority.reference(api)
        resolved = int(self.status == "resolved")
        return {
            "id": self.id,
            "type": "incident",
            "summary": f"[#{self.number}] {self.title}",
            "self": f"{api}/incidents/{self.id}",
            "html_url": f"{WEB}/incidents/{self.id}",
            "incident_number": self.number,
            "title": self.title,
            "status": self.status,
            "urgency": "high",
            "created_at": stamp(self.created_at),
            "updated_at": stamp(self.updated_at or self.created_at),
            "last_status_change_at": stamp(self.last_status_change_at or self.created_at),
            "last_status_change_by": changed_by.reference(api) if changed_by is not None else service,
            "resolved_at": stamp(self.resolved_at) if self.resolved_at is not None else None,
            "incident_key": hashlib.sha1(self.id.encode()).hexdigest()[:32],
            "service": service,
            "assignments": [{"at": stamp(at), "assignee": person(u, "assignees")} for at, u in assigned],
            "assigned_via": "escalation_policy",
            "acknowledgements": [
                {"at": stamp(at), "acknowledger": person(u, "acknowledgers")} for at, u in acknowledged
            ],
            "priority": priority,
            "escalation_policy": reference(
                api, "escalation_policy", "escalation_policies", POLICY_ID, "Default", "escalation_policies"
            ),
            "teams": [],
            "alert_counts": {"all": 1, "triggered": 1 - resolved, "resolved": resolved},
            "is_mergeable": True,
            "incident_type": {"name": "incident_default"},
            "pending_actions": [],
            "resolve_reason": None,
        }


def with_email(users: Iterable[User], email: str) -> User:
    """The user with this email, in any case, or a KeyError."""
    for user in users:
        if user.email.lower() == email.lower():
            return user
    raise KeyError(f"no user with email {email}")


def from_user(users: Iterable[User], headers: dict[str, str]) -> User:
    """The user the From header names, or PagerDuty's 400."""
    email = headers.get("from", "").strip()
    if not email:
        raise Refused(400, NO_FROM, 2001)
    if "@" not in email:
        raise Refused(400, 'Malformed "From" header', 1028)
    try:
        return with_email(users, email)
    except KeyError:
        raise Refused(400, "Requester User Not Found", 1008) from None
