"""Response rates, representativeness and weighted results, worked by hand."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa
from flask import url_for

from portal import clock
from portal.consultations.service import consultation_with_questions
from portal.extensions import db
from portal.panel import invitations, service
from portal.panel.models import Invitation
from portal.reporting import panel_report
from tests.factories import create_user, sign_in, submit_response
from tests.test_panel import HEADER, _row

SLUG = "warwickshire-panel-liveability"
# The hand-worked example of docs/weighting.md: the county half Warwick, half Rugby, and half
# 65 to 74, half 75 or over.
HALVES = {
    "source": "A test population",
    "districts": {"warwick": 50, "rugby": 50, "north_warwickshire": 0},
    "age_bands_percent": {"65_74": 50, "75_plus": 50, "under_25": 0},
}
# reference: (district, age band, answer to the street lighting question)
MEMBERS = {
    "WP-001": ("warwick", "65_74", "good"),
    "WP-002": ("warwick", "65_74", "poor"),
    "WP-003": ("warwick", "75_plus", "poor"),
    "WP-004": ("warwick", "75_plus", "poor"),
    "WP-005": ("rugby", "65_74", "good"),
    "WP-006": ("rugby", "75_plus", "good"),
    "WP-007": ("rugby", "75_plus", None),  # invited, never answers
}


@pytest.fixture
def answered(app, monkeypatch):
    monkeypatch.setattr(panel_report, "population", lambda: HALVES)
    rows = "".join(
        _row(ref, district=district, age_band=age, groups="Warwickshire Panel")
        for ref, (district, age, _) in MEMBERS.items()
    )
    service.import_members(io.StringIO(HEADER + rows))
    consultation = consultation_with_questions(SLUG)
    now = clock.utcnow()
    invitations.invite(consultation, None, now)
    for reference, (_, _, lighting) in MEMBERS.items():
        if lighting is None:
            continue
        invitation = db.session.scalars(
            sa.select(Invitation).where(Invitation.member_id == service.find_member(reference).id)
        ).one()
        submit_response(
            SLUG,
            {"street_lighting": {"selected": [lighting]}},
            at=now,
            invitation_id=invitation.id,
        )
    return consultation


def test_weighted_and_unweighted_results_differ_as_worked_by_hand(answered, client):
    results = panel_report.weighted_results(answered)
    question = next(q for q in answered.questions if q.key == "street_lighting")
    good = next(o for o in question.choices if o.value == "good")
    figures = results[question.id].options[good.id]
    # Unweighted: 3 of 6 said "Good". Weighted: Warwick's four count 0.75 each and Rugby's two
    # 1.5 each, so (0.75 + 1.5 + 1.5) / 6 = 62.5%.
    assert figures.unweighted == pytest.approx(0.5)
    assert figures.weighted == pytest.approx(0.625)
    assert results[question.id].effective == pytest.approx(36 / 6.75)
    assert figures.unweighted_interval.low == pytest.approx(0.1876, abs=5e-4)

    sign_in(client, create_user())
    page = client.get_page(url_for("officer.results", slug=SLUG))
    row = page.soup.find(id="result-3.3c-street_lighting").find("th", string="Good").parent
    assert row.select_one(".app-unweighted").get_text(strip=True) == "50.0% (18.8–81.2%)"
    assert row.select_one(".app-weighted").get_text(strip=True).startswith("62.5% (")


def test_rates_and_profile_gaps(answered, client):
    report = panel_report.panel_report(answered)
    assert [(r.label, r.invited, r.responded) for r in report.rates_by_group] == [
        ("Warwickshire Panel", 7, 6)
    ]
    rugby = next(r for r in report.rates_by_district if r.label == "Rugby")
    assert (rugby.invited, rugby.responded) == (3, 2)
    assert rugby.rate == pytest.approx(66.67, abs=0.01)
    warwick = next(r for r in report.districts if r.label == "Warwick")
    assert (warwick.respondents, warwick.respondents_percent) == (4, 66.7)
    assert warwick.population_percent == 50.0 and warwick.gap == pytest.approx(16.7)
    assert report.over_time[0][1] == 6
    assert report.weights.effective == pytest.approx(36 / 6.75)

    sign_in(client, create_user())
    page = client.get_page(url_for("officer.panel_results", slug=SLUG))
    assert page.status == 200
    assert "Effective sample size: 5.3" in page.soup.find(id="weighting-summary").text
    district_row = page.soup.find(id="profile-district").find("th", string="Warwick").parent
    assert district_row.get_text(" ", strip=True) == "Warwick 4 (66.7%) 4 (57.1%) 50.0% +16.7"


def test_weighting_text_names_labels_and_counts_in_words(app, client, monkeypatch):
    """One response, and a district and an age band in the county with nobody answering: the
    page says "1 response" and names them as people read them, not by their keys."""
    monkeypatch.setattr(
        panel_report,
        "population",
        lambda: {
            "source": "A test population",
            "districts": {"warwick": 50, "north_warwickshire": 50},
            "age_bands_percent": {"65_74": 50, "25_44": 50},
        },
    )
    service.import_members(
        io.StringIO(HEADER + _row("WP-001", district="warwick", age_band="65_74", groups=""))
    )
    consultation = consultation_with_questions(SLUG)
    now = clock.utcnow()
    invitations.invite(consultation, None, now)
    invitation = db.session.scalars(sa.select(Invitation)).one()
    submit_response(SLUG, {}, at=now, invitation_id=invitation.id)

    sign_in(client, create_user())
    page = client.get_page(url_for("officer.panel_results", slug=SLUG))
    summary = page.soup.find(id="weighting-summary").get_text(" ", strip=True)
    assert summary.startswith("1 response is weighted by raking")
    assert "No respondents in: North Warwickshire, 25 to 44, so those groups" in summary
    assert "north_warwickshire" not in page.text and "25_44" not in page.text
    # The method is explained on the page, not in a file of the portal's source.
    assert "docs/" not in page.text and ".md" not in page.text
    assert "Wilson score interval" in page.soup.find(id="weighting-method").get_text()
    # A member in no group: the group table is a sentence, not an empty header row.
    assert page.soup.find(id="rates-group").name == "h3"
    assert "No one invited to this consultation belongs to a group." in page.text


def test_a_filtered_page_says_weights_are_withheld_only_where_there_are_weights(answered, client):
    sign_in(client, create_user())
    everyone = client.get_page(url_for("officer.results", slug=SLUG))
    assert everyone.soup.find(id="weights-withheld") is None  # weights shown, nothing withheld
    filtered = client.get_page(url_for("officer.results", slug=SLUG, answer="street_lighting:good"))
    assert "weights are worked out for the whole panel sample" in filtered.soup.find(
        id="weights-withheld"
    ).get_text(" ", strip=True)
    # No response of the bullying consultation carries a weighting cell: nothing to withhold.
    bullying = client.get_page(
        url_for(
            "officer.results", slug="bullying-what-parents-think", answer="school_phase:primary"
        )
    )
    assert bullying.soup.find(id="weights-withheld") is None
