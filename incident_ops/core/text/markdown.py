"""Markdown flattened into headings, text, code and task blocks, looking inside HTML blocks too."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from incident_ops import lazy

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

# Text inside an HTML block is parsed as Markdown again; a `<` that starts no tag (`<div` at a
# line's end) can bring back the same HTML block, so the nesting is capped.
_MAX_HTML_DEPTH = 3
_HTML_HEADINGS = frozenset({"summary", "h1", "h2", "h3", "h4", "h5", "h6"})
_HTML_BREAKS = frozenset({"br", "p", "div", "details", "li", "tr", "table", "ul", "ol", "pre"})
_HTML_ALT = re.compile(r"""\salt\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))""", re.IGNORECASE)
_HTML_SPECIAL = {"<!--": "-->", "<![CDATA[": "]]>", "<?": "?>", "<!": ">"}


@functools.cache
def _markdown() -> MarkdownIt:
    """The CommonMark parser, loaded on first use: a run that checks no new body never needs it."""
    return lazy.load("markdown_it").MarkdownIt("commonmark").enable(["table", "strikethrough"])


@functools.cache
def _html_tag() -> re.Pattern[str]:
    """An HTML open or close tag, attributes as CommonMark defines them."""
    html_re = lazy.load("markdown_it.common.html_re")
    return re.compile(rf"</?(?P<name>[A-Za-z][A-Za-z0-9-]*)(?:{html_re.attribute})*\s*/?>")


HTML_HEADING = 7


@dataclass(frozen=True)
class Block:
    """A heading or a piece of content, flattened out of the Markdown token tree."""

    kind: str  # "heading" | "text" | "code" | "task"
    lines: tuple[str, ...]
    ticked: bool = False
    level: int = HTML_HEADING  # for headings: 1–6; headings found in HTML blocks end any section

    @property
    def text(self) -> str:
        """The block's plain text, whitespace squeezed; tasks keep their checkbox."""
        text = squeeze_spaces(" ".join(self.lines))
        if self.kind == "task":
            return f"[{'x' if self.ticked else ' '}] {text}"
        return text


def without_front_matter(text: str) -> str:
    """Markdown without an issue template's YAML front matter (GitHub drops it only in a template's issue)."""
    if text.startswith("---\n"):
        end = text.find("\n---", 4)
        if end != -1:
            return text[end + 4 :].lstrip("\n")
    return text


def squeeze_spaces(text: str) -> str:
    """Collapse runs of whitespace to single spaces and trim the ends."""
    return " ".join(text.split())


def flatten(markdown: str, depth: int = 0) -> list[Block]:
    """Flatten Markdown into headings and content blocks, looking inside HTML blocks too."""
    tokens = _markdown().parse(markdown)
    blocks: list[Block] = []
    for i, token in enumerate(tokens):
        if token.type == "inline":
            if i and tokens[i - 1].type == "heading_open":
                level = int(tokens[i - 1].tag[1:])
                blocks.append(Block("heading", _inline_lines(token, hrefs=False), level=level))
            else:
                opened = [t.type for t in tokens[max(i - 2, 0) : i]]
                blocks.append(_content_block(token, opened == ["list_item_open", "paragraph_open"]))
        elif token.type in ("fence", "code_block"):
            blocks.append(Block("code", tuple(token.content.splitlines())))
        elif token.type == "html_block" and depth < _MAX_HTML_DEPTH:
            for is_heading, text in _split_html(token.content):
                if is_heading:
                    heading = _inline_lines(_markdown().parseInline(text)[0], hrefs=False)
                    blocks.append(Block("heading", heading))
                else:
                    blocks.extend(flatten(text, depth + 1))
    return blocks


def _content_block(token: Token, starts_item: bool) -> Block:
    """A paragraph or table cell; a task when it opens a list item with `[ ]` or `[x]`."""
    lines = _inline_lines(token)
    if starts_item and lines:
        marker, rest = lines[0][:3], lines[0][3:]
        # Check the source too, so an escaped `\[x]` is not taken for a checkbox.
        is_box = marker.lower() in ("[ ]", "[x]") and token.content.startswith(marker)
        if is_box and rest[:1].isspace() and (rest.strip() or len(lines) > 1):
            return Block("task", (rest.strip(), *lines[1:]), ticked=marker != "[ ]")
    return Block("text", lines)


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
