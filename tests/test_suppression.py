"""Small-number suppression, primary and secondary."""

from __future__ import annotations

import pytest

from portal.suppression import Figure, rate_per_100, suppress, suppress_count


@pytest.mark.parametrize(
    ("count", "text"),
    [(0, "0"), (1, "fewer than 10"), (9, "fewer than 10"), (10, "10"), (1234, "1,234")],
)
def test_counts_from_one_to_nine_are_hidden(count, text):
    assert suppress_count(count).text == text


def test_without_a_total_only_small_cells_are_hidden():
    figures, total = suppress([12, 3, 40])
    assert [f.text for f in figures] == ["12", "fewer than 10", "40"]
    assert total is None


def test_a_single_hidden_cell_beside_a_total_hides_the_next_smallest_too():
    # 55 - 12 - 40 would give away the 3.
    figures, total = suppress([12, 3, 40], total=55)
    assert [f.text for f in figures] == ["not shown", "fewer than 10", "40"]
    assert total is not None and total.text == "55"
    assert [f.shown_value for f in figures] == [None, None, 40]


def test_two_hidden_cells_need_no_more():
    figures, _ = suppress([12, 3, 4, 40], total=59)
    assert [f.text for f in figures] == ["12", "fewer than 10", "fewer than 10", "40"]


def test_zeros_are_passed_over_for_the_secondary_cell():
    figures, _ = suppress([0, 3, 25], total=28)
    assert [f.text for f in figures] == ["0", "fewer than 10", "not shown"]


def test_a_small_total_is_hidden_and_so_needs_no_secondary_cell():
    figures, total = suppress([3, 0], total=3)
    assert total is not None and total.text == "fewer than 10"
    assert [f.text for f in figures] == ["fewer than 10", "0"]


def test_nothing_hidden_means_nothing_more_hidden():
    figures, _ = suppress([10, 0, 30], total=40)
    assert [f.text for f in figures] == ["10", "0", "30"]


def test_a_rate_is_shown_only_with_its_count():
    assert rate_per_100(Figure(25), 500) == "5.0"
    assert rate_per_100(suppress_count(4), 500) == "not shown"
