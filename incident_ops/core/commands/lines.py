"""Finding command lines in a comment: a line opening with `/name`, outside code, quotes and HTML."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache, lru_cache
from typing import TYPE_CHECKING

from incident_ops import lazy
from incident_ops.core.commands.registry import REGISTRY
from incident_ops.core.model import CommandLine

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.rules_block import StateBlock
    from markdown_it.rules_inline import StateInline
    from markdown_it.token import Token

    _BlockRule = Callable[[StateBlock, int, int, bool], bool]


_COMMAND_TOKEN = "incident_ops_command"
_LINE_OFFSET = "incident_ops_line_offset"


def _command_rule(state: StateInline, silent: bool) -> bool:
    """Inline rule: consume `/name` when it is the first text of a line of the inline content."""
    src, pos = state.src, state.pos
    line_start = src.rfind("\n", 0, pos) + 1
    if state.level > 0 or src[line_start:pos].strip(" \t"):
        return False
    start = pos
    while start < state.posMax and src[start] != "\n" and src[start].isspace():
        start += 1
    if start >= state.posMax or src[start] != "/":
        return False
    end = start + 1
    while end < state.posMax and not src[end].isspace():
        end += 1
    word = src[start + 1 : end]
    if not word.isascii() or word.lower() not in REGISTRY:
        return False
    if not silent:
        token = state.push(_COMMAND_TOKEN, "", 0)
        token.meta = {"name": word.lower(), "line": src.count("\n", 0, start)}
    state.pos = end
    return True


def _keep_line_offset(rule: _BlockRule) -> _BlockRule:
    """Wrap a block rule so its inline tokens record how many source lines the trim removed."""

    def wrapped(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
        """Run the rule, then note on each new inline token how many leading lines were trimmed."""
        first = len(state.tokens)
        matched = rule(state, start_line, end_line, silent)
        for token in state.tokens[first:] if matched and not silent else ():
            if token.type == "inline" and token.map:
                # Paragraph text is trimmed with Unicode whitespace, which can swallow whole lines
                # that CommonMark does not count as blank (e.g. a line holding only U+00A0).
                raw = state.getLines(token.map[0], token.map[1], state.blkIndent, False)
                token.meta[_LINE_OFFSET] = raw.count("\n", 0, max(raw.find(token.content), 0))
        return matched

    return wrapped


@cache
def _parser() -> MarkdownIt:
    """A CommonMark parser (with GitHub's tables) that marks command lines with inline tokens.

    Built on first use: comments without a line starting with `/` never need it.
    """
    rules = lazy.load("markdown_it.rules_block")
    lheading, paragraph = rules.lheading, rules.paragraph
    md = lazy.load("markdown_it").MarkdownIt("commonmark").enable("table")
    md.block.ruler.at("paragraph", _keep_line_offset(paragraph))
    md.block.ruler.at("lheading", _keep_line_offset(lheading))
    md.inline.ruler.before("text", "incident_ops_command", _command_rule)
    return md


def _command_tokens(tokens: list[Token]) -> list[tuple[str, int]]:
    """(name, source line) of every command token outside quotes and tables, in document order."""
    found: list[tuple[str, int]] = []
    skip_depth = 0
    for token in tokens:
        if token.type in ("blockquote_open", "table_open"):
            skip_depth += 1
        elif token.type in ("blockquote_close", "table_close"):
            skip_depth -= 1
        elif token.type == "inline" and token.map and skip_depth == 0:
            base = token.map[0] + token.meta.get(_LINE_OFFSET, 0)
            for child in token.children or ():
                if child.type == _COMMAND_TOKEN:
                    found.append((child.meta["name"], base + child.meta["line"]))
    return found


def find_commands(markdown: str | None) -> list[CommandLine]:
    """Every command line in a comment, in order; code, quotes and HTML blocks are skipped."""
    return list(_find_commands(markdown or ""))


# A command needs a line whose first text is "/" and a letter: without one, skip the (costly) parse.
_MAYBE_COMMAND = re.compile(r"^[\s>*+\-#\d.)_~]*/[A-Za-z]", re.MULTILINE)


# Plain prose: ASCII without the characters that make code, quotes, links, emphasis, HTML or tables,
# and every line starting flush with a letter or `/`. In it a command is simply a line opening with one.
_PLAIN_LINE = r"(?:[A-Za-z/@][A-Za-z0-9 /@.,:;'\"?!()#%+=$^{}-]*)?"
_PLAIN = re.compile(rf"{_PLAIN_LINE}(?:\n{_PLAIN_LINE})*")


@lru_cache(maxsize=4096)
def _find_commands(markdown: str) -> tuple[CommandLine, ...]:
    """find_commands, remembered per comment body (a run folds the same comments several times)."""
    if not _MAYBE_COMMAND.search(markdown.replace("\r", "\n")):
        return ()
    source = markdown.replace("\r\n", "\n").replace("\r", "\n")
    if _PLAIN.fullmatch(source):
        return _commands_of(source, _plain_command_lines(source))
    return _parse_commands(markdown)


def _plain_command_lines(source: str) -> list[tuple[str, int]]:
    """(name, line) of the command lines of plain prose, without parsing Markdown."""
    found = []
    for index, line in enumerate(source.split("\n")):
        word = line.split(" ", 1)[0][1:].lower() if line.startswith("/") else ""
        if word in REGISTRY:
            found.append((word, index))
    return found


def _parse_commands(markdown: str) -> tuple[CommandLine, ...]:
    """Every command line of a comment, from markdown-it's tokens."""
    source = markdown.replace("\r\n", "\n").replace("\r", "\n")
    return _commands_of(source, _command_tokens(_parser().parse(source)))


def _commands_of(source: str, found: list[tuple[str, int]]) -> tuple[CommandLine, ...]:
    """The commands at the found (name, line) places, each with its text up to the next command."""
    lines = source.split("\n")
    commands: list[CommandLine] = []
    for index, (name, line) in enumerate(found):
        next_line = found[index + 1][1] if index + 1 < len(found) else len(lines)
        first = lines[line]
        rest = first[first.find("/") + 1 + len(name) :]
        text = "\n".join([rest, *lines[line + 1 : next_line]]).strip()
        commands.append(CommandLine(name=name, args=rest.strip(), text=text, line=line))
    return tuple(commands)
