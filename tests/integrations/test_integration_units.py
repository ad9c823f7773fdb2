"""Units of the integrations (http, slack, freshdesk, deliveries) against the local stand-ins."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from incident_ops.config.load import parse_config
from incident_ops.config.types import Config
from incident_ops.core.comments.keys import Key
from incident_ops.core.comments.markers import comment_marker, marker_lines
from incident_ops.core.history.fold import fold
from incident_ops.core.model import Comment, Issue, IssueHistory, Reaction, User
from incident_ops.core.state import IncidentState
from incident_ops.integrations.deliveries import Integrations, from_config
from incident_ops.integrations.freshdesk import CLOSED, RESOLVED, FreshDesk, base_url
from incident_ops.integrations.http import HttpClient, IntegrationError
from incident_ops.integrations.run import IntegrationRun, Marks
from incident_ops.integrations.slack import SlackWebhook, escape, link
from incident_ops.standins import AGENT_ID, REQUESTER_ID, FreshDeskStandIn, SlackStandIn

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
LABEL = "type: Hub Incident"
ISSUE_URL = "https://github.com/hub-org/support/issues/7"
BOT = User("github-actions[bot]", "Bot")
TICKET = 123


@pytest.fixture
def chat() -> Iterator[SlackStandIn]:
    """A Slack incoming webhook on 127.0.0.1."""
    with SlackStandIn() as standin:
        yield standin


@pytest.fixture
def desk() -> Iterator[FreshDeskStandIn]:
    """FreshDesk on 127.0.0.1 with ticket 123, its clock fixed at T0."""
    standin = FreshDeskStandIn(now=lambda: T0)
    standin.add_ticket(TICKET)
    with standin:
        yield standin


def fast(service: str, sleeps: list[float] | None = None, **options: float) -> HttpClient:
    """A client that records its waits instead of sleeping."""
    record = sleeps if sleeps is not None else []
    return HttpClient(service, sleep=record.append, **options)  # type: ignore[arg-type]


def webhook(chat: SlackStandIn, sleeps: list[float] | None = None) -> SlackWebhook:
    """The webhook client pointed at the stand-in."""
    return SlackWebhook(chat.url, "SLACK_URL", client=fast("Slack", sleeps))


def account(desk: FreshDeskStandIn, key: str | None = None, sleeps: list[float] | None = None) -> FreshDesk:
    """The FreshDesk client pointed at the stand-in."""
    return FreshDesk(desk.base_url, key or desk.api_key, "FD_KEY", client=fast("FreshDesk", sleeps))


def closed_port() -> int:
    """A port on 127.0.0.1 nobody listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- http.HttpClient ----------------------------------------------------------------------------


def test_a_success_is_returned_without_waiting(chat: SlackStandIn) -> None:
    sleeps: list[float] = []
    response = fast("Slack", sleeps).request("POST", chat.url, json={"text": "hi"})
    assert (response.status_code, response.text) == (200, "ok")
    assert sleeps == [] and len(chat.log) == 1


def test_server_errors_are_retried_with_exponential_backoff(chat: SlackStandIn) -> None:
    sleeps: list[float] = []
    chat.fail_next(2, 500, "rollup_error")
    fast("Slack", sleeps).request("POST", chat.url, json={"text": "hi"})
    assert sleeps == [1.0, 2.0]
    assert [r.status for r in chat.log] == [500, 500, 200]
    assert chat.messages == ["hi"]


def test_after_the_last_attempt_the_error_names_the_service_and_the_status(chat: SlackStandIn) -> None:
    sleeps: list[float] = []
    chat.fail_next(3, 503, "service unavailable")
    with pytest.raises(IntegrationError, match=r"^Slack answered 503 after 3 attempts$"):
        fast("Slack", sleeps).request("POST", chat.url, json={"text": "hi"})
    assert sleeps == [1.0, 2.0]  # no wait after the last attempt
    assert len(chat.log) == 3


def test_a_refusal_is_not_retried_and_quotes_the_services_reason(chat: SlackStandIn) -> None:
    sleeps: list[float] = []
    with pytest.raises(IntegrationError, match=r"^Slack answered 404: no_service$"):
        fast("Slack", sleeps).request("POST", chat.base_url + "/services/T0/B0/gone", json={"text": "hi"})
    assert sleeps == [] and len(chat.log) == 1


@pytest.mark.parametrize(
    ("retry_after", "waited"),
    [("7", 7.0), ("0", 0.0), ("120", 30.0), ("Wed, 21 Oct 2015 07:28:00 GMT", 1.0)],
)
def test_retry_after_sets_the_wait_capped_at_30_seconds(
    desk: FreshDeskStandIn, retry_after: str, waited: float
) -> None:
    sleeps: list[float] = []
    desk.fail_next(1, 429, {"message": "slow down"}, headers={"Retry-After": retry_after})
    account(desk, sleeps=sleeps).set_status(str(TICKET), RESOLVED)
    assert sleeps == [waited]
    assert desk.ticket(TICKET).statuses == [RESOLVED]


def test_connection_failures_are_retried_and_never_name_the_url() -> None:
    sleeps: list[float] = []
    url = f"http://127.0.0.1:{closed_port()}/services/T0/B0/zzTopSecretPath"
    with pytest.raises(IntegrationError) as caught:
        fast("Slack", sleeps).request("POST", url, json={"text": "hi"})
    assert str(caught.value) == "Slack could not connect (ConnectionError) after 3 attempts"
    assert sleeps == [1.0, 2.0]


def test_a_slow_answer_times_out_and_is_retried(chat: SlackStandIn) -> None:
    sleeps: list[float] = []
    chat.fail_next(1, 200, "ok", delay=0.5)
    fast("Slack", sleeps, timeout=0.1).request("POST", chat.url, json={"text": "hi"})
    assert sleeps == [1.0]
    assert chat.messages == ["hi"]


def test_a_long_explanation_is_cut_short_and_kept_on_one_line(chat: SlackStandIn) -> None:
    chat.fail_next(1, 400, "invalid_payload\n" + "x" * 1000)
    with pytest.raises(IntegrationError) as caught:
        fast("Slack").request("POST", chat.url, json={"text": "hi"})
    message = str(caught.value)
    assert message.startswith("Slack answered 400: invalid_payload x")
    assert "\n" not in message and len(message) < 250


# --- slack --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "not a url",
        "hooks.slack.com/services/T0/B0/zzSecret",
        "ftp://hooks.example/zzSecret",
        "https:///zzSecret",
        "",
    ],
)
def test_a_value_that_is_not_a_webhook_url_is_refused_without_echoing_it(value: str) -> None:
    with pytest.raises(IntegrationError) as caught:
        SlackWebhook(value, "SLACK_URL")
    message = str(caught.value)
    assert message == "$SLACK_URL does not hold a webhook URL (expected https://hooks.slack.com/services/…)"
    assert not value or value not in message


def test_a_message_is_posted_as_json_text(chat: SlackStandIn) -> None:
    webhook(chat).post("Incident declared")
    [request] = chat.log
    assert request.method == "POST" and request.path == chat.path
    assert request.headers["content-type"] == "application/json"
    assert request.json == {"text": "Incident declared"}


def test_a_webhook_url_pasted_with_whitespace_still_works(chat: SlackStandIn) -> None:
    SlackWebhook(f"  {chat.url}\n", "SLACK_URL", client=fast("Slack")).post("hi")
    assert chat.messages == ["hi"]


@pytest.mark.parametrize(
    ("setup", "expected"),
    [
        ("revoked", "Slack answered 403: invalid_token (the webhook's token is invalid or revoked"),
        ("archived", "Slack answered 410: channel_is_archived (the webhook's channel is archived"),
        ("payload", "Slack answered 400: invalid_payload (Slack rejected the message (invalid_payload)"),
    ],
)
def test_slacks_refusals_are_explained_and_name_the_variable(
    chat: SlackStandIn, setup: str, expected: str
) -> None:
    chat.revoked = setup == "revoked"
    chat.archived = setup == "archived"
    if setup == "payload":
        chat.fail_next(1, 400, "invalid_payload")
    with pytest.raises(IntegrationError) as caught:
        webhook(chat).post("hi")
    message = str(caught.value)
    assert message.startswith(expected) and message.endswith("; check $SLACK_URL)")
    assert chat.secret not in message


def test_a_wrong_webhook_path_is_explained(chat: SlackStandIn) -> None:
    hook = SlackWebhook(chat.base_url + "/services/T0/B0/zzWrong", "SLACK_URL", client=fast("Slack"))
    with pytest.raises(IntegrationError) as caught:
        hook.post("hi")
    assert str(caught.value) == (
        "Slack answered 404: no_service (the webhook URL is wrong or was removed; check $SLACK_URL)"
    )


def test_a_slack_outage_is_reported_after_the_retries(chat: SlackStandIn) -> None:
    sleeps: list[float] = []
    chat.outage()
    with pytest.raises(IntegrationError, match=r"^Slack answered 500 after 3 attempts$"):
        webhook(chat, sleeps).post("hi")
    assert len(chat.log) == 3 and sleeps == [1.0, 2.0]


def test_slack_text_and_links_are_escaped() -> None:
    assert escape("a < b & c > d") == "a &lt; b &amp; c &gt; d"
    assert link(ISSUE_URL, "#7 <Hub> & co") == f"<{ISSUE_URL}|#7 &lt;Hub&gt; &amp; co>"
    assert link("", "#7 Hub") == "#7 Hub"


# --- freshdesk ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("domain", "expected"),
    [
        ("acme", "https://acme.freshdesk.com/api/v2"),
        ("acme.freshdesk.com", "https://acme.freshdesk.com/api/v2"),
        (" support.example.org/ ", "https://support.example.org/api/v2"),
        ("https://acme.freshdesk.com/", "https://acme.freshdesk.com/api/v2"),
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080/api/v2"),
        ("http://127.0.0.1:8080/api/v2/", "http://127.0.0.1:8080/api/v2"),
    ],
)
def test_the_domain_may_be_a_subdomain_a_host_or_a_full_base_url(domain: str, expected: str) -> None:
    assert base_url(domain) == expected


def test_replies_notes_and_status_have_freshdesks_shapes(desk: FreshDeskStandIn) -> None:
    fd = account(desk)
    fd.reply(str(TICKET), "<p>We are on it.</p>")
    fd.note(str(TICKET), f"<p>Resolved in {ISSUE_URL}</p>")
    fd.set_status(str(TICKET), RESOLVED)
    fd.set_status(str(TICKET), CLOSED)

    reply, note, resolved, closed = desk.log
    assert (reply.method, reply.path, reply.json) == (
        "POST",
        f"/api/v2/tickets/{TICKET}/reply",
        {"body": "<p>We are on it.</p>"},
    )
    assert (note.method, note.path) == ("POST", f"/api/v2/tickets/{TICKET}/notes")
    assert note.json == {"body": f"<p>Resolved in {ISSUE_URL}</p>", "private": True}
    assert [(r.method, r.path, r.json) for r in (resolved, closed)] == [
        ("PUT", f"/api/v2/tickets/{TICKET}", {"status": 4}),
        ("PUT", f"/api/v2/tickets/{TICKET}", {"status": 5}),
    ]
    assert {r.status for r in desk.log} == {201, 200}
    assert all(r.auth == (desk.api_key, "X") for r in desk.log)
    conversation = desk.ticket(TICKET).conversations
    assert [(c["private"], c["incoming"], c["user_id"]) for c in conversation] == [
        (False, False, AGENT_ID),
        (True, False, AGENT_ID),
    ]


def test_a_wrong_key_names_the_variable_and_not_the_key(desk: FreshDeskStandIn) -> None:
    wrong = "zzWrongKeyValue"
    with pytest.raises(IntegrationError) as caught:
        account(desk, key=wrong).reply(str(TICKET), "<p>hi</p>")
    message = str(caught.value)
    assert message.startswith('FreshDesk answered 401: {"code": "invalid_credentials"')
    assert message.endswith("(check the API key in $FD_KEY)")
    assert wrong not in message and desk.api_key not in message
    assert len(desk.log) == 1


def test_an_unknown_ticket_is_explained(desk: FreshDeskStandIn) -> None:
    with pytest.raises(IntegrationError) as caught:
        account(desk).set_status("999", RESOLVED)
    assert str(caught.value) == "FreshDesk answered 404: no explanation given (is the ticket number right?)"


def test_a_status_freshdesk_does_not_know_is_a_validation_error(desk: FreshDeskStandIn) -> None:
    with pytest.raises(IntegrationError, match=r"^FreshDesk answered 400: .*Validation failed.*status"):
        account(desk).set_status(str(TICKET), 7)
    assert desk.ticket(TICKET).statuses == []


RESOLVED_AT = T0 + timedelta(hours=3)


@pytest.mark.parametrize(
    ("entry", "replied"),
    [
        ("requester after", True),
        ("requester before", False),
        ("requester at the same second", False),
        ("agent after", False),
        ("cc'd person after", False),
        ("nothing", False),
    ],
)
def test_only_the_requesters_reply_after_the_moment_counts(
    desk: FreshDeskStandIn, entry: str, replied: bool
) -> None:
    when = {"after": RESOLVED_AT + timedelta(minutes=1), "before": RESOLVED_AT - timedelta(minutes=1)}
    moment = when.get(entry.rsplit(" ", 1)[-1], RESOLVED_AT)
    if entry.startswith("requester"):
        desk.add_requester_reply(TICKET, "Still broken", at=moment)
    elif entry.startswith("agent"):
        desk.add_agent_reply(TICKET, "Please confirm", at=moment)
    elif entry.startswith("cc'd"):
        desk.add_incoming(TICKET, "Me too", at=moment, user_id=REQUESTER_ID + 1)
    assert account(desk).requester_replied_since(str(TICKET), RESOLVED_AT) is replied


def test_the_requester_check_reads_the_next_page(desk: FreshDeskStandIn) -> None:
    for minute in range(100):
        desk.add_agent_reply(TICKET, f"note {minute}", at=T0 + timedelta(minutes=minute))
    desk.add_requester_reply(TICKET, "Still broken", at=RESOLVED_AT + timedelta(hours=1))

    assert account(desk).requester_replied_since(str(TICKET), RESOLVED_AT) is True
    pages = [(r.query["page"], r.query["per_page"]) for r in desk.log if r.path.endswith("/conversations")]
    assert pages == [("1", "100"), ("2", "100")]


def test_the_requester_check_reads_at_most_twenty_pages(desk: FreshDeskStandIn) -> None:
    for n in range(2100):
        desk.add_agent_reply(TICKET, f"note {n}", at=T0)
    assert account(desk).requester_replied_since(str(TICKET), RESOLVED_AT) is False
    assert len([r for r in desk.log if r.path.endswith("/conversations")]) == 20


# --- deliveries ---------------------------------------------------------------------------------

FULL_CONFIG = {
    "escalation": {"mention": ["@hub-org/engineering", "@project-manager"]},
    "integrations": {
        "slack_webhook_env": "SLACK_URL",
        "freshdesk": {"domain_env": "FD_DOMAIN", "api_key_env": "FD_KEY"},
    },
}


def config(data: dict[str, object] | None = None) -> Config:
    """A config with both integrations named (or `data`)."""
    return parse_config(FULL_CONFIG if data is None else data)


def bot(cid: int, kind: str, key: str, text: str = "", minutes: int = 0) -> Comment:
    """One of the tool's comments."""
    when = T0 + timedelta(minutes=minutes)
    return Comment(cid, BOT, f"{marker_lines(kind, key)}\n{text}", when, when)


def incident(*comments: Comment, body: str = f"Support ticket ref: {TICKET}") -> IncidentState:
    """The folded state of incident #7 with these comments."""
    issue = Issue(7, "Hub <down>", body, "open", User("steward"), T0, T0, (LABEL,), html_url=ISSUE_URL)
    history = IssueHistory("hub-org/support", issue, tuple(comments))
    return fold(history, LABEL, lambda comment: comment.author.login in ("steward", "engineer"))


def wired(chat: SlackStandIn, desk: FreshDeskStandIn) -> Integrations:
    """Both integrations, with clients that do not sleep, mentioning the configured people."""
    mentions = config().escalation.mention
    return Integrations(slack=webhook(chat), freshdesk=account(desk), mentions=mentions)


def test_nothing_is_configured_by_default() -> None:
    found = from_config(config({}), {"SLACK_URL": "https://hooks.slack.com/services/a/b/c"})
    assert not found.any and found.problems == []


@pytest.mark.parametrize(
    ("env", "problems"),
    [
        ({}, ["$SLACK_URL is not set: chat messages are not sent", "$FD_DOMAIN and $FD_KEY not set"]),
        (
            {"FD_DOMAIN": "acme"},
            ["$SLACK_URL is not set", "$FD_KEY not set: the FreshDesk ticket is not updated"],
        ),
        (
            {"SLACK_URL": "zzNotAUrl", "FD_DOMAIN": "acme", "FD_KEY": "k"},
            ["$SLACK_URL does not hold a webhook URL"],
        ),
    ],
)
def test_configuration_problems_name_the_variables_never_the_values(
    env: dict[str, str], problems: list[str]
) -> None:
    found = from_config(config(), env)
    assert len(found.problems) == len(problems)
    for problem, expected in zip(found.problems, problems, strict=True):
        assert problem.startswith(expected)
        assert "zzNotAUrl" not in problem


def test_both_integrations_come_from_the_named_variables(chat: SlackStandIn, desk: FreshDeskStandIn) -> None:
    env = {"SLACK_URL": chat.url, "FD_DOMAIN": desk.base_url, "FD_KEY": desk.api_key}
    found = from_config(config(), env)
    assert found.slack is not None and found.freshdesk is not None and found.problems == []


class ReactionsOnGitHub:
    """The tool's reactions on comments, as GitHub keeps them: one per content, so each claimable once."""

    def __init__(self, at: datetime = T0) -> None:
        self.reactions: dict[int, dict[str, Reaction]] = {}
        self.at = at  # GitHub's clock when a reaction is made
        self._next = 1

    def read(self, comment_id: int) -> dict[str, Reaction]:
        """The tool's reactions on a comment."""
        return dict(self.reactions.get(comment_id, {}))

    def claim(self, comment_id: int, content: str) -> int | None:
        """A new reaction's id, or None when the tool's reaction of that content is there already."""
        mine = self.reactions.setdefault(comment_id, {})
        if content in mine:
            return None
        mine[content], self._next = Reaction(self._next, self.at), self._next + 1
        return mine[content].id

    def release(self, comment_id: int, reaction_id: int) -> None:
        """Remove one reaction."""
        mine = self.reactions.get(comment_id, {})
        for content, reaction in list(mine.items()):
            if reaction.id == reaction_id:
                del mine[content]

    @property
    def marks(self) -> Marks:
        """As the delivery run takes them."""
        return Marks(self.read, self.claim, self.release)


def anchored(*comments: Comment) -> list[tuple[Key, Comment]]:
    """The tool's comments as anchors: their keys and themselves."""
    found = []
    for comment in comments:
        marker = comment_marker(comment)
        if marker is not None:
            found.append((Key.parse(marker.key), comment))
    return found


def delivered(state: IncidentState, integrations: Integrations, *fresh: Comment) -> IntegrationRun:
    """A run that delivers what `fresh` (this run's new comments) owes."""
    run = IntegrationRun(integrations)
    run.deliver(state, anchored(*fresh), anchored(*fresh), ReactionsOnGitHub().marks, T0)
    return run


def test_what_each_of_the_tools_comments_owes(chat: SlackStandIn, desk: FreshDeskStandIn) -> None:
    posted = [
        bot(1, "status", "status"),
        bot(2, "acknowledgement", "acknowledgement"),
        bot(3, "escalation", "escalation/declared"),
        bot(4, "update", "update/40"),
        bot(5, "update-reminder", "update-reminder/20260302T130000Z"),
        bot(6, "resolution", "resolution/50"),
        bot(7, "report-reminder", "report-reminder/50"),
        bot(8, "closing", "closing/50"),
        bot(9, "reply", "reply/60"),
        Comment(10, User("engineer"), "no marker", T0, T0),
    ]
    state = incident(*posted)
    assert delivered(state, wired(chat, desk), *posted).sent == [
        "slack:acknowledgement",
        "freshdesk-reply:acknowledgement",
        "slack:escalation/declared",
        "freshdesk-reply:update/40",
        "slack:resolution/50",
        "freshdesk-reply:resolution/50",
        "freshdesk-note:resolution/50",
        "freshdesk-status:resolution/50",
        "slack:closing/50",
        "freshdesk-status:closing/50",
    ]
    assert delivered(state, Integrations(), *posted).sent == []


def test_each_step_is_claimed_by_the_tools_reaction_before_it_is_sent(
    chat: SlackStandIn, desk: FreshDeskStandIn
) -> None:
    resolution = bot(6, "resolution", "resolution/50", "Logins work.", minutes=50)
    state = incident(resolution)
    github = ReactionsOnGitHub()
    github.claim(6, "rocket")  # another run claimed the chat message first
    run = IntegrationRun(wired(chat, desk))
    run.deliver(state, anchored(resolution), anchored(resolution), github.marks, T0)

    assert chat.messages == []
    assert run.sent == [
        "freshdesk-reply:resolution/50",
        "freshdesk-note:resolution/50",
        "freshdesk-status:resolution/50",
    ]
    assert set(github.read(6)) == {"rocket", "heart", "laugh", "+1"}
    assert run.warnings == ["left slack:resolution/50 to the run that claimed it"]


def test_delivering_sends_each_item_once_with_the_issue_link(
    chat: SlackStandIn, desk: FreshDeskStandIn
) -> None:
    ack = bot(2, "acknowledgement", "acknowledgement", "Hi @reporter, <b>thank you</b>.")
    resolution = bot(6, "resolution", "resolution/50", "### Incident resolved\nLogins work.", minutes=50)
    state = incident(ack, resolution)
    run = delivered(state, wired(chat, desk), ack, resolution, ack)

    assert run.warnings == []
    assert chat.messages == [
        f":rotating_light: Incident declared by @steward: <{ISSUE_URL}|#7 Hub &lt;down&gt;>",
        f":white_check_mark: Resolved: <{ISSUE_URL}|#7 Hub &lt;down&gt;>",
    ]
    ack_reply, resolution_reply, note, status = desk.log
    assert "&lt;b&gt;thank you&lt;/b&gt;" in ack_reply.json["body"] and "<!--" not in ack_reply.json["body"]
    assert f"Follow the incident: {ISSUE_URL}" in ack_reply.json["body"]
    assert "<h3>Incident resolved</h3>" in resolution_reply.json["body"]
    assert note.json == {"body": f"<p>Resolved in GitHub issue {ISSUE_URL}</p>\n", "private": True}
    assert status.json == {"status": 4}


def test_the_escalation_message_mentions_the_configured_people(
    chat: SlackStandIn, desk: FreshDeskStandIn
) -> None:
    escalation = bot(3, "escalation", "escalation/declared", minutes=31)
    delivered(incident(escalation), wired(chat, desk), escalation)
    assert chat.messages == [
        f":warning: Escalation: <{ISSUE_URL}|#7 Hub &lt;down&gt;> is not resolved yet. "
        "@hub-org/engineering @project-manager"
    ]


def test_a_failure_gives_its_claim_back_marks_the_anchor_and_the_rest_is_still_sent(
    chat: SlackStandIn, desk: FreshDeskStandIn
) -> None:
    resolution = bot(6, "resolution", "resolution/50", "Resolved.", minutes=50)
    state = incident(resolution)
    chat.outage()
    desk.outage(path=r"/notes$")
    github = ReactionsOnGitHub()
    run = IntegrationRun(wired(chat, desk))
    run.deliver(state, anchored(resolution), anchored(resolution), github.marks, T0)

    assert run.sent == ["freshdesk-reply:resolution/50", "freshdesk-status:resolution/50"]
    assert run.warnings == [
        "slack:resolution/50: Slack answered 500 after 3 attempts; retried on the next run",
        "freshdesk-note:resolution/50: FreshDesk answered 500 after 3 attempts; retried on the next run",
    ]
    assert set(github.read(6)) == {"heart", "+1", "eyes"}

    chat.clear_faults()
    desk.clear_faults()
    retried = IntegrationRun(wired(chat, desk))
    seen = replace(resolution, reactions=frozenset(github.read(6)))
    later = T0 + timedelta(minutes=30)  # the first run's claims are settled by now
    retried.deliver(state, [], anchored(seen), github.marks, later)
    assert retried.sent == ["slack:resolution/50", "freshdesk-note:resolution/50"]
    assert set(github.read(6)) == {"rocket", "heart", "laugh", "+1"}  # the retry mark is taken back


def test_a_retry_leaves_its_mark_while_another_runs_claim_may_still_be_given_back(
    chat: SlackStandIn, desk: FreshDeskStandIn
) -> None:
    resolution = bot(6, "resolution", "resolution/50", "Resolved.", minutes=50)
    state = incident(resolution)
    github = ReactionsOnGitHub()
    for content in ("eyes", "heart", "laugh", "+1"):
        github.claim(6, content)
    github.at = T0 + timedelta(minutes=55)
    github.claim(6, "rocket")  # another run is sending the chat message right now
    seen = replace(resolution, reactions=frozenset(github.read(6)))
    run = IntegrationRun(wired(chat, desk))
    run.deliver(state, [], anchored(seen), github.marks, T0 + timedelta(minutes=56))
    assert run.sent == [] and "eyes" in github.read(6)
    run.deliver(state, [], anchored(seen), github.marks, T0 + timedelta(minutes=70))
    assert run.sent == [] and "eyes" not in github.read(6)


def test_ticket_steps_without_a_ticket_are_skipped(chat: SlackStandIn, desk: FreshDeskStandIn) -> None:
    ack = bot(2, "acknowledgement", "acknowledgement")
    run = delivered(incident(ack, body="No ticket here."), wired(chat, desk), ack)
    assert run.sent == ["slack:acknowledgement"] and run.warnings == []
    assert desk.log == [] and len(chat.messages) == 1


def test_the_ticket_from_a_ticket_command_is_used(chat: SlackStandIn, desk: FreshDeskStandIn) -> None:
    desk.add_ticket(456)
    command = Comment(30, User("steward"), "/ticket #456", T0, T0)
    update = bot(31, "update", "update/40", "Investigating.")
    delivered(incident(command, update, body="No ticket here."), wired(chat, desk), update)
    assert [r.path for r in desk.log] == ["/api/v2/tickets/456/reply"]
