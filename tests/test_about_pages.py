"""The privacy notices (one per audience) and the accessibility statement, linked from every
page's footer."""

from __future__ import annotations

import pytest
from flask import url_for

from portal.extensions import db
from tests.journeys import consultation

AUDIENCES = ["parents", "panel-members", "schools"]


def test_every_page_links_to_privacy_and_accessibility(client):
    page = client.get_page(url_for("public.index"))
    footer = {a.get_text(strip=True): a["href"] for a in page.soup.select("footer a")}
    assert footer["Privacy"] == url_for("public.privacy_index")
    assert footer["Accessibility statement"] == url_for("public.accessibility_statement")
    index = client.get_page(url_for("public.privacy_index"))
    assert [a["href"] for a in index.soup.select("main ul a")] == [
        url_for("public.privacy_notice", audience=a) for a in AUDIENCES
    ]


@pytest.mark.parametrize("audience", AUDIENCES)
def test_each_notice_names_the_controller_the_rights_and_the_contact(client, app, audience):
    page = client.get_page(url_for("public.privacy_notice", audience=audience))
    assert page.status == 200
    assert "Warwickshire County Council is the data controller" in page.text
    assert "Your rights" in page.text and app.config["DATA_PROTECTION_CONTACT"] in page.text
    others = [a["href"] for a in page.soup.select("main ul.govuk-list:not(.govuk-list--bullet) a")]
    assert url_for("public.privacy_notice", audience=audience) not in others
    assert len(others) == 2


def test_retention_periods_are_read_from_each_consultation(client):
    found = consultation("warwickshire-panel-liveability")
    found.retention_months = 18
    db.session.commit()
    page = client.get_page(url_for("public.privacy_notice", audience="panel-members"))
    rows = {
        row.select("td")[0].get_text(strip=True): row.select("td")[2].get_text(strip=True)
        for row in page.soup.select("table tbody tr")
    }
    assert rows["Warwickshire Panel: liveability survey"] == "18 months after it closes"
    assert rows["Bullying: what parents think"] == "24 months after it closes"
    parents = client.get_page(url_for("public.privacy_notice", audience="parents"))
    assert "We do not record your name, your IP address or your browser" in parents.text


def test_an_unknown_audience_is_not_found(client):
    assert client.get(url_for("public.privacy_notice", audience="everyone")).status_code == 404


def test_the_accessibility_statement_says_how_it_was_tested_and_what_was_not(client, app):
    page = client.get_page(url_for("public.accessibility_statement"))
    assert page.h1 == "Accessibility statement for Have your say"
    for heading in (
        "If you cannot use this service",
        "Enforcement procedure",
        "Compliance status",
        "How we tested it",
    ):
        assert heading in [h.get_text(strip=True) for h in page.soup.select("h2")]
    assert "axe-core's WCAG 2.2 A and AA rules on every kind of page" in page.text
    assert "with the keyboard alone" in page.text and "320 pixels wide" in page.text
    assert "Not yet tested: use with screen readers" in page.text
    assert app.config["ACCESSIBILITY_CONTACT"] in page.text
