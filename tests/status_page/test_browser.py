"""The status page in a real browser: Debian's Chromium, headless, driven by selenium through chromedriver.

The site is built by the CLI from incidents played on the emulator and served from 127.0.0.1; axe-core (npm,
installed from tests/axe/package-lock.json on first use) checks its accessibility in the page. Screenshots
go to each test's tmp folder, and their paths are printed.
"""

from __future__ import annotations

import functools
import http.server
import json
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from harness import new_world
from status_world import HOSTILE_TITLE, STRANGER, seed_incidents
from tools import tool

webdriver = pytest.importorskip("selenium.webdriver")
from selenium.common.exceptions import NoAlertPresentException  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402

CHROMIUM, DRIVER = shutil.which("chromium"), shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(
    not (CHROMIUM and DRIVER),
    reason="Debian's chromium and chromium-driver are not installed (apt-get install -y chromium "
    "chromium-driver; .ci/run installs them when run as root)",
)
# No network here: what Chromium does in the background would only stall it.
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
AXE = Path(__file__).parents[1] / "axe"
PINNED = json.loads((AXE / "package.json").read_text("utf-8"))["dependencies"]
PHONE = {"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": True}
AXE_RUN = """
const done = arguments[arguments.length - 1];
axe.run(document, {resultTypes: ["violations"]})
  .then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                          nodes: v.nodes.map(n => n.target.join(" "))}))))
  .catch(e => done([{id: "axe failed", impact: "critical", help: String(e), nodes: []}]));
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, int]]]:
    """The site the CLI builds from the emulator's incidents, served on 127.0.0.1: (its URL, the numbers)."""
    emu, world = new_world(tmp_path_factory.mktemp("world"))
    try:
        numbers = seed_incidents(world, hostile=True)
        out = tmp_path_factory.mktemp("site")
        result = world.cli("status-page", "--out", str(out))
        assert result.code == 0, result.stdout + result.stderr
    finally:
        emu.stop()
    handler = functools.partial(_QuietHandler, directory=str(out))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", numbers
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the site's folder without logging each request."""

    def log_message(self, *args: object) -> None:
        """Quiet."""


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """One headless Chromium for the module, with a new empty profile."""
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (*FLAGS, f"--user-data-dir={tmp_path_factory.mktemp('profile')}", "--window-size=1280,900"):
        options.add_argument(flag)
    log = tmp_path_factory.mktemp("chromedriver") / "chromedriver.log"
    service = webdriver.ChromeService(executable_path=DRIVER, log_output=str(log))
    driver = webdriver.Chrome(options=options, service=service)
    driver.set_page_load_timeout(30)
    driver.set_script_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


def visit(
    driver: Any, url: str, *, phone: bool = False, dark: bool = False, enforce_csp: bool = True
) -> None:
    """Open url as a visitor would: on a desktop or a phone, in light or dark mode."""
    driver.execute_cdp_cmd("Page.setBypassCSP", {"enabled": not enforce_csp})
    if phone:
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", PHONE)
    else:
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    scheme = [{"name": "prefers-color-scheme", "value": "dark" if dark else "light"}]
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": scheme})
    driver.get(url)


def screenshot(driver: Any, path: Path) -> Path:
    """Save what the browser shows, and say where."""
    driver.save_screenshot(str(path))
    print(f"screenshot: {path}")
    return path


def style(driver: Any, css: str, prop: str) -> str:
    """The computed value of a property of the first element matching css."""
    element = driver.find_element(By.CSS_SELECTOR, css)
    return str(driver.execute_script("return getComputedStyle(arguments[0])[arguments[1]]", element, prop))


def no_script_ran(driver: Any) -> None:
    """No alert opened, no script or image element exists, and nothing set the marker the attacks set."""
    with pytest.raises(NoAlertPresentException):
        driver.switch_to.alert  # noqa: B018 - the property raises when there is no alert
    counts = driver.execute_script("return [document.scripts.length, document.images.length, window.pwned]")
    assert counts == [0, 0, None]


def test_a_visitor_sees_the_active_incident_and_the_past_ones(
    browser: Any, site: tuple[str, dict[str, int]], tmp_path: Path
) -> None:
    url, numbers = site
    visit(browser, f"{url}/index.html")

    body = browser.find_element(By.TAG_NAME, "body").text
    assert browser.title == "Example Hub status"
    assert browser.find_element(By.CSS_SELECTOR, ".banner").text == "1 active incident"
    active = browser.find_element(By.CSS_SELECTOR, "section[aria-labelledby=now] .card").text
    assert "Hub login fails" in active and "SEV1" in active and "for 45 minutes" in active
    assert "The identity provider is slow; we are raising the timeout." in active
    assert (
        style(browser, "section[aria-labelledby=now] .card strong", "fontWeight") == "700"
    )  # the team's Markdown, rendered
    past = browser.find_element(By.CSS_SELECTOR, "section[aria-labelledby=past]").text
    assert "Notebooks do not start" in past and "Closed" in past and "Servers start again." in past
    assert HOSTILE_TITLE in past
    assert STRANGER not in body and "My notebook is slow" not in body
    # The style sheet applied under the page's own Content-Security-Policy (its hash is right).
    assert style(browser, ".banner", "backgroundColor") == "rgb(255, 235, 233)"
    no_script_ran(browser)
    screenshot(browser, tmp_path / "index-desktop-light.png")


def test_hostile_text_is_shown_as_text_and_runs_nothing(
    browser: Any, site: tuple[str, dict[str, int]], tmp_path: Path
) -> None:
    url, numbers = site
    # Without the page's CSP, so that only the escaping stands between the attack and the visitor.
    for page in ("index.html", f"incidents/{numbers['hostile']}.html"):
        visit(browser, f"{url}/{page}", enforce_csp=False)
        no_script_ran(browser)
    assert browser.find_element(By.TAG_NAME, "h1").text == HOSTILE_TITLE
    assert HOSTILE_TITLE in browser.title
    message = browser.find_elements(By.CSS_SELECTOR, ".message")[1].text
    assert message == 'Read [this](javascript:window.pwned=2) and <img src=x onerror="window.pwned=3">'
    assert not browser.find_elements(By.CSS_SELECTOR, "a[href^=javascript], a[href^=JAVASCRIPT]")
    screenshot(browser, tmp_path / "hostile-incident.png")


def test_on_a_phone_in_dark_mode(browser: Any, site: tuple[str, dict[str, int]], tmp_path: Path) -> None:
    url, numbers = site
    for page, name in (("index.html", "index"), (f"incidents/{numbers['closed']}.html", "incident")):
        visit(browser, f"{url}/{page}", phone=True, dark=True)

        assert style(browser, "body", "backgroundColor") == "rgb(13, 17, 23)"
        assert style(browser, "body", "color") == "rgb(230, 237, 243)"
        width = browser.execute_script("return [document.documentElement.scrollWidth, window.innerWidth]")
        assert width[0] <= width[1] == PHONE["width"], width  # nothing wider than the phone
        screenshot(browser, tmp_path / f"{name}-phone-dark.png")
    text = browser.find_element(By.TAG_NAME, "main").text
    order = ["Investigating", "Restarting the node pool.", "Servers start again.", "This incident is closed."]
    assert [text.index(part) for part in order] == sorted(text.index(part) for part in order)


def install_axe() -> str:
    """axe-core's source, installed from tests/axe/package-lock.json unless it is there."""
    script = AXE / "node_modules" / "axe-core" / "axe.min.js"
    manifest = AXE / "node_modules" / "axe-core" / "package.json"
    if not manifest.exists() or json.loads(manifest.read_text("utf-8"))["version"] != PINNED["axe-core"]:
        command = [tool("npm"), "ci", "--no-audit", "--no-fund", "--loglevel=error"]
        done = subprocess.run(command, cwd=AXE, capture_output=True, text=True, timeout=300)
        if done.returncode != 0:
            pytest.fail(f"npm ci in {AXE} failed:\n{done.stdout}\n{done.stderr}")
    return script.read_text("utf-8")


@pytest.mark.parametrize(
    ("page", "dark"), [("index", False), ("index", True), ("incident", False), ("incident", True)]
)
def test_axe_finds_no_serious_problem(
    browser: Any, site: tuple[str, dict[str, int]], tmp_path: Path, page: str, dark: bool
) -> None:
    url, numbers = site
    path = "index.html" if page == "index" else f"incidents/{numbers['active']}.html"
    visit(browser, f"{url}/{path}", dark=dark)
    browser.execute_script(install_axe())

    violations = browser.execute_async_script(AXE_RUN)

    screenshot(browser, tmp_path / f"{page}-{'dark' if dark else 'light'}.png")
    serious = [v for v in violations if v["impact"] in ("serious", "critical")]
    assert not serious, json.dumps(serious, indent=2)
    assert not violations, json.dumps(violations, indent=2)  # none at all, minor ones included
