"""The status page's files: what the pages say, the Atom feed as a reader reads it, the JSON."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from datetime import timedelta

import feedparser
import pytest
from status_stories import (
    HOSTILE_TITLE,
    LEVELS,
    STRANGER_TEXT,
    T0,
    Told,
    active_sev1,
    minutes,
    reported_only,
    resolved_and_closed,
    with_title,
)

from incident_ops.core.text.wording import duration
from incident_ops.status_page.model import PublicIncident
from incident_ops.status_page.page import select
from incident_ops.status_page.site import Site, build, content_security_policy

NOW = T0 + timedelta(hours=2, minutes=5)
SITE = Site("hub-org/support status", "hub-org/support", "https://github.com/hub-org/support", NOW)
LOGINS = ("steward", "engineer", "lead", "passer-by", "reporter", "github-actions")


def incidents(*stories: Told) -> list[PublicIncident]:
    """What the page shows of each story (the unconfirmed ones left out, as the command leaves them)."""
    return [i for s in stories if (i := s.public(LEVELS)) is not None]


@pytest.fixture(scope="module")
def files() -> dict[str, str]:
    """The site of an active incident, a closed one, an unconfirmed report and a hostile title."""
    hostile = with_title(Told(20, "x", at=T0 - timedelta(days=1)).acknowledged(), HOSTILE_TITLE)
    hostile.told(
        "See [this](javascript:alert(3)) and <img src=x onerror=alert(4)> ![logo](https://e.org/l.png)",
        minutes(5),
    )
    hostile.resolve("[Fixed](https://example.org/fix)", minutes(50))
    return build(SITE, incidents(active_sev1(), resolved_and_closed(), reported_only(), hostile))


def test_the_site_has_its_pages_feed_and_json(files: dict[str, str]) -> None:
    assert sorted(files) == [
        "feed.xml",
        "incidents.json",
        "incidents/12.html",
        "incidents/20.html",
        "incidents/7.html",
        "index.html",
    ]


def test_the_index_shows_the_active_incident_then_the_past_ones(files: dict[str, str]) -> None:
    index = files["index.html"]
    now, past = index.split('id="past"')

    assert "1 active incident" in now and "All systems operational" not in index
    assert "Hub login fails" in now and "SEV1" in now and "for 2 hours 5 minutes" in now
    assert "The identity provider is <em>slow</em>; we are raising the timeout." in now
    assert '<time datetime="2026-03-02T09:00:00Z">2026-03-02 09:00 UTC</time>' in now
    # Past incidents: newest first, each with its last message.
    assert past.index("incidents/20.html") < past.index("incidents/7.html")
    assert (
        "Servers start again." in past and "resolved after 2 hours" in past
    )  # the last word before the close
    assert "incidents/9.html" not in index  # reported, never declared


def test_an_incident_page_lists_its_messages_in_order(files: dict[str, str]) -> None:
    page = files["incidents/7.html"]
    order = [
        "We are aware of this incident",
        "Restarting the node pool.",
        "Servers start again.",
        "This incident is closed.",
    ]

    assert [page.index(text) for text in order] == sorted(page.index(text) for text in order)
    assert [h for h in re.findall(r"<h3[^>]*>([^<]*)</h3>", page)] == [
        "Investigating",
        "Update",
        "Resolved",
        "Closed",
    ]
    assert 'href="https://github.com/hub-org/support/issues/7"' in page and 'href="../index.html"' in page


def test_no_person_hidden_data_or_strangers_text_is_published(files: dict[str, str]) -> None:
    for path, text in files.items():
        assert STRANGER_TEXT not in text and "incident-ops:" not in text and "incident-ops-key" not in text, (
            path
        )
        plain = text.replace("github.com/hub-org", "")
        for login in LOGINS:
            assert login not in plain, (path, login)


def test_hostile_titles_and_text_stay_text(files: dict[str, str]) -> None:
    for path in ("index.html", "incidents/20.html"):
        page = files[path]
        assert (
            "&lt;script&gt;alert(1)&lt;/script&gt; Hub &lt;/title&gt;&lt;img src=x onerror=alert(2)&gt; down"
            in page
        )
        assert (
            "<script" not in page
            and "<img" not in page
            and "javascript:" not in page.replace("](javascript:", "")
        )
        assert not re.search(r"""href=["']?javascript""", page, re.IGNORECASE)
    page = files["incidents/20.html"]
    assert "&lt;img src=x onerror=alert(4)&gt;" in page and "logo" in page and "e.org/l.png" not in page
    assert '<a href="https://example.org/fix" rel="nofollow ugc noopener noreferrer">Fixed</a>' in page


def test_pages_are_self_contained(files: dict[str, str]) -> None:
    css_hash = re.search(r"style-src 'sha256-([^']+)'", content_security_policy())
    for path, page in files.items():
        if not path.endswith(".html"):
            continue
        assert '<html lang="en">' in page and '<meta name="viewport"' in page and "<main>" in page
        assert "prefers-color-scheme: dark" in page
        assert not re.search(r"<(script|iframe|object|embed|img|link rel=\"stylesheet\")", page)
        assert not re.search(r"<[a-z][^<>]*\s(src|style|on\w+)\s*=", page)  # in a real tag, not in text
        assert "@import" not in page and "url(" not in page
        style = re.search(r"<style>(.*?)</style>", page, re.DOTALL)
        assert style and css_hash
        assert base64.b64encode(hashlib.sha256(style.group(1).encode()).digest()).decode() == css_hash.group(
            1
        )
        # Headings in order: one h1, then h2s, then h3s below them.
        levels = [int(level) for level in re.findall(r"<h([1-6])", page)]
        assert levels[0] == 1 and levels.count(1) == 1
        assert all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False)), levels


def test_the_feed_has_one_entry_per_public_message(files: dict[str, str]) -> None:
    feed = feedparser.parse(files["feed.xml"])
    shown = json.loads(files["incidents.json"])["incidents"]

    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.feed.title == "hub-org/support status"
    assert len(feed.entries) == sum(len(i["messages"]) for i in shown) == 2 + 4 + 3
    assert len({e.id for e in feed.entries}) == len(feed.entries)
    stamps = [e.updated for e in feed.entries]
    assert stamps == sorted(stamps, reverse=True)
    latest = feed.entries[0]
    assert latest.title == "Update: Hub login fails" and latest.link == "incidents/12.html"
    assert "The identity provider is <em>slow</em>" in latest.content[0].value
    hostile = [e for e in feed.entries if e.link == "incidents/20.html"]
    assert hostile[0].title.startswith(
        "Resolved: <script>alert(1)</script> Hub"
    )  # text, as a reader shows it


def test_the_json_carries_the_same_data(files: dict[str, str]) -> None:
    data = json.loads(files["incidents.json"])

    assert data["status"] == "incident" and data["active"] == [12] and data["history_days"] == 90
    assert data["generated_at"] == "2026-03-02T11:05:00Z" and data["repository"] == "hub-org/support"
    first = data["incidents"][0]
    assert first["page"] == "incidents/12.html" and first["severity"] == "SEV1" and first["state"] == "active"
    assert [m["kind"] for m in first["messages"]] == ["acknowledgement", "update"]
    assert [i["number"] for i in data["incidents"]] == [12, 20, 7]
    fields = "number title url page state severity declared_at resolved_at closed_at messages"
    assert set(first) == set(fields.split())


def test_with_nothing_going_on_all_systems_are_operational() -> None:
    files = build(SITE, incidents(resolved_and_closed()))

    assert "All systems operational" in files["index.html"]
    assert json.loads(files["incidents.json"])["status"] == "operational"
    empty = build(SITE, [])
    assert "No incidents." in empty["index.html"] and not feedparser.parse(empty["feed.xml"]).bozo


def test_the_window_keeps_active_incidents_and_drops_old_ones() -> None:
    old = Told(1, "Long ago", at=T0 - timedelta(days=200)).acknowledged()
    old.resolve("", minutes(30)).closing(timedelta(days=1))
    forgotten = Told(2, "Still going", at=T0 - timedelta(days=200)).acknowledged()
    page = select(incidents(old, forgotten, resolved_and_closed()), NOW, 90)

    assert [i.number for i in page.active] == [2]
    assert [i.number for i in page.past] == [7]
    assert [i.number for i in select(incidents(old), NOW, 365).past] == [1]


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (5, "5 seconds"),
        (60, "1 minute"),
        (3600, "1 hour"),
        (3660, "1 hour 1 minute"),
        (7500, "2 hours 5 minutes"),
        (86400 + 7200, "1 day 2 hours"),
        (3 * 86400, "3 days"),
        (-5, "0 seconds"),
    ],
)
def test_durations_read_as_words(seconds: int, text: str) -> None:
    assert duration(timedelta(seconds=seconds)) == text


def test_a_reopened_incident_is_not_shown_with_the_resolution_it_reopened() -> None:
    story = Told(9, "Logins fail again", at=T0).acknowledged()
    story.told("Rolling back.", minutes(10)).resolve("Rolled back.", minutes(20))
    story.command("engineer", "/reopen", minutes(30))
    index = build(SITE, incidents(story))["index.html"]

    going_on = index.split('id="past"')[0]
    assert "Logins fail again" in going_on and "Rolled back." not in going_on
    story.told("The rollback did not help; restarting the proxy.", minutes(40))
    index = build(SITE, incidents(story))["index.html"]
    assert "restarting the proxy" in index.split('id="past"')[0]
