"""Benchmark of `/follow-ups`: the reads and writes of one command opening the issues of 10 follow-up items.

Run: .venv/bin/python benchmarks/follow_ups.py   (bench.py prints the same rows)
"""

from __future__ import annotations

import tempfile
from datetime import timedelta
from pathlib import Path

from bench import LABEL, REPO, comment_payload, issue_payload, run_cli, seeded

from incident_ops.cli.demo_report import REPORT

CONFIG = "follow_ups:\n  section: Follow-up actions\n"


def follow_ups_costs(items: int = 10) -> tuple[tuple[int, int], tuple[int, int]]:
    """(reads, writes) of the `/follow-ups` comment event, then of the same event delivered again."""
    with seeded() as emu, tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        config = workdir / ".github" / "incident-ops.yml"
        config.parent.mkdir(parents=True)
        config.write_text(CONFIG, encoding="utf-8")
        actions = "\n".join(f"- [ ] Follow-up action number {index} for the hub" for index in range(items))
        body = REPORT.replace("### Follow-up actions", f"### Follow-up actions\n\n{actions}\n")
        number = emu.create_issue(REPO, "Hub down", body, "steward")
        emu.add_labels(REPO, number, [LABEL], "steward")
        run_cli(emu, workdir, ["run"], "issues", issue_payload(emu, number, "labeled", "steward"))
        emu.advance(timedelta(minutes=1))
        cid = emu.add_comment(REPO, number, "engineer", "/follow-ups")
        first = run_cli(emu, workdir, ["run"], "issue_comment", comment_payload(emu, number, cid))
        again = run_cli(emu, workdir, ["run"], "issue_comment", comment_payload(emu, number, cid))
        return first, again


def follow_ups_rows() -> list[tuple[str, str]]:
    """The benchmark's rows."""
    (reads, writes), (again_reads, again_writes) = follow_ups_costs()
    return [
        (
            "`/follow-ups` with 10 items (opens 10 issues, creates the label)",
            f"{reads} reads, {writes} writes",
        ),
        ("the same `/follow-ups` event delivered again", f"{again_reads} reads, {again_writes} writes"),
    ]


if __name__ == "__main__":
    print("| Measure | Result |\n| --- | --- |")
    for measure, result in follow_ups_rows():
        print(f"| {measure} | {result} |")
