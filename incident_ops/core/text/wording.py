"""Small pieces of wording shared by the tool's messages."""

from __future__ import annotations


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """'1 read', '2 reads', '0 incidents'."""
    return f"{count} {noun if count == 1 else plural or noun + 's'}"


def api_calls(reads: int, writes: int) -> str:
    """'API calls: 1 read, 2 writes'."""
    return f"API calls: {counted(reads, 'read')}, {counted(writes, 'write')}"
