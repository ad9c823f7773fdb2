"""Shared fixtures: the emulator world for end-to-end tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from harness import World, new_world
from hypothesis import HealthCheck, settings

# A busy 2-core CI machine generates examples slowly: that is no failure. Runs stay bounded by max_examples.
settings.register_profile("suite", suppress_health_check=[HealthCheck.too_slow], deadline=None)
settings.load_profile("suite")


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    """A seeded emulator and workspace, stopped after the test."""
    emu, w = new_world(tmp_path)
    try:
        yield w
    finally:
        emu.stop()
