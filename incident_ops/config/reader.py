"""The walker under every config section: checks keys and values, naming each problem by its key path."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

from incident_ops import lazy
from incident_ops.config import values
from incident_ops.config.types import Problem, child, key_text


class Reader:
    """Walks YAML data into a Config, collecting every problem instead of stopping at the first."""

    def __init__(self, workspace: Path | None, lines: Mapping[str, int] | None = None) -> None:
        """Read paths against workspace (if any); lines maps key paths to 1-based lines."""
        self.workspace = workspace
        self.lines = lines or {}
        self.problems: list[Problem] = []

    def problem(self, path: str, message: str) -> None:
        """Record a problem at path, with its line when known."""
        self.problems.append(Problem(path, message, self.lines.get(path)))

    def section(self, data: object, path: str, allowed: list[str]) -> dict[str, Any]:
        """Check that data is a mapping of known keys; return its valid part (null is empty)."""
        if data is None:
            return {}
        if not isinstance(data, dict):
            where = "the config file" if not path else "this section"
            self.problem(path, f"expected {where} to be a mapping of keys, got {values.describe(data)}")
            return {}
        valid: dict[str, Any] = {}
        for key, value in data.items():
            if not isinstance(key, str):
                here = child(path, key_text(key))
                self.problem(here, "a key must be text, got " + values.describe(key))
            elif key in allowed:
                valid[key] = value
            else:
                self.problem(child(path, key), "unknown key" + _suggest(key, allowed))
        return valid

    def value(self, data: dict[str, Any], path: str, key: str, check: Callable[[Any], Any]) -> Any:
        """Check data[key] when present; None means absent or invalid (default applies)."""
        if key not in data:
            return None
        try:
            return check(data[key])
        except ValueError as exc:
            self.problem(child(path, key), str(exc))
            return None

    def items(
        self, data: dict[str, Any], path: str, key: str, check: Callable[[Any], Any]
    ) -> tuple[Any, ...] | None:
        """Check each entry of the list data[key]; None means absent or invalid."""
        if key not in data:
            return None
        raw, here = data[key], child(path, key)
        if raw is None:
            return ()
        if not isinstance(raw, list):
            scalar = isinstance(raw, str | int | float | date) and not isinstance(raw, bool)
            hint = f"; write [{values.as_flow_item(raw)}]" if scalar else ""
            self.problem(here, f"expected a list, got {values.describe(raw)}{hint}")
            return None
        before, checked = len(self.problems), []
        for index, entry in enumerate(raw):
            try:
                checked.append(check(entry))
            except ValueError as exc:
                self.problem(child(here, index), str(exc))
        return tuple(checked) if len(self.problems) == before else None

    def optional(self, data: dict[str, Any], path: str, key: str, check: Callable) -> Any:
        """Check a key whose null means 'off'; None when absent, null or invalid."""
        return None if data.get(key) is None else self.value(data, path, key, check)


def boolean(value: object) -> bool:
    """true or false."""
    if not isinstance(value, bool):
        raise ValueError(f"expected true or false, got {values.describe(value)}")
    return value


def present(found: dict[str, Any]) -> dict[str, Any]:
    """Keep only the keys that were given and valid, so dataclass defaults fill the rest."""
    return {key: value for key, value in found.items() if value is not None}


def _suggest(key: str, allowed: list[str]) -> str:
    """Suffix for an unknown key: the close match, or the keys that are allowed."""
    close = lazy.load("difflib").get_close_matches(key, allowed, n=1, cutoff=0.6)
    if not close:
        close = [name for name in allowed if name.casefold() == key.casefold()]
    if close:
        return f" (did you mean {close[0]!r}?)"
    return f" (expected one of: {', '.join(allowed)})"
