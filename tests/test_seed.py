"""The strategy and both consultations, as loaded from the reviewed data files."""

from decimal import Decimal

import pytest
import sqlalchemy as sa

from portal.consultations.models import Consultation, ConsultationStatus, QuestionType
from portal.consultations.seed import read_consultations, seed_consultations
from portal.extensions import db
from portal.responses.service import uk_today
from portal.strategy.models import Indicator, IndicatorValue, KeyTask, Outcome, Priority
from portal.strategy.seed import SeedDataError, read_strategy, seed_strategy
from tests.conftest import empty_database
from tests.journeys import consultation


def values_of(code: str) -> dict[str, tuple[Decimal | None, Decimal | None]]:
    indicator = db.session.scalars(sa.select(Indicator).where(Indicator.code == code)).one()
    return {v.period: (v.value, v.target) for v in indicator.values}


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
    assert all(not p.outcomes and "25 October 2005" in p.reported_in for p in only_named)
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
    assert (
        db.session.scalar(sa.select(sa.func.count(KeyTask.id)).where(KeyTask.section.like("2.3.%")))
        == 8
    )


def test_numeric_measures_from_the_report(app):
    assert values_of("permanent-exclusions") == {"2002/03": (65, None), "2003/04": (90, None)}
    assert values_of("permanent-exclusions-rate")["2003/04"][0] == Decimal("0.12")
    assert values_of("yjs-young-people") == {"2001": (1028, None), "2004": (956, None)}
    assert values_of("yjs-offences") == {"2001": (2169, None), "2004": (1819, None)}
    assert values_of("yjs-reprimands-final-warnings")["2001"] == (None, None)  # "N/k"
    assert values_of("restorative-justice-offered") == {"2004/05": (95, None)}
    assert values_of("alcohol-violence-incidents")["Three years to the strategy"][0] == 200
    assert values_of("funding-total") == {"2005/06": (2775765, None)}
    treatment = values_of("people-in-treatment")
    assert treatment["2004/05"] == (1020, None)
    assert treatment["2005/06 Q2 (year to date)"] == (900, 1150)
    assert values_of("problem-users-in-treatment")["2005/06 Q1 (year to date)"] == (31, 46)
    assert values_of("retained-12-weeks-rate")["2005/06 Q2 (year to date)"] == (60, 64)
    prescribing = values_of("wait-specialist-prescribing")
    assert prescribing["2005/06 Q2 longest"] == (21, 3)
    assert prescribing["2005/06 Q2 average"] == (Decimal("5.6"), 3)
    assert values_of("wait-structured-day-care")["2005/06 Q2 longest"] == (None, 3)  # "TBC"
    assert values_of("drug-related-crime")["October 2005"] == (99, None)
    assert values_of("drug-related-incidents")["October 2005"] == (130, None)
    assert values_of("drug-driven-crime") == {"May 2005": (995, None), "October 2005": (1270, None)}


def test_the_reports_funding_total_is_kept_and_its_discrepancy_noted(app):
    # The report's table says £2,775,765 but its four lines add up to £2,755,765. The seed keeps
    # the figure as reported and says so, rather than silently correcting the committee's paper.
    lines = [
        "funding-partnership-support",
        "funding-pooled-treatment",
        "funding-dip",
        "funding-young-people",
    ]
    total = sum(values_of(code)["2005/06"][0] for code in lines)
    assert total == Decimal("2755765")
    assert values_of("funding-total")["2005/06"][0] == Decimal("2775765")
    note = db.session.scalars(
        sa.select(IndicatorValue.note).join(Indicator).where(Indicator.code == "funding-total")
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
def test_consultations_have_ten_to_twenty_questions(app, slug):
    found = consultation(slug)
    assert found.status == ConsultationStatus.OPEN
    assert found.is_open_on(uk_today())
    assert 10 <= len(found.questions) <= 20
    assert found.privacy_notice and found.what_happens and found.who_for
    types = {q.type for q in found.questions}
    assert types == {
        QuestionType.SINGLE_CHOICE,
        QuestionType.MULTIPLE_CHOICE,
        QuestionType.AGREEMENT_SCALE,
        QuestionType.FREE_TEXT,
    }


def test_bullying_consultation_informs_outcomes_221_and_223(app):
    found = consultation("bullying-what-parents-think")
    linked = {o.code for q in found.questions for o in q.outcomes}
    assert linked == {"2.2.1", "2.2.3"}
    assert [t.code for t in found.key_tasks] == ["2.3.3"]
    where = next(q for q in found.questions if q.key == "bullying_where")
    assert {o.label for o in where.options} >= {"At school", "On the way to or from school"}
    assert where.other_label and any(o.exclusive for o in where.options)


def test_liveability_survey_informs_liveability_outcomes_and_35_measures(app):
    found = consultation("warwickshire-panel-liveability")
    linked = {o for q in found.questions for o in q.outcomes}
    assert {o.code for o in linked} == {"3.3", "3.3a", "3.3b", "3.3c"}
    measures = {i.section for o in linked for i in o.indicators}
    assert measures == {"3.5"}
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
