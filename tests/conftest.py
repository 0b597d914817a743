"""Fixtures: the app on a real database (SQLite and PostgreSQL), clients, and page parsing.

Every test that uses `app` runs once per backend. Each backend's database is created fresh for
the session by running the Alembic migrations, so the migrations are exercised on every run.
Between tests every table is emptied and the seed data put back.
"""

from __future__ import annotations

import os
import re
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import psycopg
import pytest
import sqlalchemy as sa
from bs4 import BeautifulSoup
from flask import Flask, Response, g, request, request_finished, request_started
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy.sql import functions as sa_functions

from portal import create_app
from portal.auth.password_views import SENDING_THREAD
from portal.clock import uk_today
from portal.config import normalise_database_url
from portal.consultations.seed import seed_consultations
from portal.consultations.service import forget_cached_consultations
from portal.extensions import db, limiter
from portal.strategy.seed import seed_strategy
from tests.html_checker import checker as html_checker

DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


def _require(variable: str) -> bool:
    return os.environ.get(variable, "") == "1"


def _postgres_database(worker: str) -> Iterator[str]:
    """Create a database of our own on the server named by TEST_DATABASE_URL; drop it after."""
    admin_url = os.environ.get("TEST_DATABASE_URL", DEFAULT_POSTGRES_URL)
    admin_url = admin_url.replace("postgresql+psycopg://", "postgresql://")
    name = f"portal_test_{worker}_{uuid.uuid4().hex[:8]}"
    try:
        admin = psycopg.connect(admin_url, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as error:
        message = f"PostgreSQL is not reachable at {admin_url}: {error}"
        if _require("PORTAL_REQUIRE_POSTGRES"):
            pytest.fail(message + " (PORTAL_REQUIRE_POSTGRES=1)")
        pytest.skip(message)
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    base = admin_url.rsplit("/", 1)[0]
    yield normalise_database_url(f"{base}/{name}")
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("sqlite") / f"portal-{worker}.sqlite3"
        yield f"sqlite:///{path}"
    else:
        yield from _postgres_database(worker)


@pytest.fixture(scope="session")
def app(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    application = create_app(
        {
            "PORTAL_ENV": "testing",
            "SECRET_KEY": "test-secret-" + uuid.uuid4().hex,
            "SQLALCHEMY_DATABASE_URI": database_url,
            # Tests drive many submissions from one address; the limit has its own test.
            "SUBMISSION_RATE_LIMIT": "10000/minute",
        }
    )
    with application.app_context():
        upgrade()  # the real migrations, from an empty database to head
    # Registered last, so it runs first of the after_request hooks and sees the page as written.
    application.after_request(_check_html)
    yield application
    with application.app_context():
        db.engine.dispose()


# What the Nu HTML Checker found in the pages fetched during the current test.
_html_problems: list[str] = []


def _check_html(response: Response) -> Response:
    """Check every HTML page the app serves to a test, through the test client or the browser."""
    if response.mimetype == "text/html" and not response.is_streamed:
        errors = html_checker.errors(response.get_data(as_text=True))
        if errors:
            _html_problems.append(
                f"{request.method} {request.full_path} ({response.status_code}):\n  "
                + "\n  ".join(errors)
            )
    return response


@pytest.fixture(autouse=True)
def _valid_html() -> Iterator[None]:
    """Every page a test fetches is valid HTML (Nu HTML Checker), or the test errors."""
    _html_problems.clear()
    yield
    if _html_problems:
        problems = "\n".join(dict.fromkeys(_html_problems))
        _html_problems.clear()
        pytest.fail(f"Invalid HTML in pages this test fetched:\n{problems}", pytrace=False)


def empty_database() -> None:
    """Empty every table and restart its ids, as in a new database; except that on SQLite
    the AUTOINCREMENT tables (response and answer, migration 0027) carry on counting."""
    tables = list(reversed(db.metadata.sorted_tables))
    if db.engine.dialect.name == "postgresql":
        # DELETE, because TRUNCATE makes new files for every table: 90 ms a test against 20.
        # But the audit log is append-only (migration 0015), and its trigger refuses DELETE;
        # TRUNCATE fires no row trigger. It comes first: deleting a user sets the user's
        # audit entries' user_id to NULL, an UPDATE the trigger refuses too.
        db.session.execute(sa.text("TRUNCATE audit_entry"))
        for table in tables:
            if table.name != "audit_entry":
                db.session.execute(table.delete())
        db.session.execute(
            sa.text(
                "SELECT setval(format('%I.%I', schemaname, sequencename), 1, false) "
                "FROM pg_sequences WHERE schemaname = current_schema()"
            )
        )
    else:
        # The audit log is append-only (migration 0015): tests alone lift that, for SQLite,
        # whose DELETE fires the triggers.
        db.session.execute(sa.text("DROP TRIGGER IF EXISTS audit_entry_no_delete"))
        for table in tables:
            db.session.execute(table.delete())
        db.session.execute(
            sa.text(
                "CREATE TRIGGER audit_entry_no_delete BEFORE DELETE ON audit_entry "
                "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END"
            )
        )
    db.session.commit()


def stamped_by_the_database(column: sa.Column[Any]) -> bool:
    """A column the database stamps with the time of the insert (a created_at, say)."""
    default = column.server_default
    return isinstance(default, sa.DefaultClause) and isinstance(default.arg, sa_functions.now)


@dataclass(frozen=True)
class SeededRows:
    """What the seed leaves in a database: every row, and on PostgreSQL where each id sequence
    stands. Putting these back is the same as seeding again (tests/test_seed.py checks it): the
    times the database stamps (created_at and the like) are left out, so it stamps them anew."""

    day: date
    rows: dict[sa.Table, list[dict[str, Any]]]
    sequences: sa.TextClause | None

    @classmethod
    def read(cls, day: date) -> SeededRows:
        rows = {}
        for table in db.metadata.sorted_tables:
            kept = [c for c in table.columns if not stamped_by_the_database(c)]
            found = db.session.execute(sa.select(*kept).order_by(*table.primary_key.columns))
            rows[table] = [dict(row._mapping) for row in found]
        sequences = None
        if db.engine.dialect.name == "postgresql":
            where = db.session.execute(
                sa.text(
                    "SELECT format('%I.%I', schemaname, sequencename), last_value "
                    "FROM pg_sequences WHERE schemaname = current_schema() "
                    "AND last_value IS NOT NULL ORDER BY 1"
                )
            ).all()
            if where:
                calls = ", ".join(f"setval('{name}', {value}, true)" for name, value in where)
                sequences = sa.text(f"SELECT {calls}")
        return cls(day, {table: found for table, found in rows.items() if found}, sequences)

    def put_back(self) -> None:
        for table, rows in self.rows.items():
            db.session.execute(table.insert(), rows)
        if self.sequences is not None:
            db.session.execute(self.sequences)
        db.session.commit()


# The seeded rows of each test database (SQLite and PostgreSQL), read after its first seeding.
_seeded: dict[str, SeededRows] = {}


def reset_database() -> None:
    """Empty every table and put the seeded rows back (seeding afresh the first time on each
    database each day).

    The seed functions take 150 ms on SQLite and 280 ms on PostgreSQL (2 cores, December 2026),
    before each of about 1,800 tests; putting back the rows they left the first time takes 11
    and 40 ms. They run again on a new day, as seeded dates follow the day.
    """
    empty_database()
    forget_cached_consultations()  # ids restart, so cached structures and snapshots are stale
    today = uk_today()
    database = str(db.engine.url)
    seeded = _seeded.get(database)
    if seeded is not None and seeded.day == today:
        seeded.put_back()
        return
    seed_strategy()
    seed_consultations(today, open_now=True)
    _seeded[database] = SeededRows.read(today)


@pytest.fixture(autouse=True)
def _fresh_data(request: pytest.FixtureRequest) -> Iterator[None]:
    if "app" not in request.fixturenames:
        yield
        return
    app: Flask = request.getfixturevalue("app")
    # A request context, so that tests can call url_for as the views do.
    with app.test_request_context():
        reset_database()
        limiter.reset()  # rate limits are per test, not per session
        yield
        # A forgotten-password request is answered in a thread of its own: it finishes before
        # the next test empties the database it writes to.
        for thread in threading.enumerate():
            if thread.name == SENDING_THREAD:
                thread.join(timeout=10)
                assert not thread.is_alive(), "a reset email thread is still running"
        db.session.remove()


class HtmlPage:
    """A parsed page, checked for the mistakes that break every page at once."""

    def __init__(self, html: str, status: int) -> None:
        self.html = html
        self.status = status
        self.soup = BeautifulSoup(html, "html.parser")
        ids = [tag["id"] for tag in self.soup.select("[id]")]
        duplicates = {i for i in ids if ids.count(i) > 1}
        assert not duplicates, f"duplicate ids: {duplicates}"
        for script in self.soup.find_all("script"):
            assert script.get("src"), "inline script would break the Content-Security-Policy"
        assert not self.soup.select("[style]"), "inline style attributes break the CSP"
        for form in self.soup.find_all("form"):
            assert form.get("action"), "every form posts somewhere without JavaScript"

    @property
    def title(self) -> str:
        title = self.soup.title
        return title.get_text(strip=True) if title else ""

    @property
    def h1(self) -> str:
        heading = self.soup.find("h1")
        return heading.get_text(" ", strip=True) if heading else ""

    @property
    def text(self) -> str:
        return re.sub(r"\s+", " ", self.soup.get_text(" ", strip=True))

    def error_summary(self) -> list[str]:
        return [a.get_text(strip=True) for a in self.soup.select(".govuk-error-summary__list a")]

    def csrf_token(self) -> str:
        field = self.soup.find("input", attrs={"name": "csrf_token"})
        assert field is not None, "the page has no CSRF token"
        return str(field["value"])


class PortalClient(FlaskClient):
    def get_page(self, url: str, **kwargs: Any) -> HtmlPage:
        response = self.get(url, **kwargs)
        return HtmlPage(response.get_data(as_text=True), response.status_code)

    def post_page(self, url: str, data: dict[str, Any], **kwargs: Any) -> HtmlPage:
        response = self.post(url, data=data, **kwargs)
        return HtmlPage(response.get_data(as_text=True), response.status_code)


def _fresh_g_per_request(sender: Flask, **extra: Any) -> None:
    """Give each test-client request an empty `g`, as a real server does.

    Tests hold an app context open so they can use db.session and url_for, and Flask reuses an
    open app context for test-client requests, so without this `g` would carry Flask-WTF's cached
    CSRF token and Flask-Login's cached user from one request into the next.
    """
    for name in list(vars(g)):
        delattr(g, name)
    # The same reason: the test's database session outlives each request, where a server's
    # does not. Expiring its objects means nothing one request attached to them (such as a
    # consultation's structure from the process cache) is seen by the next.
    db.session.expire_all()


def _expire_session_after_request(sender: Flask, **extra: Any) -> None:
    db.session.expire_all()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    request_started.connect(_fresh_g_per_request, app)
    request_finished.connect(_expire_session_after_request, app)
    app.test_client_class = PortalClient
    return app.test_client()


@pytest.fixture
def officer_client(client: FlaskClient) -> FlaskClient:
    """A client signed in as an officer."""
    from portal.accounts.models import Role
    from tests.factories import create_user, sign_in

    sign_in(client, create_user(Role.OFFICER))
    return client


@pytest.fixture(params=["counted by SQL", "counted from the results index"])
def counted(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run a test twice: with filtered figures counted by SQL (no index built), and with the
    results index brought up to date before every filtered count, so its bitmaps do it."""
    if request.param == "counted from the results index":
        from portal.reporting import results_index, results_index_build

        match = results_index.match

        def refreshed_first(consultation_id: int, only: Any) -> Any:
            results_index_build.refresh()
            return match(consultation_id, only)

        monkeypatch.setattr(results_index, "match", refreshed_first)
    return str(request.param)


@pytest.fixture
def project_root() -> Path:
    return Path(__file__).resolve().parent.parent


# The local SMTP server fixture, for every test module that sends mail.
from tests.mail import inbox  # noqa: E402, F401
