"""Shared fixtures: the emulator world for end-to-end tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from harness import World, new_world


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    """A seeded emulator and workspace, stopped after the test."""
    emu, w = new_world(tmp_path)
    try:
        yield w
    finally:
        emu.stop()
