"""The committee report's change between waves: each wave's percentage with its 95% interval,
the change in points with its interval and what sampling error says of it, under the outcome
the question informs; small numbers hidden as committee papers are public."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from flask import url_for

from portal.clock import uk_today
from portal.consultations import builder, copies
from portal.consultations.models import ConditionOperator, Consultation
from portal.extensions import db
from portal.schools.service import copy_links
from tests.factories import chose, closed_yesterday, submit_response
from tests.journeys import consultation as load

LIVEABILITY = "warwickshire-panel-liveability"
SERIES = "Warwickshire Panel: liveability survey"
AFTER_DARK = "How safe do you feel walking alone in your area after dark?"
REWORDED = "How safe do you feel walking on your own in your area after dark?"
BURGLARY_WORRY = "How worried are you about having your home broken into and something stolen?"
ROADS = "It is safe to walk and cross the roads near where I live."

# The hand-worked example of docs/waves.md (tests/test_waves.py), 40 answers in each wave.
HAND_WORKED = {
    1: {"very_safe": 8, "fairly_safe": 10, "a_bit_unsafe": 12, "very_unsafe": 6, "never_alone": 4},
    2: {"very_safe": 6, "fairly_safe": 22, "a_bit_unsafe": 8, "very_unsafe": 2, "never_alone": 2},
}
# Larger counts: 39 and 49 answers. Wave 1's 3 "Very unsafe" is hidden, and so (the secondary
# rule) is its smallest other count, 10 "Very safe", which the total would otherwise give away.
LARGER = {
    1: {"very_safe": 10, "fairly_safe": 12, "a_bit_unsafe": 14, "very_unsafe": 3},
    2: {"very_safe": 11, "fairly_safe": 28, "a_bit_unsafe": 10},
}
# "I feel comfortable using my nearest town centre in the evening": agree and disagree only.
TOWN_CENTRE = {1: {"agree": 20, "disagree": 19}, 2: {"agree": 38, "disagree": 11}}


def next_wave(first: Consultation, edit: Callable[[Consultation], None] | None = None) -> str:
    closed_yesterday(first)
    wave = copies.new_wave(
        first, first.title, uk_today(), uk_today() + timedelta(days=30), uk_today()
    )
    copy_links(first, wave)
    db.session.commit()
    if edit is not None:
        edit(wave)  # while a draft, as an officer would
    builder.publish(wave, uk_today())
    return wave.slug


def answer(
    slug: str,
    after_dark: dict[str, int],
    town_centre: dict[str, int] | None = None,
    in_north: int | None = None,
) -> None:
    """Submit the counts given; the first `in_north` respondents (all, if None) live in North
    Warwickshire, the rest in Rugby."""
    safe = [value for value, count in after_dark.items() for _ in range(count)]
    comfort = [value for value, count in (town_centre or {}).items() for _ in range(count)]
    for index, value in enumerate(safe):
        answers = {"safe_after_dark": chose(value)}
        if comfort:
            answers["town_centre_evening"] = chose(comfort[index])
        if in_north is not None and index >= in_north:
            answers["district"] = chose("rugby")
        submit_response(slug, answers)


def change_rows(page: Any, outcome_code: str, question_text: str) -> dict[str, list[str]]:
    """The change table of one question under one outcome: each row's cells by its answer."""
    outcome = page.soup.select_one(f"#report-outcome-{outcome_code.replace('.', chr(92) + '.')}")
    table = next(
        t
        for t in outcome.find_parent("section").select("table.app-report__change")
        if t.caption.get_text(strip=True) == f"Change between waves: {question_text}"
    )
    return {
        tr.select_one("th").get_text(" ", strip=True): [
            td.get_text(" ", strip=True) for td in tr.select("td")
        ]
        for tr in table.select("tbody tr")
    }


def outcome_text(page: Any, outcome_code: str) -> str:
    outcome = page.soup.select_one(f"#report-outcome-{outcome_code.replace('.', chr(92) + '.')}")
    return " ".join(outcome.find_parent("section").get_text(" ", strip=True).split())


def test_hand_worked_example_shows_only_what_no_small_number_gives_away(app, officer_client):
    first = load(LIVEABILITY)
    answer(first.slug, HAND_WORKED[1])
    second = next_wave(first)
    report = url_for("officer.committee_report")

    # One wave with responses: the report reads as it did before the survey had waves.
    page = officer_client.get_page(report)
    assert "Change between waves" not in page.text
    assert f"{SERIES}: 40 responses" in page.text
    assert "Wave 1 of" not in page.text

    answer(second, HAND_WORKED[2])
    page = officer_client.get_page(report)
    rows = change_rows(page, "3.3c", AFTER_DARK)
    # 10 and 22 of 40: both shown, and the change beyond sampling error (z = 2.74).
    assert rows["Fairly safe"] == [
        "25.0% (14.2% to 40.2%)",
        "55.0% (39.8% to 69.3%)",
        "+30.0 points (+8.5 to +47.9)",
        "Larger than sampling error would explain",
    ]
    # 8 and 6: neither wave's figure is shown, so neither is the change.
    assert rows["Very safe"] == ["not shown", "not shown", "not shown: fewer than 10 people"]
    # 12, then 8: wave 1's is shown, wave 2's is not, and the change would give it away.
    assert rows["A bit unsafe"] == [
        "30.0% (18.1% to 45.4%)",
        "not shown",
        "not shown: fewer than 10 people",
    ]
    assert (
        rows["Very unsafe"][2]
        == rows["I never walk alone after dark"][2]
        == ("not shown: fewer than 10 people")
    )
    # Nobody in either wave: 0 identifies nobody, so it is shown.
    assert rows["Don't know"] == [
        "0.0% (0.0% to 8.8%)",
        "0.0% (0.0% to 8.8%)",
        "0.0 points (−8.8 to +8.8)",
        "Within sampling error: could be chance",
    ]
    assert "Within sampling error" not in " ".join(rows["Very safe"])
    text = outcome_text(page, "3.3c")
    uk = "{0.day} {0:%B %Y}".format
    wave_two = load(second)
    assert f"Wave 2 ({uk(wave_two.opens_on)} to {uk(wave_two.closes_on)}): 40 answered" in text
    # The indicators' trend first, then the residents' change, then each wave's own results.
    assert text.index("Indicators") < text.index("Change between waves")
    assert text.index("Change between waves") < text.index("Consultation evidence")
    assert f"Wave 2 of {SERIES}: “{AFTER_DARK}”" in text
    assert f"Wave 1 of {SERIES}: 40 responses" in page.text
    assert f"Wave 2 of {SERIES}: 40 responses" in page.text
    # Said once, though every wave's copy of the question informs the outcome.
    assert text.count(f"{SERIES}: “{AFTER_DARK}” Wave 1") == 1
    # An indicator lists the question once, from the latest wave, not once per wave.
    burglary = f"{SERIES}, wave 2: {BURGLARY_WORRY}"
    links = [a for a in page.soup.select(".app-indicator a") if a.get_text(strip=True) == burglary]
    assert len(links) == 1
    assert links[0]["href"].startswith(url_for("officer.results", slug=second))


def test_larger_counts_reworded_rerouted_and_dropped_questions(app, officer_client):
    def reword_reroute_and_drop(wave: Consultation) -> None:
        by_key = {q.key: q for q in wave.questions}
        by_key["safe_after_dark"].text = REWORDED
        db.session.commit()
        builder.delete_question(by_key["pedestrian_safety"], answered=False)
        # Street lighting asked only of those in North Warwickshire: 5 of wave 2's 49.
        north = next(o for o in by_key["district"].options if o.value == "north_warwickshire")
        builder.add_condition(by_key["street_lighting"], ConditionOperator.EQUALS, north)

    first = load(LIVEABILITY)
    answer(first.slug, LARGER[1], TOWN_CENTRE[1])
    second = next_wave(first, reword_reroute_and_drop)
    answer(second, LARGER[2], TOWN_CENTRE[2], in_north=5)
    page = officer_client.get_page(url_for("officer.committee_report"))

    rows = change_rows(page, "3.3c", REWORDED)
    assert rows["Fairly safe"] == [
        "30.8% (18.6% to 46.4%)",
        "57.1% (43.3% to 70.0%)",
        "+26.4 points (+5.5 to +44.1)",
        "Larger than sampling error would explain",
    ]
    assert rows["A bit unsafe"] == [
        "35.9% (22.7% to 51.6%)",
        "20.4% (11.5% to 33.6%)",
        "−15.5 points (−33.5 to +3.2)",
        "Within sampling error: could be chance",
    ]
    # Wave 1's 10 "Very safe" hidden by the secondary rule; 11 in wave 2 shown.
    assert rows["Very safe"] == [
        "not shown",
        "22.4% (13.0% to 35.9%)",
        "not shown: it would give away a number under 10",
    ]
    assert rows["Very unsafe"] == [
        "not shown",
        "0.0% (0.0% to 7.3%)",
        "not shown: fewer than 10 people",
    ]
    text = outcome_text(page, "3.3c")
    assert (
        "The question's wording changed between waves: "
        f"Wave 1 asked: “{AFTER_DARK}” Wave 2 asks: “{REWORDED}”"
    ) in text

    assert (
        "Who was asked the question changed between waves, so the percentages are of different "
        "groups of people: Wave 1 asked it of everyone Wave 2 asks it only when"
    ) in text
    lighting = text.split("“How good is the street lighting near where you live?”", 1)[1]
    assert "North Warwickshire" in lighting.split("Wave 2 asks it only when", 1)[1][:100]
    assert "): fewer than 10 answered" in lighting.split("Who was asked")[0]
    assert (
        lighting.split("Warwickshire Panel: liveability survey:")[0]
        .strip()
        .endswith("Fewer than 10 people answered it in wave 2, so no comparison is shown.")
    )

    net = change_rows(
        page, "3.3c", "I feel comfortable using my nearest town centre in the evening."
    )
    assert net["Net agreement (agree less disagree)"] == [
        "+2.6 points (−28.2 to +33.1)",
        "+55.1 points (+29.7 to +76.3)",
        "+52.5 points (+13.4 to +91.7)",
        "Larger than sampling error would explain",
    ]

    # The question wave 2 dropped: listed with the consultations, and said under its outcome.
    assert f"Questions not asked in every wave of {SERIES}, so not compared:" in page.text
    assert f"Not asked in wave 2: “{ROADS}”" in page.text
    assert (
        f"{SERIES}: “{ROADS}” was asked in wave 1 only, so there is no change to show."
        in outcome_text(page, "3.3b")
    )
