"""The committee report: the strategy's shape with consultation evidence, small numbers hidden."""

from __future__ import annotations

from flask import url_for

from tests.factories import chose, submit_response

BULLYING = "bullying-what-parents-think"


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
