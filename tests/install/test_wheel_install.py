"""The wheels way: only the lock's files, checked byte for byte, in a venv importing their bytecode."""

from __future__ import annotations

import hashlib
import io
import json
import os
import platform
import subprocess
import sys
import threading
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from local_index import local_index

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "install"))

import index_client  # noqa: E402 - found through the line above
import lock_pins  # noqa: E402
import wheel_install  # noqa: E402
from lock_pins import InstallProblem, Pin  # noqa: E402

LINUX_GLIBC = platform.system() == "Linux" and platform.libc_ver()[0] == "glibc"
needs_linux = pytest.mark.skipif(not LINUX_GLIBC, reason="the wheels way runs on Linux with glibc")


def wheel(name: str, files: dict[str, str], tag: str = "py3-none-any") -> bytes:
    """A wheel holding `files` and its dist-info, declaring `tag` inside."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, text in files.items():
            archive.writestr(path, text)
        archive.writestr(
            f"{name}-1.0.dist-info/METADATA", f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n"
        )
        archive.writestr(f"{name}-1.0.dist-info/WHEEL", f"Wheel-Version: 1.0\nTag: {tag}\n")
        archive.writestr(f"{name}-1.0.dist-info/RECORD", "")
    return buffer.getvalue()


def sha(data: bytes) -> str:
    """The sha256 of `data`, as the lock spells it."""
    return hashlib.sha256(data).hexdigest()


@dataclass
class Index:
    """A package index on 127.0.0.1: what it serves, what it was asked for."""

    url: str = ""
    wheels: dict[str, bytes] = field(default_factory=dict)  # file name -> bytes served
    declared: dict[str, str] = field(default_factory=dict)  # file name -> sha256 the index lists
    asked: list[str] = field(default_factory=list)

    def add(self, filename: str, data: bytes) -> None:
        """Serve `data` as `filename`, listing its true hash."""
        self.wheels[filename], self.declared[filename] = data, sha(data)

    def lock(self, *filenames: str) -> str:
        """A hash-locked requirements text pinning `filenames` (one project each, version 1.0)."""
        lines = []
        for filename in filenames:
            project = filename.split("-")[0]
            lines.append(f"{project}==1.0 \\\n    --hash=sha256:{self.declared[filename]}")
        return "\n".join(lines) + "\n"


@pytest.fixture
def index(monkeypatch: pytest.MonkeyPatch) -> Iterator[Index]:
    """A JSON simple-API index (PEP 691) serving the wheels added to it."""
    for name in ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    served = Index()

    def answer(path: str, base: str) -> bytes | None:
        """A project's page listing its wheels with their hashes, or a wheel."""
        if path.startswith("/simple/"):
            project = path.removeprefix("/simple/").strip("/")
            files = [
                {"filename": name, "url": f"/files/{name}", "hashes": {"sha256": served.declared[name]}}
                for name in served.wheels
                if name.split("-")[0] == project
            ]
            return json.dumps({"files": files}).encode()
        return served.wheels.get(path.removeprefix("/files/"))

    with local_index(answer) as (base, asked):
        served.url, served.asked = f"{base}/simple", asked
        yield served


def install(index: Index, tmp: Path, lock_text: str, own: list[Path] | None = None) -> Path:
    """Run the wheels way into tmp/venv from `lock_text`; the venv's Python."""
    lock = tmp / "requirements.txt"
    lock.write_text(lock_text, encoding="utf-8")
    wheel_install.install(tmp / "venv", sys.executable, lock, index.url, tmp / "cache", own or [])
    return tmp / "venv" / "bin" / "python"


CALM = "calm-1.0-py3-none-any.whl"
CALM_FILES = {"calm/__init__.py": "VALUE = 42\n", "calm/words.py": "WORD = 'steady'\n"}


def test_the_lock_is_read_whole() -> None:
    pins = lock_pins.pins((ROOT / "requirements.txt").read_text(encoding="utf-8"))
    by_name = {pin.name: pin for pin in pins}
    assert {"pygithub", "requests", "pyyaml", "jinja2"} <= set(by_name)
    assert all(len(pin.hashes) >= 1 for pin in pins)
    assert by_name["cffi"].marker == "platform_python_implementation != 'PyPy'"
    with pytest.raises(InstallProblem, match="does not read: requests>=2"):
        lock_pins.pins("requests>=2\n")


def test_markers_hold_as_on_this_interpreter() -> None:
    assert lock_pins.marker_holds("")
    assert lock_pins.marker_holds("platform_python_implementation != 'PyPy'")
    assert not lock_pins.marker_holds(
        f"sys_platform == 'win32' and python_version == '{sys.version_info[0]}.0'"
    )
    with pytest.raises(InstallProblem, match="marker this way does not read"):
        lock_pins.marker_holds("python_version >= '3.8'")


@needs_linux
def test_the_most_specific_pinned_wheel_is_chosen_and_an_unpinned_one_never() -> None:
    ranks = lock_pins.tag_ranks()
    this = f"cp3{sys.version_info[1]}"
    machine = platform.machine()
    names = {
        "a": "calm-1.0-py3-none-any.whl",
        "b": f"calm-1.0-cp38-abi3-manylinux_2_17_{machine}.whl",
        "c": f"calm-1.0-{this}-{this}-manylinux_2_17_{machine}.whl",
        "d": f"calm-1.0-{this}-{this}-musllinux_1_2_{machine}.whl",
    }
    files = [
        {"filename": name, "url": f"/{key}", "hashes": {"sha256": key * 64}} for key, name in names.items()
    ]
    pinned = Pin("calm", "1.0", "", frozenset({"a" * 64, "b" * 64, "d" * 64}))  # not the best one, "c"

    assert lock_pins.choose(files, pinned, ranks)[1] == "/b"
    with pytest.raises(InstallProblem, match="calm==1.0 has no pinned wheel for this Python and platform"):
        lock_pins.choose(files, Pin("calm", "1.0", "", frozenset({"d" * 64})), ranks)


@needs_linux
def test_a_venv_is_made_that_imports_the_locked_packages_from_their_bytecode(
    index: Index, tmp_path: Path
) -> None:
    index.add(CALM, wheel("calm", CALM_FILES))
    index.add(
        "extra-1.0-py3-none-any.whl", wheel("extra", {"extra-1.0.data/purelib/extra.py": "KIND = 'data'\n"})
    )
    own = tmp_path / "action" / "steps.py"
    own.parent.mkdir()
    own.write_text("STEP = 'triage'\n", encoding="utf-8")

    python = install(index, tmp_path, index.lock(CALM, "extra-1.0-py3-none-any.whl"), [own])

    site = tmp_path / "venv" / "lib" / f"python3.{sys.version_info[1]}" / "site-packages"
    compiled = sorted(path.relative_to(site).as_posix() for path in site.rglob("*.pyc"))
    assert [path.split("/")[0] for path in compiled] == ["__pycache__", "calm", "calm"]
    assert list(own.parent.glob("__pycache__/steps.*.pyc"))
    before = {path: path.read_bytes() for path in site.rglob("*.pyc")}
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    script = "import calm, calm.words, extra; print(calm.VALUE, calm.words.WORD, extra.KIND)"
    shown = subprocess.run([python, "-c", script], env=env, check=True, capture_output=True, text=True).stdout
    assert shown.split() == ["42", "steady", "data"]
    # Python rewrites bytecode it finds stale or malformed: these were taken as they are.
    assert {path: path.read_bytes() for path in site.rglob("*.pyc")} == before


@needs_linux
def test_a_second_install_takes_the_kept_wheels_without_asking_the_index(
    index: Index, tmp_path: Path
) -> None:
    index.add(CALM, wheel("calm", CALM_FILES))
    install(index, tmp_path, index.lock(CALM))
    asked = len(index.asked)

    install(index, tmp_path, index.lock(CALM))

    assert len(index.asked) == asked == 2  # the project page and the file, once


@needs_linux
def test_a_kept_wheel_that_no_longer_matches_the_lock_is_fetched_again(index: Index, tmp_path: Path) -> None:
    index.add(CALM, wheel("calm", CALM_FILES))
    install(index, tmp_path, index.lock(CALM))
    (tmp_path / "cache" / CALM).write_bytes(wheel("calm", {"calm/__init__.py": "VALUE = 'forged'\n"}))

    python = install(index, tmp_path, index.lock(CALM))

    assert len(index.asked) == 4
    shown = subprocess.run(
        [python, "-c", "import calm; print(calm.VALUE)"], check=True, capture_output=True, text=True
    )
    assert shown.stdout.strip() == "42"


@needs_linux
def test_bytes_that_do_not_match_the_lock_are_refused_and_not_kept(index: Index, tmp_path: Path) -> None:
    index.add(CALM, wheel("calm", CALM_FILES))
    lock_text = index.lock(CALM)
    index.wheels[CALM] = wheel(
        "calm", {"calm/__init__.py": "import os; os.system('curl evil')\n"}
    )  # same hash listed

    with pytest.raises(InstallProblem, match=f"{CALM} from the index does not match the lock's hashes"):
        install(index, tmp_path, lock_text)
    assert not list((tmp_path / "cache").glob("*.whl"))


@needs_linux
def test_a_wheel_reaching_outside_its_folder_fails_the_install_and_writes_nothing_there(
    index: Index, tmp_path: Path
) -> None:
    name = "sly-1.0-py3-none-any.whl"
    index.add(name, wheel("sly", {"sly/__init__.py": "", "../../escaped.py": "OUT = 1\n"}))

    with pytest.raises(InstallProblem, match="unpacking the wheels failed"):
        install(index, tmp_path, index.lock(name))
    assert not list(tmp_path.rglob("escaped.py"))


def test_the_wheels_way_is_not_taken_for_another_python(tmp_path: Path) -> None:
    with pytest.raises(InstallProblem, match="only for the Python it runs on"):
        wheel_install.install(
            tmp_path / "venv", "/usr/bin/false", ROOT / "requirements.txt", "", tmp_path, []
        )


def test_a_kept_wheel_swapped_after_its_check_is_not_unpacked(tmp_path: Path) -> None:
    kept = tmp_path / CALM
    kept.write_bytes(wheel("calm", CALM_FILES))
    checked = sha(kept.read_bytes())
    kept.write_bytes(wheel("calm", {"calm/__init__.py": "import os; os.system('curl evil')\n"}))
    site = tmp_path / "site"
    site.mkdir()

    with pytest.raises(InstallProblem, match="changed after its hash was checked"):
        wheel_install.unpack(kept, checked, site)
    assert not list(site.iterdir())


@needs_linux
def test_the_tags_are_packagings_own_in_its_order() -> None:
    from packaging import tags

    expected = [str(tag) for tag in tags.sys_tags() if "manylinux" in str(tag) or str(tag).endswith("-any")]
    assert lock_pins.supported_tags() == expected


def test_a_comment_ending_in_a_backslash_hides_no_pin() -> None:
    text = "# via something \\\nrequests==2.0 \\\n    --hash=sha256:" + "a" * 64 + "\n"
    assert [pin.name for pin in lock_pins.pins(text)] == ["requests"]


@needs_linux
@pytest.mark.parametrize(
    "filename",
    ["../../escaped-1.0-py3-none-any.whl", "calm-2.0-py3-none-any.whl", "calm-1.0-py3-none-any.whl\n"],
)
def test_only_a_plain_file_name_of_the_pinned_version_is_chosen(filename: str) -> None:
    ranks = lock_pins.tag_ranks()
    files = [{"filename": filename, "url": "/x", "hashes": {"sha256": "a" * 64}}]
    with pytest.raises(InstallProblem, match="has no pinned wheel"):
        lock_pins.choose(files, Pin("calm", "1.0", "", frozenset({"a" * 64})), ranks)


@needs_linux
def test_a_wheel_named_for_this_platform_but_built_for_another_is_refused(
    index: Index, tmp_path: Path
) -> None:
    index.add(CALM, wheel("calm", CALM_FILES, tag=f"cp3{sys.version_info[1]}-abi3-musllinux_1_2_x86_64"))

    with pytest.raises(InstallProblem, match="declares no tag this Python runs"):
        install(index, tmp_path, index.lock(CALM))


def test_a_worker_that_cannot_take_its_task_fails_the_install_without_hanging(tmp_path: Path) -> None:
    workers = wheel_install.Workers(sys.executable, tmp_path)
    workers.compile([Path("/tmp/\udcff-not-encodable.py")])  # the feeder cannot even write this task
    outcome: list[BaseException] = []
    finishing = threading.Thread(target=lambda: outcome.extend(raised(workers.finish)), daemon=True)
    finishing.start()
    finishing.join(timeout=60)

    assert not finishing.is_alive()
    assert len(outcome) == 1 and "UnicodeEncodeError" in str(outcome[0])
    assert all(process.poll() is not None for process in workers.processes)


def raised(call: Callable[[], object]) -> list[BaseException]:
    """What `call` raised, if anything."""
    try:
        call()
    except BaseException as problem:  # noqa: BLE001 - the test inspects it
        return [problem]
    return []


def test_plain_http_goes_only_to_a_loopback_index_and_secrets_are_never_shown() -> None:
    client = index_client.IndexClient("https://pypi.org/simple")
    with pytest.raises(index_client.IndexProblem, match="not https"):
        client.get("http://127.0.0.1:9/files/calm-1.0-py3-none-any.whl")
    with pytest.raises(index_client.IndexProblem, match="holds credentials") as refused:
        client.get("https://user:s3cret@example.invalid/simple/calm/")
    assert "s3cret" not in str(refused.value)
    shown = index_client.safe_to_show("https://user:s3cret@mirror.example:8443/simple/calm/?token=abc")
    assert shown == "https://mirror.example:8443/simple/calm/"
