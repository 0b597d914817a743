"""Survey waves: a consultation run again, and what changed between its waves."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from portal.consultations import copies
from portal.consultations.builder import publish
from portal.consultations.models import Consultation
from portal.extensions import db
from portal.reporting.change import Verdict
from portal.reporting.waves import compare_waves
from portal.responses.service import uk_today
from portal.schools.service import copy_links
from tests.factories import chose, submit_response
from tests.journeys import consultation as load

LIVEABILITY = "warwickshire-panel-liveability"

# The hand-worked example of docs/waves.md: "How safe do you feel walking alone in your area
# after dark?", 40 answers in each wave.
AFTER_DARK = {
    1: {"very_safe": 8, "fairly_safe": 10, "a_bit_unsafe": 12, "very_unsafe": 6, "never_alone": 4},
    2: {"very_safe": 6, "fairly_safe": 22, "a_bit_unsafe": 8, "very_unsafe": 2, "never_alone": 2},
}


def second_wave(first: Consultation) -> Consultation:
    wave = copies.new_wave(first, first.title, uk_today(), uk_today() + timedelta(days=30))
    copy_links(first, wave)
    db.session.commit()
    publish(wave, uk_today())
    return wave


def answer_after_dark(slug: str, counts: dict[str, int]) -> None:
    for value, count in counts.items():
        for _ in range(count):
            submit_response(slug, {"safe_after_dark": chose(value)})


def test_the_hand_worked_example_through_real_submissions(app: Any) -> None:
    first = load(LIVEABILITY)
    answer_after_dark(first.slug, AFTER_DARK[1])
    wave = second_wave(first)
    answer_after_dark(wave.slug, AFTER_DARK[2])
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
