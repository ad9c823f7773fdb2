"""The emulator's own clock over HTTP (not a GitHub route): read it, set it, move it forward."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from .objects import invalid_request
from .routing import Ctx, Reply, route

CLOCK = "/_emulator/clock"
UNITS = ("days", "hours", "minutes", "seconds")


def _reply(ctx: Ctx) -> Reply:
    """The clock as `{"now": "2026-03-02T09:00:00Z"}`."""
    return Reply(data={"now": ctx.store.now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")})


@route("GET", CLOCK)
def read_clock(ctx: Ctx) -> Reply:
    """The instant the emulator stamps on everything."""
    return _reply(ctx)


@route("POST", CLOCK)
def move_clock(ctx: Ctx) -> Reply:
    """`{"now": ISO}` sets the clock; `{"advance": {"minutes": 31}}` moves it forward (never back)."""
    body = ctx.obj()
    if "now" in body:
        try:
            moment = datetime.fromisoformat(str(body["now"]).replace("Z", "+00:00"))
        except ValueError:
            raise invalid_request(f"{body['now']!r} is not an ISO 8601 instant.") from None
        ctx.store.now = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
        return _reply(ctx)
    advance = body.get("advance")
    if not isinstance(advance, dict) or not advance or set(advance) - set(UNITS):
        raise invalid_request(f'give {{"now": ISO}} or {{"advance": {{unit: number}}}} with units {UNITS}.')
    amounts = {unit: advance[unit] for unit in advance}
    if not all(
        isinstance(v, int | float) and not isinstance(v, bool) and 0 <= v <= 10_000 for v in amounts.values()
    ):
        raise invalid_request("each amount must be a number from 0 to 10000.")
    ctx.store.now = ctx.store.now + timedelta(**amounts)
    return _reply(ctx)
