"""What the renderer's fingerprint covers: its rendering version and the custom templates it can load."""

from __future__ import annotations

import re
from pathlib import Path

from incident_ops.cli.preflight import SAMPLE_ROLES
from incident_ops.cli.sample_incidents import samples
from incident_ops.config.types import Config
from incident_ops.core.actions import PostComment
from incident_ops.core.comments.cache import StatusCache
from incident_ops.core.comments.render import RENDERING_VERSION, Renderer
from incident_ops.core.context import Context
from incident_ops.core.history.fold import fold
from incident_ops.core.history.roles import KnownRoles
from incident_ops.core.planning.plan import plan
from incident_ops.core.planning.timers import clocks
from incident_ops.core.report.check import read_template
from incident_ops.core.text.digests import digest
from incident_ops.core.views.status import status_body
from incident_ops.core.workhours import WorkCalendar

CACHE = re.compile(r"<!-- incident-ops-cache:.*? -->")  # its digests follow the version


def test_the_fingerprint_follows_the_custom_templates_and_nothing_else(tmp_path: Path) -> None:
    folder = tmp_path / "messages"
    folder.mkdir()
    (folder / "status.md.j2").write_text("{{ marker }}\nA\n", encoding="utf-8")
    first = Renderer(folder).fingerprint

    (folder / "notes.txt").write_text("not a template", encoding="utf-8")
    (folder / "drafts").mkdir()
    (folder / "drafts" / "status.md.j2").write_text("elsewhere", encoding="utf-8")
    secret = tmp_path / "secret.md.j2"
    secret.write_text("the runner's secrets", encoding="utf-8")
    (folder / "reply.md.j2").symlink_to(secret)
    assert Renderer(folder).fingerprint == first

    (folder / "status.md.j2").write_text("{{ marker }}\nB\n", encoding="utf-8")
    assert Renderer(folder).fingerprint != first
    assert Renderer(None).fingerprint != first


def test_the_fingerprint_is_the_rendering_version_not_the_tools_version(monkeypatch) -> None:
    first = Renderer(None).fingerprint
    monkeypatch.setattr("incident_ops.__version__", "99.0.0")
    assert Renderer(None).fingerprint == first  # an upgrade that draws nothing new redraws nothing
    monkeypatch.setattr("incident_ops.core.comments.render.RENDERING_VERSION", RENDERING_VERSION + 1)
    assert Renderer(None).fingerprint != first


# RENDERING_VERSION → the digest of every comment the sample incidents render with the bundled templates.
# When this test fails, the comments look different: raise RENDERING_VERSION in core/comments/render.py (so
# that open incidents are redrawn, spread over the sweeps) and record the new digest under the new version.
# (A change to the sample incidents themselves changes the digest too: record it under the same version.)
RENDERED = {1: "510361e4eee49eb91ef40663d8060014", 2: "c3c91533ecf26828762c2ef525f597d5"}


def test_a_new_rendering_raises_the_rendering_version() -> None:
    bodies = rendered_samples()
    assert RENDERED.get(RENDERING_VERSION) == digest(*bodies), digest(*bodies)


def rendered_samples() -> list[str]:
    """Every comment the sample incidents call for, as the bundled templates render them."""
    config = Config()
    template = read_template(None)
    calendar = WorkCalendar()
    renderer = Renderer(None)
    bodies = []
    for sample in samples(config, template.parsed):
        state = fold(sample.history, config.incident_label, KnownRoles(SAMPLE_ROLES), template=template)
        actions = plan(state, Context(config, calendar, renderer, sample.now))
        bodies += [a.body for a in actions if isinstance(a, PostComment)]
        status = status_body(state, clocks(state, config, calendar), config, renderer, StatusCache(), None)
        bodies.append(CACHE.sub("", status or ""))
    return bodies
