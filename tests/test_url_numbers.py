"""Numbers in URLs that no id or page can be, and an error page after a failed query: a clear
page in the service's words (404, or the 500 page), never a bare server error.

On PostgreSQL a number past `integer` made the database refuse the query; the error page then
failed on the aborted transaction. Both run on SQLite and PostgreSQL.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import url_for

from portal.extensions import db
from portal.officer import panel_views

HUGE = "99999999999999999999999"


def test_a_page_or_group_no_list_can_have_is_not_found(officer_client):
    for url in (
        url_for("officer.panel", page=HUGE),
        url_for("officer.panel", page="0"),
        url_for("officer.panel", page="-1"),
        url_for("officer.panel", group=HUGE),
        url_for("officer.panel", group="\u00b2"),  # "²" passes str.isdigit()
        url_for("officer.safeguarding_queue", page=HUGE),
    ):
        response = officer_client.get(url)
        assert response.status_code == 404, url
        assert "Page not found" in response.text
    # A page that can exist but is past the end is an empty page; no page given is page 1.
    assert officer_client.get(url_for("officer.panel", page="2")).status_code == 200
    assert officer_client.get(url_for("officer.panel")).status_code == 200


def test_an_id_in_the_path_past_any_id_is_not_found(officer_client):
    url = url_for("officer.safeguarding_flag", answer_id=7).replace("/7", "/" + HUGE)
    response = officer_client.get(url)
    assert response.status_code == 404 and "Page not found" in response.text


def test_the_error_page_after_a_failed_query_is_the_services_own(officer_client, monkeypatch):
    def failing_query(*args, **kwargs):
        # A statement the database refuses; on PostgreSQL it aborts the transaction.
        db.session.execute(
            sa.text("INSERT INTO sign_in_lock (user_id, place, failures) VALUES (NULL, 'x', 0)")
        )

    monkeypatch.setattr(panel_views.service, "members", failing_query)
    response = officer_client.get(url_for("officer.panel"))
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.text
    # The user's menu on the error page needed the database: it was rolled back first.
    assert "Sign out" in response.text
