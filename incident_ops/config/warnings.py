"""Configs that stop nothing but defeat what their author meant: `validate-config` warns about each."""

from __future__ import annotations

from pathlib import Path

from incident_ops.config.types import Config


def config_warnings(config: Config, workspace: Path) -> list[str]:
    """One line per intent the config defeats, each naming the key to change."""
    return [*_paging(config)]


def _paging(config: Config) -> list[str]:
    """PagerDuty set up, yet no incident can page."""
    levels = config.severity.levels
    if config.integrations.pagerduty is None or not levels or any(level.page for level in levels):
        return []
    if config.severity.default is not None:
        return [
            "integrations.pagerduty: no severity level has `page: true` and every incident has a level "
            f"(severity.default: {config.severity.default}), so nobody is ever paged; "
            "add `page: true` to the levels that should wake someone"
        ]
    return [
        "integrations.pagerduty: no severity level has `page: true`: only incidents without a severity "
        "page, and `/severity` stops one from paging; add `page: true` to the levels that should wake someone"
    ]
