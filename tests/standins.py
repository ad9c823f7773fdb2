"""The stand-ins for Slack, FreshDesk and PagerDuty, which live in the package (`incident_ops.standins`)."""

from incident_ops.standins import (
    AGENT_ID,
    REQUESTER_ID,
    Fault,
    FreshDeskStandIn,
    Heard,
    PagerDutyStandIn,
    Recorded,
    SlackStandIn,
    StandIn,
    Ticket,
)

__all__ = [
    "AGENT_ID",
    "REQUESTER_ID",
    "Fault",
    "FreshDeskStandIn",
    "Heard",
    "PagerDutyStandIn",
    "Recorded",
    "SlackStandIn",
    "StandIn",
    "Ticket",
]
