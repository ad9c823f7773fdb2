"""Local HTTP stand-ins on 127.0.0.1 for a Slack incoming webhook, FreshDesk API v2, the PagerDuty Events
API v2 and PagerDuty's REST API v2 (incidents, notes, priorities), with faults: for the tests, the demo and
the sandbox.

They stand for those services, so they import nothing of the tool (only the standard library).
"""

from .freshdesk import FreshDeskStandIn
from .freshdesk_records import AGENT_ID, REQUESTER_ID, STATUS_NAMES, Ticket
from .pagerduty import PagerDutyStandIn
from .pagerduty_records import Incident, Note, Priority, User
from .pagerduty_rest import PagerDutyRestStandIn
from .server import Fault, Heard, Recorded, StandIn
from .slack import SlackStandIn

__all__ = [
    "AGENT_ID",
    "REQUESTER_ID",
    "STATUS_NAMES",
    "Fault",
    "FreshDeskStandIn",
    "Heard",
    "Incident",
    "Note",
    "PagerDutyRestStandIn",
    "PagerDutyStandIn",
    "Priority",
    "Recorded",
    "SlackStandIn",
    "StandIn",
    "Ticket",
    "User",
]
