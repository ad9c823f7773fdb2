"""Slack incoming webhook: one JSON POST per message."""

from __future__ import annotations

from urllib.parse import urlsplit

from incident_ops.integrations.http import HttpClient, IntegrationError

HINTS = {
    400: "Slack rejected the message (invalid_payload)",
    403: "the webhook's token is invalid or revoked",
    404: "the webhook URL is wrong or was removed",
    410: "the webhook's channel is archived",
}


class SlackWebhook:
    """Posts plain-text messages to one incoming webhook."""

    def __init__(self, url: str, env_name: str, client: HttpClient | None = None) -> None:
        try:
            parts = urlsplit(url.strip())
            valid = parts.scheme in ("http", "https") and bool(parts.hostname)
        except ValueError:
            valid = False
        if not valid:
            # Never echo the value: a webhook URL is a secret.
            raise IntegrationError(
                f"${env_name} does not hold a webhook URL (expected https://hooks.slack.com/services/…)"
            )
        self._url = url.strip()
        self._env_name = env_name
        self._client = client or HttpClient("Slack")

    def post(self, text: str) -> None:
        """Send one message; IntegrationError says why it failed."""
        try:
            self._client.request("POST", self._url, json={"text": text})
        except IntegrationError as error:
            status = next((code for code in HINTS if f"answered {code}" in str(error)), None)
            hint = f" ({HINTS[status]}; check ${self._env_name})" if status else ""
            raise IntegrationError(f"{error}{hint}") from error


def escape(text: str) -> str:
    """Text safe inside a Slack message (its three control characters escaped)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def link(url: str, label: str) -> str:
    """A Slack link."""
    return f"<{url}|{escape(label)}>" if url else escape(label)
