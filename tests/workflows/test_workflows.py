"""The workflows and the action: security lint, schemas, consistency, and a real run through act."""

from __future__ import annotations

import base64
import json
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from act.runner import EmulatorProcess, act_run, source_copy
from tools import tool
from webhooks import make_payload

from incident_ops import ACTION_HOME, ACTION_REF, __version__
from incident_ops.cli.init import BUNDLED
from incident_ops.cli.runtime import mask_commands
from incident_ops.config.load import parse_config

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = ROOT / ".github" / "workflows"
EXAMPLE = WORKFLOWS / "incident-ops.yml"
REUSABLE = WORKFLOWS / "incident-ops-reusable.yml"
STATUS_PAGE = WORKFLOWS / "status-page.yml"
BUNDLED_WORKFLOWS = [BUNDLED / "workflow.yml", BUNDLED / "status-page.yml"]
SHA_PINNED = re.compile(r"^[\w.-]+/[\w.-]+(/[\w./-]+)?@[0-9a-f]{40}$")


def run_tool(*argv: str, timeout: int = 120) -> subprocess.CompletedProcess[str]:
    """Run a tool, capturing its output."""
    return subprocess.run(
        [tool(argv[0]), *argv[1:]], cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False
    )


def load(path: Path) -> dict[Any, Any]:
    """A YAML file (PyYAML reads the `on:` key as True; put it back)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if True in data:
        data["on"] = data.pop(True)
    return data


def all_steps() -> Iterator[tuple[str, dict[str, Any]]]:
    """Every step of every workflow and of the action, with where it is."""
    for path in [*sorted(WORKFLOWS.glob("*.yml")), *BUNDLED_WORKFLOWS]:
        for job_id, job in load(path)["jobs"].items():
            for step in job.get("steps", []):
                yield f"{path.name}:{job_id}", step
    for step in load(ROOT / "action.yml")["runs"]["steps"]:
        yield "action.yml", step


def test_zizmor_offline_has_no_findings() -> None:
    done = run_tool("zizmor", "--offline", "--strict-collection", "--no-progress", ".")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "No findings to report" in done.stdout


@pytest.mark.parametrize(
    ("schema", "files"),
    [
        ("vendor.github-workflows", [*sorted(WORKFLOWS.glob("*.yml")), *BUNDLED_WORKFLOWS]),
        ("vendor.github-actions", [ROOT / "action.yml", *sorted((ROOT / "tests/act").glob("*/action.yml"))]),
        ("vendor.github-issue-forms", [ROOT / ".github/ISSUE_TEMPLATE/incident-report.yml"]),
        ("vendor.dependabot", [ROOT / ".github/dependabot.yml"]),
    ],
)
def test_files_match_githubs_schemas(schema: str, files: list[Path]) -> None:
    done = run_tool("check-jsonschema", "--builtin-schema", schema, *map(str, files))
    assert done.returncode == 0, done.stdout + done.stderr


def test_bundled_workflow_has_this_repositorys_triggers_permissions_and_queues() -> None:
    example, bundled = load(EXAMPLE), load(BUNDLED / "workflow.yml")
    for key in ("name", "on", "permissions", "concurrency"):
        assert bundled[key] == example[key], key
    mine, theirs = example["jobs"]["incident-ops"], bundled["jobs"]["incident-ops"]
    for key in ("name", "if", "permissions"):
        assert theirs[key] == mine[key], key
    assert mine["steps"][-1]["uses"] == "./"
    assert theirs["uses"] == f"{ACTION_HOME}/.github/workflows/incident-ops-reusable.yml@{ACTION_REF}"
    assert load(REUSABLE)["jobs"]["incident-ops"]["permissions"] == mine["permissions"]


# Beyond reading the contents and writing issues: only the release's tag-moving job writes the contents (it
# runs no code of ours), the status page's build only reads issues, and only its deploy job may publish Pages.
EXTRA_PERMISSIONS = {
    ("release.yml", "move-major-tag"): {("contents", "write")},
    ("status-page.yml", "build"): {("issues", "read")},
    ("status-page.yml", "deploy"): {("pages", "write"), ("id-token", "write")},
}


def test_least_privilege_and_queues() -> None:
    for path in [*WORKFLOWS.glob("*.yml"), *BUNDLED_WORKFLOWS]:
        workflow = load(path)
        assert workflow["permissions"] == {}, path.name
        for job_id, job in workflow["jobs"].items():
            extra = EXTRA_PERMISSIONS.get((path.name, job_id), set())
            assert set(job["permissions"].items()) <= {("contents", "read"), ("issues", "write"), *extra}
    page = load(STATUS_PAGE)["jobs"]
    assert page["build"]["permissions"] == {"contents": "read", "issues": "read"}
    assert page["deploy"]["needs"] == "build" and [
        s["uses"].split("@")[0] for s in page["deploy"]["steps"]
    ] == ["actions/deploy-pages"]
    release = load(WORKFLOWS / "release.yml")["jobs"]
    assert release["move-major-tag"]["needs"] == "test" and "uses" not in str(release["move-major-tag"])
    group = load(EXAMPLE)["concurrency"]["group"]
    assert "github.event.issue.number" in group and "'sweep'" in group


@pytest.mark.parametrize(("tag", "code"), [(f"v{__version__}", 0), ("v0.0.1", 1), (f"{__version__}", 1)])
def test_a_release_tag_must_name_the_package_version(tag: str, code: int) -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / ".ci" / "check-release-tag"), tag],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == code, done.stdout


def check_tag_against(tmp_path: Path, version: str, changelog: str | None, tag: str) -> tuple[int, str]:
    """Run the release's tag check in a copy of the repository with this version and CHANGELOG.md."""
    (tmp_path / ".ci").mkdir()
    shutil.copy(ROOT / ".ci" / "check-release-tag", tmp_path / ".ci")
    (tmp_path / "incident_ops").mkdir()
    (tmp_path / "incident_ops" / "__init__.py").write_text(f'__version__ = "{version}"\n', encoding="utf-8")
    if changelog is not None:
        (tmp_path / "CHANGELOG.md").write_text(changelog, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(tmp_path / ".ci" / "check-release-tag"), tag],
        capture_output=True,
        text=True,
        timeout=30,
    )
    return done.returncode, done.stdout


UNRELEASED = "# Changelog\n\n## [Unreleased]\n\n### Added\n\n- Something new.\n\n"
OLDER = "## [1.1.0] - 2026-11-02\n\n### Fixed\n\n- Something old.\n\n[1.2.0]: https://example.org/v1.2.0\n"


@pytest.mark.parametrize(
    ("changelog", "code", "said"),
    [
        (UNRELEASED + "## [1.2.0] - 2026-12-06\n\n- Released.\n\n" + OLDER, 0, "matches"),
        # Only a link reference, or nothing: the entries are still under Unreleased.
        (UNRELEASED + OLDER, 1, "no section for 1.2.0: move the entries under `## [Unreleased]`"),
        (None, 1, "cannot read CHANGELOG.md"),
        (
            UNRELEASED + "## [1.2.0]\n\n" + OLDER,
            1,
            "has no date: write its heading as `## [1.2.0] - YYYY-MM-DD`",
        ),
        (UNRELEASED + "## [1.2.0] - 2026-13-45\n\n" + OLDER, 1, "2026-13-45, which is not a date"),
    ],
)
def test_a_release_tag_needs_its_dated_changelog_section(
    tmp_path: Path, changelog: str | None, code: int, said: str
) -> None:
    returned, output = check_tag_against(tmp_path, "1.2.0", changelog, "v1.2.0")
    assert returned == code and said in output, output
    if code:
        assert output.startswith("::error::") and output.count("\n") == 1


def test_the_changelog_has_unreleased_first_then_dated_releases_newest_first() -> None:
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    headings = re.findall(r"^## (.*)$", text, re.MULTILINE)
    assert headings[0] == "[Unreleased]"
    released = [re.fullmatch(r"\[(\d+)\.(\d+)\.(\d+)\] - (\d{4}-\d{2}-\d{2})", h) for h in headings[1:]]
    assert all(released), headings
    versions = [tuple(int(part) for part in m.groups()[:3]) for m in released if m]
    assert versions == sorted(versions, reverse=True), headings


FAKE_GH = """#!/usr/bin/env python3
import base64, json, os, sys
args = sys.argv[1:]
with open(os.environ["GH_LOG"], "a") as log:
    log.write(json.dumps(args) + "\\n")
at = os.environ.get("AT")
path = next(a for a in args if a.startswith("repos/"))
if "/git/ref/tags/" in path:
    if not at:
        print('{"message": "Not Found"}', file=sys.stderr)
        sys.exit(1)
    print("0123abcd")
elif "/contents/" in path:
    print(base64.b64encode(f'__version__ = "{at}"\\n'.encode()).decode())
"""


def move_major_tag(tmp_path: Path, tag: str, at: str | None) -> list[list[str]]:
    """Run the release's tag-moving step with `gh` answering as GitHub would; the `gh` calls it made."""
    step = next(s for s in load(WORKFLOWS / "release.yml")["jobs"]["move-major-tag"]["steps"] if "run" in s)
    gh = tmp_path / "bin" / "gh"
    gh.parent.mkdir(exist_ok=True)
    gh.write_text(FAKE_GH.replace("python3", sys.executable, 1), encoding="utf-8")
    gh.chmod(0o755)
    log = tmp_path / f"gh-{tag}.log"
    env = {"PATH": f"{gh.parent}:/usr/bin:/bin", "GH_LOG": str(log), "AT": at or ""}
    env |= {"TAG": tag, "SHA": "feedbeef", "REPO": "incident-ops/incident-ops", "GH_TOKEN": "t"}
    done = subprocess.run(
        ["bash", "-e", "-c", step["run"]], env=env, capture_output=True, text=True, timeout=30
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]


@pytest.mark.parametrize(
    ("tag", "at", "moved"),
    [
        ("v1.4.1", "1.4.0", "PATCH"),
        ("v1.10.0", "1.9.3", "PATCH"),  # compared as versions, not as text
        ("v1.3.9", "1.4.0", None),  # an older patch pushed later never moves v1 back
        ("v1.4.0", "1.4.0", None),
        ("v1.0.0", None, "POST"),  # the first release of a major version creates its tag
    ],
)
def test_the_major_tag_only_moves_forward(
    tmp_path: Path, tag: str, at: str | None, moved: str | None
) -> None:
    calls = move_major_tag(tmp_path, tag, at)
    writes = [call[call.index("--method") + 1] for call in calls if "--method" in call]
    assert writes == ([moved] if moved else [])
    if moved:
        assert "sha=feedbeef" in calls[-1]


def test_dependabot_keeps_the_lock_and_the_actions_current() -> None:
    updates = {u["package-ecosystem"]: u for u in load(ROOT / ".github" / "dependabot.yml")["updates"]}
    assert updates["pip"]["directory"] == "/" and updates["github-actions"]["directory"] == "/"


def test_schedule_runs_off_the_top_of_the_hour() -> None:
    for cron in load(EXAMPLE)["on"]["schedule"]:
        minutes = {int(m) for m in cron["cron"].split()[0].split(",")}
        assert 0 not in minutes and len(minutes) >= 2


def test_run_scripts_take_no_expressions_and_actions_are_pinned() -> None:
    for where, step in all_steps():
        assert "${{" not in step.get("run", ""), f"{where}: pass values through env:, not into run:"
        uses = step.get("uses", "")
        if uses.startswith("actions/checkout@"):
            assert step["with"]["persist-credentials"] is False, where
        if uses and not uses.startswith("./") and not uses.startswith(ACTION_HOME + "@"):
            assert SHA_PINNED.match(uses), f"{where}: pin {uses} by commit SHA"


def test_bundled_status_page_workflow_is_this_repositorys_own() -> None:
    mine, theirs = load(STATUS_PAGE), load(BUNDLED / "status-page.yml")
    for key in ("name", "on", "permissions", "concurrency"):
        assert theirs[key] == mine[key], key
    assert mine["on"]["workflow_run"]["workflows"] == [load(EXAMPLE)["name"]]  # runs after incident-ops
    for job_id, job in mine["jobs"].items():
        other = theirs["jobs"][job_id]
        assert {k: v for k, v in other.items() if k != "steps"} == {
            k: v for k, v in job.items() if k != "steps"
        }
        # The same steps and pins (Dependabot updates this repository's copy: bring the bundled one along).
        runs_action = [step["uses"] in ("./", f"{ACTION_HOME}@{ACTION_REF}") for step in job["steps"]]
        assert [s for s, own in zip(job["steps"], runs_action, strict=True) if not own] == [
            s for s, own in zip(other["steps"], runs_action, strict=True) if not own
        ], job_id
    action_step = next(s for s in mine["jobs"]["build"]["steps"] if s["uses"] == "./")
    assert action_step["with"] == {"command": "status-page"}


def test_reusable_workflow_passes_the_actions_inputs_and_outputs() -> None:
    action, call = load(ROOT / "action.yml"), load(REUSABLE)["on"]["workflow_call"]
    # The status page has its own workflow: the reusable one serves incidents.
    assert set(call["inputs"]) == set(action["inputs"]) - {"github-token", "command", "status-page-dir"}
    assert set(call["outputs"]) == set(action["outputs"])
    step = load(REUSABLE)["jobs"]["incident-ops"]["steps"][-1]
    assert step["uses"] == f"{ACTION_HOME}@{ACTION_REF}"
    # The token comes as a secret, never as an input (inputs are logged).
    assert set(step["with"]) == set(call["inputs"]) | {"github-token"}
    assert step["with"]["github-token"] == "${{ secrets.INCIDENT_OPS_TOKEN || github.token }}"


def test_the_status_page_folder_is_where_upload_pages_artifact_looks() -> None:
    action = load(ROOT / "action.yml")["inputs"]
    upload = next(s for s in load(STATUS_PAGE)["jobs"]["build"]["steps"] if "upload-pages" in s["uses"])
    assert action["status-page-dir"]["default"] == upload["with"]["path"] == "_site"
    assert action["command"]["default"] == "run"


def test_every_secret_of_a_run_is_masked() -> None:
    config = parse_config(
        {
            "integrations": {
                "slack_webhook_env": "SLACK",
                "freshdesk": {"domain_env": "FD", "api_key_env": "KEY"},
                "pagerduty": {"routing_key_env": "PD"},
            }
        }
    )
    env = {
        "GITHUB_TOKEN": "ghs_abc123",
        "SLACK": "https://hooks.example/T/B/s3cret",
        "KEY": "k3y%1",
        "FD": "hub",
        "PD": "R0UT1NGK3Y",
    }

    lines = mask_commands(env, config)

    expected = {
        "ghs_abc123",
        "https://hooks.example/T/B/s3cret",
        "k3y%251",
        base64.b64encode(b"k3y%1:X").decode(),
        "R0UT1NGK3Y",
    }
    assert {f"::add-mask::{value}" for value in expected} <= set(lines)
    assert all(line.startswith("::add-mask::") and line[12:] for line in lines)
    assert not {"::add-mask::hub", "::add-mask::hooks.example", "::add-mask::/T/B"} & set(lines)
    assert mask_commands({}, parse_config({})) == []


# --- the action run end to end through act, against the emulator in its own process ---

TOKEN = "ghs_act_run_token_5f2c9a"
REPO = "hub-org/support"
LABEL = "type: Hub Incident"


@pytest.fixture(scope="module")
def emulator() -> Iterator[EmulatorProcess]:
    """The GitHub emulator as a separate process, seeded with the repository and its people."""
    users = ["steward:triage", "engineer:write", "reporter", "github-actions[bot]:Bot"]
    tokens = [f"{TOKEN}:github-actions[bot]", "steward-token:steward", "reporter-token:reporter"]
    with EmulatorProcess.start(REPO, users, tokens, now="2026-03-02T09:00:00Z") as emu:
        yield emu


def comment_event(emu: EmulatorProcess, path: Path, body: str) -> int:
    """The reporter opens an issue, the steward comments; writes the issue_comment event file."""
    issue = emu.post("/issues", "reporter-token", title="Hub down", body="It does not load.")
    number = issue["number"]
    comment = emu.post(f"/issues/{number}/comments", "steward-token", body=body)
    payload = make_payload(
        "issue_comment.created",
        repository=emu.get(""),
        issue=emu.get(f"/issues/{number}"),
        sender=comment["user"],
        comment=comment,
    )
    path.write_text(json.dumps(payload), encoding="utf-8")
    return number


def assert_served(emu: EmulatorProcess, number: int, log: str) -> None:
    """The run declared the issue and answered /commander: acknowledged, one status comment, IC assigned."""
    kinds = [m.group(1) for c in emu.get(f"/issues/{number}/comments") for m in [_marker(c["body"])] if m]
    assert kinds.count("acknowledgement") == 1 and kinds.count("status") == 1, kinds
    assert LABEL in [label["name"] for label in emu.get(f"/issues/{number}")["labels"]]
    assert [a["login"] for a in emu.get(f"/issues/{number}")["assignees"]] == ["steward"]
    assert f"incident={number}" in log and "state=active" in log
    assert "| Incident | State | What was done |" in log
    assert TOKEN not in log


def _marker(body: str) -> re.Match[str] | None:
    """The tool's hidden marker at the start of a comment."""
    return re.match(r"<!-- incident-ops:([a-z-]+) -->", body)


def test_act_runs_this_repositorys_workflow_on_a_comment(emulator: EmulatorProcess, tmp_path: Path) -> None:
    # A plain issue: the /declare comment alone must start the run that declares it.
    number = comment_event(emulator, tmp_path / "event.json", "/declare\n/commander")
    repo = source_copy(ROOT, tmp_path / "repo")

    done = act_run(repo, EXAMPLE.relative_to(ROOT), tmp_path, emulator, TOKEN)

    assert done.returncode == 0 and "Job succeeded" in done.stdout, done.stdout[-4000:] + done.stderr
    assert_served(emulator, number, done.stdout)
    # Only the lock's pinned, hash-checked files were installed: with uv when pip installs its pinned wheel.
    assert "dependencies installed from requirements.txt with" in done.stdout


def test_act_runs_the_workflow_init_writes_through_the_reusable_workflow(
    emulator: EmulatorProcess, tmp_path: Path
) -> None:
    from incident_ops.cli.init import run_init

    number = comment_event(emulator, tmp_path / "event.json", "/declare\n/commander")
    adopter = source_copy(None, tmp_path / "adopter")
    assert run_init(adopter, force=False, create_labels=False, port=None, say=lambda _: None) == 0
    action = source_copy(ROOT, tmp_path / "incident-ops")

    done = act_run(adopter, Path(".github/workflows/incident-ops.yml"), tmp_path, emulator, TOKEN, action)

    assert done.returncode == 0 and "Job succeeded" in done.stdout, done.stdout[-4000:] + done.stderr
    assert "incident-ops (reusable)" in done.stdout
    assert_served(emulator, number, done.stdout)


def test_act_builds_the_status_page_with_the_workflow_init_writes(
    emulator: EmulatorProcess, tmp_path: Path
) -> None:
    from incident_ops.cli.init import STATUS_PAGE_PATH, run_init
    from incident_ops.cli.main import main

    issue = emulator.post("/issues", "reporter-token", title="Status page: logins fail", body="")
    number = issue["number"]
    emulator.post(f"/issues/{number}/labels", "steward-token", labels=[LABEL])
    emulator.post(f"/issues/{number}/comments", "steward-token", body="/update We are on it.")
    env = {
        "GITHUB_API_URL": emulator.api_url,
        "GITHUB_TOKEN": TOKEN,
        "INCIDENT_OPS_NOW": "2026-03-02T09:05:00Z",
    }
    assert main(["sweep", "--repo", REPO], env) == 0  # acknowledges it and posts the update
    event = {"action": "completed", "repository": emulator.get("")}
    event["workflow_run"] = {"name": "incident-ops", "event": "issue_comment", "conclusion": "success"}
    (tmp_path / "event.json").write_text(json.dumps(event), encoding="utf-8")
    adopter = source_copy(None, tmp_path / "adopter")
    said: list[str] = []
    assert run_init(adopter, False, False, None, said.append, status_page=True) == 0, said
    action = source_copy(ROOT, tmp_path / "incident-ops")

    done = act_run(
        adopter, Path(STATUS_PAGE_PATH), tmp_path, emulator, TOKEN, action, event="workflow_run", job="build"
    )

    assert done.returncode == 0 and "Job succeeded" in done.stdout, done.stdout[-4000:] + done.stderr
    for name in ("index.html", "feed.xml", "incidents.json", f"incidents/{number}.html"):
        assert f"pages artifact: ./{name}" in done.stdout, name
    assert "wrote _site/index.html (" in done.stdout and "API calls:" in done.stdout
    assert TOKEN not in done.stdout
