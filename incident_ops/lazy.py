"""The slow modules, imported on first use: the one place the tool imports anything late.

An event run that needs no YAML, Markdown parsing, templates, holidays or date parsing never loads them,
which keeps a quiet run's start-up short (benchmarks/bench.py measures it). Everything else is imported at
the top of its module, so the import graph reads from the top of each file plus this list.
"""

from __future__ import annotations

import importlib
from types import ModuleType

SLOW = frozenset(
    {
        "yaml",  # the config file
        "holidays",  # public-holiday calendars, only when a country is configured
        "markdown_it",  # command lines, relayed text, the report check, ticket replies
        "markdown_it.common.html_re",
        "markdown_it.rules_block",
        "jinja2",  # comment templates, only when something is posted
        "jinja2.sandbox",
        "jinja2.meta",  # the variables a custom template uses, checked by validate-config
        "croniter",  # the sweep's schedule, checked by validate-config
        "dateutil.parser",  # instants the standard library cannot read
        "difflib",  # suggestions for a mistyped config key; how alike two follow-up items are
        "statistics",  # the report's spreads
    }
)


def load(name: str) -> ModuleType:
    """The slow module `name`, imported now unless it already is."""
    if name not in SLOW:
        raise ValueError(f"{name} is not one of the modules imported late; import it at the top instead")
    return importlib.import_module(name)
