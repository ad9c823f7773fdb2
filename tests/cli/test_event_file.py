"""The event file a run reads: every malformation is one named problem (exit 2 end to end: test_bad_input)."""

from __future__ import annotations

from pathlib import Path

import pytest

from incident_ops.cli.runtime import EventProblem, issue_facts, read_event


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b'{"action": "created", "issue": {"number": 1, "labels": [{"na', "not valid JSON"),
        (b"", "not valid JSON"),
        (b"   \n", "not valid JSON"),
        (b'{"issue": {"number": 1, "title": "caf\xe9"}}', "not valid JSON"),
        (b"\xef\xbb\xbf{}", "not valid JSON"),
        (b'{"issue": {"number": 1}}\x00', "not valid JSON"),
        (b"[1, 2]", "does not hold a JSON object"),
        (b'"issue"', "does not hold a JSON object"),
        (b"null", "does not hold a JSON object"),
        (b'{"action": "created"}', "no issue.number"),
        (b'{"action": "created", "issue": null}', "no issue.number"),
        (b'{"action": "created", "issue": [1]}', "no issue.number"),
        (b'{"action": "created", "issue": {"title": "no number"}}', "no issue.number"),
        (b'{"action": "created", "issue": {"number": "1"}}', "no issue.number"),
        (b'{"action": "created", "issue": {"number": 1.5}}', "no issue.number"),
    ],
    ids=[
        "truncated",
        "empty",
        "blank",
        "latin-1",
        "byte-order mark",
        "trailing NUL",
        "array",
        "string",
        "null",
        "no issue",
        "issue null",
        "issue a list",
        "no number",
        "number a string",
        "number a float",
    ],
)
def test_a_malformed_event_file_is_one_named_problem(tmp_path: Path, content: bytes, says: str) -> None:
    path = tmp_path / "event.json"
    path.write_bytes(content)

    with pytest.raises(EventProblem) as raised:
        issue_facts(read_event(str(path)))

    assert says in str(raised.value)


def test_a_well_formed_event_file_gives_its_issue(tmp_path: Path) -> None:
    path = tmp_path / "event.json"
    path.write_bytes(b'{"action": "created", "issue": {"number": 7, "labels": [{"name": "a"}]}}')

    facts = issue_facts(read_event(str(path)))

    assert (facts.number, facts.labels) == (7, ("a",))
