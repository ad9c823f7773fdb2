"""Run workflows with act in host mode against the GitHub emulator running in its own process."""

from __future__ import annotations

import os
import selectors
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import requests
import yaml
from tools import tool

from incident_ops import ACTION_HOME, ACTION_REF

STAND_INS = Path(__file__).resolve().parent
ACT_TIMEOUT = 240
HOST_RUNNER_PREFIXES = ("GITHUB_", "RUNNER_", "ACTIONS_", "INCIDENT_OPS_")
# What the action needs of this repository: a copy stands in for the published OWNER/incident-ops@v1.
SOURCE_FILES = (
    "action.yml",
    "pyproject.toml",
    "requirements.txt",
    "requirements-uv.txt",
    "install",
    "incident_ops",
    ".github",
)


class EmulatorProcess:
    """`python -m incident_ops.emulator` as a child process; its state is read over HTTP."""

    def __init__(self, process: subprocess.Popen[str], api_url: str, repo: str) -> None:
        self.process, self.api_url, self.repo = process, api_url, repo

    @classmethod
    @contextmanager
    def start(cls, repo: str, users: list[str], tokens: list[str], now: str) -> Iterator[EmulatorProcess]:
        """Start it on a free port of 127.0.0.1 and stop it afterwards."""
        argv = [sys.executable, "-m", "incident_ops.emulator", "--port", "0", "--repo", repo, "--now", now]
        argv += [f"--user={u}" for u in users] + [f"--token={t}" for t in tokens]
        process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            yield cls(process, _first_line(process, timeout=20), repo)
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)

    def _url(self, path: str) -> str:
        """The repository's REST URL for path."""
        return f"{self.api_url}/repos/{self.repo}{path}"

    def get(self, path: str) -> Any:
        """GET a repository resource as the Actions bot sees it."""
        reply = requests.get(self._url(path), timeout=10)
        reply.raise_for_status()
        return reply.json()

    def post(self, path: str, token: str, **body: Any) -> Any:
        """POST to a repository resource as the owner of token."""
        reply = requests.post(
            self._url(path), json=body, headers={"Authorization": f"token {token}"}, timeout=10
        )
        reply.raise_for_status()
        return reply.json()


def _first_line(process: subprocess.Popen[str], timeout: float) -> str:
    """The base URL the emulator prints first, waiting at most timeout seconds."""
    assert process.stdout is not None
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        if not selector.select(timeout):
            raise RuntimeError(f"the emulator printed nothing in {timeout}s")
    line = process.stdout.readline().strip()
    if not line.startswith("http://127.0.0.1:"):
        raise RuntimeError(
            f"the emulator did not start: {line!r} {process.stderr.read() if process.stderr else ''}"
        )
    return line


def source_copy(root: Path | None, target: Path) -> Path:
    """A git repository at target (hub-org/support by its remote), holding root's action files if given."""
    target.mkdir(parents=True)
    for name in SOURCE_FILES if root else ():
        source = root / name
        if source.is_dir():
            shutil.copytree(source, target / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, target / name)
    git = ["git", "-C", str(target), "-c", "init.defaultBranch=main"]
    subprocess.run([*git, "init", "-q"], check=True, timeout=30)
    # Only names the repository for act's github.repository; nothing is ever fetched from it.
    subprocess.run([*git, "remote", "add", "origin", "https://github.com/hub-org/support.git"], check=True)
    return target


def _pinned_setup_python() -> str:
    """The actions/setup-python reference action.yml pins."""
    action = yaml.safe_load((Path(__file__).resolve().parents[2] / "action.yml").read_text(encoding="utf-8"))
    return next(s["uses"] for s in action["runs"]["steps"] if "setup-python" in s.get("uses", ""))


def _pinned_upload_pages_artifact() -> str:
    """The actions/upload-pages-artifact reference the bundled status-page workflow pins."""
    bundled = Path(__file__).resolve().parents[2] / "incident_ops" / "bundled" / "status-page.yml"
    workflow = yaml.safe_load(bundled.read_text(encoding="utf-8"))
    steps = workflow["jobs"]["build"]["steps"]
    return next(s["uses"] for s in steps if "upload-pages-artifact" in s.get("uses", ""))


def act_run(
    repo: Path,
    workflow: Path,
    tmp: Path,
    emu: EmulatorProcess,
    token: str,
    action_source: Path | None = None,
    event: str = "issue_comment",
    job: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """act's run of workflow in repo on `event` (host mode, no Docker), every remote action local."""
    bin_dir = tmp / "bin"
    bin_dir.mkdir()
    # The runner's own python3 is this test's Python, so the action's version check is the same everywhere.
    (bin_dir / "python3").symlink_to(sys.executable)
    argv = [
        tool("act"),
        event,
        "--eventpath", str(tmp / "event.json"),
        "--workflows", str(workflow),
        "--platform", "ubuntu-latest=-self-hosted",
        "--action-cache-path", str(tmp / "act-cache"),
        "--no-cache-server",
        "--env", f"GITHUB_API_URL={emu.api_url}",
        "--env", "INCIDENT_OPS_NOW=2026-03-02T09:05:00Z",
        "--secret", f"GITHUB_TOKEN={token}",
        "--local-repository", f"{_pinned_setup_python()}={STAND_INS / 'setup-python'}",
        "--local-repository", f"{_pinned_upload_pages_artifact()}={STAND_INS / 'upload-pages-artifact'}",
    ]  # fmt: skip
    if job is not None:
        argv += ["--job", job]
    if action_source is not None:
        argv += ["--local-repository", f"{ACTION_HOME}@{ACTION_REF}={action_source}"]
    # Inside a real Actions job the runner's own GITHUB_* variables must not leak into act's run.
    env = {k: v for k, v in os.environ.items() if not k.startswith(HOST_RUNNER_PREFIXES)}
    env["PATH"] = f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"
    env["ACT_DISABLE_VERSION_CHECK"] = "1"  # act would otherwise ask its website for notices
    return subprocess.run(
        argv, cwd=repo, env=env, capture_output=True, text=True, timeout=ACT_TIMEOUT, check=False
    )
