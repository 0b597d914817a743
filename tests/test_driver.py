"""Statements sent straight to the driver (portal/driver.py) read and fail as they would
through SQLAlchemy."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from portal import clock
from portal.driver import DriverQuery
from portal.extensions import db
from portal.responses import service
from tests.journeys import BULLYING_ANSWERS, Respondent, only_draft

BULLYING = "bullying-what-parents-think"


def _typed(row: tuple | sa.Row) -> list[tuple[type, object]]:
    return [(type(value), value) for value in row]


def test_a_driver_query_reads_what_sqlalchemy_reads(client):
    """The journey's read (enums, dates, times, the draft's JSON answers, booleans) gives the
    same values of the same types as SQLAlchemy's execution of the same statement."""
    respondent = Respondent(client, BULLYING)
    respondent.start()
    respondent.answer(1, BULLYING_ANSWERS[0])
    draft = only_draft()
    parameters = {"slug": BULLYING, "token": draft.token, "now": clock.utcnow()}
    query = service._JOURNEY_TO_READ

    straight = query.first(parameters)
    through_sqlalchemy = db.session.execute(query.statement, parameters).first()

    assert straight is not None and through_sqlalchemy is not None
    assert _typed(straight) == _typed(through_sqlalchemy)
    names = [column.name for column in service.READ_ONLY_DRAFT_COLUMNS]
    answers = straight[len(service.JOURNEY_COLUMNS) + names.index("answers")]
    assert draft.answers and answers == draft.answers


def test_a_driver_query_converts_its_parameters_by_type(client):
    """A datetime parameter is compared as SQLAlchemy stores it (SQLite keeps text): a draft
    that expires a microsecond from now is found, one that expired a microsecond ago is not."""
    respondent = Respondent(client, BULLYING)
    respondent.start()
    draft = only_draft()
    query = service._JOURNEY_TO_READ
    expires = draft.expires_at

    def found(now):
        row = query.first({"slug": BULLYING, "token": draft.token, "now": now})
        assert row is not None  # the consultation, with or without the draft
        return row[len(service.JOURNEY_COLUMNS)] is not None

    assert found(expires - timedelta(microseconds=1))
    assert not found(expires)
    assert not found(expires.replace(microsecond=0) + timedelta(seconds=1))


def test_driver_errors_are_raised_as_sqlalchemys(app):
    """As the portal's handlers expect them: a clash as IntegrityError (a reference clash is
    retried), a bad statement as SQLAlchemy's class for the driver's error."""
    with app.app_context():
        db.session.execute(sa.text("CREATE TEMPORARY TABLE driven (id integer PRIMARY KEY)"))
        db.session.execute(sa.text("INSERT INTO driven (id) VALUES (1)"))
        with pytest.raises(sa.exc.IntegrityError):
            DriverQuery(sa.text("INSERT INTO driven (id) VALUES (:id) RETURNING id")).first(
                {"id": 1}
            )
        db.session.rollback()

        postgresql = db.engine.dialect.name == "postgresql"
        with pytest.raises(sa.exc.ProgrammingError if postgresql else sa.exc.OperationalError):
            DriverQuery(sa.text("SELECT no_such_column FROM consultation")).first({})
        db.session.rollback()
        assert DriverQuery(sa.text("SELECT 1 + :n")).one({"n": 1}) == (2,)
        db.session.remove()
