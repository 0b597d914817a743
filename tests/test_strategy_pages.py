"""Officers can start from the strategy, and record new indicator values."""

from decimal import Decimal

import pytest
import sqlalchemy as sa
from flask import url_for

from portal.accounts.models import Role
from portal.extensions import db
from portal.strategy.models import Indicator, IndicatorValue
from portal.strategy.service import RUNNING_TOTAL, measure_trend
from tests.factories import create_user, sign_in


@pytest.fixture
def officer(client):
    user = create_user(Role.OFFICER, email="analyst@council.example")
    sign_in(client, user)
    return user


def test_strategy_lists_all_seven_priorities(client, officer):
    page = client.get_page(url_for("officer.strategy_index"))
    titles = [a.get_text(strip=True) for a in page.soup.select(".app-priority-list h2 a")]
    assert len(titles) == 7 and titles[3] == "4. Young People as Victims and Offenders"


def test_priority_page_shows_outcomes_tasks_indicators_and_informing_questions(client, officer):
    page = client.get_page(url_for("officer.priority", position=4))
    assert page.h1 == "Young People as Victims and Offenders"
    outcome = page.soup.select_one("#outcome-2\\.2\\.3")
    links = [a.get_text(" ", strip=True) for a in outcome.select("ul.govuk-list--bullet a")]
    assert (
        "Bullying: what parents think: In the last 12 months, has your child been bullied?" in links
    )
    href = outcome.select_one("ul.govuk-list--bullet a")["href"]
    assert href.startswith(
        url_for("officer.results", slug="bullying-what-parents-think") + "#result-2.2.3-"
    )
    exclusions = page.soup.select_one("#indicator-permanent-exclusions")
    assert "Getting worse" in exclusions.get_text(" ", strip=True)  # 65 -> 90, lower is better
    assert "Geoff King" in page.text


def test_only_named_priority_says_so(client, officer):
    page = client.get_page(url_for("officer.priority", position=1))
    assert "only names it" in page.text


def measure_id(code: str, name: str) -> int:
    indicator = db.session.scalars(sa.select(Indicator).where(Indicator.code == code)).one()
    return next(m.id for m in indicator.measures if m.name == name)


def test_officer_adds_an_indicator_value_recorded_with_who_and_when(client, officer):
    form_page = client.get_page(url_for("officer.add_indicator_value", code="people-in-treatment"))
    assert form_page.soup.select_one("select#unit option[selected]")["value"] == "count"
    radios = form_page.soup.select("input[name=measure]")
    measures = [form_page.soup.select_one(f"label[for={r['id']}]").get_text() for r in radios]
    assert measures == ["Whole year", "Year to date"]
    assert not any(radio.has_attr("checked") for radio in radios)  # the officer chooses
    response = client.post(
        url_for("officer.add_indicator_value", code="people-in-treatment"),
        data={
            "csrf_token": form_page.csrf_token(),
            "measure": measure_id("people-in-treatment", "Year to date"),
            "period": "2005/6 Q3",
            "value": "1,010",  # thousands separators are accepted
            "target": "1150",
            "unit": "count",
            "source": "NTA quarterly return",
            "note": "<b>provisional</b>",
        },
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith(
        "/officer/strategy/priorities/7#indicator-people-in-treatment"
    )
    value = db.session.scalars(
        sa.select(IndicatorValue).where(IndicatorValue.period == "2005/6 Q3")
    ).one()
    assert value.value == Decimal("1010") and value.target == Decimal("1150")
    assert value.recorded_by == "analyst@council.example" and value.recorded_at is not None
    page = client.get_page(response.headers["Location"])
    indicator = page.soup.select_one("#indicator-people-in-treatment")
    year_to_date = indicator.select(".app-measure")[1]
    row = next(tr for tr in year_to_date.select("tbody tr") if "2005/6 Q3" in tr.th.get_text())
    assert [td.get_text(strip=True) for td in row.select("td")] == ["1,010", "1,150"]
    # A running total rises as the year goes on: it is read against its target instead.
    trend = year_to_date.select_one(".app-trend").get_text()
    assert trend == "Not compared: a running total for the year"
    against = year_to_date.select_one(".app-against-target").get_text()
    assert against == "2005/6 Q3: 1,010 against a target of 1,150, not meeting it."
    assert "Recorded by analyst@council.example on" in indicator.get_text(" ", strip=True)
    assert "<b>provisional</b>" not in page.html and "&lt;b&gt;provisional&lt;/b&gt;" in page.html


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"period": "", "value": "1", "source": "x"}, "Enter the period the figure is for"),
        (
            {"period": "2007", "value": "", "target": "", "source": "x"},
            "Enter a value, a target or both",
        ),
        (
            {"period": "2007", "value": "lots", "source": "x"},
            "Value must be a number, like 1150 or 5.6",
        ),
        (
            {"period": "2004/5", "value": "1", "source": "x"},
            "There is already a value for 2004/5 (Whole year)",
        ),
        ({"period": "2007", "value": "1", "source": ""}, "Enter where the figure comes from"),
    ],
)
def test_bad_indicator_values_are_refused(client, officer, data, message):
    before = db.session.scalar(sa.select(sa.func.count(IndicatorValue.id)))
    token = client.get_page(
        url_for("officer.add_indicator_value", code="people-in-treatment")
    ).csrf_token()
    page = client.post_page(
        url_for("officer.add_indicator_value", code="people-in-treatment"),
        data={
            "csrf_token": token,
            "unit": "count",
            "measure": measure_id("people-in-treatment", "Whole year"),
            **data,
        },
    )
    assert page.status == 422
    assert message in page.error_summary()
    assert db.session.scalar(sa.select(sa.func.count(IndicatorValue.id))) == before


def test_indicator_trend_words(app):
    def trend(code, measure=""):
        indicator = db.session.scalars(sa.select(Indicator).where(Indicator.code == code)).one()
        return measure_trend(next(m for m in indicator.measures if m.name == measure)).words

    assert trend("permanent-exclusions") == "Getting worse"
    assert trend("yjs-offences") == "Improving"
    assert trend("funding-total") == "Not enough data"
    # Longest waits and average waits are compared only with their own kind (report 5.6.4).
    assert trend("wait-specialist-prescribing", "Longest wait") == "Getting worse"  # 12 -> 21
    assert trend("wait-specialist-prescribing", "Average wait") == "Getting worse"  # 5 -> 5.6
    assert trend("wait-specialist-prescribing", "Wait at 31 March 2005") == "Not enough data"
    assert trend("wait-inpatient", "Longest wait") == "No change"
    assert trend("wait-structured-day-care", "Longest wait") == "Not enough data"  # Q2 TBC
    assert trend("drug-related-incidents", "Incidents in the month") == "Up"  # no better way
    assert trend("people-in-treatment", "Year to date") == RUNNING_TOTAL
    assert trend("problem-users-in-treatment", "Year to date") == "Improving"  # 31% -> 36%


@pytest.mark.parametrize(
    "period", ["2005/06 Q2", " 2005/6  q2 ", "2005-6 Q2"], ids=["two digits", "spaces", "dash"]
)
def test_the_same_period_written_another_way_is_refused(client, officer, period):
    token = client.get_page(
        url_for("officer.add_indicator_value", code="people-in-treatment")
    ).csrf_token()
    page = client.post_page(
        url_for("officer.add_indicator_value", code="people-in-treatment"),
        data={
            "csrf_token": token,
            "measure": measure_id("people-in-treatment", "Year to date"),
            "period": period,
            "value": "950",
            "unit": "count",
            "source": "NTA",
        },
    )
    assert page.status == 422
    assert "There is already a value for 2005/6 Q2 (Year to date)" in page.error_summary()


@pytest.mark.parametrize("typed", ["1e3", "nan", "inf", "12 weeks", "1.2.3"])
def test_numbers_must_be_written_as_numbers(client, officer, typed):
    token = client.get_page(
        url_for("officer.add_indicator_value", code="people-in-treatment")
    ).csrf_token()
    page = client.post_page(
        url_for("officer.add_indicator_value", code="people-in-treatment"),
        data={"csrf_token": token, "period": "2007", "value": typed, "source": "x"},
    )
    assert page.status == 422
    assert "Value must be a number, like 1150 or 5.6" in page.error_summary()


def test_a_standing_target_is_offered_with_the_form(client, officer):
    form = client.get_page(url_for("officer.add_indicator_value", code="wait-gp-prescribing"))
    assert form.soup.select_one("input#target")["value"] == "2"
    assert form.soup.select_one("select#unit option[selected]")["value"] == "weeks"


def test_the_measure_must_be_chosen_and_the_unit_must_match_its_figures(client, officer):
    url = url_for("officer.add_indicator_value", code="wait-gp-prescribing")
    token = client.get_page(url).csrf_token()
    base = {"csrf_token": token, "period": "2005/6 Q3", "value": "15", "source": "NTA"}
    page = client.post_page(url, data={**base, "unit": "weeks"})
    assert page.status == 422
    assert "Select which measure the figure is for" in page.error_summary()
    longest = measure_id("wait-gp-prescribing", "Longest wait")
    page = client.post_page(url, data={**base, "unit": "hours", "measure": longest})
    assert page.status == 422
    assert (
        "Give the figure in weeks, like the earlier figures (Longest wait)" in page.error_summary()
    )
    counted = url_for("officer.add_indicator_value", code="people-in-treatment")
    page = client.post_page(
        counted,
        data={
            **base,
            "unit": "percent",
            "measure": measure_id("people-in-treatment", "Whole year"),
        },
    )
    assert "Give the figure as a count, like the earlier figures (Whole year)" in (
        page.error_summary()
    )
    for value, message in [
        ("15.125", "Value must have no more than 2 decimal places"),
        ("1000000000000", "Value must be less than 1,000,000,000,000"),
    ]:
        page = client.post_page(
            url, data={**base, "unit": "weeks", "measure": longest, "value": value}
        )
        assert message in page.error_summary()
