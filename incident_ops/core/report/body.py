"""The issue body checked against the report template, remembered between runs by a digest of both."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from incident_ops.core.report.check import (
    DONE,
    MISSING,
    UNFILLED,
    ReportCheck,
    SectionStatus,
    TemplateSource,
    check_report,
    find_ticket_ref,
)
from incident_ops.core.text.digests import digest

STATES = frozenset({DONE, MISSING, UNFILLED})
REPORT_CHECK_VERSION = 1  # raised by hand when the check reads a body differently: remembered checks then go


@dataclass(frozen=True)
class BodyCheck:
    """What the body says: how complete the report is and which ticket it names, for one digest."""

    digest: str
    report: ReportCheck
    ticket: str | None


def check_body(body: str | None, template: TemplateSource, remembered: BodyCheck | None) -> BodyCheck:
    """The body's check: `remembered` when the body and template are those it was made from."""
    key = _digest(body or "", template.text)
    if remembered is not None and remembered.digest == key:
        return remembered
    return _checked(body or "", template, key)


@functools.lru_cache(maxsize=16)
def _checked(body: str, template: TemplateSource, key: str) -> BodyCheck:
    """Parse the body (the one step that needs markdown-it)."""
    return BodyCheck(key, check_report(body, template.parsed), find_ticket_ref(body))


def _digest(body: str, template: str) -> str:
    """A digest of a body and a template, for this version of the checks."""
    return digest(f"report check {REPORT_CHECK_VERSION}", template, body)


def body_check_data(check: BodyCheck) -> dict[str, Any]:
    """The check as JSON-ready data for the status comment's cache."""
    return {
        "digest": check.digest,
        "sections": [[s.name, s.state] for s in check.report.sections],
        "unticked": list(check.report.unticked_tasks),
        "ticket": check.ticket,
    }


def body_check_from(data: object) -> BodyCheck | None:
    """The check from cache data; None when absent or damaged (the body is parsed again)."""
    if not isinstance(data, dict) or not isinstance(data.get("digest"), str):
        return None
    try:
        sections = tuple(SectionStatus(str(name), str(state)) for name, state in data["sections"])
        unticked = tuple(str(task) for task in data["unticked"])
    except (KeyError, TypeError, ValueError):
        return None
    ticket = data.get("ticket")
    if any(s.state not in STATES for s in sections) or not isinstance(ticket, str | None):
        return None
    return BodyCheck(data["digest"], ReportCheck(sections, unticked), ticket)
