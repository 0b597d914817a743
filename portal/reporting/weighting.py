"""Weighting panel responses to the county's population, and the uncertainty that remains.

Method (documented in docs/weighting.md):
- each response with a weighting cell (district and age band of the member who answered) gets
  the weight of its cell;
- cell weights come from raking (iterative proportional fitting): the district shares and then
  the age-band shares of the weighted responses are matched in turn to the population's, until
  both agree to within 1e-9 (or 100 rounds). Categories with no respondents cannot be weighted
  up from nothing: they are left out of the targets, which are scaled to the rest, and reported;
- weights are scaled to average 1, so weighted counts add up to the number of responses;
- the effective sample size is Kish's (sum of weights)^2 / (sum of squared weights);
- each percentage gets a 95% Wilson score interval, on the number who answered unweighted, and
  on the effective number weighted.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

Z_95 = 1.959963984540054
Cell = tuple[str, str]  # (district, age band)


@dataclass(frozen=True)
class Interval:
    low: float
    high: float


def wilson(successes: float, n: float, z: float = Z_95) -> Interval:
    """The Wilson score interval for a proportion; n may be an effective (weighted) number."""
    if n <= 0:
        return Interval(0.0, 0.0)
    p = successes / n
    z2 = z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    return Interval(max(0.0, centre - half), min(1.0, centre + half))


@dataclass(frozen=True)
class Weights:
    by_cell: dict[Cell, float]
    responses: int
    effective: float
    unweightable: list[str]  # target categories with no respondents


def _shares(targets: Mapping[str, float], present: set[str]) -> dict[str, float]:
    kept = {k: v for k, v in targets.items() if k in present and v > 0}
    total = sum(kept.values())
    return {k: v / total for k, v in kept.items()}


def rake(
    counts: Mapping[Cell, int],
    district_targets: Mapping[str, float],
    age_targets: Mapping[str, float],
    rounds: int = 100,
    tolerance: float = 1e-9,
) -> Weights:
    """Cell weights making the weighted district and age-band shares match the targets."""
    cells = {cell: n for cell, n in counts.items() if n > 0}
    n = sum(cells.values())
    if not n:
        return Weights({}, 0, 0.0, [])
    districts = {d for d, _ in cells}
    ages = {a for _, a in cells}
    row = _shares(district_targets, districts)
    column = _shares(age_targets, ages)
    missing = [k for k, v in district_targets.items() if v > 0 and k not in districts] + [
        k for k, v in age_targets.items() if v > 0 and k not in ages
    ]
    # Respondents in a category the targets do not know keep weight 1 relative to the rest.
    weights = {cell: 1.0 for cell in cells if cell[0] in row and cell[1] in column}
    for _ in range(rounds):
        worst = 0.0
        for targets, index in ((row, 0), (column, 1)):
            for key, share in targets.items():
                current = sum(w * cells[c] for c, w in weights.items() if c[index] == key)
                if current == 0:
                    continue
                factor = share * sum(w * cells[c] for c, w in weights.items()) / current
                worst = max(worst, abs(factor - 1))
                for cell in weights:
                    if cell[index] == key:
                        weights[cell] *= factor
        if worst < tolerance:
            break
    weighted_n = sum(w * cells[c] for c, w in weights.items())
    scale = sum(cells[c] for c in weights) / weighted_n if weighted_n else 1.0
    by_cell = {cell: w * scale for cell, w in weights.items()}
    for cell in cells:
        by_cell.setdefault(cell, 1.0)
    total = sum(by_cell[c] * k for c, k in cells.items())
    squares = sum(by_cell[c] ** 2 * k for c, k in cells.items())
    return Weights(by_cell, n, total * total / squares if squares else 0.0, missing)


def weighted_share(
    chosen_by_cell: Mapping[Cell, int], answered_by_cell: Mapping[Cell, int], weights: Weights
) -> tuple[float, float]:
    """(weighted proportion, effective number answered) for one option of one question."""
    total = sum(weights.by_cell.get(c, 0.0) * k for c, k in answered_by_cell.items())
    squares = sum(weights.by_cell.get(c, 0.0) ** 2 * k for c, k in answered_by_cell.items())
    if not total:
        return 0.0, 0.0
    part = sum(weights.by_cell.get(c, 0.0) * k for c, k in chosen_by_cell.items())
    return part / total, total * total / squares
