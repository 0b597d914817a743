"""When the database goes away mid-submission (a restart, a fail-over), the respondent gets a
clear "try again" page, nothing partial is stored, and their answers wait in their draft to be
sent again. The measured version, with PostgreSQL really restarted under load, is
`make load` (bench/load.py; figures in docs/reliability.md)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import url_for

from portal.responses import service, tallies
from tests.journeys import (
    BULLYING_ANSWERS,
    Respondent,
    answer_count,
    only_draft,
    response_count,
)

BULLYING = "bullying-what-parents-think"


def _lost_connection(*args, **kwargs):
    raise sa.exc.OperationalError(
        "INSERT INTO answer_tally ...", {}, Exception("server closed the connection unexpectedly")
    )


def test_a_lost_database_mid_submission_stores_nothing_and_the_draft_is_sent_again(
    client, monkeypatch
):
    respondent = Respondent(client, BULLYING)
    respondent.start()
    respondent.answer_all(BULLYING_ANSWERS)
    responses, answers = response_count(), answer_count()
    counts = tallies.stored_counts()
    saved = dict(only_draft().answers)

    # The response and its answers are inserted, then the connection is lost before commit.
    monkeypatch.setattr(service.tallies, "count_response", _lost_connection)
    failed = respondent.submit()
    assert failed.status_code == 503
    assert failed.headers["Retry-After"] == "60"  # "wait a minute"
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
