"""`incident-ops validate-config`: exit 0 only for a config no run can fail on; warn about what it defeats."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from incident_ops.cli.exit_codes import OK, PROBLEM
from incident_ops.cli.parser import UsageProblem
from incident_ops.cli.preflight import preflight
from incident_ops.cli.wiring import workspace_for
from incident_ops.config.load import (
    DEFAULT_CONFIG_PATH,
    ConfigError,
    ConfigUnreadable,
    load_config,
    validate_config_file,
)
from incident_ops.config.types import Problem


def run_validate(named: str | None, env: Mapping[str, str]) -> int:
    """Name every problem of the config file (exit 1), or warn about what it defeats and say it is valid."""
    workspace = workspace_for(named, env)
    path = Path(named) if named else _shown(workspace / DEFAULT_CONFIG_PATH)
    exists = bool(named) or path.exists()
    if not exists:
        print(f"No {DEFAULT_CONFIG_PATH} in {workspace}: every default applies.")
    try:
        problems = [_located(path, p) for p in validate_config_file(path, workspace)] if exists else []
    except ConfigUnreadable as error:
        raise UsageProblem(str(error)) from error
    except ConfigError as error:
        problems = [_located(path, p) for p in error.problems]
    warnings: list[str] = []
    if not problems:
        found = preflight(load_config(workspace, str(path) if exists else None), workspace)
        problems = [f"{path}: {problem}" for problem in found.problems]
        warnings = [f"{path}: warning: {warning}" for warning in found.warnings]
    for line in problems or warnings:
        print(line)
    if problems:
        return PROBLEM
    print(f"{path}: valid (its paths count from {workspace}).")
    return OK


def _located(path: Path, problem: Problem) -> str:
    """A problem with its file and line."""
    return f"{path}:{problem.line}: {problem}" if problem.line else f"{path}: {problem}"


def _shown(path: Path) -> Path:
    """A path as short as the current folder allows."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        return path
