"""Before a config is used: what `validate-config` checks, so that a config it accepts makes no run fail.

The report template is read; the files of `templates_dir` must each override a message; every template is
rendered, as the tool renders it, for sample incidents at every severity level that between them write every
kind of message; a custom template may use only the variables the tool gives it. Then the warnings: what the
config stops nothing of, but defeats.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from incident_ops.cli.sample_incidents import REPORTER, STRANGER, TEAM, samples
from incident_ops.config.types import Config
from incident_ops.config.warnings import config_warnings
from incident_ops.core.comments.cache import StatusCache
from incident_ops.core.comments.kinds import KINDS
from incident_ops.core.comments.render import Renderer, TemplateProblem
from incident_ops.core.context import Context
from incident_ops.core.history.fold import fold
from incident_ops.core.history.roles import KnownRoles
from incident_ops.core.planning.plan import plan
from incident_ops.core.planning.timers import clocks
from incident_ops.core.report.check import TemplateSource, read_template
from incident_ops.core.views.report_draft import draft_comment
from incident_ops.core.views.status import status_body
from incident_ops.core.workhours import WorkCalendar

TEMPLATE_NAMES = tuple(f"{kind}.md.j2" for kind in KINDS)
SAMPLE_ROLES = {login: True for login in TEAM} | {STRANGER: False, REPORTER: False, "sample-expert": False}


@dataclass
class Findings:
    """What stops a config (problems, each naming its key or file) and what it defeats (warnings)."""

    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


class RecordingRenderer(Renderer):
    """A renderer that notes the variables the tool gives each kind of message."""

    def __init__(self, templates_dir: Path | None, shown_as: str | None) -> None:
        super().__init__(templates_dir, shown_as)
        self.given: dict[str, set[str]] = {}

    def render(self, kind: str, key: str, facts: dict[str, str | None] | None = None, **context: Any) -> str:
        """Render as the tool does, noting the variables."""
        self.given.setdefault(kind, {"marker"}).update(context)
        return super().render(kind, key, facts, **context)


def preflight(config: Config, workspace: Path, warnings: bool = True) -> Findings:
    """Every problem that would make a run fail on this config, and (with `warnings`) what it defeats."""
    found = Findings()
    template = _report_template(config, workspace, found)
    folder = workspace / config.templates_dir if config.templates_dir else None
    if folder is not None:
        found.problems += _stray_files(folder, config.templates_dir or "")
    renderer = RecordingRenderer(folder, config.templates_dir)
    if template is not None:
        found.problems += _follow_ups_section(config, template)
        found.problems += _rendered(config, renderer, template)
    if folder is not None and not found.problems:
        found.problems += _unknown_variables(folder, config.templates_dir or "", renderer)
    if warnings:
        found.warnings = config_warnings(config, workspace)
    return found


def _follow_ups_section(config: Config, template: TemplateSource) -> list[str]:
    """A follow_ups.section that names no heading of the report template would never find an item."""
    section = config.follow_ups.section
    headings = template.parsed.sections
    if section is None or section.casefold() in (heading.casefold() for heading in headings):
        return []
    names = ", ".join(repr(heading) for heading in headings)
    return [f"follow_ups.section: {section!r} is not a heading of the report template (it has {names})"]


def _report_template(config: Config, workspace: Path, found: Findings) -> TemplateSource | None:
    """The report template in use, or None after naming why it cannot be used."""
    path = workspace / config.report.template if config.report.template else None
    try:
        template = read_template(path)
    except UnicodeDecodeError as error:
        found.problems.append(f"report.template: {path} is not UTF-8 text (byte {error.start})")
        return None
    except OSError as error:
        found.problems.append(f"report.template: cannot read {path} ({error.strerror or error})")
        return None
    if not template.parsed.sections:
        found.problems.append(
            f"report.template: {path} has no heading; its headings are the sections a report must fill in"
        )
        return None
    return template


def _stray_files(folder: Path, shown_as: str) -> list[str]:
    """Files in templates_dir that override no message (a misspelt name is never used)."""
    problems = []
    for path in sorted(p for p in folder.iterdir() if p.is_file() and p.name not in TEMPLATE_NAMES):
        close = difflib.get_close_matches(path.name, TEMPLATE_NAMES, n=1, cutoff=0.6)
        hint = f"did you mean {close[0]}?" if close else f"the names are {', '.join(TEMPLATE_NAMES)}"
        problems.append(f"templates_dir: {shown_as}/{path.name} overrides no message ({hint})")
    return problems


def _rendered(config: Config, renderer: Renderer, template: TemplateSource) -> list[str]:
    """Render every message the sample incidents call for; each template problem once."""
    wh = config.working_hours
    calendar = WorkCalendar(wh.timezone, wh.days, wh.start, wh.end, wh.holidays, wh.country, wh.subdivision)
    problems: dict[str, None] = {}
    for sample in samples(config, template.parsed):
        state = fold(
            sample.history,
            config.incident_label,
            KnownRoles(SAMPLE_ROLES),
            template=template,
            severities=config.severity,
            pagerduty_now=sample.pagerduty,
            follow_ups=(),
        )
        try:
            context = Context(config, calendar, renderer, sample.now, template.text)
            plan(state, context)
            draft_comment(state, context)
            status_body(state, clocks(state, config, calendar), config, renderer, StatusCache(), None)
        except TemplateProblem as problem:
            problems[f"templates_dir: {problem}"] = None
    return list(problems)


def _unknown_variables(folder: Path, shown_as: str, renderer: RecordingRenderer) -> list[str]:
    """Variables a custom template uses that the tool never gives it (in a branch no sample took)."""
    given = renderer.given
    problems = []
    for kind, names in sorted(given.items()):
        path = folder / f"{kind}.md.j2"
        if not path.is_file():
            continue
        source = path.read_text(encoding="utf-8")
        used = renderer.variables_used(source)
        for name in sorted(used - names):
            line = next(
                (n for n, text in enumerate(source.splitlines(), 1) if re.search(rf"\b{name}\b", text)), 0
            )
            known = ", ".join(sorted(names))
            problems.append(
                f"templates_dir: template {shown_as}/{path.name}, line {line}: '{name}' is undefined "
                f"(the {kind} template is given: {known})"
            )
    return problems
