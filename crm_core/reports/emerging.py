"""Emerging themes: a week-over-week rise that is statistically meaningful, not noise.

For each theme, the requests opened in the last 7 days (`b`) are compared with the 7 days
before (`a`). If both weeks are Poisson counts with the same rate, then given their sum
`n = a + b`, `b` follows a Binomial(n, 1/2) — the classical exact conditional test for
comparing two Poisson rates, which needs no estimate of the rate and holds for small
counts where a normal approximation would not. The one-sided p-value is P(B ≥ b).

Many themes are tested at once, so some would "rise" by chance alone: p-values are
adjusted with Holm's step-down method, which keeps the probability of flagging even one
theme wrongly (family-wise error) under `ALPHA`, for any dependence between themes,
and is uniformly more powerful than plain Bonferroni. A theme is emerging when its
adjusted p-value is below `ALPHA` (and it did rise).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

ALPHA = 0.05


def binomial_upper_tail(successes: int, trials: int) -> float:
    """P(X ≥ successes) for X ~ Binomial(trials, 1/2): the exact sum of the binomial
    terms (in floating point, from the log of the first one, each next one by the ratio
    C(n, j+1) / C(n, j)), using the symmetry of p = 1/2 for the long side."""
    if successes <= 0:
        return 1.0
    if successes > trials:
        return 0.0
    if successes <= trials / 2:  # the tail holds at least half the mass: sum the other one
        return 1.0 - binomial_upper_tail(trials - successes + 1, trials)
    term = math.exp(
        math.lgamma(trials + 1) - math.lgamma(successes + 1)
        - math.lgamma(trials - successes + 1) - trials * math.log(2)
    )
    total = 0.0
    for j in range(successes, trials + 1):
        total += term
        term *= (trials - j) / (j + 1)
        if term < total * 1e-17:
            break
    return min(1.0, total)


def holm(p_values: Mapping[str, float]) -> dict[str, float]:
    """Holm–Bonferroni adjusted p-values (monotone, capped at 1)."""
    ordered = sorted(p_values.items(), key=lambda item: item[1])
    adjusted: dict[str, float] = {}
    running = 0.0
    size = len(ordered)
    for rank, (key, p) in enumerate(ordered):
        running = max(running, min(1.0, (size - rank) * p))
        adjusted[key] = running
    return adjusted


@dataclass(frozen=True)
class Trend:
    previous: int
    last: int
    p_value: float
    adjusted: float

    @property
    def emerging(self) -> bool:
        return self.last > self.previous and self.adjusted < ALPHA


def trends(weeks: Mapping[str, tuple[int, int]]) -> dict[str, Trend]:
    """`weeks[theme] = (previous week, last week)` → the test of each theme."""
    raw = {
        theme: binomial_upper_tail(last, previous + last)
        for theme, (previous, last) in weeks.items() if previous + last > 0
    }
    adjusted = holm(raw)
    return {
        theme: Trend(previous, last, raw.get(theme, 1.0), adjusted.get(theme, 1.0))
        for theme, (previous, last) in weeks.items()
    }
