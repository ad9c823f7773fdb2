"""Secrets kept out of every line the tool prints: the configured values and the forms they travel in."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterable
from urllib.parse import quote, urlsplit

MASK = "***"
SHORTEST = 4  # as GitHub's own masking: a shorter value would mask ordinary words


def forms(secret: str) -> set[str]:
    """The ways a secret can be echoed back: as given, URL-quoted, JSON-escaped, as FreshDesk's Basic
    credentials, and for a URL its path and its last segment (a webhook's token)."""
    value = secret.strip()
    if len(value) < SHORTEST:
        return set()
    found = {value, quote(value, safe=""), quote(value), json.dumps(value)[1:-1]}
    found.add(base64.b64encode(f"{value}:X".encode()).decode())
    try:
        parts = urlsplit(value)
    except ValueError:
        parts = None
    if parts is not None and parts.scheme in ("http", "https") and parts.path not in ("", "/"):
        found.add(parts.path)
        found.update(segment for segment in parts.path.split("/") if len(segment) >= 8)
        found.add(value.split("://", 1)[1])
    return {form for form in found if len(form) >= SHORTEST}


class Redactor:
    """Replaces every form of the given secrets by ***, longest first."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        known = set()
        for secret in secrets:
            for line in (secret or "").splitlines() or [""]:
                known |= forms(line)
        ordered = sorted(known, key=len, reverse=True)
        self._pattern = re.compile("|".join(re.escape(form) for form in ordered)) if ordered else None

    def __call__(self, text: str) -> str:
        """The text with every secret masked."""
        return self._pattern.sub(MASK, text) if self._pattern is not None and text else text
