"""The incident-report template's sections and tasks, and how complete an issue body is."""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from incident_ops.core.report.tickets import ticket_id
from incident_ops.core.text.markdown import HTML_HEADING, Block, flatten, squeeze_spaces

BUNDLED_TEMPLATE: Path = Path(__file__).parents[2] / "bundled" / "3_incident-report.md"

DONE, MISSING, UNFILLED = "done", "missing", "unfilled"

# GitHub issue forms write `_No response_` for a field left empty; compared as plain text.
_NO_RESPONSE = "no response"
_TICKET_LABEL = re.compile(r"support\s+ticket\s+ref(?:erence)?\b\s*:?\s*(.*)", re.IGNORECASE)


@dataclass(frozen=True)
class ReportTemplate:
    """The required sections and tasks of a report template."""

    sections: tuple[str, ...]
    tasks: tuple[str, ...]
    section_text: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True)
class TemplateSource:
    """A report template's text, parsed only when an issue body must be checked against it."""

    text: str

    @functools.cached_property
    def parsed(self) -> ReportTemplate:
        """The template's sections and tasks."""
        return parse_template(self.text)


@dataclass(frozen=True)
class SectionStatus:
    """One required section and whether the body fills it in: done, missing or unfilled."""

    name: str
    state: str


@dataclass(frozen=True)
class ReportCheck:
    """How an issue body measures up against a report template."""

    sections: tuple[SectionStatus, ...]
    unticked_tasks: tuple[str, ...]

    @property
    def complete(self) -> bool:
        """True when every section is filled in and every task is ticked."""
        return not self.unticked_tasks and all(s.state == DONE for s in self.sections)

    def problems(self) -> list[str]:
        """One human-readable line per missing or unfilled section and unticked task."""
        lines = []
        for section in self.sections:
            if section.state == MISSING:
                lines.append(f"Missing section: {section.name}")
            elif section.state == UNFILLED:
                lines.append(f"Section not filled in: {section.name}")
        lines.extend(f"Task not ticked: {task}" for task in self.unticked_tasks)
        return lines


def parse_template(markdown: str) -> ReportTemplate:
    """Read the required sections, tasks and placeholder text from a report template."""
    blocks = flatten(_strip_front_matter(_newlines(markdown)))
    names: dict[str, str] = {}
    texts: dict[str, str] = {}
    for heading, content in _split_sections(blocks):
        key = _normalise(heading.text)
        if key and key not in names:
            names[key] = squeeze_spaces(heading.text).rstrip(":").rstrip()
            texts[key] = _section_text(content)
    tasks: dict[str, str] = {}
    for block in blocks:
        if block.kind == "task":
            tasks.setdefault(_task_key(block), squeeze_spaces(" ".join(block.lines)))
    return ReportTemplate(tuple(names.values()), tuple(tasks.values()), MappingProxyType(texts))


def load_template(path: Path | None) -> ReportTemplate:
    """Load the report template at `path`, or the bundled one when `path` is None."""
    return read_template(path).parsed


def read_template(path: Path | None) -> TemplateSource:
    """Read the report template at `path`, or the bundled one when `path` is None."""
    return TemplateSource((path or BUNDLED_TEMPLATE).read_text(encoding="utf-8"))


def check_report(body: str | None, template: ReportTemplate) -> ReportCheck:
    """Check an issue body against the template's sections and tasks."""
    blocks = flatten(_newlines(body or ""))
    found: dict[str, list[list[Block]]] = {}
    for heading, content in _split_sections(blocks):
        found.setdefault(_normalise(heading.text), []).append(content)
    statuses = tuple(SectionStatus(name, _state(name, found, template)) for name in template.sections)
    ticked = {_task_key(b) for b in blocks if b.kind == "task" and b.ticked}
    unticked = tuple(task for task in template.tasks if squeeze_spaces(task).casefold() not in ticked)
    return ReportCheck(statuses, unticked)


def section_key(heading: str) -> str:
    """How a heading is matched to a template section: spaces squeezed, case and a trailing colon ignored."""
    return _normalise(heading)


def blocks_under(markdown: str | None, name: str) -> list[Block]:
    """The blocks under every heading of the body called `name` (sub-sections included), as `check_report`
    reads sections."""
    key = _normalise(name)
    sections = _split_sections(flatten(_newlines(markdown or "")))
    return [block for heading, content in sections if _normalise(heading.text) == key for block in content]


def fills_section(markdown: str, name: str, template: ReportTemplate) -> bool:
    """Whether Markdown written under section `name` fills it in, as `check_report` decides."""
    return _filled(flatten(_newlines(markdown)), template.section_text.get(_normalise(name), ""))


def format_check(check: ReportCheck) -> str:
    """The text `incident-ops check-report` prints: a line per problem, or that all is well."""
    problems = check.problems()
    return "\n".join(problems) if problems else "The incident report is complete."


def find_ticket_ref(body: str | None) -> str | None:
    """The FreshDesk ticket id from a `Support ticket ref: ID` line or form field, if any."""
    in_field = False
    for block in flatten(_newlines(body or "")):
        if block.kind == "heading":
            in_field = _normalise(block.text) in ("support ticket ref", "support ticket reference")
            continue
        if block.kind == "code":
            in_field = False
            continue
        candidates = [m.group(1) for line in block.lines if (m := _TICKET_LABEL.fullmatch(line))]
        if in_field and block.lines:
            candidates.append(block.lines[0])
        in_field = False
        for value in candidates:
            if ticket := _ticket_in(value):
                return ticket
    return None


def _ticket_in(value: str) -> str | None:
    """The ticket a field value starts with (`123`, `#123`), or the first FreshDesk ticket URL in it."""
    words = [word.strip("()<>[].,;") for word in value.split()]
    for index, word in enumerate(words):
        if (index == 0 or "/" in word) and (ticket := ticket_id(word)):
            return ticket
    return None


def _state(name: str, found: dict[str, list[list[Block]]], template: ReportTemplate) -> str:
    """Missing without the heading; done when one occurrence holds more than placeholders."""
    key = _normalise(name)
    if key not in found:
        return MISSING
    own_text = template.section_text.get(key, "")
    return DONE if any(_filled(content, own_text) for content in found[key]) else UNFILLED


def _filled(content: list[Block], own_text: str) -> bool:
    """Whether a section holds more than blank text, `_No response_` or the template's text."""
    if any(block.kind == "task" and block.ticked for block in content):
        return True
    text = _section_text(content).casefold()
    return bool(text) and text not in (_NO_RESPONSE, own_text.casefold())


def _split_sections(blocks: list[Block]) -> list[tuple[Block, list[Block]]]:
    """Each heading with its content: everything up to the next heading of the same or a higher level."""
    sections: list[tuple[Block, list[Block]]] = []
    open_sections: list[tuple[Block, list[Block]]] = []
    for block in blocks:
        if block.kind == "heading":
            if block.level == HTML_HEADING:
                open_sections = []  # a heading in HTML has no level: it ends every section
            open_sections = [s for s in open_sections if s[0].level < block.level]
            for _, content in open_sections:
                content.append(block)  # a sub-heading and what follows belong to the section above
            section: tuple[Block, list[Block]] = (block, [])
            sections.append(section)
            open_sections.append(section)
        else:
            for _, content in open_sections:
                content.append(block)
    return sections


def _section_text(content: list[Block]) -> str:
    """A section's content as one string, whitespace squeezed."""
    return squeeze_spaces(" ".join(block.text for block in content))


def _task_key(block: Block) -> str:
    """How tasks are matched: plain text, whitespace squeezed, case ignored."""
    return squeeze_spaces(" ".join(block.lines)).casefold()


def _normalise(heading: str) -> str:
    """How headings are matched: whitespace squeezed, case and a trailing colon ignored."""
    return squeeze_spaces(heading).rstrip(":").rstrip().casefold()


def _newlines(text: str) -> str:
    """Normalise CRLF and CR line endings to LF."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _strip_front_matter(text: str) -> str:
    """Drop a leading YAML front-matter block (`---` … `---`)."""
    lines = text.removeprefix("\ufeff").split("\n")
    if lines[0].rstrip() != "---":
        return text
    for i, line in enumerate(lines[1:], start=1):
        if line.rstrip() in ("---", "..."):
            return "\n".join(lines[i + 1 :])
    return text
