"""Change between two waves of a survey, and whether sampling error could explain it.

The method (worked by hand in docs/waves.md, and reproduced by tests/test_change.py):
- each wave's percentage gets a 95% Wilson score interval (reporting.weighting.wilson);
- the change is the later wave's proportion minus the earlier one's, in percentage points;
- its 95% interval is Newcombe's (1998, method 10), built from the two Wilson intervals:
  change - sqrt((p2 - low2)^2 + (high1 - p1)^2) to change + sqrt((high2 - p2)^2 + (p1 - low1)^2);
- the test is the two-proportion z test with the pooled proportion:
  z = (p2 - p1) / sqrt(P (1 - P) (1/n1 + 1/n2)), P = (x1 + x2) / (n1 + n2), two-sided p value;
- the change is "beyond sampling error" when the test gives p < 0.05 and the interval excludes 0,
  "within sampling error" when neither does, and "on the edge" in the rare case the two disagree
  (so the page never says one thing while the figures beside it say another).

Weighted figures use the effective number answered (Kish) in place of n, as the weighted
results do. Net agreement (agreement scales) is the share who agree minus the share who
disagree; its variance is (a + d - (a - d)^2) / n, and its change is tested with a z test on the
two variances added, whose 95% interval is the change plus or minus 1.96 standard errors. Where
both waves' variances are 0 but their net agreement differs (everyone agreed, then everyone
disagreed), the variance is taken from the two waves' answers pooled.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass

from portal.reporting.weighting import Z_95, Interval, wilson

SIGNIFICANCE = 0.05


class Verdict(enum.StrEnum):
    BEYOND = "beyond"
    WITHIN = "within"
    EDGE = "edge"

    @property
    def words(self) -> str:
        return {
            Verdict.BEYOND: "Larger than sampling error would explain",
            Verdict.WITHIN: "Within sampling error: could be chance",
            Verdict.EDGE: "On the edge of sampling error: treat as not shown",
        }[self]

    @property
    def in_a_sentence(self) -> str:
        """The verdict as the end of a sentence: "a change of +30.0 points, ..."."""
        return {
            Verdict.BEYOND: "larger than sampling error would explain",
            Verdict.WITHIN: "within sampling error",
            Verdict.EDGE: "on the edge of sampling error",
        }[self]


@dataclass(frozen=True)
class Share:
    """One wave's proportion (0 to 1) with its 95% interval, of n answering (n may be an
    effective number for weighted figures)."""

    chosen: float
    answered: float
    interval: Interval

    @property
    def proportion(self) -> float:
        return self.chosen / self.answered if self.answered else 0.0


def share(chosen: float, answered: float) -> Share:
    return Share(chosen, answered, wilson(chosen, answered))


@dataclass(frozen=True)
class Change:
    """The change from an earlier share to a later one, in proportions (x100 for points)."""

    difference: float
    interval: Interval  # may run below 0: a change, not a proportion
    z: float
    p_value: float

    @property
    def verdict(self) -> Verdict:
        significant = self.p_value < SIGNIFICANCE
        excludes_zero = self.interval.low > 0 or self.interval.high < 0
        if significant and excludes_zero:
            return Verdict.BEYOND
        if not significant and not excludes_zero:
            return Verdict.WITHIN
        return Verdict.EDGE


def two_sided_p(z: float) -> float:
    """The two-sided p value of a standard normal statistic."""
    return math.erfc(abs(z) / math.sqrt(2))


def change_between(earlier: Share, later: Share) -> Change | None:
    """None when either wave has nobody answering: there is nothing to compare."""
    n1, n2 = earlier.answered, later.answered
    if n1 <= 0 or n2 <= 0:
        return None
    p1, p2 = earlier.proportion, later.proportion
    difference = p2 - p1
    pooled = (earlier.chosen + later.chosen) / (n1 + n2)
    spread = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    # Everyone (or nobody) chose it in both waves: no variation, no change to test.
    z = difference / spread if spread else 0.0
    l1, u1 = earlier.interval.low, earlier.interval.high
    l2, u2 = later.interval.low, later.interval.high
    low = difference - math.sqrt((p2 - l2) ** 2 + (u1 - p1) ** 2)
    high = difference + math.sqrt((u2 - p2) ** 2 + (p1 - l1) ** 2)
    return Change(difference, Interval(low, high), z, two_sided_p(z) if spread else 1.0)


@dataclass(frozen=True)
class Net:
    """Net agreement of one wave: agree minus disagree, as a proportion (-1 to 1)."""

    value: float
    variance: float
    answered: float
    agree: float = 0.0  # the shares who agree and who disagree, for a pooled variance
    disagree: float = 0.0

    @property
    def interval(self) -> Interval:
        half = Z_95 * math.sqrt(self.variance)
        return Interval(max(-1.0, self.value - half), min(1.0, self.value + half))


def net_agreement(agree: float, disagree: float, answered: float) -> Net | None:
    if answered <= 0:
        return None
    a, d = agree / answered, disagree / answered
    return Net(a - d, (a + d - (a - d) ** 2) / answered, answered, a, d)


def _pooled_net_spread(earlier: Net, later: Net) -> float:
    """The standard error of a change in net agreement if both waves answered alike: the
    two waves' answers taken together, as the two-proportion test pools its proportions."""
    n1, n2 = earlier.answered, later.answered
    a = (earlier.agree * n1 + later.agree * n2) / (n1 + n2)
    d = (earlier.disagree * n1 + later.disagree * n2) / (n1 + n2)
    return math.sqrt((a + d - (a - d) ** 2) * (1 / n1 + 1 / n2))


def net_change(earlier: Net, later: Net) -> Change:
    difference = later.value - earlier.value
    spread = math.sqrt(earlier.variance + later.variance)
    if not spread and difference:
        # Everyone in each wave gave the same kind of answer, but not the same in both (all
        # agreeing, then all neither agreeing nor disagreeing): each wave's own variance is 0,
        # so the spread comes from the two waves together.
        spread = _pooled_net_spread(earlier, later)
    z = difference / spread if spread else 0.0
    half = Z_95 * spread
    return Change(
        difference,
        Interval(difference - half, difference + half),
        z,
        two_sided_p(z) if spread else 1.0,
    )
