"""Which config the demo and the sandbox play: the one `--config` names, else the workspace's own, else the
bundled one; checked as validate-config checks it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from incident_ops.cli.wiring import checked_setup
from incident_ops.config.load import DEFAULT_CONFIG_PATH
from incident_ops.config.types import Config


@dataclass(frozen=True)
class LocalSetup:
    """A checked config, the workspace its paths count from, and the file it came from (None: bundled)."""

    config: Config = field(default_factory=Config)
    workspace: Path = field(default_factory=Path.cwd)
    path: Path | None = None  # absolute
    shown: str = "the bundled config"  # which config it is, for people


def local_setup(named: str | None, env: Mapping[str, str]) -> LocalSetup:
    """The setup to play; ConfigError names every problem (templates rendered), UsageProblem an unreadable
    file, as for every subcommand."""
    config, workspace = checked_setup(named, env, render=True)
    if named:
        return LocalSetup(config, workspace, Path(named).resolve(), named)
    default = workspace / DEFAULT_CONFIG_PATH
    if not default.exists():
        return LocalSetup(config, workspace)
    return LocalSetup(config, workspace, default.resolve(), str(_short(default)))


def _short(path: Path) -> Path:
    """A path relative to the current folder when it is below it."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        return path
