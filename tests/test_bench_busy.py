"""bench/events.py: with steps side by side, Dagster's overhead is the run's time when no step ran."""

from bench.events import busy_seconds


def test_overlapping_steps_count_once_and_gaps_not_at_all():
    assert busy_seconds([(0.0, 2.0), (1.0, 3.0), (5.0, 6.0), (5.5, 5.75)]) == 4.0
    assert busy_seconds([]) == 0.0
