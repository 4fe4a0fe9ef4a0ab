"""Browser-test fixtures: the app served by uvicorn on a free loopback port against a
temporary CELLWATCH_HOME, and Debian's headless Chromium driven through Selenium.

Screenshots go to ``$CELLWATCH_SCREENSHOTS`` (default ``bench-out/screenshots``, which
git ignores); the folder is printed at the end of the run. Chromium is never
downloaded by a test tool: ``scripts/install-browser`` installs Debian's packages.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import web_estate
from web_browser import Browser
from web_server import UPLOAD_LIMIT, LiveServer, serve

from cellwatch.settings import Settings
from cellwatch.store import open_store

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = Path(os.environ.get("CELLWATCH_SCREENSHOTS", REPO / "bench-out" / "screenshots"))
AXE = Path(__file__).parent / "axe.min.js"
@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The small hand-built estate, served."""
    home = tmp_path_factory.mktemp("web-home")
    # A small upload limit, so refusing a file over it needs only a small file.
    settings = Settings(home=home, environment="test", max_upload_bytes=UPLOAD_LIMIT)
    store = open_store(settings)
    web_estate.build(store)
    store.dispose()
    with serve(settings) as server:
        yield server


def _require_chromium() -> None:
    if CHROMIUM.exists() and CHROMEDRIVER.exists():
        return
    message = ("headless Chromium is not installed (/usr/bin/chromium and /usr/bin/chromedriver);"
               " run scripts/install-browser")
    if os.environ.get("CI"):
        pytest.fail(f"CI must run the browser tests: {message}")
    pytest.skip(message)


@pytest.fixture(scope="session")
def chromium() -> Iterator[object]:
    """One headless Chromium for the session (a fresh profile directory of its own)."""
    _require_chromium()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = Path(os.environ.get("TMPDIR", "/tmp")) / f"cellwatch-chromium-{os.getpid()}"
    shutil.rmtree(profile, ignore_errors=True)
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                 "--window-size=1280,1000", f"--user-data-dir={profile}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def browser(chromium: object, live_server: LiveServer) -> Browser:
    """The session's Chromium, signed out, pointed at the live server."""
    b = Browser(chromium, live_server.url, SCREENSHOTS, AXE)  # type: ignore[arg-type]
    b.open("/signin")
    b.driver.delete_all_cookies()
    return b


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say where the screenshots and page timings are."""
    if SCREENSHOTS.exists() and any(SCREENSHOTS.glob("*.png")):
        terminalreporter.write_line(f"browser screenshots: {SCREENSHOTS}")
        timings = SCREENSHOTS / "page-times.txt"
        if timings.exists():
            terminalreporter.write_line(timings.read_text().rstrip())
