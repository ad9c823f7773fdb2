"""Ticket references: `/ticket` and a `Support ticket ref:` line read every form the same way."""

from __future__ import annotations

import pytest

from incident_ops.core.commands.args import CommandError, parse_ticket_id
from incident_ops.core.report.check import find_ticket_ref
from incident_ops.core.report.tickets import ticket_id

FORMS = [
    ("123", "123"),
    ("#123", "123"),
    ("007", "7"),
    ("0", None),
    ("#", None),
    ("１２", None),
    ("١٢٣", None),
    ("https://acme.freshdesk.com/a/tickets/123", "123"),
    ("https://acme.freshdesk.com/a/tickets/0042/", "42"),
    ("<https://help.acme.org/helpdesk/tickets/9>", "9"),
    ("https://help.acme.org/support/tickets/10?tab=notes#x", "10"),
    ("https://acme.freshdesk.com/a/tickets/١٢", None),
    ("https:///a/tickets/5", None),
    ("/a/tickets/5", None),
    ("ftp://acme.freshdesk.com/a/tickets/5", None),
    ("https://acme.freshdesk.com/a/contacts/5", None),
    ("https://acme.freshdesk.com/a/tickets/5/notes", None),
    ("http://[::1/a/tickets/1", None),
]


@pytest.mark.parametrize(("text", "ticket"), FORMS)
def test_both_ways_of_naming_a_ticket_agree(text: str, ticket: str | None) -> None:
    assert ticket_id(text) == ticket
    assert find_ticket_ref(f"Support ticket ref: {text}") == ticket
    if ticket is None:
        with pytest.raises(CommandError):
            parse_ticket_id(text)
    else:
        assert parse_ticket_id(text) == ticket
