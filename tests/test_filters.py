"""Filters and breakdowns on the results page, the cross-tab, and filtered exports."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa
from flask import url_for
from werkzeug.datastructures import MultiDict

from portal.audit import AuditEntry
from portal.clock import UK
from portal.extensions import db
from portal.panel import invitations
from portal.panel import service as panel
from portal.panel.models import Invitation, PanelGroup
from portal.reporting import crosstab, export
from portal.reporting.filter_form import filter_choices, parse_filter
from portal.reporting.service import question_results
from portal.responses.models import ResponseChannel, response_group
from portal.schools import service as schools
from portal.schools.models import District
from tests.factories import chose, create_school, submit_response
from tests.journeys import consultation
from tests.test_panel import HEADER, _row

# Every figure here is checked counted by SQL and from the results index (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("counted")

BULLYING = "bullying-what-parents-think"
LIVEABILITY = "warwickshire-panel-liveability"


def _uk(year: int, month: int, day: int, hour: int = 12) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UK).astimezone(UTC).replace(tzinfo=None)


def _where(*values: str) -> dict:
    return {"bullying_where": chose(*values), "bullied_last_year": chose("yes")}


@pytest.fixture
def mixed(app):
    """Six bullying responses that differ in every way a filter can tell apart."""
    found = consultation(BULLYING)
    rugby = create_school("Hillmorton Primary School", District.RUGBY)
    warwick = create_school("Myton School", District.WARWICK)
    rugby_link = schools.create_channel(found, rugby)
    warwick_link = schools.create_channel(found, warwick)
    library = schools.create_channel(found, None, name="Rugby Library", kind="library")
    at = _uk(2026, 3, 10)
    submit_response(BULLYING, _where("online"), at, distribution_channel_id=rugby_link.id)
    submit_response(
        BULLYING, _where("online", "at_school"), at, distribution_channel_id=rugby_link.id
    )
    submit_response(
        BULLYING, _where("at_school"), _uk(2026, 3, 12), distribution_channel_id=warwick_link.id
    )
    submit_response(
        BULLYING, _where("journey"), _uk(2026, 3, 14), distribution_channel_id=library.id
    )
    submit_response(
        BULLYING,
        {"bullying_where": chose("not_bullied"), "bullied_last_year": chose("no")},
        _uk(2026, 3, 15),
        channel=ResponseChannel.PAPER,
    )
    submit_response(
        BULLYING,
        {"bullying_where": chose("not_bullied"), "bullied_last_year": chose("no")},
        _uk(2026, 3, 16, hour=0),  # 00:00 on 16 March, UK time
    )
    return {"consultation": found, "rugby": rugby_link, "warwick": warwick_link, "library": library}


def _filtered(found, **args) -> tuple[int, dict]:
    query = MultiDict()
    for name, values in args.items():
        for value in values if isinstance(values, list) else [values]:
            query.add(name.replace("_", "-"), value)
    only = parse_filter(query, filter_choices(found))
    assert not only.errors, only.errors
    return question_results(found, only)


def _counts(results, found, key) -> dict[str, int]:
    question = next(q for q in found.questions if q.key == key)
    return {r.option.value: r.count for r in results[question.id].options}


def test_each_kind_of_filter_counts_only_the_responses_it_matches(mixed):
    found = mixed["consultation"]
    total, _ = _filtered(found)
    assert total == 6
    # The answer to a choice question: parents whose child was bullied online.
    total, results = _filtered(found, answer="bullying_where:online")
    assert total == 2
    assert _counts(results, found, "bullied_last_year") == {"yes": 2, "no": 0, "not_sure": 0}
    where = _counts(results, found, "bullying_where")
    assert (where["online"], where["at_school"], where["journey"]) == (2, 1, 0)
    # District: through a school in that district.
    assert _filtered(found, district="warwick")[0] == 1
    assert _filtered(found, district="rugby")[0] == 2  # the library has no district
    # One link, and the respondent types.
    assert _filtered(found, link=str(mixed["library"].id))[0] == 1
    assert _filtered(found, type="school")[0] == 3
    assert _filtered(found, type="outlet")[0] == 1
    assert _filtered(found, type="paper")[0] == 1
    assert _filtered(found, type="website")[0] == 1
    # Dates are UK days: 16 March 00:00 UK is 15 March in UTC, and counts on the 16th.
    dates = {"from_day": "15", "from_month": "3", "from_year": "2026"}
    assert _filtered(found, **dates)[0] == 2
    assert _filtered(found, **dates, to_day="15", to_month="3", to_year="2026")[0] == 1


def test_filters_of_one_kind_widen_and_of_different_kinds_narrow(mixed):
    found = mixed["consultation"]
    either = ["bullying_where:online", "bullying_where:journey"]
    assert _filtered(found, answer=either)[0] == 3
    assert _filtered(found, district=["rugby", "warwick"])[0] == 3
    assert _filtered(found, answer=either, district="rugby")[0] == 2
    assert (
        _filtered(found, answer="bullying_where:at_school", type="school", district="rugby")[0] == 1
    )


def test_a_panel_members_groups_travel_with_the_response_and_filter_it(app):
    rows = _row("WP-001", groups="Warwickshire Panel;Rugby Bus Users") + _row(
        "WP-002", email="bob@example.com", groups="Warwickshire Panel"
    )
    panel.import_members(io.StringIO(HEADER + rows))
    found = consultation(LIVEABILITY)
    invitations.invite(found, None, datetime(2026, 3, 1))
    for reference in ("WP-001", "WP-002"):
        invitation = db.session.scalars(
            sa.select(Invitation).where(Invitation.member_id == panel.find_member(reference).id)
        ).one()
        submit_response(LIVEABILITY, {}, invitation_id=invitation.id)
    submit_response(LIVEABILITY, {})  # not through the panel
    bus = db.session.scalars(
        sa.select(PanelGroup).where(PanelGroup.name == "Rugby Bus Users")
    ).one()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(response_group)) == 3
    assert _filtered(found, group=str(bus.id))[0] == 1
    assert _filtered(found, type="panel")[0] == 2
    assert _filtered(found, type="website")[0] == 1


def test_unknown_values_and_bad_dates_are_said_and_left_out(mixed):
    found = mixed["consultation"]
    query = MultiDict(
        [
            ("district", "atlantis"),
            ("answer", "bullying_where:nowhere"),
            ("link", "99999"),
            ("type", "carrier_pigeon"),
            ("from-day", "31"),
            ("from-month", "2"),
            ("from-year", "2026"),
        ]
    )
    only = parse_filter(query, filter_choices(found))
    assert not only.active
    assert len(only.errors) == 5
    not_real = "The \u201csent on or after\u201d date must be a real date, like 27 3 2026"
    assert not_real in only.errors
    no_year = MultiDict([("to-day", "3"), ("to-month", "12")])
    assert parse_filter(no_year, filter_choices(found)).errors == (
        "The \u201csent on or before\u201d date must include a year",
    )
    later_before_earlier = MultiDict(
        [
            ("from-day", "2"),
            ("from-month", "3"),
            ("from-year", "2026"),
            ("to-day", "1"),
            ("to-month", "3"),
            ("to-year", "2026"),
        ]
    )
    only = parse_filter(later_before_earlier, filter_choices(found))
    assert not only.active
    assert only.errors == (
        "The \u201csent on or before\u201d date must be the same as or after the "
        "\u201csent on or after\u201d date",
    )


def test_a_filter_the_page_cannot_use_is_said_and_left_out(mixed, officer_client):
    url = url_for("officer.results", slug=BULLYING, district="rugby", type="carrier_pigeon")
    page = officer_client.get_page(url)
    summary = page.soup.select_one(".govuk-error-summary")
    assert summary.h2.get_text(strip=True) == "Some filters could not be used"
    assert [a["href"] for a in summary.select("a")] == ["#filters"]
    assert "The figures below leave those filters out." in summary.get_text()
    # The filter it could use is applied.
    assert (
        page.soup.select_one("#total-responses")
        .get_text(" ", strip=True)
        .endswith("of 6 responses match these filters")
    )


def test_results_page_filters_through_the_url(mixed, officer_client):
    url = url_for(
        "officer.results", slug=BULLYING, answer="bullying_where:online", district="rugby"
    )
    page = officer_client.get_page(url)
    assert page.status == 200
    summary = page.soup.select_one("#total-responses").get_text(" ", strip=True)
    assert summary == "2 of 6 responses match these filters"
    # The form shows what is in force; each filter can be removed on its own.
    assert page.soup.select_one('input[name="answer"][value="bullying_where:online"]').has_attr(
        "checked"
    )
    assert page.soup.select_one('input[name="district"][value="rugby"]').has_attr("checked")
    applied = [li.get_text(" ", strip=True) for li in page.soup.select(".app-filter-list li")]
    assert applied[0].startswith("District of the school or panel member: Rugby Remove")
    remove_rugby = page.soup.select(".app-filter-list li a")[0]["href"]
    assert "district" not in remove_rugby and "answer=bullying_where:online" in remove_rugby
    assert "Fewer than 10 responses match" in page.text
    question = page.soup.select_one("#result-2\\.2\\.3-bullied_last_year")
    assert "2 answered, 0 skipped" in question.get_text(" ", strip=True)
    # The download and the cross-tab carry the same filters.
    download = page.soup.select_one('a[href*="responses.csv"]')["href"]
    assert "district=rugby" in download and "answer=bullying_where:online" in download


def test_the_district_given_and_the_district_of_the_school_are_two_filters(mixed, officer_client):
    """A parent who came by the Rugby school's link but said their child's school is in
    Warwick, and one who came straight to the website and said Rugby: each filter counts the
    one it names, and the page says which district it means."""
    found = mixed["consultation"]
    submit_response(
        BULLYING,
        {"school_district": chose("warwick")},
        _uk(2026, 3, 17),
        distribution_channel_id=mixed["rugby"].id,
    )
    submit_response(BULLYING, {"school_district": chose("rugby")}, _uk(2026, 3, 17))
    # The other six gave the first district offered, North Warwickshire.
    assert _filtered(found, given_district="rugby")[0] == 1
    assert _filtered(found, given_district="warwick")[0] == 1
    assert _filtered(found, given_district=["rugby", "warwick"])[0] == 2
    assert _filtered(found, given_district="north_warwickshire")[0] == 6
    assert _filtered(found, district="rugby")[0] == 3  # two before, and the Warwick parent
    assert _filtered(found, district="rugby", given_district="warwick")[0] == 1
    assert _filtered(found, district="rugby", given_district="rugby")[0] == 0

    def summary(**args) -> tuple[str, list[str]]:
        page = officer_client.get_page(url_for("officer.results", slug=BULLYING, **args))
        applied = [li.get_text(" ", strip=True) for li in page.soup.select(".app-filter-list li")]
        return page.soup.select_one("#total-responses").get_text(" ", strip=True), applied

    text, applied = summary(**{"given-district": "rugby"})
    assert text == "1 of 8 responses match these filters"
    assert applied == [
        "District the respondent gave: Rugby Remove filter District the respondent gave: Rugby"
    ]
    text, applied = summary(district="rugby")
    assert text == "3 of 8 responses match these filters"
    assert applied[0].startswith("District of the school or panel member: Rugby Remove")
    page = officer_client.get_page(url_for("officer.results", slug=BULLYING))
    given = page.soup.select_one("#filter-given-district").find_parent("fieldset")
    assert given.legend.get_text(strip=True) == "District the respondent gave"
    assert "Which district is your child's school in?" in given.get_text()
    # Only the districts are offered, not "I'm not sure".
    assert [box["value"] for box in given.select("input")] == [
        "north_warwickshire",
        "nuneaton_bedworth",
        "rugby",
        "stratford",
        "warwick",
    ]


def test_a_filter_matching_nobody_shows_no_percentages_of_nobody(mixed, officer_client):
    page = officer_client.get_page(url_for("officer.results", slug=BULLYING, type="phone"))
    main = page.soup.select_one("main")
    # The count comes before the filter form, which is long and kept open while filtering.
    count = main.select_one("#total-responses")
    assert count.get_text(" ", strip=True) == "0 of 6 responses match these filters"
    assert main.select_one("#filters") in count.find_all_next("details")
    question = page.soup.select_one("#result-2\\.2\\.3-bullied_last_year")
    assert question.select_one(".app-base").get_text(" ", strip=True) == "0 answered, 0 skipped."
    assert question.select_one(".app-no-answers").get_text(strip=True) == (
        "Nobody who matches these filters answered it."
    )
    assert not question.select("table")
    # Nobody to identify: no warning about few responses.
    assert not page.soup.select(".govuk-warning-text")
    over_time = officer_client.get_page(
        url_for("officer.responses_over_time", slug=BULLYING, type="paper")
    )
    assert "1 of 6 responses match these filters" in over_time.text
    assert "Fewer than 10 responses match." in over_time.soup.select_one(".govuk-warning-text").text
    by_phone = officer_client.get_page(
        url_for("officer.responses_over_time", slug=BULLYING, type="phone")
    )
    assert "0 of 6 responses match these filters" in by_phone.text
    assert not by_phone.soup.select(".govuk-warning-text")
    # A cross-tab nobody is in: no warning, and no percentages in any row or the totals.
    nobody = _cross_tab(officer_client, "bullied_last_year", "bullying_where", type="phone")
    assert not nobody.soup.select(".govuk-warning-text")
    totals = [td.get_text(strip=True) for td in nobody.soup.select("table.app-cross-tab tfoot td")]
    assert set(totals[:-1]) == {"–"} and totals[-1] == "0"


def test_a_question_nobody_has_answered_says_so(app, officer_client):
    page = officer_client.get_page(url_for("officer.results", slug=BULLYING))
    assert page.soup.select_one("#total-responses").get_text(strip=True) == "0 responses"
    question = page.soup.select_one("#result-2\\.2\\.3-bullied_last_year")
    assert question.select_one(".app-no-answers").get_text(strip=True) == (
        "Nobody has answered it yet."
    )
    assert not question.select("table")


def test_htmx_gets_the_filtered_results_and_the_address_to_show(mixed, officer_client):
    url = url_for("officer.results", slug=BULLYING, type="paper")
    response = officer_client.get(url, headers={"HX-Request": "true"})
    body = response.get_data(as_text=True)
    assert body.startswith("<title>")
    assert "1 of 6 responses match these filters" in body
    assert response.headers["HX-Push-Url"] == url


def test_a_bad_filter_is_shown_as_an_error_and_the_rest_still_applies(mixed, officer_client):
    page = officer_client.get_page(
        url_for("officer.results", slug=BULLYING, district=["warwick", "atlantis"])
    )
    assert page.status == 200
    assert page.error_summary() == ["There is no district \u201catlantis\u201d to filter by"]
    assert "1 of 6 responses match" in page.text


def test_a_wrong_date_is_said_at_its_boxes_and_linked_to_the_box_that_is_wrong(
    mixed, officer_client
):
    no_year = officer_client.get_page(
        url_for("officer.results", slug=BULLYING, **{"to-day": "3", "to-month": "12"})
    )
    message = "The \u201csent on or before\u201d date must include a year"
    assert no_year.error_summary() == [message]
    assert no_year.soup.select_one(".govuk-error-summary a")["href"] == "#to-year"
    boxes = no_year.soup.select_one("#filter-to")
    fieldset = boxes.find_parent("fieldset")
    said = fieldset.select_one(".govuk-error-message")
    assert said.get_text(" ", strip=True) == f"Error: {message}"
    assert said["id"] in fieldset["aria-describedby"].split()
    # Only the year is wrong; the day and month are kept as typed.
    wrong = [i["id"] for i in boxes.select("input.govuk-input--error")]
    assert wrong == ["to-year"]
    assert boxes.select_one("#to-day")["value"] == "3"
    # Dates the wrong way round: said at the later date, whose boxes are all wrong.
    reversed_dates = officer_client.get_page(
        url_for(
            "officer.results",
            slug=BULLYING,
            **{"from-day": "5", "from-month": "3", "from-year": "2026"},
            **{"to-day": "1", "to-month": "3", "to-year": "2026"},
        )
    )
    assert reversed_dates.soup.select_one(".govuk-error-summary a")["href"] == "#to-day"
    assert not reversed_dates.soup.select("#filter-from input.govuk-input--error")
    assert len(reversed_dates.soup.select("#filter-to input.govuk-input--error")) == 3
    assert reversed_dates.soup.select_one("#from-day")["value"] == "5"


def _cross_tab(client, rows: str, columns: str, **filters):
    return client.get_page(
        url_for("officer.cross_tab", slug=BULLYING, rows=rows, columns=columns, **filters)
    )


def test_cross_tab_counts_with_row_percentages(mixed):
    found = mixed["consultation"]
    rows = next(q for q in found.questions if q.key == "bullied_last_year")
    columns = next(q for q in found.questions if q.key == "bullying_where")
    table = crosstab.cross_tab(rows, columns)
    # Only parents who answered "Yes" are asked where it happened.
    assert table.base == 4
    by_row = {row.category.option.value: row for row in table.rows}
    labels = [c.option.value for c in table.columns if c.option]
    yes = dict(zip(labels, by_row["yes"].cells, strict=False))
    assert by_row["yes"].base == 4
    assert (yes["online"].count, yes["online"].row_percent) == (2, 50.0)
    assert (yes["at_school"].count, yes["at_school"].row_percent) == (2, 50.0)
    assert by_row["no"].base == 0 and by_row["not_sure"].base == 0
    assert table.columns_multiple  # rows can add past 100%: one parent ticked two places
    assert dict(zip(labels, table.column_totals, strict=False))["online"] == 2


def test_cross_tab_page_and_its_errors(mixed, officer_client):
    url = url_for(
        "officer.cross_tab",
        slug=BULLYING,
        rows="bullied_last_year",
        columns="bullying_where",
        type="school",
    )
    page = officer_client.get_page(url)
    assert page.status == 200
    caption = page.soup.select_one("caption").get_text(" ", strip=True)
    assert caption.endswith("3 people answered both")
    first = page.soup.select_one("tbody tr")
    assert first.select_one("th").get_text(strip=True) == "Yes"
    assert "66.7% (2)" in first.get_text(" ", strip=True)  # 2 of the 3 said online
    # Nobody answered "No": no percentages of nobody, only the dash.
    rows = {
        tr.th.get_text(strip=True): [td.get_text(" ", strip=True) for td in tr.select("td")]
        for tr in page.soup.select("table.app-cross-tab tbody tr")
    }
    assert set(rows["No"][:-1]) == {"–"} and rows["No"][-1] == "0"
    # So few people answered both that the table may identify them, and says so.
    warning = page.soup.select_one(".govuk-warning-text").get_text(" ", strip=True)
    assert warning.endswith(
        "Fewer than 10 people answered both questions. Answers from so few people may "
        "identify them: do not share these figures outside the team."
    )
    same = _cross_tab(officer_client, "bullied_last_year", "bullied_last_year")
    assert same.status == 422
    assert same.error_summary() == ["Select a different question for the columns than for the rows"]
    assert same.soup.select_one("table.app-cross-tab") is None


def test_the_cross_tab_says_what_its_filters_match_and_asks_in_one_form(mixed, officer_client):
    page = _cross_tab(officer_client, "bullied_last_year", "bullying_where", type="school")
    # As on the results page: the count, and each filter with a link to remove it, which
    # keeps the table's questions.
    assert page.soup.select_one("#total-responses").get_text(" ", strip=True) == (
        "3 of 6 responses match these filters"
    )
    applied = page.soup.select_one(".app-filter-list li")
    said = applied.get_text(" ", strip=True)
    assert said.startswith("Respondent type: Online, through a school's link Remove")
    remove = urlsplit(applied.select_one("a")["href"])
    assert remove.path == url_for("officer.cross_tab", slug=BULLYING)
    assert parse_qs(remove.query) == {"rows": ["bullied_last_year"], "columns": ["bullying_where"]}
    assert "Filtered to" not in page.text
    # One form holds the filters and the questions: a box ticked before "Show the table" is
    # sent with the questions, and the questions with "Apply filters".
    form = page.soup.select_one("#cross-tab-rows").find_parent("form")
    assert form.select_one("#filters") is not None
    assert [b.get_text(strip=True) for b in form.select("button")] == [
        "Apply filters",
        "Show the table",
    ]
    assert len(page.soup.select("main form")) == 1
    ticked = page.soup.select('input[name="type"][value="school"]')
    assert len(ticked) == 1 and ticked[0].has_attr("checked")
    assert not form.select('input[type="hidden"]')
    clear = urlsplit(form.find("a", string="Clear filters")["href"])
    assert parse_qs(clear.query) == {"rows": ["bullied_last_year"], "columns": ["bullying_where"]}


def test_the_cross_tab_says_its_errors_and_its_filters_errors_in_one_summary(mixed, officer_client):
    page = _cross_tab(
        officer_client, "bullied_last_year", "bullied_last_year", district="atlantis", type="paper"
    )
    assert page.status == 422
    assert len(page.soup.select(".govuk-error-summary")) == 1
    assert page.error_summary() == [
        "Select a different question for the columns than for the rows",
        "There is no district \u201catlantis\u201d to filter by",
    ]
    links = [a["href"] for a in page.soup.select(".govuk-error-summary a")]
    assert links == ["#cross-tab-columns", "#filters"]
    # No table, so no "figures below" to leave the filter out of.
    assert page.soup.select_one("table") is None
    assert "The figures below" not in page.text
    # The questions chosen stay chosen, and removing a filter keeps them.
    assert page.soup.select_one("#cross-tab-rows option[selected]")["value"] == "bullied_last_year"
    remove = urlsplit(page.soup.select_one(".app-filter-list a")["href"])
    same = ["bullied_last_year"]
    assert parse_qs(remove.query) == {"rows": same, "columns": same}


def test_filtered_csv_holds_only_matching_responses_and_is_audited(mixed, officer_client):
    response = officer_client.get(
        url_for(
            "officer.export_responses",
            slug=BULLYING,
            export_format="csv",
            answer="bullying_where:online",
        )
    )
    assert response.status_code == 200
    assert "filtered" in response.headers["Content-Disposition"]
    lines = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert len(lines) == 3  # the header and two responses
    entry = db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert entry.action == "exported responses"
    assert "Answered \u201c" in entry.detail and ": Online, on social media" in entry.detail
    refused = officer_client.get(
        url_for("officer.export_responses", slug=BULLYING, export_format="csv", district="atlantis")
    )
    assert refused.status_code == 400


def test_export_rows_take_the_filter(mixed):
    found = mixed["consultation"]
    only = parse_filter(MultiDict([("type", "paper")]), filter_choices(found))
    assert len(list(export.rows(found, only=only))) == 1


def test_comment_pages_keep_the_filter(app, officer_client):
    for n in range(12):
        submit_response(
            BULLYING, {"comments": {"text": f"Paper comment {n}"}}, channel=ResponseChannel.PAPER
        )
    submit_response(BULLYING, {"comments": {"text": "Typed online"}})
    page = officer_client.get_page(url_for("officer.results", slug=BULLYING, type="paper"))
    comments = page.soup.select_one('[id$="-comments"]')
    assert comments.select_one("h4").get_text(strip=True) == "Comments (12)"
    assert "Typed online" not in comments.get_text()
    older = comments.select_one('a[rel="next"]')["href"]
    assert "type=paper" in older and "page=2" in older
    second = officer_client.get_page(older)
    listed = [p.get_text(strip=True) for p in second.soup.select(".app-comment .app-answer")]
    assert listed == ["Paper comment 1", "Paper comment 0"]
