"""Escaping for GitHub Actions workflow commands (`::error file=…::message`)."""

from __future__ import annotations


def escape_data(text: str) -> str:
    """Escape text for a workflow command's message."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a workflow command's property value (file=…, line=…)."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")
