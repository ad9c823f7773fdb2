"""The after-action document: one incident as Markdown for an incident-reports repository or a wiki.

The report's sections come from the issue body as the team wrote them, with hidden comments dropped, their own
sub-headings moved below the document's `###`, and then defused like any relayed text: no raw HTML, no team
mention. The roles, durations and timeline are the retrospective's.
"""

from __future__ import annotations

import functools
import itertools
import re
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from incident_ops import lazy
from incident_ops.config.types import Config
from incident_ops.core.report.check import DONE, MISSING, UNFILLED, ReportTemplate, fills_section, section_key
from incident_ops.core.state import IncidentState, state_name
from incident_ops.core.text.markdown import flatten
from incident_ops.core.text.relay import defuse, inline_text
from incident_ops.core.views.mermaid import CHART_BUDGET, fenced, incident_timeline
from incident_ops.core.views.retrospective import retrospective
from incident_ops.core.views.status import stamp

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

SECTION_LEVEL = 3  # the report's sections are `###` in the document
ENDS_EVERYTHING = 0  # a heading in HTML has no level: it ends every section, as the report check reads it
# A hidden comment; an unclosed one hides the rest, as on GitHub.
_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.DOTALL)
_BLANK_RUN = re.compile(r"\n[ \t]*\n(?:[ \t]*\n)+")
_ATX = re.compile(r"^( {0,3})#{1,6}(?=[ \t]|$)")


@dataclass(frozen=True)
class WrittenSection:
    """A template section as the body has it: its state, and its Markdown as written when it is filled in."""

    name: str
    state: str  # done, missing or unfilled
    markdown: str = ""
    level: int = 0  # its heading's level in the body


def after_action(state: IncidentState, config: Config, template: ReportTemplate, now: datetime) -> str:
    """The incident as one Markdown document: facts, roles, the report as written, timeline and durations."""
    if state.declared_at is None:
        raise ValueError("the issue is not a declared incident")
    issue = state.history.issue
    zone = config.working_hours.timezone
    retro = retrospective(state, config, now)
    lines = [f"# Incident #{issue.number}: {inline_text(issue.title)}", ""]
    lines += [*_facts(state, zone), "", "## Roles", "", *retro.roles, "", "## Report", ""]
    for section in written_sections(issue.body, template):
        lines += [f"### {inline_text(section.name)}", "", _section_text(section), ""]
    lines += ["## Timeline", "", fenced(incident_timeline(state, None, zone, CHART_BUDGET)), ""]
    lines += [*(retro.timeline or ("_Nothing recorded._",)), "", "## Durations", "", *retro.durations]
    return "\n".join(lines) + "\n"


def _facts(state: IncidentState, zone: str) -> list[str]:
    """The metadata list: state, severity, when it was reported, declared, resolved and closed, the issue."""
    marks = state.milestones
    facts = [f"- State: {state_name(state)}"]
    if state.severity:
        facts.append(f"- Severity: {inline_text(state.severity)}")
    if state.reported_at is not None:
        facts.append(f"- Reported: {stamp(state.reported_at, zone)}" + _by(state.reported_by))
    facts.append(f"- Declared: {stamp(state.declared_at, zone)}" + _by(state.declared_by))
    if marks.resolved:
        facts.append(f"- Resolved: {stamp(marks.resolved[-1], zone)}")
    if marks.reopened:
        facts.append(f"- Reopened: {len(marks.reopened)} time{'s' if len(marks.reopened) != 1 else ''}")
    if state.closed_at is not None:
        facts.append(f"- Closed: {stamp(state.closed_at, zone)}")
    facts.append(f"- Issue: {state.history.issue.html_url}")
    return facts


def _by(login: str | None) -> str:
    """' by @login', or nothing."""
    return f" by @{login}" if login else ""


def _section_text(section: WrittenSection) -> str:
    """A section's Markdown for the document, defused; or in italics why there is none."""
    if section.state == MISSING:
        return "_This section is missing from the report._"
    if section.state != DONE:
        return "_Not filled in._"
    return defuse(_demoted(section.markdown, section.level))


def written_sections(body: str | None, template: ReportTemplate) -> tuple[WrittenSection, ...]:
    """Each template section in template order, with the Markdown under the first heading that fills it."""
    lines = (body or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    found: dict[str, list[tuple[int, str]]] = {}
    for key, level, start, end in _spans(lines, {section_key(name) for name in template.sections}):
        text = _without_comments("\n".join(lines[start:end])).strip("\n")
        found.setdefault(key, []).append((level, text))
    sections = []
    for name in template.sections:
        written = found.get(section_key(name), [])
        filled = [(level, text) for level, text in written if fills_section(text, name, template)]
        if filled:
            sections.append(WrittenSection(name, DONE, filled[0][1], filled[0][0]))
        else:
            sections.append(WrittenSection(name, UNFILLED if written else MISSING))
    return tuple(sections)


def _spans(lines: list[str], wanted: set[str]) -> list[tuple[str, int, int, int]]:
    """(key, level, first line, end) of each top-level heading's content.

    It runs to the next heading of the same or a higher level, a heading in HTML, or the heading of another
    template section (which has its own place in the document).
    """
    heads: list[tuple[str, int, int, int]] = []
    for token in _parser().parse("\n".join(lines)):
        if token.level != 0 or not token.map:
            continue
        start, end = token.map
        if token.type == "heading_open":
            blocks = flatten("\n".join(lines[start:end]))
            heads.append((section_key(blocks[0].text) if blocks else "", int(token.tag[1:]), start, end))
        elif token.type == "html_block" and any(b.kind == "heading" for b in flatten(token.content)):
            heads.append(("", ENDS_EVERYTHING, start, end))
    spans = []
    for index, (key, level, _, end) in enumerate(heads):
        later = heads[index + 1 :]
        stop = next((s for k, lv, s, _ in later if lv <= level or k in wanted), len(lines))
        if key in wanted:
            spans.append((key, level, end, stop))
    return spans


def _without_comments(markdown: str) -> str:
    """The Markdown without its hidden comments and the blank runs they leave; code blocks kept as written."""
    lines = markdown.split("\n")
    code = _code_lines(_parser().parse(markdown))
    parts = []
    for in_code, group in itertools.groupby(enumerate(lines), key=lambda pair: pair[0] in code):
        text = "\n".join(line for _, line in group)
        parts.append(text if in_code else _BLANK_RUN.sub("\n\n", _COMMENT.sub("", text)))
    return "\n".join(parts)


def _code_lines(tokens: list[Token]) -> set[int]:
    """Indices of the lines inside fenced or indented code blocks."""
    return {i for t in tokens if t.type in ("fence", "code_block") and t.map for i in range(*t.map)}


def _demoted(markdown: str, level: int) -> str:
    """The section's own sub-headings below its `###` in the document, as deep as they were below it."""
    lines = markdown.split("\n")
    for token in _parser().parse(markdown):
        if token.type != "heading_open" or token.level != 0 or not token.map:
            continue
        depth = min(6, SECTION_LEVEL + max(int(token.tag[1:]) - level, 1))
        start, end = token.map
        if token.markup.startswith("#"):
            lines[start] = _ATX.sub(lambda m, d=depth: m[1] + "#" * d, lines[start], count=1)
        else:  # a setext heading (underlined) becomes an ATX one; the line count stays
            text = " ".join(line.strip() for line in lines[start : end - 1])
            lines[start:end] = ["#" * depth + " " + text, *[""] * (end - start - 1)]
    return "\n".join(lines)


@functools.cache
def _parser() -> MarkdownIt:
    """CommonMark with GitHub's tables, as the report check reads bodies."""
    return lazy.load("markdown_it").MarkdownIt("commonmark").enable(["table", "strikethrough"])
