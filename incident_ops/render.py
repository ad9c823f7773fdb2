"""Sandboxed Jinja2 rendering of the tool's comments; user text only ever enters as data."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, StrictUndefined, TemplateError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from incident_ops.markers import KINDS, marker_lines

MAX_COMMENT = 65536  # GitHub rejects longer comment bodies


class TemplateProblem(Exception):
    """A message template (bundled or from templates_dir) failed to render."""


def _when(value: datetime | None) -> str:
    """A timestamp for people: 2026-03-02 09:30 UTC."""
    if value is None:
        return "—"
    return value.strftime("%Y-%m-%d %H:%M UTC")


def _who(login: str | None, fallback: str = "nobody yet") -> str:
    """@login, or a fallback phrase."""
    return f"@{login}" if login else fallback


class _FolderLoader(FileSystemLoader):
    """Loads custom templates from one folder, refusing links and anything that resolves outside it."""

    def __init__(self, folder: Path) -> None:
        super().__init__(str(folder))
        self._root = folder.resolve()

    def get_source(self, environment: Any, template: str) -> tuple[str, str | None, Any]:
        """The template's source, when it is a plain file inside the folder."""
        source, filename, uptodate = super().get_source(environment, template)
        path = Path(filename or "")
        # A link could post any file the runner can read (its environment, say) into a public comment.
        if path.is_symlink() or not path.resolve().is_relative_to(self._root):
            raise TemplateError(f"{template} is a link or lies outside templates_dir; use a plain file")
        return source, filename, uptodate


class Renderer:
    """Renders comment templates by kind, bundled ones overridable from a folder."""

    def __init__(self, templates_dir: Path | None = None) -> None:
        self._custom = templates_dir
        loaders: list[Any] = [PackageLoader("incident_ops", "templates")]
        if templates_dir is not None:
            loaders.insert(0, _FolderLoader(templates_dir))
        self._env = ImmutableSandboxedEnvironment(
            loader=ChoiceLoader(loaders),
            undefined=StrictUndefined,
            autoescape=False,
            keep_trailing_newline=True,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self._env.filters["when"] = _when
        self._env.filters["who"] = _who

    def check(self) -> None:
        """Compile the custom templates now, so a broken one stops the run before any write."""
        if self._custom is None:
            return  # the bundled templates are checked by the test suite
        for kind in (kind for kind in KINDS if (self._custom / f"{kind}.md.j2").exists()):
            try:
                self._env.get_template(f"{kind}.md.j2")
            except TemplateError as error:
                raise TemplateProblem(f"template {kind}.md.j2: {error}") from error

    def render(self, kind: str, key: str, **context: Any) -> str:
        """The body of a `kind` comment answering `key`, marker included, within GitHub's size limit."""
        marker = marker_lines(kind, key)
        try:
            text = self._env.get_template(f"{kind}.md.j2").render(marker=marker, **context)
        except TemplateError as error:
            raise TemplateProblem(f"template {kind}.md.j2: {error}") from error
        if not text.lstrip().startswith(marker):
            # The marker must open the comment, or the tool would not know its own comment again.
            text = f"{marker}\n{text.replace(marker, '')}"
        return _fit(text.strip() + "\n")


def _fit(text: str) -> str:
    """Cut an over-long body to GitHub's limit, saying so."""
    if len(text) <= MAX_COMMENT:
        return text
    note = "\n\n*(shortened to fit GitHub's comment size limit)*\n"
    return text[: MAX_COMMENT - len(note)] + note
