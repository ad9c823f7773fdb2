"""PagerDuty Events API v2: trigger, acknowledge and resolve one alert per incident, by its dedup key.

A small client over the HTTP library the tool already has: PagerDuty's own package would add seven wheels
(httpx2 and its stack) to every install and about 0.1 s to a run's start-up, for one JSON POST.
"""

from __future__ import annotations

from typing import Any

from incident_ops.integrations.http import HttpClient, IntegrationError

EVENTS_URL = "https://events.pagerduty.com/v2/enqueue"
HINTS = {
    400: "PagerDuty refused the event (check that the routing key is an Events API v2 integration key)",
    429: "PagerDuty is limiting the rate of events",
}


class PagerDuty:
    """Sends Events API v2 events for one routing key (a secret, never shown)."""

    def __init__(self, routing_key: str, env_name: str, client: HttpClient, url: str = EVENTS_URL) -> None:
        if not routing_key.strip() or any(c.isspace() for c in routing_key.strip()):
            raise IntegrationError(f"${env_name} does not hold a PagerDuty routing key")
        self._key = routing_key.strip()
        self._env_name = env_name
        self._client = client
        self._url = url

    def send(
        self, action: str, dedup_key: str, payload: dict[str, Any] | None = None, link: str = ""
    ) -> None:
        """One event: `trigger` (with its payload), `acknowledge` or `resolve` of the alert `dedup_key`."""
        event: dict[str, Any] = {"routing_key": self._key, "event_action": action, "dedup_key": dedup_key}
        if action == "trigger":
            event["payload"] = payload or {}
            if link:
                event["links"] = [{"href": link, "text": "The incident's GitHub issue"}]
        try:
            answer = self._client.request("POST", self._url, json=event)
        except IntegrationError as error:
            status = next((code for code in HINTS if f"answered {code}" in str(error)), None)
            hint = f" ({HINTS[status]}; check ${self._env_name})" if status else ""
            raise IntegrationError(f"{error}{hint}") from error
        try:
            echoed = answer.json().get("dedup_key")
        except ValueError:
            echoed = None
        if echoed is not None and echoed != dedup_key:
            raise IntegrationError(f"PagerDuty answered for another alert ({echoed!r}, not {dedup_key!r})")
