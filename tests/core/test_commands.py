"""Tests for the command registry, finding command lines and parsing their arguments."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from incident_ops.core.commands.args import CommandError, parse_logins, parse_ticket_id
from incident_ops.core.commands.lines import find_commands
from incident_ops.core.commands.registry import REGISTRY, Command, help_markdown
from incident_ops.core.model import CommandLine

TEAM_ONLY = {
    "declare",
    "commander",
    "sme",
    "community",
    "update",
    "resolved",
    "reopen",
    "close",
    "ticket",
    "severity",
    "follow-ups",
}


def names(markdown: str | None) -> list[str]:
    """The names of the commands found in `markdown`."""
    return [command.name for command in find_commands(markdown)]


# --- the registry -------------------------------------------------------------------------------


def test_registry_holds_exactly_the_thirteen_commands() -> None:
    """The registry has the thirteen commands of SPEC.md, the team-only ones marked so."""
    assert set(REGISTRY) == TEAM_ONLY | {"status", "help"}
    for name, command in REGISTRY.items():
        assert isinstance(command, Command)
        assert command.name == name
        assert command.team_only == (name in TEAM_ONLY)
        assert command.usage.startswith(f"/{name}")
        assert command.help and "\n" not in command.help


def test_registry_is_read_only() -> None:
    """Nobody can add a command to the registry at run time."""
    with pytest.raises(TypeError):
        REGISTRY["deploy"] = REGISTRY["help"]  # type: ignore[index]


def test_help_markdown_lists_every_command() -> None:
    """The help table has a header and one row per command, with who may run it."""
    table = help_markdown()
    rows = table.strip().splitlines()
    assert rows[0].startswith("| Command | Who |")
    assert len(rows) == 2 + len(REGISTRY)
    for command in REGISTRY.values():
        row = next(row for row in rows if f"`{command.usage}`" in row)
        assert command.help in row
        assert ("| team |" if command.team_only else "| anyone |") in row


def test_help_markdown_has_no_commands_of_its_own() -> None:
    """Posting the help table never triggers a command (usages sit in table cells and code)."""
    assert find_commands(help_markdown()) == []


# --- find_commands: what counts ---------------------------------------------------------------

FOUND = [
    pytest.param("/close", ["close"], id="alone"),
    pytest.param("/status\n", ["status"], id="trailing-newline"),
    pytest.param("   /help", ["help"], id="up-to-three-spaces"),
    pytest.param("/CLOSE", ["close"], id="upper-case"),
    pytest.param("/Commander @bob", ["commander"], id="mixed-case"),
    pytest.param("/sme\t@a", ["sme"], id="tab-after-name"),
    pytest.param("/commander @a\n/sme @b @c\n/status", ["commander", "sme", "status"], id="several"),
    pytest.param("Taking this.\n/commander", ["commander"], id="second-line-of-paragraph"),
    pytest.param("Taking this.  \n/commander", ["commander"], id="after-hard-break"),
    pytest.param("Taking this.\\\n/commander", ["commander"], id="after-backslash-break"),
    pytest.param("- /sme @a\n- /community @b", ["sme", "community"], id="list-items"),
    pytest.param("1. /commander\n2. /update on it", ["commander", "update"], id="ordered-list"),
    pytest.param("- item\n\n  /close", ["close"], id="list-item-paragraph"),
    pytest.param("# /resolved", ["resolved"], id="heading"),
    pytest.param("/reopen\n\n/ticket 42", ["reopen", "ticket"], id="paragraphs"),
    pytest.param("/close\r\n/status\r\n", ["close", "status"], id="crlf"),
    pytest.param("/close\r/status", ["close", "status"], id="bare-cr"),
    pytest.param("/update\n/update", ["update", "update"], id="repeated"),
]

NOT_FOUND = [
    pytest.param("", id="empty"),
    pytest.param(None, id="none"),
    pytest.param("   \n\n", id="blank"),
    pytest.param("please /close this", id="mid-line"),
    pytest.param("/home/jovyan is full", id="path"),
    pytest.param("/usr", id="other-word"),
    pytest.param("/commanders", id="longer-name"),
    pytest.param("/close.", id="punctuation-after-name"),
    pytest.param("/ close", id="space-after-slash"),
    pytest.param("\\/close", id="escaped-slash"),
    pytest.param("&#47;close", id="entity-slash"),
    pytest.param("`/close`", id="inline-code"),
    pytest.param("`/close` now", id="line-starts-with-code-span"),
    pytest.param("a `b\n/close` c", id="code-span-across-lines"),
    pytest.param("```\n/close\n```", id="fenced"),
    pytest.param("~~~md\n/close\n~~~", id="tilde-fence"),
    pytest.param("```\n/close", id="unclosed-fence"),
    pytest.param("    /close", id="indented-code"),
    pytest.param("\t/close", id="tab-indented-code"),
    pytest.param("> /close", id="quote"),
    pytest.param("> > /close", id="nested-quote"),
    pytest.param("> text\n/close", id="lazy-quote-continuation"),
    pytest.param("- > /close", id="quote-in-list"),
    pytest.param("> - /close", id="list-in-quote"),
    pytest.param("> ```\n> /close\n> ```", id="fence-in-quote"),
    pytest.param("<div>\n/close\n</div>", id="html-block"),
    pytest.param("<!--\n/close\n-->", id="html-comment"),
    pytest.param("<b>/close</b>", id="inline-html"),
    pytest.param("**/close**", id="emphasis"),
    pytest.param("[/close](https://example.com)", id="link-text"),
    pytest.param("[x](\n/close)", id="link-destination"),
    pytest.param("| /close |\n| --- |\n| /status |", id="table-cells"),
    pytest.param("- [ ] /close", id="task-list-item"),
    pytest.param("／resolved", id="fullwidth-slash"),
    pytest.param("/ｒesolved", id="fullwidth-letter"),
    pytest.param("\u200b/resolved", id="zero-width-space-before"),
    pytest.param("/reſolved", id="long-s"),
    pytest.param("/RESOLVED\u0301", id="combining-accent"),
]


@pytest.mark.parametrize(("markdown", "expected"), FOUND)
def test_commands_found(markdown: str, expected: list[str]) -> None:
    """Lines whose first text is a registered `/name` are commands, in order."""
    assert names(markdown) == expected


@pytest.mark.parametrize("markdown", NOT_FOUND)
def test_no_commands(markdown: str | None) -> None:
    """Code, quotes, HTML, escapes, unknown names and mid-line slashes are not commands."""
    assert find_commands(markdown) == []


def test_quote_reply_does_not_rerun_the_command() -> None:
    """GitHub's "Quote reply" of a command comment runs nothing."""
    assert find_commands("> /resolved\n\nThanks") == []
    assert names("> /resolved\n\nThanks\n/status") == ["status"]


# --- find_commands: args, text, line -------------------------------------------------------------

DETAILS = [
    pytest.param(
        "/commander @bob",
        [CommandLine("commander", "@bob", "@bob", 0)],
        id="args",
    ),
    pytest.param(
        "  /SME   @a  @b  ",
        [CommandLine("sme", "@a  @b", "@a  @b", 0)],
        id="args-stripped",
    ),
    pytest.param(
        "/update We found the cause.\nA fix is rolling out.\n\n- step one\n- step two\n/status",
        [
            CommandLine(
                "update",
                "We found the cause.",
                "We found the cause.\nA fix is rolling out.\n\n- step one\n- step two",
                0,
            ),
            CommandLine("status", "", "", 5),
        ],
        id="multi-line-update-up-to-next-command",
    ),
    pytest.param(
        "Hi all\n\n/resolved\nAll users can log in again.\n",
        [CommandLine("resolved", "", "All users can log in again.", 2)],
        id="resolved-text-on-next-lines",
    ),
    pytest.param(
        "/update Logs:\n```\n/close\n```\ndone",
        [CommandLine("update", "Logs:", "Logs:\n```\n/close\n```\ndone", 0)],
        id="text-keeps-code-with-fake-command",
    ),
    pytest.param(
        "- /sme @a\n- /community @b",
        [CommandLine("sme", "@a", "@a", 0), CommandLine("community", "@b", "@b", 1)],
        id="list-items",
    ),
    pytest.param(
        "/update one\r\ntwo\r\n/close\r\n",
        [CommandLine("update", "one", "one\ntwo", 0), CommandLine("close", "", "", 2)],
        id="crlf",
    ),
    pytest.param(
        "\u00a0\n/ticket 7",
        [CommandLine("ticket", "7", "7", 1)],
        id="line-after-nbsp-only-line",
    ),
    pytest.param(
        "- \u00a0\n  /sme @a",
        [CommandLine("sme", "@a", "@a", 1)],
        id="nbsp-line-in-list-item",
    ),
    pytest.param(
        "> quoted\n\nText\n\n/close now please",
        [CommandLine("close", "now please", "now please", 4)],
        id="line-after-quote",
    ),
]


@pytest.mark.parametrize(("markdown", "expected"), DETAILS)
def test_command_details(markdown: str, expected: list[CommandLine]) -> None:
    """Each command carries the rest of its line, its text up to the next command, and its line."""
    assert find_commands(markdown) == expected


# --- parse_logins --------------------------------------------------------------------------------

LOGINS = [
    pytest.param("", {}, [], id="empty"),
    pytest.param("@a @b, @c", {}, ["a", "b", "c"], id="mixed-separators"),
    pytest.param("bob", {}, ["bob"], id="no-at"),
    pytest.param("@Bob @bob @BOB", {}, ["Bob"], id="dedupe-case-insensitively"),
    pytest.param("@octo-cat", {}, ["octo-cat"], id="hyphen"),
    pytest.param("@" + "a" * 39, {}, ["a" * 39], id="39-chars"),
    pytest.param("@a,@b", {"at_least": 2, "at_most": 2}, ["a", "b"], id="comma-no-space"),
    pytest.param("@a", {"at_least": 1, "at_most": 1}, ["a"], id="exactly-one"),
]


@pytest.mark.parametrize(("args", "limits", "expected"), LOGINS)
def test_parse_logins(args: str, limits: dict[str, int], expected: list[str]) -> None:
    """Logins come back as typed, without '@', deduplicated."""
    assert parse_logins(args, **limits) == expected


BAD_LOGINS = [
    pytest.param("@-bob", {}, "'@-bob' is not a valid GitHub login", id="leading-hyphen"),
    pytest.param("bob-", {}, "'bob-' is not a valid GitHub login", id="trailing-hyphen"),
    pytest.param("@a--b", {}, "'@a--b' is not a valid GitHub login", id="double-hyphen"),
    pytest.param("@" + "a" * 40, {}, "is not a valid GitHub login", id="40-chars"),
    pytest.param("@org/team", {}, "'@org/team' is not a valid GitHub login", id="team"),
    pytest.param("@@bob", {}, "'@@bob' is not a valid GitHub login", id="double-at"),
    pytest.param("@", {}, "'@' is not a valid GitHub login", id="bare-at"),
    pytest.param("@bob_x", {}, "'@bob_x' is not a valid GitHub login", id="underscore"),
    pytest.param("@bøb", {}, "'@bøb' is not a valid GitHub login", id="non-ascii"),
    pytest.param("@عربي", {}, "'@عربي' is not a valid GitHub login", id="arabic"),
    pytest.param("@emoji🔥", {}, "'@emoji🔥' is not a valid GitHub login", id="emoji"),
    pytest.param("@-dash", {}, "'@-dash' is not a valid GitHub login", id="leading-hyphen"),
    pytest.param("@x\u200by", {}, "is not a valid GitHub login", id="zero-width-space"),
    pytest.param("", {"at_least": 1}, "at least 1 login, got 0", id="too-few"),
    pytest.param("@a @b", {"at_most": 1}, "at most 1 login, got 2", id="too-many"),
    pytest.param("@a @b @c", {"at_most": 2}, "at most 2 logins, got 3", id="too-many-plural"),
]


@pytest.mark.parametrize(("args", "limits", "message"), BAD_LOGINS)
def test_parse_logins_rejects(args: str, limits: dict[str, int], message: str) -> None:
    """Invalid logins and wrong counts raise CommandError saying why."""
    with pytest.raises(CommandError) as caught:
        parse_logins(args, **limits)
    assert message in str(caught.value)
    assert isinstance(caught.value, ValueError)


# --- parse_ticket_id -----------------------------------------------------------------------------

TICKETS = [
    pytest.param("123", "123", id="number"),
    pytest.param(" #123 ", "123", id="hash"),
    pytest.param("https://acme.freshdesk.com/a/tickets/123", "123", id="agent-url"),
    pytest.param("https://help.acme.org/helpdesk/tickets/123", "123", id="helpdesk-url"),
    pytest.param("https://help.acme.org/support/tickets/123", "123", id="portal-url"),
    pytest.param("https://acme.freshdesk.com/a/tickets/123/", "123", id="trailing-slash"),
    pytest.param("https://acme.freshdesk.com/a/tickets/123?tab=notes#x", "123", id="query"),
    pytest.param("<https://acme.freshdesk.com/a/tickets/9>", "9", id="autolink"),
    pytest.param("007", "7", id="leading-zeros"),
]


@pytest.mark.parametrize(("args", "expected"), TICKETS)
def test_parse_ticket_id(args: str, expected: str) -> None:
    """Numbers, #numbers and FreshDesk ticket URLs give the ticket number."""
    assert parse_ticket_id(args) == expected


BAD_TICKETS = [
    pytest.param("", id="empty"),
    pytest.param("abc", id="word"),
    pytest.param("12 3", id="two-words"),
    pytest.param("#", id="bare-hash"),
    pytest.param("0", id="zero"),
    pytest.param("-5", id="negative"),
    pytest.param("１２", id="full-width-digits"),
    pytest.param("https://acme.freshdesk.com/a/tickets/", id="url-without-id"),
    pytest.param("https://acme.freshdesk.com/a/contacts/123", id="other-url"),
    pytest.param("ftp://acme.freshdesk.com/a/tickets/123", id="other-scheme"),
    pytest.param("http://[::1/a/tickets/1", id="broken-url"),
    pytest.param("/a/tickets/123", id="no-host"),
]


@pytest.mark.parametrize("args", BAD_TICKETS)
def test_parse_ticket_id_rejects(args: str) -> None:
    """Anything else raises CommandError naming what was given."""
    with pytest.raises(CommandError, match="FreshDesk ticket"):
        parse_ticket_id(args)


# --- properties ----------------------------------------------------------------------------------

COMMAND_NAMES = sorted(REGISTRY)
command_line = st.builds(
    lambda name, upper, args: f"/{name.upper() if upper else name}{args}",
    st.sampled_from(COMMAND_NAMES),
    st.booleans(),
    st.sampled_from(["", " @bob", " text here", "\t#12"]),
)
plain_line = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n"),
    max_size=30,
)
markdownish_line = st.one_of(
    command_line,
    plain_line,
    st.sampled_from(["", "> ", ">", "- ", "1. ", "```", "~~~", "    ", "<div>", "</div>", "| a |", "| - |"]),
    st.builds(lambda a, b: a + b, st.sampled_from(["> ", "- ", "    ", "`", "\\", "# "]), command_line),
)
markdownish = st.lists(markdownish_line, max_size=12).map("\n".join)
FAST = settings(max_examples=200, deadline=None)


@FAST
@given(st.one_of(st.none(), st.text(), markdownish))
def test_find_commands_never_raises(markdown: str | None) -> None:
    """Any text gives a list of commands whose lines exist and whose names are registered."""
    lines = (markdown or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    found = find_commands(markdown)
    assert [c.line for c in found] == sorted({c.line for c in found})
    for command in found:
        assert command.name in REGISTRY
        assert 0 <= command.line < len(lines)
        assert f"/{command.name}" in lines[command.line].lower()


@FAST
@given(st.lists(markdownish_line, max_size=8))
def test_fenced_block_hides_commands(inside: list[str]) -> None:
    """Nothing inside a fenced code block is a command, whatever it holds."""
    body = [line for line in inside if not line.lstrip().startswith(("```", "~~~"))]
    document = "\n".join(["Intro", "", "````", *body, "````"])
    assert find_commands(document) == []
    assert names(document + "\n" + "/status") == ["status"]


@FAST
@given(st.lists(markdownish_line, max_size=8))
def test_block_quote_hides_commands(inside: list[str]) -> None:
    """Nothing inside a block quote (at any nesting) is a command, whatever it holds."""
    for prefix in ("> ", "> > ", "- > "):
        document = "\n".join(prefix + line for line in inside)
        assert find_commands(document) == []


@FAST
@given(
    st.text(
        alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="`\r\n"),
        max_size=30,
    ).filter(lambda text: text.strip()),
    st.sampled_from(["", " then more", " /close"]),
)
def test_inline_code_hides_commands(inside: str, after: str) -> None:
    """A line that starts with a code span is never a command, whatever the span holds."""
    assert find_commands(f"`{inside}`{after}") == []
    assert find_commands(f"Note:\n`{inside}`{after}") == []


# Lines that cannot open a block running past a blank line (fences, HTML blocks).
ordinary_line = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="`~<\r\n"),
    max_size=30,
)


@FAST
@given(command_line, st.lists(ordinary_line, max_size=4))
def test_commands_are_found_after_any_text(command: str, before: list[str]) -> None:
    """A command line after a blank line is found whatever ordinary text comes before it."""
    document = "\n".join(["\n".join(before), "", command])
    found = find_commands(document)
    assert found and found[-1].name == command[1:].split()[0].lower()


FRAGMENTS = [
    "/update x",
    "/resolved",
    "/sme @a",
    "\n",
    "\r\n",
    "> ",
    "- ",
    "1. ",
    "  ",
    "    ",
    "**",
    "`",
    "\t",
    "\u00a0",
    "# ",
    "text ",
    "_",
    "~~~",
    "```",
    "[ ] ",
    "<b>",
    "\\",
    "/home/x ",
]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=12).map("".join))
def test_the_quick_check_never_hides_a_command(text: str) -> None:
    from incident_ops.core.commands.lines import _parse_commands

    assert find_commands(text) == list(_parse_commands(text))


PLAIN_FRAGMENTS = [
    *FRAGMENTS,
    "/update The hub is back (mostly). ",
    "/commander @bob",
    "/close",
    "/Status",
    "/updates ",
    "/update: ",
    "@alice ",
    "Hi team, ",
    "see #12 ",
    "=",
    "-",
    "===",
    "---",
    "1)",
    "+ ",
    "*",
    "[x]",
    "](u)",
    "&amp;",
    "&#47;",
    "{}",
    "$^%!?;:'\"",
]


# Lines of mostly plain prose (opening with a letter, `/` or `@`, holding characters that make no Markdown),
# sometimes with an opening or a character that does: those must never take the short cut.
MARKUP_STARTS = ["- ", "-", "=", "---", "+ ", "1. ", "1) ", "# ", "    ", "\t", "> ", "* ", "_", "```", "<b>"]
MARKUP_STARTS += ["[x]: ", "\\", "&#47;", "\u00a0", "| "]
MARKUP_INLINE = ["`", "*", "_", "[", "](u)", "<i>", ">", "\\", "\t", "é", "\u00a0", "|", "~~"]
PROSE = [" x", " (y)", " #1", " -", " =", " ---", "!", " /update", "  ", "'", '"', "$^%", "{}"]
# Code spans, links and emphasis that run over a command line.
SPANNING = ["Hi `x", "/update y` z", "/update y", "[a", "/close](u) b", "b`", "*a", "/status*", "a", ""]
prose_line = st.builds(
    lambda start, command, rest: start + command + "".join(rest),
    st.one_of(st.just(""), st.just(""), st.just(""), st.sampled_from(MARKUP_STARTS)),
    st.sampled_from(["", "/update", "/close", "/Status", "/updates", "/update:", "/", "@bob", "Hi", "a"]),
    st.lists(
        st.one_of(st.sampled_from(PROSE), st.sampled_from(PROSE), st.sampled_from(MARKUP_INLINE)), max_size=5
    ),
)


@settings(max_examples=1500, deadline=None)
@given(
    st.one_of(
        st.lists(st.sampled_from(PLAIN_FRAGMENTS), max_size=14).map("".join),
        st.lists(prose_line, max_size=8).map("\n".join),
        st.lists(st.sampled_from(SPANNING), max_size=6).map("\n".join),
    )
)
def test_plain_prose_is_read_exactly_as_the_markdown_parser_reads_it(text: str) -> None:
    """Comments simple enough to skip the Markdown parser give the same commands as a full parse."""
    from incident_ops.core.commands.lines import _parse_commands

    assert find_commands(text) == list(_parse_commands(text))
