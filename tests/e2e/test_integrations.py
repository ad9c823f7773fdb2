"""End to end: Slack and FreshDesk against local stand-ins, through `incident-ops run` and `sweep`."""

from __future__ import annotations

import functools
import json
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from harness import LABEL, REPO, T0, RunResult, World

from incident_ops.cli.demo import REPORT
from incident_ops.integrations import freshdesk, slack
from incident_ops.integrations.http import HttpClient
from incident_ops.standins import REQUESTER_ID, FreshDeskStandIn, SlackStandIn

M = timedelta(minutes=1)
H = timedelta(hours=1)
FRI_11 = datetime(2026, 3, 6, 11, 0, tzinfo=UTC)
FRI_NOON = datetime(2026, 3, 6, 12, 0, tzinfo=UTC)
SAT_NOON = datetime(2026, 3, 7, 12, 0, tzinfo=UTC)
TUE_1230 = datetime(2026, 3, 10, 12, 30, tzinfo=UTC)
RESOLVED = "incident: resolved"
TICKET = 123
BODY = REPORT.replace("Support ticket ref: 4242", f"Support ticket ref: {TICKET}")
HOLD = "closing is on hold: the community replied after the resolution; the team closes with `/close`"
CONFIG = """\
escalation:
  mention: ["@hub-org/engineering", "@project-manager"]
integrations:
  slack_webhook_env: SLACK_URL
  freshdesk:
    domain_env: FD_DOMAIN
    api_key_env: FD_KEY
"""


# --- fixtures and helpers -----------------------------------------------------------------------


@pytest.fixture
def fast_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """Integration retries without 1 s and 2 s waits (HttpClient ignores INCIDENT_OPS_RETRY_DELAY)."""
    fast = functools.partial(HttpClient, base_delay=0.01)
    monkeypatch.setattr(slack, "HttpClient", fast)
    monkeypatch.setattr(freshdesk, "HttpClient", fast)


@pytest.fixture
def chat() -> Iterator[SlackStandIn]:
    """A Slack incoming webhook on 127.0.0.1."""
    with SlackStandIn() as standin:
        yield standin


@pytest.fixture
def desk(world: World) -> Iterator[FreshDeskStandIn]:
    """FreshDesk on 127.0.0.1 following the emulator's clock, with the community's ticket 123."""
    standin = FreshDeskStandIn(now=lambda: world.now)
    standin.add_ticket(TICKET)
    with standin:
        yield standin


@pytest.fixture
def wired(world: World, chat: SlackStandIn, desk: FreshDeskStandIn, fast_retries: None) -> World:
    """The world with both integrations configured through environment variables."""
    world.write_config(CONFIG)
    world.env.update(SLACK_URL=chat.url, FD_DOMAIN=desk.base_url, FD_KEY=desk.api_key)
    return world


def at(world: World, when: datetime) -> None:
    """Move the emulator's clock (and so the tool's and FreshDesk's) to `when`."""
    world.emu.set_now(when)


def ok(result: RunResult | None) -> RunResult:
    """A run that exited 0."""
    assert result is not None
    assert result.code == 0, result.stdout + result.stderr
    return result


def declared(world: World, body: str = BODY, title: str = "Hub down") -> int:
    """@steward opens the incident issue from the template (with the ticket line) and declares it."""
    number = world.open_issue("steward", title=title, body=body)
    ok(world.declare(number, "steward"))
    return number


def command(world: World, number: int, author: str, body: str) -> int:
    """`author` comments a command, its run succeeds, and the event is redelivered (changing nothing)."""
    cid = world.emu.add_comment(REPO, number, author, body)
    ok(world.comment_event(number, cid))
    ok(world.comment_event(number, cid))
    return cid


def resolved_on_friday(world: World) -> int:
    """An incident declared Friday 11:00 UTC and resolved by @engineer at 12:00 UTC."""
    at(world, FRI_11)
    number = declared(world)
    at(world, FRI_NOON)
    command(world, number, "engineer", "/resolved Logins work again.")
    return number


def issue_url(world: World, number: int) -> str:
    """The issue's html_url, as the messages link it."""
    return str(world.emu.issue(REPO, number)["html_url"])


def ticket_steps(desk: FreshDeskStandIn) -> list[str]:
    """The ticket's successful writes in order: reply, note, status N."""
    steps = []
    for request in desk.writes():
        if request.path.endswith("/reply"):
            steps.append("reply")
        elif request.path.endswith("/notes"):
            steps.append("note")
        else:
            steps.append(f"status {request.json['status']}")
    return steps


def replies(desk: FreshDeskStandIn) -> list[str]:
    """The HTML bodies of the public replies the tool sent, oldest first."""
    return [r.json["body"] for r in desk.writes() if r.path.endswith("/reply")]


def everything_shown(world: World, number: int, *results: RunResult) -> str:
    """All a person or a log could see: output, summaries, step outputs, comments and the issue."""
    parts = [world.emu.issue(REPO, number)["body"] or ""]
    parts += [c["body"] for c in world.comments(number)]
    for r in results:
        parts += [r.stdout, r.stderr, r.summary, json.dumps(r.outputs)]
    return "\n".join(parts)


def warnings(result: RunResult) -> list[str]:
    """The ::warning:: annotations a run printed."""
    return [line for line in result.stdout.splitlines() if line.startswith("::warning::")]


# --- each message once, in order ----------------------------------------------------------------


def test_each_message_is_sent_once_across_redeliveries_and_the_ticket_changes_in_order(
    wired: World, chat: SlackStandIn, desk: FreshDeskStandIn
) -> None:
    world = wired
    number = declared(world)
    ok(world.issues_event("labeled", number, "steward", label=LABEL))  # the event redelivered
    url = issue_url(world, number)
    for when in (T0 + 31 * M, T0 + 31 * M, T0 + 35 * M):
        at(world, when)
        ok(world.sweep())
    at(world, T0 + 40 * M)
    command(world, number, "engineer", "/update We found the cause.")
    at(world, T0 + 45 * M)
    command(world, number, "engineer", "/update A fix is rolling out.")
    at(world, T0 + 50 * M)
    command(world, number, "engineer", "/resolved Logins work again.")
    at(world, T0 + 55 * M)
    command(world, number, "engineer", "/close")
    ok(world.sweep())

    assert world.emu.issue(REPO, number)["state"] == "closed"
    link = f"<{url}|#{number} Hub down>"
    declaration, escalation, resolution, close = chat.messages
    assert all(link in message for message in chat.messages)
    assert "Incident declared by @steward" in declaration
    assert "Escalation" in escalation and escalation.endswith("@hub-org/engineering @project-manager")
    assert "Resolved" in resolution
    assert "Closed" in close

    assert ticket_steps(desk) == ["reply", "reply", "reply", "reply", "note", "status 4", "status 5"]
    acknowledgement, first, second, resolved = replies(desk)
    assert "we have declared an incident" in acknowledgement  # the team opened it: nobody to thank
    assert "We found the cause." in first and "A fix is rolling out." in second
    assert "Logins work again." in resolved
    for body in (acknowledgement, first, second, resolved):
        assert url in body and "<!--" not in body and "incident-ops" not in body
    [note] = [r.json for r in desk.writes() if r.path.endswith("/notes")]
    assert note["private"] is True and url in note["body"]
    assert desk.ticket(TICKET).statuses == [4, 5]
    assert all(r.auth == (desk.api_key, "X") for r in desk.log)


def test_escalation_mentions_the_configured_people_and_escapes_the_title(
    wired: World, chat: SlackStandIn
) -> None:
    world = wired
    number = declared(world, title="Hub <down> & out")
    at(world, T0 + 31 * M)
    ok(world.sweep())

    _, escalation = chat.messages
    assert f"|#{number} Hub &lt;down&gt; &amp; out>" in escalation
    assert "@hub-org/engineering @project-manager" in escalation


def test_a_ticket_linked_by_command_gets_the_updates_as_public_replies(
    wired: World, chat: SlackStandIn, desk: FreshDeskStandIn
) -> None:
    world = wired
    number = declared(world, body="Logins fail on the hub.")
    assert ticket_steps(desk) == []  # no ticket yet: nothing to reply to
    command(world, number, "steward", "/ticket https://hubsupport.freshdesk.com/a/tickets/123")
    command(world, number, "engineer", "/update <b>Still</b> investigating.\n\nA fix is coming.")

    [update] = replies(desk)
    assert "&lt;b&gt;Still&lt;/b&gt; investigating." in update  # people's HTML is text on the ticket
    assert "A fix is coming." in update and issue_url(world, number) in update
    assert "| Support ticket | 123 |" in world.status(number)
    assert len(chat.messages) == 1


# --- the requester's reply on the ticket and auto-close -----------------------------------------


def test_a_requester_reply_on_the_ticket_after_the_resolution_stops_auto_close(
    wired: World, chat: SlackStandIn, desk: FreshDeskStandIn
) -> None:
    world = wired
    number = resolved_on_friday(world)
    desk.add_requester_reply(TICKET, "Thanks, but it is still slow for us.", at=SAT_NOON)

    at(world, TUE_1230)
    first = ok(world.sweep())
    ok(world.sweep())
    at(world, TUE_1230 + 24 * H)
    ok(world.sweep())

    assert world.emu.issue(REPO, number)["state"] == "open"
    assert not world.bot_comments(number, "closing")
    assert HOLD in world.status(number)
    assert desk.ticket(TICKET).statuses == [4]
    assert not any("Closed" in m for m in chat.messages)
    assert warnings(first) == []

    at(world, TUE_1230 + 25 * H)
    command(world, number, "engineer", "/close")
    assert world.emu.issue(REPO, number)["state"] == "closed"
    assert desk.ticket(TICKET).statuses == [4, 5]


def test_a_requester_reply_holds_auto_close_only_until_the_next_resolution(
    wired: World, chat: SlackStandIn, desk: FreshDeskStandIn
) -> None:
    world = wired
    number = resolved_on_friday(world)
    desk.add_requester_reply(TICKET, "Still slow for us.", at=SAT_NOON)
    at(world, TUE_1230)
    ok(world.sweep())
    assert HOLD in world.status(number)

    at(world, TUE_1230 + H)
    command(world, number, "engineer", "/reopen")
    at(world, TUE_1230 + 2 * H)
    command(world, number, "engineer", "/resolved Faster now.")
    at(world, TUE_1230 + 2 * H + 48 * H)
    ok(world.sweep())

    assert world.emu.issue(REPO, number)["state"] == "closed"
    assert ticket_steps(desk) == [
        "reply",
        "reply",
        "note",
        "status 4",
        "reply",
        "note",
        "status 4",
        "status 5",
    ]
    assert [m.split(":")[1] for m in chat.messages] == [
        "rotating_light",
        "white_check_mark",
        "white_check_mark",
        "lock",
    ]


@pytest.mark.parametrize(
    "who",
    ["an agent replying from FreshDesk", "someone cc'd on the ticket", "the requester before the resolution"],
)
def test_other_ticket_conversation_does_not_stop_auto_close(
    wired: World, chat: SlackStandIn, desk: FreshDeskStandIn, who: str
) -> None:
    world = wired
    number = resolved_on_friday(world)
    if who.startswith("an agent"):
        desk.add_agent_reply(TICKET, "We restarted the authenticator; please confirm.", at=SAT_NOON)
    elif who.startswith("someone"):
        desk.add_incoming(TICKET, "Same here!", at=SAT_NOON, user_id=REQUESTER_ID + 1)
    else:
        desk.add_requester_reply(TICKET, "Any news?", at=FRI_NOON - 30 * M)

    at(world, TUE_1230)
    ok(world.sweep())

    assert world.emu.issue(REPO, number)["state"] == "closed"
    assert HOLD not in world.status(number)
    assert ticket_steps(desk)[-2:] == ["status 4", "status 5"]
    assert sum("Closed" in m for m in chat.messages) == 1


def test_the_requester_check_reads_every_page_of_the_conversation(
    wired: World, desk: FreshDeskStandIn
) -> None:
    world = wired
    number = resolved_on_friday(world)
    for minute in range(130):
        desk.add_agent_reply(TICKET, f"Agent note {minute}", at=SAT_NOON + minute * M)
    desk.add_requester_reply(TICKET, "Still broken.", at=SAT_NOON + 3 * H)

    at(world, TUE_1230)
    ok(world.sweep())

    assert world.emu.issue(REPO, number)["state"] == "open"
    assert HOLD in world.status(number)
    pages = [r.query.get("page") for r in desk.log if r.path.endswith("/conversations")]
    assert pages == ["1", "2"]


def test_auto_close_waits_while_the_ticket_cannot_be_checked(
    wired: World, chat: SlackStandIn, desk: FreshDeskStandIn
) -> None:
    world = wired
    number = resolved_on_friday(world)
    desk.outage(method="GET")

    at(world, TUE_1230)
    held = ok(world.sweep())

    assert world.emu.issue(REPO, number)["state"] == "open"
    assert not world.bot_comments(number, "closing")
    assert any("auto-close waits for the next run" in w for w in warnings(held))

    desk.clear_faults()
    at(world, TUE_1230 + 5 * M)
    ok(world.sweep())
    assert world.emu.issue(REPO, number)["state"] == "closed"
    assert desk.ticket(TICKET).statuses == [4, 5]


# --- outages: GitHub is served, the next sweep delivers ------------------------------------------


def test_an_outage_leaves_github_correct_and_the_next_sweep_delivers_each_message_once(
    wired: World, chat: SlackStandIn, desk: FreshDeskStandIn
) -> None:
    world = wired
    chat.outage()
    desk.outage()
    number = world.open_issue("steward", body=BODY)
    declaration = ok(world.declare(number, "steward"))
    at(world, T0 + 10 * M)
    resolution = ok(world.comment(number, "engineer", "/resolved Logins work again."))

    assert len(world.bot_comments(number, "acknowledgement")) == 1
    assert len(world.bot_comments(number, "resolution")) == 1
    assert world.labels(number) == {LABEL, RESOLVED}
    assert "Incident status: Resolved" in world.status(number)
    assert chat.messages == [] and desk.writes() == []
    for result in (declaration, resolution):
        assert any(
            "Slack answered 500 after 3 attempts; retried on the next run" in w for w in warnings(result)
        )
        assert any("FreshDesk answered 500 after 3 attempts" in w for w in warnings(result))
        assert (
            "**Problems** (everything else was done; integration messages are retried by the next run):"
            in result.summary
        )
        assert "Traceback" not in result.stdout + result.stderr
    assert f"- #{number}: slack:acknowledgement" in declaration.summary

    chat.clear_faults()
    desk.clear_faults()
    at(world, T0 + 15 * M)
    retry = ok(world.sweep())
    again = ok(world.sweep())

    assert warnings(retry) == [] and warnings(again) == []
    assert "sent slack:acknowledgement" in retry.stdout
    declared_msg, resolved_msg = chat.messages
    assert "Incident declared" in declared_msg and "Resolved" in resolved_msg
    assert ticket_steps(desk) == ["reply", "reply", "note", "status 4"]
    assert "sent" not in again.stdout


def test_only_the_failed_step_is_retried(wired: World, chat: SlackStandIn, desk: FreshDeskStandIn) -> None:
    world = wired
    number = declared(world)
    desk.outage(path=r"/notes$")
    at(world, T0 + 10 * M)
    failed = ok(world.comment(number, "engineer", "/resolved Logins work again."))

    assert [w for w in warnings(failed) if "freshdesk-note" in w]
    assert ticket_steps(desk) == ["reply", "reply", "status 4"]

    desk.clear_faults()
    ok(world.sweep())
    ok(world.sweep())
    assert ticket_steps(desk) == ["reply", "reply", "status 4", "note"]
    assert len(chat.messages) == 2


def test_a_rate_limited_ticket_write_is_retried_after_retry_after(
    wired: World, desk: FreshDeskStandIn
) -> None:
    world = wired
    desk.rate_limit_next(1, retry_after=0)
    number = declared(world)

    assert ticket_steps(desk) == ["reply"]
    assert [r.status for r in desk.log] == [429, 201]
    assert "freshdesk" not in world.status(number).split("incident-ops-cache:")[1]  # nothing left pending


def test_a_comment_run_also_delivers_what_an_earlier_run_could_not(wired: World, chat: SlackStandIn) -> None:
    world = wired
    chat.outage()
    number = declared(world)
    chat.clear_faults()
    command(world, number, "reporter", "/status")

    assert len(chat.messages) == 1


# --- misconfiguration: clear errors, no secrets ---------------------------------------------------


@pytest.mark.parametrize("value", ["not a url", "hooks.slack.com/services/T0/B0/zzSecretPart", "ftp://x/y"])
def test_a_webhook_value_that_is_not_a_url_is_a_clear_warning_that_never_shows_it(
    world: World, value: str
) -> None:
    world.write_config(CONFIG)
    world.env["SLACK_URL"] = value
    number = world.open_issue("reporter", body="Logins fail.")
    result = ok(world.declare(number, "steward"))

    assert (
        "::warning::$SLACK_URL does not hold a webhook URL (expected https://hooks.slack.com/services/…)"
        in result.stdout
    )
    assert len(world.bot_comments(number, "acknowledgement")) == 1
    assert value not in everything_shown(world, number, result)


@pytest.mark.parametrize(
    ("fault", "expected"),
    [
        (
            "wrong path",
            "Slack answered 404: no_service (the webhook URL is wrong or was removed; check $SLACK_URL)",
        ),
        (
            "revoked",
            "Slack answered 403: invalid_token (the webhook's token is invalid or revoked; check $SLACK_URL)",
        ),
        (
            "archived",
            "Slack answered 410: channel_is_archived (the webhook's channel is archived; check $SLACK_URL)",
        ),
    ],
)
def test_a_refused_webhook_is_a_clear_warning_naming_the_variable_not_the_url(
    wired: World, chat: SlackStandIn, fault: str, expected: str
) -> None:
    world = wired
    secret = "wr0ngS3cr3tT0k3n"
    if fault == "wrong path":
        world.env["SLACK_URL"] = f"{chat.base_url}/services/T0HUBTEAM/B0INCIDENT/{secret}"
    chat.revoked = fault == "revoked"
    chat.archived = fault == "archived"
    number = world.open_issue("steward", body=BODY)
    result = ok(world.declare(number, "steward"))

    assert any(expected in w for w in warnings(result)), result.stdout
    assert expected in result.summary
    shown = everything_shown(world, number, result)
    assert secret not in shown and chat.secret not in shown
    assert world.env["SLACK_URL"] not in shown


def test_a_wrong_freshdesk_key_names_the_variable_never_the_key_and_is_retried_once_fixed(
    wired: World, desk: FreshDeskStandIn
) -> None:
    world = wired
    wrong = "wr0ng-fd-k3y-abcdef"
    world.env["FD_KEY"] = wrong
    number = declared(world)
    at(world, T0 + 5 * M)
    result = ok(world.comment(number, "reporter", "/status"))

    expected = (
        'FreshDesk answered 401: {"code": "invalid_credentials", "message": "You have to be logged in to '
        'perform this action."} (check the API key in $FD_KEY)'
    )
    assert any(expected in w for w in warnings(result)), result.stdout
    assert wrong not in everything_shown(world, number, result)
    assert desk.writes() == []

    world.env["FD_KEY"] = desk.api_key
    ok(world.sweep())
    ok(world.sweep())
    assert ticket_steps(desk) == ["reply"]


def test_an_unknown_ticket_is_a_clear_warning(wired: World, desk: FreshDeskStandIn) -> None:
    world = wired
    number = world.open_issue("steward", body="Logins fail.\n\nSupport ticket ref: 999")
    result = ok(world.declare(number, "steward"))

    assert any("FreshDesk answered 404" in w and "is the ticket number right?" in w for w in warnings(result))
    assert len(world.bot_comments(number, "acknowledgement")) == 1


def test_variables_named_in_config_but_unset_are_warnings(world: World) -> None:
    world.write_config(CONFIG)
    number = world.open_issue("steward", body=BODY)
    result = ok(world.declare(number, "steward"))

    assert "::warning::$SLACK_URL is not set: chat messages are not sent" in result.stdout
    assert "::warning::$FD_DOMAIN and $FD_KEY not set: the FreshDesk ticket is not updated" in result.stdout
    assert len(world.bot_comments(number, "acknowledgement")) == 1


def test_in_actions_the_secrets_are_printed_only_as_add_mask_lines(
    wired: World, chat: SlackStandIn, desk: FreshDeskStandIn
) -> None:
    world = wired
    world.env["GITHUB_ACTIONS"] = "true"
    chat.outage()
    desk.rate_limit_next(100, retry_after=0)
    number = world.open_issue("steward", body=BODY)
    result = ok(world.declare(number, "steward"))

    secrets = (chat.url, desk.api_key)
    masks = [line for line in result.stdout.splitlines() if line.startswith("::add-mask::")]
    assert {f"::add-mask::{s}" for s in (*secrets, chat.secret)} <= set(masks)
    lines = [line for line in result.stdout.splitlines() if any(s in line for s in secrets)]
    assert all(line in masks for line in lines)
    assert warnings(result)  # the failures were reported, masked or not
    rest = "\n".join(
        line for line in everything_shown(world, number, result).splitlines() if line not in masks
    )
    assert chat.secret not in rest and desk.api_key not in rest


def test_outside_actions_no_add_mask_lines_are_printed(wired: World) -> None:
    world = wired
    number = world.open_issue("steward", body=BODY)
    result = ok(world.declare(number, "steward"))
    assert "::add-mask::" not in result.stdout


# --- dry run --------------------------------------------------------------------------------------


def test_a_dry_run_sends_nothing(wired: World, chat: SlackStandIn, desk: FreshDeskStandIn) -> None:
    world = wired
    number = world.open_issue("steward", body=BODY)
    world.emu.add_labels(REPO, number, [LABEL], "steward")
    dry = ok(world.issues_event_with_args("labeled", number, "steward", "--dry-run"))

    assert chat.log == [] and desk.log == []
    assert "[dry run]" in dry.stdout
    assert world.bot_comments(number) == []


def test_a_dry_run_names_the_pending_deliveries_without_sending_them(
    wired: World, chat: SlackStandIn, desk: FreshDeskStandIn
) -> None:
    world = wired
    chat.outage()
    desk.outage()
    number = declared(world)
    chat.clear_faults()
    desk.clear_faults()
    chat.clear_log()
    desk.clear_log()

    dry = ok(world.sweep("--dry-run"))

    assert f"[dry run] #{number}: would send slack:acknowledgement" in dry.stdout
    assert f"[dry run] #{number}: would send freshdesk-reply:acknowledgement" in dry.stdout
    assert chat.log == [] and desk.log == []
    ok(world.sweep())
    assert len(chat.messages) == 1 and ticket_steps(desk) == ["reply"]


def test_a_dry_run_at_auto_close_time_writes_nothing_to_the_ticket(
    wired: World, chat: SlackStandIn, desk: FreshDeskStandIn
) -> None:
    world = wired
    resolved_on_friday(world)
    before = (len(chat.log), len(desk.writes()))
    at(world, TUE_1230)
    ok(world.sweep("--dry-run"))
    assert (len(chat.log), len(desk.writes())) == before


# --- product issues found by these tests ----------------------------------------------------------


def test_the_declaration_message_is_sent_once_when_two_runs_handle_it_at_once(
    wired: World, chat: SlackStandIn, desk: FreshDeskStandIn
) -> None:
    world = wired
    numbers = [world.open_issue("steward", title=f"Hub down {i}", body=BODY) for i in range(3)]
    codes: list[int] = []

    def run(number: int) -> None:
        codes.append(world.issues_event("labeled", number, "steward", label=LABEL).code)

    for number in numbers:  # three tries, so one lucky interleaving cannot hide a duplicate
        world.emu.add_labels(REPO, number, [LABEL], "steward")
        threads = [threading.Thread(target=run, args=(number,)) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    ok(world.sweep())  # a later run cleans up whatever the races left

    assert codes == [0] * 6
    assert [len(world.bot_comments(n, "acknowledgement")) for n in numbers] == [1, 1, 1]
    assert sorted(m.split("|#")[1] for m in chat.messages) == [
        f"{n} Hub down {i}>" for i, n in enumerate(numbers)
    ]
    assert ticket_steps(desk) == ["reply"] * 3


def test_a_run_whose_copy_is_younger_by_seconds_yields_and_sends_nothing(
    wired: World, chat: SlackStandIn, desk: FreshDeskStandIn
) -> None:
    world = wired
    number = world.open_issue("steward", title="Hub down", body=BODY)
    world.emu.add_labels(REPO, number, [LABEL], "steward")
    theirs = "<!-- incident-ops:acknowledgement -->\n<!-- incident-ops-key:acknowledgement -->\nTheirs."

    def another_run_posts_first() -> None:
        world.emu.add_comment(REPO, number, "github-actions[bot]", theirs)
        world.advance(seconds=3)  # ours lands a few seconds later

    world.emu.before(
        "POST", rf"/issues/{number}/comments$", "incident-ops:acknowledgement", another_run_posts_first
    )

    ok(world.issues_event("labeled", number, "steward", label=LABEL))

    [ack] = world.bot_comments(number, "acknowledgement")
    assert ack["body"] == theirs  # the older copy stays; the run that posted it tells chat and the ticket
    assert chat.messages == []
    assert ticket_steps(desk) == []


def test_the_status_comment_says_auto_close_waits_for_the_ticket_check(
    wired: World, desk: FreshDeskStandIn
) -> None:
    world = wired
    number = resolved_on_friday(world)
    desk.outage(method="GET")
    at(world, TUE_1230)
    ok(world.sweep())

    assert world.emu.issue(REPO, number)["state"] == "open"
    status = world.status(number)
    assert "on hold: the FreshDesk ticket could not be checked for a requester reply" in status
    assert "closes automatically at" not in status


def test_closing_the_issue_on_github_closes_the_ticket_and_tells_the_channel(
    wired: World, chat: SlackStandIn, desk: FreshDeskStandIn
) -> None:
    world = wired
    number = resolved_on_friday(world)
    at(world, SAT_NOON)
    world.emu.edit_issue(REPO, number, "engineer", state="closed", state_reason="completed")
    ok(world.issues_event("closed", number, "engineer"))
    ok(world.sweep())

    assert desk.ticket(TICKET).statuses == [4, 5]
    assert sum("Closed" in m for m in chat.messages) == 1


def test_a_misconfigured_integration_has_a_line_in_the_summary(world: World) -> None:
    world.write_config(CONFIG)
    world.env["SLACK_URL"] = "not a url"
    number = world.open_issue("reporter", body="Logins fail.")
    result = ok(world.declare(number, "steward"))
    assert "$SLACK_URL does not hold a webhook URL" in result.summary


def test_the_integrations_follow_the_configured_retry_delay(world: World, chat: SlackStandIn) -> None:
    world.write_config(CONFIG.split("  freshdesk:")[0])
    world.env["SLACK_URL"] = chat.url
    world.env["INCIDENT_OPS_RETRY_DELAY"] = "0.01"
    chat.fail_next(1, 500, "rollup_error")
    number = world.open_issue("reporter", body="Logins fail.")
    started = time.monotonic()
    ok(world.declare(number, "steward"))
    assert len(chat.messages) == 1
    assert time.monotonic() - started < 0.9


def test_a_message_posted_before_github_failed_still_reaches_the_channel(
    wired: World, chat: SlackStandIn
) -> None:
    world = wired
    number = declared(world)
    before = len(chat.messages)
    world.emu.inject_fault("POST", r"/labels$", status=502, times=50)
    result = world.comment(number, "engineer", "/resolved Fixed.")
    assert result is not None and result.code == 3
    assert [m for m in chat.messages[before:] if "Resolved" in m]
