"""The report draft: the report template with what the tool knows written into the sections that ask for it.

Which section receives what is decided from the template: a section holding the hidden line
`<!-- incident-ops-draft: timeline, roles, durations -->` (any of the three) receives those; otherwise a
heading that names a timeline receives the timeline, one that names roles, people or responders the roles,
and one that names durations or metrics the durations. What no section receives comes first, under its own
heading.
"""

from __future__ import annotations

import re

from incident_ops.core.actions import PostComment
from incident_ops.core.comments import keys
from incident_ops.core.comments.kinds import Kind
from incident_ops.core.context import Context
from incident_ops.core.pagerduty import link_lines
from incident_ops.core.report.check import read_template
from incident_ops.core.state import IncidentState
from incident_ops.core.text.markdown import without_front_matter
from incident_ops.core.views.retrospective import Retrospective, retrospective
from incident_ops.core.views.status import TIMELINE_FALLBACKS, UTC_NAMES

PARTS = ("timeline", "roles", "durations")
HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(?P<text>.*?)[ \t#]*$")
FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
ASKS = re.compile(r"<!--\s*incident-ops-draft:\s*(?P<parts>[a-z ,]+?)\s*-->")
BY_HEADING = {
    "timeline": re.compile(r"\btimeline\b", re.I),
    "roles": re.compile(r"\b(roles?|people|responders?)\b", re.I),
    "durations": re.compile(r"\b(durations?|metrics)\b", re.I),
}
TITLES = {"timeline": "Timeline", "roles": "Roles", "durations": "Durations"}
DRAFT_BUDGET = 60_000  # characters of a draft, within GitHub's 65,536 for the whole comment


def report_draft(template: str, known: Retrospective) -> str:
    """The template, front matter dropped, with the timeline, roles and durations in their sections."""
    sections = _sections(without_front_matter(template))
    receivers = _receivers(sections)
    lines: list[str] = []
    for part in PARTS:
        if part not in receivers:
            lines += [f"### {TITLES[part]}", "", *_lines(part, known), ""]
    for index, (heading, body) in enumerate(sections):
        kept = list(body)
        while kept and not kept[-1].strip():
            kept.pop()
        lines += [heading, *kept] if heading is not None else kept
        for part in PARTS:
            if receivers.get(part) == index:
                lines += ["", *_lines(part, known)]
        lines.append("")
    return "\n".join(lines).strip() + "\n"


def fence_for(text: str) -> str:
    """A code fence longer than any run of backticks in `text`."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    return "`" * max(4, longest + 1)


def _lines(part: str, known: Retrospective) -> tuple[str, ...]:
    """What the tool writes for one part."""
    return {"timeline": known.timeline, "roles": known.roles, "durations": known.durations}[part] or ("—",)


def _receivers(sections: list[tuple[str | None, list[str]]]) -> dict[str, int]:
    """Which section (by index) receives each part: one asking for it, else the first heading naming it."""
    found: dict[str, int] = {}
    for index, (_, body) in enumerate(sections):
        for asked in ASKS.finditer("\n".join(body)):
            for part in (p.strip() for p in asked["parts"].split(",")):
                if part in PARTS:
                    found.setdefault(part, index)
    for part, pattern in BY_HEADING.items():
        if part in found:
            continue
        index = next(
            (
                i
                for i, (heading, _) in enumerate(sections)
                if heading and pattern.search(_heading_text(heading))
            ),
            None,
        )
        if index is not None:
            found[part] = index
    return found


def _sections(text: str) -> list[tuple[str | None, list[str]]]:
    """The template's lines split at its headings (outside code fences); the first may have no heading."""
    sections: list[tuple[str | None, list[str]]] = [(None, [])]
    fence: str | None = None
    for line in text.splitlines():
        opened = FENCE.match(line)
        if fence is not None:
            fence = None if opened and opened.group(1).startswith(fence) else fence
        elif opened:
            fence = opened.group(1)
        elif HEADING.match(line):
            sections.append((line, []))
            continue
        sections[-1][1].append(line)
    return sections if sections[0][1] and any(x.strip() for x in sections[0][1]) else sections[1:]


def _heading_text(line: str) -> str:
    """A heading line's words."""
    found = HEADING.match(line)
    return found["text"] if found else line


def draft_comment(state: IncidentState, ctx: Context) -> PostComment | None:
    """The report draft a resolution owes (once per resolution: a reopen and a new one give a new draft)."""
    series = state.reminder_series or state.resolution_key
    if not state.resolved or state.closed or series is None:
        return None
    key = keys.report_draft(series)
    if state.keyed(key) is not None:
        return None
    template = ctx.report_template if ctx.report_template is not None else read_template(None).text
    for keep in (None, *TIMELINE_FALLBACKS):  # GitHub's limit: a long timeline is shortened, the rest kept
        draft = report_draft(template, retrospective(state, ctx.config, ctx.now, keep))
        if state.pagerduty is not None:  # kept when the draft replaces the description
            draft = f"{link_lines(state.pagerduty)}\n\n{draft}"
        if len(draft) <= DRAFT_BUDGET:
            break
    zone = ctx.config.working_hours.timezone
    body = ctx.renderer.render(
        Kind.REPORT_DRAFT,
        key,
        who=state.commander or state.steward,
        zone="UTC" if zone in UTC_NAMES else zone,
        draft=draft.rstrip("\n"),
        fence=fence_for(draft),
    )
    return PostComment(Kind.REPORT_DRAFT, key, body)
