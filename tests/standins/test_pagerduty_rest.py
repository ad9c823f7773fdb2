"""The PagerDuty REST API v2 stand-in answers as PagerDuty does, as a client sees it over HTTP."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests

from incident_ops.standins import Heard, PagerDutyRestStandIn

NOW = datetime(2025, 3, 15, 12, 0, tzinfo=UTC)
KEY = "u+T3stT0k3nF0rPdRest"
ALICE = "alice@example.org"
STAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


@pytest.fixture
def pd() -> Iterator[PagerDutyRestStandIn]:
    """A stand-in on a fixed clock with one user and one service."""
    with PagerDutyRestStandIn(api_key=KEY, now=lambda: NOW) as standin:
        standin.add_user("Alice Responder", ALICE)
        yield standin


def call(
    pd: PagerDutyRestStandIn,
    method: str,
    path: str,
    params: Any = None,
    json: Any = None,
    sender: str | None = ALICE,
    token: str | None = KEY,
) -> requests.Response:
    """One request as a PagerDuty client sends it."""
    headers = {"Accept": "application/vnd.pagerduty+json;version=2"}
    if token is not None:
        headers["Authorization"] = f"Token token={token}"
    if sender is not None:
        headers["From"] = sender
    return requests.request(method, pd.url + path, params=params, json=json, headers=headers, timeout=10)


def numbers(response: requests.Response) -> list[int]:
    """The incident numbers a list answered, in order."""
    assert response.status_code == 200, response.text
    return [incident["incident_number"] for incident in response.json()["incidents"]]


def test_a_request_without_the_token_or_with_a_wrong_one_is_refused(pd: PagerDutyRestStandIn) -> None:
    for token in (None, "wrong", f"{KEY}x"):
        response = call(pd, "GET", "/incidents", token=token)
        assert response.status_code == 401
        assert response.json() == {"error": {"message": "Authentication failed", "code": 2006}}
    bearer = requests.get(pd.url + "/incidents", headers={"Authorization": f"Bearer {KEY}"}, timeout=10)
    assert bearer.status_code == 401
    assert call(pd, "GET", "/incidents").status_code == 200


def test_writes_need_the_email_of_a_known_user_in_from(pd: PagerDutyRestStandIn) -> None:
    service = pd.add_service("Hub")
    incident = pd.add_incident("Hub down", service)
    resolve = {"incident": {"type": "incident_reference", "status": "resolved"}}
    note = {"note": {"content": "On it"}}
    for method, path, body in (("PUT", "", resolve), ("POST", "/notes", note)):
        missing = call(pd, method, f"/incidents/{incident}{path}", json=body, sender=None)
        assert missing.status_code == 400
        assert missing.json()["error"]["message"] == (
            'You must specify a user\'s email address in the "From" header to perform this action'
        )
        stranger = call(pd, method, f"/incidents/{incident}{path}", json=body, sender="bob@example.org")
        assert stranger.status_code == 400
        assert stranger.json()["error"] == {"message": "Requester User Not Found", "code": 1008}
    assert pd.incident(incident)["status"] == "triggered" and pd.notes(incident) == []
    assert call(pd, "POST", f"/incidents/{incident}/notes", json=note, sender=ALICE.upper()).ok


def test_the_list_filters_by_service_status_and_creation_time(pd: PagerDutyRestStandIn) -> None:
    hub, docs = pd.add_service("Hub"), pd.add_service("Docs")
    pd.add_incident("Hub slow", hub, created_at=NOW - timedelta(days=2))
    pd.add_incident("Docs down", docs, created_at=NOW - timedelta(days=3))
    pd.add_incident("Hub down", hub, assignee_email=ALICE, status="acknowledged")
    pd.add_incident("Old outage", hub, created_at=NOW - timedelta(days=60), status="resolved")
    assert numbers(call(pd, "GET", "/incidents")) == [1, 2, 3]  # the month before now
    assert numbers(call(pd, "GET", "/incidents", {"service_ids[]": [hub]})) == [1, 3]
    assert numbers(call(pd, "GET", "/incidents", {"service_ids[]": [hub, docs]})) == [1, 2, 3]
    statuses = {"statuses[]": ["triggered", "acknowledged"]}
    assert numbers(call(pd, "GET", "/incidents", statuses)) == [1, 2, 3]
    assert numbers(call(pd, "GET", "/incidents", {"statuses[]": "acknowledged"})) == [3]
    since = {"since": (NOW - timedelta(days=90)).isoformat(), "statuses[]": "resolved"}
    assert numbers(call(pd, "GET", "/incidents", since)) == [4]
    window = {"since": "2025-03-12T00:00:00Z", "until": "2025-03-13T23:59:59Z"}
    assert numbers(call(pd, "GET", "/incidents", window)) == [1, 2]
    everything = {"date_range": "all", "since": "2025-03-14T00:00:00Z"}
    assert numbers(call(pd, "GET", "/incidents", everything)) == [1, 2, 3, 4]


def test_a_bad_list_request_is_refused(pd: PagerDutyRestStandIn) -> None:
    too_long = call(pd, "GET", "/incidents", {"since": "2024-01-01T00:00:00Z"})
    assert too_long.status_code == 400 and too_long.json()["error"]["code"] == 2005
    unreadable = call(pd, "GET", "/incidents", {"since": "last tuesday"})
    assert unreadable.status_code == 400 and unreadable.json()["error"]["code"] == 2004
    assert call(pd, "GET", "/incidents", {"statuses[]": "open"}).status_code == 400
    assert call(pd, "GET", "/incidents", {"limit": "101"}).status_code == 400
    capped = call(pd, "GET", "/incidents", {"limit": "100", "offset": "9901"})
    assert capped.status_code == 400
    assert capped.json()["error"]["code"] == 2002
    assert "Offset+limit exceeds maximum allowed value of 10000" in capped.json()["error"]["errors"][0]
    assert call(pd, "GET", "/incidents", {"limit": "100", "offset": "9900"}).status_code == 200


def test_the_list_pages_by_limit_and_offset(pd: PagerDutyRestStandIn) -> None:
    service = pd.add_service("Hub")
    for n in range(5):
        pd.add_incident(f"Incident {n}", service, created_at=NOW - timedelta(hours=n))
    whole = call(pd, "GET", "/incidents").json()
    assert (whole["limit"], whole["offset"], whole["more"], whole["total"]) == (25, 0, False, None)
    pages: list[tuple[int, bool, list[int]]] = []
    offset = 0
    for _ in range(10):
        response = call(pd, "GET", "/incidents", {"limit": 2, "offset": offset})
        body = response.json()
        pages.append((body["offset"], body["more"], numbers(response)))
        assert body["limit"] == 2 and body["total"] is None
        if not body["more"]:
            break
        offset += body["limit"]
    assert pages == [(0, True, [1, 2]), (2, True, [3, 4]), (4, False, [5])]


def test_include_acknowledgers_and_assignees_gives_full_users(pd: PagerDutyRestStandIn) -> None:
    service = pd.add_service("Hub")
    incident = pd.add_incident("Hub down", service, assignee_email=ALICE)
    pd.acknowledge(incident, ALICE, at=NOW + timedelta(minutes=5))
    plain = call(pd, "GET", "/incidents").json()["incidents"][0]
    acknowledger = plain["acknowledgements"][0]["acknowledger"]
    assert acknowledger["type"] == "user_reference" and "email" not in acknowledger
    assert acknowledger["summary"] == "Alice Responder" and acknowledger["id"].startswith("P")
    assert plain["acknowledgements"][0]["at"] == "2025-03-15T12:05:00Z"
    assert plain["assignments"][0]["assignee"]["type"] == "user_reference"
    included = {"include[]": ["acknowledgers", "assignees"]}
    full = call(pd, "GET", "/incidents", included).json()["incidents"][0]
    assert full["acknowledgements"][0]["acknowledger"]["email"] == ALICE
    assert full["assignments"][0]["assignee"]["email"] == ALICE
    one = call(pd, "GET", f"/incidents/{incident}", {"include[]": "acknowledgers"}).json()["incident"]
    assert one["acknowledgements"][0]["acknowledger"]["type"] == "user"


def test_an_incident_looks_like_pagerdutys(pd: PagerDutyRestStandIn) -> None:
    service = pd.add_service("Hub")
    incident_id = pd.add_incident("Hub down", service, priority="P2")
    response = call(pd, "GET", f"/incidents/{incident_id}")
    assert response.status_code == 200
    incident = response.json()["incident"]
    assert re.fullmatch(r"[A-Z0-9]{7}", incident["id"])
    assert incident["summary"] == "[#1] Hub down" and incident["type"] == "incident"
    assert incident["status"] == "triggered" and incident["resolved_at"] is None
    assert all(STAMP.match(incident[k]) for k in ("created_at", "updated_at", "last_status_change_at"))
    assert incident["service"] == {**incident["service"], "id": service, "type": "service_reference"}
    priority = incident["priority"]
    assert set(priority) == {"id", "type", "summary", "self"} and priority["summary"] == "P2"
    assert priority["type"] == "priority_reference"
    assert call(pd, "GET", f"/incidents/{incident_id}").json() == {"incident": pd.incident(incident_id)}
    assert pd.incident(pd.add_incident("Docs down", service))["priority"] is None


def test_priorities_are_listed_most_severe_first(pd: PagerDutyRestStandIn) -> None:
    pd.add_priority("P6")
    body = call(pd, "GET", "/priorities").json()
    assert [p["name"] for p in body["priorities"]] == ["P1", "P2", "P3", "P4", "P5", "P6"]
    first = body["priorities"][0]
    assert first["type"] == "priority" and first["summary"] == "P1" and first["description"]
    assert (body["more"], body["total"]) == (False, None)


def test_a_resolved_incident_leaves_the_open_list(pd: PagerDutyRestStandIn) -> None:
    service = pd.add_service("Hub")
    incident = pd.add_incident("Hub down", service, assignee_email=ALICE)
    pd.acknowledge(incident, ALICE)
    resolve = {"incident": {"type": "incident_reference", "status": "resolved"}}
    answered = call(pd, "PUT", f"/incidents/{incident}", json=resolve)
    assert answered.status_code == 200
    resolved = answered.json()["incident"]
    assert resolved["status"] == "resolved" and resolved["resolved_at"] == "2025-03-15T12:00:00Z"
    assert resolved["assignments"] == [] and resolved["acknowledgements"] == []
    open_ones = {"statuses[]": ["triggered", "acknowledged"]}
    assert numbers(call(pd, "GET", "/incidents", open_ones)) == []
    assert numbers(call(pd, "GET", "/incidents", {"statuses[]": "resolved"})) == [1]
    again = call(pd, "PUT", f"/incidents/{incident}", json=resolve)
    assert again.status_code == 200 and again.json()["incident"] == resolved
    pd.already_resolved_status = 400
    refused = call(pd, "PUT", f"/incidents/{incident}", json=resolve)
    assert refused.status_code == 400
    assert refused.json() == {"error": {"message": "Incident Already Resolved", "code": 1001}}


def test_notes_are_kept_and_answered_with_200(pd: PagerDutyRestStandIn) -> None:
    incident = pd.add_incident("Hub down", pd.add_service("Hub"))
    for text in ("Investigating", "Fixed in GitHub"):
        response = call(pd, "POST", f"/incidents/{incident}/notes", json={"note": {"content": text}})
        assert response.status_code == 200
        note = response.json()["note"]
        assert note["content"] == text and note["user"]["summary"] == "Alice Responder"
        assert note["channel"] == {"summary": "The PagerDuty website or APIs"}
        assert note["created_at"] == "2025-03-15T12:00:00Z"
    assert pd.notes(incident) == ["Investigating", "Fixed in GitHub"]
    listed = call(pd, "GET", f"/incidents/{incident}/notes").json()["notes"]
    assert [n["content"] for n in listed] == ["Investigating", "Fixed in GitHub"]
    blank = call(pd, "POST", f"/incidents/{incident}/notes", json={"note": {"content": " "}})
    assert blank.status_code == 400 and pd.notes(incident) == ["Investigating", "Fixed in GitHub"]


def test_unknown_incidents_and_paths_are_404(pd: PagerDutyRestStandIn) -> None:
    not_found = {"error": {"message": "Not Found", "code": 2100}}
    note = {"note": {"content": "hello"}}
    for method, path, body in (
        ("GET", "/incidents/PNOSUCH", None),
        ("POST", "/incidents/PNOSUCH/notes", note),
        ("GET", "/services", None),
        ("DELETE", "/incidents", None),
    ):
        response = call(pd, method, path, json=body)
        assert (response.status_code, response.json()) == (404, not_found), (method, path)


def test_a_rate_limit_carries_pagerdutys_headers_then_passes(pd: PagerDutyRestStandIn) -> None:
    pd.rate_limit_next(1, reset_seconds=7)
    limited = call(pd, "GET", "/incidents")
    assert limited.status_code == 429
    assert limited.json() == {"error": {"message": "Rate Limit Exceeded", "code": 2020}}
    assert limited.headers["ratelimit-limit"] == "960"
    assert limited.headers["ratelimit-remaining"] == "0"
    assert limited.headers["ratelimit-reset"] == "7"
    assert call(pd, "GET", "/incidents").status_code == 200
    pd.outage(1)
    assert call(pd, "GET", "/priorities").status_code == 500
    assert call(pd, "GET", "/priorities").status_code == 200


def test_notes_and_resolves_are_heard_and_nothing_else(pd: PagerDutyRestStandIn) -> None:
    heard: list[Heard] = []
    incident = pd.add_incident("Hub down", pd.add_service("Hub"))
    pd.listen(heard.append)
    call(pd, "GET", "/incidents")
    call(pd, "GET", f"/incidents/{incident}")
    call(pd, "POST", f"/incidents/{incident}/notes", json={"note": {"content": "Tracked in GitHub"}})
    call(pd, "POST", f"/incidents/{incident}/notes", json={"note": {"content": "no one"}}, sender=None)
    call(
        pd, "PUT", f"/incidents/{incident}", json={"incident": {"type": "incident", "status": "acknowledged"}}
    )
    call(pd, "PUT", f"/incidents/{incident}", json={"incident": {"type": "incident", "status": "resolved"}})
    assert heard == [
        Heard("PagerDuty", "note on incident #1", "Tracked in GitHub"),
        Heard("PagerDuty", "resolved incident #1"),
    ]


def test_the_log_keeps_every_value_of_a_repeated_query_key(pd: PagerDutyRestStandIn) -> None:
    call(pd, "GET", "/incidents", {"statuses[]": ["triggered", "acknowledged"], "limit": 5})
    recorded = pd.log[-1]
    assert recorded.params == {"statuses[]": ["triggered", "acknowledged"], "limit": ["5"]}
    assert recorded.query == {"statuses[]": "acknowledged", "limit": "5"}
