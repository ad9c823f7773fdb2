"""The bundled incident-report template's sections and tasks, as the tests expect them to read."""

SECTIONS = (
    "Summary",
    "Impact on users",
    "Important information",
    "Tasks and updates",
    "Timeline",
    "What went wrong",
    "Where we got lucky",
    "Follow-up actions",
)
TASKS = (
    "Discuss and address the incident, leaving updates as comments on this issue",
    "The incident has been dealt with or is over",
    "The after-action report below is filled in",
    "The issue title is accurate and easy to find by searching",
    "Every follow-up action has a linked issue",
)
