"""The percentile helper of bench/bench_latency.py (the benchmarks themselves are not tests)."""

import pytest

from bench.bench_latency import percentile


def test_percentile_interpolates_between_ranks_like_numpy() -> None:
    samples = [5.0, 1.0, 4.0, 2.0, 3.0]
    assert percentile(samples, 0) == 1.0
    assert percentile(samples, 50) == 3.0
    assert percentile(samples, 100) == 5.0
    assert percentile(samples, 99) == pytest.approx(4.96)
    assert percentile(list(range(1, 101)), 99) == pytest.approx(99.01)
    assert percentile([7.0], 99) == 7.0


def test_percentile_refuses_no_samples_and_bad_ranks() -> None:
    with pytest.raises(ValueError):
        percentile([], 50)
    with pytest.raises(ValueError):
        percentile([1.0], 101)
