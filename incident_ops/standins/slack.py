"""A Slack incoming webhook: a secret URL that takes {"text": …} and answers "ok", or an error as text."""

from __future__ import annotations

import json
from typing import Any

from .server import Heard, Recorded, Reply, StandIn, text_answer


class SlackStandIn(StandIn):
    """A Slack incoming webhook: POST {"text": …} to the secret URL answers 200 "ok", errors as text."""

    def __init__(self, secret: str = "xS3cr3tW3bh00kT0k3n") -> None:
        super().__init__()
        self.secret = secret
        self.path = f"/services/T0HUBTEAM/B0INCIDENT/{secret}"
        self.revoked = False
        self.archived = False
        self.accepted: list[dict[str, Any]] = []

    @property
    def url(self) -> str:
        """The webhook URL (itself a secret)."""
        return self.base_url + self.path

    @property
    def messages(self) -> list[str]:
        """The text of every message the channel received, oldest first."""
        with self._lock:
            return [str(m.get("text", "")) for m in self.accepted]

    def answer(
        self, method: str, path: str, query: dict[str, str], headers: dict[str, str], body: bytes
    ) -> Reply:
        """Slack's answers: "ok", or an error code as text with its HTTP status."""
        if path != self.path:
            return text_answer(404, "no_service")
        if method != "POST":
            return text_answer(400, "invalid_payload")
        if self.revoked:
            return text_answer(403, "invalid_token")
        if self.archived:
            return text_answer(410, "channel_is_archived")
        try:
            payload = json.loads(body)
        except ValueError:
            return text_answer(400, "invalid_payload")
        if not isinstance(payload, dict):
            return text_answer(400, "invalid_payload")
        if not payload.get("text") and not payload.get("blocks"):
            return text_answer(400, "no_text")
        self.accepted.append(payload)
        return text_answer(200, "ok")

    def heard(self, request: Recorded) -> Heard | None:
        """A message posted to the channel."""
        payload = request.json
        return (
            Heard("Slack", "chat message", str(payload.get("text", "")))
            if request.path == self.path
            else None
        )

    def outage(self, times: int = 100) -> None:
        """Slack's servers fail: 500 rollup_error for the next `times` requests."""
        self.fail_next(times, 500, "rollup_error")
