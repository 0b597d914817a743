"""docs/waves.md against the code: every figure the page works by hand, its tables and its
statements are the ones portal/reporting/change.py gives, so the page cannot drift from the
code. Pure functions: no app, no database.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from portal.reporting.change import (
    Change,
    Share,
    change_between,
    net_agreement,
    net_change,
    share,
)
from portal.reporting.weighting import Z_95
from portal.strategy.figures import MINUS, signed_points
from portal.suppression import suppress
from tests.test_change import AFTER_DARK, AGREEMENT, N, after_dark_change, at, nets, shares

DOC = Path(__file__).resolve().parent.parent / "docs" / "waves.md"


def doc_text() -> str:
    return DOC.read_text(encoding="utf-8")


def section(heading: str) -> str:
    """The text from a heading starting with `heading` to the next heading of any level."""
    text = doc_text()
    start = text.index(f"\n{heading}")
    end = text.find("\n#", start + len(heading) + 1)
    return text[start : end if end != -1 else len(text)]


def table(header: str) -> dict[str, list[str]]:
    """The first markdown table whose header row starts with `header`, by its first column."""
    lines = doc_text().splitlines()
    start = lines.index(next(line for line in lines if line.startswith(f"| {header} |")))
    rows = {}
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        rows[cells[0]] = cells[1:]
    return rows


def number(text: str) -> float:
    return float(text.replace(MINUS, "-"))


def interval_cell(text: str) -> tuple[float, float]:
    low, high = text.split(" to ")
    return number(low), number(high)


def constants() -> list[float]:
    z2 = Z_95**2
    return [Z_95, z2, z2 / N, 1 + z2 / N, z2 / (2 * N), z2 / (4 * N * N)]


def share_figures(found: Share) -> list[float]:
    p, low, high = found.proportion, found.interval.low, found.interval.high
    spread = p * (1 - p) / found.answered + Z_95**2 / (4 * found.answered**2)
    # The centre and half-width come from the code's own limits.
    centre, half = (low + high) / 2, (high - low) / 2
    return [
        p,
        1 - p,
        p * (1 - p) / found.answered,
        spread,
        math.sqrt(spread),
        centre,
        half,
        low,
        high,
    ]


def change_figures(label: str) -> list[float]:
    earlier, later = shares(label)
    change = after_dark_change(label)
    p1, p2 = earlier.proportion, later.proportion
    below = [p2 - later.interval.low, earlier.interval.high - p1]
    above = [later.interval.high - p2, p1 - earlier.interval.low]
    pooled = (earlier.chosen + later.chosen) / (2 * N)
    figures = share_figures(earlier) + share_figures(later) + below + above
    for pair in (below, above):
        squares = [gap**2 for gap in pair]
        figures += [*squares, sum(squares), math.sqrt(sum(squares))]
    figures += [change.difference, change.interval.low, change.interval.high]
    figures += [pooled, 1 - pooled, pooled * (1 - pooled), pooled * (1 - pooled) * 2 / N]
    return [*figures, change.difference / change.z, change.z, abs(change.z), change.p_value]


def net_figures() -> list[float]:
    added = Z_95**2 / 4  # pseudo-answers on each side, for each wave's interval
    adjusted_n = N + 2 * added
    figures: list[float] = [added, adjusted_n]
    for (agree, disagree), net in zip(AGREEMENT, nets(), strict=True):
        a, d = agree / N, disagree / N
        figures += [a, d, a + d, (a - d) ** 2, a + d - (a - d) ** 2, net.value, net.variance]
        # The adjusted shares, worked on the page; the interval's centre and half-width are the
        # code's own limits (neither is cut at -1 or +1 here).
        a2, d2 = (agree + added) / adjusted_n, (disagree + added) / adjusted_n
        centre, half = (
            (net.interval.low + net.interval.high) / 2,
            (net.interval.high - net.interval.low) / 2,
        )
        figures += [agree + added, disagree + added, a2, d2, a2 + d2, centre, centre**2]
        figures += [(half / Z_95) ** 2, half / Z_95, half, net.interval.low, net.interval.high]
    earlier, later = nets()
    change = net_change(earlier, later)
    (a1, d1), (a2, d2) = AGREEMENT
    agree, disagree = (a1 + a2) / (2 * N), (d1 + d2) / (2 * N)
    pooled = agree + disagree - (agree - disagree) ** 2
    figures += [change.difference, agree, disagree, agree + disagree, (agree - disagree) ** 2]
    figures += [pooled, (change.difference / change.z) ** 2, change.difference / change.z]
    spread = math.sqrt(earlier.variance + later.variance)
    figures += [earlier.variance + later.variance, spread, Z_95 * spread]
    return [*figures, change.interval.low, change.interval.high, change.z, change.p_value]


FOUR_OR_MORE_PLACES = re.compile(r"(?<![\d.])-?\d+\.\d{4,}(?![\d.])")
ONE_PLACE = re.compile(r"(?<![\d.])[+\-\u2212]?\d+\.\d(?![\d.])")


def unexplained(text: str, known: list[float]) -> list[str]:
    """Figures printed in `text` that no known figure rounds to: to 4 or more decimals as
    proportions, to 1 decimal as percentages or points."""
    wrong = [
        found
        for found in FOUR_OR_MORE_PLACES.findall(text)
        if not any(f"{value:.{len(found.split('.')[1])}f}" == found for value in known)
    ]
    wrong += [
        found
        for found in ONE_PLACE.findall(text)
        if not any(round(100 * value, 1) == number(found) for value in known)
    ]
    return wrong


@pytest.mark.parametrize(
    ("heading", "figures"),
    [
        ("## A worked example by hand", constants),
        ("### Fairly safe", lambda: constants() + change_figures("Fairly safe")),
        ("### Very safe", lambda: constants() + change_figures("Very safe")),
        ("### Net agreement", lambda: constants() + net_figures()),
    ],
    ids=["constants", "fairly-safe", "very-safe", "net-agreement"],
)
def test_every_figure_worked_on_the_page_is_one_the_code_gives(
    heading: str, figures: Callable[[], list[float]]
) -> None:
    text = section(heading)
    assert FOUR_OR_MORE_PLACES.search(text), "the section works no figures"
    assert unexplained(text, figures()) == []


@pytest.mark.parametrize(
    ("heading", "change"),
    [
        ("### Fairly safe", lambda: after_dark_change("Fairly safe")),
        ("### Very safe", lambda: after_dark_change("Very safe")),
        ("### Net agreement", lambda: net_change(*nets())),
    ],
    ids=["fairly-safe", "very-safe", "net-agreement"],
)
def test_each_worked_example_ends_with_the_codes_verdict_and_p_value(
    heading: str, change: Callable[[], Change]
) -> None:
    text = " ".join(section(heading).split())
    found = change()
    assert f'so "{found.verdict.words}"' in text
    assert f"(p = {found.p_value:.3f})" in text


def test_the_pages_table_of_the_example_is_the_codes() -> None:
    rows = table("Figure | Fairly safe | Very safe")
    for column, label in enumerate(["Fairly safe", "Very safe"]):
        earlier, later = shares(label)
        change = after_dark_change(label)
        cell = {name: values[column] for name, values in rows.items()}
        assert number(cell["Wave 1 proportion"]) == at(earlier.proportion)
        assert interval_cell(cell["Wave 1 interval"]) == (
            at(earlier.interval.low),
            at(earlier.interval.high),
        )
        assert number(cell["Wave 2 proportion"]) == at(later.proportion)
        assert interval_cell(cell["Wave 2 interval"]) == (
            at(later.interval.low),
            at(later.interval.high),
        )
        assert number(cell["Change"]) == at(change.difference)
        assert interval_cell(cell["Interval of the change"]) == (
            at(change.interval.low),
            at(change.interval.high),
        )
        assert number(cell["Pooled proportion"]) == at((earlier.chosen + later.chosen) / (2 * N))
        assert number(cell["Standard error"]) == at(change.difference / change.z)
        assert number(cell["z"]) == at(change.z)
        assert number(cell["p value"]) == at(change.p_value)
        assert cell["Verdict"] == change.verdict.words


def test_the_pages_net_agreement_table_is_the_codes() -> None:
    cell = {name: values[0] for name, values in table("Figure | Net agreement").items()}
    earlier, later = nets()
    change = net_change(earlier, later)
    for wave, net in (("Wave 1", earlier), ("Wave 2", later)):
        assert number(cell[f"{wave} net"]) == at(net.value)
        assert number(cell[f"{wave} variance"]) == at(net.variance, 7)
        assert interval_cell(cell[f"{wave} interval"]) == (
            at(net.interval.low),
            at(net.interval.high),
        )
    assert number(cell["Change"]) == at(change.difference)
    (a1, d1), (a2, d2) = AGREEMENT
    assert number(cell["Pooled share agreeing"]) == at((a1 + a2) / (2 * N))
    assert number(cell["Pooled share disagreeing"]) == at((d1 + d2) / (2 * N))
    # The test's standard error and variance are the ones the code divided by.
    tested = change.difference / change.z
    assert number(cell["Pooled variance of the change"]) == at(tested**2, 8)
    assert number(cell["Standard error of the test"]) == at(tested)
    assert number(cell["Standard error of the interval"]) == at(
        math.sqrt(earlier.variance + later.variance)
    )
    assert interval_cell(cell["Interval of the change"]) == (
        at(change.interval.low),
        at(change.interval.high),
    )
    assert (number(cell["z"]), number(cell["p value"])) == (at(change.z), at(change.p_value))
    assert cell["Verdict"] == change.verdict.words


def percentage(found: Share) -> str:
    low, high = found.interval.low, found.interval.high
    return f"{100 * found.proportion:.1f}% ({100 * low:.1f}% to {100 * high:.1f}%)"


def p_text(p_value: float) -> str:
    return "p < 0.001" if p_value < 0.001 else f"p = {p_value:.3f}"


def test_the_pages_table_of_every_answer_is_as_a_reader_sees_the_codes_figures() -> None:
    rows = table("Answer | Wave 1 | Wave 2 | Change")
    assert list(rows) == list(AFTER_DARK)
    for label, cells in rows.items():
        earlier, later = shares(label)
        change = after_dark_change(label)
        low, high = (
            signed_points(100 * change.interval.low),
            signed_points(100 * change.interval.high),
        )
        assert cells == [
            percentage(earlier),
            percentage(later),
            f"{signed_points(100 * change.difference)} points",
            f"{low} to {high} points",
            p_text(change.p_value),
            change.verdict.words,
        ]


def test_the_committee_report_shows_only_the_changes_whose_counts_are_both_shown() -> None:
    labels = list(AFTER_DARK)
    waves = [suppress([AFTER_DARK[label][wave] for label in labels], N)[0] for wave in (0, 1)]
    shown = [
        label
        for index, label in enumerate(labels)
        if not waves[0][index].hidden and not waves[1][index].hidden
    ]
    assert shown == ["Fairly safe", "Don't know"]
    text = " ".join(section("## What the committee report shows").split())
    both = 'shows the change for "Fairly safe" (10 and 22 people) and for "Don\'t know" (0 and 0)'
    assert both in text


def test_the_page_quotes_the_near_the_line_example_as_the_code_gives_it() -> None:
    change = change_between(share(1, N), share(6, N))
    assert change is not None
    low, high = signed_points(100 * change.interval.low), signed_points(100 * change.interval.high)
    text = " ".join(section("## How the change is judged").split())
    assert (
        f"1 of 40 in one wave and 6 of 40 in the next gives {p_text(change.p_value)}, but an "
        f"interval of the change from {low} to {high} points"
    ) in text


def test_the_page_quotes_the_net_agreement_counter_example_as_the_code_gives_it() -> None:
    # Nobody agreeing, 8 then 16 of 40 disagreeing: the "Disagree" answer within sampling
    # error, net agreement with the same p value but on the edge.
    answer = change_between(share(8, N), share(16, N))
    earlier, later = net_agreement(0, 8, N), net_agreement(0, 16, N)
    assert answer is not None and earlier is not None and later is not None
    net = net_change(earlier, later)

    def interval(change: Change) -> str:
        low, high = change.interval.low, change.interval.high
        return f"from {signed_points(100 * low)} to {signed_points(100 * high)} points"

    text = " ".join(section("## How the change is judged").split())
    assert (
        f'the "Disagree" answer rises {100 * answer.difference:.1f} points, '
        f"{p_text(answer.p_value)}, with an interval {interval(answer)}: "
        f'"{answer.verdict.in_a_sentence}"'
    ) in text
    assert (
        f"Net agreement falls {-100 * net.difference:.1f} points with the same "
        f"{p_text(net.p_value)}, but its interval, {interval(net)}, stops short of 0: "
        f'"{net.verdict.in_a_sentence}", reported as not shown'
    ) in text


def test_the_page_quotes_everyone_agreeing_as_the_code_gives_it() -> None:
    everyone = net_agreement(10, 0, 10)
    assert everyone is not None
    low, high = everyone.interval.low, everyone.interval.high
    text = " ".join(section("## How the change is judged").split())
    assert "10 of 10 agreeing would show +100.0 (+100.0 to +100.0)" in text
    assert (
        f"10 of 10 agreeing gives {signed_points(100 * low)} to {signed_points(100 * high)}"
    ) in text
