"""The command-line tools some tests run, found or named clearly when missing."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

HOW = {
    "node": "install Node.js (Debian: apt-get install nodejs npm); .ci/run does this as root",
    "npm": "install Node.js (Debian: apt-get install nodejs npm); .ci/run does this as root",
}
TEST_EXTRA = "install the test tools with pip install -e '.[test]'"


def tool(name: str) -> str:
    """The path of `name`: beside this Python (the [test] extra), else on PATH; a clear failure if neither."""
    beside = Path(sys.executable).parent / name
    if beside.exists():
        return str(beside)
    found = shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is missing: {HOW.get(name, TEST_EXTRA)}", pytrace=False)
    return found
