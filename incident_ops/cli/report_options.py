"""The options of `incident-ops report`, kept apart so the command line can offer them cheaply."""

from __future__ import annotations

import argparse
from datetime import date

FORMATS = ("markdown", "json", "csv")


def since_date(text: str) -> date:
    """`--since`: an ISO date (YYYY-MM-DD)."""
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date such as 2026-01-31") from error
