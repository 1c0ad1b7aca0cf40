from __future__ import annotations

import math

import pytest

from crm_core.reports.emerging import binomial_upper_tail, holm, trends


@pytest.mark.parametrize(("k", "n"), [(0, 4), (1, 5), (3, 5), (5, 5), (10, 12), (40, 100),
                                      (60, 100), (520, 1000), (9, 8)])
def test_the_tail_is_the_exact_binomial_sum(k: int, n: int) -> None:
    exact = sum(math.comb(n, j) for j in range(max(k, 0), n + 1)) / 2**n
    assert binomial_upper_tail(k, n) == pytest.approx(exact, rel=1e-9, abs=1e-15)


def test_holm_adjusts_step_down_and_stays_monotone() -> None:
    adjusted = holm({"a": 0.01, "b": 0.04, "c": 0.03})
    assert adjusted == pytest.approx({"a": 0.03, "c": 0.06, "b": 0.06})


def test_a_strong_rise_is_emerging_and_noise_is_not() -> None:
    found = trends({"voirie": (2, 20), "etat-civil": (5, 7), "vide": (0, 0)})
    # P(X ≥ 20 | B(22, 1/2)) = (231 + 22 + 1) / 2^22; two themes tested → × 2.
    assert found["voirie"].p_value == pytest.approx(254 / 2**22)
    assert found["voirie"].adjusted == pytest.approx(2 * 254 / 2**22)
    assert found["voirie"].emerging
    assert found["etat-civil"].p_value == pytest.approx(1586 / 4096)
    assert not found["etat-civil"].emerging
    assert not found["vide"].emerging


def test_many_themes_rising_a_little_are_not_all_flagged() -> None:
    # 4 → 10 alone gives p ≈ 0.09; over 20 themes, Holm keeps every one unflagged.
    found = trends({f"t{i}": (4, 10) for i in range(20)})
    assert not any(trend.emerging for trend in found.values())
