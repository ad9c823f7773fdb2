"""Bad input end to end: broken event files, huge and strange text, template syntax, broken configs."""

from __future__ import annotations

import json
import re
import time
from typing import Any

import pytest
from harness import BOT, LABEL, REPO, RunResult, World
from test_faults import RETRY_DELAY, assert_no_duplicates, declared, is_bot_comment, ok

from incident_ops.cli.demo import REPORT
from incident_ops.cli.runtime import markdown_text
from incident_ops.core.comments.markers import read_marker

MAX_BODY = 65536  # GitHub's limit for issue and comment bodies, in characters
LONG_THREAD = 1000
STRANGE = (
    "سقوط الخادم 🔥👩\u200d💻 עברית \u202eevil\u202c zero\u200bwidth"
    " \x1b[31mred\x1b[0m bell\x07 tab\t ctl\x1f\x7f é"
)
JINJA = [
    "{{ 7*7 }}",
    "{% for x in range(3) %}loop{% endfor %}",
    "{# hidden #}",
    "{{ ''.__class__.__mro__ }}",
    "{% raw %}{{ x }}{% endraw %}",
    "{{ config }}{{ self }}",
    "{%",
]
BAD_CONFIG = """\
incident_label: yes
team:
  min_permission: owner
  users: [ok, -bad-]
escalation: {aftr: 1h, after: soon, mention: '@x'}
updates: {every: 4 hours}
close: {after_working_hours: 0}
working_hours: {timezone: Mars/Olympus, days: [mon, funday], start: 9:00, holidays: [xmas]}
report: {template: ../x.md}
templates_dir: /etc
integrations: {slack_webhook_env: 'https://hooks.slack.com/services/T0/B0/SECRET', freshdesk: {domain_env: D}}
surprise: 1
"""
BAD_CONFIG_PATHS = [
    "incident_label",
    "team.min_permission",
    "team.users[1]",
    "escalation.aftr",
    "escalation.after",
    "escalation.mention",
    "updates.every",
    "close.after_working_hours",
    "working_hours.timezone",
    "working_hours.days[1]",
    "working_hours.start",
    "working_hours.holidays[0]",
    "report.template",
    "templates_dir",
    "integrations.slack_webhook_env",
    "integrations.freshdesk.api_key_env",
    "surprise",
]


@pytest.fixture(autouse=True)
def quick_retries(world: World) -> None:
    """Retries back off for a millisecond, not a second."""
    world.env["INCIDENT_OPS_RETRY_DELAY"] = RETRY_DELAY


def run_event_file(world: World, content: bytes, event: str = "issue_comment") -> RunResult:
    """`incident-ops run` on an event file holding exactly these bytes."""
    path = world.workspace / "event.json"
    path.write_bytes(content)
    return world.cli("run", event=event, event_path=str(path))


def payload(world: World, number: int, **fields: Any) -> bytes:
    """An issue_comment.created-like payload for the issue as it is now, with fields replaced."""
    data: dict[str, Any] = {"action": "created", "issue": world.emu.issue(REPO, number)}
    data.update(fields)
    return json.dumps({k: v for k, v in data.items() if v is not None}).encode()


def no_traceback(result: RunResult) -> None:
    """The run ended with a message, not a Python traceback."""
    assert "Traceback" not in result.stdout + result.stderr


def messages(world: World, number: int, kind: str) -> list[str]:
    """The bodies of the tool's comments of one kind."""
    return [c["body"] for c in world.bot_comments(number, kind) if c["user"]["login"] == BOT]


# --- event files ----------------------------------------------------------------------------------


def test_a_malformed_event_file_exits_2_before_any_request(world: World) -> None:
    number = declared(world)
    world.emu.clear_requests()

    result = run_event_file(world, b'{"action": "created", "issue": {"number": 1, "labels": [{"na')
    says = "not valid JSON"  # every other malformation: tests/cli/test_event_file.py

    assert result.code == 2
    assert says in result.stderr
    no_traceback(result)
    assert world.emu.requests == []
    assert len(world.bot_comments(number)) == 2


@pytest.mark.parametrize("event", ["issues", "issue_comment"])
def test_a_missing_or_unreadable_event_file_exits_2(world: World, event: str) -> None:
    folder = world.workspace / "a-folder"
    folder.mkdir()
    for path in (str(world.workspace / "absent.json"), str(folder), ""):
        result = world.cli("run", event=event, event_path=path)
        assert result.code == 2, path
        assert "event file" in result.stderr or "GITHUB_EVENT_PATH" in result.stderr
        no_traceback(result)
    assert world.emu.requests == []


def test_a_deeply_nested_event_file_exits_2(world: World) -> None:
    result = run_event_file(world, b'{"a": ' * 50_000 + b"1" + b"}" * 50_000)
    assert result.code == 2


def test_labels_that_are_not_a_list_exit_2(world: World) -> None:
    result = run_event_file(world, b'{"action": "created", "issue": {"number": 1, "labels": 5}}')
    assert result.code == 2


def test_a_boolean_issue_number_is_a_usage_error(world: World) -> None:
    content = json.dumps({"action": "created", "issue": {"number": True, "labels": [{"name": LABEL}]}})
    result = run_event_file(world, content.encode())
    assert result.code == 2
    assert world.emu.requests == []


def test_a_comment_event_without_its_comment_still_catches_up_on_the_issue(world: World) -> None:
    number = declared(world)
    world.emu.add_comment(REPO, number, "engineer", "/update Investigating.")

    result = run_event_file(world, payload(world, number, comment=None, sender=None))

    ok(result)
    assert len(messages(world, number, "update")) == 1


@pytest.mark.parametrize(
    "fields",
    [
        {"comment": {"id": "x", "user": "not an object", "body": None}},
        {"comment": []},
        {"sender": "nobody", "repository": 7},
        {"action": 5},
    ],
    ids=["comment fields wrong", "comment a list", "sender and repository wrong", "action a number"],
)
def test_odd_fields_besides_the_issue_neither_crash_nor_write_twice(
    world: World, fields: dict[str, Any]
) -> None:
    number = declared(world)
    world.emu.add_comment(REPO, number, "engineer", "/commander")

    result = run_event_file(world, payload(world, number, **fields))

    assert result.code == 0
    no_traceback(result)
    ok(world.sweep())
    assert world.assignees(number) == {"engineer"}
    assert_no_duplicates(world, number)


@pytest.mark.parametrize(
    "fields",
    [
        {"user": "not an object"},
        {"title": None},
        {"updated_at": "2026-13-45T99:00:00Z"},
        {"labels": [{"name": LABEL}, "junk"]},
        {"state": 3},
    ],
    ids=["user not an object", "no title", "time unreadable", "a label not an object", "state a number"],
)
def test_odd_fields_in_the_events_issue_fall_back_to_reading_it(world: World, fields: dict[str, Any]) -> None:
    number = declared(world)
    world.advance(minutes=1)
    cid = world.emu.add_comment(REPO, number, "engineer", "/commander")
    issue = {**world.emu.issue(REPO, number), **fields}
    world.emu.clear_requests()

    result = run_event_file(world, payload(world, number, issue=issue, comment=world.emu.comment(REPO, cid)))

    ok(result)
    no_traceback(result)
    assert any(r.path.endswith(f"/issues/{number}") and r.method == "GET" for r in world.emu.requests)
    assert world.assignees(number) == {"engineer"}


def test_an_issue_that_does_not_exist_exits_3_naming_it(world: World) -> None:
    content = json.dumps({"action": "created", "issue": {"number": 404, "labels": [{"name": LABEL}]}})

    result = run_event_file(world, content.encode())

    assert result.code == 3
    assert "#404" in result.stdout and "not found" in result.stdout
    no_traceback(result)
    assert world.writes() == []


# --- long bodies and long threads -----------------------------------------------------------------


def exactly(prefix: str, filler: str = "x") -> str:
    """`prefix` padded with filler to exactly GitHub's body limit."""
    return (prefix + filler * MAX_BODY)[:MAX_BODY]


def test_an_issue_body_of_65536_characters_is_served(world: World) -> None:
    body = exactly(REPORT + "\n\nNotes: ")
    number = world.open_issue("reporter", body=body)

    ok(world.declare(number, "steward"))
    world.comment(number, "engineer", "/resolved Done.")

    assert len(world.emu.issue(REPO, number)["body"]) == MAX_BODY
    assert "Incident status: Resolved" in world.status(number)
    assert messages(world, number, "report-reminder") == []


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        (exactly("/update "), "update"),
        (exactly("/resolved "), "resolution"),
        (exactly("/update ", "{{ 7*7 }} "), "update"),
        (exactly("/ticket "), "reply"),
        (exactly("/commander @"), "reply"),
        (exactly("Plain text, no command. "), None),
    ],
    ids=["update", "resolved", "update of template syntax", "ticket", "commander", "plain"],
)
def test_a_comment_of_65536_characters_gets_an_answer_github_accepts(
    world: World, body: str, kind: str | None
) -> None:
    number = declared(world)
    assert len(body) == MAX_BODY

    result = world.comment(number, "engineer", body)

    ok(result)
    assert not [r for r in world.emu.requests if r.status == 422]
    if kind is not None:
        [answer] = messages(world, number, kind)
        assert len(answer) <= MAX_BODY
        assert read_marker(answer) is not None
    assert len(world.status(number)) <= MAX_BODY
    writes = len(world.writes())
    ok(world.sweep())
    assert len(world.writes()) == writes


def test_thousands_of_smes_in_one_command_are_refused_and_the_status_stays_stable(world: World) -> None:
    """An /sme naming thousands of people is refused with a reason; nothing is rewritten on later runs."""
    number = declared(world)
    logins = " ".join(f"@sme-{i}" for i in range(6000))
    cid = world.emu.add_comment(REPO, number, "engineer", f"/sme {logins}")
    ok(world.comment_event(number, cid))

    status = world.status(number)
    assert len(status) <= MAX_BODY
    assert "expected at most 25 logins" in messages(world, number, "reply")[0]
    writes = len(world.writes())
    ok(world.sweep())
    ok(world.comment_event(number, cid))
    assert len(world.writes()) == writes


def test_a_status_comment_at_githubs_size_limit_is_still_kept_current(world: World) -> None:
    number = declared(world)
    logins = " ".join(["@a" + "b" * 36] * 30)[:1190]
    world.comment(number, "reporter", "\n".join(f"/sme {logins}" for _ in range(53)))  # refused, but logged
    world.advance(minutes=5)

    resolved = world.comment(number, "steward", "/resolved Fixed.")

    assert resolved is not None
    ok(resolved)
    assert "refused" not in resolved.stdout
    status = world.status(number)
    assert len(status) <= 65536
    assert "Incident status: Resolved" in status


def test_an_incident_with_1000_comments_answers_every_command_once(world: World) -> None:
    number = declared(world)
    commands = []
    for i in range(LONG_THREAD):
        author = ("reporter", "engineer", "reader")[i % 3]
        body = f"Comment {i}: still looking. {STRANGE}"
        if i % 25 == 10:
            author, body = "engineer", f"/sme @lead\n/update Progress {i}."
        cid = world.emu.add_comment(REPO, number, author, body)  # no run: every event was lost
        if body.startswith("/"):
            commands.append(cid)
    world.emu.clear_requests()

    started = time.monotonic()
    result = world.comment(number, "steward", "/commander")
    elapsed = time.monotonic() - started

    ok(result)
    assert elapsed < 10
    assert len(messages(world, number, "update")) == len(commands) == LONG_THREAD // 25
    for cid in commands:
        assert {r["content"] for r in world.emu.reactions(REPO, cid)} == {"+1"}
    assert world.assignees(number) == {"steward"}
    assert_no_duplicates(world, number)
    status = world.status(number)
    assert len(status) <= MAX_BODY and "more entries" in status
    world.emu.clear_requests()
    ok(world.sweep())
    assert world.writes() == []
    pages = [r for r in world.emu.requests if r.path.endswith(f"/issues/{number}/comments")]
    assert len(pages) == -(-len(world.comments(number)) // 100)


# --- Unicode and template syntax in user text -----------------------------------------------------


def test_any_unicode_in_titles_bodies_and_commands_comes_through_verbatim(world: World) -> None:
    title = f"Hub down {STRANGE} | with a pipe\nand a newline"
    number = world.open_issue("reporter", title=title, body=f"{REPORT}\n{STRANGE}")
    ok(world.declare(number, "steward"))

    ok(world.comment(number, "engineer", f"/update {STRANGE}\n/ticket ４２"))
    result = ok(world.comment(number, "engineer", f"/resolved {STRANGE}"))

    [update] = messages(world, number, "update")
    [resolution] = messages(world, number, "resolution")
    assert STRANGE in update and STRANGE in resolution
    [reply] = messages(world, number, "reply")
    assert "'４２' is not a FreshDesk ticket" in reply
    row = next(line for line in result.summary.splitlines() if line.startswith(f"| [#{number} "))
    assert "\\| with a pipe and a newline" in row
    assert result.outputs["state"] == "resolved"


def test_a_login_github_could_not_have_is_refused_with_a_reply(world: World) -> None:
    login = "ünïcödé"  # every other impossible login: tests/core/test_commands.py
    number = declared(world)

    ok(world.comment(number, "engineer", f"/commander @{login}"))

    [reply] = messages(world, number, "reply")
    assert f"'@{login}' is not a valid GitHub login" in reply
    assert world.assignees(number) == set()


def test_a_lookalike_command_is_plain_text(world: World) -> None:
    text = "／resolved"  # every other lookalike: tests/core/test_commands.py
    number = declared(world)
    writes = len(world.writes())

    ok(world.comment(number, "engineer", text))

    assert "incident: resolved" not in world.labels(number)
    assert len(world.writes()) == writes


def test_control_characters_in_a_title_cannot_forge_workflow_commands(world: World) -> None:
    """Titles never reach standard output, where a line starting with :: would be a workflow command."""
    title = "Hub down\n::add-mask::oops\n::error::forged %0A ::set-output name=x::y"
    number = world.open_issue("reporter", title=title)
    world.emu.add_labels(REPO, number, [LABEL], "steward")
    world.emu.inject_fault("GET", rf"/issues/{number}/comments$", status=503, times=10)

    result = world.sweep()

    assert result.code == 3
    lines = result.stdout.splitlines()
    assert [line for line in lines if line.startswith("::")] == [
        line for line in lines if line.startswith(f"::error::#{number}: GitHub failed: read comments")
    ]


@pytest.mark.parametrize("snippet", JINJA)
def test_template_syntax_in_user_text_appears_literally(world: World, snippet: str) -> None:
    title = f"Hub {snippet} down"
    number = world.open_issue("reporter", title=title, body=f"{REPORT}\nSupport ticket ref: {snippet}")
    ok(world.declare(number, "steward"))

    ok(world.comment(number, "engineer", f"/update Seen {snippet} here.\n/sme @{snippet}"))
    result = ok(world.comment(number, "engineer", f"/resolved Fixed {snippet} now."))

    [update] = messages(world, number, "update")
    [resolution] = messages(world, number, "resolution")
    [reply] = messages(world, number, "reply")
    assert f"Seen {snippet} here." in update
    assert f"Fixed {snippet} now." in resolution
    assert f"'@{snippet.split()[0]}' is not a valid GitHub login" in reply
    assert markdown_text(f"Hub {snippet} down") in result.summary  # shown as written, never evaluated
    for body in [update, resolution, reply, world.status(number)]:
        assert " 49 " not in body and "looplooploop" not in body and "<class" not in body


# --- configuration mistakes -----------------------------------------------------------------------


def test_a_config_with_every_kind_of_mistake_stops_the_run_before_any_request(world: World) -> None:
    world.write_config(BAD_CONFIG)
    number = world.open_issue("reporter", body=REPORT)
    world.emu.add_labels(REPO, number, [LABEL], "steward")
    world.emu.clear_requests()

    result = world.issues_event("labeled", number, "steward", label=LABEL)

    assert result.code == 1
    no_traceback(result)
    annotations = [line for line in result.stdout.splitlines() if line.startswith("::error file=")]
    assert len(annotations) == len(BAD_CONFIG_PATHS)
    for path in BAD_CONFIG_PATHS:
        assert any(f"::{path}: " in line for line in annotations), path
        assert f": {path}: " in result.stderr, path
    assert all(re.match(r"::error file=\.github/incident-ops\.yml(,line=\d+)?::", a) for a in annotations)
    assert "SECRET" not in result.stdout + result.stderr
    assert world.emu.requests == []
    sweep = world.sweep()
    assert sweep.code == 1 and world.emu.requests == []

    world.write_config("escalation: {after: 1h}\n")
    ok(world.issues_event("labeled", number, "steward", label=LABEL))
    assert len(messages(world, number, "acknowledgement")) == 1
    assert "Escalation due | 2026-03-02 10:00 UTC" in world.status(number)


def test_an_unparsable_config_is_a_problem_named_before_any_request(world: World) -> None:
    path = world.write_config("")
    path.write_bytes(b"team:\n\tusers: [a]\n")
    says = "invalid YAML at line 2"  # every other way a file cannot be read: tests/config/test_config.py
    number = declared_without_run(world)

    result = world.issues_event("labeled", number, "steward", label=LABEL)

    assert result.code == 1
    assert says in result.stdout + result.stderr
    no_traceback(result)
    assert world.emu.requests == []


def declared_without_run(world: World) -> int:
    """An issue labelled as an incident, its event not yet run; the request log emptied."""
    number = world.open_issue("reporter", body=REPORT)
    world.emu.add_labels(REPO, number, [LABEL], "steward")
    world.emu.clear_requests()
    return number


@pytest.mark.parametrize("where", ["absent.yml", "a-folder"])
def test_a_config_named_by_config_that_cannot_be_read_exits_2(world: World, where: str) -> None:
    (world.workspace / "a-folder").mkdir()
    number = declared_without_run(world)
    world.env["INCIDENT_OPS_CONFIG"] = str(world.workspace / where)

    result = world.issues_event("labeled", number, "steward", label=LABEL)

    assert result.code == 2
    assert where in result.stderr
    no_traceback(result)
    assert world.emu.requests == []


def broken_template(world: World, kind: str, text: str) -> None:
    """A templates_dir overriding one message template."""
    folder = world.workspace / "messages"
    folder.mkdir(exist_ok=True)
    (folder / f"{kind}.md.j2").write_text(text, encoding="utf-8")
    world.write_config("templates_dir: messages\n")


@pytest.mark.parametrize(
    "text",
    [
        "{{ marker }}\n{{ nope }}\n",
        "{{ marker }}\n{% for %}\n",
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    ],
    ids=["undefined", "syntax", "sandbox escape"],
)
def test_a_broken_message_template_exits_1_and_the_fixed_rerun_loses_nothing(world: World, text: str) -> None:
    broken_template(world, "status", text)
    number = declared_without_run(world)

    result = world.issues_event("labeled", number, "steward", label=LABEL)

    assert result.code == 1
    assert re.search(r"::error.*template messages/status.md.j2, line [12]: ", result.stdout), result.stdout
    assert world.emu.requests == []  # found before any request
    no_traceback(result)
    (world.workspace / "messages" / "status.md.j2").unlink()
    ok(world.issues_event("labeled", number, "steward", label=LABEL))
    assert len(messages(world, number, "acknowledgement")) == 1
    assert len(messages(world, number, "status")) == 1
    assert_no_duplicates(world, number)


def test_a_template_with_a_syntax_error_writes_nothing(world: World) -> None:
    broken_template(world, "status", "{{ marker }}\n{% for %}\n")
    number = declared_without_run(world)

    result = world.issues_event("labeled", number, "steward", label=LABEL)

    assert result.code == 1
    assert world.writes() == []


def test_a_template_without_its_marker_still_gets_one_and_is_posted_once(world: World) -> None:
    broken_template(world, "acknowledgement", "Hello {{ community }}! We are on it.\n")
    number = declared_without_run(world)

    for _ in range(2):
        ok(world.issues_event("labeled", number, "steward", label=LABEL))

    [ack] = messages(world, number, "acknowledgement")
    assert "Hello reporter! We are on it." in ack
    assert_no_duplicates(world, number)


def test_nothing_is_written_in_a_dry_run_with_strange_input(world: World) -> None:
    number = world.open_issue("reporter", title=STRANGE, body=JINJA[0])
    world.emu.add_labels(REPO, number, [LABEL], "steward")
    world.emu.add_comment(REPO, number, "engineer", f"/update {STRANGE} {JINJA[1]}")
    world.emu.clear_requests()

    result = world.issues_event_with_args("labeled", number, "steward", "--dry-run")

    ok(result)
    assert world.writes() == []
    assert "would post update comment" in result.stdout
    assert [c for c in world.comments(number) if is_bot_comment(c)] == []


@pytest.mark.parametrize("argv", [["validate-config", ".github/incident-ops.yml"], ["demo", "--config", "X"]])
def test_a_deeply_nested_config_is_one_line_in_validate_config_and_the_demo(
    world: World, argv: list[str]
) -> None:
    path = world.write_config("incident_label: " + "[" * 600 + "]" * 600 + "\n")
    args = [str(path) if a in ("X", ".github/incident-ops.yml") else a for a in argv]
    result = world.cli(*args)
    assert result.code == 1, result.stdout + result.stderr
    assert "nested too deeply to read" in result.stdout + result.stderr
    no_traceback(result)
