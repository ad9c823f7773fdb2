"""What the status page takes from an incident: the team's public messages, never people or hidden data."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from status_stories import LEVELS, STRANGER_TEXT, Told, active_sev1, reported_only, resolved_and_closed
from stories import BOT, minutes

from incident_ops.core.comments.markers import marker_lines
from incident_ops.core.model import Comment
from incident_ops.status_page.extract import (
    CLOSED,
    INVESTIGATING,
    RESOLVED,
    RESOLVED_ELSEWHERE,
    UPDATE_ELSEWHERE,
    public_incident,
    without_mentions,
)


def test_an_active_incident_shows_its_severity_and_messages_in_order() -> None:
    incident = active_sev1().public(LEVELS)

    assert incident is not None
    assert (incident.number, incident.title, incident.state, incident.severity) == (
        12,
        "Hub login fails",
        "active",
        "SEV1",
    )
    assert [m.kind for m in incident.messages] == ["acknowledgement", "update"]
    assert incident.messages[1].text == "The identity provider is *slow*; we are raising the timeout."
    assert incident.messages[1].url.endswith("#issuecomment-1200004")
    assert incident.resolved_at is None and incident.closed_at is None


def test_a_closed_incident_has_its_resolution_and_closing() -> None:
    incident = resolved_and_closed().public()

    assert incident is not None and incident.state == "closed" and incident.severity is None
    assert [m.kind for m in incident.messages] == ["acknowledgement", "update", "resolution", "closing"]
    assert [m.text for m in incident.messages] == [
        INVESTIGATING,
        "Restarting the node pool.",
        "Servers start again.",
        CLOSED,
    ]
    assert incident.resolved_at is not None and incident.closed_at is not None


def test_an_issue_the_team_never_confirmed_is_not_on_the_page() -> None:
    assert reported_only().folded().reported
    assert reported_only().public() is None


def test_nothing_of_people_or_hidden_data_is_taken() -> None:
    story = active_sev1()
    # A person pasting the tool's marker is still a person.
    story.say("passer-by", marker_lines("update", "update/1") + "\nFAKE-UPDATE from a stranger", minutes(26))
    story.say("passer-by", "/update I am not on the team", minutes(27))
    incident = story.public(LEVELS)

    assert incident is not None
    text = repr(incident)
    for absent in (STRANGER_TEXT, "FAKE-UPDATE", "not on the team", "<!--", "incident-ops", "@", "reporter"):
        assert absent not in text, absent
    for login in ("steward", "engineer", "lead", "passer-by", "github-actions"):
        assert login not in text.replace("github.com", ""), login


def test_mentions_in_relayed_text_name_nobody() -> None:
    story = (
        Told(3, "DNS")
        .acknowledged()
        .told("Thanks @alice and @hub-org/infra; mail help@example.org", minutes(5))
    )
    incident = story.public()

    assert incident is not None
    assert incident.messages[-1].text == "Thanks someone and someone; mail help@example.org"
    assert (
        without_mentions("see https://example.org/@user and `@bob`")
        == "see https://example.org/@user and `someone`"
    )


def test_a_resolution_without_text_says_so_in_its_own_words() -> None:
    incident = Told(4, "Quota").acknowledged().resolve("", timedelta(hours=1)).public()

    assert incident is not None and incident.state == "resolved"
    assert incident.messages[-1].text == RESOLVED


def test_a_deleted_command_leaves_a_fixed_sentence() -> None:
    story = (
        Told(5, "Slow").acknowledged().told("Secret detail", minutes(10)).resolve("Also gone", minutes(40))
    )
    story.comments = [c for c in story.comments if c.author == BOT]  # the people's comments are deleted
    incident = story.public()

    assert incident is not None and incident.state == "resolved"
    assert [m.text for m in incident.messages] == [INVESTIGATING, UPDATE_ELSEWHERE, RESOLVED_ELSEWHERE]


def test_an_edited_command_leaves_a_fixed_sentence() -> None:
    story = Told(6, "Slow").acknowledged().told("What was posted", minutes(10))
    edited = [c for c in story.comments if c.body.startswith("/update")][0]
    later = replace(
        edited,
        body="/update Something else entirely",
        updated_at=edited.created_at + timedelta(hours=1),
        reactions=frozenset({"+1"}),
    )
    story.comments = [later if c.id == edited.id else c for c in story.comments]
    incident = story.public()

    assert incident is not None
    assert incident.messages[-1].text == UPDATE_ELSEWHERE


def test_only_the_oldest_copy_of_a_message_counts() -> None:
    story = Told(8, "Slow").acknowledged().told("Once", minutes(10))
    update = story.comments[-1]
    story.comments.append(
        Comment(update.id + 50, BOT, update.body, update.created_at + minutes(1), update.created_at, "dup")
    )
    incident = story.public()

    assert incident is not None and [m.kind for m in incident.messages] == ["acknowledgement", "update"]
    assert incident.messages[-1].url != "dup"


@pytest.mark.parametrize("kind", ["escalation", "update-reminder", "report-reminder", "reply", "status"])
def test_the_tools_other_comments_stay_off_the_page(kind: str) -> None:
    story = Told(10, "Slow").acknowledged()
    story.bot(kind, f"{kind}/x", minutes(30))
    incident = public_incident(story.folded())

    assert incident is not None and [m.kind for m in incident.messages] == ["acknowledgement"]
