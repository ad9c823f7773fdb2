"""The `status-page` subcommand: read the incidents the page may show, and write the site into a folder."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from incident_ops.cli import runtime
from incident_ops.cli.exit_codes import GITHUB_FAILED, OK
from incident_ops.cli.parser import UsageProblem
from incident_ops.core.model import Issue
from incident_ops.core.text.wording import api_calls, counted
from incident_ops.github.port import CallBudgetSpent, GitHubFailure
from incident_ops.serving.read import read_history
from incident_ops.serving.services import Services
from incident_ops.serving.settle import settle
from incident_ops.status_page.extract import public_incident
from incident_ops.status_page.model import PublicIncident
from incident_ops.status_page.site import Site, build

INCIDENT_PAGE = re.compile(r"\d+\.html")


@dataclass
class Collected:
    """The incidents read, as the public sees them, and those that could not be read."""

    incidents: list[PublicIncident] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)


def checked_out(path: str, option: str = "status-page --out") -> Path:
    """--out: a folder that exists or can be made, and that can be written (checked before any API call)."""
    out = Path(path)
    if out.exists() and not out.is_dir():
        raise UsageProblem(f"{option}: {out} is a file; give a folder (it is made when missing)")
    try:
        out.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=out):
            pass
    except OSError as error:
        reason = error.strerror or str(error)
        message = f"{option}: cannot write into {out} ({reason}); give a folder you may write"
        raise UsageProblem(message) from error
    return out


def candidates(services: Services, history_days: int) -> list[Issue]:
    """Every open incident, and the closed ones touched within the window (GitHub's `since`: a superset)."""
    config, port = services.context.config, services.port
    since = services.context.now - timedelta(days=history_days)
    issues = {issue.number: issue for issue in port.list_issues(config.incident_label, state="open")}
    for issue in port.list_issues(config.incident_label, state="closed", since=since):
        issues.setdefault(issue.number, issue)
    return [issues[number] for number in sorted(issues)]


def collect(services: Services, history_days: int) -> Collected:
    """Read and fold each candidate exactly as a run would; one that cannot be read is named, not fatal."""
    collected = Collected()
    issues = candidates(services, history_days)
    for index, issue in enumerate(issues):
        try:
            incident = public_incident(settle(read_history(services, issue), services))
        except CallBudgetSpent as spent:
            left = f" and {len(issues) - index - 1} more" if index + 1 < len(issues) else ""
            collected.failures.append(
                f"#{issue.number}{left}: {spent}; raise INCIDENT_OPS_CALL_BUDGET (the action's "
                "operations-per-run) or lower status_page.history_days"
            )
            break
        except GitHubFailure as error:
            collected.failures.append(f"#{issue.number}: {error}")
            continue
        except Exception as error:  # noqa: BLE001 - named in the output, never a traceback
            collected.failures.append(f"#{issue.number}: {type(error).__name__}: {error}")
            continue
        if incident is not None:
            collected.incidents.append(incident)
    return collected


def write_site(out: Path, files: dict[str, str]) -> list[Path]:
    """Write the files; an incident page of an earlier build that is no longer shown is removed."""
    for name, text in files.items():
        target = out / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    folder = out / "incidents"
    stale = [
        page
        for page in sorted(folder.iterdir())
        if INCIDENT_PAGE.fullmatch(page.name) and f"incidents/{page.name}" not in files
    ]
    for page in stale:
        page.unlink()
    return stale


def run_status_page(
    services: Services,
    out: Path,
    repo_url: str,
    say: Callable[[str], None] = print,
    summary_path: str | None = None,
) -> int:
    """Build the site into `out`; say what was written. Exit 3 when an incident could not be read."""
    settings = services.context.config.status_page
    collected = collect(services, settings.history_days)
    title = settings.title or f"{services.repo} status"
    site = Site(title, services.repo, repo_url, services.context.now, settings.history_days)
    files = build(site, collected.incidents)
    try:
        out.mkdir(parents=True, exist_ok=True)
        (out / "incidents").mkdir(exist_ok=True)
        stale = write_site(out, files)
    except OSError as error:
        raise UsageProblem(f"status-page --out: cannot write into {out} ({error})") from error
    pages = sum(1 for name in files if name.startswith("incidents/"))
    active = sum(1 for i in collected.incidents if i.active)
    lines = [
        f"wrote {out / 'index.html'} ({counted(active, 'active incident')}, {pages - active} past)",
        f"wrote {out / 'feed.xml'}, {out / 'incidents.json'} and {counted(pages, 'incident page')} in "
        f"{out / 'incidents'}",
        *(f"removed {page} (no longer shown)" for page in stale),
        api_calls(services.port.counter.reads, services.port.counter.writes),
    ]
    for line in lines:
        say(line)
    runtime.write_summary(summary_path, "### Status page\n\n" + "\n".join(f"- {line}" for line in lines))
    for failure in collected.failures:
        failed = runtime.escape_data(failure)
        say(f"::error::could not read {failed}; the page was built from the others. Rerunning is safe.")
    return GITHUB_FAILED if collected.failures else OK
