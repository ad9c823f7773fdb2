"""Benchmark of the PagerDuty sync: PagerDuty and GitHub requests per sweep, by how many PagerDuty incidents.

Run: .venv/bin/python benchmarks/pagerduty_sync.py   (bench.py --pagerduty prints the same rows)
Each size is a fresh emulator and PagerDuty REST stand-in on 127.0.0.1 with that many open incidents on one
service: the first sweep opens their issues; the second finds nothing changed.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from bench import REPO, run_cli, seeded

from incident_ops.standins import PagerDutyRestStandIn

CONFIG = """integrations:
  pagerduty:
    sync:
      {api_key_env: PAGERDUTY_API_KEY, from_email: oncall@bench.example, services: [SERVICE], api_url: URL}
"""


def sweep_costs(incidents: int) -> tuple[tuple[int, int, int, int], tuple[int, int, int, int]]:
    """(PagerDuty lists, its other requests, GitHub reads, GitHub writes) of the first and second sweep."""
    with (
        seeded() as emu,
        tempfile.TemporaryDirectory() as tmp,
        PagerDutyRestStandIn(now=lambda: emu.now) as pd,
    ):
        workdir = Path(tmp)
        pd.add_user("On call", "oncall@bench.example")
        service = pd.add_service("Hub")
        for index in range(incidents):
            pd.add_incident(f"Hub alert {index}", service, priority="P2")
        config = workdir / ".github" / "incident-ops.yml"
        config.parent.mkdir(parents=True)
        config.write_text(CONFIG.replace("SERVICE", service).replace("URL", pd.url), encoding="utf-8")
        env = {"PAGERDUTY_API_KEY": pd.api_key}
        costs = []
        for _ in range(2):
            before = len(pd.log)
            reads, writes = run_cli(emu, workdir, ["sweep", "--repo", REPO], "schedule", extra_env=env)
            made = pd.log[before:]
            lists = sum(1 for r in made if r.method == "GET" and r.path == "/incidents")
            costs.append((lists, len(made) - lists, reads, writes))
        return costs[0], costs[1]


def pagerduty_rows(sizes: tuple[int, ...] = (0, 1, 50, 150)) -> list[tuple[str, str]]:
    """One row per size and sweep."""
    rows = []
    for size in sizes:
        first, second = sweep_costs(size)
        for name, (lists, other, reads, writes) in (
            ("first sweep", first),
            ("next sweep, nothing changed", second),
        ):
            rows.append(
                (
                    f"PagerDuty sync, {size} open PagerDuty incidents, {name}",
                    f"PagerDuty: {lists} list, {other} other; GitHub: {reads} reads, {writes} writes",
                )
            )
    return rows


if __name__ == "__main__":
    print("| Measure | Result |\n| --- | --- |")
    for measure, result in pagerduty_rows():
        print(f"| {measure} | {result} |")
