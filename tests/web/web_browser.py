"""A thin helper over a Selenium driver: open pages, sign in, run axe, take screenshots.

Page-load times are measured from the Navigation Timing API and written to
``page-times.txt`` beside the screenshots: a measured figure, never an assertion.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

PASSWORD = "correct horse battery staple"  # every test user's password (web_estate)

# The rules axe checks: WCAG 2.0, 2.1 and 2.2 at levels A and AA.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


@dataclass
class Browser:
    driver: WebDriver
    base: str
    shots: Path
    axe_js: Path
    timings: dict[str, float] = field(default_factory=dict)

    def open(self, path: str) -> None:
        """Load a page and wait until its document is complete, so no element read next
        belongs to the page being replaced."""
        self.driver.get(self.base + path)
        WebDriverWait(self.driver, 15).until(
            lambda d: d.execute_script("return document.readyState") == "complete")

    def click_row_link(self, table_css: str, row_text: str) -> None:
        """Follow the link in the first row of a table whose text contains ``row_text``.

        The rows are read again if the page replaces them while they are read (Chromium's
        'node does not belong to the document'), instead of failing on a stale node.
        """
        def link_of_row(driver: WebDriver) -> WebElement | None:
            try:
                for link in driver.find_elements(By.CSS_SELECTOR, f"{table_css} a"):
                    if row_text in link.find_element(By.XPATH, "./ancestor::tr").text:
                        return link
            except WebDriverException as exc:
                if replaced(exc):
                    return None
                raise
            raise AssertionError(f"no row of {table_css} on {self.path} says {row_text!r}")

        link = WebDriverWait(self.driver, 15).until(link_of_row)
        self.click_and_wait(link)

    @property
    def path(self) -> str:
        url: str = self.driver.current_url
        return url.removeprefix(self.base)

    def find(self, css: str) -> WebElement:
        return self.driver.find_element(By.CSS_SELECTOR, css)

    def find_all(self, css: str) -> list[WebElement]:
        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def text(self, css: str = "main") -> str:
        return self.find(css).text

    def wait_for(self, css: str, timeout: float = 10) -> WebElement:
        element: WebElement = WebDriverWait(self.driver, timeout).until(
            expected_conditions.presence_of_element_located((By.CSS_SELECTOR, css)))
        return element

    def fill(self, css: str, value: str) -> None:
        box = self.find(css)
        box.clear()
        box.send_keys(value)

    def click_and_wait(self, element: WebElement) -> None:
        """Click something that loads a new page, and wait until the old page has gone."""
        html = self.find("html")
        element.click()
        self.wait_gone(html)
        self.wait_for("body")

    def wait_gone(self, old: WebElement, timeout: float = 15) -> None:
        """Wait until the page ``old`` belongs to has been replaced."""
        WebDriverWait(self.driver, timeout).until(lambda _driver: _gone(old))

    def submit(self, css: str = "main form button[type=submit]") -> None:
        self.click_and_wait(self.find(css))

    def sign_in(self, username: str, password: str = PASSWORD) -> None:
        self.open("/signin")
        self.fill("#username", username)
        self.fill("#password", password)
        self.submit()

    def sign_out(self) -> None:
        self.click_and_wait(self.find(".cw-header__user button"))

    def load_ms(self) -> float:
        """The current page's load time (navigation start to load event end), in ms."""
        value = self.driver.execute_script(
            "const n = performance.getEntriesByType('navigation')[0];"
            "return n ? n.loadEventEnd - n.startTime : -1;")
        return float(value)

    def record_time(self, name: str) -> float:
        ms = self.load_ms()
        self.timings[name] = ms
        self.shots.mkdir(parents=True, exist_ok=True)
        times = self.shots / "page-times.txt"
        lines = dict(
            line.split(": ", 1) for line in
            (times.read_text().splitlines() if times.exists() else []) if ": " in line)
        lines[name] = f"{ms:.0f} ms"
        times.write_text("".join(f"{k}: {v}\n" for k, v in sorted(lines.items())))
        return ms

    def screenshot(self, name: str) -> Path:
        """A full-page PNG of the current page, and its load time recorded."""
        self.shots.mkdir(parents=True, exist_ok=True)
        self.record_time(name)
        shot = self.driver.execute_cdp_cmd(  # type: ignore[attr-defined]
            "Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True})
        path = self.shots / f"{name}.png"
        path.write_bytes(base64.b64decode(shot["data"]))
        return path

    def axe(self) -> list[dict[str, Any]]:
        """axe-core's WCAG A/AA violations on the current page."""
        self.driver.execute_script(self.axe_js.read_text())
        result = self.driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}})"
            ".then(r => done(JSON.stringify(r.violations)))"
            ".catch(e => done(JSON.stringify([{id: 'axe-error', impact: 'critical',"
            " description: String(e), nodes: []}])));",
            AXE_TAGS)
        violations: list[dict[str, Any]] = json.loads(result)
        return violations

    def assert_accessible(self) -> None:
        """No serious or critical axe violation on the current page."""
        bad = [v for v in self.axe() if v.get("impact") in ("serious", "critical")]
        detail = "\n".join(
            f"{v['id']} ({v['impact']}): {v.get('help', v.get('description'))} at "
            + ", ".join(str(n.get("target")) for n in v.get("nodes", [])[:5])
            for v in bad)
        assert not bad, f"axe found serious violations on {self.path}:\n{detail}"


# What Chromium answers when asked about a node of a page it is replacing: a stale
# reference once the new page is in, or (mid-navigation, on a busy machine) an inspector
# error naming the node; both mean the old page has gone.
_GONE = ("does not belong to the document", "No node with given id")


def replaced(exc: WebDriverException) -> bool:
    """Whether ``exc`` says the node asked about is on a page that has been replaced."""
    return isinstance(exc, StaleElementReferenceException) or any(
        text in str(exc) for text in _GONE)


def _gone(old: WebElement) -> bool:
    try:
        old.is_enabled()
    except WebDriverException as exc:
        if replaced(exc):
            return True
        raise
    return False
