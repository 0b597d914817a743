"""The strategy and both consultations, as loaded from the reviewed data files."""

from decimal import Decimal
from unittest import mock

import pytest
import sqlalchemy as sa

from portal.clock import uk_today, utcnow
from portal.consultations.models import Consultation, ConsultationStatus, QuestionType
from portal.consultations.seed import read_consultations, seed_consultations
from portal.consultations.service import forget_cached_consultations
from portal.extensions import db
from portal.strategy.models import (
    Indicator,
    IndicatorMeasure,
    IndicatorValue,
    KeyTask,
    Outcome,
    Priority,
)
from portal.strategy.seed import SeedDataError, read_strategy, seed_strategy
from tests import conftest
from tests.conftest import SeededRows, empty_database, reset_database, stamped_by_the_database
from tests.journeys import consultation


def values_of(code: str, measure: str = "") -> dict[str, tuple[Decimal | None, Decimal | None]]:
    indicator = db.session.scalars(sa.select(Indicator).where(Indicator.code == code)).one()
    series = next(m for m in indicator.measures if m.name == measure)
    return {v.period: (v.value, v.target) for v in series.values}


def test_all_seven_priorities_are_loaded(app):
    priorities = db.session.scalars(sa.select(Priority).order_by(Priority.position)).all()
    assert [p.title for p in priorities] == [
        "Prolific and Priority Offenders",
        "High Crime Areas",
        "Fear of Crime",
        "Young People as Victims and Offenders",
        "Liveability",
        "Alcohol Related Violence",
        "Drug Related Crime",
    ]
    only_named = [p for p in priorities if p.section is None]
    assert len(only_named) == 3
    assert all(not p.outcomes and "25th of October" in p.reported_in for p in only_named)
    detailed = [p for p in priorities if p.section]
    assert all(p.outcomes and p.key_tasks and p.indicators for p in detailed)


def test_every_item_carries_its_report_section(app):
    for model in (Outcome, KeyTask, Indicator):
        for item in db.session.scalars(sa.select(model)):
            assert item.section and item.section[0] in "2345", item


def test_young_people_outcomes_and_key_tasks(app):
    codes = db.session.scalars(sa.select(Outcome.code).order_by(Outcome.id)).all()
    assert codes[:5] == ["2.2.1", "2.2.2", "2.2.3", "2.2.4", "2.2.5"]
    anti_bullying = db.session.scalars(sa.select(KeyTask).where(KeyTask.code == "2.3.3")).one()
    assert anti_bullying.lead_responsibility == "Leslie-Anne Newton / Viv Sales"
    assert {o.code for o in anti_bullying.outcomes} == {"2.2.1", "2.2.3"}
    # The report does not say which outcomes the anti-bullying task serves: the portal's reading.
    assert all(link.inferred for link in anti_bullying.outcome_links)
    assert (
        db.session.scalar(sa.select(sa.func.count(KeyTask.id)).where(KeyTask.section.like("2.3.%")))
        == 8
    )


def test_numeric_measures_from_the_report(app):
    assert values_of("permanent-exclusions") == {"2002/3": (65, None), "2003/4": (90, None)}
    assert values_of("permanent-exclusions-rate")["2003/4"][0] == Decimal("0.12")
    assert values_of("yjs-young-people") == {"2001": (1028, None), "2004": (956, None)}
    assert values_of("yjs-offences") == {"2001": (2169, None), "2004": (1819, None)}
    assert values_of("yjs-reprimands-final-warnings")["2001"] == (None, None)  # "N/k"
    # "During the past year", as the report says, not a financial year it does not give.
    assert values_of("restorative-justice-offered") == {
        "During the past year (report of December 2005)": (95, None)
    }
    assert (
        values_of("alcohol-violence-incidents")["Three years leading up to the strategy"][0] == 200
    )
    assert values_of("funding-total") == {"2005-06": (2775765, None)}
    assert values_of("people-in-treatment", "Whole year") == {"2004/5": (1020, None)}
    assert values_of("people-in-treatment", "Year to date")["2005/6 Q2"] == (900, 1150)
    assert values_of("problem-users-in-treatment", "Year to date")["2005/6 Q1"] == (31, 46)
    assert values_of("retained-12-weeks-rate", "Year to date")["2005/6 Q2"] == (60, 64)
    assert values_of("wait-specialist-prescribing", "Longest wait") == {
        "2005/6 Q1": (12, 3),
        "2005/6 Q2": (21, 3),
    }
    assert values_of("wait-specialist-prescribing", "Average wait") == {
        "2005/6 Q1": (5, 3),
        "2005/6 Q2": (Decimal("5.6"), 3),
    }
    assert values_of("wait-specialist-prescribing", "Wait at 31 March 2005") == {
        "At 31.03.05": (3, 3)
    }
    assert values_of("wait-structured-day-care", "Longest wait")["2005/6 Q2"] == (None, 3)  # TBC
    assert values_of("drug-related-crime", "Offences in the month")["October 2005"] == (99, None)
    assert values_of("drug-related-incidents", "Incidents in the month")["October 2005"] == (
        130,
        None,
    )
    assert values_of("drug-driven-crime") == {"May 2005": (995, None), "October 2005": (1270, None)}


def test_what_the_report_does_not_state_is_marked_as_the_portals_reading(app):
    # A value worked out from the report's words, not printed in it.
    september = db.session.scalars(
        sa.select(IndicatorValue).where(IndicatorValue.period == "September 2005")
    ).one()
    assert september.inferred and "40 incidents" in september.note
    # "Target fulfilled" is not a count: the count stays empty, the target is the report's.
    assert values_of("test-purchase-premises") == {
        "Last year (report of December 2005)": (None, 10)
    }
    # Codes for the report's unnumbered bullets are the portal's labels.
    labelled = {
        item.code
        for model in (Outcome, KeyTask)
        for item in db.session.scalars(sa.select(model).where(model.code_is_portal_label))
    }
    assert labelled == {"3.3a", "3.3b", "3.3c", "5.1a", "5.1b", "5.1c", "5.1d"} | {
        f"3.4{letter}" for letter in "abcdefg"
    }
    # Restorative justice is reported under key task 2.3.7, whose outcome is 2.2.4.
    restorative = db.session.scalars(
        sa.select(Indicator).where(Indicator.code == "restorative-justice-offered")
    ).one()
    assert restorative.outcome.code == "2.2.4" and not restorative.outcome_inferred
    liveability = db.session.scalars(sa.select(Priority).where(Priority.position == 5)).one()
    assert '"all these aspects of a place' in liveability.objective


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["priorities"][4]["outcomes"][1].pop("portal_label"), "3.3a: mark"),
        (lambda d: d["priorities"][3]["outcomes"][0].update(portal_label=True), "2.2.1: mark"),
        (
            lambda d: d["priorities"][6]["indicators"][-2]["measures"][0]["values"][0].pop("note"),
            "an inferred value needs a note",
        ),
    ],
)
def test_seed_refuses_an_unmarked_reading(app, change, message):
    data = read_strategy()
    change(data)
    empty_database()
    with pytest.raises(SeedDataError, match=message):
        seed_strategy(data)
    db.session.rollback()


def test_the_reports_funding_total_is_kept_and_its_discrepancy_noted(app):
    # The report's table says £2,775,765 but its four lines add up to £2,755,765. The seed keeps
    # the figure as reported and says so, rather than silently correcting the committee's paper.
    lines = [
        "funding-partnership-support",
        "funding-pooled-treatment",
        "funding-dip",
        "funding-young-people",
    ]
    total = sum(values_of(code)["2005-06"][0] for code in lines)
    assert total == Decimal("2755765")
    assert values_of("funding-total")["2005-06"][0] == Decimal("2775765")
    note = db.session.scalars(
        sa.select(IndicatorValue.note)
        .join(IndicatorMeasure)
        .join(Indicator)
        .where(Indicator.code == "funding-total")
    ).one()
    assert "£2,755,765" in note


def test_every_value_has_unit_and_source(app):
    for value in db.session.scalars(sa.select(IndicatorValue)):
        assert value.unit and value.source, value


def test_seeding_twice_changes_nothing(app):
    before = db.session.scalar(sa.select(sa.func.count(IndicatorValue.id)))
    assert seed_strategy() is False
    assert seed_consultations(uk_today()) == []
    assert db.session.scalar(sa.select(sa.func.count(IndicatorValue.id))) == before
    assert db.session.scalar(sa.select(sa.func.count(Consultation.id))) == 2


def test_a_bad_outcome_reference_is_reported(app):
    data = read_strategy()
    data["priorities"][3]["key_tasks"][0]["outcomes"] = ["9.9.9"]
    empty_database()
    with pytest.raises(SeedDataError, match=r"2\.3\.1 refers to outcome '9\.9\.9'"):
        seed_strategy(data)
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(Priority.id))) == 0


@pytest.mark.parametrize("slug", ["bullying-what-parents-think", "warwickshire-panel-liveability"])
def test_consultations_have_ten_to_twenty_five_questions(app, slug):
    found = consultation(slug)
    assert found.status == ConsultationStatus.OPEN
    assert found.is_open_on(uk_today())  # the tests seed with PORTAL_SEED_OPEN_NOW's effect
    assert 10 <= len(found.questions) <= 25
    assert found.privacy_notice and found.what_happens and found.who_for
    types = {q.type for q in found.questions}
    assert types >= {
        QuestionType.SINGLE_CHOICE,
        QuestionType.MULTIPLE_CHOICE,
        QuestionType.AGREEMENT_SCALE,
        QuestionType.FREE_TEXT,
    }


def test_bullying_consultation_informs_outcomes_221_and_223(app):
    found = consultation("bullying-what-parents-think")
    linked = {o.code for q in found.questions for o in q.outcomes}
    assert linked == {"2.2.1", "2.2.2", "2.2.3"}
    assert [t.code for t in found.key_tasks] == ["2.3.3"]
    where = next(q for q in found.questions if q.key == "bullying_where")
    assert {o.label for o in where.options} >= {"At school", "On the way to or from school"}
    # Routing asks only parents whose child was bullied, so no "has not been bullied" option.
    assert where.other_label and not any(o.exclusive for o in where.options)
    assert [c.describe() for c in where.page.conditions] == [
        "the answer to \u201cIn the last 12 months, has your child been bullied?\u201d is "
        "\u201cYes\u201d"
    ]
    # The questions the strategy needs, each tied to the outcome it informs.
    informs = {q.key: [o.code for o in q.outcomes] for q in found.questions}
    assert informs["missed_school"] == ["2.2.2"]  # out of school: truancy (2.2.2)
    assert informs["bullying_stopped"] == ["2.2.3"]
    assert informs["other_help"] == ["2.2.3"]  # the multi-agency response
    assert informs["bullied_others"] == ["2.2.3"]  # victims and offenders
    assert informs["school_phase"] == []  # about the child, not an outcome


def test_liveability_survey_informs_liveability_outcomes_and_35_measures(app):
    found = consultation("warwickshire-panel-liveability")
    linked = {o for q in found.questions for o in q.outcomes}
    assert {o.code for o in linked} == {"3.3", "3.3a", "3.3b", "3.3c"}
    measures = {i.section for o in linked for i in o.indicators}
    assert measures == {"3.5"}
    # The questions inform the 3.5 measures themselves, not only the outcomes.
    informed = {i.code for q in found.questions for i in q.indicators}
    assert informed == {
        "street-environment-quality",
        "road-traffic-accidents",
        "domestic-burglary",
        "vehicle-crime",
        "antisocial-behaviour",
    }
    district = next(q for q in found.questions if q.key == "district")
    assert [o.label for o in district.options] == [
        "North Warwickshire",
        "Nuneaton and Bedworth",
        "Rugby",
        "Stratford-on-Avon",
        "Warwick",
    ]
    transport = next(q for q in found.questions if q.key == "transport_used")
    assert {"Flexibus", "Wheels to Work (moped or scooter loan)"} <= {
        o.label for o in transport.options
    }


def test_agreement_scales_carry_weights_for_net_agreement(app):
    scale = next(
        q
        for q in consultation("bullying-what-parents-think").questions
        if q.type == QuestionType.AGREEMENT_SCALE
    )
    assert [o.scale_weight for o in scale.options] == [2, 1, 0, -1, -2, None]


def test_question_keys_in_the_data_file_are_unique():
    for item in read_consultations():
        keys = [q["key"] for page in item["pages"] for q in page["questions"]]
        assert len(keys) == len(set(keys)), item["slug"]


def test_tests_start_from_the_rows_seeding_makes(app):
    """Between tests the seeded rows are put back rather than seeded again (for speed): what is
    put back must be what seeding an emptied database makes, ids and id sequences included, and
    with the times the database stamps (created_at and the like) stamped at the reset."""

    stamped = [
        (table, column)
        for table in db.metadata.sorted_tables
        for column in table.columns
        if stamped_by_the_database(column)
    ]
    assert {(t.name, c.name) for t, c in stamped} >= {
        ("consultation", "created_at"),
        ("indicator_value", "recorded_at"),
    }
    before = utcnow().replace(microsecond=0)
    with mock.patch.object(conftest, "seed_strategy", side_effect=AssertionError("seeded")):
        reset_database()  # seeded before this test began, so the rows are put back
    after = utcnow()
    put_back = SeededRows.read(uk_today())
    for table, column in stamped:
        times = db.session.scalars(sa.select(column).select_from(table)).all()
        assert all(before <= time <= after for time in times), (table.name, column.name)
        if table.name in ("consultation", "indicator_value"):
            assert times, table.name

    empty_database()
    forget_cached_consultations()
    seed_strategy()
    seed_consultations(uk_today(), open_now=True)
    seeded = SeededRows.read(uk_today())
    # Each table's rows in the order of its key (SeededRows.read orders them so).
    assert put_back.rows == seeded.rows
    assert {"priority", "consultation", "question", "option"} <= {t.name for t in seeded.rows}
    assert str(put_back.sequences) == str(seeded.sequences)
