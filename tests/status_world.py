"""Incidents on the emulator for the status page's end-to-end and browser tests, played through the CLI."""

from __future__ import annotations

from harness import LABEL, REPO, World

STRANGER = "STRANGER-e2e-41c7 call me on +1 555 0100"
HOSTILE_TITLE = '<script>alert(1)</script> Hub </title><img src=x onerror="window.pwned=1"> down'
HOSTILE_UPDATE = 'Read [this](javascript:window.pwned=2) and <img src=x onerror="window.pwned=3">'
CONFIG = (
    "severity:\n  default: SEV3\n  levels: {SEV1: {}, SEV3: {}}\nstatus_page: {title: Example Hub status}\n"
)
PEOPLE = ("steward", "engineer", "lead", "reporter", "passer-by", "github-actions")


def seed_incidents(world: World, hostile: bool = False) -> dict[str, int]:
    """An active SEV1 incident with an update and a stranger's comment, a resolved and closed one, a report
    nobody on the team confirmed, and (with `hostile`) a resolved incident whose title and text attack."""
    world.write_config(CONFIG)
    world.emu.add_user("passer-by")
    closed = world.open_issue("reporter", title="Notebooks do not start")
    world.declare(closed, "steward")
    world.advance(minutes=20)
    world.comment(closed, "engineer", "/update Restarting the node pool.")
    world.advance(minutes=40)
    world.comment(closed, "lead", "/resolved Servers start again.")
    world.advance(hours=1)
    world.emu.edit_issue(REPO, closed, "steward", state="closed", state_reason="completed")
    world.issues_event("closed", closed, "steward")
    world.advance(days=1)
    numbers = {"closed": closed}
    if hostile:
        numbers["hostile"] = world.open_issue("reporter", title=HOSTILE_TITLE)
        world.declare(numbers["hostile"], "steward")
        world.comment(numbers["hostile"], "engineer", f"/update {HOSTILE_UPDATE}")
        world.comment(numbers["hostile"], "engineer", "/resolved")
        world.advance(hours=2)
    numbers["active"] = world.open_issue("reporter", title="Hub login fails")
    world.declare(numbers["active"], "steward")
    world.comment(numbers["active"], "lead", "/severity SEV1")
    world.advance(minutes=15)
    update = "/update The identity provider is **slow**; we are raising the timeout."
    world.comment(numbers["active"], "engineer", update)
    world.comment(numbers["active"], "passer-by", STRANGER)
    numbers["reported"] = world.open_issue("passer-by", title="My notebook is slow", labels=[LABEL])
    world.issues_event("opened", numbers["reported"], "passer-by")
    world.advance(minutes=30)
    return numbers
