"""Benchmark of the action's setup: its install, then its first run, before the lock and now.

Run: .venv/bin/python benchmarks/setup_time.py [--quick]   (bench.py --setup prints the same table)
Three ways, taking turns attempt by attempt, each from an empty download cache (as on a hosted runner): pip
from pyproject.toml's ranges (the install before the lock), and the action's install as it is now, with uv
(installed from requirements-uv.txt, as on a runner without uv) and with its pip fallback. Each attempt
starts from a fresh copy of the action's files, as a runner checks them out, and a new venv; the first run
is a real `incident-ops run` of a declaration against the local emulator, with a config file, so it loads
(and, where nothing compiled them yet, byte-compiles) what an event run loads. The packages come from the
package index only (no local wheel folder, no pip config file).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

from bench import LABEL, REPO, ROOT, env_for, issue_payload, seeded, timed

from incident_ops.emulator import GitHubEmulator

BEFORE = "before: pip, pyproject.toml's ranges"
# Each way: the INCIDENT_OPS_INSTALL it runs with, and the way the install must then say it took.
WAYS = {
    BEFORE: ("", ""),
    "now: uv (installed from requirements-uv.txt), the lock": (
        "uv",
        "uv (installed from requirements-uv.txt)",
    ),
    "its fallback: pip, the lock": ("pip", "pip"),
}
CONFIG = 'escalation:\n  mention: ["@bench-org/engineering"]\nupdates:\n  every: 4h\n'


def action_copy(folder: Path) -> Path:
    """The action's files as a fresh checkout has them: no bytecode."""
    for name in ("incident_ops", "install"):
        shutil.copytree(ROOT / name, folder / name, ignore=shutil.ignore_patterns("__pycache__"))
    for lock in ROOT.glob("requirements*.txt"):
        shutil.copy2(lock, folder / lock.name)
    return folder


def install(way: str, action: Path, venv: Path, env: dict[str, str]) -> None:
    """Install the action's dependencies into `venv` the way the action did before, or does now."""
    python = sys.executable
    if way == BEFORE:
        # What action.yml ran before the lock: a venv without pip, filled by the interpreter's pip.
        ranges = venv.parent / "ranges.txt"
        dependencies = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
        ranges.write_text("\n".join(dependencies))
        subprocess.run(
            [python, "-P", "-m", "venv", "--without-pip", str(venv)], check=True, env=env, timeout=300
        )
        command = [python, "-P", "-m", "pip", "--python", str(venv / "bin" / "python"), "install", "--quiet"]
        subprocess.run([*command, "--no-compile", "-r", str(ranges)], check=True, env=env, timeout=600)
    else:
        command = [python, "-P", str(action / "install" / "action_install.py"), str(venv), python]
        start, expected = WAYS[way]
        env = {**env, "INCIDENT_OPS_INSTALL": start}
        done = subprocess.run(command, check=True, env=env, timeout=600, capture_output=True, text=True)
        if not done.stdout.rstrip().endswith(f"with {expected}"):  # this row would not measure its way
            raise RuntimeError(f"{way}: {done.stdout.strip()}")


def first_run(emu: GitHubEmulator, action: Path, venv: Path, workdir: Path, env: dict[str, str]) -> float:
    """Wall time of the first `incident-ops run`: a steward labels a new issue."""
    number = emu.create_issue(REPO, "Hub down", "It does not load.", "reporter")
    emu.add_labels(REPO, number, [LABEL], "steward")
    event = workdir / "event.json"
    event.write_text(json.dumps(issue_payload(emu, number, "labeled", "steward")), encoding="utf-8")
    run_env = {**env, **env_for(emu, workdir, "issues", str(event)), "PYTHONPATH": str(action)}
    return timed([str(venv / "bin" / "python"), "-P", "-m", "incident_ops", "run"], run_env, workdir)


def runner_env(caches: str) -> dict[str, str]:
    """This environment as a hosted runner without uv has it, with every download cache in `caches`."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("PYTHONDONTWRITEBYTECODE", "PIP_FIND_LINKS")
    }
    path = [folder for folder in env.get("PATH", "").split(os.pathsep) if not Path(folder, "uv").exists()]
    return {
        **env,
        "PATH": os.pathsep.join(path),
        "PIP_CACHE_DIR": str(Path(caches) / "pip"),
        "UV_CACHE_DIR": str(Path(caches) / "uv"),
        "XDG_CACHE_HOME": caches,
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        "PIP_CONFIG_FILE": os.devnull,  # the index only
    }


def attempt(emu: GitHubEmulator, way: str, workdir: Path) -> tuple[float, float]:
    """(setup s, first run s) of one install from scratch, with new, empty caches."""
    with tempfile.TemporaryDirectory() as tmp:
        env = runner_env(str(Path(tmp) / "cache"))
        action = action_copy(Path(tmp) / "action")
        venv = Path(tmp) / "venv"
        start = time.perf_counter()
        install(way, action, venv, env)
        setup = time.perf_counter() - start
        return setup, first_run(emu, action, venv, workdir, env)


def setup_times(repeat: int) -> list[tuple[str, float, float]]:
    """(way, setup s, first run s): medians of `repeat` attempts, each from an empty cache.

    The ways take turns, attempt by attempt, so that a machine growing busier or quieter weighs on each alike.
    """
    timed: dict[str, list[tuple[float, float]]] = {way: [] for way in WAYS}
    with contextlib.ExitStack() as stack:
        emu = stack.enter_context(seeded())
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        (workdir / ".github").mkdir()
        (workdir / ".github" / "incident-ops.yml").write_text(CONFIG, encoding="utf-8")
        for _ in range(repeat):
            for way in WAYS:
                timed[way].append(attempt(emu, way, workdir))
    results = []
    for way, times in timed.items():
        setup, first = (statistics.median(values) for values in zip(*times, strict=True))
        results.append((way, setup, first))
    return results


def setup_table(repeat: int) -> str:
    """The setup table: each way's setup and first run, and their total against the pip baseline."""
    results = setup_times(repeat)
    before = next(setup + first for way, setup, first in results if way == BEFORE)
    lines = [
        "| Install (empty cache) | Setup | First run | Setup + first run | Against before |",
        "| --- | --- | --- | --- | --- |",
    ]
    for way, setup, first in results:
        total = setup + first
        lines.append(f"| {way} | {setup:.2f} s | {first:.2f} s | {total:.2f} s | {total / before:.0%} |")
    return "\n".join(lines)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="one attempt per row instead of three")
    print(setup_table(1 if parser.parse_args().quick else 3))
