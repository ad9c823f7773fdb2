"""Tests for the webhook fixtures and the payload helpers in tests/webhooks.py."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from webhooks import (
    FIXTURE_DIR,
    FIXTURE_NAMES,
    REPLACEABLE,
    load_fixture,
    make_payload,
    write_event,
)

ISSUE_EVENTS = [name for name in FIXTURE_NAMES if name.startswith("issues.")]
COMMENT_EVENTS = [name for name in FIXTURE_NAMES if name.startswith("issue_comment.")]

# Top-level keys each event documents (organization/installation are optional extras).
REQUIRED_KEYS: dict[str, set[str]] = {
    "issues.opened": {"action", "issue", "repository", "sender"},
    "issues.edited": {"action", "issue", "changes", "repository", "sender"},
    "issues.labeled": {"action", "issue", "label", "repository", "sender"},
    "issues.unlabeled": {"action", "issue", "label", "repository", "sender"},
    "issues.reopened": {"action", "issue", "repository", "sender"},
    "issues.closed": {"action", "issue", "repository", "sender"},
    "issue_comment.created": {"action", "issue", "comment", "repository", "sender"},
    "issue_comment.edited": {"action", "issue", "comment", "changes", "repository", "sender"},
    "issue_comment.deleted": {"action", "issue", "comment", "repository", "sender"},
    "workflow_dispatch": {"inputs", "ref", "workflow", "repository", "sender"},
    "schedule": {"schedule", "repository"},
    "repository_dispatch": {"action", "branch", "client_payload", "repository", "sender", "installation"},
}
OPTIONAL_KEYS = {"organization", "installation", "enterprise", "sender"}

NEW_REPOSITORY = {
    "id": 1,
    "name": "incidents",
    "full_name": "acme/incidents",
    "owner": {"login": "acme", "type": "Organization"},
    "default_branch": "main",
}
NEW_ISSUE = {"number": 42, "title": "SEV1: checkout down", "state": "open", "labels": []}
NEW_SENDER = {"login": "oncall-bot", "id": 7, "type": "Bot"}
NEW_LABEL = {"id": 9, "name": "sev1", "color": "b60205"}
NEW_COMMENT = {"id": 11, "body": "/incident ack", "user": NEW_SENDER}


def test_fixture_names_match_files_on_disk() -> None:
    """Every fixture file is known to the helper and every known name has a file."""
    on_disk = {path.name.removesuffix(".json") for path in FIXTURE_DIR.glob("*.json")}
    assert on_disk == set(FIXTURE_NAMES)
    assert set(REQUIRED_KEYS) == set(FIXTURE_NAMES)


def test_readme_lists_every_fixture() -> None:
    """The fixtures README names each fixture file."""
    readme = (FIXTURE_DIR / "README.md").read_text(encoding="utf-8")
    for name in FIXTURE_NAMES:
        assert f"`{name}.json`" in readme


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_fixture_is_pretty_printed_json(name: str) -> None:
    """Fixtures are stored as two-space-indented JSON with a trailing newline."""
    text = (FIXTURE_DIR / f"{name}.json").read_text(encoding="utf-8")
    assert text == json.dumps(json.loads(text), indent=2, ensure_ascii=False) + "\n"


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_fixture_has_documented_keys(name: str) -> None:
    """Each fixture carries the top-level keys its event documents and nothing unexpected."""
    payload = load_fixture(name)
    assert REQUIRED_KEYS[name] <= set(payload)
    assert set(payload) <= REQUIRED_KEYS[name] | OPTIONAL_KEYS
    repository = payload["repository"]
    assert repository["full_name"] == f"{repository['owner']['login']}/{repository['name']}"
    assert isinstance(repository["default_branch"], str)
    if "sender" in payload:
        assert isinstance(payload["sender"]["login"], str)


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_replaceable_keys_exist_in_fixture(name: str) -> None:
    """make_payload only replaces objects the fixture already has."""
    assert set(load_fixture(name)) >= REPLACEABLE[name]


@pytest.mark.parametrize("name", ISSUE_EVENTS + COMMENT_EVENTS)
def test_issue_fixtures_name_their_action(name: str) -> None:
    """The action in the payload matches the fixture name and the issue is a plain issue."""
    payload = load_fixture(name)
    assert payload["action"] == name.split(".", 1)[1]
    issue = payload["issue"]
    assert "pull_request" not in issue
    assert isinstance(issue["number"], int)
    assert isinstance(issue["title"], str)
    assert isinstance(issue["labels"], list)
    assert issue["user"]["login"]


@pytest.mark.parametrize("name", COMMENT_EVENTS)
def test_comment_fixtures_have_comment(name: str) -> None:
    """Comment payloads carry a comment that belongs to the payload's issue."""
    payload = load_fixture(name)
    comment = payload["comment"]
    assert isinstance(comment["id"], int)
    assert isinstance(comment["body"], str)
    assert comment["issue_url"] == payload["issue"]["url"]


def test_label_fixtures_carry_the_label() -> None:
    """labeled/unlabeled payloads name the label that changed."""
    for name in ("issues.labeled", "issues.unlabeled"):
        label = load_fixture(name)["label"]
        assert isinstance(label["name"], str)


def test_edited_fixtures_carry_changes() -> None:
    """Edited payloads have a changes object; the comment one records the old body."""
    assert isinstance(load_fixture("issues.edited")["changes"], dict)
    changes = load_fixture("issue_comment.edited")["changes"]
    assert isinstance(changes["body"]["from"], str)


def test_closed_and_reopened_issue_state() -> None:
    """A closed payload has a closed issue; a reopened one has an open issue."""
    closed = load_fixture("issues.closed")["issue"]
    assert closed["state"] == "closed"
    assert closed["closed_at"]
    assert load_fixture("issues.reopened")["issue"]["state"] == "open"


def test_workflow_dispatch_fixture() -> None:
    """workflow_dispatch carries inputs, ref and workflow path but no action."""
    payload = load_fixture("workflow_dispatch")
    assert "action" not in payload
    assert isinstance(payload["inputs"], dict)
    assert payload["ref"].startswith("refs/")
    assert payload["workflow"].startswith(".github/workflows/")


def test_schedule_fixture() -> None:
    """schedule carries the five-field cron string that fired, and no action."""
    payload = load_fixture("schedule")
    assert "action" not in payload
    assert payload["schedule"] == "*/15 * * * *"
    assert len(payload["schedule"].split()) == 5


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_make_payload_without_overrides_is_the_fixture(name: str) -> None:
    """With nothing given, make_payload returns the fixture unchanged."""
    assert make_payload(name) == load_fixture(name)


def test_make_payload_replaces_given_objects_and_keeps_the_rest() -> None:
    """Given objects replace the fixture's; everything else stays as in the fixture."""
    fixture = load_fixture("issues.labeled")
    payload = make_payload(
        "issues.labeled",
        repository=NEW_REPOSITORY,
        issue=NEW_ISSUE,
        label=NEW_LABEL,
    )
    assert payload["repository"] == NEW_REPOSITORY
    assert payload["issue"] == NEW_ISSUE
    assert payload["label"] == NEW_LABEL
    assert payload["sender"] == fixture["sender"]
    assert payload["action"] == "labeled"
    assert set(payload) == set(fixture)


def test_make_payload_comment_and_changes() -> None:
    """Comment and changes can be replaced on issue_comment.edited."""
    changes = {"body": {"from": "/incident ak"}}
    payload = make_payload("issue_comment.edited", comment=NEW_COMMENT, changes=changes, sender=NEW_SENDER)
    assert payload["comment"] == NEW_COMMENT
    assert payload["changes"] == changes
    assert payload["sender"] == NEW_SENDER
    assert payload["issue"] == load_fixture("issue_comment.edited")["issue"]


def test_make_payload_keeps_installation_and_organization() -> None:
    """installation and organization stay when the fixture has them."""
    closed = make_payload("issues.closed", repository=NEW_REPOSITORY)
    assert closed["installation"] == load_fixture("issues.closed")["installation"]
    dispatch = make_payload("workflow_dispatch", repository=NEW_REPOSITORY, sender=NEW_SENDER)
    assert dispatch["organization"] == load_fixture("workflow_dispatch")["organization"]
    assert dispatch["repository"] == NEW_REPOSITORY


def test_make_payload_copies_inputs_and_fixture() -> None:
    """Payloads share no objects with the caller's dicts or with each other."""
    issue = {"number": 1, "labels": [{"name": "sev2"}]}
    payload = make_payload("issues.opened", issue=issue)
    issue["labels"].append({"name": "sev1"})
    assert payload["issue"]["labels"] == [{"name": "sev2"}]
    payload["issue"]["labels"].clear()
    payload["repository"]["name"] = "changed"
    fresh = make_payload("issues.opened")
    assert fresh["repository"]["name"] == load_fixture("issues.opened")["repository"]["name"]
    assert fresh["repository"]["name"] != "changed"


def test_unknown_fixture_name_is_rejected() -> None:
    """An unknown fixture name raises ValueError naming the known fixtures."""
    with pytest.raises(ValueError, match=r"unknown webhook fixture 'issues\.deleted'.*issues\.opened"):
        make_payload("issues.deleted")
    with pytest.raises(ValueError, match="unknown webhook fixture"):
        load_fixture("issue_comment")


@pytest.mark.parametrize(
    ("name", "overrides"),
    [
        ("issue_comment.created", {"label": NEW_LABEL}),
        ("issue_comment.created", {"changes": {}}),
        ("issues.opened", {"comment": NEW_COMMENT}),
        ("issues.opened", {"label": NEW_LABEL}),
        ("issues.labeled", {"changes": {}}),
        ("workflow_dispatch", {"issue": NEW_ISSUE}),
        ("schedule", {"comment": NEW_COMMENT}),
    ],
)
def test_key_outside_the_event_shape_is_rejected(name: str, overrides: dict) -> None:
    """Passing an object the event does not carry raises ValueError naming it."""
    key = next(iter(overrides))
    with pytest.raises(ValueError, match=rf"{key} is not part of the '{name}' payload"):
        make_payload(name, **overrides)


def test_write_event_round_trips(tmp_path: Path) -> None:
    """write_event writes JSON that reads back as the same payload."""
    payload = make_payload("issue_comment.created", comment=NEW_COMMENT)
    path = write_event(tmp_path, payload)
    assert path == tmp_path / "event.json"
    assert json.loads(path.read_text(encoding="utf-8")) == payload


def test_write_event_creates_directory_and_overwrites(tmp_path: Path) -> None:
    """write_event creates a missing directory and replaces an earlier event file."""
    target = tmp_path / "nested" / "run"
    first = write_event(target, make_payload("schedule"))
    second = write_event(target, make_payload("workflow_dispatch"))
    assert first == second
    assert "workflow" in json.loads(second.read_text(encoding="utf-8"))
