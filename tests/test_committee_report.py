"""The committee report: the strategy's shape with consultation evidence, small numbers hidden."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import url_for

from portal.clock import uk_today
from portal.consultations.models import ConsultationStatus
from portal.extensions import db
from tests.factories import chose, submit_response
from tests.journeys import consultation

BULLYING = "bullying-what-parents-think"
LIVEABILITY = "warwickshire-panel-liveability"


def test_report_puts_evidence_beside_its_outcome_with_small_numbers_hidden(app, officer_client):
    for _ in range(11):
        submit_response(BULLYING, {"bullied_last_year": chose("yes")})
    submit_response(BULLYING, {"bullied_last_year": chose("no")})
    page = officer_client.get_page(url_for("officer.committee_report"))
    assert page.status == 200
    priorities = [h.get_text(strip=True) for h in page.soup.select("h2[id^=priority-]")]
    assert len(priorities) == 7
    outcome = page.soup.select_one("#report-outcome-2\\.2\\.3").find_parent("section")
    text = outcome.get_text(" ", strip=True)
    assert "Indicators" in text and "Key tasks" in text
    evidence = next(
        e
        for e in outcome.select(".app-report__evidence")
        if "has your child been bullied" in e.get_text()
    )
    rows = {
        tr.select_one("th").get_text(strip=True): [
            td.get_text(strip=True) for td in tr.select("td")
        ]
        for tr in evidence.select("tbody tr")
    }
    assert rows["No"] == ["fewer than 10", "not shown"]
    assert rows["Yes"] == ["not shown", "not shown"]
    assert "Bullying: what parents think: 12 responses" in page.text
    ids = [tag["id"] for tag in page.soup.select("[id]")]
    assert len(ids) == len(set(ids))


def test_report_without_responses_says_so(app, officer_client):
    page = officer_client.get_page(url_for("officer.committee_report"))
    assert "No consultation linked to the strategy has responses yet." in page.text
    assert "No consultation evidence yet." in page.text


def _evidence_rows(page, outcome_code: str, question_words: str) -> dict[str, list[str]]:
    outcome = page.soup.select_one(f"#report-outcome-{outcome_code.replace('.', chr(92) + '.')}")
    evidence = next(
        e
        for e in outcome.find_parent("section").select(".app-report__evidence")
        if question_words in e.get_text()
    )
    return {
        tr.select_one("th").get_text(strip=True): [
            td.get_text(strip=True) for td in tr.select("td")
        ]
        for tr in evidence.select("tbody tr")
    }


def test_grids_and_postcode_areas_have_their_figures_in_the_report(app, officer_client):
    """A grid's statements and a postcode question's areas are tables of people too, not
    headings over empty tables."""
    for _ in range(12):
        submit_response(LIVEABILITY, {"postcode_area": {"text": "CV34 4"}})
    page = officer_client.get_page(url_for("officer.committee_report"))
    grid = next(q for q in consultation(LIVEABILITY).questions if q.key == "antisocial_behaviour")
    outcome = grid.outcomes[0].code
    rows = _evidence_rows(page, outcome, grid.text)
    first, answer = grid.statements[0], grid.choices[0]
    # Everyone gave each statement its first answer (the factory's filling in).
    assert rows[f"{first.label}: {answer.label}"] == ["12", "100.0%"]
    assert rows[f"{first.label}: {grid.choices[1].label}"] == ["0", "0.0%"]
    assert len(rows) == len(grid.statements) * len(grid.choices)
    postcode = next(q for q in consultation(LIVEABILITY).questions if q.key == "postcode_area")
    areas = _evidence_rows(page, postcode.outcomes[0].code, postcode.text)
    assert areas["An area not in the council's lookup"] == ["12", "100.0%"]
    assert "Deprivation decile of the postcode area (12 answered" in page.text


def test_net_agreement_is_worked_out_from_the_counts_and_signed_as_printed(app, officer_client):
    """10 agree, 11 disagree and 11 neither, of 32: minus 3.1 points, with a minus sign, not
    a hyphen (from rounded percentages, 31.3 less 34.4, it came out minus 3.2)."""
    for n in range(32):
        answer = "agree" if n < 10 else "disagree" if n < 21 else "neither"
        submit_response(BULLYING, {"child_confident_to_tell": chose(answer)})
    page = officer_client.get_page(url_for("officer.results", slug=BULLYING))
    assert "Net agreement: −3.1 points" in page.text
    report = officer_client.get_page(url_for("officer.committee_report"))
    assert "Net agreement −3.1 points." in report.text


@pytest.mark.parametrize(
    ("status", "opens", "closes", "said"),
    [
        # Closed early with "Close now", which sets the closing date to that day.
        (ConsultationStatus.CLOSED, -30, -2, "(closed on {closes})"),
        # Still "open" in status, but past its closing date: closed all the same.
        (ConsultationStatus.OPEN, -30, -1, "(closed on {closes})"),
        (ConsultationStatus.OPEN, -30, 0, "(open, closing on {closes})"),
        (ConsultationStatus.OPEN, -30, 14, "(open, closing on {closes})"),
        (ConsultationStatus.OPEN, -30, None, "(open, with no closing date)"),
        # Reopened later with new dates, after some responses came in.
        (ConsultationStatus.OPEN, 7, 21, "(opens on {opens})"),
        (ConsultationStatus.CLOSED, -30, None, "(closed)"),
    ],
)
def test_report_says_where_each_consultation_stands(
    app, officer_client, status, opens, closes, said
):
    submit_response(BULLYING, {"bullied_last_year": chose("yes")})
    found = consultation(BULLYING)
    today = uk_today()
    found.status = status
    found.opens_on = today + timedelta(days=opens)
    found.closes_on = None if closes is None else today + timedelta(days=closes)
    db.session.commit()
    page = officer_client.get_page(url_for("officer.committee_report"))
    (item,) = [
        li.get_text(" ", strip=True)
        for li in page.soup.select("li")
        if li.get_text().startswith("Bullying: what parents think:")
    ]
    uk = "{0.day} {0:%B %Y}".format
    expected = said.format(
        opens=uk(found.opens_on), closes=uk(found.closes_on) if found.closes_on else ""
    )
    assert item == f"Bullying: what parents think: fewer than 10 responses {expected}"
    words = item.split("responses", 1)[1]
    # "closing on" only for one still open: never for one closed or not open yet.
    assert ("closing on" in words) == (found.phase_on(today) == "open" and closes is not None)
