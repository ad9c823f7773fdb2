"""PagerDuty's REST API v2, for the sync: list the services' incidents, read priorities, add notes, resolve.

Every request carries `Authorization: Token token=<key>` (a secret, never shown); writes carry `From`, the
email of a PagerDuty user, as PagerDuty requires of an account-level key. Lists are read 100 at a time.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from incident_ops.core.pagerduty import Acknowledgement, PagerDutyIncident
from incident_ops.integrations.http import HttpClient, IntegrationError

API_URL = "https://api.pagerduty.com"
ACCEPT = "application/vnd.pagerduty+json;version=2"
PAGE = 100  # PagerDuty's largest page
MAX_OFFSET = 10_000  # PagerDuty answers 400 past offset + limit = 10,000
MAX_RANGE = timedelta(days=180)  # `since` reaches back at most about 6 months
INCLUDE = ("acknowledgers", "assignees", "agents")  # their emails, to map people to GitHub logins
HINTS = {
    401: "PagerDuty refused the API key",
    403: "the API key may not read or write these incidents",
    400: "PagerDuty refused the request (a write needs from_email to be a PagerDuty user's email)",
}


class PagerDutyRest:
    """The REST API for one key (from `env_name`), acting as the PagerDuty user `from_email` on writes."""

    def __init__(
        self, api_key: str, env_name: str, from_email: str, client: HttpClient, url: str = API_URL
    ) -> None:
        if not api_key.strip() or any(c.isspace() for c in api_key.strip()):
            raise IntegrationError(f"${env_name} does not hold a PagerDuty REST API key")
        self._headers = {"Authorization": f"Token token={api_key.strip()}", "Accept": ACCEPT}
        self._env_name = env_name
        self._from = from_email
        self._client = client
        self._url = url.rstrip("/")

    def open_incidents(self, services: tuple[str, ...]) -> list[PagerDutyIncident]:
        """The services' triggered and acknowledged incidents, however old."""
        query = [("statuses[]", "triggered"), ("statuses[]", "acknowledged"), ("date_range", "all")]
        return self._incidents(services, query)

    def resolved_since(
        self, services: tuple[str, ...], since: datetime, now: datetime
    ) -> list[PagerDutyIncident]:
        """The services' resolved incidents created since `since` (at most about 6 months back)."""
        start = max(since, now - MAX_RANGE)
        query = [
            ("statuses[]", "resolved"),
            ("since", _time(start)),
            ("until", _time(now + timedelta(days=1))),
        ]
        return self._incidents(services, query)

    def priorities(self) -> list[str]:
        """The account's priority names, most severe first."""
        data = self._get("/priorities", [("limit", str(PAGE))])
        found = data.get("priorities") if isinstance(data, dict) else None
        return [str(p.get("name") or p.get("summary")) for p in found or () if isinstance(p, dict)]

    def add_note(self, incident_id: str, text: str) -> None:
        """A note on the incident's timeline."""
        self._write("POST", f"/incidents/{incident_id}/notes", {"note": {"content": text}})

    def resolve(self, incident_id: str) -> None:
        """Resolve the incident (one already resolved stays so)."""
        body = {"incident": {"type": "incident_reference", "status": "resolved"}}
        try:
            self._write("PUT", f"/incidents/{incident_id}", body)
        except IntegrationError as error:
            if "Already Resolved" not in str(error):
                raise

    def _incidents(self, services: tuple[str, ...], query: list[tuple[str, str]]) -> list[PagerDutyIncident]:
        """Every page of GET /incidents for the services."""
        base = [*query, *(("service_ids[]", s) for s in services), *(("include[]", i) for i in INCLUDE)]
        found: list[PagerDutyIncident] = []
        offset = 0
        while offset + PAGE <= MAX_OFFSET:
            data = self._get("/incidents", [*base, ("limit", str(PAGE)), ("offset", str(offset))])
            page = data.get("incidents") if isinstance(data, dict) else None
            if not isinstance(page, list):
                raise IntegrationError("PagerDuty answered a list of incidents without its incidents")
            found += [incident for item in page if (incident := incident_from(item)) is not None]
            if data.get("more") is not True or not page:
                break
            offset += PAGE
        return found

    def _get(self, path: str, query: list[tuple[str, str]]) -> Any:
        """A GET's JSON answer."""
        answer = self._request("GET", path, params=query)
        try:
            return answer.json()
        except ValueError as error:
            raise IntegrationError(f"PagerDuty answered {path} with something other than JSON") from error

    def _write(self, method: str, path: str, body: dict[str, Any]) -> None:
        """A write, as the PagerDuty user `from_email`."""
        self._request(method, path, json=body, headers={**self._headers, "From": self._from})

    def _request(self, method: str, path: str, **kwargs: Any) -> Any:
        """One request, its failure named with what to check."""
        kwargs.setdefault("headers", self._headers)
        try:
            return self._client.request(method, self._url + path, **kwargs)
        except IntegrationError as error:
            status = next((code for code in HINTS if f"answered {code}" in str(error)), None)
            hint = f" ({HINTS[status]}; check ${self._env_name} and from_email)" if status else ""
            raise IntegrationError(f"{error}{hint}") from error


def incident_from(data: object) -> PagerDutyIncident | None:
    """A PagerDuty incident from its JSON; None when it lacks what the sync needs."""
    if not isinstance(data, dict):
        return None
    created = _parse(data.get("created_at"))
    number = data.get("incident_number")
    if not isinstance(data.get("id"), str) or created is None or not isinstance(number, int):
        return None
    status = data.get("status")
    priority = data.get("priority") if isinstance(data.get("priority"), dict) else {}
    return PagerDutyIncident(
        id=data["id"],
        number=number,
        title=str(data.get("title") or ""),
        status=status if status in ("triggered", "acknowledged", "resolved") else "triggered",
        html_url=str(data.get("html_url") or ""),
        created_at=created,
        service_id=str((data.get("service") or {}).get("id") or "")
        if isinstance(data.get("service"), dict)
        else "",
        priority=_text(priority.get("name") or priority.get("summary")),
        acknowledgements=tuple(
            Acknowledgement(_email(a.get("acknowledger")), at)
            for a in _list(data.get("acknowledgements"))
            if (at := _parse(a.get("at"))) is not None
        ),
        assignees=tuple(m for a in _list(data.get("assignments")) if (m := _email(a.get("assignee")))),
        resolved_at=_parse(data.get("resolved_at")),
        resolved_by=_email(data.get("last_status_change_by")) if status == "resolved" else None,
    )


def _list(value: object) -> list[dict[str, Any]]:
    """The objects of a JSON list (null or anything else: none)."""
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _email(user: object) -> str | None:
    """A full user object's email (a reference has none)."""
    return _text(user.get("email")) if isinstance(user, dict) else None


def _text(value: object) -> str | None:
    """A non-empty string, or None."""
    return value.strip() if isinstance(value, str) and value.strip() else None


def _parse(value: object) -> datetime | None:
    """PagerDuty's ISO 8601 time, in UTC."""
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.astimezone(UTC) if moment.tzinfo else None


def _time(moment: datetime) -> str:
    """A time as PagerDuty's `since` takes it."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
