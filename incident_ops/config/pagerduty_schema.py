"""`integrations.pagerduty`: the Events API that pages, and the sync bringing PagerDuty's incidents over."""

from __future__ import annotations

import re
from typing import Any

from incident_ops.config import values
from incident_ops.config.reader import Reader, boolean
from incident_ops.config.types import PagerDutyConfig, PagerDutySyncConfig

PATH = "integrations.pagerduty"
SYNC_KEYS = ["api_key_env", "from_email", "services", "min_priority", "users", "api_url"]
EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s]{1,190}\.[^@\s.]{1,63}")
SERVICE_ID = re.compile(r"[A-Z0-9]{2,20}")
MAX_SERVICES = 50
REQUIRED = {"api_key_env": "PAGERDUTY_API_KEY", "from_email": "oncall@example.org", "services": "[PIJ90N7]"}


def read_pagerduty(reader: Reader, data: object) -> PagerDutyConfig | None:
    """integrations.pagerduty: {routing_key_env, on_declare: false, events_url: null, sync: null}."""
    if data is None:
        return None
    sec = reader.section(data, PATH, ["routing_key_env", "on_declare", "events_url", "sync"])
    sync = read_sync(reader, sec.get("sync"))
    if isinstance(data, dict) and "routing_key_env" not in sec and sec.get("sync") is None:
        reader.problem(
            f"{PATH}.routing_key_env",
            "required when pagerduty is set without sync (e.g. PAGERDUTY_ROUTING_KEY)",
        )
    name = reader.optional(sec, PATH, "routing_key_env", values.check_env_name)
    on_declare = reader.value(sec, PATH, "on_declare", boolean)
    events_url = reader.optional(sec, PATH, "events_url", values.check_https_url)
    if name is None and sync is None:
        return None
    return PagerDutyConfig(name, bool(on_declare), events_url, sync)


def read_sync(reader: Reader, data: object) -> PagerDutySyncConfig | None:
    """integrations.pagerduty.sync: every key checked, each problem named by its path."""
    if data is None:
        return None
    path = f"{PATH}.sync"
    sec = reader.section(data, path, SYNC_KEYS)
    if not isinstance(data, dict):
        return None
    examples = {
        "api_key_env": "PAGERDUTY_API_KEY",
        "from_email": "oncall@example.org",
        "services": "[PIJ90N7]",
    }
    for key, example in examples.items():
        if key not in sec:
            reader.problem(f"{path}.{key}", f"required when sync is set (e.g. {example})")
    found: dict[str, Any] = {
        "api_key_env": reader.value(sec, path, "api_key_env", values.check_env_name),
        "from_email": reader.value(sec, path, "from_email", check_email),
        "services": reader.items(sec, path, "services", check_service_id),
        "min_priority": reader.optional(sec, path, "min_priority", check_priority),
        "users": _users(reader, sec, path),
        "api_url": reader.optional(sec, path, "api_url", check_api_url),
    }
    services = found["services"]
    if services is not None and not services:
        reader.problem(f"{path}.services", "must name at least one PagerDuty service id (e.g. [PIJ90N7])")
    elif services is not None and len(services) > MAX_SERVICES:
        reader.problem(f"{path}.services", f"at most {MAX_SERVICES} services, got {len(services)}")
    if not all(found[key] for key in ("api_key_env", "from_email", "services")):
        return None
    return PagerDutySyncConfig(
        found["api_key_env"],
        found["from_email"],
        tuple(dict.fromkeys(services)),
        found["min_priority"],
        found["users"] or (),
        found["api_url"],
    )


def _users(reader: Reader, sec: dict[str, Any], path: str) -> tuple[tuple[str, str], ...] | None:
    """users: {pagerduty-email: github-login}; an email listed twice (any case) is a problem."""
    raw = sec.get("users")
    if raw is None:
        return None
    here = f"{path}.users"
    if not isinstance(raw, dict):
        reader.problem(
            here, f"expected a mapping of PagerDuty emails to GitHub logins, got {values.describe(raw)}"
        )
        return None
    pairs: dict[str, str] = {}
    for email, login in raw.items():
        where = f"{here}.{email}"
        try:
            mail = check_email(email).casefold()
            name = values.check_login(login)
        except ValueError as error:
            reader.problem(where, str(error))
            continue
        if mail in pairs:
            reader.problem(where, "is listed twice (emails are compared without case)")
            continue
        pairs[mail] = name
    return tuple(pairs.items())


def check_email(value: object) -> str:
    """An email address, as PagerDuty's `From` header and user records hold it."""
    text = values.require_string(value, "an email address").strip()
    if not EMAIL.fullmatch(text):
        raise ValueError(f"{text[:100]!r} is not an email address (e.g. oncall@example.org)")
    return text


def check_service_id(value: object) -> str:
    """A PagerDuty service id, as in the service's URL (…/service-directory/PIJ90N7)."""
    text = values.require_string(value, "a PagerDuty service id").strip()
    if not SERVICE_ID.fullmatch(text):
        raise ValueError(
            f"{text[:40]!r} is not a PagerDuty service id (capital letters and digits, like PIJ90N7, "
            "the end of the service's URL)"
        )
    return text


def check_priority(value: object) -> str:
    """A PagerDuty priority's name, like P2."""
    text = values.require_string(value, "a PagerDuty priority name like P2").strip()
    if not text or len(text) > 50:
        raise ValueError("expected a PagerDuty priority name like P2 (at most 50 characters)")
    return text


def check_api_url(value: object) -> str:
    """The REST API's base URL: https (the EU service region is https://api.eu.pagerduty.com)."""
    return values.check_https_url(value, example="https://api.eu.pagerduty.com")
