"""Local HTTP stand-ins on 127.0.0.1 for a Slack incoming webhook, FreshDesk API v2 and the PagerDuty Events
API v2, with faults: for the tests, the demo and the sandbox.

They stand for those services, so they import nothing of the tool (only the standard library).
"""

from .freshdesk import FreshDeskStandIn
from .freshdesk_records import AGENT_ID, REQUESTER_ID, STATUS_NAMES, Ticket
from .pagerduty import PagerDutyStandIn
from .server import Fault, Heard, Recorded, StandIn
from .slack import SlackStandIn

__all__ = [
    "AGENT_ID",
    "REQUESTER_ID",
    "STATUS_NAMES",
    "Fault",
    "FreshDeskStandIn",
    "Heard",
    "PagerDutyStandIn",
    "Recorded",
    "SlackStandIn",
    "StandIn",
    "Ticket",
]
