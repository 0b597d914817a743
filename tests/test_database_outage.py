"""When the database goes away mid-submission (a restart, a fail-over), the respondent gets a
clear "try again" page, nothing partial is stored, and their answers wait in their draft to be
sent again. The measured version, with PostgreSQL really restarted under load, is
`make load` (bench/load.py; figures in docs/reliability.md)."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest
import sqlalchemy as sa
from flask import Flask, url_for

from portal import create_app
from portal.extensions import db
from portal.responses import storing, tallies
from tests.conftest import _postgres_database
from tests.journeys import (
    BULLYING_ANSWERS,
    Respondent,
    answer_count,
    only_draft,
    response_count,
    submission_failing_at_its_end,
)

BULLYING = "bullying-what-parents-think"


def _counted_then_lost(count_response):
    """The running tallies counted, the last write of a submission on SQLite, then the
    connection lost before the commit."""

    def counted_then_lost(*args, **kwargs):
        count_response(*args, **kwargs)
        raise sa.exc.OperationalError(
            "COMMIT", {}, Exception("server closed the connection unexpectedly")
        )

    return counted_then_lost


def test_a_lost_database_mid_submission_stores_nothing_and_the_draft_is_sent_again(
    client, monkeypatch
):
    respondent = Respondent(client, BULLYING)
    respondent.start()
    respondent.answer_all(BULLYING_ANSWERS)
    responses, answers = response_count(), answer_count()
    counts = tallies.stored_counts()
    saved = dict(only_draft().answers)

    # The response and its answers are inserted, then the connection is lost: before SQLite's
    # commit; at the end of PostgreSQL's one statement, which the server ends itself.
    monkeypatch.setattr(tallies, "count_response", _counted_then_lost(tallies.count_response))
    failing = submission_failing_at_its_end("lost connection")
    monkeypatch.setattr(storing.postgresql, "_SUBMISSION", failing)
    failed = respondent.submit()
    assert failed.status_code == 503
    # "Wait a minute". The submission's rate limiter restates it in whole seconds from its
    # own clock, so it can read 59.
    assert 58 <= int(failed.headers["Retry-After"]) <= 60
    page = failed.get_data(as_text=True)
    assert "Sorry, the service is busy" in page
    assert "your earlier answers are safe" in page
    assert response_count() == responses and answer_count() == answers
    assert tallies.stored_counts() == counts
    draft = only_draft()
    assert draft.response_id is None and draft.answers == saved

    # The database is back: the same button press sends it, once.
    monkeypatch.undo()
    sent = respondent.submit()
    assert sent.headers["Location"] == url_for("public.confirmation", slug=BULLYING)
    assert response_count() == responses + 1
    assert tallies.stored_counts() == tallies.fresh_counts()


def test_a_connection_lost_after_the_page_was_made_does_not_become_a_500(client, monkeypatch):
    """PostgreSQL restarting between a page's last query and the end of its request made the
    session's closing ROLLBACK fail, and gunicorn answered 500 instead of the page (seen in
    `make load`). The page now stands."""
    from flask_sqlalchemy import SQLAlchemy

    def closing_fails(self, exc):
        raise sa.exc.OperationalError(
            "ROLLBACK", {}, Exception("terminating connection due to administrator command")
        )

    monkeypatch.setattr(SQLAlchemy, "_teardown_session", closing_fails)
    page = client.get_page(url_for("public.start", slug=BULLYING))
    assert page.status == 200
    assert page.h1 == "Bullying: what parents think"


@pytest.fixture
def postgres_app() -> Iterator[Flask]:
    """An app on a PostgreSQL database of its own, so ending its connections disturbs no
    other test."""
    for url in _postgres_database("outage"):
        application = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "outage"})
        yield application
        with application.app_context():
            db.engine.dispose()


def test_connections_the_server_ended_are_replaced_before_the_next_request(postgres_app):
    """PostgreSQL restarting (or an administrator ending sessions) between two requests leaves
    the pooled connection dead; the next request is served on a new connection rather than
    given the "service is busy" page. Checked at checkout by looking at the socket, without
    the round trip of a pre-ping."""
    with postgres_app.app_context():
        engine = db.engine
        server = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    connected: list[int] = []
    sa.event.listen(engine, "connect", lambda dbapi_connection, record: connected.append(1))
    client = postgres_app.test_client()

    assert client.get("/readyz").status_code == 200
    assert len(connected) == 1
    with psycopg.connect(server, autocommit=True) as admin:
        # The timeout waits until each backend has exited, as after a restart.
        ended = admin.execute(
            "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchall()
    assert ended == [(True,)]  # the one pooled connection

    again = client.get("/readyz")
    assert again.status_code == 200, again.get_json()
    assert len(connected) == 2  # the dead one was replaced at checkout
