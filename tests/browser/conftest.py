"""Playwright in Debian's Chromium against the app served in a thread on 127.0.0.1.

Without Chromium these tests skip, unless PORTAL_REQUIRE_BROWSER=1 (as in CI), where a missing
browser fails the run. Every page a test visits is checked with axe-core, and any console
error (a CSP violation, a script error) fails the test too.
"""

from __future__ import annotations

import os
import re
import shutil
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from flask import Flask
from playwright.sync_api import Page, expect
from werkzeug.serving import make_server

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or "/usr/bin/chromium"
# WCAG 2.2 AA, and axe's best practices on top.
AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"],
    },
    "resultTypes": ["violations"],
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
            # werkzeug's threaded test server leaves a static file's handle to the garbage
            # collector when Chromium drops a request mid-navigation; that is the test server,
            # not the portal, so its ResourceWarning must not fail a browser test.
            item.add_marker(
                pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
            )


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    if not os.path.exists(CHROMIUM):
        message = f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("PORTAL_REQUIRE_BROWSER") == "1":
            pytest.fail(message + " and PORTAL_REQUIRE_BROWSER=1")
        pytest.skip(message)
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture(scope="session")
def live_server(app: Flask) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


class Visit:
    """Checks each page the browser lands on: axe-core clean, no console errors.

    axe-core resolves its results through timers, which never fire in a page with JavaScript
    switched off. For such a journey pass `axe_page`, a page in a JavaScript-enabled context:
    each page's exact HTML is copied into it, with the site's own scripts blocked, and checked
    there, so what is checked is what the script-less browser shows.
    """

    def __init__(self, page: Any, axe_page: Any = None) -> None:
        self.page = page
        self.axe_page = axe_page
        if axe_page is not None:
            axe_page.route(re.compile(r"\.m?js(\?.*)?$"), lambda route: route.abort())
        self.axe = Axe()
        self.console_errors: list[str] = []
        self.checked: list[str] = []
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.console_errors.append(str(error)))

    def _on_console(self, message: Any) -> None:
        # A 422 is how a page with validation errors answers; Chromium logs every 4xx fetch.
        if message.type == "error" and "status of 422" not in message.text:
            self.console_errors.append(message.text)

    def check(self) -> None:
        self.page.wait_for_load_state("load")
        target = self.page
        if self.axe_page is not None:
            origin = re.match(r"https?://[^/]+/", self.page.url)
            assert origin is not None
            html = self.page.content().replace(
                "<head>", f'<head><base href="{origin.group(0)}">', 1
            )
            self.axe_page.set_content(html, wait_until="load")
            target = self.axe_page
        results = self.axe.run(target, options=AXE_OPTIONS)
        assert results.violations_count == 0, f"{self.page.url}\n{results.generate_report()}"
        assert not self.console_errors, f"{self.page.url}: {self.console_errors}"
        self.checked.append(self.page.url)


def sign_in_officer(page: Page, live_server: str) -> None:
    """A new officer, signed in through the form."""
    from portal.accounts.models import Role
    from tests.factories import PASSWORD, create_user

    officer = create_user(Role.OFFICER)
    page.goto(live_server + "/staff/sign-in")
    page.get_by_label("Email address").fill(officer.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("h1")).to_have_text("Consultations")


def no_sideways_scroll(page: Page) -> None:
    """The page is no wider than the window (reflow, WCAG 1.4.10)."""
    width = page.evaluate("() => document.documentElement.scrollWidth")
    viewport = page.evaluate("() => document.documentElement.clientWidth")
    assert width <= viewport, f"{page.url} is {width}px wide in a {viewport}px window"
