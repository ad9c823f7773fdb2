"""The PagerDuty Events API v2: events checked as PagerDuty checks them, alerts kept by dedup key."""

from __future__ import annotations

import json
from typing import Any

from .server import Heard, Recorded, Reply, StandIn, json_answer

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
            return json_answer(404, {"status": "Not found"})
        try:
            event = json.loads(body)
        except ValueError:
            return json_answer(
                400, {"status": "invalid event", "message": "Event object is invalid", "errors": ["JSON"]}
            )
        problems = self._problems(event)
        if problems:
            return json_answer(
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
        return json_answer(202, {"status": "success", "message": "Event processed", "dedup_key": key})

    def heard(self, request: Recorded) -> Heard | None:
        """An event PagerDuty took: its action and the alert's dedup key."""
        event = request.json
        return Heard("PagerDuty", f"{event['event_action']}, dedup key {event.get('dedup_key', '')}")

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
