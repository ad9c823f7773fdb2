"""Short digests that key what the status comment remembers: of text, and of the tool's own code."""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

from incident_ops import __version__


def digest(*parts: str) -> str:
    """A short digest of some text (parts kept apart, so "ab" + "c" differs from "a" + "bc")."""
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:32]


@functools.cache
def source_digest(*files: str) -> str:
    """A digest of the tool's version and of source files, so a changed rule is not answered from memory."""
    texts = [__version__]
    for file in files:
        try:
            texts.append(Path(file).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError):
            texts.append(file)  # installed without sources: the version alone has to do
    return digest(*texts)
