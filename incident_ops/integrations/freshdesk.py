"""FreshDesk API v2: public replies to the requester, a note, ticket status, requester replies."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from incident_ops.integrations.http import HttpClient, IntegrationError

RESOLVED, CLOSED = 4, 5
MAX_PAGES = 20


class FreshDesk:
    """One FreshDesk account, addressed by subdomain, domain or a full base URL."""

    def __init__(self, domain: str, api_key: str, key_env: str, client: HttpClient | None = None) -> None:
        self._base = base_url(domain)
        self._auth = (api_key, "X")
        self._key_env = key_env
        self._client = client or HttpClient("FreshDesk")

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        """One API call, with FreshDesk's refusals explained."""
        try:
            response = self._client.request(method, self._base + path, auth=self._auth, **kwargs)
        except IntegrationError as error:
            if "answered 401" in str(error) or "answered 403" in str(error):
                raise IntegrationError(f"{error} (check the API key in ${self._key_env})") from error
            if "answered 404" in str(error):
                raise IntegrationError(f"{error} (is the ticket number right?)") from error
            raise
        return response.json() if response.content else None

    def reply(self, ticket: str, html: str) -> None:
        """A public reply on the ticket: the requester gets it by email."""
        self._call("POST", f"/tickets/{ticket}/reply", json={"body": html})

    def note(self, ticket: str, html: str) -> None:
        """A private note for agents."""
        self._call("POST", f"/tickets/{ticket}/notes", json={"body": html, "private": True})

    def set_status(self, ticket: str, status: int) -> None:
        """Set the ticket's status (4 Resolved, 5 Closed)."""
        self._call("PUT", f"/tickets/{ticket}", json={"status": status})

    def requester_replied_since(self, ticket: str, since: datetime) -> bool:
        """Whether the ticket's requester wrote to it after `since`."""
        requester = (self._call("GET", f"/tickets/{ticket}") or {}).get("requester_id")
        for page in range(1, MAX_PAGES + 1):
            batch = self._call(
                "GET", f"/tickets/{ticket}/conversations", params={"page": page, "per_page": 100}
            )
            for entry in batch or []:
                if entry.get("incoming") and entry.get("user_id") == requester and _after(entry, since):
                    return True
            if not batch or len(batch) < 100:
                return False
        return False


def base_url(domain: str) -> str:
    """The API base for "acme", "acme.freshdesk.com" or a full URL such as http://127.0.0.1:8080."""
    value = domain.strip().rstrip("/")
    if value.startswith(("http://", "https://")):
        return value if value.endswith("/api/v2") else value + "/api/v2"
    host = value if "." in value else f"{value}.freshdesk.com"
    return f"https://{host}/api/v2"


def _after(entry: dict[str, Any], since: datetime) -> bool:
    """Whether a conversation entry was created after `since`."""
    created = str(entry.get("created_at") or "")
    try:
        when = datetime.fromisoformat(created.replace("Z", "+00:00"))
    except ValueError:
        return False
    return when.astimezone(UTC) > since
