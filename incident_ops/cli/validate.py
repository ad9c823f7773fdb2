"""`incident-ops validate-config`: every problem of a config, named with its key path, and what it defeats."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from incident_ops.cli.exit_codes import OK, PROBLEM
from incident_ops.cli.parser import UsageProblem
from incident_ops.config.load import (
    DEFAULT_CONFIG_PATH,
    ConfigError,
    ConfigUnreadable,
    load_config,
    repository_root,
    validate_config_file,
)
from incident_ops.config.warnings import config_warnings


def run_validate(named: str | None, env: Mapping[str, str]) -> int:
    """Exit 1 naming every problem of the config file; warn about what it defeats; exit 0 when valid."""
    workspace = Path(env.get("GITHUB_WORKSPACE") or ".")
    path = Path(named) if named else workspace / DEFAULT_CONFIG_PATH
    if not named and not path.exists():
        print(f"No {DEFAULT_CONFIG_PATH} in {workspace}: every default applies.")
        return OK
    if named:
        workspace = repository_root(path, otherwise=workspace)
    try:
        problems = validate_config_file(path, workspace)
    except ConfigUnreadable as error:
        raise UsageProblem(str(error)) from error
    except ConfigError as error:
        problems = error.problems
    for problem in problems:
        where = f"{path}:{problem.line}: " if problem.line else f"{path}: "
        print(where + str(problem))
    if problems:
        return PROBLEM
    for warning in config_warnings(load_config(workspace, str(path)), workspace):
        print(f"{path}: warning: {warning}")
    print(f"{path}: valid.")
    return OK
