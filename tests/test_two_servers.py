"""Several app servers behind one database: a respondent's journey moves between two gunicorn
processes (the production settings, portal/gunicorn_config.py) request by request, as a load
balancer may send it, and ends with one stored response. Nothing that matters lives in a
process's memory: the session is a signed cookie, the draft is in the database."""

from __future__ import annotations

import http.client
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest
import sqlalchemy as sa

from portal.extensions import db
from portal.responses.models import Response
from tests.journeys import BULLYING_ANSWERS
from tests.servers import free_port, wait_until_listening

ROOT = Path(__file__).resolve().parent.parent
SLUG = "bullying-what-parents-think"


@pytest.fixture
def two_servers(app, database_url) -> Iterator[list[int]]:
    ports = [free_port(), free_port()]
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "shared-by-both-servers",
        "PORTAL_ENV": "development",  # plain HTTP on 127.0.0.1: no Secure cookies
        "PORTAL_LOG_FORMAT": "json",
        "WEB_CONCURRENCY": "1",
        "GUNICORN_THREADS": "2",
    }
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "python:portal.gunicorn_config", "wsgi:app"],
            cwd=ROOT,
            env={**env, "GUNICORN_BIND": f"127.0.0.1:{port}"},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for port in ports
    ]
    try:
        for port, process in zip(ports, processes, strict=True):
            wait_until_listening(port, process)
        yield ports
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=30)


class Browser:
    """A cookie jar; each request goes to whichever server it is told."""

    def __init__(self) -> None:
        self.cookie = ""
        self.servers_used: list[int] = []

    def send(self, port: int, method: str, path: str, form: dict | None = None):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        headers = {"Cookie": self.cookie} if self.cookie else {}
        body = None
        if form is not None:
            body = urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        text = response.read().decode()
        if cookie := response.getheader("Set-Cookie"):
            self.cookie = cookie.split(";", 1)[0]
        self.servers_used.append(port)
        connection.close()
        return response, text


def test_a_journey_across_two_app_servers_stores_one_response(two_servers):
    first, second = two_servers
    browser = Browser()
    start = f"/consultations/{SLUG}"
    response, text = browser.send(first, "GET", start)
    assert response.status == 200, text[:500]
    assert response.getheader("X-Request-ID")
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', text).group(1)
    # The token made by one server is accepted by the other: they share the secret key.
    response, _ = browser.send(second, "POST", f"{start}/start", {"csrf_token": token})
    assert response.status == 303
    for number, answers in enumerate(BULLYING_ANSWERS, start=1):
        port = (first, second)[number % 2]
        response, text = browser.send(
            port, "POST", f"{start}/pages/{number}", {"csrf_token": token, **answers}
        )
        assert response.status == 303, (number, port, text[:500])
    response, _ = browser.send(first, "POST", f"{start}/check-answers", {"csrf_token": token})
    assert response.status == 303
    response, text = browser.send(second, "GET", f"{start}/confirmation")
    assert response.status == 200
    shown = re.search(r'class="app-reference">([A-Z0-9]{5})-([A-Z0-9]{5})<', text)
    assert shown, text[:1000]
    db.session.expire_all()
    stored = db.session.scalars(sa.select(Response.reference)).all()
    assert stored == [shown.group(1) + shown.group(2)]
    assert set(browser.servers_used) == {first, second}
