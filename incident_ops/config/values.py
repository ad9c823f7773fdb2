"""Checks and normalisers for single configuration values; each raises ValueError with a message."""

from __future__ import annotations

import json
import re
from datetime import date, datetime, timedelta
from pathlib import Path, PurePosixPath, PureWindowsPath
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from incident_ops import lazy

PERMISSIONS = ("read", "triage", "write", "maintain", "admin")
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

_DURATION_PART = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([wdhms])", re.IGNORECASE)
_UNIT_SECONDS = {"w": 604800, "d": 86400, "h": 3600, "m": 60, "s": 1}
_LOGIN = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$")
_TEAM_SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$")
_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})$")
_PLAIN = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_ ./-]*$")
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_YAML_BOOL_HINT = "YAML reads unquoted yes/no/on/off/true/false as booleans; quote it"
_DURATION_HINT = "expected a duration like 30m, 4h or 2d"


def describe(value: object) -> str:
    """Name a YAML value's type the way a config author would."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()}; {_YAML_BOOL_HINT})"
    if isinstance(value, int | float):
        return f"a number ({value!r})"
    if isinstance(value, str):
        return f"a string ({value!r})"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, datetime | date):
        return f"a date ({value.isoformat()})"
    return type(value).__name__


def parse_duration(text: str) -> timedelta:
    """Parse '30m', '4h', '2d', '1h30m', '45s' or '1w' into a positive timedelta."""
    if isinstance(text, int) and not isinstance(text, bool):
        raise ValueError(f"{_DURATION_HINT}, got the number {text}; add a unit, e.g. {text}m")
    if not isinstance(text, str):
        raise ValueError(f"{_DURATION_HINT}, got {describe(text)}")
    compact = text.strip()
    parts = _DURATION_PART.findall(compact)
    units = [unit.lower() for _, unit in parts]
    rebuilt = "".join(f"{amount}{unit}" for amount, unit in parts)
    if not parts or rebuilt.lower() != re.sub(r"\s+", "", compact).lower():
        raise ValueError(f"{_DURATION_HINT}, got {text!r}")
    if len(set(units)) != len(units) or units != sorted(units, key="wdhms".index):
        raise ValueError(f"{_DURATION_HINT} (largest unit first, each once), got {text!r}")
    seconds = sum(float(amount) * _UNIT_SECONDS[unit.lower()] for amount, unit in parts)
    if seconds <= 0:
        raise ValueError(f"a duration must be longer than zero, got {text!r}")
    return timedelta(seconds=seconds)


def as_flow_item(value: object) -> str:
    """Spell a scalar as an entry of a YAML flow list, quoting it when YAML needs that."""
    text = value.isoformat() if isinstance(value, date) else str(value)
    return text if _PLAIN.match(text) else json.dumps(text)


def require_string(value: object, what: str = "a string") -> str:
    """Return value when it is a non-empty string; say what YAML made of it otherwise."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise ValueError(f"expected {what}, got {describe(value)}; quote it if you meant text")
    if not isinstance(value, str):
        raise ValueError(f"expected {what}, got {describe(value)}")
    if not value.strip():
        raise ValueError(f"expected {what}, got an empty string")
    return value


def check_login(value: object) -> str:
    """Normalise a GitHub login: strip one leading '@', lower-case, check GitHub's rules."""
    text = require_string(value, "a GitHub login").strip()
    login = text[1:] if text.startswith("@") else text
    if not _LOGIN.match(login):
        raise ValueError(
            f"{text!r} is not a valid GitHub login (1-39 letters, digits or single hyphens, "
            "not starting or ending with a hyphen)"
        )
    return login.lower()


def check_mention(value: object) -> str:
    """Normalise an escalation mention to '@login' or '@org/team'."""
    text = require_string(value, 'a mention like "@login" or "@org/team"').strip()
    body = text[1:] if text.startswith("@") else text
    org, slash, team = body.partition("/")
    valid_team = not slash or _TEAM_SLUG.match(team)
    if not _LOGIN.match(org) or not valid_team:
        raise ValueError(f'expected a mention like "@login" or "@org/team", got {text!r}')
    return "@" + body


def check_permission(value: object) -> str:
    """Check a repository permission level."""
    text = require_string(value, "a permission").strip().lower()
    if text not in PERMISSIONS:
        raise ValueError(f"expected one of {', '.join(PERMISSIONS)}, got {value!r}")
    return text


def check_day(value: object) -> str:
    """Normalise a weekday name ('mon', 'Monday', 'MON') to its three-letter form."""
    text = require_string(value, "a weekday like mon").strip().lower()
    if text in DAYS:
        return text
    if text in _DAY_NAMES:
        return DAYS[_DAY_NAMES.index(text)]
    raise ValueError(f"expected a weekday ({', '.join(DAYS)}), got {value!r}")


def check_clock(value: object, allow_24: bool) -> str:
    """Normalise a wall-clock time 'H:MM' or 'HH:MM' to 'HH:MM'; '24:00' only when allowed."""
    if isinstance(value, int) and not isinstance(value, bool):
        # YAML 1.1 reads an unquoted 17:00 as a base-60 integer (1020).
        written = f"{value // 60:02d}:{value % 60:02d}" if 0 <= value <= 1440 else "09:00"
        raise ValueError(
            f'expected a time like "09:00", got the number {value}; YAML reads an unquoted '
            f'time such as {written} as a number, so quote it: "{written}"'
        )
    text = require_string(value, 'a time like "09:00"').strip()
    match = _CLOCK.match(text)
    hour, minute = (int(match.group(1)), int(match.group(2))) if match else (-1, -1)
    if (hour, minute) == (24, 0) and allow_24:
        return "24:00"
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        latest = '"24:00"' if allow_24 else '"23:59"'
        raise ValueError(f'expected a time from "00:00" to {latest}, got {text!r}')
    return f"{hour:02d}:{minute:02d}"


def check_date(value: object) -> date:
    """Accept a date (unquoted in YAML) or an ISO 'YYYY-MM-DD' string."""
    if isinstance(value, datetime):
        raise ValueError(f"expected a date like 2024-12-25, got a date and time ({value})")
    if isinstance(value, date):
        return value
    text = require_string(value, "a date like 2024-12-25").strip()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"expected a date like 2024-12-25, got {text!r}") from None


def _not_a_zone(text: str) -> str:
    """The problem with a time-zone name, suggesting the zone it differs from only in case."""
    zones = ("UTC", *sorted(available_timezones()))
    same = next((zone for zone in zones if zone.casefold() == text.casefold()), None)
    return f"{text!r} is not an IANA time zone like Europe/Berlin" + (
        f"; did you mean {same}?" if same else ""
    )


def check_timezone(value: object) -> str:
    """Check an IANA time-zone name such as 'Europe/Berlin'."""
    text = require_string(value, "an IANA time zone like Europe/Berlin").strip()
    try:
        ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(_not_a_zone(text)) from None
    if text not in available_timezones() and text != "UTC":
        raise ValueError(_not_a_zone(text))
    return text


def check_country(value: object) -> str:
    """Check a country code supported by the holidays package; return it upper-cased."""
    holidays = lazy.load("holidays")

    text = require_string(value, 'a country code like "US"').strip().upper()
    if text not in holidays.list_supported_countries():
        raise ValueError(f"{value!r} is not a country code the holidays package supports (e.g. US, DE, GB)")
    return text


def check_subdivision(value: object, country: str) -> str:
    """Check a subdivision of country (case-insensitive); return the package's spelling."""
    holidays = lazy.load("holidays")

    text = require_string(value, 'a subdivision code like "CA"').strip()
    entity = holidays.country_holidays(country)
    known = list(entity.subdivisions) + list(getattr(entity, "subdivisions_aliases", {}))
    for name in known:
        if name.casefold() == text.casefold():
            return name
    sample = ", ".join(list(entity.subdivisions)[:8]) or "none"
    raise ValueError(f"{text!r} is not a subdivision of {country} (known: {sample}, ...)")


def check_env_name(value: object) -> str:
    """Check an environment-variable name; the value it was given is never echoed."""
    if not isinstance(value, str) or not _ENV_NAME.match(value):
        # The value might be the secret itself pasted in by mistake, so it is never shown.
        raise ValueError(
            "expected the name of an environment variable (letters, digits and underscores, "
            "not starting with a digit), not its value"
        )
    return value


def check_relative_path(value: object, workspace: Path | None, want_dir: bool) -> str:
    """Check a path relative to the workspace that stays inside it and, given one, exists."""
    text = require_string(value, "a path relative to the workspace").strip()
    posix, windows = PurePosixPath(text), PureWindowsPath(text)
    if posix.is_absolute() or windows.is_absolute() or windows.drive:
        raise ValueError(f"{text!r} must be relative to the workspace, not absolute")
    if ".." in posix.parts or ".." in windows.parts:
        raise ValueError(f"{text!r} must stay inside the workspace (no '..')")
    if workspace is None:
        return text
    root = workspace.resolve()
    target = (root / text).resolve()
    if not target.is_relative_to(root):
        raise ValueError(f"{text!r} leads outside the workspace")
    kind = "folder" if want_dir else "file"
    exists = target.is_dir() if want_dir else target.is_file()
    if not exists:
        raise ValueError(f"no {kind} {text!r} in the workspace ({workspace})")
    return text


def check_https_url(value: object, example: str = "https://events.eu.pagerduty.com/v2/enqueue") -> str:
    """Check an https URL (plain http only on this machine, for a local stand-in)."""
    text = require_string(value, "a URL").strip()
    try:
        parts = urlsplit(text)
        host = parts.hostname
    except ValueError:
        host = None
    local = parts.scheme == "http" and host in ("127.0.0.1", "localhost", "::1") if host else False
    if not host or not (parts.scheme == "https" or local) or any(c.isspace() for c in text):
        raise ValueError(f"{text[:100]!r} is not an https URL (e.g. {example})")
    return text
