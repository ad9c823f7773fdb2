"""Short digests that key what the status comment remembers."""

from __future__ import annotations

import hashlib


def digest(*parts: str) -> str:
    """A short digest of some text (parts kept apart, so "ab" + "c" differs from "a" + "bc")."""
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:32]
