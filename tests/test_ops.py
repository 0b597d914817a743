"""Production serving: health checks, request ids, JSON logs, fingerprinted and compressed
static files, and the gunicorn settings."""

from __future__ import annotations

import importlib
import json
import logging
import re

import sqlalchemy as sa
from flask import url_for

from portal.extensions import db
from portal.ops import REQUEST_ID_KEY, JsonFormatter


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
    assert line["path"] == "/consultations/x/resume" and "SECRET" not in json.dumps(line)
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
    # The path without its query string: codes travel in query strings.
    assert fields["path"] == "%(U)s"
    assert "%(r)s" not in settings.access_log_format and "%(q)s" not in settings.access_log_format
    assert "%(h)s" not in settings.access_log_format  # no client address
