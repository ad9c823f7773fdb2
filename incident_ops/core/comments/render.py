"""Sandboxed Jinja2 rendering of the tool's comments; user text only ever enters as data."""

from __future__ import annotations

import contextlib
import functools
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from incident_ops import lazy
from incident_ops.core.comments.keys import Key
from incident_ops.core.comments.kinds import KINDS
from incident_ops.core.comments.markers import marker_lines
from incident_ops.core.text.digests import digest

if TYPE_CHECKING:
    from jinja2.sandbox import ImmutableSandboxedEnvironment

MAX_COMMENT = 65536  # GitHub rejects longer comment bodies
# Raised by hand whenever the bundled templates or the code that fills them draw a comment differently: an
# upgrade that changes nothing visible must not re-edit every open incident's status comment.
RENDERING_VERSION = 2


class TemplateProblem(Exception):
    """A message template (bundled or from templates_dir) failed to render: where, and why."""

    def __init__(self, file: str, line: int | None, why: str) -> None:
        super().__init__(f"template {file}" + (f", line {line}" if line else "") + f": {why}")
        self.file, self.line, self.why = file, line, why


def _problem(error: Exception, name: str, folder: Path | None, shown_as: str) -> TemplateProblem:
    """Where in which template file an error of Jinja2's arose (its traceback runs through the template)."""
    file, line = getattr(error, "filename", None), getattr(error, "lineno", None)
    trace = error.__traceback__
    while trace is not None and line is None:
        where = trace.tb_frame.f_code.co_filename
        if where.endswith(name):
            file, line = where, trace.tb_lineno
        trace = trace.tb_next
    custom = folder is not None and file is not None and Path(file).is_relative_to(folder)
    return TemplateProblem(f"{shown_as}/{name}" if custom else f"{name} (bundled)", line, str(error))


def _when(value: datetime | None) -> str:
    """A timestamp for people: 2026-03-02 09:30 UTC."""
    if value is None:
        return "—"
    return value.strftime("%Y-%m-%d %H:%M UTC")


def _who(login: str | None, fallback: str = "nobody yet") -> str:
    """@login, or a fallback phrase."""
    return f"@{login}" if login else fallback


def _folder_loader(folder: Path) -> Any:
    """A loader of custom templates from one folder that refuses links and anything outside it."""
    jinja2 = lazy.load("jinja2")
    TemplateError = jinja2.TemplateError  # noqa: N806 - the library's name

    class FolderLoader(jinja2.FileSystemLoader):
        """Loads plain files inside the folder only."""

        def get_source(self, environment: Any, template: str) -> tuple[str, str | None, Any]:
            """The template's source, when it is a plain file inside the folder."""
            source, filename, uptodate = super().get_source(environment, template)
            path = Path(filename or "")
            # A link could post any file the runner can read (its environment, say) into a public comment.
            if path.is_symlink() or not path.resolve().is_relative_to(folder.resolve()):
                raise TemplateError(f"{template} is a link or lies outside templates_dir; use a plain file")
            return source, filename, uptodate

    return FolderLoader(str(folder))


class Renderer:
    """Renders comment templates by kind, bundled ones overridable from a folder."""

    def __init__(self, templates_dir: Path | None = None, shown_as: str | None = None) -> None:
        self._custom = templates_dir
        self._shown_as = shown_as or (str(templates_dir) if templates_dir else "")  # as the config names it

    @functools.cached_property
    def _env(self) -> ImmutableSandboxedEnvironment:
        """The sandboxed environment, built on first use: a run that renders nothing never loads Jinja2."""
        jinja2 = lazy.load("jinja2")
        sandbox = lazy.load("jinja2.sandbox")

        loaders: list[Any] = [jinja2.PackageLoader("incident_ops", "templates")]
        if self._custom is not None:
            loaders.insert(0, _folder_loader(self._custom))
        env = sandbox.ImmutableSandboxedEnvironment(
            loader=jinja2.ChoiceLoader(loaders),
            undefined=jinja2.StrictUndefined,
            autoescape=False,
            keep_trailing_newline=True,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        env.filters["when"] = _when
        env.filters["who"] = _who
        return env

    @functools.cached_property
    def fingerprint(self) -> str:
        """What the status comment is drawn with: the rendering's version and the custom templates.

        A new release redraws nothing unless it raises RENDERING_VERSION (its bundled templates' digest is
        checked against the version by the tests). Custom templates count when they are plain `.j2` files
        directly in the folder, the only ones the loader would give a comment.
        """
        parts = [f"rendering {RENDERING_VERSION}"]
        files = (
            sorted(self._custom.glob("*.j2")) if self._custom is not None and self._custom.is_dir() else []
        )
        for path in (p for p in files if p.is_file() and not p.is_symlink()):
            with contextlib.suppress(OSError, UnicodeDecodeError):  # such a template fails when rendered
                parts.append(f"{path.name}\n{path.read_text(encoding='utf-8')}")
        return digest(*parts)

    def check(self) -> None:
        """Compile the custom templates now, so a broken one stops the run before any write."""
        if self._custom is None:
            return  # the bundled templates are checked by the test suite
        TemplateError = lazy.load("jinja2").TemplateError  # noqa: N806 - the library's name

        for kind in (kind for kind in KINDS if (self._custom / f"{kind}.md.j2").exists()):
            try:
                self._env.get_template(f"{kind}.md.j2")
            except TemplateError as error:
                raise _problem(error, f"{kind}.md.j2", self._custom, self._shown_as) from error

    def variables_used(self, source: str) -> set[str]:
        """The variables a template's source takes from its caller (those it does not set itself)."""
        return set(lazy.load("jinja2.meta").find_undeclared_variables(self._env.parse(source)))

    def render(
        self, kind: str, key: Key | str, facts: dict[str, str | None] | None = None, **context: Any
    ) -> str:
        """The body of a `kind` comment answering `key`, marker and facts included, within GitHub's limit."""
        TemplateError = lazy.load("jinja2").TemplateError  # noqa: N806 - the library's name

        marker = marker_lines(kind, str(key), **(facts or {}))
        try:
            text = self._env.get_template(f"{kind}.md.j2").render(marker=marker, **context)
        except (TemplateError, ArithmeticError, LookupError, TypeError, ValueError) as error:
            # A template's own expressions can fail like any code (a division by zero, a bad index).
            problem = _problem(error, f"{kind}.md.j2", self._custom, self._shown_as)
            if isinstance(error, lazy.load("jinja2").UndefinedError):
                given = ", ".join(sorted({"marker", *context}))
                problem = TemplateProblem(
                    problem.file, problem.line, f"{problem.why} (the {kind} template is given: {given})"
                )
            raise problem from error
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
