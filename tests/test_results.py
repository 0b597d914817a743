"""Officers see each consultation's answers counted beside the outcomes they inform."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask import url_for

from portal.clock import UK, utcnow
from portal.consultations.models import ConditionOperator, DisplayCondition
from portal.extensions import db
from portal.reporting.filters import NO_FILTER
from portal.reporting.routing import asked_counts
from portal.reporting.service import ResponseCounts, response_counts
from tests.factories import chose, submit_response
from tests.journeys import consultation

BULLYING = "bullying-what-parents-think"
LIVEABILITY = "warwickshire-panel-liveability"


def table_rows(section) -> dict[str, tuple[str, str]]:
    table = section.select_one("table.app-results-table")
    return {
        row.select_one("th").get_text(strip=True): tuple(
            td.get_text(strip=True) for td in row.select("td")
        )
        for row in table.select("tbody tr")
    }


def test_answers_are_counted_under_their_outcome(officer_client):
    submit_response(BULLYING, {"bullied_last_year": chose("yes")})
    submit_response(BULLYING, {"bullied_last_year": chose("yes")})
    submit_response(BULLYING, {"bullied_last_year": chose("no")})
    page = officer_client.get_page(url_for("officer.results", slug=BULLYING))
    assert page.soup.select_one("#total-responses").get_text(strip=True) == "3 responses"

    outcome = page.soup.select_one("#outcome-2\\.2\\.3")
    assert outcome is not None
    assert "2.2.3 Early identification" in outcome.select_one("h2").get_text(" ", strip=True)
    question = outcome.select_one("#result-2\\.2\\.3-bullied_last_year")
    assert "3 answered, 0 skipped" in question.get_text(" ", strip=True)
    assert table_rows(question) == {
        "Yes": ("2", "66.7%"),
        "No": ("1", "33.3%"),
        "I'm not sure": ("0", "0.0%"),  # options with no answers are shown as 0
    }
    # The table is the chart: each percentage has its bar beside it, hidden from screen
    # readers, which read the figure.
    bars = question.select("table.app-results-table .app-bar")
    assert [bar["aria-hidden"] for bar in bars] == ["true"] * 3
    assert [bar.select_one(".app-bar__fill")["width"] for bar in bars] == ["66.7", "33.3", "0.0"]


def test_each_question_shows_its_figures_once_under_a_contents_list(officer_client):
    """The page was 12,500 px long because every question had a chart and then the same
    figures as a table: now one table (with its bars) or one list of figures per question,
    and a contents list by strategy outcome at the top whose links all lead somewhere."""
    submit_response(
        BULLYING, {"bullied_last_year": chose("yes"), "comments": {"text": "More help"}}
    )
    page = officer_client.get_page(url_for("officer.results", slug=BULLYING))
    questions = page.soup.select(".app-question-result")
    assert len(questions) >= 15
    for question in questions:
        shown = question.select("table.app-results-table, dl.app-figures, svg.app-bar")
        tables = [element for element in shown if element.name != "svg"]
        # Free text has its comments instead.
        assert len(tables) == 1 or (not tables and question.select(".app-comments")), question["id"]
        # Bars only inside the table, one per row of it.
        assert all(bar.find_parent("table") is tables[0] for bar in shown if bar.name == "svg")
    assert page.soup.select(".app-bar-chart") == []
    contents = page.soup.select_one("nav.app-contents-list")
    # Before the first outcome's section, and before the downloads.
    assert contents.find_next("section", class_="app-outcome") is not None
    assert contents.find_previous("section", class_="app-outcome") is None
    links = [(a.get_text(" ", strip=True), a["href"]) for a in contents.select("a")]
    assert [text for text, _ in links] == [
        "2.2.1 Effective education on issues which impact on vulnerability to involvement in crime",
        "2.2.2 Reduction in permanent exclusions from school, and reductions in the level of "
        "truancy",
        "2.2.3 Early identification of those children and young people most at risk of becoming "
        "involved in crime",
        "Other questions",
    ]
    for _, href in links:
        assert href.startswith("#") and page.soup.find(id=href[1:]).name == "section"
    assert "(13 questions)" in contents.get_text(" ", strip=True)
    # Printing leaves out what only works on screen: the filters and the downloads.
    assert "app-no-print" in page.soup.select_one("#filters")["class"]
    download = page.soup.select_one('a[href*="responses.csv"]')
    assert download.find_parent(class_="app-no-print") is not None


def test_options_keep_the_forms_order_with_other_before_an_exclusive_option(officer_client):
    """ "Someone else" is offered before "No, nobody else" (after the form's "or"), so results
    list it there too, not last."""
    submit_response(
        BULLYING,
        {"bullied_last_year": chose("yes"), "other_help": {"selected": [], "other": "An aunt"}},
    )
    submit_response(BULLYING, {"bullied_last_year": chose("yes"), "other_help": chose("nobody")})
    page = officer_client.get_page(url_for("officer.results", slug=BULLYING))
    block = page.soup.select_one("#result-2\\.2\\.3-other_help")
    labels = [th.get_text(strip=True) for th in block.select("tbody th")]
    assert labels[-2:] == ["Someone else", "No, nobody else"]
    assert labels[0] == "A doctor, school nurse or other health worker"
    assert table_rows(block)["Someone else"] == ("1", "50.0%")


def test_outcome_shows_its_key_tasks_and_indicators(officer_client):
    page = officer_client.get_page(url_for("officer.results", slug=BULLYING))
    outcome_221 = page.soup.select_one("#outcome-2\\.2\\.1")
    text = outcome_221.get_text(" ", strip=True)
    assert "2.3.3 Development of anti-bullying initiatives" in text
    assert "Leslie-Anne Newton / Viv Sales" in text
    # What the report says has been done, and that the link to this outcome is the portal's.
    assert (
        "Progress reported: A county Anti-Bullying Co-ordinator was appointed in April 2005."
        in text
    )
    assert (
        "The report does not say which key tasks serve this outcome: "
        "these links are the portal's reading." in text
    )
    outcome_223 = page.soup.select_one("#outcome-2\\.2\\.3")
    indicator = outcome_223.select_one("#indicator-young-entrants-10-13-change")
    assert indicator is not None
    rows = [
        [c.get_text(" ", strip=True) for c in row.select("th, td")]
        for row in indicator.select("tbody tr")
    ]
    assert rows[0][0].startswith("2004/05") and rows[0][1] == "\u221255%"  # a minus sign
    # Outcomes come in strategy order, with "Other questions" last.
    ids = [s["id"] for s in page.soup.select("section.app-outcome")]
    assert ids == ["outcome-2.2.1", "outcome-2.2.2", "outcome-2.2.3", "other-questions"]
    # Missing school because of bullying informs 2.2.2 (the truancy link).
    assert page.soup.select_one("#result-2\\.2\\.2-missed_school") is not None
    other = page.soup.select_one("#other-questions")
    assert other.select_one("#result-other-school_district") is not None


def test_a_question_linked_to_two_outcomes_appears_under_both(officer_client):
    submit_response(BULLYING, {})
    page = officer_client.get_page(url_for("officer.results", slug=BULLYING))
    assert page.soup.select_one("#outcome-2\\.2\\.1 #result-2\\.2\\.1-what_would_help") is not None
    assert page.soup.select_one("#outcome-2\\.2\\.3 #result-2\\.2\\.3-what_would_help") is not None


def test_multiple_choice_percentages_are_of_respondents_and_say_so(officer_client):
    submit_response(BULLYING, {"what_would_help": chose("lessons", "supervision")})
    submit_response(
        BULLYING, {"what_would_help": {"selected": ["lessons"], "other": "Cameras on buses"}}
    )
    page = officer_client.get_page(url_for("officer.results", slug=BULLYING))
    block = page.soup.select_one("#result-2\\.2\\.1-what_would_help")
    rows = table_rows(block)
    assert rows["Lessons about bullying and staying safe online"] == ("2", "100.0%")
    assert rows["More supervision at break and lunch times"] == ("1", "50.0%")
    assert rows["Something else"] == ("1", "50.0%")
    assert "can add up to more than 100%" in block.get_text(" ", strip=True)
    assert "Cameras on buses" in block.select_one(".app-comments").get_text(" ", strip=True)


def test_agreement_scale_shows_net_agreement(officer_client):
    for answer in ["strongly_agree", "agree", "agree", "disagree", "dont_know"]:
        submit_response(BULLYING, {"school_takes_seriously": chose(answer)})
    page = officer_client.get_page(url_for("officer.results", slug=BULLYING))
    block = page.soup.select_one("#result-2\\.2\\.3-school_takes_seriously")
    # 3 of 5 agree (60%), 1 of 5 disagrees (20%): net +40 points.
    assert "Net agreement: +40.0 points" in block.get_text(" ", strip=True)


def test_skipped_optional_questions_are_counted(officer_client):
    submit_response(LIVEABILITY, {"age_band": chose("65_74")})
    submit_response(LIVEABILITY, {"age_band": None})
    page = officer_client.get_page(url_for("officer.results", slug=LIVEABILITY))
    block = page.soup.select_one("#result-other-age_band")
    assert "1 answered, 1 skipped" in block.get_text(" ", strip=True)


def test_free_text_is_escaped_and_paginated(officer_client):
    for n in range(12):
        submit_response(
            BULLYING,
            {"comments": {"text": f"Comment {n} <script>alert({n})</script>"}},
            at=utcnow() - timedelta(minutes=100 - n),
        )
    page = officer_client.get_page(url_for("officer.results", slug=BULLYING))
    comments = page.soup.select_one("#comments-2\\.2\\.3-comments")
    assert "Comments (12)" in comments.get_text(" ", strip=True)
    texts = [p.get_text() for p in comments.select(".app-comment .app-answer")]
    assert texts[0] == "Comment 11 <script>alert(11)</script>"  # newest first
    assert len(texts) == 10
    assert "<script>alert(11)</script>" not in page.html
    older = comments.select_one("a[rel=next]")
    assert older["href"] == url_for(
        "officer.comments", slug=BULLYING, key="comments", page=2, within="2.2.3"
    )
    assert (
        older["data-hx-get"] == older["href"]
        and older["data-hx-target"] == "#comments-2.2.3-comments"
    )

    second = officer_client.get_page(older["href"])  # works as a plain link without JavaScript
    assert [p.get_text() for p in second.soup.select(".app-comment .app-answer")] == [
        "Comment 1 <script>alert(1)</script>",
        "Comment 0 <script>alert(0)</script>",
    ]
    assert "Page 2 of 2" in second.text

    fragment = officer_client.get(older["href"], headers={"HX-Request": "true"})
    body = fragment.get_data(as_text=True)
    assert 'id="comments-2.2.3-comments"' in body and "<html" not in body
    assert "HX-Request" in fragment.headers["Vary"]


def test_no_responses_yet(officer_client):
    page = officer_client.get_page(url_for("officer.results", slug=LIVEABILITY))
    assert page.soup.select_one("#total-responses").get_text(strip=True) == "0 responses"
    assert "0 answered, 0 skipped" in page.text


def test_unknown_consultation_or_question(officer_client):
    assert officer_client.get(url_for("officer.results", slug="nope")).status_code == 404
    assert (
        officer_client.get(url_for("officer.comments", slug=BULLYING, key="nope")).status_code
        == 404
    )


def uk_time(year, month, day, hour, minute=0) -> datetime:
    """A UK wall-clock time as the naive UTC the database stores."""
    return datetime(year, month, day, hour, minute, tzinfo=UK).astimezone(UTC).replace(tzinfo=None)


def test_dashboard_counts_today_this_week_and_total(officer_client):
    # Wednesday 1 July 2026, 10:00 UK time (BST, UTC+1).
    now = uk_time(2026, 7, 1, 10)
    submit_response(
        BULLYING, {}, at=uk_time(2026, 7, 1, 0, 30)
    )  # today, though 23:30 UTC yesterday
    submit_response(BULLYING, {}, at=uk_time(2026, 6, 29, 9))  # Monday: this week
    submit_response(BULLYING, {}, at=uk_time(2026, 6, 28, 23))  # Sunday: last week
    submit_response(LIVEABILITY, {}, at=uk_time(2026, 7, 1, 9))
    counts = response_counts(now)
    assert counts[consultation(BULLYING).id] == ResponseCounts(today=1, this_week=2, total=3)
    assert counts[consultation(LIVEABILITY).id] == ResponseCounts(today=1, this_week=1, total=1)

    page = officer_client.get_page(url_for("officer.dashboard"))
    row = page.soup.select_one("#consultation-bullying-what-parents-think")
    assert row.select("td")[0].get_text(strip=True) == "Open"
    assert row.select("td")[-2].get_text(strip=True) == "3"
    link = row.select_one("a")
    assert link["href"] == url_for("officer.results", slug=BULLYING)


def test_a_routed_question_counts_who_was_not_asked_apart_from_who_skipped(officer_client):
    submit_response(
        BULLYING, {"bullied_last_year": chose("yes"), "bullying_where": chose("online")}
    )
    submit_response(
        BULLYING, {"bullied_last_year": chose("yes"), "bullying_where": chose("at_school")}
    )
    submit_response(BULLYING, {"bullied_last_year": chose("no")})
    page = officer_client.get_page(url_for("officer.results", slug=BULLYING))
    where = page.soup.select_one("#result-2\\.2\\.3-bullying_where")
    summary = where.select_one("p.app-muted").get_text(" ", strip=True)
    # Routed past it: not asked, which is not the same as skipping it.
    assert summary.startswith(
        "2 answered, 0 skipped, 1 not asked (routed past it by their earlier answers)."
    )
    # "Where" is a share of the parents whose child was bullied, and the page says so.
    assert "Asked only when the answer to “In the last 12 months" in summary
    online = next(tr for tr in where.select("tbody tr") if "Online" in tr.th.get_text())
    assert [td.get_text(strip=True) for td in online.select("td")][:2] == ["1", "50.0%"]
    stopped = page.soup.select_one("#result-2\\.2\\.3-bullied_others p.app-muted")
    assert stopped.get_text(" ", strip=True).startswith("3 answered, 0 skipped.")  # asked of all


def _routed_on_parks() -> dict:
    """Three liveability questions routed on "parks" among the public spaces used, by
    "includes", "is" (this one and no other) and "is not"; four responses answer."""
    found = consultation(LIVEABILITY)
    questions = {q.key: q for q in found.questions}
    places = questions["public_spaces_used"]
    parks = next(o for o in places.choices if o.value == "parks")
    for key, operator in (
        ("safe_daytime", ConditionOperator.INCLUDES),
        ("safe_after_dark", ConditionOperator.EQUALS),
        ("town_centre_evening", ConditionOperator.NOT),
    ):
        db.session.add(
            DisplayCondition(
                consultation=found,
                question=questions[key],
                source_question=places,
                operator=operator,
                option=parks,
            )
        )
    db.session.commit()
    for chosen in (["parks"], ["parks", "squares"], ["squares"], ["play_areas"]):
        submit_response(LIVEABILITY, {"public_spaces_used": chose(*chosen)})
    return questions


def test_who_was_asked_follows_each_rule_on_a_question_taking_several_answers(officer_client):
    """Each rule is counted by its own meaning, however the others are counted."""
    questions = _routed_on_parks()
    asked = asked_counts(consultation(LIVEABILITY), NO_FILTER)
    assert asked is not None
    assert asked.counts[questions["safe_daytime"].id] == 2  # chose parks, with or without more
    assert asked.counts[questions["safe_after_dark"].id] == 1  # parks and nothing else
    assert asked.counts[questions["town_centre_evening"].id] == 2  # did not choose parks
    assert asked.counts[questions["street_lighting"].id] == 4  # not routed: everyone
    page = officer_client.get_page(url_for("officer.results", slug=LIVEABILITY))
    after_dark = page.soup.find(
        id=lambda i: bool(i) and i.startswith("result-") and i.endswith("-safe_after_dark")
    )
    assert "3 not asked" in after_dark.select_one("p.app-muted").get_text(" ", strip=True)


@pytest.mark.usefixtures("counted")
def test_who_was_asked_is_counted_within_a_filter(officer_client):
    """Filtered to the two who used squares (parks and squares; squares alone): one was
    asked the "includes parks" question, none "parks and nothing else", one "not parks"."""
    _routed_on_parks()
    page = officer_client.get_page(
        url_for("officer.results", slug=LIVEABILITY, answer="public_spaces_used:squares")
    )
    assert (
        page.soup.select_one("#total-responses")
        .get_text(" ", strip=True)
        .startswith("2 of 4 responses match")
    )

    def summary(key: str) -> str:
        found = page.soup.find(
            id=lambda i: bool(i) and i.startswith("result-") and i.endswith(f"-{key}")
        )
        return found.select_one("p.app-muted").get_text(" ", strip=True)

    # submit_response answers whatever the journey asks.
    assert summary("safe_daytime").startswith("1 answered, 0 skipped, 1 not asked")
    assert summary("safe_after_dark").startswith("0 answered, 0 skipped, 2 not asked")
    assert summary("town_centre_evening").startswith("1 answered, 0 skipped, 1 not asked")
    assert summary("street_lighting").startswith("2 answered, 0 skipped.")
