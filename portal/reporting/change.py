"""Change between two waves of a survey, and whether sampling error could explain it.

The method (worked by hand in docs/waves.md, and reproduced by tests/test_change.py):
- each wave's percentage gets a 95% Wilson score interval (reporting.weighting.wilson);
- the change is the later wave's proportion minus the earlier one's, in percentage points;
- its 95% interval is Newcombe's (1998, method 10), built from the two Wilson intervals:
  change - sqrt((p2 - low2)^2 + (high1 - p1)^2) to change + sqrt((high2 - p2)^2 + (p1 - low1)^2);
- the test is the two-proportion z test with the pooled proportion:
  z = (p2 - p1) / sqrt(P (1 - P) (1/n1 + 1/n2)), P = (x1 + x2) / (n1 + n2), two-sided p value;
- the change is "beyond sampling error" when the test gives p < 0.05 and the interval excludes 0,
  _("within sampling error") when neither does, and "on the edge" in the rare case the two disagree
  (so the page never says one thing while the figures beside it say another).

Weighted figures use the effective number answered (Kish) in place of n, as the weighted
results do.

Net agreement (agreement scales) is the share who agree minus the share who disagree, a - d, of
n answering. Its change is judged as an answer's is:
- the test is a z test with the variance pooled, as the two-proportion test pools its
  proportions: with A and D the shares agreeing and disagreeing in both waves together,
  z = change / sqrt((A + D - (A - D)^2) (1/n1 + 1/n2)). Where nobody in either wave gave one of
  the three kinds of answer (agreeing, disagreeing, neither), this is exactly the two-proportion
  test of the share giving either of the other two, so the net agreement's test and that
  answer's cannot contradict each other;
- the 95% interval of the change is the change plus or minus 1.96 sqrt(v1 + v2), each wave's
  variance v = (a + d - (a - d)^2) / n (Wald, unpooled: an interval is not built on "no change");
  where both waves' v are 0 (everyone agreed, then everyone neither agreed nor disagreed) the
  pooled standard error is used instead, as it is the only spread there is;
- the verdict is Change.verdict's, from that p value and that interval.

Each wave's own net agreement has an adjusted Wald interval: z^2/4 pseudo-answers are added to
those agreeing and z^2/4 to those disagreeing (z^2/2 in all, about 1 each), and the interval is
a' - d' plus or minus z sqrt((a' + d' - (a' - d')^2) / (n + z^2/2)), a' and d' the adjusted
shares, cut at -1 and 1. The adjustment is Agresti and Caffo's (2000), adding pseudo-answers
before a Wald interval, applied to a difference of two shares of one sample as Rocks (2016) does
for the net promoter score (his variant adds 3/4, 3/2 and 3/4; putting none in the middle keeps
the observed net agreement inside its interval for any n). It stops the interval shrinking to
nothing at -100 or +100 (10 of 10 agreeing: +53.0 to +100.0, not +100.0 to +100.0).
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass

from flask_babel import gettext as _

from portal.reporting.weighting import Z_95, Interval, wilson

SIGNIFICANCE = 0.05


class Verdict(enum.StrEnum):
    BEYOND = "beyond"
    WITHIN = "within"
    EDGE = "edge"

    @property
    def words(self) -> str:
        return {
            Verdict.BEYOND: _("Larger than sampling error would explain"),
            Verdict.WITHIN: _("Within sampling error: could be chance"),
            Verdict.EDGE: _("On the edge of sampling error: treat as not shown"),
        }[self]

    @property
    def in_a_sentence(self) -> str:
        """The verdict as the end of a sentence: "a change of +30.0 points, ..."."""
        return {
            Verdict.BEYOND: _("larger than sampling error would explain"),
            Verdict.WITHIN: _("within sampling error"),
            Verdict.EDGE: _("on the edge of sampling error"),
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
    """Net agreement of one wave: agree minus disagree, as a proportion (-1 to 1), with its
    (unadjusted, Wald) variance and the shares who agree and who disagree, of `answered`."""

    value: float
    variance: float
    answered: float
    agree: float
    disagree: float

    @property
    def interval(self) -> Interval:
        """The adjusted Wald interval (see the module's docstring): z^2/4 pseudo-answers added
        to each side, so that everyone agreeing still leaves room for doubt."""
        added = Z_95**2 / 4
        n = self.answered + 2 * added
        a = (self.agree * self.answered + added) / n
        d = (self.disagree * self.answered + added) / n
        half = Z_95 * math.sqrt((a + d - (a - d) ** 2) / n)
        return Interval(max(-1.0, a - d - half), min(1.0, a - d + half))


def net_agreement(agree: float, disagree: float, answered: float) -> Net | None:
    if answered <= 0:
        return None
    a, d = agree / answered, disagree / answered
    return Net(a - d, (a + d - (a - d) ** 2) / answered, answered, a, d)


def pooled_net_spread(earlier: Net, later: Net) -> float:
    """The standard error of a change in net agreement if both waves answered alike: the two
    waves' answers taken together, as the two-proportion test pools its proportions."""
    n1, n2 = earlier.answered, later.answered
    a = (earlier.agree * n1 + later.agree * n2) / (n1 + n2)
    d = (earlier.disagree * n1 + later.disagree * n2) / (n1 + n2)
    # max(): a + d - (a - d)^2 is never below 0, but rounding can take 0 a hair under it.
    return math.sqrt(max(0.0, a + d - (a - d) ** 2) * (1 / n1 + 1 / n2))


def net_change(earlier: Net, later: Net) -> Change:
    """Tested with the variance pooled, its interval from each wave's own variance (see the
    module's docstring), as an answer's change is tested pooled and given Newcombe's interval."""
    difference = later.value - earlier.value
    pooled = pooled_net_spread(earlier, later)
    # No spread pooled means every answer in both waves was of one kind: no change to test.
    z = difference / pooled if pooled else 0.0
    # Each wave's own spread is 0 when everyone in it gave one kind of answer; if the waves'
    # kinds differ (all agreeing, then all neither), the pooled spread is the only one there is.
    half = Z_95 * (math.sqrt(earlier.variance + later.variance) or pooled)
    return Change(
        difference,
        Interval(difference - half, difference + half),
        z,
        two_sided_p(z) if pooled else 1.0,
    )
