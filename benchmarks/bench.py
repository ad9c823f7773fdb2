"""Benchmark: API calls per event and per sweep, wall time per run, the status page, and setup time.

Run: .venv/bin/python benchmarks/bench.py [--quick] [--setup] [--status-page] [--pagerduty]
Everything runs against the local GitHub emulator on 127.0.0.1; nothing leaves the machine.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from incident_ops.cli.main import main
from incident_ops.emulator import GitHubEmulator

REPO = "bench-org/support"
TOKEN = "bench-token"
LABEL = "type: Hub Incident"
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ROOT = Path(__file__).resolve().parent.parent


@contextlib.contextmanager
def seeded() -> Iterator[GitHubEmulator]:
    """An emulator with a repository, the Actions bot and a small team."""
    with GitHubEmulator(now=START) as emu:
        emu.create_repo(REPO)
        emu.add_user("github-actions[bot]", type="Bot")
        emu.add_token(TOKEN, "github-actions[bot]")
        for login, role in (("steward", "triage"), ("engineer", "write"), ("reporter", None)):
            emu.add_user(login)
            if role:
                emu.set_permission(REPO, login, role)
        yield emu


def env_for(emu: GitHubEmulator, workdir: Path, event: str = "", path: str = "") -> dict[str, str]:
    """A runner-like environment pointing at the emulator."""
    return {
        "GITHUB_EVENT_NAME": event,
        "GITHUB_EVENT_PATH": path,
        "GITHUB_REPOSITORY": REPO,
        "GITHUB_API_URL": emu.api_url,
        "GITHUB_WORKSPACE": str(workdir),
        "GITHUB_TOKEN": TOKEN,
        "INCIDENT_OPS_NOW": emu.now.isoformat(),
        "INCIDENT_OPS_CALL_BUDGET": "100000",  # the benchmark declares hundreds of incidents in one sweep
    }


def run_cli(
    emu: GitHubEmulator,
    workdir: Path,
    argv: list[str],
    event: str = "",
    payload: dict | None = None,
    extra_env: dict[str, str] | None = None,
) -> tuple[int, int]:
    """Run the CLI in-process; the (reads, writes) it made."""
    path = ""
    if payload is not None:
        file = workdir / "event.json"
        file.write_text(json.dumps(payload), encoding="utf-8")
        path = str(file)
    before = len(emu.requests)
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        code = main(argv, {**env_for(emu, workdir, event, path), **(extra_env or {})})
    if code != 0:
        raise RuntimeError(f"incident-ops {argv} exited {code}")
    made = emu.requests[before:]
    reads = sum(1 for r in made if r.method == "GET")
    return reads, len(made) - reads


def declare(emu: GitHubEmulator, workdir: Path, comments: int = 0) -> int:
    """A declared incident with `comments` chatter comments."""
    number = emu.create_issue(REPO, "Hub down", "", "reporter")
    emu.add_labels(REPO, number, [LABEL], "steward")
    payload = issue_payload(emu, number, "labeled", "steward")
    run_cli(emu, workdir, ["run"], "issues", payload)
    for i in range(comments):
        emu.add_comment(REPO, number, "reporter", f"Still broken here ({i}).")
    return number


def issue_payload(emu: GitHubEmulator, number: int, action: str, sender: str) -> dict:
    """An issues webhook payload for the issue as it is."""
    return {
        "action": action,
        "issue": emu.issue(REPO, number),
        "repository": emu.repo_json(REPO),
        "sender": emu.user_json(sender),
        "label": emu.label_json(REPO, LABEL),
    }


def comment_payload(emu: GitHubEmulator, number: int, comment_id: int) -> dict:
    """An issue_comment.created webhook payload for a comment, with the issue as it is."""
    comment = emu.comment(REPO, comment_id)
    return {
        "action": "created",
        "issue": emu.issue(REPO, number),
        "repository": emu.repo_json(REPO),
        "sender": comment["user"],
        "comment": comment,
    }


def declaration_calls() -> tuple[int, int]:
    """Calls of the run that declares an incident (the `labeled` event)."""
    with seeded() as emu, tempfile.TemporaryDirectory() as tmp:
        number = emu.create_issue(REPO, "Hub down", "", "reporter")
        emu.add_labels(REPO, number, [LABEL], "steward")
        return run_cli(emu, Path(tmp), ["run"], "issues", issue_payload(emu, number, "labeled", "steward"))


def comment_event_calls(size: int) -> tuple[int, int]:
    """Calls of one `/update` comment event on an incident with `size` comments."""
    with seeded() as emu, tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        number = declare(emu, workdir, comments=max(size - 3, 0))
        emu.advance(timedelta(minutes=1))
        cid = emu.add_comment(REPO, number, "engineer", "/update Investigating.")
        return run_cli(emu, workdir, ["run"], "issue_comment", comment_payload(emu, number, cid))


def quiet_sweep_calls(incidents: int) -> tuple[int, int]:
    """Calls of a sweep with nothing due over `incidents` open incidents."""
    with seeded() as emu, tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        for _ in range(incidents):
            number = emu.create_issue(REPO, "Hub down", "", "reporter")
            emu.add_labels(REPO, number, [LABEL], "steward")
        run_cli(emu, workdir, ["sweep", "--repo", REPO], "schedule")  # declares them all
        emu.advance(timedelta(minutes=1))
        return run_cli(emu, workdir, ["sweep", "--repo", REPO], "schedule")


@contextlib.contextmanager
def chat_counter(failing: list[bool] | None = None) -> Iterator[tuple[str, list[bytes]]]:
    """A stand-in Slack webhook on 127.0.0.1 that counts the messages it receives (500 while `failing[0]`)."""
    import http.server
    import threading

    received: list[bytes] = []
    outage = failing if failing is not None else [False]

    class Hook(http.server.BaseHTTPRequestHandler):
        """Accepts every POST, as Slack does."""

        def do_POST(self) -> None:  # noqa: N802 - the name http.server calls
            """Take one message."""
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.send_response(500 if outage[0] else 200)
            self.end_headers()
            self.wfile.write(b"rollup_error" if outage[0] else b"ok")
            if not outage[0]:
                received.append(body)

        def log_message(self, *args: object) -> None:
            """Quiet."""

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/services/T0/B0/bench", received
    finally:
        server.shutdown()
        server.server_close()


def bot_writes(emu: GitHubEmulator, since: int) -> list:
    """The tool's write requests after the first `since` requests."""
    return [r for r in emu.requests[since:] if r.method != "GET" and r.login == "github-actions[bot]"]


MENTION = re.compile(r"(?<![\w`])@[A-Za-z0-9]")


def stranger_commands_cost(comments: int = 100) -> tuple[int, int]:
    """Bot writes and reads caused by one stranger's `comments` command comments (each event run)."""
    commands = ("/resolved", "/help", "/status", "/commander", "/close", "/declare", "/update hi")
    with seeded() as emu, tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        emu.add_user("passer-by")
        number = declare(emu, workdir)
        before = len(emu.requests)
        for index in range(comments):
            emu.advance(timedelta(seconds=10))  # 100 comments in under 17 minutes: no timer falls due
            cid = emu.add_comment(REPO, number, "passer-by", commands[index % len(commands)])
            run_cli(emu, workdir, ["run"], "issue_comment", comment_payload(emu, number, cid))
        made = emu.requests[before:]
        return len(bot_writes(emu, before)), sum(1 for r in made if r.method == "GET")


def stranger_form_issues_cost(issues: int = 50) -> tuple[int, int, int]:
    """Bot writes, team mentions and chat messages caused by `issues` form issues from strangers.

    Each issue's opened and labeled events run; then sweeps run past the escalation and three update
    deadlines (13 hours), as the schedule would.
    """
    with seeded() as emu, tempfile.TemporaryDirectory() as tmp, chat_counter() as (url, received):
        workdir = Path(tmp)
        config = workdir / ".github" / "incident-ops.yml"
        config.parent.mkdir(parents=True)
        config.write_text(
            'escalation:\n  mention: ["@bench-org/engineering"]\nintegrations:\n  slack_webhook_env: SLACK\n',
            encoding="utf-8",
        )
        before = len(emu.requests)
        for index in range(issues):
            author = f"stranger-{index}"
            emu.add_user(author)
            number = emu.create_issue(
                REPO, "[Incident] Hub down", "It does not load.", author, labels=(LABEL,)
            )
            for action in ("opened", "labeled"):
                payload = issue_payload(emu, number, action, author)
                run_cli(emu, workdir, ["run"], "issues", payload, extra_env={"SLACK": url})
        for hours in (1, 4, 4, 4):
            emu.advance(timedelta(hours=hours))
            run_cli(emu, workdir, ["sweep", "--repo", REPO], "schedule", extra_env={"SLACK": url})
        writes = bot_writes(emu, before)
        bodies = [str(r.json.get("body", "")) for r in writes if isinstance(r.json, dict)]
        mentions = sum(1 for body in bodies if MENTION.search(re.sub(r"<!--.*?-->", "", body, flags=re.S)))
        return len(writes), mentions, len(received)


def folds_per_run() -> list[tuple[str, int]]:
    """How often each kind of run folds the incident's history (the settle loop's passes, all told)."""
    import incident_ops.serving.settle as settle_module

    original, count = settle_module.fold, [0]

    def counted(*args: object, **kwargs: object) -> object:
        count[0] += 1
        return original(*args, **kwargs)  # type: ignore[arg-type]

    settle_module.fold = counted  # type: ignore[assignment]
    found = []
    try:
        with seeded() as emu, tempfile.TemporaryDirectory() as tmp:
            workdir = Path(tmp)
            number = emu.create_issue(REPO, "Hub down", "", "reporter")
            emu.add_labels(REPO, number, [LABEL], "steward")
            runs = [("declaration", ["run"], "issues", issue_payload(emu, number, "labeled", "steward"))]
            for text in ("/update Investigating.", "/commander"):
                emu.advance(timedelta(minutes=1))
                cid = emu.add_comment(REPO, number, "engineer", text)
                runs.append(
                    (
                        f"`{text.split()[0]}` comment",
                        ["run"],
                        "issue_comment",
                        comment_payload(emu, number, cid),
                    )
                )
            runs.append(("the same comment redelivered", ["run"], "issue_comment", runs[-1][3]))
            for name, argv, event, payload in runs:
                count[0] = 0
                run_cli(emu, workdir, argv, event, payload)
                found.append((name, count[0]))
            emu.advance(timedelta(minutes=40))
            for name in ("sweep that escalates one incident", "quiet sweep of one incident"):
                count[0] = 0
                run_cli(emu, workdir, ["sweep", "--repo", REPO], "schedule")
                found.append((name, count[0]))
    finally:
        settle_module.fold = original
    return found


def upgrade_edits(incidents: int = 100) -> tuple[int, list[int]]:
    """Status edits of the first sweep after an upgrade that draws nothing new, and those of the sweeps
    after one with a new rendering (default call budget), over `incidents` open incidents."""
    import incident_ops
    from incident_ops.core.comments import render

    version, rendering = incident_ops.__version__, render.RENDERING_VERSION
    budget = {"INCIDENT_OPS_CALL_BUDGET": "500"}
    with seeded() as emu, tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        for _ in range(incidents):
            number = emu.create_issue(REPO, "Hub down", "", "reporter")
            emu.add_labels(REPO, number, [LABEL], "steward")
        run_cli(emu, workdir, ["sweep", "--repo", REPO], "schedule")
        try:
            incident_ops.__version__ = "99.0.0"  # what an upgrade changes when it draws nothing new
            quiet = run_cli(emu, workdir, ["sweep", "--repo", REPO], "schedule", extra_env=budget)[1]
            render.RENDERING_VERSION = rendering + 1
            spread = []
            while sum(spread) < incidents and len(spread) < 10:
                spread.append(
                    run_cli(emu, workdir, ["sweep", "--repo", REPO], "schedule", extra_env=budget)[1]
                )
        finally:
            incident_ops.__version__, render.RENDERING_VERSION = version, rendering
    return quiet, spread


CHAT_CONFIG = "integrations:\n  slack_webhook_env: SLACK\n"


def delivery_costs(messages: int = 10) -> tuple[float, float, float, float]:
    """API reads and writes per chat message: delivered at once (its claim), and retried after an outage.

    Each message is an incident's declaration; the figures are what the same runs cost without chat.
    """

    def declarations(chat: bool, outage: bool) -> tuple[int, int, int, int]:
        failing = [outage]
        with seeded() as emu, tempfile.TemporaryDirectory() as tmp, chat_counter(failing) as (url, received):
            workdir = Path(tmp)
            if chat:
                (workdir / ".github").mkdir()
                (workdir / ".github" / "incident-ops.yml").write_text(CHAT_CONFIG, encoding="utf-8")
            env = {"SLACK": url, "INCIDENT_OPS_RETRY_DELAY": "0"}
            first = [0, 0]
            for _ in range(messages):
                number = emu.create_issue(REPO, "Hub down", "", "reporter")
                emu.add_labels(REPO, number, [LABEL], "steward")
                payload = issue_payload(emu, number, "labeled", "steward")
                reads, writes = run_cli(emu, workdir, ["run"], "issues", payload, extra_env=env)
                first = [first[0] + reads, first[1] + writes]
            failing[0] = False
            emu.advance(timedelta(minutes=1))
            retry = run_cli(emu, workdir, ["sweep", "--repo", REPO], "schedule", extra_env=env)
            assert not chat or len(received) == messages
            return first[0], first[1], retry[0], retry[1]

    plain = declarations(chat=False, outage=False)
    delivered = declarations(chat=True, outage=False)
    retried = declarations(chat=True, outage=True)
    first_reads = (delivered[0] - plain[0]) / messages
    first_writes = (delivered[1] - plain[1]) / messages
    retry_reads = (retried[2] - plain[2]) / messages
    retry_writes = (retried[1] + retried[3] - plain[1] - plain[3]) / messages
    return first_reads, first_writes, retry_reads, retry_writes


def timed(command: list[str], env: dict[str, str] | None = None, cwd: Path | None = None) -> float:
    """Wall time of one run of a command, in seconds."""
    start = time.perf_counter()
    subprocess.run(command, env=env, cwd=cwd, check=True, capture_output=True, timeout=120)
    return time.perf_counter() - start


def run_wall_times(repeat: int) -> dict[str, float]:
    """Median wall time of `incident-ops run` per kind of event, and of the floor `import github`.

    Each timed run is followed by a run of the floor, so both see the machine in the same state.
    """
    import compileall
    import os

    # Installed packages have bytecode (pip compiles them); an editable checkout may not, when
    # PYTHONDONTWRITEBYTECODE is set. Compile it so both sides of the ratio start alike.
    compileall.compile_dir(str(ROOT / "incident_ops"), quiet=1)
    command = [sys.executable, "-m", "incident_ops", "run"]
    times: dict[str, list[float]] = {"declaration": [], "comment": [], "redelivery": [], "floor": []}

    with seeded() as emu, tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)

        def run(kind: str, event: str, payload: dict) -> None:
            """Time one run on `payload`, then the floor."""
            file = workdir / "event.json"
            file.write_text(json.dumps(payload), encoding="utf-8")
            env = {**os.environ, **env_for(emu, workdir, event, str(file))}
            times[kind].append(timed(command, env))
            times["floor"].append(timed([sys.executable, "-c", "import github"]))

        first = 0
        for _ in range(repeat):  # each a new incident: acknowledgement and status comment posted
            number = emu.create_issue(REPO, "Hub down", "", "reporter")
            emu.add_labels(REPO, number, [LABEL], "steward")
            first = first or number
            run("declaration", "issues", issue_payload(emu, number, "labeled", "steward"))
        payload: dict = {}
        for index in range(repeat):  # each a new command: update posted, status comment edited
            emu.advance(timedelta(minutes=1))
            cid = emu.add_comment(REPO, first, "engineer", f"/update Still investigating ({index}).")
            payload = comment_payload(emu, first, cid)
            run("comment", "issue_comment", payload)
        for _ in range(repeat):  # the last comment event again: nothing new
            run("redelivery", "issue_comment", payload)
    return {kind: statistics.median(values) for kind, values in times.items()}


def status_page_build(incidents: int) -> tuple[float, int, int]:
    """Wall time, reads and writes of `incident-ops status-page` over `incidents` incidents.

    Each incident is declared, acknowledged and has an update; every other one is resolved. The build runs as
    its own process, as in the workflow.
    """
    import os

    with seeded() as emu, tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        for index in range(incidents):
            number = emu.create_issue(REPO, f"Hub down ({index})", "", "reporter")
            emu.add_labels(REPO, number, [LABEL], "steward")
        run_cli(emu, workdir, ["sweep", "--repo", REPO], "schedule")  # declares and acknowledges them all
        emu.advance(timedelta(minutes=20))
        for number in range(1, incidents + 1):
            emu.add_comment(REPO, number, "engineer", "/update We are **on it**.")
            if number % 2:
                emu.add_comment(REPO, number, "engineer", "/resolved Fixed: the database is back.")
        run_cli(emu, workdir, ["sweep", "--repo", REPO], "schedule")  # posts the updates and resolutions
        emu.advance(timedelta(minutes=20))
        env = {**os.environ, **env_for(emu, workdir)}
        before = len(emu.requests)
        wall = timed(
            [sys.executable, "-m", "incident_ops", "status-page", "--out", str(workdir / "site")], env
        )
        made = emu.requests[before:]
        reads = sum(1 for r in made if r.method == "GET")
        return wall, reads, len(made) - reads


def status_page_rows(sizes: tuple[int, ...]) -> list[tuple[str, str]]:
    """One row per size: the build's wall time and its API calls."""
    rows = []
    for size in sizes:
        wall, reads, writes = status_page_build(size)
        rows.append(
            (
                f"`incident-ops status-page` over {size} incidents",
                f"{wall:.2f} s, {reads} reads, {writes} writes",
            )
        )
    return rows


def main_bench() -> None:
    """Print the benchmark table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller sizes, fewer repeats")
    parser.add_argument(
        "--setup",
        action="store_true",
        help="also time the action's install and first run, before and now, from an empty cache",
    )
    parser.add_argument(
        "--pagerduty",
        action="store_true",
        help="only the PagerDuty sync: requests per sweep with 0, 1, 50 and 150 PagerDuty incidents",
    )
    parser.add_argument(
        "--status-page",
        action="store_true",
        help="only the status page: build time and API calls over 10, 100 and 1000 incidents",
    )
    args = parser.parse_args()
    if args.pagerduty:
        from pagerduty_sync import pagerduty_rows  # its own module: it imports this one's emulator helpers

        print("| Measure | Result |\n| --- | --- |")
        for name, value in pagerduty_rows():
            print(f"| {name} | {value} |")
        return
    if args.status_page:
        print("| Measure | Result |\n| --- | --- |")
        for name, value in status_page_rows((10, 100) if args.quick else (10, 100, 1000)):
            print(f"| {name} | {value} |")
        return
    sizes = (10, 100) if args.quick else (10, 100, 1000)
    sweeps = (10, 100) if args.quick else (10, 100, 500)
    reads, writes = declaration_calls()
    rows = [("declaration (`issues.labeled` event)", f"{reads} reads, {writes} writes")]
    for size in sizes:
        reads, writes = comment_event_calls(size)
        rows.append(
            (f"`/update` comment event, incident of {size} comments", f"{reads} reads, {writes} writes")
        )
    for count in sweeps:
        reads, writes = quiet_sweep_calls(count)
        rows.append((f"quiet sweep over {count} incidents", f"{reads} reads, {writes} writes"))
    writes, reads = stranger_commands_cost()
    rows.append(("bot writes caused by 100 command comments from one stranger", f"{writes} ({reads} reads)"))
    writes, mentions, chats = stranger_form_issues_cost()
    rows.append(
        (
            "50 form issues from strangers, then 13 hours of sweeps",
            f"{writes} writes, {mentions} mentions, {chats} chat messages",
        )
    )
    rows += [(f"folds of the history: {name}", str(count)) for name, count in folds_per_run()]
    quiet, spread = upgrade_edits()
    rows.append(
        (
            "status edits, first sweep after an upgrade that changes nothing visible, 100 open incidents",
            str(quiet),
        )
    )
    rows.append(
        (
            "status edits per sweep after an upgrade with a new rendering, 100 open incidents (budget 500)",
            ", ".join(str(n) for n in spread),
        )
    )
    first_reads, first_writes, retry_reads, retry_writes = delivery_costs()
    rows.append(
        ("per chat message delivered at once: its claim", f"{first_reads:g} reads, {first_writes:g} writes")
    )
    rows.append(
        (
            "per chat message retried after an outage: claims, retry mark on and off, the read that finds it",
            f"{retry_reads:g} reads, {retry_writes:g} writes",
        )
    )
    from follow_ups import follow_ups_rows  # its own module: it imports this one's emulator helpers

    rows += follow_ups_rows()
    walls = run_wall_times(3 if args.quick else 9)
    floor = walls["floor"]
    for kind, name in (
        ("declaration", "declaration (posts 2 comments)"),
        ("comment", "`/update` comment event (posts 1, edits the status)"),
        ("redelivery", "redelivered comment event (nothing new)"),
    ):
        wall = walls[kind]
        rows.append((f"wall time: `incident-ops run`, {name}", f"{wall:.2f} s ({wall / floor:.2f} × floor)"))
    rows.append(('floor: `python -c "import github"`', f"{floor:.2f} s"))
    print("| Measure | Result |\n| --- | --- |")
    for name, value in rows:
        print(f"| {name} | {value} |")
    if args.setup:
        from setup_time import setup_table  # its own module: it imports this one's emulator helpers

        print()
        print(setup_table(1 if args.quick else 3))


if __name__ == "__main__":
    main_bench()
