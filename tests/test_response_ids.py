"""A response id is never handed out twice, so nothing that remembers ids (the results index's
ranges, an audit entry naming a typed answer, an export) takes a new response for an old one.

SQLite without AUTOINCREMENT gives a new row the highest id in use plus one, which after the
highest row is erased is that row's id again (migration 0027 makes response and answer ids
AUTOINCREMENT); PostgreSQL's sequences never hand an id out twice.
"""

from __future__ import annotations

import sqlalchemy as sa
from bs4 import BeautifulSoup

from portal.extensions import db
from portal.responses.models import Answer, Response
from tests.factories import submit_response

BULLYING = "bullying-what-parents-think"
LIVEABILITY = "warwickshire-panel-liveability"
SINCE_2000 = {"from-day": "1", "from-month": "1", "from-year": "2000"}


def _index(app) -> None:
    result = app.test_cli_runner().invoke(args=["responses", "index"])
    assert result.exit_code == 0, result.output


def _erase(app, response: Response) -> None:
    result = app.test_cli_runner().invoke(
        args=["responses", "delete", response.reference], input="y\n"
    )
    assert result.exit_code == 0, result.output


def _matching_sentence(officer_client, slug: str) -> str:
    page = officer_client.get(f"/officer/consultations/{slug}/results", query_string=SINCE_2000)
    assert page.status_code == 200
    return (
        BeautifulSoup(page.text, "html.parser")
        .select_one("#total-responses")
        .get_text(" ", strip=True)
    )


def test_a_response_after_the_highest_was_erased_is_in_the_results(app, officer_client):
    """The sequence an officer met: answer the bullying consultation, then the liveability
    one; index; erase the liveability response (the highest id); answer the bullying one
    again; index again. The bullying results must count both of its responses."""
    first = submit_response(BULLYING, {})
    highest = submit_response(LIVEABILITY, {})
    highest_id = highest.id
    _index(app)
    _erase(app, highest)
    assert db.session.get(Response, highest_id) is None

    second = submit_response(BULLYING, {})
    _index(app)

    assert second.id > highest_id > first.id
    assert _matching_sentence(officer_client, BULLYING) == "2 of 2 responses match these filters"


def test_answer_ids_are_not_reused_after_the_highest_is_erased(app):
    """An audit entry names a typed answer by its id ("comment:<id>"): a later answer must not
    take the id of one erased."""
    erased = submit_response(LIVEABILITY, {})
    highest_answer = db.session.scalar(
        sa.select(sa.func.max(Answer.id)).where(Answer.response_id == erased.id)
    )
    _erase(app, erased)
    later = submit_response(BULLYING, {})
    lowest_new = db.session.scalar(
        sa.select(sa.func.min(Answer.id)).where(Answer.response_id == later.id)
    )
    assert lowest_new > highest_answer
