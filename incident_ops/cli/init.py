"""`incident-ops init`: write the workflow, config, report template and issue form into a repository."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from incident_ops import ACTION_HOME, ACTION_REF
from incident_ops.cli.exit_codes import OK, PROBLEM, USAGE
from incident_ops.config.load import DEFAULT_CONFIG_PATH, ConfigError, ConfigUnreadable, load_config

BUNDLED = Path(__file__).resolve().parent.parent / "bundled"
REUSABLE = ".github/workflows/incident-ops-reusable.yml"
USES = re.compile(
    r"(?P<repo>[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100})@(?P<ref>[A-Za-z0-9._/-]{1,100})"
)
WORKFLOW_PATH = ".github/workflows/incident-ops.yml"
REPORT_TEMPLATE_PATH = ".github/incident-report.md"
ISSUE_FORM_PATH = ".github/ISSUE_TEMPLATE/incident-report.yml"
STATUS_PAGE_PATH = ".github/workflows/status-page.yml"


class LabelPort(Protocol):
    """The one GitHub call `init --create-labels` needs."""

    def ensure_label(self, name: str, color: str, description: str) -> bool:
        """Create the repository label unless it exists (any case); True when it was created."""
        ...


@dataclass(frozen=True)
class InitFile:
    """One file `init` writes: where, and its text."""

    path: str
    text: str


def _issue_form_source() -> Path:
    """The issue form bundled with the package (a copy of this repository's own, kept equal by a test)."""
    return BUNDLED / "incident-report.yml"


def _config_text() -> str:
    """The commented config with every default, pointing at the report template `init` writes."""
    text = (BUNDLED / "incident-ops.yml").read_text(encoding="utf-8")
    default = "  template: null\n"
    if default not in text:
        raise RuntimeError("the bundled config no longer has `report.template: null`")
    written = (
        "  # `incident-ops init` wrote this template: keep its headings in step with the issue form's.\n"
        f"  template: {REPORT_TEMPLATE_PATH}\n"
    )
    return text.replace(default, written, 1)


def workflow_text(uses: str) -> str:
    """The bundled workflow, calling the reusable workflow of the action at `uses` (OWNER/REPO@REF)."""
    text = (BUNDLED / "workflow.yml").read_text(encoding="utf-8")
    home = f"{ACTION_HOME}/{REUSABLE}@{ACTION_REF}"
    if home not in text:
        raise RuntimeError(f"the bundled workflow no longer calls {home}")
    repo, _, ref = uses.partition("@")
    return text.replace(home, f"{repo}/{REUSABLE}@{ref}")


def status_page_text(uses: str) -> str:
    """The bundled status-page workflow, running the action at `uses` (OWNER/REPO@REF)."""
    text = (BUNDLED / "status-page.yml").read_text(encoding="utf-8")
    home = f"uses: {ACTION_HOME}@{ACTION_REF}"
    if home not in text:
        raise RuntimeError(f"the bundled status-page workflow no longer runs {ACTION_HOME}@{ACTION_REF}")
    return text.replace(home, f"uses: {uses}")


def init_files(uses: str = f"{ACTION_HOME}@{ACTION_REF}", status_page: bool = False) -> list[InitFile]:
    """Every file `init` writes, in the order it writes them (the status-page workflow when asked)."""
    files = [
        InitFile(WORKFLOW_PATH, workflow_text(uses)),
        InitFile(DEFAULT_CONFIG_PATH, _config_text()),
        InitFile(REPORT_TEMPLATE_PATH, (BUNDLED / "3_incident-report.md").read_text(encoding="utf-8")),
        InitFile(ISSUE_FORM_PATH, _issue_form_source().read_text(encoding="utf-8")),
    ]
    return [*files, InitFile(STATUS_PAGE_PATH, status_page_text(uses))] if status_page else files


def run_init(
    directory: Path,
    force: bool,
    create_labels: bool,
    port: LabelPort | None,
    say: Callable[[str], None],
    dry_run: bool = False,
    uses: str | None = None,
    status_page: bool = False,
) -> int:
    """Write the files (never over existing ones without force), then create the labels if asked.

    With `status_page` or `create_labels`, a repository set up earlier keeps its files and gets the
    status-page workflow, or its labels.
    """
    uses = uses or f"{ACTION_HOME}@{ACTION_REF}"
    if not USES.fullmatch(uses):
        say(f"incident-ops init: --uses {uses!r} is not OWNER/REPO@REF, e.g. {ACTION_HOME}@{ACTION_REF}.")
        return USAGE
    if not directory.is_dir():
        say(f"incident-ops init: {directory} is not a folder; give the repository's root folder.")
        return USAGE
    if create_labels and port is None:
        say("incident-ops init: --create-labels needs the repository (--repo or GITHUB_REPOSITORY).")
        return USAGE
    try:
        files = init_files(uses, status_page)
    except OSError as error:
        say(f"incident-ops init: a bundled file is missing ({error}); reinstall incident-ops.")
        return PROBLEM
    existing = [f.path for f in files if (directory / f.path).exists()]
    # Adding the page or the labels to a repository set up earlier keeps what is there.
    adding = (status_page or create_labels) and not force
    kept = [path for path in existing if path != STATUS_PAGE_PATH] if adding else []
    files = [f for f in files if f.path not in kept]
    existing = [path for path in existing if path not in kept]
    refused = bool(existing) and not force
    if refused:
        say("incident-ops init: these files exist already; nothing was written (--force overwrites them):")
        for path in existing:
            say(f"  {path}")
    elif dry_run:
        for file in files:
            say(f"[dry run] would {'overwrite' if file.path in existing else 'write'} {file.path}")
        for path in kept:
            say(f"[dry run] would keep {path}")
    else:
        _write(directory, files, existing, say)
        for path in kept:
            say(f"kept {path}")
    if dry_run:
        if create_labels:
            say("[dry run] would create the incident, resolved and stale labels that are missing")
        return PROBLEM if refused else OK
    # Labels are only added, never changed, so they are created even when the files were left alone.
    if create_labels and port is not None and _create_labels(directory, port, say) != OK:
        return PROBLEM
    if refused:
        return PROBLEM
    for line in _what_is_left(directory, uses, [f.path for f in files], create_labels, set_up=bool(kept)):
        say(line)
    return OK


def _what_is_left(
    directory: Path, uses: str, written: list[str], labels_created: bool, set_up: bool
) -> list[str]:
    """The closing checklist: exactly what remains before the repository runs its incidents (and its page)."""
    steps = [f"commit {', '.join(written)}"]
    if STATUS_PAGE_PATH in written:
        steps.append(
            "turn on GitHub Pages: Settings → Pages → Build and deployment → Source: GitHub Actions. The "
            "page is built after each incident-ops run and daily (or now, from the Actions tab: status page "
            "→ Run workflow), at https://OWNER.github.io/NAME/ unless you give it a custom domain there (see "
            "the README's status page section)"
        )
    if set_up:
        return ["Left to do:", *(f"  {index}. {step}" for index, step in enumerate(steps, start=1))]
    config = load_config(directory)
    if not labels_created:
        names = ", ".join(repr(n) for n in (config.incident_label, config.resolved_label, config.stale_label))
        steps.append(
            f"create the labels {names} in the repository's Labels page, or run `incident-ops init "
            "--create-labels --repo OWNER/NAME` with GITHUB_TOKEN set to a token that may write labels"
        )
    steps.append(
        f"the workflow calls {uses}: under Settings → Actions → General, allow that action if your "
        "organization limits which actions may run"
    )
    steps.append(
        "chat, FreshDesk and PagerDuty are off: to turn them on, fill `integrations:` (and `severity:` for "
        "paging) in the config and add the repository secrets it names; for incidents that start in "
        "PagerDuty, `integrations.pagerduty.sync` and, optionally, PagerDuty's dispatch step (see the "
        "README's Integrations)"
    )
    return ["Left to do:", *(f"  {index}. {step}" for index, step in enumerate(steps, start=1))]


def _write(directory: Path, files: list[InitFile], existing: list[str], say: Callable[[str], None]) -> None:
    """Write the files, creating folders as needed."""
    for file in files:
        target = directory / file.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(file.text, encoding="utf-8")
        say(f"{'overwrote' if file.path in existing else 'wrote'} {file.path}")


def _create_labels(directory: Path, port: LabelPort, say: Callable[[str], None]) -> int:
    """Create the incident, resolved and stale labels named in the repository's config."""
    try:
        config = load_config(directory)
    except (ConfigError, ConfigUnreadable) as error:
        say(f"incident-ops init: cannot create the labels, the config has problems:\n{error}")
        return PROBLEM
    labels = (
        (config.incident_label, "d73a4a", "An incident: incident-ops runs the response in this issue"),
        (config.resolved_label, "0e8a16", "The incident is resolved; it closes once the report is complete"),
        (config.stale_label, "fbca04", "An update to the community is overdue"),
    )
    for name, color, description in labels:
        created = port.ensure_label(name, color, description)
        say(f"{'created' if created else 'kept the existing'} label {name!r}")
    return OK
