"""Build GitHub event payloads for tests from the fixtures in tests/fixtures/webhooks."""

from __future__ import annotations

import copy
import functools
import json
from pathlib import Path
from typing import Any

FIXTURE_DIR = Path(__file__).parent / "fixtures" / "webhooks"

# Top-level objects that make_payload may replace, per fixture.
# `organization` and `installation` are never replaced: they stay as the fixture has them.
REPLACEABLE: dict[str, frozenset[str]] = {
    "issues.opened": frozenset({"repository", "issue", "sender"}),
    "issues.edited": frozenset({"repository", "issue", "sender", "changes"}),
    "issues.labeled": frozenset({"repository", "issue", "sender", "label"}),
    "issues.unlabeled": frozenset({"repository", "issue", "sender", "label"}),
    "issues.reopened": frozenset({"repository", "issue", "sender"}),
    "issues.closed": frozenset({"repository", "issue", "sender"}),
    "issue_comment.created": frozenset({"repository", "issue", "sender", "comment"}),
    "issue_comment.edited": frozenset({"repository", "issue", "sender", "comment", "changes"}),
    "issue_comment.deleted": frozenset({"repository", "issue", "sender", "comment"}),
    "workflow_dispatch": frozenset({"repository", "sender"}),
    "schedule": frozenset({"repository", "sender"}),
    "repository_dispatch": frozenset({"repository", "sender"}),
}

FIXTURE_NAMES: tuple[str, ...] = tuple(sorted(REPLACEABLE))

EVENT_FILE_NAME = "event.json"


def _check_name(name: str) -> None:
    """Raise ValueError unless `name` is a known fixture."""
    if name not in REPLACEABLE:
        known = ", ".join(FIXTURE_NAMES)
        raise ValueError(f"unknown webhook fixture {name!r}; known fixtures: {known}")


def fixture_path(name: str) -> Path:
    """Return the path of fixture `name` (e.g. "issues.labeled")."""
    _check_name(name)
    return FIXTURE_DIR / f"{name}.json"


@functools.cache
def _read_fixture(name: str) -> dict[str, Any]:
    """Parse fixture `name` once; callers must copy the result before changing it."""
    with fixture_path(name).open(encoding="utf-8") as handle:
        return json.load(handle)


def load_fixture(name: str) -> dict[str, Any]:
    """Return a deep copy of fixture `name` exactly as stored."""
    return copy.deepcopy(_read_fixture(name))


def make_payload(
    name: str,
    *,
    repository: dict | None = None,
    issue: dict | None = None,
    sender: dict | None = None,
    label: dict | None = None,
    comment: dict | None = None,
    changes: dict | None = None,
) -> dict:
    """Return fixture `name` with the given top-level objects replaced by deep copies."""
    _check_name(name)
    allowed = REPLACEABLE[name]
    replacements = {
        "repository": repository,
        "issue": issue,
        "sender": sender,
        "label": label,
        "comment": comment,
        "changes": changes,
    }
    given = {key: value for key, value in replacements.items() if value is not None}
    unexpected = sorted(set(given) - allowed)
    if unexpected:
        raise ValueError(
            f"{', '.join(unexpected)} is not part of the {name!r} payload; "
            f"it accepts: {', '.join(sorted(allowed))}"
        )
    payload = load_fixture(name)
    for key, value in given.items():
        payload[key] = copy.deepcopy(value)
    return payload


def write_event(tmp_dir: Path, payload: dict) -> Path:
    """Write `payload` to `tmp_dir`/event.json and return that path (for GITHUB_EVENT_PATH)."""
    tmp_dir.mkdir(parents=True, exist_ok=True)
    path = tmp_dir / EVENT_FILE_NAME
    path.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    return path
