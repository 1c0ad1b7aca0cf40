"""The benchmark helper runs and reports; speed is measured, never asserted here."""

from __future__ import annotations

import pytest

from benchmarks.badge_verify import run_verify_benchmark


def test_reports_throughput() -> None:
    result = run_verify_benchmark(seconds=0.05)
    assert result["verifications"] >= 200
    assert result["per_second"] > 0
    assert result["microseconds_each"] == pytest.approx(1e6 / result["per_second"])
    assert result["token_length"] <= 157


def test_refuses_a_zero_duration() -> None:
    with pytest.raises(ValueError, match="positive"):
        run_verify_benchmark(seconds=0)


def test_cpu_figures_are_consistent() -> None:
    result = run_verify_benchmark(seconds=0.2)
    assert result["cpu_per_second"] > 0
    assert result["cpu_microseconds_each"] == pytest.approx(1e6 / result["cpu_per_second"])
