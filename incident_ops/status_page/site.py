"""The status page's files: the pages, the Atom feed and the JSON, rendered from the incidents shown."""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup

from incident_ops.core.text.wording import duration
from incident_ops.status_page import formats
from incident_ops.status_page.markdown import to_html
from incident_ops.status_page.model import PublicIncident, PublicMessage
from incident_ops.status_page.page import Page, select

KINDS = {
    "acknowledgement": "Investigating",
    "update": "Update",
    "resolution": "Resolved",
    "closing": "Closed",
}
STATES = {"active": "Active", "resolved": "Resolved", "closed": "Closed"}


@dataclass(frozen=True)
class Site:
    """What the page is about: its title, the repository (and its web address), when it is built."""

    title: str
    repo: str
    repo_url: str
    now: datetime
    history_days: int = 90


@dataclass(frozen=True)
class Entry:
    """One Atom entry: a public message of an incident."""

    id: str
    incident: PublicIncident
    message: PublicMessage


def build(site: Site, incidents: Iterable[PublicIncident]) -> dict[str, str]:
    """Every file of the site by its path inside the site's folder."""
    page = select(incidents, site.now, site.history_days)
    common = _common(site)
    files = {
        "index.html": _env().get_template("index.html.j2").render(page=page, root="", **common),
        "feed.xml": feed(site, page),
        "incidents.json": incidents_json(site, page),
    }
    incident_page = _env().get_template("incident.html.j2")
    for incident in page.shown:
        files[f"incidents/{incident.number}.html"] = incident_page.render(
            incident=incident, root="../", **common
        )
    return files


def feed(site: Site, page: Page) -> str:
    """The Atom feed: one entry per public message of the incidents shown, newest first."""
    entries = [
        Entry(
            message.url or _uuid(f"{incident.url}#{message.kind}-{formats.for_machines(message.at)}"),
            incident,
            message,
        )
        for incident in page.shown
        for message in incident.messages
    ]
    entries.sort(key=lambda e: e.message.at, reverse=True)
    updated = entries[0].message.at if entries else site.now
    template = _env().get_template("feed.xml.j2")
    return template.render(
        entries=entries, updated=updated, feed_id=_uuid(f"{site.repo_url}#status-page"), **_common(site)
    )


def incidents_json(site: Site, page: Page) -> str:
    """The same data for machines (its shape is documented in the README)."""
    data = {
        "title": site.title,
        "repository": site.repo,
        "generated_at": formats.for_machines(site.now),
        "history_days": site.history_days,
        "status": "operational" if page.operational else "incident",
        "active": [incident.number for incident in page.active],
        "incidents": [_incident_record(incident) for incident in page.shown],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _incident_record(incident: PublicIncident) -> dict[str, object]:
    """One incident for machines."""
    moment = lambda when: formats.for_machines(when) if when else None  # noqa: E731 - three uses below
    return {
        "number": incident.number,
        "title": incident.title,
        "url": incident.url,
        "page": f"incidents/{incident.number}.html",
        "state": incident.state,
        "severity": incident.severity,
        "declared_at": moment(incident.declared_at),
        "resolved_at": moment(incident.resolved_at),
        "closed_at": moment(incident.closed_at),
        "messages": [
            {"kind": m.kind, "at": moment(m.at), "text": m.text, "url": m.url} for m in incident.messages
        ],
    }


def _common(site: Site) -> dict[str, object]:
    """What every template may use."""
    return {
        "site_title": site.title,
        "repo": site.repo,
        "repo_url": site.repo_url,
        "now": site.now,
        "kinds": KINDS,
        "states": STATES,
        "css": Markup(_css()),
        "csp": content_security_policy(),
    }


def content_security_policy() -> str:
    """Nothing may load or run but the page's own style sheet, named by its hash."""
    digest = base64.b64encode(hashlib.sha256(_css().encode()).digest()).decode()
    return (
        f"default-src 'none'; style-src 'sha256-{digest}'; img-src 'none'; base-uri 'none'; "
        "form-action 'none'"
    )


def _uuid(name: str) -> str:
    """A permanent Atom id for a name."""
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, name)}"


@functools.cache
def _css() -> str:
    """The page's style sheet, inlined into every page."""
    return _env().loader.get_source(_env(), "style.css")[0]  # type: ignore[union-attr]


@functools.cache
def _env() -> ImmutableSandboxedEnvironment:
    """Sandboxed, autoescaping templates: every text from GitHub enters as data and comes out escaped."""
    env = ImmutableSandboxedEnvironment(
        loader=jinja2.PackageLoader("incident_ops.status_page", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        markdown=lambda text: Markup(to_html(text)),
        markdown_source=lambda text: to_html(text),
        machine_time=formats.for_machines,
        people_time=formats.for_people,
        duration=duration,
        web_url=web_url,
    )
    return env


def web_url(url: str) -> str:
    """The address when it is an http or https one; otherwise nothing (no javascript: link from data)."""
    return url if url.lower().startswith(("https://", "http://")) else ""
