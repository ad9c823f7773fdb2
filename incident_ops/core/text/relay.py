"""Team text the tool repeats (/update, /resolved), defused: it cannot ping teams or hide the tool's text."""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING

from incident_ops import lazy

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

ZERO_WIDTH_JOINER = "\u200d"
# @org/team: GitHub notifies a whole team. A zero-width joiner after the @ keeps the text and drops the link;
# whatever comes before the @ (emphasis, punctuation), since GitHub finds mentions in the rendered text.
_TEAM_MENTION = re.compile(r"@(?=[A-Za-z0-9](?:-?[A-Za-z0-9])*/[A-Za-z0-9_.-])")
# An @ written as an HTML entity renders as one: the & is shown as text instead.
_AT_ENTITY = re.compile(r"&(?=#0*64;|#[xX]0*40;|commat;)")
# The start of raw HTML (a tag, a comment such as an unclosed <!--, a declaration): a zero-width joiner after
# the < makes it text, which reads the same (in code spans too).
_HTML_START = re.compile(r"<(?=[A-Za-z!/?])")
_SENTINEL = "incident-ops-end-of-relayed-text"
# Code blocks need a fence or an indented line; without either, the text is defused line by line.
_MAY_HOLD_CODE = re.compile(r"```|~~~|^(?: {4}|\t)|\n(?: {4}|\t)|^ {0,3}[-*+>\d]")


@functools.cache
def _parser() -> MarkdownIt:
    """A CommonMark parser for finding code blocks (tables as on GitHub)."""
    return lazy.load("markdown_it").MarkdownIt("commonmark").enable("table")


def defuse(text: str) -> str:
    """The text with team mentions unlinked, raw HTML shown as text, and any open code fence closed.

    Code blocks are kept as written: GitHub neither links mentions nor reads HTML inside them.
    """
    if not text:
        return text
    source = text.replace("\r\n", "\n").replace("\r", "\n")
    if not _MAY_HOLD_CODE.search(source):
        return "\n".join(_defuse_line(line) for line in source.split("\n"))  # no code: no parser to load
    code = _code_lines(source)
    lines = [line if index in code else _defuse_line(line) for index, line in enumerate(source.split("\n"))]
    return _close_fence("\n".join(lines))


def _defuse_line(line: str) -> str:
    """One line outside code blocks, defused."""
    line = _AT_ENTITY.sub("&amp;", line)
    line = _TEAM_MENTION.sub("@" + ZERO_WIDTH_JOINER, line)
    return _HTML_START.sub("<" + ZERO_WIDTH_JOINER, line)


def _code_lines(source: str) -> set[int]:
    """Indices of the lines inside fenced or indented code blocks."""
    found: set[int] = set()
    for token in _parser().parse(source):
        if token.type in ("fence", "code_block") and token.map:
            found.update(range(*token.map))
    return found


def _close_fence(source: str) -> str:
    """The text with a code fence it leaves open closed, so that what follows it is not swallowed."""
    probe = f"{source}\n\n{_SENTINEL}"
    last = probe.count("\n")
    for token in _parser().parse(probe):
        if token.type == "fence" and token.map and token.map[0] <= last < token.map[1]:
            return f"{source}\n{token.markup}"
    return source


INLINE_MARKUP = re.compile(r"([\\`*_\[\]<>#|~!])")


def inline_text(text: str) -> str:
    """One line of people's text shown as plain text inside Markdown (a title, a heading): every character
    that could start markup escaped, and no mention that notifies (a zero-width joiner after each `@`)."""
    line = " ".join(text.split())
    return INLINE_MARKUP.sub(r"\\\1", line).replace("@", "@" + ZERO_WIDTH_JOINER)
