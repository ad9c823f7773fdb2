"""PagerDuty REST API v2 incidents: token auth, the From header on writes, classic pagination, notes."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from .pagerduty_records import (
    PRIORITY_DESCRIPTIONS,
    STATUSES,
    Incident,
    Priority,
    Refused,
    User,
    created_between,
    from_user,
    invalid,
    new_id,
    page,
    pd_error,
    with_email,
)
from .pagerduty_writes import add_note, new_incident, read_json, update
from .server import Heard, Recorded, Reply, StandIn, json_answer

_INCIDENT = re.compile(r"^/incidents/(?P<id>[A-Za-z0-9]+)(?P<rest>/notes)?$")
_USER = re.compile(r"^/users/(?P<id>[A-Za-z0-9]+)$")
NOT_FOUND = 404, "Not Found", 2100


class PagerDutyRestStandIn(StandIn):
    """PagerDuty REST API v2: list, read, open and resolve incidents, add notes to them, list priorities.

    Answers as PagerDuty does: `{"error": {"message", "code"}}` bodies, `total` null, the From header (a
    known user's email) on writes, since/until defaulting to the month before `now()`.
    """

    def __init__(
        self,
        api_key: str = "y_F4k3PdT0k3n4Hub0rg",
        now: Callable[[], datetime] | None = None,
        priorities: Sequence[str] = ("P1", "P2", "P3", "P4", "P5"),
        already_resolved_status: int = 200,
    ) -> None:
        super().__init__()
        self.api_key = api_key
        self.now = now or (lambda: datetime.now(UTC))
        self.already_resolved_status = already_resolved_status  # or 400: "Incident Already Resolved" (1001)
        self.users: dict[str, User] = {}
        self.priorities: list[Priority] = []  # most to least severe
        self.services: dict[str, str] = {}  # id → name
        self.incidents: dict[str, Incident] = {}
        self._seed = 0
        self._ids: set[str] = set()
        for name in priorities:
            self.add_priority(name)

    @property
    def url(self) -> str:
        """The API's base URL (PagerDuty's is https://api.pagerduty.com)."""
        return self.base_url

    # --- seeding and inspection ---

    def add_user(self, name: str, email: str) -> str:
        """A user of the account; their email is what the From header names. Answers their id."""
        with self._lock:
            user = User(self._new_id("user"), name, email)
            self.users[user.id] = user
        return user.id

    def add_priority(self, name: str, description: str | None = None) -> str:
        """A priority, less severe than those before it. Answers its id."""
        text = PRIORITY_DESCRIPTIONS.get(name, "") if description is None else description
        with self._lock:
            priority = Priority(self._new_id("priority"), name, text)
            self.priorities.append(priority)
        return priority.id

    def add_service(self, name: str, service_id: str | None = None) -> str:
        """A service incidents can be on, with the id given (a real one's) or a new one. Answers its id."""
        with self._lock:
            service_id = service_id or self._new_id("service")
            self._ids.add(service_id)
            self.services[service_id] = name
        return service_id

    def add_incident(
        self,
        title: str,
        service_id: str,
        priority: str | None = None,
        assignee_email: str | None = None,
        created_at: datetime | None = None,
        status: str = "triggered",
    ) -> str:
        """An incident on `service_id` with the priority named, triggered at `created_at` (default now).

        An acknowledged one is acknowledged by its assignee; a resolved one is resolved when it was created.
        """
        when = created_at or self.now()
        with self._lock:
            ranks = [p for p in self.priorities if p.name == priority]
            if priority is not None and not ranks:
                raise ValueError(f"no priority named {priority}")
            if status not in STATUSES or (status == "acknowledged" and assignee_email is None):
                raise ValueError(f"cannot add an incident {status} (an acknowledged one needs an assignee)")
            users = self.users.values()
            assignee = with_email(users, assignee_email) if assignee_email is not None else None
            incident = self._open(
                title, service_id, ranks[0] if ranks else None, [assignee] if assignee else [], when
            )
            if status == "acknowledged" and assignee is not None:
                incident.acknowledge(assignee, when)
            if status == "resolved":
                incident.resolve(when)
        return incident.id

    def acknowledge(self, incident_id: str, email: str, at: datetime | None = None) -> None:
        """The user with `email` acknowledges the incident in PagerDuty (and so is assigned)."""
        with self._lock:
            self.incidents[incident_id].acknowledge(with_email(self.users.values(), email), at or self.now())

    def resolve(self, incident_id: str, at: datetime | None = None) -> None:
        """The incident resolves in PagerDuty (its alert resolved)."""
        with self._lock:
            self.incidents[incident_id].resolve(at or self.now())

    def incident(self, incident_id: str) -> dict[str, Any]:
        """The incident's JSON as GET /incidents/{id} serves it."""
        with self._lock:
            return self.incidents[incident_id].as_json(self.base_url)

    def notes(self, incident_id: str) -> list[str]:
        """The content of each note on the incident, oldest first."""
        with self._lock:
            return [note.content for note in self.incidents[incident_id].notes]

    def writes(self) -> list[Recorded]:
        """Successful write requests, oldest first."""
        return [r for r in self.log if r.method != "GET" and r.status < 400]

    def rate_limit_next(self, times: int, reset_seconds: int = 1) -> None:
        """PagerDuty's rate limit: 429 with its ratelimit-* headers and body for the next `times` requests."""
        headers = {"ratelimit-limit": "960", "ratelimit-remaining": "0"}
        headers["ratelimit-reset"] = str(reset_seconds)
        self.fail_next(times, 429, {"error": {"message": "Rate Limit Exceeded", "code": 2020}}, headers)

    def outage(self, times: int = 100, method: str | None = None, path: str | None = None) -> None:
        """PagerDuty fails: 500 for the next `times` matching requests."""
        body = {"error": {"message": "Internal Server Error", "code": 2000}}
        self.fail_next(times, 500, body, method=method, path=path)

    # --- the API ---

    def respond(
        self, method: str, path: str, params: dict[str, list[str]], headers: dict[str, str], body: bytes
    ) -> Reply:
        """PagerDuty's answer to one request."""
        if headers.get("authorization") != f"Token token={self.api_key}":
            return pd_error(401, "Authentication failed", 2006)
        try:
            return self._route(method, path, params, headers, body)
        except Refused as refused:
            return refused.reply

    def _route(
        self, method: str, path: str, params: dict[str, list[str]], headers: dict[str, str], body: bytes
    ) -> Reply:
        """The endpoint's answer, or a Refused."""
        include = frozenset(params.get("include[]", []))
        if method == "GET" and path == "/incidents":
            return self._list_incidents(params, include)
        if method == "POST" and path == "/incidents":
            from_user(self.users.values(), headers)  # PagerDuty wants to know who opens it
            return self._create(read_json(body), include)
        if method == "GET" and path == "/priorities":
            return page(params, "priorities", [p.as_json(self.base_url) for p in self.priorities])
        found_user = _USER.match(path)
        if method == "GET" and found_user is not None and found_user["id"] in self.users:
            return json_answer(200, {"user": self.users[found_user["id"]].as_json(self.base_url)})
        found = _INCIDENT.match(path)
        route = (method, found["rest"] or "") if found is not None else None
        if found is None or route not in {("GET", ""), ("PUT", ""), ("GET", "/notes"), ("POST", "/notes")}:
            raise Refused(*NOT_FOUND)
        if route == ("GET", ""):
            return json_answer(200, {"incident": self._find(found["id"]).as_json(self.base_url, include)})
        if route == ("GET", "/notes"):
            notes = self._find(found["id"]).notes
            return json_answer(200, {"notes": [note.as_json(self.base_url) for note in notes]})
        requester = from_user(self.users.values(), headers)
        incident, data = self._find(found["id"]), read_json(body)
        if route == ("PUT", ""):
            update(incident, requester, data, self.now(), self.already_resolved_status)
            return json_answer(200, {"incident": incident.as_json(self.base_url, include)})
        added = add_note(incident, requester, data, lambda: self._new_id("note"), self.now())
        return json_answer(200, {"note": added.as_json(self.base_url)})

    def heard(self, request: Recorded) -> Heard | None:
        """A note on an incident (its text), or an incident resolved; nothing else."""
        found = _INCIDENT.match(request.path)
        data = request.json
        if found is None or request.method == "GET" or not isinstance(data, dict):
            return None
        with self._lock:
            incident = self._find(found["id"])
        if found["rest"]:
            return Heard("PagerDuty", f"note on incident #{incident.number}", data["note"]["content"])
        if (data.get("incident") or {}).get("status") == "resolved":
            return Heard("PagerDuty", f"resolved incident #{incident.number}")
        return None

    def _list_incidents(self, params: dict[str, list[str]], include: frozenset[str]) -> Reply:
        """GET /incidents: filtered by services, statuses and a created_at window, by incident number."""
        statuses = params.get("statuses[]", [])
        if any(status not in STATUSES for status in statuses):
            raise invalid(f"statuses[] must be among {', '.join(STATUSES)}.")
        services = params.get("service_ids[]", [])
        date_range = params.get("date_range", [""])[-1]
        if date_range not in ("", "all"):
            raise invalid("date_range must be all.")
        window = created_between(params, self.now()) if date_range != "all" else None
        chosen = [
            incident.as_json(self.base_url, include)
            for incident in sorted(self.incidents.values(), key=lambda i: i.number)
            if (not statuses or incident.status in statuses)
            and (not services or incident.service_id in services)
            and (window is None or window[0] <= incident.created_at <= window[1])
        ]
        return page(params, "incidents", chosen)

    def _create(self, data: Any, include: frozenset[str]) -> Reply:
        """POST /incidents: a triggered incident (201), as PagerDuty opens one asked through its API."""
        title, service, priority, people = new_incident(data, self.services, self.priorities, self.users)
        incident = self._open(title, service, priority, people, self.now())
        return json_answer(201, {"incident": incident.as_json(self.base_url, include)})

    def _find(self, key: str) -> Incident:
        """An incident by id or by incident number, or a 404 (caller holds the lock)."""
        if key in self.incidents:
            return self.incidents[key]
        numbered = [i for i in self.incidents.values() if key.isdigit() and i.number == int(key)]
        if not numbered:
            raise Refused(*NOT_FOUND)
        return numbered[0]

    def _open(
        self, title: str, service_id: str, priority: Priority | None, assignees: list[User], when: datetime
    ) -> Incident:
        """A new triggered incident, the next number (caller holds the lock)."""
        number = max((i.number for i in self.incidents.values()), default=0) + 1
        name = self.services.get(service_id, service_id)
        incident = Incident(self._new_id("incident"), number, title, service_id, name, when, priority)
        incident.assignments += [(when, user) for user in assignees]
        self.incidents[incident.id] = incident
        return incident

    def _new_id(self, kind: str) -> str:
        """A fresh PagerDuty-like id (caller holds the lock)."""
        for _ in range(1000):
            self._seed += 1
            candidate = new_id(kind, self._seed)
            if candidate not in self._ids:
                self._ids.add(candidate)
                return candidate
        raise RuntimeError("no fresh id")
