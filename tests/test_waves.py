"""Survey waves: a consultation run again, and what changed between its waves."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from flask import url_for

from portal.accounts.models import Role
from portal.audit import AuditEntry
from portal.clock import uk_today
from portal.consultations import builder, copies
from portal.consultations.builder import publish
from portal.consultations.models import (
    ConditionOperator,
    Consultation,
    Option,
    OptionKind,
    Question,
    QuestionType,
)
from portal.extensions import db
from portal.reporting.change import Verdict
from portal.reporting.waves import compare_waves
from portal.responses.models import Answer, Response
from portal.schools.models import OutletKind
from portal.schools.service import channels_of, copy_links, create_channel
from portal.strategy.models import Outcome
from tests.factories import (
    chose,
    closed_yesterday,
    create_school,
    create_user,
    sign_in,
    submit_response,
)
from tests.journeys import consultation as load


def uk_date(day: date | None) -> str:
    assert day is not None
    return f"{day.day} {day:%B %Y}"


def text_of(page: Any, selector: str) -> str:
    found = page.soup.select_one(selector)
    assert found is not None, f"nothing matches {selector}"
    return re.sub(r"\s+", " ", found.get_text(" ", strip=True))


LIVEABILITY = "warwickshire-panel-liveability"
DATE_PARTS = ("day", "month", "year")

# The hand-worked example of docs/waves.md: "How safe do you feel walking alone in your area
# after dark?", 40 answers in each wave.
AFTER_DARK = {
    1: {"very_safe": 8, "fairly_safe": 10, "a_bit_unsafe": 12, "very_unsafe": 6, "never_alone": 4},
    2: {"very_safe": 6, "fairly_safe": 22, "a_bit_unsafe": 8, "very_unsafe": 2, "never_alone": 2},
}


def second_wave(first: Consultation) -> Consultation:
    closed_yesterday(first)
    wave = copies.new_wave(
        first, first.title, uk_today(), uk_today() + timedelta(days=30), uk_today()
    )
    copy_links(first, wave)
    db.session.commit()
    publish(wave, uk_today())
    return wave


def answer_after_dark(slug: str, counts: dict[str, int]) -> None:
    for value, count in counts.items():
        for _ in range(count):
            submit_response(slug, {"safe_after_dark": chose(value)})


def test_the_hand_worked_example_through_real_submissions_and_the_pages(
    app: Any, officer_client: Any
) -> None:
    """One setting up of two waves (80 submissions) serves the service, the results page, the
    filtered page and the weighted figures, to keep the suite quick."""
    first = load(LIVEABILITY)
    answer_after_dark(first.slug, AFTER_DARK[1])
    wave = second_wave(first)
    answer_after_dark(wave.slug, AFTER_DARK[2])
    # The service's figures.
    comparison = compare_waves(load(wave.slug))
    assert comparison is not None
    assert [w.number for w in comparison.waves] == [1, 2]
    after_dark = comparison.questions["safe_after_dark"]
    by_value = {a.value: a for a in after_dark.answers}
    fairly = by_value["fairly_safe"]
    assert [s.count for s in fairly.shares if s] == [10, 22]
    change = fairly.changes[0].change
    assert change is not None
    assert round(100 * change.difference, 1) == 30.0
    assert round(change.z, 2) == 2.74
    assert change.verdict == Verdict.BEYOND
    very = by_value["very_safe"].changes[0].change
    assert very is not None and very.verdict == Verdict.WITHIN
    assert round(very.z, 2) == -0.59
    # The results page.
    page = officer_client.get_page(url_for("officer.results", slug=wave.slug))
    waves = text_of(page, "#waves")
    assert "This is wave 2." in waves
    assert (
        f"Wave 1 results {uk_date(first.opens_on)} to {uk_date(first.closes_on)} 40 "
        f"Wave 2 (this page) {uk_date(wave.opens_on)} to {uk_date(wave.closes_on)} 40"
    ) in waves
    block = text_of(page, "[id='waves-3.3c-safe_after_dark-all']")
    # The hand-worked example of docs/waves.md, as the page prints it.
    assert (
        "Fairly safe 25.0% (10 of 40) 14.2% to 40.2% 55.0% (22 of 40) 39.8% to 69.3% "
        "+30.0 points +8.5 to +47.9 Larger than sampling error would explain (p = 0.006)"
    ) in block
    assert (
        "Very safe 20.0% (8 of 40) 10.5% to 34.8% 15.0% (6 of 40) 7.1% to 29.1% "
        "\u22125.0 points \u221221.8 to +12.0 Within sampling error: could be chance (p = 0.556)"
    ) in block
    assert "Don't know 0.0% (0 of 40) 0.0% to 8.8% 0.0% (0 of 40) 0.0% to 8.8% 0.0 points " in block
    assert "No change: nobody chose it in either wave" in block
    # Beside the outcome's indicators, the question's change in a sentence.
    headlines = text_of(page, "[id='outcome-3.3c'] .app-wave-headlines")
    assert (
        "How safe do you feel walking alone in your area after dark? : "
        "\u201cFairly safe\u201d 25.0% to 55.0% (+30.0 points), larger than sampling error "
        "would explain (wave 1 to wave 2)."
    ) in headlines
    indicators = page.soup.select_one("[id='outcome-3.3c'] .app-outcome__evidence")
    assert indicators is not None and indicators.select(".app-indicator")
    # The chart has a text alternative, and the table follows it.
    chart = page.soup.select_one("[id='waves-3.3c-safe_after_dark'] .app-wave-chart")
    assert chart is not None and chart["role"] == "img"
    assert "wave 1 and wave 2" in chart["aria-label"].lower()
    # The first wave's page shows the same comparison.
    earlier = officer_client.get_page(url_for("officer.results", slug=first.slug))
    assert "This is wave 1." in text_of(earlier, "#waves")
    assert "+30.0 points" in text_of(earlier, "[id='waves-3.3c-safe_after_dark-all']")
    # The series' downloads are offered beside the page's own.
    downloads = [a["href"] for a in page.soup.select("a[download]")]
    assert url_for("officer.export_series_responses", slug=wave.slug, export_format="csv") in (
        downloads
    )
    assert url_for("officer.export_series_change", slug=wave.slug, export_format="xlsx") in (
        downloads
    )
    # The strategy's page for the priority: the same sentence beside the outcome's indicators,
    # linking to the change on the latest wave's results.
    outcome = db.session.scalars(sa.select(Outcome).where(Outcome.code == "3.3c")).one()
    strategy_page = officer_client.get_page(
        url_for("officer.priority", position=outcome.priority.position)
    )
    beside = strategy_page.soup.select_one("[id='outcome-3.3c']")
    assert beside is not None
    said = re.sub(r"\s+", " ", beside.get_text(" ", strip=True))
    assert "What residents said, wave on wave: Warwickshire Panel: liveability survey" in said
    assert "\u201cFairly safe\u201d 25.0% to 55.0% (+30.0 points)" in said
    headlines = beside.select_one(".app-wave-headlines")
    assert headlines is not None
    link = headlines.find("a", string=re.compile("after dark"))
    assert link is not None and link["href"] == url_for(
        "officer.results", slug=wave.slug, _anchor="waves-3.3c-safe_after_dark"
    )
    assert "Warwickshire Panel: liveability survey, wave 2: How safe do you feel" in said
    # Filtered, the change is not shown, and the page says where it is.
    page = officer_client.get_page(
        url_for(
            "officer.results",
            slug=wave.slug,
            **{"from-day": "1", "from-month": "1", "from-year": "2000"},
        )
    )
    assert page.soup.select_one("#waves") is None
    assert "clear the filters to see it" in text_of(page, "#waves-filtered")
    change_file = url_for("officer.export_series_change", slug=wave.slug, export_format="csv")
    assert change_file in [a["href"] for a in page.soup.select("a[download]")]
    # Panel members' answers weighted: the weighted change beside the unweighted one.
    # Every response as a panel member's, with a weighting cell: two districts, two ages.
    ids = db.session.scalars(sa.select(Response.id).order_by(Response.id)).all()
    for index, response_id in enumerate(ids):
        db.session.execute(
            sa.update(Response)
            .where(Response.id == response_id)
            .values(
                profile_district=["rugby", "warwick"][index % 2],
                profile_age_band=["25_44", "65_plus"][(index // 2) % 2],
            )
        )
    db.session.commit()
    page = officer_client.get_page(url_for("officer.results", slug=wave.slug))
    weighted = text_of(page, "[id='waves-3.3c-safe_after_dark-weighted']")
    assert weighted.startswith("Weighted to the county's population")
    fairly = re.search(r"Fairly safe (\S+)% (\S+)% to (\S+)% (\S+)% ", weighted)
    assert fairly is not None
    low, high = float(fairly[2]), float(fairly[3])
    assert low < float(fairly[1]) < high
    comparison = compare_waves(load(wave.slug), weighted=True)
    assert comparison is not None
    share = comparison.questions["safe_after_dark"].answers[1].shares[1]
    assert share is not None and share.weighted is not None
    # Weighting leaves fewer effective respondents than people, so a wider interval.
    assert share.weighted.answered < 40
    width = share.weighted.interval.high - share.weighted.interval.low
    assert width > share.share.interval.high - share.share.interval.low


def test_one_wave_alone_shows_no_comparison(app: Any, officer_client: Any) -> None:
    first = load(LIVEABILITY)
    answer_after_dark(first.slug, AFTER_DARK[1])
    second_wave(first)  # published, nobody has answered it yet
    page = officer_client.get_page(url_for("officer.results", slug=first.slug))
    assert page.soup.select_one("#waves") is None
    assert not page.soup.select(".app-wave-change")


def test_wording_routing_and_questions_changed_between_waves(app: Any, officer_client: Any) -> None:
    first = load(LIVEABILITY)
    for value, count in {"very_safe": 12, "fairly_safe": 8}.items():
        for _ in range(count):
            submit_response(
                first.slug,
                {
                    "district": chose("rugby"),
                    "safe_after_dark": chose(value),
                    # Two places each: the base is the 20 who answered, not the 40 choices.
                    "public_spaces_used": chose("parks", "squares"),
                },
            )
    closed_yesterday(first)
    wave = copies.new_wave(first, first.title, uk_today(), None, uk_today())
    db.session.commit()
    after_dark = next(q for q in wave.questions if q.key == "safe_after_dark")
    after_dark.text = "How safe do you feel walking on your own near home after dark?"
    district = next(q for q in wave.questions if q.key == "district")
    builder.add_condition(
        after_dark,
        ConditionOperator.NOT,
        next(o for o in district.options if o.value == "north_warwickshire"),
    )
    vehicle_experience = next(q for q in wave.questions if q.key == "vehicle_experience")
    builder.delete_question(vehicle_experience, answered=False)
    # Rewording the question that routes the vehicle pages asks them of the same people.
    vehicle = next(q for q in wave.questions if q.key == "household_vehicle")
    vehicle.text = "Does your household have a car or a van?"
    # A new answer offered in wave 2.
    spaces = next(q for q in wave.questions if q.key == "public_spaces_used")
    spaces.options.insert(
        0, Option(value="sports", label="Sports grounds", position=0, kind=OptionKind.CHOICE)
    )
    for position, option in enumerate(spaces.options, start=1):
        option.position = position
    added = builder.add_question(
        after_dark.page, QuestionType.FREE_TEXT, "What would make you feel safer after dark?"
    )
    added.required = False
    db.session.commit()
    publish(wave, uk_today())
    for district_value, value, count in [
        ("rugby", "very_safe", 6),
        ("rugby", "fairly_safe", 14),
        ("north_warwickshire", None, 5),  # routed past the question: never asked it
    ]:
        for _ in range(count):
            answers: dict[str, Any] = {
                "district": chose(district_value),
                "public_spaces_used": chose("parks"),
            }
            if value:
                answers["safe_after_dark"] = chose(value)
            submit_response(wave.slug, answers)
    page = officer_client.get_page(url_for("officer.results", slug=wave.slug))
    block = text_of(page, "[id='waves-3.3c-safe_after_dark']")
    assert "Answered by 20 in wave 1 and 20 in wave 2." in block
    assert (
        "The wording changed between waves: Wave 1 asked: \u201cHow safe do you feel walking "
        "alone in your area after dark?\u201d Wave 2 asked: \u201cHow safe do you feel walking "
        "on your own near home after dark?\u201d"
    ) in block
    assert (
        "Wave 1: asked of everyone Wave 2: asked only when the answer to \u201cWhich district "
        "do you live in?\u201d is not \u201cNorth Warwickshire\u201d"
    ) in block
    assert "Very safe 60.0% (12 of 20)" in block and "30.0% (6 of 20)" in block
    assert page.soup.select_one("[id='waves-3.3c-vehicle_worry'] .app-routing-changed") is None
    said = text_of(page, "[id='outcome-3.3c'] .app-wave-headlines")
    assert (
        "How safe do you feel walking on your own near home after dark? : no answer changed by "
        "more than sampling error would explain. The wording changed between waves, which may "
        "account for some of the change."
    ) in said
    spaces_block = text_of(page, "[id='waves-3.3a-public_spaces_used']")
    assert "Answered by 20 in wave 1 and 25 in wave 2." in spaces_block
    assert (
        "Parks, green spaces or country parks 100.0% (20 of 20) 83.9% to 100.0% 100.0% (25 of 25)"
    ) in spaces_block
    assert "Town squares, markets or pedestrian streets 100.0% (20 of 20)" in spaces_block
    assert "Sports grounds Not asked or not offered 0.0% (0 of 25)" in spaces_block
    assert "The answers offered changed between waves" in spaces_block
    waves = text_of(page, "#waves")
    assert "New in wave 2, so not compared: What would make you feel safer after dark?" in waves
    assert "Dropped in wave 2 (asked in wave 1): In the last 12 months, has a car" in waves
    stored = db.session.scalar(
        sa.select(sa.func.count(Answer.id))
        .join(Response)
        .join(Question, Question.id == Answer.question_id)
        .where(Response.consultation_id == wave.id, Question.key == "safe_after_dark")
    )
    assert stored == 20  # the five routed past it were never asked it


def test_an_officer_runs_a_consultation_again_as_a_new_wave(app: Any, officer_client: Any) -> None:
    bullying = load("bullying-what-parents-think")
    open_school, closed_school = create_school("Abbots Farm Junior"), create_school("Closed Inf")
    create_channel(bullying, open_school)
    create_channel(bullying, closed_school)
    create_channel(bullying, kind=OutletKind.LIBRARY, name="Rugby Library")
    switched_off = create_channel(bullying, kind=OutletKind.LIBRARY, name="Kenilworth Library")
    switched_off.active = False
    closed_school.closed_at = datetime(2026, 11, 1)
    db.session.commit()
    builder_page = officer_client.get_page(url_for("officer.build", slug=bullying.slug))
    link = builder_page.soup.find("a", string="Run again as a new wave")
    assert link is not None and link["href"] == url_for("officer.new_wave", slug=bullying.slug)
    form_page = officer_client.get_page(link["href"])
    assert form_page.h1 == "Run again as a new wave"
    assert (
        "2 links for schools and outlets, with new addresses (1 link of closed schools left out)"
        in form_page.text
    )
    assert "Panel invitations are not copied" in form_page.text
    assert bullying.closes_on is not None
    assert f"It opens after this consultation closes on {uk_date(bullying.closes_on)}" in (
        form_page.text
    )
    token = form_page.csrf_token()
    opens, closes = bullying.closes_on + timedelta(days=1), bullying.closes_on + timedelta(days=31)

    def dates(opening: date, closing: date) -> dict[str, str]:
        return {
            **{f"opens_on-{part}": str(getattr(opening, part)) for part in DATE_PARTS},
            **{f"closes_on-{part}": str(getattr(closing, part)) for part in DATE_PARTS},
        }

    for opening, closing, problem in [
        (
            opens,
            opens - timedelta(days=1),
            "The closing date must be the same as or after the opening date",
        ),
        (
            bullying.closes_on,
            closes,
            f"Wave 2 must open after the consultation closes on {uk_date(bullying.closes_on)}",
        ),
    ]:
        refused = officer_client.post_page(
            link["href"], {"csrf_token": token, "title": " ", **dates(opening, closing)}
        )
        assert refused.status == 422
        assert refused.error_summary() == ["Enter a title for the new wave", problem]
    assert db.session.scalar(sa.select(sa.func.count(Consultation.id))) == 2
    response = officer_client.post(
        link["href"],
        data={
            "csrf_token": token,
            "title": "Bullying: what parents think, 2028",
            **dates(opens, closes),
        },
    )
    assert response.status_code == 303
    built = officer_client.get_page(response.headers["Location"])
    assert built.h1 == "Bullying: what parents think, 2028"
    assert (
        "This is wave 2, a new draft copied from wave 1, with 2 links for schools and outlets"
        in built.text
    )
    assert "Wave 2 of 2 in the series \u201cBullying: what parents think\u201d" in (
        text_of(built, "#consultation-wave")
    )
    wave = db.session.scalar(sa.select(Consultation).where(Consultation.wave_number == 2))
    assert wave is not None and (wave.opens_on, wave.closes_on) == (opens, closes)
    original = load(bullying.slug)
    assert original.wave_number == 1 and original.series_id == wave.series_id
    assert [q.key for q in wave.questions] == [q.key for q in original.questions]
    assert [o.value for q in wave.questions for o in q.options] == [
        o.value for q in original.questions for o in q.options
    ]
    assert [[o.code for o in q.outcomes] for q in wave.questions] == [
        [o.code for o in q.outcomes] for q in original.questions
    ]
    copied = channels_of(wave)
    assert sorted(c.name for c in copied) == ["Abbots Farm Junior", "Rugby Library"]
    assert not {c.code for c in copied} & {c.code for c in channels_of(original)}
    dashboard = officer_client.get_page(url_for("officer.dashboard"))
    assert text_of(dashboard, f"#consultation-{wave.slug} th a").startswith(
        "Bullying: what parents think, 2028, wave 2"
    )
    assert text_of(dashboard, f"#consultation-{bullying.slug} th a").startswith(
        "Bullying: what parents think, wave 1"
    )
    entry = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "ran again as a new wave")
    ).one()
    assert entry.subject == f"consultation:{bullying.slug}"
    assert entry.detail == f"wave 2: {wave.slug}"


def test_a_draft_cannot_be_run_again(app: Any, officer_client: Any) -> None:
    draft = copies.duplicate(load(LIVEABILITY))
    assert "Run again as a new wave" not in (
        officer_client.get_page(url_for("officer.build", slug=draft.slug)).text
    )
    page = officer_client.get_page(url_for("officer.new_wave", slug=draft.slug))
    assert "This consultation is a draft." in page.text
    assert page.soup.select_one("form[action$='new-wave']") is None
    posted = officer_client.post(
        url_for("officer.new_wave", slug=draft.slug),
        data={"csrf_token": page.csrf_token(), "title": "Again"},
    )
    assert posted.status_code == 303
    refused = officer_client.get_page(posted.headers["Location"])
    assert "A draft cannot be run again: publish it first" in refused.text
    assert db.session.scalar(sa.select(sa.func.count(Consultation.id))) == 3


@pytest.mark.parametrize("role", ["school", "signed out"])
def test_only_officers_run_a_consultation_again(app: Any, client: Any, role: str) -> None:
    if role == "school":
        sign_in(client, create_user(Role.SCHOOL))
    # A real CSRF token (the sign-out or start-page form's), so the role check is what refuses.
    token = client.get_page(
        url_for("school.dashboard")
        if role == "school"
        else url_for("public.start", slug=LIVEABILITY)
    ).csrf_token()
    url = url_for("officer.new_wave", slug=LIVEABILITY)
    got = client.get(url)
    posted = client.post(url, data={"csrf_token": token, "title": "Again"})
    expected = 403 if role == "school" else 302
    assert got.status_code == posted.status_code == expected
    if role == "signed out":
        assert "/staff/sign-in" in posted.headers["Location"]
    assert db.session.scalar(sa.select(sa.func.count(Consultation.id))) == 2
