"""Results by the language a response was given in (issue 29): answers are stored by option, so
every language counts together unfiltered; officers can filter by language, break a question
down by it, export it, and see which comments were written in another language."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from flask import url_for
from werkzeug.datastructures import MultiDict

from portal.audit import AuditEntry
from portal.clock import UK
from portal.consultations.service import consultation_with_questions
from portal.extensions import db
from portal.reporting import crosstab, export, results_index, results_index_build
from portal.reporting.filter_form import filter_choices, parse_filter
from portal.reporting.filters import Chosen, ResponseFilter
from portal.reporting.service import question_results
from portal.responses.models import Response
from tests.factories import chose, submit_response
from tests.journeys import consultation

BULLYING = "bullying-what-parents-think"
POLISH_COMMENT = "Mój syn był zastraszany w autobusie szkolnym"


def _uk(day: int, hour: int = 12) -> datetime:
    return datetime(2026, 3, day, hour, tzinfo=UK).astimezone(UTC).replace(tzinfo=None)


def _answers(bullied: str, *where: str, comment: str | None = None) -> dict:
    answers: dict = {"bullied_last_year": chose(bullied)}
    if where:
        answers["bullying_where"] = chose(*where)
    if comment:
        answers["comments"] = {"text": comment}
    return answers


@pytest.fixture
def spoken(app):
    """Three responses in English and two in Polish, answering the same options."""
    submit_response(BULLYING, _answers("yes", "online"), _uk(10))
    submit_response(BULLYING, _answers("yes", "at_school", comment="The bus is worst"), _uk(11))
    submit_response(BULLYING, _answers("no"), _uk(12))
    submit_response(
        BULLYING, _answers("yes", "journey", comment=POLISH_COMMENT), _uk(13), language="pl"
    )
    submit_response(BULLYING, _answers("no"), _uk(14), language="pl")
    return consultation(BULLYING)


def _filtered(found, *pairs: tuple[str, str]) -> tuple[int, dict[str, int]]:
    """The total and the answers to "bullied last year" that the query string's filter counts."""
    only = parse_filter(MultiDict(pairs), filter_choices(found))
    assert not only.errors, only.errors
    total, results = question_results(found, only)
    question = next(q for q in found.questions if q.key == "bullied_last_year")
    return total, {r.option.value: r.count for r in results[question.id].options}


@pytest.mark.usefixtures("counted")
def test_a_language_filter_counts_only_the_responses_given_in_it(spoken):
    assert _filtered(spoken) == (5, {"yes": 3, "no": 2, "not_sure": 0})
    assert _filtered(spoken, ("language", "pl")) == (2, {"yes": 1, "no": 1, "not_sure": 0})
    assert _filtered(spoken, ("language", "en")) == (3, {"yes": 2, "no": 1, "not_sure": 0})
    # Within a kind any value; with other kinds every one.
    assert _filtered(spoken, ("language", "en"), ("language", "pl"))[0] == 5
    assert _filtered(spoken, ("language", "pl"), ("answer", "bullied_last_year:yes"))[0] == 1
    only = parse_filter(MultiDict([("language", "pl")]), filter_choices(spoken))
    assert only.describe() == "Language answered in: Polish"


def test_an_unknown_language_is_said_and_left_out(spoken):
    only = parse_filter(MultiDict([("language", "xx")]), filter_choices(spoken))
    assert not only.active
    assert only.errors == ("There is no language \u201cxx\u201d to filter by",)


@pytest.mark.usefixtures("counted")
def test_results_page_filtered_by_language(spoken, officer_client):
    page = officer_client.get_page(url_for("officer.results", slug=BULLYING, language="pl"))
    assert page.status == 200
    summary = page.soup.select_one("#total-responses").get_text(" ", strip=True)
    assert summary == "2 of 5 responses match these filters"
    question = page.soup.select_one('[id^="result-"][id$="-bullied_last_year"]')
    assert "2 answered, 0 skipped" in question.get_text(" ", strip=True)
    counts = {
        row.th.get_text(strip=True): row.td.get_text(strip=True)
        for row in question.select("tbody tr")
    }
    assert (counts["Yes"], counts["No"]) == ("1", "1")
    applied = [li.get_text(" ", strip=True) for li in page.soup.select(".app-filter-list li")]
    assert applied == ["Language answered in: Polish Remove filter Language answered in: Polish"]
    remove = page.soup.select_one(".app-filter-list li a")["href"]
    assert "language" not in remove
    assert page.soup.select_one('input[name="language"][value="pl"]').has_attr("checked")
    assert not page.soup.select_one('input[name="language"][value="en"]').has_attr("checked")
    # The download and the cross-tab carry the filter too.
    assert "language=pl" in page.soup.select_one('a[href*="responses.csv"]')["href"]
    # Removing it counts every language together.
    everyone = officer_client.get_page(remove)
    question = everyone.soup.select_one('[id^="result-"][id$="-bullied_last_year"]')
    assert "5 answered, 0 skipped" in question.get_text(" ", strip=True)
    assert everyone.soup.select_one("#total-responses").get_text(strip=True) == "5 responses"
    legend = everyone.soup.select_one("#filter-language").find_parent("fieldset").legend
    assert legend.get_text(strip=True) == "Language answered in"
    boxes = everyone.soup.select('input[name="language"]')
    assert [(box["value"], box.find_next("label").get_text(strip=True)) for box in boxes] == [
        ("en", "English"),
        ("pl", "Polish"),
    ]


def test_language_is_offered_only_once_responses_differ_in_it(app, officer_client):
    submit_response(BULLYING, _answers("yes", "online"))
    page = officer_client.get_page(url_for("officer.results", slug=BULLYING))
    assert page.soup.select_one("#filter-language") is None
    cross_tab = officer_client.get_page(url_for("officer.cross_tab", slug=BULLYING))
    assert cross_tab.soup.select_one('option[value="language_answered_in"]') is None
    asked = officer_client.get_page(
        url_for("officer.cross_tab", slug=BULLYING, rows="language_answered_in", columns="comments")
    )
    assert asked.status == 422
    assert "Select the question for the rows" in asked.error_summary()
    # A bookmark that still asks for Polish is honoured, and shown so it can be cleared.
    filtered = officer_client.get_page(url_for("officer.results", slug=BULLYING, language="pl"))
    assert "0 of 1 response matches these filters" in filtered.text
    assert filtered.soup.select_one('input[name="language"][value="pl"]').has_attr("checked")


@pytest.mark.usefixtures("counted")
def test_cross_tab_by_language(spoken, officer_client):
    page = officer_client.get_page(url_for("officer.cross_tab", slug=BULLYING))
    option = page.soup.select_one('#cross-tab-rows option[value="language_answered_in"]')
    assert option.get_text(strip=True) == "Language answered in"
    url = url_for(
        "officer.cross_tab", slug=BULLYING, rows="language_answered_in", columns="bullied_last_year"
    )
    page = officer_client.get_page(url)
    assert page.status == 200
    caption = page.soup.select_one("caption").get_text(" ", strip=True)
    assert caption.startswith("\u201cLanguage answered in\u201d (rows)")
    assert caption.endswith("5 people answered both")
    assert page.soup.select_one("thead th").get_text(strip=True) == "Language"
    rows = {
        tr.th.get_text(strip=True): [td.get_text(" ", strip=True) for td in tr.select("td")]
        for tr in page.soup.select("tbody tr")
    }
    assert list(rows) == ["English", "Polish"]
    # Yes, No, Not sure, then the row's people.
    assert rows["English"] == ["66.7% (2)", "33.3% (1)", "0.0% (0)", "3"]
    assert rows["Polish"] == ["50.0% (1)", "50.0% (1)", "0.0% (0)", "2"]
    # Filtered, English answers drop out of their row.
    filtered = officer_client.get_page(
        url_for(
            "officer.cross_tab",
            slug=BULLYING,
            rows="language_answered_in",
            columns="bullied_last_year",
            language="pl",
        )
    )
    rows = {
        tr.th.get_text(strip=True): tr.select("td")[-1].get_text(strip=True)
        for tr in filtered.soup.select("tbody tr")
    }
    assert rows == {"English": "0", "Polish": "2"}
    applied = filtered.soup.select_one(".app-filter-list li").get_text(" ", strip=True)
    assert applied.startswith("Language answered in: Polish Remove")


def test_the_csv_says_each_responses_language(spoken, officer_client):
    response = officer_client.get(
        url_for("officer.export_responses", slug=BULLYING, export_format="csv")
    )
    assert response.status_code == 200
    lines = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    header, data = lines[0], lines[1:]
    assert header[:5] == [
        "Reference",
        "Sent (UK time)",
        "How it arrived",
        "Link it came by",
        "Language",
    ]
    assert [row[4] for row in data] == ["English", "English", "English", "Polish", "Polish"]
    comment = next(c for c in header if c.startswith("Is there anything else"))
    polish = [dict(zip(header, row, strict=True)) for row in data if row[4] == "Polish"]
    assert polish[0][comment] == POLISH_COMMENT
    filtered = officer_client.get(
        url_for("officer.export_responses", slug=BULLYING, export_format="csv", language="pl")
    )
    lines = list(csv.reader(io.StringIO(filtered.get_data(as_text=True).lstrip("\ufeff"))))
    assert [row[4] for row in lines[1:]] == ["Polish", "Polish"]
    entry = db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert entry.detail == "CSV, Language answered in: Polish"


def test_spreadsheets_say_each_responses_language(spoken):
    sheets = export.spreadsheet_sheets(spoken, ResponseFilter(languages=("pl",)), summary=False)
    rows = list(sheets[0][1])
    assert rows[0][4] == "Language"
    assert [row[4] for row in rows[1:]] == ["Polish", "Polish"]


def test_a_comment_in_another_language_says_which(spoken, officer_client):
    def comments_of(page) -> dict[str, tuple[str | None, str]]:
        found = {}
        for item in page.soup.select(".app-comment"):
            answer = item.select_one(".app-answer")
            meta = answer.find_next_sibling("p").get_text(" ", strip=True)
            found[answer.get_text(strip=True)] = (answer.get("lang"), meta)
        return found

    results = officer_client.get_page(url_for("officer.results", slug=BULLYING))
    listed = comments_of(results)
    lang, meta = listed[POLISH_COMMENT]
    assert lang == "pl" and meta.endswith("(Polish)")
    lang, meta = listed["The bus is worst"]
    assert lang is None and "(" not in meta
    page = officer_client.get_page(url_for("officer.comments", slug=BULLYING, key="comments"))
    listed = comments_of(page)
    assert listed[POLISH_COMMENT][0] == "pl" and "(Polish)" in listed[POLISH_COMMENT][1]
    assert listed["The bus is worst"][0] is None
    only_polish = officer_client.get_page(
        url_for("officer.comments", slug=BULLYING, key="comments", language="pl")
    )
    assert list(comments_of(only_polish)) == [POLISH_COMMENT]


def _figures(found, only: ResponseFilter) -> tuple:
    total, results = question_results(found, only)
    questions = {q.key: q for q in found.questions}
    table = crosstab.cross_tab_by_language(questions["bullied_last_year"], ("en", "pl"), only)
    return (
        total,
        sorted((q, tuple((o.option.id, o.count) for o in r.options)) for q, r in results.items()),
        (
            table.base,
            table.column_totals,
            [(r.base, [c.count for c in r.cells]) for r in table.rows],
        ),
    )


def test_indexed_language_figures_equal_sql_figures(app, monkeypatch):
    """Some responses in built ranges, the newest left to SQL: the same figures as SQL alone."""
    monkeypatch.setattr(results_index, "CHUNK", 4)
    now = datetime(2026, 3, 30, 12, 0)
    given = ["yes en", "no pl", "yes pl", "not_sure en", "yes en", "no en", "yes pl"]
    for n, (bullied, language) in enumerate(pair.split() for pair in given):
        submit_response(BULLYING, _answers(bullied), now - timedelta(hours=n), language=language)
    results_index_build.refresh()
    submit_response(BULLYING, _answers("yes"), now, language="pl")  # not yet indexed
    found = consultation_with_questions(BULLYING)
    bullied = next(q for q in found.questions if q.key == "bullied_last_year")
    yes = Chosen(bullied, next(o for o in bullied.choices if o.value == "yes"))
    filters = [
        ResponseFilter(),
        ResponseFilter(languages=("pl",)),
        ResponseFilter(languages=("en", "pl")),
        ResponseFilter(languages=("en",), submitted_to=now.date()),
    ]
    filters.append(ResponseFilter(languages=("pl",), answers=(yes,)))
    partly_indexed = [_figures(found, only) for only in filters]
    assert partly_indexed[1][0] == 4
    results_index_build.refresh()
    all_indexed = [_figures(found, only) for only in filters]
    results_index_build.drop()
    by_sql = [_figures(found, only) for only in filters]
    assert partly_indexed == by_sql
    assert all_indexed == by_sql


def test_responses_store_their_language(spoken):
    languages = db.session.scalars(sa.select(Response.language).order_by(Response.id)).all()
    assert languages == ["en", "en", "en", "pl", "pl"]
