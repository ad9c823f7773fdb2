"""From the environment and options to the services a run needs, and from its results to exit codes."""

from __future__ import annotations

import argparse
import json
import sys
import urllib.request
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path

from incident_ops.cli import runtime
from incident_ops.cli.exit_codes import GITHUB_FAILED, OK, PROBLEM
from incident_ops.cli.parser import UsageProblem, parse_instant
from incident_ops.cli.preflight import preflight
from incident_ops.cli.workflow_commands import config_problems_as_annotations
from incident_ops.config.load import (
    DEFAULT_CONFIG_PATH,
    ConfigError,
    ConfigUnreadable,
    find_workspace,
    load_config,
    repository_root,
)
from incident_ops.config.types import Config, Problem
from incident_ops.core.comments.render import Renderer, TemplateProblem
from incident_ops.core.context import Context
from incident_ops.core.model import DEFAULT_TOOL_LOGIN
from incident_ops.core.report.check import TemplateSource, read_template
from incident_ops.core.text.redaction import Redactor
from incident_ops.core.text.wording import api_calls
from incident_ops.core.workhours import WorkCalendar
from incident_ops.github.adapter import PyGithubPort
from incident_ops.github.port import (
    DEFAULT_BUDGET,
    GitHubFailure,
    GitHubNotFound,
    GitHubUnreachable,
    RetryPolicy,
)
from incident_ops.integrations.deliveries import from_config, secret_names
from incident_ops.serving.services import IncidentResult, Services
from incident_ops.serving.team import Team

TRUE = {"1", "true", "yes", "on"}


def now_from(args: argparse.Namespace, env: Mapping[str, str]) -> datetime:
    """--now, else INCIDENT_OPS_NOW, else the sandbox's clock (INCIDENT_OPS_CLOCK_URL), else the clock."""
    text = args.now or env.get("INCIDENT_OPS_NOW")
    source = "--now" if args.now else "INCIDENT_OPS_NOW"
    if not text and env.get("INCIDENT_OPS_CLOCK_URL"):
        text, source = _sandbox_clock(env["INCIDENT_OPS_CLOCK_URL"]), "INCIDENT_OPS_CLOCK_URL"
    if not text:
        return datetime.now(UTC)
    try:
        parsed = parse_instant(text)
    except (ValueError, OverflowError) as error:
        raise UsageProblem(
            f"{source}: {text!r} is not a time; give one like 2026-03-02T09:00:00Z (ISO 8601)"
        ) from error
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _sandbox_clock(url: str) -> str:
    """The instant a sandbox's clock shows (`incident-ops sandbox` prints the variable that names it)."""
    if not url.startswith("http://127.0.0.1:"):
        raise UsageProblem(
            f"INCIDENT_OPS_CLOCK_URL: {url!r} is not a local sandbox's clock (http://127.0.0.1:…)"
        )
    try:
        with urllib.request.urlopen(url, timeout=5) as answer:  # noqa: S310 - a local URL, checked above
            return str(json.loads(answer.read())["now"])
    except (OSError, ValueError, KeyError) as error:
        raise UsageProblem(
            f"INCIDENT_OPS_CLOCK_URL: cannot read the sandbox's clock at {url} ({error}); "
            "is `incident-ops sandbox` still running?"
        ) from error


def dry_run_from(args: argparse.Namespace, env: Mapping[str, str]) -> bool:
    """--dry-run, else INCIDENT_OPS_DRY_RUN."""
    return bool(args.dry_run) or env.get("INCIDENT_OPS_DRY_RUN", "").lower() in TRUE


def named_config(args: argparse.Namespace, env: Mapping[str, str]) -> str | None:
    """The config file named by --config, else INCIDENT_OPS_CONFIG (None: the workspace's default)."""
    return getattr(args, "config", None) or env.get("INCIDENT_OPS_CONFIG") or None


def workspace_for(named: str | None, env: Mapping[str, str]) -> Path:
    """Where the config's relative paths count from, for every subcommand alike: the repository holding
    the named file's `.github/`, else GITHUB_WORKSPACE, else the repository the current folder is in."""
    workspace = find_workspace(env.get("GITHUB_WORKSPACE"), Path.cwd())
    return repository_root(Path(named), otherwise=workspace) if named else workspace


def checked_setup(named: str | None, env: Mapping[str, str], render: bool = True) -> tuple[Config, Path]:
    """The config and its workspace, checked as validate-config checks them (ConfigError with every
    problem): what it names must be readable, and, with `render`, its templates must render."""
    workspace = workspace_for(named, env)
    try:
        config = load_config(workspace, named)
    except ConfigUnreadable as error:
        raise UsageProblem(str(error)) from error
    if render or config.report.template or config.templates_dir:
        problems = preflight(config, workspace, warnings=False).problems
        if problems:
            raise ConfigError([Problem("", problem) for problem in problems], named or DEFAULT_CONFIG_PATH)
    return config, workspace


def services_from(
    args: argparse.Namespace, env: Mapping[str, str], runner: runtime.RunnerEnv, repo: str
) -> Services:
    """The real collaborators of a run; a config with custom templates is checked as validate-config would."""
    config, workspace = checked_setup(named_config(args, env), env, render=False)
    if env.get("GITHUB_ACTIONS") == "true":
        for line in runtime.mask_commands(env, config):
            print(line)
    wh = config.working_hours
    calendar = WorkCalendar(wh.timezone, wh.days, wh.start, wh.end, wh.holidays, wh.country, wh.subdivision)
    template = template_from(config, workspace)
    templates_dir = workspace / config.templates_dir if config.templates_dir else None
    delay = retry_delay(env)
    tool_logins = tool_logins_of(env)
    budget = _whole_number(env, "INCIDENT_OPS_CALL_BUDGET", DEFAULT_BUDGET)
    retry = RetryPolicy(base_delay=delay)
    api_url = checked_api_url(runner)
    port = PyGithubPort(repo, runner.token, api_url, retry, tool_logins=tool_logins, budget=budget)
    renderer = Renderer(templates_dir, config.templates_dir)
    context = Context(config, calendar, renderer, now_from(args, env), template.text)
    integrations = from_config(config, env, retry_delay=delay)
    team = Team(port, config.team)
    redact = Redactor([runner.token or "", *(env.get(name, "") for name in secret_names(config))])
    return Services(
        repo,
        port,
        team,
        template,
        context,
        dry_run_from(args, env),
        say=lambda line: print(redact(line)),
        integrations=integrations,
        redact=redact,
        # A new rendering redraws status comments only with half the run's calls to spare: an upgrade
        # spreads its edits over the next sweeps instead of spending one sweep's budget on looks.
        may_restyle=lambda: port.counter.total < budget // 2,
    )


def template_from(config: Config, workspace: Path) -> TemplateSource:
    """The report template in use (report.template, else the bundled one)."""
    path = workspace / config.report.template if config.report.template else None
    try:
        return read_template(path)
    except (OSError, UnicodeDecodeError) as error:
        raise UsageProblem(f"report.template: cannot read {path}: {error}") from error


def _whole_number(env: Mapping[str, str], name: str, default: int) -> int:
    """A positive whole number from the environment."""
    text = env.get(name) or str(default)
    if not text.isdigit() or int(text) < 1:
        raise UsageProblem(f"{name}: {text!r} is not a positive whole number")
    return int(text)


def tool_logins_of(env: Mapping[str, str]) -> frozenset[str]:
    """The tool's own accounts: INCIDENT_OPS_TOOL_LOGIN's logins, and GitHub Actions' bot."""
    named = env.get("INCIDENT_OPS_TOOL_LOGIN", "").replace(",", " ").split()
    return frozenset(login.casefold() for login in (*named, DEFAULT_TOOL_LOGIN))


def retry_delay(env: Mapping[str, str]) -> float:
    """INCIDENT_OPS_RETRY_DELAY: the first retry's wait in seconds."""
    text = env.get("INCIDENT_OPS_RETRY_DELAY") or "1"
    try:
        delay = float(text)
    except ValueError:
        delay = -1.0
    if not 0 <= delay <= 60:
        raise UsageProblem(f"INCIDENT_OPS_RETRY_DELAY: {text!r} is not a number of seconds from 0 to 60")
    return delay


def token_refused(failure: GitHubFailure) -> bool:
    """Whether GitHub refused the token (invalid, or lacking a permission): the user must fix it (exit 1)."""
    return failure.status == 401 or (failure.status == 403 and "rate limit" not in str(failure))


def what_to_fix(failure: GitHubFailure, api_url: str, repo: str | None, needs: str = "issues: write") -> str:
    """One line for a GitHub failure: what failed and which setting to change, or that rerunning is safe."""
    where = f"the repository {repo}" if repo else "the repository"
    if isinstance(failure, GitHubUnreachable):
        return f"cannot reach GitHub at {api_url} ({failure}): check GITHUB_API_URL and the network"
    if isinstance(failure, GitHubNotFound):
        return (
            f"{failure} (404): check {where} (--repo or GITHUB_REPOSITORY) and that GITHUB_TOKEN may read it"
        )
    if failure.status == 401:
        return f"GitHub refused the token ({failure}): set GITHUB_TOKEN to a valid token for {where}"
    if token_refused(failure):
        return (
            f"GitHub refused the token ({failure}): give GITHUB_TOKEN `{needs}` on {where} "
            "(the workflow's `permissions:`, or the token's own)"
        )
    return f"GitHub failed: {failure}. Some work may be done; rerunning is safe"


def checked_api_url(runner: runtime.RunnerEnv) -> str:
    """GITHUB_API_URL, refused unless it is an http(s) URL."""
    if not runner.api_url.startswith(("https://", "http://")):
        raise UsageProblem(
            f"GITHUB_API_URL: {runner.api_url!r} is not a URL: give its scheme, e.g. https://api.github.com"
        )
    return runner.api_url.rstrip("/")


def checked_repo(repo: str | None, command: str) -> str:
    """OWNER/NAME from --repo or GITHUB_REPOSITORY, refused when missing or malformed."""
    if not repo:
        raise UsageProblem(f"{command} needs the repository: --repo OWNER/NAME, or set GITHUB_REPOSITORY")
    owner, _, name = repo.partition("/")
    if not owner or not name or "/" in name or any(c.isspace() for c in repo):
        raise UsageProblem(
            f"{command}: {repo!r} is not a repository; give it as OWNER/NAME, e.g. hub-org/support"
        )
    return repo


def finish(services: Services, results: list[IncidentResult], runner: runtime.RunnerEnv) -> int:
    """Outputs, summary and exit code of a run or sweep; no secret in any of them, even one echoed back."""
    port, redact = services.port, services.redact
    for result in results:
        if isinstance(result.failure, GitHubFailure):  # said as what to change, not as what failed
            result.error = what_to_fix(result.failure, runner.api_url, services.repo)
    outputs = {name: redact(value) for name, value in runtime.outputs_of(results).items()}
    runtime.write_outputs(runner.output_path, outputs)
    problems = services.integrations.problems
    summary = runtime.summary_markdown(results, port.counter, services.dry_run, problems)
    runtime.write_summary(runner.summary_path, redact(summary))
    lines = []
    for result in results:
        state = f"#{result.number}: {result.state}"
        lines.append(state + (f" — {'; '.join(result.done)}" if result.done else ""))
    lines.append(api_calls(port.counter.reads, port.counter.writes))
    lines += [f"::warning::{runtime.escape_data(problem)}" for problem in problems]
    for result in results:
        lines += [f"::warning::#{result.number}: {runtime.escape_data(w)}" for w in result.warnings]
    for result in results:
        if result.report_problems:
            missing = runtime.escape_data("; ".join(result.report_problems))
            lines.append(f"::notice::#{result.number}: the incident report is incomplete: {missing}")
    failed = [r for r in results if r.error]
    lines += [f"::error::#{r.number}: {runtime.escape_data(r.error or '')}" for r in failed]
    for line in lines:
        print(redact(line))
    if any(isinstance(r.failure, GitHubFailure) and token_refused(r.failure) for r in failed):
        return PROBLEM  # the token: no rerun helps until it is fixed
    return GITHUB_FAILED if failed else OK


def with_config_errors(run: Callable[[], int]) -> int:
    """Exit 1 with annotations when the config is wrong."""
    try:
        return run()
    except ConfigError as error:
        for line in config_problems_as_annotations(error):
            print(line)
        print(f"incident-ops: the configuration has problems:\n{error}", file=sys.stderr)
        return PROBLEM
    except TemplateProblem as error:
        print(f"::error::{runtime.escape_data(str(error))}")
        return PROBLEM
