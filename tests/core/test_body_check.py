"""The body's report check, remembered in the status comment, reused only for the same body and template."""

from __future__ import annotations

import pytest

from incident_ops.core.report.body import BodyCheck, body_check_data, body_check_from, check_body
from incident_ops.core.report.check import MISSING, ReportCheck, SectionStatus, TemplateSource, check_report

TEMPLATE = TemplateSource("## Summary\n\n## Timeline\n\n- [ ] Follow-ups filed\n")
BODY = (
    "## Summary\n\nThe hub was down.\n\n## Timeline\n\n- 09:00 down\n\n"
    "- [x] Follow-ups filed\n\nSupport ticket ref: 77"
)


def test_a_fresh_check_reads_the_report_and_the_ticket() -> None:
    check = check_body(BODY, TEMPLATE, None)
    assert check.report == check_report(BODY, TEMPLATE.parsed)
    assert check.report.complete
    assert check.ticket == "77"


def test_a_remembered_check_is_reused_for_the_same_body_and_template() -> None:
    digest = check_body(BODY, TEMPLATE, None).digest
    remembered = BodyCheck(digest, ReportCheck((SectionStatus("Summary", MISSING),), ()), "5")
    assert check_body(BODY, TEMPLATE, remembered) is remembered


@pytest.mark.parametrize(
    ("body", "template"),
    [(BODY + "\nMore.", TEMPLATE), (BODY, TemplateSource(TEMPLATE.text + "\n## Lessons\n"))],
    ids=["body edited", "template changed"],
)
def test_a_remembered_check_of_another_body_or_template_is_not_trusted(
    body: str, template: TemplateSource
) -> None:
    stale = BodyCheck(check_body(BODY, TEMPLATE, None).digest, ReportCheck((), ()), "5")
    check = check_body(body, template, stale)
    assert check.digest != stale.digest
    assert check.report == check_report(body, template.parsed)
    assert check.ticket == "77"


def test_the_cache_data_round_trips() -> None:
    check = check_body(BODY.replace("- [x]", "- [ ]"), TEMPLATE, None)
    assert body_check_from(body_check_data(check)) == check


@pytest.mark.parametrize(
    "data",
    [
        None,
        "x",
        {"digest": 5, "sections": [], "unticked": []},
        {"digest": "d", "sections": [["Summary", "maybe"]], "unticked": []},
        {"digest": "d", "sections": [["Summary"]], "unticked": []},
        {"digest": "d", "sections": [], "unticked": [], "ticket": 7},
        {"digest": "d", "unticked": []},
    ],
)
def test_damaged_cache_data_is_ignored(data: object) -> None:
    assert body_check_from(data) is None
