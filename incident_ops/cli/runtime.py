"""The GitHub Actions runtime: environment, event file, step outputs, job summary, annotations."""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from incident_ops.cli.workflow_commands import escape_data
from incident_ops.config.load import find_workspace
from incident_ops.config.types import Config
from incident_ops.core.commands.lines import find_commands
from incident_ops.core.model import Comment
from incident_ops.core.text.redaction import forms
from incident_ops.core.text.wording import api_calls
from incident_ops.github.convert import comment_from, issue_from
from incident_ops.github.port import CallCounter
from incident_ops.integrations.deliveries import secret_names
from incident_ops.serving.services import EventIssue, IncidentResult

ISSUE_ACTIONS = frozenset({"opened", "labeled", "unlabeled", "edited", "reopened", "closed"})


class EventProblem(Exception):
    """The event file is missing, unreadable or not shaped like a GitHub event."""


@dataclass(frozen=True)
class RunnerEnv:
    """The standard variables a workflow step sees."""

    event_name: str
    event_path: str | None
    repository: str | None
    api_url: str
    workspace: Path
    output_path: str | None
    summary_path: str | None
    token: str | None

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> RunnerEnv:
        """Read GITHUB_* variables (the token from GITHUB_TOKEN)."""
        return cls(
            event_name=env.get("GITHUB_EVENT_NAME", ""),
            event_path=env.get("GITHUB_EVENT_PATH") or None,
            repository=env.get("GITHUB_REPOSITORY") or None,
            api_url=env.get("GITHUB_API_URL") or "https://api.github.com",
            workspace=find_workspace(env.get("GITHUB_WORKSPACE"), Path.cwd()),
            output_path=env.get("GITHUB_OUTPUT") or None,
            summary_path=env.get("GITHUB_STEP_SUMMARY") or None,
            token=env.get("GITHUB_TOKEN") or None,
        )


def read_event(path: str | None) -> dict[str, Any]:
    """The webhook payload the runner wrote to GITHUB_EVENT_PATH."""
    if not path:
        raise EventProblem("GITHUB_EVENT_PATH is not set")
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise EventProblem(f"cannot read the event file {path}: {error.strerror}") from error
    except (ValueError, RecursionError) as error:
        raise EventProblem(f"the event file {path} is not valid JSON: {error}") from error
    if not isinstance(data, dict):
        raise EventProblem(f"the event file {path} does not hold a JSON object")
    return data


@dataclass(frozen=True)
class IssueEventFacts:
    """What a run needs from an issues/issue_comment payload."""

    number: int
    labels: tuple[str, ...]
    comment_by_bot: bool
    is_pull_request: bool
    comment_body: str = ""
    comment_id: int = 0
    body_before_edit: str | None = None  # issue_comment.edited: the comment as it read before the edit


def issue_facts(payload: dict[str, Any]) -> IssueEventFacts:
    """The issue number and labels of an issue event, validated."""
    issue = payload.get("issue")
    number = issue.get("number") if isinstance(issue, dict) else None
    if not isinstance(issue, dict) or not isinstance(number, int) or isinstance(number, bool) or number <= 0:
        raise EventProblem("the event has no issue.number (a positive whole number)")
    raw_labels = issue.get("labels") or []
    if not isinstance(raw_labels, list):
        raise EventProblem("the event's issue.labels is not a list")
    labels = tuple(str(label.get("name")) for label in raw_labels if isinstance(label, dict))
    comment = payload.get("comment")
    user = comment.get("user") if isinstance(comment, dict) else None
    by_bot = isinstance(user, dict) and user.get("type") == "Bot"
    body = comment.get("body") if isinstance(comment, dict) else None
    comment_id = comment.get("id") if isinstance(comment, dict) else None
    changes = payload.get("changes") if isinstance(comment, dict) else None
    change = changes.get("body") if isinstance(changes, dict) else None
    before = change.get("from") if isinstance(change, dict) else None
    return IssueEventFacts(
        number,
        labels,
        by_bot,
        "pull_request" in issue,
        body if isinstance(body, str) else "",
        comment_id if isinstance(comment_id, int) and not isinstance(comment_id, bool) else 0,
        before if isinstance(before, str) else None,
    )


def deleted_comment(payload: dict[str, Any]) -> Comment | None:
    """The comment an issue_comment.deleted event last showed (GitHub keeps no copy once it is gone)."""
    comment = payload.get("comment")
    try:
        return comment_from(comment, frozenset()) if isinstance(comment, dict) else None
    except (KeyError, TypeError, ValueError, AttributeError):
        return None


def event_issue(payload: dict[str, Any], tool_logins: frozenset[str] = frozenset()) -> EventIssue | None:
    """The issue as a comment's event carried it; None for other events or when it lacks what a read gives."""
    issue, comment = payload.get("issue"), payload.get("comment")
    comment_id = comment.get("id") if isinstance(comment, dict) else None
    if not isinstance(comment_id, int) or isinstance(comment_id, bool):
        return None
    if not isinstance(issue, dict) or issue.get("state") not in ("open", "closed"):
        return None
    texts = ("title", "created_at", "updated_at", "html_url")
    if not all(isinstance(issue.get(key), str) for key in texts) or not isinstance(issue.get("user"), dict):
        return None
    try:
        return EventIssue(issue_from(issue, tool_logins), comment_id)
    except (KeyError, TypeError, ValueError, AttributeError):
        return None


def write_outputs(path: str | None, outputs: Mapping[str, str]) -> None:
    """Append step outputs to $GITHUB_OUTPUT (multi-line safe)."""
    if not path:
        return
    with open(path, "a", encoding="utf-8") as out:
        for name, value in outputs.items():
            delimiter = f"incident_ops_{secrets.token_hex(16)}"
            out.write(f"{name}<<{delimiter}\n{value}\n{delimiter}\n")


def write_summary(path: str | None, markdown: str) -> None:
    """Append Markdown to the job summary."""
    if not path:
        return
    with open(path, "a", encoding="utf-8") as out:
        out.write(markdown.rstrip() + "\n")


def summary_markdown(
    results: list[IncidentResult], counter: CallCounter, dry_run: bool, problems: list[str] | None = None
) -> str:
    """A short account of the run: what was done per incident, and the API calls spent."""
    lines = ["### incident-ops" + (" (dry run: nothing was written)" if dry_run else ""), ""]
    if results:
        lines += ["| Incident | State | What was done |", "| --- | --- | --- |"]
        for r in results:
            done = "; ".join(r.done) if r.done else "nothing was due"
            if r.error:
                done = f"**failed:** {r.error} (rerun the workflow to retry; it is safe)"
            title = markdown_text(r.title)
            lines.append(f"| [#{r.number} {title}]({r.url}) | {r.state} | {done} |")
    else:
        lines.append("No incident needed anything.")
    warnings = [f"- {p}" for p in problems or []] + [
        f"- #{r.number}: {w}" for r in results for w in r.warnings
    ]
    if warnings:
        lines += [
            "",
            "**Problems** (everything else was done; integration messages are retried by the next run):",
            *warnings,
        ]
    lines += ["", api_calls(counter.reads, counter.writes) + "."]
    return "\n".join(lines)


def outputs_of(results: list[IncidentResult]) -> dict[str, str]:
    """Step outputs: the incident (for event runs), its state, and every action taken."""
    single = results[0] if len(results) == 1 else None
    return {
        "incident": str(single.number) if single else "",
        "state": single.state if single else "",
        "actions": json.dumps([f"#{r.number}: {d}" for r in results for d in r.done]),
    }


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+\-.!|~&@:])")


def markdown_text(text: str) -> str:
    """User text safe inside a Markdown table cell or link text: one line, punctuation escaped."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def mask_commands(env: Mapping[str, str], config: Config) -> list[str]:
    """`::add-mask::` lines for every secret a run holds, in every form it may be echoed in."""
    secrets = [env.get(name, "") for name in ("GITHUB_TOKEN", *secret_names(config))]
    lines = {form for secret in secrets for line in secret.splitlines() for form in forms(line)}
    return [f"::add-mask::{escape_data(line)}" for line in sorted(lines)]


def skip_reason(event: str, action: str, facts: IssueEventFacts, label: str) -> str | None:
    """Why an event needs no work, if it needs none (checked before any API call)."""
    if facts.is_pull_request:
        return "the comment is on a pull request"
    if event == "issues" and action not in ISSUE_ACTIONS:
        return f"issues.{action} is not handled"
    if event == "issue_comment" and action not in ("created", "edited", "deleted"):
        return f"issue_comment.{action} is not handled"
    if facts.comment_by_bot:
        return "the comment is by a bot"
    edited = event == "issue_comment" and action == "edited"
    if edited and not (facts.comment_id and find_commands(facts.body_before_edit or "")):
        return "the edited comment held no command"  # what it says now is never a new command
    if event == "issue_comment" and action == "deleted" and not find_commands(facts.comment_body):
        return "the deleted comment held no command"
    if label not in {name.casefold() for name in facts.labels} and not declares(event, facts):
        return f"#{facts.number} is not an incident"
    return None


def declares(event: str, facts: IssueEventFacts) -> bool:
    """Whether a comment on a plain issue asks to declare it (the only command such an issue answers)."""
    return event == "issue_comment" and any(c.name == "declare" for c in find_commands(facts.comment_body))
