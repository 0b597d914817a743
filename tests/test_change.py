"""The change between two waves (portal/reporting/change.py) against the hand-worked example of
docs/waves.md, its edge cases, and properties that hold for any counts.

The expected figures below were worked independently of the portal (Wilson limits as the roots
of their quadratic, the normal tail by numerical integration); the page prints the same ones,
and tests/test_waves_doc.py checks that it does. Pure functions: no app, no database.
"""

from __future__ import annotations

import math

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
from portal.reporting.weighting import Z_95

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
    # Each wave: the net from the counts, its Wald variance, and the adjusted interval (z^2/4
    # added to those agreeing and to those disagreeing, of 40 + z^2/2).
    assert (at(earlier.value), earlier.variance) == (-0.0500, pytest.approx(0.0186875))
    assert (at(earlier.interval.low), at(earlier.interval.high)) == (-0.3115, 0.2160)
    assert (at(later.value), later.variance) == (0.4000, pytest.approx(0.0160000))
    assert (at(later.interval.low), at(later.interval.high)) == (0.1351, 0.6282)
    change = net_change(earlier, later)
    assert at(change.difference) == 0.4500
    # The test pools the waves: 38 of 80 agree, 24 of 80 disagree.
    assert at(change.difference / change.z) == 0.1929
    assert (at(change.z), at(change.p_value)) == (2.3326, 0.0197)
    # The interval adds the waves' own variances.
    assert at(math.sqrt(earlier.variance + later.variance)) == 0.1862
    assert (at(change.interval.low), at(change.interval.high)) == (0.0850, 0.8150)
    assert change.verdict == Verdict.BEYOND


def test_net_agreement_and_the_answer_that_moved_are_not_given_opposite_verdicts() -> None:
    # The reviewer's counter-example: 40 answers a wave, nobody agreeing, 8 then 16 disagreeing
    # (the rest neither). The "Disagree" row's pooled test gives z = 1.95, p = 0.051, and
    # Newcombe's interval runs from -0.1 points: within sampling error. Net agreement is minus
    # the share disagreeing, so with the variance pooled its test is the same test: z = -1.95,
    # p = 0.051 (the unpooled test gave p = 0.046, "beyond"). Its interval is still Wald's,
    # narrower here than Newcombe's: -20.0 plus or minus 19.6 points, which stops short of 0. The
    # test says within and the interval says beyond, so the net row is on the edge: shown as
    # "treat as not shown", never as a change the "Disagree" row says could be chance.
    disagree = change_between(share(8, N), share(16, N))
    assert disagree is not None
    assert (round(disagree.z, 2), round(disagree.p_value, 3)) == (1.95, 0.051)
    assert round(100 * disagree.interval.low, 1) == -0.1
    assert disagree.verdict == Verdict.WITHIN
    earlier, later = net_agreement(0, 8, N), net_agreement(0, 16, N)
    assert earlier is not None and later is not None
    net = net_change(earlier, later)
    assert net.z == pytest.approx(-disagree.z)
    assert net.p_value == pytest.approx(disagree.p_value)
    assert (round(100 * net.interval.low, 1), round(100 * net.interval.high, 1)) == (-39.6, -0.4)
    assert net.verdict == Verdict.EDGE
    assert net.verdict.words == "On the edge of sampling error: treat as not shown"


@pytest.mark.parametrize(
    ("agree", "disagree", "answered", "interval"),
    [
        (10, 0, 10, (53.0, 100.0)),
        (0, 10, 10, (-100.0, -53.0)),
        (1, 0, 1, (-73.5, 100.0)),
        (40, 0, 40, (86.4, 100.0)),
    ],
    ids=["10-of-10-agree", "10-of-10-disagree", "1-of-1-agrees", "40-of-40-agree"],
)
def test_everyone_agreeing_still_leaves_an_interval(
    agree: int, disagree: int, answered: int, interval: tuple[float, float]
) -> None:
    net = net_agreement(agree, disagree, answered)
    assert net is not None and net.variance == 0.0
    assert (round(100 * net.interval.low, 1), round(100 * net.interval.high, 1)) == interval


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


def test_net_agreement_with_no_spread_in_either_wave_takes_it_from_both_waves() -> None:
    # Everyone agreed (12), then everyone neither agreed nor disagreed (10): the Wald variance
    # is 0 in both waves, so the spread comes from the 22 answers pooled: a = 12/22, d = 0,
    # variance (a - a^2) (1/12 + 1/10) = 0.2479 x 0.1833 = 0.04545, standard error 0.2132.
    earlier, later = net_agreement(12, 0, 12), net_agreement(0, 0, 10)
    assert earlier is not None and later is not None
    change = net_change(earlier, later)
    assert change.difference == -1.0
    assert round(change.z, 2) == -4.69
    assert change.p_value < 0.001
    assert (round(change.interval.low, 3), round(change.interval.high, 3)) == (-1.418, -0.582)
    assert change.verdict == Verdict.BEYOND
    # The same answer in every wave is no change at all.
    same = net_change(earlier, earlier)
    assert same.difference == 0.0 and same.verdict == Verdict.WITHIN


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
# One wave of an agreement scale: (agree, disagree, answered), the rest neither.
agreement_counts = st.integers(min_value=1, max_value=300).flatmap(
    lambda n: st.integers(0, n).flatmap(
        lambda agree: st.tuples(st.just(agree), st.integers(0, n - agree), st.just(n))
    )
)

# Independent ways to the same figures, against which the properties below check the code.


def wilson_roots(chosen: float, answered: float) -> tuple[float, float]:
    """Wilson's limits as the two proportions P with (p - P)^2 = z^2 P (1 - P) / n: the roots
    of (1 + z^2/n) P^2 - (2p + z^2/n) P + p^2 = 0."""
    p, z2 = chosen / answered, Z_95**2
    a, b, c = 1 + z2 / answered, -(2 * p + z2 / answered), p * p
    root = math.sqrt(max(0.0, b * b - 4 * a * c))
    return (-b - root) / (2 * a), (-b + root) / (2 * a)


def normal_tail_both_sides(z: float, steps: int = 2000) -> float:
    """2 x the area under the standard normal density beyond |z|, by Simpson's rule (the
    density beyond |z| + 12 adds less than 1e-32 of |z|'s own)."""
    start, width = abs(z), 12.0 / steps

    def density(t: float) -> float:
        return math.exp(-t * t / 2) / math.sqrt(2 * math.pi)

    inner = sum((4 if i % 2 else 2) * density(start + i * width) for i in range(1, steps))
    return 2 * width / 3 * (density(start) + inner + density(start + 12.0))


def pearson_chi_square(earlier: tuple[float, float], later: tuple[float, float]) -> float:
    """Pearson's chi-square of the 2 x 2 table (wave by chose it or not): the square of the
    pooled two-proportion z, by another road."""
    table = [[x, n - x] for x, n in (earlier, later)]
    total = sum(map(sum, table))
    columns = [table[0][j] + table[1][j] for j in (0, 1)]
    return sum(
        (table[i][j] - sum(table[i]) * columns[j] / total) ** 2
        / (sum(table[i]) * columns[j] / total)
        for i in (0, 1)
        for j in (0, 1)
    )


@given(st.one_of(st.tuples(counts, counts), st.tuples(weighted, weighted)))
def test_the_change_its_interval_and_test_agree_with_an_independent_calculation(
    waves: tuple[tuple[float, float], tuple[float, float]],
) -> None:
    (x1, n1), (x2, n2) = waves
    earlier, later = share(x1, n1), share(x2, n2)
    for found, (x, n) in ((earlier, waves[0]), (later, waves[1])):
        assert (found.interval.low, found.interval.high) == pytest.approx(
            wilson_roots(x, n), abs=1e-9
        )
    change = change_between(earlier, later)
    assert change is not None
    slack = 1e-12
    assert change.interval.low - slack <= change.difference <= change.interval.high + slack
    assert -1 - slack <= change.interval.low and change.interval.high <= 1 + slack
    if min(x1 + x2, n1 + n2 - x1 - x2) > 1e-9:  # Pearson's needs someone in each column
        assert change.z**2 == pytest.approx(pearson_chi_square(*waves), rel=1e-6, abs=1e-9)
    assert change.p_value == pytest.approx(
        normal_tail_both_sides(change.z) if change.z else 1.0, rel=1e-6, abs=1e-12
    )
    # The other way round: the same change, mirrored.
    back = change_between(later, earlier)
    assert back is not None and back.p_value == pytest.approx(change.p_value)
    assert back.interval.low == pytest.approx(-change.interval.high)


@given(
    st.integers(min_value=1, max_value=400).flatmap(
        lambda n: st.tuples(st.integers(0, n), st.just(n))
    ),
    st.integers(min_value=1, max_value=4),
)
def test_the_same_percentage_in_both_waves_is_within_sampling_error(
    wave: tuple[int, int], scale: int
) -> None:
    # x of n, then scale x of scale n: no change, whatever the numbers answering.
    chosen, answered = wave
    change = change_between(share(chosen, answered), share(scale * chosen, scale * answered))
    assert change is not None
    assert change.difference == pytest.approx(0.0, abs=1e-15) and change.p_value == 1.0
    assert change.interval.low <= 0.0 <= change.interval.high
    assert change.verdict == Verdict.WITHIN


@given(agreement_counts, agreement_counts)
def test_net_agreement_lies_in_its_intervals_and_its_p_value_is_the_normal_tail_of_its_z(
    first: tuple[int, int, int], second: tuple[int, int, int]
) -> None:
    earlier, later = net_agreement(*first), net_agreement(*second)
    assert earlier is not None and later is not None
    slack = 1e-12
    for net in (earlier, later):
        # Never a zero width, even with everyone agreeing; always holding the observed figure.
        assert -1.0 <= net.interval.low < net.interval.high <= 1.0
        assert net.interval.low - slack <= net.value <= net.interval.high + slack
    change = net_change(earlier, later)
    assert change.interval.low - slack <= change.difference <= change.interval.high + slack
    assert change.p_value == pytest.approx(
        normal_tail_both_sides(change.z) if change.z else 1.0, rel=1e-6, abs=1e-12
    )


@given(counts, counts, st.sampled_from(["nobody disagrees", "nobody agrees", "nobody neither"]))
def test_with_two_kinds_of_answer_the_net_test_is_the_two_proportion_test(
    first: tuple[int, int], second: tuple[int, int], missing: str
) -> None:
    # x of n give the one kind of answer and the rest the other: the net agreement then moves
    # with x alone, so its test must be the two-proportion test of x (the unpooled test was
    # not: the reviewer's counter-example).
    def wave(chosen: int, answered: int) -> Net:
        agree, disagree = {
            "nobody disagrees": (chosen, 0),
            "nobody agrees": (0, chosen),
            "nobody neither": (chosen, answered - chosen),
        }[missing]
        net = net_agreement(agree, disagree, answered)
        assert net is not None
        return net

    answer = change_between(share(*first), share(*second))
    assert answer is not None
    net = net_change(wave(*first), wave(*second))
    sign = -1 if missing == "nobody agrees" else 1
    assert net.z == pytest.approx(sign * answer.z, rel=1e-9, abs=1e-12)
    assert net.p_value == pytest.approx(answer.p_value, rel=1e-9, abs=1e-15)
