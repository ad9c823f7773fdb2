"""The action's install: the locks, uv installed only from a pinned wheel, and pip when uv fails.

No test reaches the network: pip reads the wheels these tests build from a local folder (--find-links with
--no-index), and uv is a stand-in script, so what is checked is which commands run, on which hashes, and
what the venv ends up importing.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import os
import shutil
import stat
import subprocess
import sys
import tomllib
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
SPEC = importlib.util.spec_from_file_location("action_install", ROOT / "install" / "action_install.py")
assert SPEC is not None and SPEC.loader is not None
installer = importlib.util.module_from_spec(SPEC)
sys.modules["action_install"] = installer
SPEC.loader.exec_module(installer)


def requirements(path: Path) -> dict[str, tuple[Requirement, list[str]]]:
    """Each requirement of a hash-locked requirements file, read by `packaging`, with its sha256 hashes."""
    found = {}
    text = "\n".join(
        line for line in path.read_text(encoding="utf-8").splitlines() if not line.lstrip().startswith("#")
    )
    for line in text.replace("\\\n", " ").splitlines():
        line = line.split(" #", 1)[0].strip()
        if line:
            words = line.split(" --hash=")
            requirement = Requirement(words[0])
            found[canonicalize_name(requirement.name)] = (requirement, [w.strip() for w in words[1:]])
    return found


def test_every_dependency_of_pyproject_is_pinned_within_its_range() -> None:
    pins = requirements(ROOT / "requirements.txt")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    for text in project["dependencies"]:
        wanted = Requirement(text)
        name = canonicalize_name(wanted.name)
        assert name in pins, f"{name} is in pyproject.toml but not in requirements.txt: regenerate the lock"
        (pin,) = pins[name][0].specifier
        assert pin.operator == "==", f"{pins[name][0]} is not pinned to one version"
        assert wanted.specifier.contains(pin.version, prereleases=True), f"{name}=={pin.version} ∉ {wanted}"
    for requirement, hashes in pins.values():
        assert hashes and all(h.startswith("sha256:") and len(h) == 71 for h in hashes), requirement
    assert "uv pip compile pyproject.toml" in (ROOT / "requirements.txt").read_text(encoding="utf-8")[:300]


def test_uv_is_pinned_to_one_version_with_its_hashes() -> None:
    pins = requirements(ROOT / "requirements-uv.txt")
    assert set(pins) == {"uv"}
    requirement, hashes = pins["uv"]
    (pin,) = requirement.specifier
    assert pin.operator == "==" and Requirement(
        (ROOT / "requirements-uv.in").read_text(encoding="utf-8").strip()
    ).specifier.contains(pin.version)
    # One per platform's wheel and the source: pip refuses any file whose hash is not among them.
    assert len(hashes) >= 2 and all(h.startswith("sha256:") and len(h) == 71 for h in hashes)


def wheel(folder: Path, name: str, version: str, files: dict[str, str]) -> Path:
    """A pure-Python wheel of `files` in `folder`, with the metadata pip needs."""
    info = f"{name}-{version}.dist-info"
    files = {
        **files,
        f"{info}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n",
        f"{info}/WHEEL": "Wheel-Version: 1.0\nGenerator: tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record = []
    for path, text in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=").decode()
        record.append(f"{path},sha256={digest},{len(text.encode())}")
    path = folder / f"{name}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as archive:
        for member, text in files.items():
            info_entry = zipfile.ZipInfo(member)
            info_entry.external_attr = (stat.S_IFREG | (0o755 if "/scripts/" in member else 0o644)) << 16
            archive.writestr(info_entry, text)
        archive.writestr(f"{info}/RECORD", "\n".join([*record, f"{info}/RECORD,,"]) + "\n")
    return path


def lock(path: Path, pinned: Path, digest: str | None = None) -> Path:
    """A requirements file pinning the wheel `pinned` to its sha256, or to `digest`."""
    name, version = pinned.name.split("-")[:2]
    digest = digest or hashlib.sha256(pinned.read_bytes()).hexdigest()
    path.write_text(f"{name}=={version} \\\n    --hash=sha256:{digest}\n", encoding="utf-8")
    return path


# A stand-in for uv: it notes each command in $UV_CALLS, makes the venv's folder (with a file pip must not
# find), and answers `pip install` with $UV_PIP_EXIT.
FAKE_UV = """#!/bin/sh
echo "$*" >> "$UV_CALLS"
if [ "$1" = venv ]; then
  for last; do :; done
  mkdir -p "$last" && touch "$last/left-by-uv"
  exit 0
fi
exit "${UV_PIP_EXIT:-0}"
"""


@dataclass
class Runner:
    """A runner without network: its environment, its wheels, its uv calls, where the venv goes."""

    env: dict[str, str]
    wheels: Path
    calls: Path
    venv: Path

    def uv_on_path(self, folder: Path) -> None:
        """Give the runner a uv of its own."""
        folder.mkdir()
        (folder / "uv").write_text(FAKE_UV, encoding="utf-8")
        (folder / "uv").chmod(0o755)
        self.env["PATH"] = f"{folder}{os.pathsep}{self.env['PATH']}"

    def uv_calls(self) -> list[str]:
        """Each command the uv stand-in was given, in order."""
        return self.calls.read_text(encoding="utf-8").splitlines() if self.calls.exists() else []

    def imports(self, script: str) -> str:
        """What the venv's Python prints for `script`."""
        python = self.venv / "bin" / "python"
        return subprocess.run(
            [python, "-c", script], check=True, capture_output=True, text=True
        ).stdout.strip()


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Runner:
    """Locks of their own (a package `calm`; uv, the stand-in's wheel) and pip reading a local folder."""
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    calm = wheel(wheels, "calm", "1.0", {"calm/__init__.py": "VALUE = 42\n"})
    uv = wheel(wheels, "uv", "9.9.9", {"uv-9.9.9.data/scripts/uv": FAKE_UV})
    monkeypatch.setattr(installer, "LOCK", lock(tmp_path / "requirements.txt", calm))
    monkeypatch.setattr(installer, "UV_LOCK", lock(tmp_path / "requirements-uv.txt", uv))
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PIP_", "UV_"))}
    path = [folder for folder in env.get("PATH", "").split(os.pathsep) if not Path(folder, "uv").exists()]
    env.update(
        PATH=os.pathsep.join(path),  # no uv of this machine's
        PIP_CONFIG_FILE=os.devnull,
        PIP_NO_INDEX="1",
        PIP_FIND_LINKS=str(wheels),
        PIP_DISABLE_PIP_VERSION_CHECK="1",
        UV_CALLS=str(tmp_path / "uv-calls"),
    )
    return Runner(env, wheels, tmp_path / "uv-calls", tmp_path / "venv")


def test_uv_is_installed_from_its_pinned_wheel_then_fills_the_venv_from_the_lock(runner: Runner) -> None:
    way = installer.install(runner.venv, sys.executable, runner.env)

    assert way == "uv (installed from requirements-uv.txt)"
    python = runner.venv / "bin" / "python"
    assert runner.uv_calls() == [
        f"venv --quiet --no-progress --python {sys.executable} {runner.venv}",
        f"pip install --quiet --no-progress --python {python} --require-hashes --no-deps --compile-bytecode "
        f"-r {installer.LOCK}",
    ]


def test_a_uv_wheel_whose_hash_is_not_pinned_is_never_run_and_pip_installs(
    runner: Runner, capsys: pytest.CaptureFixture[str]
) -> None:
    (uv,) = runner.wheels.glob("uv-*.whl")
    lock(installer.UV_LOCK, uv, digest="0" * 64)

    assert installer.install(runner.venv, sys.executable, runner.env) == "pip"
    assert runner.uv_calls() == []
    assert runner.imports("import calm; print(calm.VALUE)") == "42"
    assert "::notice::installing with pip instead of uv" in capsys.readouterr().out


def test_when_uv_fails_pip_installs_the_lock_into_a_clean_venv(runner: Runner, tmp_path: Path) -> None:
    runner.uv_on_path(tmp_path / "bin")
    runner.env["UV_PIP_EXIT"] = "2"

    assert installer.install(runner.venv, sys.executable, runner.env) == "pip"
    assert [call.split()[:2] for call in runner.uv_calls()] == [["venv", "--quiet"], ["pip", "install"]]
    assert not (runner.venv / "left-by-uv").exists()  # uv's half-made venv was removed first
    assert runner.imports("import calm; print(calm.VALUE)") == "42"


def test_the_runners_own_uv_is_taken_when_it_has_one(runner: Runner, tmp_path: Path) -> None:
    runner.uv_on_path(tmp_path / "bin")
    installer.UV_LOCK.unlink()  # installing uv would fail

    assert installer.install(runner.venv, sys.executable, runner.env) == "uv (the runner's)"
    assert len(runner.uv_calls()) == 2


def test_pip_first_installs_without_uv_and_no_workspace_module_shadows_the_standard_library(
    runner: Runner, tmp_path: Path
) -> None:
    runner.uv_on_path(tmp_path / "bin")
    action = tmp_path / "action"  # the script reads the locks beside its folder: this test's
    (action / "install").mkdir(parents=True)
    shutil.copy2(ROOT / "install" / "action_install.py", action / "install")
    for locked in (installer.LOCK, installer.UV_LOCK):
        shutil.copy2(locked, action)
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    for module in ("logging", "optparse", "csv"):  # what venv and pip import once Python has started
        (workspace / f"{module}.py").write_text("raise SystemExit('the workspace shadowed the stdlib')\n")
    script = [sys.executable, "-P", str(action / "install" / "action_install.py"), str(runner.venv)]
    env = {**runner.env, "INCIDENT_OPS_INSTALL": "pip"}

    done = subprocess.run(script, cwd=workspace, env=env, capture_output=True, text=True, timeout=300)

    assert done.returncode == 0, done.stdout + done.stderr
    assert "installed from requirements.txt with pip" in done.stdout
    assert runner.uv_calls() == []
    assert runner.imports("import calm; print(calm.VALUE)") == "42"


def test_an_unknown_install_way_is_refused_by_name(tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match="INCIDENT_OPS_INSTALL is 'wheels': give uv or pip"):
        installer.install(tmp_path / "venv", sys.executable, {"INCIDENT_OPS_INSTALL": "wheels"})
