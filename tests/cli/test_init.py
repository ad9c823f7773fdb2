"""`incident-ops init`: the files it writes, its refusal to overwrite, the labels it creates."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import requests
from harness import REPO, TOKEN, World
from tools import tool

import incident_ops
from incident_ops.cli.init import (
    ISSUE_FORM_PATH,
    REPORT_TEMPLATE_PATH,
    STATUS_PAGE_PATH,
    WORKFLOW_PATH,
    init_files,
    run_init,
)
from incident_ops.config.load import load_config, validate_config_file
from incident_ops.core.report.check import check_report, load_template
from incident_ops.github.adapter import PyGithubPort
from incident_ops.github.port import RetryPolicy

ROOT = Path(__file__).resolve().parents[2]
WRITTEN = [WORKFLOW_PATH, ".github/incident-ops.yml", REPORT_TEMPLATE_PATH, ISSUE_FORM_PATH]


class FakeLabels:
    """A LabelPort that remembers labels in memory."""

    def __init__(self, existing: tuple[str, ...] = ()) -> None:
        self.labels = {name.casefold(): name for name in existing}

    def ensure_label(self, name: str, color: str, description: str) -> bool:
        """Create the label unless it exists (any case)."""
        assert len(color) == 6 and len(description) <= 100
        if name.casefold() in self.labels:
            return False
        self.labels[name.casefold()] = name
        return True


def init(
    directory: Path, force: bool = False, labels: FakeLabels | None = None, status_page: bool = False
) -> tuple[int, str]:
    """run_init, returning its exit code and what it said."""
    said: list[str] = []
    code = run_init(directory, force, labels is not None, labels, said.append, status_page=status_page)
    return code, "\n".join(said)


def test_writes_the_workflow_config_report_template_and_issue_form(tmp_path: Path) -> None:
    code, said = init(tmp_path)

    assert code == 0, said
    for path in WRITTEN:
        assert (tmp_path / path).is_file(), path
        assert f"wrote {path}" in said
    assert (tmp_path / ISSUE_FORM_PATH).read_text() == (ROOT / ISSUE_FORM_PATH).read_text()
    workflow = (tmp_path / WORKFLOW_PATH).read_text()
    assert "incident-ops-reusable.yml@v1" in workflow and "issues: write" in workflow


def test_the_config_has_every_default_and_reads_the_written_template(tmp_path: Path) -> None:
    init(tmp_path)
    config_path = tmp_path / ".github" / "incident-ops.yml"

    assert validate_config_file(config_path, tmp_path) == []
    config = load_config(tmp_path)
    assert config.report.template == REPORT_TEMPLATE_PATH
    assert config.escalation.after.total_seconds() == 1800
    text = config_path.read_text()
    for key in (
        "incident_label",
        "team:",
        "escalation:",
        "updates:",
        "close:",
        "working_hours:",
        "integrations:",
    ):
        assert key in text
    template = load_template(tmp_path / REPORT_TEMPLATE_PATH)
    assert template.sections and not check_report("", template).complete


def test_refuses_to_overwrite_naming_each_existing_file(tmp_path: Path) -> None:
    config = tmp_path / ".github" / "incident-ops.yml"
    config.parent.mkdir()
    config.write_text("incident_label: outage\n")
    (tmp_path / ".github" / "incident-report.md").write_text("### Mine\n")

    code, said = init(tmp_path)

    assert code == 1
    assert ".github/incident-ops.yml" in said and ".github/incident-report.md" in said
    assert "--force" in said
    assert config.read_text() == "incident_label: outage\n"
    assert not (tmp_path / WORKFLOW_PATH).exists()  # all or nothing


def test_force_overwrites(tmp_path: Path) -> None:
    (tmp_path / ".github").mkdir()
    (tmp_path / ".github" / "incident-ops.yml").write_text("incident_label: outage\n")

    code, said = init(tmp_path, force=True)

    assert code == 0
    assert "overwrote .github/incident-ops.yml" in said
    assert load_config(tmp_path).incident_label == "type: Hub Incident"


def test_a_missing_folder_is_a_usage_error(tmp_path: Path) -> None:
    code, said = init(tmp_path / "nope")
    assert code == 2 and "not a folder" in said


def test_create_labels_needs_a_port(tmp_path: Path) -> None:
    said: list[str] = []
    assert run_init(tmp_path, False, True, None, said.append) == 2
    assert "--repo" in said[0]
    assert not (tmp_path / WORKFLOW_PATH).exists()


def test_creates_the_configured_labels_once(tmp_path: Path) -> None:
    labels = FakeLabels(existing=("INCIDENT: RESOLVED",))

    code, said = init(tmp_path, labels=labels)

    assert code == 0
    assert set(labels.labels.values()) == {
        "type: Hub Incident",
        "INCIDENT: RESOLVED",
        "incident: update overdue",
    }
    assert "kept the existing label 'incident: resolved'" in said


def test_labels_come_from_an_existing_config_even_when_files_are_kept(tmp_path: Path) -> None:
    (tmp_path / ".github").mkdir()
    (tmp_path / ".github" / "incident-ops.yml").write_text('incident_label: "outage"\n')
    labels = FakeLabels()

    code, said = init(tmp_path, labels=labels)

    # `init --create-labels` after `init`: the repository keeps its files and gets its labels.
    assert code == 0 and "kept .github/incident-ops.yml" in said and "nothing was written" not in said
    assert "outage" in labels.labels
    assert (tmp_path / ".github" / "incident-ops.yml").read_text() == 'incident_label: "outage"\n'


def test_a_broken_config_creates_no_labels(tmp_path: Path) -> None:
    (tmp_path / ".github").mkdir()
    (tmp_path / ".github" / "incident-ops.yml").write_text("escalation:\n  after: soon\n")
    labels = FakeLabels()

    code, said = init(tmp_path, labels=labels)

    assert code == 1 and "escalation.after" in said
    assert labels.labels == {}


def test_creates_labels_through_the_github_api(world: World, tmp_path: Path) -> None:
    port = PyGithubPort(REPO, TOKEN, world.emu.api_url, RetryPolicy(base_delay=0.01))
    said: list[str] = []

    assert run_init(tmp_path, False, True, port, said.append) == 0
    assert run_init(tmp_path, True, True, port, said.append) == 0

    listed = requests.get(f"{world.emu.api_url}/repos/{REPO}/labels", timeout=10).json()
    names = {label["name"] for label in listed}
    assert {"type: Hub Incident", "incident: resolved", "incident: update overdue"} <= names
    assert said.count("created label 'type: Hub Incident'") == 1
    assert "kept the existing label 'type: Hub Incident'" in said
    assert port.counter.writes == 3


def test_status_page_adds_its_workflow_to_a_new_repository(tmp_path: Path) -> None:
    code, said = init(tmp_path, status_page=True)

    assert code == 0, said
    for path in [*WRITTEN, STATUS_PAGE_PATH]:
        assert f"wrote {path}" in said
    workflow = (tmp_path / STATUS_PAGE_PATH).read_text()
    assert "uses: incident-ops/incident-ops@v1 " in workflow and "command: status-page" in workflow
    assert "Source: GitHub Actions" in said and "create the labels" in said


def test_status_page_adds_only_its_workflow_to_a_repository_set_up_earlier(tmp_path: Path) -> None:
    init(tmp_path)
    config = tmp_path / ".github" / "incident-ops.yml"
    config.write_text('incident_label: "outage"\n')
    said: list[str] = []

    code = run_init(
        tmp_path, False, False, None, said.append, uses="my-org/incident-ops@v1.2.0", status_page=True
    )

    assert code == 0, said
    assert said[0] == f"wrote {STATUS_PAGE_PATH}" and f"kept {WORKFLOW_PATH}" in said
    assert config.read_text() == 'incident_label: "outage"\n'
    assert "uses: my-org/incident-ops@v1.2.0" in (tmp_path / STATUS_PAGE_PATH).read_text()
    left = "\n".join(said[said.index("Left to do:") :])
    assert f"commit {STATUS_PAGE_PATH}\n" in left and "Source: GitHub Actions" in left
    assert "labels" not in left  # the rest was done when the repository was set up


def test_status_page_refuses_to_overwrite_its_workflow_without_force(tmp_path: Path) -> None:
    init(tmp_path, status_page=True)
    (tmp_path / STATUS_PAGE_PATH).write_text("# mine\n")

    code, said = init(tmp_path, status_page=True)
    assert code == 1 and STATUS_PAGE_PATH in said and "kept" not in said
    assert (tmp_path / STATUS_PAGE_PATH).read_text() == "# mine\n"

    code, said = init(tmp_path, force=True, status_page=True)
    assert code == 0 and f"overwrote {STATUS_PAGE_PATH}" in said and f"overwrote {WORKFLOW_PATH}" in said


@pytest.mark.parametrize(
    ("schema", "path"),
    [
        ("github-workflows", WORKFLOW_PATH),
        ("github-workflows", STATUS_PAGE_PATH),
        ("github-issue-forms", ISSUE_FORM_PATH),
    ],
)
def test_written_files_pass_githubs_schemas(tmp_path: Path, schema: str, path: str) -> None:
    init(tmp_path, status_page=True)
    checker = tool("check-jsonschema")
    done = subprocess.run(
        [str(checker), "--builtin-schema", f"vendor.{schema}", str(tmp_path / path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("path", [WORKFLOW_PATH, STATUS_PAGE_PATH])
def test_written_workflows_pass_zizmor(tmp_path: Path, path: str) -> None:
    init(tmp_path, status_page=True)
    zizmor = tool("zizmor")
    done = subprocess.run(
        [str(zizmor), "--offline", "--strict-collection", "--no-progress", str(tmp_path / path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0 and "No findings" in done.stdout, done.stdout + done.stderr


def test_every_file_is_listed_once() -> None:
    assert [f.path for f in init_files()] == WRITTEN
    assert [f.path for f in init_files(status_page=True)] == [*WRITTEN, STATUS_PAGE_PATH]


def test_the_bundled_issue_form_is_this_repositorys_own() -> None:
    bundled = Path(incident_ops.__file__).parent / "bundled" / "incident-report.yml"
    own = Path(__file__).resolve().parents[2] / ".github" / "ISSUE_TEMPLATE" / "incident-report.yml"
    assert bundled.read_text(encoding="utf-8") == own.read_text(encoding="utf-8")


def test_a_dry_run_writes_nothing_and_says_what_it_would_write(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from incident_ops.cli.main import main

    assert main(["init", str(tmp_path), "--dry-run"], {}) == 0
    assert list(tmp_path.iterdir()) == []
    assert "[dry run] would write .github/workflows/incident-ops.yml" in capsys.readouterr().out
