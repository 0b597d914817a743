"""Published results: drafted by an officer, public only once closed and published, every
figure through the small-number suppression, comments only as approved."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import url_for

from portal.audit import AuditEntry
from portal.clock import uk_today
from portal.comments import service as comment_service
from portal.consultations import builder
from portal.consultations.service import consultation_with_questions
from portal.extensions import db
from portal.publications.models import Publication
from portal.responses.models import Answer
from tests.factories import chose, create_user, submit_response

BULLYING = "bullying-what-parents-think"


def _question_id(key: str) -> int:
    found = consultation_with_questions(BULLYING)
    return next(q.id for q in found.questions if q.key == key)


def _save(client, introduction: str = "", keys: tuple[str, ...] = ()) -> object:
    url = url_for("officer.publication", slug=BULLYING)
    page = client.get_page(url)
    return client.post(
        url,
        data={
            "introduction": introduction,
            "questions": [str(_question_id(key)) for key in keys],
            "csrf_token": page.csrf_token(),
        },
    )


def _post(client, endpoint: str, data: dict | None = None, **values) -> object:
    token = client.get_page(url_for("officer.publication", slug=BULLYING)).csrf_token()
    return client.post(
        url_for(endpoint, slug=BULLYING, **values), data={"csrf_token": token, **(data or {})}
    )


@pytest.fixture
def answered(app):
    """Twelve parents: eleven say yes, one says no, so "no" is hidden and, with the total shown,
    "yes" too. Two comments, one approved for quoting with a name taken out."""
    for _ in range(11):
        submit_response(BULLYING, {"bullied_last_year": chose("yes")})
    submit_response(
        BULLYING,
        {"bullied_last_year": chose("no"), "comments": {"text": "Mrs Jones at Myton was great"}},
    )
    submit_response(BULLYING, {"comments": {"text": "Private: my son Tom <script>x</script>"}})
    quoted = db.session.scalars(
        sa.select(Answer).where(Answer.text == "Mrs Jones at Myton was great")
    ).one()
    comment_service.mark_quotable(quoted, "[name removed] was great", create_user())
    return consultation_with_questions(BULLYING)


def test_an_open_consultation_cannot_be_published(answered, officer_client):
    _save(officer_client, "Thank you", ("bullied_last_year",))
    response = _post(officer_client, "officer.publish_results")
    page = officer_client.get_page(response.headers["Location"])
    assert "The consultation must be closed before its results are published" in page.text
    assert db.session.scalars(sa.select(Publication)).one().published_at is None
    assert officer_client.get(url_for("public.published_results", slug=BULLYING)).status_code == 404


def test_published_results_hide_small_numbers_and_show_only_approved_quotes(
    answered, officer_client, client
):
    builder.close(answered, uk_today())
    _save(
        officer_client,
        "Thank you to the 13 parents.\nWe read every answer.",
        ("bullied_last_year", "comments", "school_phase"),
    )
    _post(
        officer_client,
        "officer.add_published_action",
        {
            "outcome": str(answered.questions[2].outcomes[0].id),
            "you_said": "Bullying online <is> the worst",
            "we_did": "We trained staff in every secondary school",
        },
    )
    assert _post(officer_client, "officer.publish_results").status_code == 303
    entry = db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert (entry.action, entry.subject) == ("published results", f"consultation:{BULLYING}")

    index = client.get_page(url_for("public.results_index"))
    assert "Bullying: what parents think" in index.text
    page = client.get_page(url_for("public.published_results", slug=BULLYING))
    assert page.status == 200
    assert "13 responses" in page.text
    paragraphs = [p.get_text() for p in page.soup.select("p.govuk-body")]
    assert paragraphs[:2] == ["Thank you to the 13 parents.", "We read every answer."]
    bullied = page.soup.select_one("#published-bullied_last_year")
    rows = {
        tr.select_one("th").get_text(strip=True): [
            td.get_text(strip=True) for td in tr.select("td")
        ]
        for tr in bullied.select("tbody tr")
    }
    assert rows == {
        "Yes": ["not shown", "not shown"],  # secondary: 13 minus the others would give "No"
        "No": ["fewer than 10", "not shown"],
        "I'm not sure": ["0", "0.0%"],
    }
    quotes = [q.get_text(strip=True) for q in page.soup.select(".app-quote")]
    assert quotes == ["[name removed] was great"]
    assert "Tom" not in page.text and "Mrs Jones" not in page.text
    actions = page.soup.select_one("#you-said-we-did").find_next("section")
    assert "Bullying online <is> the worst" in actions.get_text()
    assert "<is>" not in str(actions).replace("&lt;is&gt;", "")

    # Withdrawn: gone from the public at once.
    _post(officer_client, "officer.withdraw_results")
    assert client.get(url_for("public.published_results", slug=BULLYING)).status_code == 404
    assert (
        "No results have been published yet."
        in client.get_page(url_for("public.results_index")).text
    )


def test_a_question_few_answered_shows_no_breakdown(app, officer_client, client):
    for _ in range(3):
        submit_response(BULLYING, {"bullied_last_year": chose("yes")})
    builder.close(consultation_with_questions(BULLYING), uk_today())
    _save(officer_client, "", ("bullied_last_year",))
    _post(officer_client, "officer.publish_results")
    page = client.get_page(url_for("public.published_results", slug=BULLYING))
    assert "Fewer than 3" not in page.text
    assert "Fewer than 10 responses" in page.text
    section = page.soup.select_one("#published-bullied_last_year")
    assert "Fewer than 10 people answered this question" in section.get_text()
    assert section.select_one("table") is None


def test_nothing_chosen_cannot_be_published_and_bad_input_changes_nothing(app, officer_client):
    builder.close(consultation_with_questions(BULLYING), uk_today())
    response = _post(officer_client, "officer.publish_results")
    assert (
        "Choose at least one question" in officer_client.get_page(response.headers["Location"]).text
    )
    refused = _post(officer_client, "officer.add_published_action", {"you_said": " ", "we_did": ""})
    assert refused.status_code == 422
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Publication)) == 0


def test_the_preview_shows_the_public_page_before_publishing(answered, officer_client):
    _save(officer_client, "", ("bullied_last_year",))
    page = officer_client.get_page(url_for("officer.preview_results", slug=BULLYING))
    assert (
        "Preview: this is the page the public will see once the results are published" in page.text
    )
    assert page.soup.select_one("#published-bullied_last_year") is not None
