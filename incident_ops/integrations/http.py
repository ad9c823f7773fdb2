"""A small JSON-over-HTTP client for the integrations: timeouts, polite retries, no secrets in errors."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import requests

from incident_ops.core.text.redaction import Redactor

RETRYABLE = frozenset({429, 500, 502, 503, 504})


class IntegrationError(Exception):
    """An integration could not deliver; the message names the service and why, never a secret."""


@dataclass
class HttpClient:
    """Sends requests with a timeout, retrying 5xx, 429 and connection failures a few times."""

    service: str
    timeout: float = 10.0
    attempts: int = 3
    base_delay: float = 1.0
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)
    session: requests.Session = field(default_factory=requests.Session, repr=False)
    secrets: tuple[str, ...] = field(default=(), repr=False)  # masked in every message, as echoed or not

    def __post_init__(self) -> None:
        self._redact = Redactor(self.secrets)

    def request(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        """One request; raises IntegrationError after the last failed attempt or on a refusal."""
        problem = ""
        for attempt in range(self.attempts):
            wait = self.base_delay * (2**attempt)
            try:
                response = self.session.request(method, url, timeout=self.timeout, **kwargs)
            except requests.RequestException as error:
                problem = f"could not connect ({type(error).__name__})"
            else:
                if response.status_code < 400:
                    return response
                problem = f"answered {response.status_code}"
                if response.status_code not in RETRYABLE:
                    # A service or a proxy may echo the URL or the key it was given: never pass that on.
                    raise IntegrationError(self._redact(f"{self.service} {problem}: {_reason(response)}"))
                wait = _retry_after(response, wait)
            if attempt + 1 < self.attempts:
                self.sleep(min(wait, 30.0))
        raise IntegrationError(f"{self.service} {problem} after {self.attempts} attempts")


def _retry_after(response: requests.Response, default: float) -> float:
    """The wait a refusal asks for: Retry-After, or PagerDuty's ratelimit-reset (seconds), or the backoff."""
    for name in ("Retry-After", "ratelimit-reset"):
        try:
            return float(response.headers[name])
        except (KeyError, ValueError):
            continue
    return default


def _reason(response: requests.Response) -> str:
    """The service's own short explanation (its error text, cut short)."""
    text = response.text.strip().replace("\n", " ")
    return text[:200] if text else "no explanation given"
