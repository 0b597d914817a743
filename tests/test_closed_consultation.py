"""A closed consultation's public pages point to its results once they are published, and say
plainly when they are not yet; a consultation not open yet is not called closed."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from flask import url_for

from portal.clock import uk_today
from portal.consultations.models import ConsultationStatus
from portal.extensions import db
from portal.publications.models import Publication
from tests.journeys import BULLYING_ANSWERS, Respondent, consultation

BULLYING = "bullying-what-parents-think"


def _close(**changes) -> None:
    found = consultation(BULLYING)
    found.status = ConsultationStatus.CLOSED
    found.closes_on = uk_today() - timedelta(days=1)
    for name, value in changes.items():
        setattr(found, name, value)
    db.session.commit()


def _publication(published: bool) -> None:
    db.session.add(
        Publication(
            consultation_id=consultation(BULLYING).id,
            updated_at=datetime(2026, 1, 1),
            published_at=datetime(2026, 1, 2) if published else None,
        )
    )
    db.session.commit()


def _closed_page(client):
    """What someone part-way through sees on their next page once it has closed."""
    respondent = Respondent(client, BULLYING)
    respondent.start()
    respondent.answer(1, BULLYING_ANSWERS[0])
    _close()
    return client.get_page(url_for("public.question_page", slug=BULLYING, number=2))


@pytest.mark.parametrize("page_of", ["start page", "closed page"])
def test_published_results_are_linked(client, page_of):
    _publication(published=True)
    if page_of == "start page":
        _close()
        page = client.get_page(url_for("public.start", slug=BULLYING))
    else:
        page = _closed_page(client)
        assert page.status == 403 and page.h1 == "This consultation is closed"
        closed_on = consultation(BULLYING).closes_on
        assert f"It closed on {closed_on.day} {closed_on:%B %Y}." in page.text
    link = page.soup.select_one(".app-closed-results a")
    assert link.get_text(strip=True) == "See the results of this consultation"
    assert link["href"] == url_for("public.published_results", slug=BULLYING)
    assert "not been published" not in page.text


@pytest.mark.parametrize("publication", ["none", "a draft", "withdrawn"])
@pytest.mark.parametrize("page_of", ["start page", "closed page"])
def test_results_not_published_yet_are_said_to_be(client, publication, page_of):
    if publication != "none":
        _publication(published=False)  # drafted, or published and withdrawn: the same row
    if page_of == "start page":
        _close()
        page = client.get_page(url_for("public.start", slug=BULLYING))
    else:
        page = _closed_page(client)
    said = page.soup.select_one(".app-closed-results")
    assert said.get_text(" ", strip=True) == (
        "Results have not been published yet. When they are, they will be listed under "
        "published results ."
    )
    assert said.a["href"] == url_for("public.results_index")
    assert not page.soup.select(f"a[href='{url_for('public.published_results', slug=BULLYING)}']")


def test_a_consultation_past_its_closing_date_counts_as_closed(client):
    _publication(published=True)
    found = consultation(BULLYING)
    found.closes_on = uk_today() - timedelta(days=1)  # still "open" in status, but past its date
    db.session.commit()
    page = client.get_page(url_for("public.start", slug=BULLYING))
    assert "This consultation is closed." in page.text
    assert page.soup.select_one(".app-closed-results a")["href"] == url_for(
        "public.published_results", slug=BULLYING
    )


def test_a_consultation_not_open_yet_is_not_called_closed(client):
    token = client.get_page(url_for("public.start", slug=BULLYING)).csrf_token()
    found = consultation(BULLYING)
    found.opens_on = uk_today() + timedelta(days=3)
    found.closes_on = uk_today() + timedelta(days=10)
    db.session.commit()
    page = client.post_page(url_for("public.begin", slug=BULLYING), {"csrf_token": token})
    assert page.status == 403
    assert page.h1 == "This consultation is not open yet"
    opens = found.opens_on
    assert f"You can respond from {opens.day} {opens:%B %Y}" in page.text
    assert page.soup.select_one(".app-closed-results") is None
