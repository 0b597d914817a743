"""Weighting and intervals against hand-worked examples (docs/weighting.md works them)."""

from __future__ import annotations

import pytest

from portal.reporting.weighting import rake, weighted_share, wilson

# Six respondents: four in district A (two young, two old), two in B (one of each).
# The population is half A and half B, half young and half old.
COUNTS = {("a", "young"): 2, ("a", "old"): 2, ("b", "young"): 1, ("b", "old"): 1}
HALVES = {"a": 50, "b": 50}
AGES = {"young": 50, "old": 50}


def test_raking_gives_each_district_its_population_share():
    weights = rake(COUNTS, HALVES, AGES)
    # By hand: A is 4/6 of the sample but half the population, so 0.5 x 6 / 4 = 0.75;
    # B gets 0.5 x 6 / 2 = 1.5. Ages are already balanced, so nothing else moves.
    assert weights.by_cell[("a", "young")] == pytest.approx(0.75)
    assert weights.by_cell[("b", "old")] == pytest.approx(1.5)
    # Kish: 6^2 / (4 x 0.75^2 + 2 x 1.5^2) = 36 / 6.75.
    assert weights.effective == pytest.approx(36 / 6.75)
    assert weights.responses == 6 and weights.unweightable == []


def test_a_weighted_percentage_differs_from_the_unweighted_as_worked_by_hand():
    weights = rake(COUNTS, HALVES, AGES)
    # "Yes" from one of A's four and both of B's two: unweighted 3/6 = 50%.
    chosen = {("a", "young"): 1, ("b", "young"): 1, ("b", "old"): 1}
    share, effective = weighted_share(chosen, COUNTS, weights)
    # Weighted: (1 x 0.75 + 2 x 1.5) / 6 = 3.75 / 6 = 62.5%.
    assert share == pytest.approx(0.625)
    assert effective == pytest.approx(36 / 6.75)


def test_raking_matches_both_margins_when_they_pull_against_each_other():
    counts = {("a", "young"): 3, ("a", "old"): 1, ("b", "young"): 1, ("b", "old"): 3}
    weights = rake(counts, {"a": 30, "b": 70}, {"young": 60, "old": 40})
    total = sum(weights.by_cell[c] * n for c, n in counts.items())
    a = sum(weights.by_cell[c] * n for c, n in counts.items() if c[0] == "a")
    young = sum(weights.by_cell[c] * n for c, n in counts.items() if c[1] == "young")
    assert total == pytest.approx(8)  # weights average 1
    assert a / total == pytest.approx(0.30)
    assert young / total == pytest.approx(0.60)


def test_a_category_with_no_respondents_is_left_out_and_reported():
    weights = rake({("a", "young"): 2, ("a", "old"): 2}, {"a": 50, "b": 50}, AGES)
    assert weights.unweightable == ["b"]
    assert weights.by_cell[("a", "young")] == pytest.approx(1.0)


def test_wilson_interval_as_worked_by_hand():
    # p = 3/6, z = 1.96: centre 0.5, half-width 1.96 x sqrt(0.25/6 + 3.8415/144) / 1.6403.
    interval = wilson(3, 6)
    assert interval.low == pytest.approx(0.1876, abs=5e-4)
    assert interval.high == pytest.approx(0.8124, abs=5e-4)
    # Never outside 0..1, even at the edges.
    assert wilson(0, 10).low == 0.0 and wilson(10, 10).high == pytest.approx(1.0)
    assert wilson(0, 0).high == 0.0
