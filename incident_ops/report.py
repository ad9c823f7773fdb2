"""The incident-report template's sections and tasks, and how complete an issue body is."""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

from incident_ops.tickets import ticket_id

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

BUNDLED_TEMPLATE: Path = Path(__file__).parent / "bundled" / "3_incident-report.md"

DONE, MISSING, UNFILLED = "done", "missing", "unfilled"

# GitHub issue forms write `_No response_` for a field left empty; compared as plain text.
_NO_RESPONSE = "no response"
# Text inside an HTML block is parsed as Markdown again; a `<` that starts no tag (`<div` at a
# line's end) can bring back the same HTML block, so the nesting is capped.
_MAX_HTML_DEPTH = 3
_HTML_HEADINGS = frozenset({"summary", "h1", "h2", "h3", "h4", "h5", "h6"})
_HTML_BREAKS = frozenset({"br", "p", "div", "details", "li", "tr", "table", "ul", "ol", "pre"})
_HTML_ALT = re.compile(r"""\salt\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))""", re.IGNORECASE)
_HTML_SPECIAL = {"<!--": "-->", "<![CDATA[": "]]>", "<?": "?>", "<!": ">"}
_TICKET_LABEL = re.compile(r"support\s+ticket\s+ref(?:erence)?\b\s*:?\s*(.*)", re.IGNORECASE)


@functools.cache
def _markdown() -> MarkdownIt:
    """The CommonMark parser, loaded on first use: a run that checks no new body never needs it."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").enable(["table", "strikethrough"])


@functools.cache
def _html_tag() -> re.Pattern[str]:
    """An HTML open or close tag, attributes as CommonMark defines them."""
    from markdown_it.common import html_re

    return re.compile(rf"</?(?P<name>[A-Za-z][A-Za-z0-9-]*)(?:{html_re.attribute})*\s*/?>")


HTML_HEADING = 7


@dataclass(frozen=True)
class _Block:
    """A heading or a piece of content, flattened out of the Markdown token tree."""

    kind: str  # "heading" | "text" | "code" | "task"
    lines: tuple[str, ...]
    ticked: bool = False
    level: int = HTML_HEADING  # for headings: 1–6; headings found in HTML blocks end any section

    @property
    def text(self) -> str:
        """The block's plain text, whitespace folded; tasks keep their checkbox."""
        text = _fold(" ".join(self.lines))
        if self.kind == "task":
            return f"[{'x' if self.ticked else ' '}] {text}"
        return text


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
    blocks = _blocks(_strip_front_matter(_newlines(markdown)))
    names: dict[str, str] = {}
    texts: dict[str, str] = {}
    for heading, content in _split_sections(blocks):
        key = _normalise(heading.text)
        if key and key not in names:
            names[key] = _fold(heading.text).rstrip(":").rstrip()
            texts[key] = _section_text(content)
    tasks: dict[str, str] = {}
    for block in blocks:
        if block.kind == "task":
            tasks.setdefault(_task_key(block), _fold(" ".join(block.lines)))
    return ReportTemplate(tuple(names.values()), tuple(tasks.values()), MappingProxyType(texts))


def load_template(path: Path | None) -> ReportTemplate:
    """Load the report template at `path`, or the bundled one when `path` is None."""
    return read_template(path).parsed


def read_template(path: Path | None) -> TemplateSource:
    """Read the report template at `path`, or the bundled one when `path` is None."""
    return TemplateSource((path or BUNDLED_TEMPLATE).read_text(encoding="utf-8"))


def check_report(body: str | None, template: ReportTemplate) -> ReportCheck:
    """Check an issue body against the template's sections and tasks."""
    blocks = _blocks(_newlines(body or ""))
    found: dict[str, list[list[_Block]]] = {}
    for heading, content in _split_sections(blocks):
        found.setdefault(_normalise(heading.text), []).append(content)
    statuses = tuple(SectionStatus(name, _state(name, found, template)) for name in template.sections)
    ticked = {_task_key(b) for b in blocks if b.kind == "task" and b.ticked}
    unticked = tuple(task for task in template.tasks if _fold(task).casefold() not in ticked)
    return ReportCheck(statuses, unticked)


def format_check(check: ReportCheck) -> str:
    """The text `incident-ops check-report` prints: a line per problem, or that all is well."""
    problems = check.problems()
    return "\n".join(problems) if problems else "The incident report is complete."


def find_ticket_ref(body: str | None) -> str | None:
    """The FreshDesk ticket id from a `Support ticket ref: ID` line or form field, if any."""
    in_field = False
    for block in _blocks(_newlines(body or "")):
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


def _state(name: str, found: dict[str, list[list[_Block]]], template: ReportTemplate) -> str:
    """Missing without the heading; done when one occurrence holds more than placeholders."""
    key = _normalise(name)
    if key not in found:
        return MISSING
    own_text = template.section_text.get(key, "")
    return DONE if any(_filled(content, own_text) for content in found[key]) else UNFILLED


def _filled(content: list[_Block], own_text: str) -> bool:
    """Whether a section holds more than blank text, `_No response_` or the template's text."""
    if any(block.kind == "task" and block.ticked for block in content):
        return True
    text = _section_text(content).casefold()
    return bool(text) and text not in (_NO_RESPONSE, own_text.casefold())


def _split_sections(blocks: list[_Block]) -> list[tuple[_Block, list[_Block]]]:
    """Each heading with its content: everything up to the next heading of the same or a higher level."""
    sections: list[tuple[_Block, list[_Block]]] = []
    open_sections: list[tuple[_Block, list[_Block]]] = []
    for block in blocks:
        if block.kind == "heading":
            if block.level == HTML_HEADING:
                open_sections = []  # a heading in HTML has no level: it ends every section
            open_sections = [s for s in open_sections if s[0].level < block.level]
            for _, content in open_sections:
                content.append(block)  # a sub-heading and what follows belong to the section above
            section: tuple[_Block, list[_Block]] = (block, [])
            sections.append(section)
            open_sections.append(section)
        else:
            for _, content in open_sections:
                content.append(block)
    return sections


def _section_text(content: list[_Block]) -> str:
    """A section's content as one whitespace-folded string."""
    return _fold(" ".join(block.text for block in content))


def _blocks(markdown: str, depth: int = 0) -> list[_Block]:
    """Flatten Markdown into headings and content blocks, looking inside HTML blocks too."""
    tokens = _markdown().parse(markdown)
    blocks: list[_Block] = []
    for i, token in enumerate(tokens):
        if token.type == "inline":
            if i and tokens[i - 1].type == "heading_open":
                level = int(tokens[i - 1].tag[1:])
                blocks.append(_Block("heading", _inline_lines(token, hrefs=False), level=level))
            else:
                opened = [t.type for t in tokens[max(i - 2, 0) : i]]
                blocks.append(_content_block(token, opened == ["list_item_open", "paragraph_open"]))
        elif token.type in ("fence", "code_block"):
            blocks.append(_Block("code", tuple(token.content.splitlines())))
        elif token.type == "html_block" and depth < _MAX_HTML_DEPTH:
            for is_heading, text in _split_html(token.content):
                if is_heading:
                    heading = _inline_lines(_markdown().parseInline(text)[0], hrefs=False)
                    blocks.append(_Block("heading", heading))
                else:
                    blocks.extend(_blocks(text, depth + 1))
    return blocks


def _content_block(token: Token, starts_item: bool) -> _Block:
    """A paragraph or table cell; a task when it opens a list item with `[ ]` or `[x]`."""
    lines = _inline_lines(token)
    if starts_item and lines:
        marker, rest = lines[0][:3], lines[0][3:]
        # Check the source too, so an escaped `\[x]` is not taken for a checkbox.
        is_box = marker.lower() in ("[ ]", "[x]") and token.content.startswith(marker)
        if is_box and rest[:1].isspace() and (rest.strip() or len(lines) > 1):
            return _Block("task", (rest.strip(), *lines[1:]), ticked=marker != "[ ]")
    return _Block("text", lines)


def _inline_lines(token: Token, hrefs: bool = True) -> tuple[str, ...]:
    """The plain text of an inline token, line by line, with link targets unless `hrefs` is off."""
    lines = [""]
    link: tuple[str, int, int] | None = None  # href, line and column where the link text starts
    for child in token.children or []:
        if child.type in ("text", "code_inline"):
            lines[-1] += child.content
        elif child.type in ("softbreak", "hardbreak"):
            lines.append("")
        elif child.type == "image":
            lines[-1] += child.content or str(child.attrGet("src") or "")
        elif child.type == "link_open":
            link = (str(child.attrGet("href") or ""), len(lines) - 1, len(lines[-1]))
        elif child.type == "link_close" and link:
            href, line, column = link
            text = " ".join([lines[line][column:], *lines[line + 1 :]]).strip()
            if hrefs and href and href not in (text, f"mailto:{text}"):
                lines[-1] += f" ({href})"
            link = None
        elif child.type == "html_inline":
            lines[-1] += " ".join(text for _, text in _split_html(child.content))
    return tuple(line.strip() for line in lines)


def _split_html(html: str) -> list[tuple[bool, str]]:
    """HTML as (is_heading, text) parts in document order; tags and comments dropped."""
    parts: list[tuple[bool, str]] = []
    text: list[str] = []
    heading: list[str] | None = None
    absent: set[str] = set()  # terminators known not to occur again: keeps the scan linear

    def flush() -> None:
        """End the open heading or the running text."""
        nonlocal heading
        if heading is not None:
            parts.append((True, "".join(heading).strip()))
            heading = None
        elif "".join(text).strip():
            parts.append((False, "".join(text)))
        text.clear()

    def write(chunk: str) -> None:
        """Add text to the open heading, or to the running text."""
        (text if heading is None else heading).append(chunk)

    pos = 0
    while (start := html.find("<", pos)) != -1:
        write(html[pos:start])
        pos = start + 1
        if tag := _html_tag().match(html, start):
            pos = tag.end()
            name = tag.group("name").lower()
            if name in _HTML_HEADINGS:
                flush()
                heading = None if tag.group().startswith("</") else []
            elif name == "img":
                alt = _HTML_ALT.search(tag.group())
                write(f" {alt and ''.join(g for g in alt.groups() if g) or 'image'} ")
            elif name in _HTML_BREAKS:
                write("\n")
            continue
        opener = next((o for o in _HTML_SPECIAL if html.startswith(o, start)), None)
        if opener is None:
            write("<")
            continue
        closer = _HTML_SPECIAL[opener]
        end = -1 if closer in absent else html.find(closer, start + 2)
        if end != -1:
            pos = end + len(closer)
        elif opener == "<!--":
            pos = len(html)  # an unclosed comment hides the rest of the block
        else:
            absent.add(closer)
            write("<")
    write(html[pos:])
    flush()
    return parts


def _task_key(block: _Block) -> str:
    """How tasks are matched: plain text, whitespace folded, case ignored."""
    return _fold(" ".join(block.lines)).casefold()


def _normalise(heading: str) -> str:
    """How headings are matched: whitespace folded, case and a trailing colon ignored."""
    return _fold(heading).rstrip(":").rstrip().casefold()


def _fold(text: str) -> str:
    """Collapse runs of whitespace to single spaces and trim the ends."""
    return " ".join(text.split())


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
