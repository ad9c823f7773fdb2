"""The team's Markdown as HTML for the page: CommonMark without raw HTML, images, headings or unsafe links."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.token import Token

SAFE_SCHEMES = ("http://", "https://")
LINK_REL = "nofollow ugc noopener noreferrer"


@functools.cache
def _parser() -> MarkdownIt:
    """CommonMark with raw HTML shown as text, headings kept as plain lines, and only web links."""
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    # A heading in an update would break the page's outline: `# Title` stays a line of text.
    md.disable(["heading", "lheading"])
    md.validateLink = _web_link  # type: ignore[method-assign]
    md.add_render_rule("image", _image_as_alt_text)
    md.add_render_rule("link_open", _link_open)
    return md


def _web_link(url: str) -> bool:
    """Only absolute http and https links: no javascript:, data:, relative or protocol-relative ones."""
    return url.strip().lower().startswith(SAFE_SCHEMES)


def _image_as_alt_text(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    """An image is shown as its alt text: the page loads nothing from elsewhere."""
    return escapeHtml(self.renderInlineAsText(tokens[idx].children or [], options, env))


def _link_open(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    """A link that gives the target page neither ranking nor a handle on this one."""
    tokens[idx].attrSet("rel", LINK_REL)
    return self.renderToken(tokens, idx, options, env)


def to_html(text: str) -> str:
    """The team's text as an HTML fragment in which every character the team wrote is escaped."""
    return _parser().render(text)
