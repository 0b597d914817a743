"""Production serving: health checks, request ids, JSON logs, fingerprinted and compressed
static files, and the gunicorn settings."""

from __future__ import annotations

import http.client
import importlib
import json
import logging
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import url_for

from portal.extensions import db
from portal.ops import REQUEST_ID_KEY, JsonFormatter
from tests.servers import free_port, wait_until_listening

ROOT = Path(__file__).resolve().parent.parent


def test_healthz_answers_without_touching_the_database_or_setting_cookies(client):
    response = client.get(url_for("ops.healthz"))
    assert response.status_code == 200 and response.get_json() == {"status": "ok"}
    assert "Set-Cookie" not in response.headers


def test_readyz_checks_the_database(client, monkeypatch):
    ready = client.get(url_for("ops.readyz"))
    assert ready.status_code == 200
    assert ready.get_json()["status"] == "ok" and ready.get_json()["database_ms"] >= 0

    def unreachable(*args, **kwargs):
        raise sa.exc.OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(db.session, "execute", unreachable)
    down = client.get(url_for("ops.readyz"))
    assert down.status_code == 503
    assert down.get_json() == {"status": "unavailable", "database": "OperationalError"}


def test_every_response_carries_a_request_id(client):
    made = client.get(url_for("public.index")).headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", made)
    assert client.get(url_for("public.index")).headers["X-Request-ID"] != made
    # One given by the reverse proxy is kept, so its log and ours join up; odd ones are not.
    given = {"X-Request-ID": "proxy-4f2a9c1d"}
    assert client.get(url_for("ops.healthz"), headers=given).headers["X-Request-ID"] == (
        "proxy-4f2a9c1d"
    )
    odd = client.get(url_for("ops.healthz"), headers={"X-Request-ID": "<script>"})
    assert odd.headers["X-Request-ID"] != "<script>"


def test_log_lines_are_json_with_the_request_id_and_no_query_string(app):
    record = logging.LogRecord(
        "portal", logging.WARNING, __file__, 1, "Database unavailable", (), None
    )
    with app.test_request_context(
        "/consultations/x/resume?code=SECRET1234",
        method="POST",
        environ_base={REQUEST_ID_KEY: "abc123def456"},
    ):
        line = json.loads(JsonFormatter().format(record))
    assert line["level"] == "warning" and line["message"] == "Database unavailable"
    assert line["request_id"] == "abc123def456"
    assert line["path"] == "/consultations/<slug>/resume" and "SECRET" not in json.dumps(line)
    assert line["time"].endswith("Z")


def test_static_files_have_fingerprinted_names_cached_for_a_year(client):
    page = client.get_page(url_for("public.index"))
    stylesheet = page.soup.select_one("link[rel=stylesheet][href*='css/app']")["href"]
    assert re.fullmatch(r"/static/css/app\.[0-9a-f]{10}\.css", stylesheet), stylesheet
    with client.get(stylesheet) as cached:
        assert cached.status_code == 200 and cached.mimetype == "text/css"
        assert cached.cache_control.max_age == 365 * 24 * 3600 and cached.cache_control.immutable
    # The plain name still works (files importing each other by path), for an hour.
    with client.get("/static/css/app.css") as plain:
        assert plain.status_code == 200 and plain.cache_control.max_age == 3600
    assert client.get("/static/css/app.0000000000.css").status_code == 404
    assert client.get("/static/../portal/config.py").status_code == 404


def test_static_assets_are_compressed_and_pages_are_not(client):
    page = client.get_page(url_for("public.index"))
    script = page.soup.select_one("script[src*='htmx']")["src"]
    with client.get(script, headers={"Accept-Encoding": "br, gzip"}) as brotli:
        assert brotli.headers["Content-Encoding"] == "br"
    with client.get(script, headers={"Accept-Encoding": "gzip"}) as gzip:
        assert gzip.headers["Content-Encoding"] == "gzip"
        assert int(gzip.headers["Content-Length"]) < 30_000  # htmx.min.js is about 50 KB
    html = client.get(url_for("public.index"), headers={"Accept-Encoding": "br, gzip"})
    assert "Content-Encoding" not in html.headers  # pages hold CSRF tokens: no BREACH


def test_gunicorn_settings(monkeypatch):
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    monkeypatch.delenv("GUNICORN_BIND", raising=False)
    monkeypatch.setenv("PORT", "8123")
    import portal.gunicorn_config as settings

    settings = importlib.reload(settings)
    assert settings.bind == "127.0.0.1:8123"
    assert settings.workers >= 3 and settings.worker_class == "gthread"
    fields = json.loads(settings.access_log_format)
    # The route the app matched, not the path: codes travel in paths and query strings.
    assert fields["path"] == "%({portal.route}e)s"
    assert "%(r)s" not in settings.access_log_format and "%(q)s" not in settings.access_log_format
    assert "%(h)s" not in settings.access_log_format  # no client address


def test_gunicorn_error_lines_lose_their_query_strings_and_codes():
    import portal.gunicorn_config as settings

    assert settings.logger_class is settings.PortalLogger  # what gunicorn is told to use
    for request_line, logged in (
        ("/consultations/x/resume?code=SECRET1234&x=1", "/consultations/x/resume"),
        ("/i/SECRETINVITE?utm=1", "/i/<code>"),
        ("/panel/leave/SECRETTOKEN", "/panel/leave/<code>"),
        ("/staff/password-link/SECRETLINK", "/staff/password-link/<code>"),
    ):
        record = logging.LogRecord(
            "gunicorn.error",
            logging.ERROR,
            __file__,
            1,
            "Error handling request %s",
            (request_line,),
            None,
        )
        assert settings.WithoutCodes().filter(record)
        assert record.getMessage() == f"Error handling request {logged}"
    untouched = logging.LogRecord(
        "gunicorn.error", logging.INFO, __file__, 1, "Why? %s", ("x",), None
    )
    settings.WithoutCodes().filter(untouched)
    assert untouched.getMessage() == "Why? x"


@pytest.fixture
def gunicorn(app, database_url, tmp_path):
    """A real gunicorn, as `make serve` runs it (one worker), with its log in a file."""
    port = free_port()
    log = tmp_path / "gunicorn.log"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "log-test",
        "PORTAL_ENV": "development",
        "PORTAL_LOG_FORMAT": "json",
        "WEB_CONCURRENCY": "1",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
    }
    with log.open("w") as log_file:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "python:portal.gunicorn_config", "wsgi:app"],
            cwd=ROOT,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until_listening(port, server)
        yield port, log
    finally:
        server.terminate()
        server.wait(timeout=30)


def _send(port: int, method: str, path: str, **request: object) -> tuple[int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request(method, path, **request)
    response = connection.getresponse()
    text = response.read().decode()
    connection.close()
    return response.status, text


def test_gunicorn_logs_routes_never_the_codes_in_paths(gunicorn):
    """Its access lines name /i/<code> and /panel/leave/<token>, never the code or token."""
    port, log = gunicorn
    for path in (
        "/i/SECRETINVITE1",
        "/panel/leave/SECRETLEAVE2",
        "/consultations/x/resume?code=SECRETRESUME3",
        "/no/such/page",
    ):
        _send(port, "GET", path)
    # Refused before any view: no CSRF token, a wrong method, a host not trusted.
    _send(port, "POST", "/panel/leave/SECRETLEAVE4")
    _send(port, "POST", "/i/SECRETINVITE5")
    # A thread writes each access line after its response has gone: wait for all six lines
    # (any missing one fails below), never for a fixed time.
    deadline = time.monotonic() + 10
    while log.read_text().count('"status"') < 6 and time.monotonic() < deadline:
        time.sleep(0.02)
    text = log.read_text()
    assert "SECRET" not in text
    paths = [json.loads(line)["path"] for line in text.splitlines() if '"status"' in line]
    # In any order: a thread writes its access line after its response has gone.
    assert sorted(paths) == sorted(
        [
            "/i/<code>",
            "/panel/leave/<token>",
            "/consultations/<slug>/resume",
            "(no route)",
            "/panel/leave/<token>",
            "(no route)",
        ]
    )


def _chunks(body: bytes):
    for start in range(0, len(body), 16384):
        yield body[start : start + 16384]


def _post_chunked(port: int, body: bytes) -> tuple[int, str]:
    """A form posted in chunks, with no length given, as some clients and proxies send."""
    return _send(
        port,
        "POST",
        "/staff/sign-in",
        body=_chunks(body),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Transfer-Encoding": "chunked",
        },
        encode_chunked=True,
    )


def test_a_chunked_body_over_the_limit_is_refused_as_too_large(gunicorn):
    port, _ = gunicorn
    large = b"email=a%40b.example&password=x&padding=" + b"x" * 400_000
    status, text = _post_chunked(port, large)
    assert status == 413 and "What you sent is too large" in text
    # With its length given, the same body is refused the same way...
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    assert _send(port, "POST", "/staff/sign-in", body=large, headers=form)[0] == 413
    # ...and a small chunked form is read whole (refused here only for its missing token).
    status, text = _post_chunked(port, b"email=a%40b.example&password=x")
    assert status == 400 and "Sorry, your form could not be sent" in text
