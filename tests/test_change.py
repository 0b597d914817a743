"""The change between two waves (portal/reporting/change.py) against the hand-worked example of
docs/waves.md, and that page against the code, so neither can drift from the other.

The expected figures below were worked independently of the portal (Wilson limits as the roots
of their quadratic, the normal tail by numerical integration); the page prints the same ones.
Pure functions: no app, no database.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.reporting.change import (
    Change,
    Net,
    Share,
    Verdict,
    change_between,
    net_agreement,
    net_change,
    share,
    two_sided_p,
)
from portal.reporting.suppression import suppress
from portal.reporting.weighting import Z_95
from portal.strategy.figures import MINUS, signed_points

DOC = Path(__file__).resolve().parent.parent / "docs" / "waves.md"
N = 40
# "How safe do you feel walking alone in your area after dark?", 40 answers in each wave.
AFTER_DARK = {
    "Very safe": (8, 6),
    "Fairly safe": (10, 22),
    "A bit unsafe": (12, 8),
    "Very unsafe": (6, 2),
    "I never walk alone after dark": (4, 2),
    "Don't know": (0, 0),
}
# An agreement scale: (agree, disagree) of 40 in each wave.
AGREEMENT = ((14, 16), (24, 8))


def shares(label: str) -> tuple[Share, Share]:
    earlier, later = AFTER_DARK[label]
    return share(earlier, N), share(later, N)


def after_dark_change(label: str) -> Change:
    change = change_between(*shares(label))
    assert change is not None
    return change


def nets() -> tuple[Net, Net]:
    (a1, d1), (a2, d2) = AGREEMENT
    earlier, later = net_agreement(a1, d1, N), net_agreement(a2, d2, N)
    assert earlier is not None and later is not None
    return earlier, later


def at(value: float, places: int = 4) -> float:
    return round(value, places)


# The example, figure by figure, to the 4 decimal places the page prints.


@pytest.mark.parametrize(
    ("label", "wave_1", "wave_2"),
    [
        ("Fairly safe", (0.2500, 0.1419, 0.4019), (0.5500, 0.3983, 0.6929)),
        ("Very safe", (0.2000, 0.1050, 0.3476), (0.1500, 0.0706, 0.2907)),
    ],
    ids=["fairly-safe", "very-safe"],
)
def test_each_waves_wilson_interval(label: str, wave_1: tuple, wave_2: tuple) -> None:
    for found, (proportion, low, high) in zip(shares(label), (wave_1, wave_2), strict=True):
        assert at(found.proportion) == proportion
        assert (at(found.interval.low), at(found.interval.high)) == (low, high)


@pytest.mark.parametrize(
    ("label", "difference", "interval", "pooled", "se", "z", "p", "verdict"),
    [
        ("Fairly safe", 0.3000, (0.0853, 0.4792), 0.4000, 0.1095, 2.7386, 0.0062, Verdict.BEYOND),
        ("Very safe", -0.0500, (-0.2176, 0.1198), 0.1750, 0.0850, -0.5885, 0.5562, Verdict.WITHIN),
    ],
    ids=["fairly-safe", "very-safe"],
)
def test_the_change_its_newcombe_interval_and_test(
    label: str,
    difference: float,
    interval: tuple[float, float],
    pooled: float,
    se: float,
    z: float,
    p: float,
    verdict: Verdict,
) -> None:
    change = after_dark_change(label)
    earlier, later = AFTER_DARK[label]
    assert at(change.difference) == difference
    assert (at(change.interval.low), at(change.interval.high)) == interval
    assert at((earlier + later) / (2 * N)) == pooled
    assert at(change.difference / change.z) == se  # the standard error the code divided by
    assert at(change.z) == z
    assert at(change.p_value) == p
    assert change.verdict == verdict


def test_net_agreement_per_wave_and_its_change() -> None:
    earlier, later = nets()
    assert (at(earlier.value), earlier.variance) == (-0.0500, pytest.approx(0.0186875))
    assert (at(earlier.interval.low), at(earlier.interval.high)) == (-0.3179, 0.2179)
    assert (at(later.value), later.variance) == (0.4000, pytest.approx(0.0160000))
    assert (at(later.interval.low), at(later.interval.high)) == (0.1521, 0.6479)
    change = net_change(earlier, later)
    assert at(change.difference) == 0.4500
    assert at(math.sqrt(earlier.variance + later.variance)) == 0.1862
    assert (at(change.interval.low), at(change.interval.high)) == (0.0850, 0.8150)
    assert (at(change.z), at(change.p_value)) == (2.4162, 0.0157)
    assert change.verdict == Verdict.BEYOND


@pytest.mark.parametrize(
    ("earlier", "later", "p", "interval"),
    [
        # docs/waves.md: 1 of 40, then 6 of 40: p = 0.048, but the interval runs from -0.6.
        ((1, 40), (6, 40), 0.048, (-0.6, 26.7)),
        # The other way: p = 0.051, but the interval stops short of 0.
        ((6, 19), (12, 19), 0.051, (0.1, 55.6)),
    ],
    ids=["significant-but-interval-includes-0", "not-significant-but-interval-excludes-0"],
)
def test_the_interval_and_the_test_can_disagree_near_the_line(
    earlier: tuple[int, int], later: tuple[int, int], p: float, interval: tuple[float, float]
) -> None:
    change = change_between(share(*earlier), share(*later))
    assert change is not None
    assert round(change.p_value, 3) == p
    assert (round(100 * change.interval.low, 1), round(100 * change.interval.high, 1)) == interval
    assert change.verdict == Verdict.EDGE
    assert change.verdict.words == "On the edge of sampling error: treat as not shown"


def test_the_page_quotes_the_near_the_line_example_as_the_code_gives_it() -> None:
    change = change_between(share(1, N), share(6, N))
    assert change is not None
    low, high = signed_points(100 * change.interval.low), signed_points(100 * change.interval.high)
    text = " ".join(section("## How the change is judged").split())
    assert (
        f"1 of 40 in one wave and 6 of 40 in the next gives {p_text(change.p_value)}, but an "
        f"interval of the change from {low} to {high} points"
    ) in text


def test_net_agreement_with_no_spread_in_either_wave_is_never_called_a_change_or_chance() -> None:
    # Everyone agreed, then everyone neither agreed nor disagreed: the Wald variance is 0 in
    # both waves, so the test has nothing to go on (docs/waves.md says to treat it as not shown).
    earlier, later = net_agreement(12, 0, 12), net_agreement(0, 0, 10)
    assert earlier is not None and later is not None
    change = net_change(earlier, later)
    assert change.difference == -1.0
    assert change.verdict == Verdict.EDGE


def test_the_95_percent_point_gives_a_p_value_of_5_percent() -> None:
    assert two_sided_p(Z_95) == pytest.approx(0.05, abs=1e-12)
    assert two_sided_p(-Z_95) == two_sided_p(Z_95)


# Edge cases.


def test_a_wave_with_nobody_answering_is_not_compared() -> None:
    assert change_between(share(0, 0), share(5, N)) is None
    assert change_between(share(5, N), share(0, 0)) is None
    assert net_agreement(0, 0, 0) is None


@pytest.mark.parametrize("chosen", [0, N], ids=["nobody-chose-it", "everyone-chose-it"])
def test_no_variation_in_either_wave_is_no_change(chosen: int) -> None:
    change = change_between(share(chosen, N), share(chosen, N))
    assert change is not None
    assert (change.difference, change.z, change.p_value) == (0.0, 0.0, 1.0)
    assert change.interval.low < 0 < change.interval.high
    assert change.verdict == Verdict.WITHIN


def test_everyone_agreeing_in_both_waves_is_no_change() -> None:
    everyone = net_agreement(N, 0, N)
    assert everyone is not None and everyone.variance == 0.0
    change = net_change(everyone, everyone)
    assert (change.difference, change.p_value, change.verdict) == (0.0, 1.0, Verdict.WITHIN)


def test_none_and_all_of_n_have_wilson_limits_of_their_own() -> None:
    z2 = Z_95**2
    nobody, everyone = share(0, N), share(N, N)
    # At x = 0 the Wilson interval is 0 to z^2 / (n + z^2); at x = n, n / (n + z^2) to 1.
    assert nobody.interval.low == 0.0
    assert nobody.interval.high == pytest.approx(z2 / (N + z2))
    assert everyone.interval.low == pytest.approx(N / (N + z2))
    assert everyone.interval.high == pytest.approx(1.0)
    change = change_between(nobody, everyone)
    assert change is not None and change.difference == 1.0
    assert 0 < change.interval.low < change.interval.high <= 1.0
    assert change.verdict == Verdict.BEYOND


counts = st.integers(min_value=1, max_value=400).flatmap(
    lambda n: st.tuples(st.integers(min_value=0, max_value=n), st.just(n))
)
weighted = st.floats(min_value=0.5, max_value=400).flatmap(
    lambda n: st.tuples(st.floats(min_value=0, max_value=n), st.just(n))
)


@given(st.one_of(st.tuples(counts, counts), st.tuples(weighted, weighted)))
def test_the_change_lies_in_its_interval_and_is_never_beyond_when_p_is_5_percent_or_more(
    waves: tuple[tuple[float, float], tuple[float, float]],
) -> None:
    (x1, n1), (x2, n2) = waves
    change = change_between(share(x1, n1), share(x2, n2))
    assert change is not None
    slack = 1e-12
    assert change.interval.low - slack <= change.difference <= change.interval.high + slack
    assert -1 - slack <= change.interval.low and change.interval.high <= 1 + slack
    assert 0.0 <= change.p_value <= 1.0
    if change.p_value >= 0.05:
        assert change.verdict != Verdict.BEYOND
    # The other way round: the same change, mirrored.
    back = change_between(share(x2, n2), share(x1, n1))
    assert back is not None and back.p_value == pytest.approx(change.p_value)
    assert back.interval.low == pytest.approx(-change.interval.high)


@given(
    st.integers(min_value=1, max_value=300).flatmap(
        lambda n: st.tuples(st.integers(0, n), st.integers(0, n), st.just(n))
    ),
    st.integers(min_value=1, max_value=300).flatmap(
        lambda n: st.tuples(st.integers(0, n), st.integers(0, n), st.just(n))
    ),
)
def test_net_change_lies_in_its_interval_and_is_never_beyond_when_p_is_5_percent_or_more(
    first: tuple[int, int, int], second: tuple[int, int, int]
) -> None:
    earlier = net_agreement(first[0], min(first[1], first[2] - first[0]), first[2])
    later = net_agreement(second[0], min(second[1], second[2] - second[0]), second[2])
    assert earlier is not None and later is not None
    change = net_change(earlier, later)
    assert change.interval.low <= change.difference <= change.interval.high
    assert 0.0 <= change.p_value <= 1.0
    if change.p_value >= 0.05:
        assert change.verdict != Verdict.BEYOND


# docs/waves.md against the code.


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
    figures: list[float] = []
    for (agree, disagree), net in zip(AGREEMENT, nets(), strict=True):
        a, d = agree / N, disagree / N
        half = (net.interval.high - net.interval.low) / 2
        figures += [a, d, a + d, (a - d) ** 2, a + d - (a - d) ** 2, net.value, net.variance]
        figures += [math.sqrt(net.variance), half, net.interval.low, net.interval.high]
    earlier, later = nets()
    change = net_change(earlier, later)
    spread = math.sqrt(earlier.variance + later.variance)
    figures += [change.difference, earlier.variance + later.variance, spread, Z_95 * spread]
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
    assert number(cell["Standard error"]) == at(math.sqrt(earlier.variance + later.variance))
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
