"""The slot contract: slots ``(start, end]`` cover ``(last, last + horizon]`` exactly once, in the file's clock.

Whatever the step (5 minutes, 30 minutes, 7 minutes, 2 hours), the phase of the samples
(``:02:53``) or gaps in the history, every timestamp ``last + k·step`` of the next horizon
falls in exactly one slot, the sample at ``last`` in none, and ``Forecast.floor_at``
answers for exactly those times and refuses the others.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tenantctl.forecast import Forecast, forecast
from tenantctl.forecast.model import slot_bounds

PARAMS: dict[str, Any] = dict(capacity=20.0, target=0.7, min_replicas=2, max_replicas=30)
TRACES = Path(__file__).resolve().parents[2] / "shared" / "traces"


def trace(start: str, step: pd.Timedelta, days: float, seed: int = 0) -> pd.Series:
    """Office-hours demand (09:00-17:00 on weekdays ~4× the night) sampled every ``step`` from ``start``."""
    rng = np.random.default_rng(seed)
    index = pd.date_range(start, periods=int(pd.Timedelta(days=days) / step), freq=step)
    busy = (index.dayofweek < 5) & (index.hour >= 9) & (index.hour < 17)
    return pd.Series(np.where(busy, 400.0, 100.0) * rng.lognormal(0.0, 0.1, len(index)), index=index)


def covering(result: Forecast, t: pd.Timestamp) -> list[int]:
    """Indexes of the slots ``(start, end]`` holding ``t``, read from the slots alone."""
    return [i for i, s in enumerate(result.slots) if s.start < t <= s.end]


def horizon_samples(last: pd.Timestamp, step: pd.Timedelta, horizon: pd.Timedelta) -> list[pd.Timestamp]:
    count = int(horizon / step)  # last + k·step for k = 1 .. floor(horizon / step)
    return [last + k * step for k in range(1, count + 1)]


def assert_contract(result: Forecast, last: pd.Timestamp, step: pd.Timedelta, horizon: pd.Timedelta) -> None:
    slots = result.slots
    assert slots[0].start == last and slots[-1].end == last + horizon
    assert all(a.end == b.start for a, b in itertools.pairwise(slots))
    assert all(pd.Timedelta(0) < s.end - s.start <= pd.Timedelta(hours=1) for s in slots)
    slot = pd.Timedelta(minutes=int(result.model["slot_minutes"]))
    inner = [s.start for s in slots[1:]]
    assert all(b == b.floor(slot) for b in inner), "inner boundaries are clock multiples of the slot"
    samples = horizon_samples(last, step, horizon)
    assert not samples or samples[-1] > last + horizon - step
    for t in samples:
        assert len(covering(result, t)) == 1, t
    assert covering(result, last) == []
    floors = result.floor_at(pd.DatetimeIndex(samples))
    assert floors.tolist() == [slots[covering(result, t)[0]].min_replicas for t in samples]
    for outside in (last, last - step, last + horizon + pd.Timedelta(seconds=1)):
        with pytest.raises(ValueError, match="outside the forecast"):
            result.floor_at(pd.DatetimeIndex([outside]))


@settings(max_examples=200, deadline=None)
@given(
    step_seconds=st.integers(30, 3 * 3600),
    phase_seconds=st.integers(0, 7 * 86400),
    horizon_minutes=st.integers(1, 3 * 1440),
    slot_minutes=st.sampled_from([5, 10, 15, 20, 30, 60]),
)
def test_bounds_cover_every_horizon_timestamp_exactly_once(
    step_seconds: int, phase_seconds: int, horizon_minutes: int, slot_minutes: int
) -> None:
    step = pd.Timedelta(seconds=step_seconds)
    last = pd.Timestamp("2024-03-04") + pd.Timedelta(seconds=phase_seconds)
    horizon = pd.Timedelta(minutes=horizon_minutes)
    slot = pd.Timedelta(minutes=slot_minutes)
    bounds = pd.DatetimeIndex(slot_bounds(last, horizon, slot))
    assert bounds[0] == last and bounds[-1] == last + horizon
    assert bool((np.diff(bounds.asi8) > 0).all())
    assert all(b == b.floor(slot) for b in bounds[1:-1])
    times = pd.DatetimeIndex([*horizon_samples(last, step, horizon), last])
    # slot i is (bounds[i], bounds[i+1]]: the number of slots holding t is 1 inside, 0 at last
    inside = (times.asi8[:, None] > bounds.asi8[None, :-1]) & (times.asi8[:, None] <= bounds.asi8[None, 1:])
    assert inside[:-1].sum(axis=1).tolist() == [1] * (len(times) - 1)
    assert int(inside[-1].sum()) == 0


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    step_minutes=st.sampled_from([5, 7, 10, 30, 45, 60, 120]),
    phase_seconds=st.integers(0, 86399),
    horizon_minutes=st.integers(1, 2 * 1440),
    days=st.sampled_from([3.0, 8.5]),
)
def test_forecast_covers_the_next_horizon_for_any_step_and_phase(
    step_minutes: int, phase_seconds: int, horizon_minutes: int, days: float
) -> None:
    step = pd.Timedelta(minutes=step_minutes)
    start = pd.Timestamp("2024-01-01") + pd.Timedelta(seconds=phase_seconds)
    history = trace(str(start), step, days)
    horizon = pd.Timedelta(minutes=horizon_minutes)
    result = forecast(history, horizon=horizon, **PARAMS)
    assert_contract(result, history.index[-1], step, horizon)


@pytest.mark.parametrize(
    ("start", "step"),
    [
        ("2015-02-26 21:42:53", pd.Timedelta(minutes=5)),  # the NAB tweet traces' phase
        ("2024-01-01 00:02:53", pd.Timedelta(minutes=5)),
        ("2024-01-01 00:00:00", pd.Timedelta(minutes=30)),  # nyc_taxi's step
        ("2024-01-01 00:17:00", pd.Timedelta(minutes=30)),
    ],
)
def test_off_the_hour_and_thirty_minute_histories(start: str, step: pd.Timedelta) -> None:
    history = trace(start, step, days=22)
    for horizon in (pd.Timedelta(days=1), pd.Timedelta(hours=7, minutes=13), pd.Timedelta(days=7)):
        result = forecast(history, horizon=horizon, **PARAMS)
        assert_contract(result, history.index[-1], step, horizon)
    assert int(forecast(history, horizon=pd.Timedelta(days=1), **PARAMS).model["slot_minutes"]) == (
        5 if step <= pd.Timedelta(minutes=5) else 30)


def test_phase_stays_in_the_file_clock() -> None:
    """Samples at :02:53: the first slot ends at the next clock edge, the last at last + horizon."""
    history = trace("2024-01-01 00:02:53", pd.Timedelta(minutes=5), days=15)
    last = history.index[-1]
    assert last.second == 53
    result = forecast(history, horizon=pd.Timedelta(days=1), **PARAMS)
    assert result.slots[0].end == last.floor("5min") + pd.Timedelta(minutes=5)
    assert result.slots[-1].end == last + pd.Timedelta(days=1)
    assert result.slots[-1].end.second == 53  # no rounding to the hour: the last sample of the day is covered


def test_gaps_in_the_history_do_not_move_the_slots() -> None:
    step = pd.Timedelta(minutes=5)
    history = trace("2024-01-01 00:02:53", step, days=21)
    holed = history.drop(history.index[3000:4500])  # a five-day outage inside
    holed = holed.drop(holed.index[-40:-3])  # and a three-hour hole just before the end
    result = forecast(holed, horizon=pd.Timedelta(days=1), **PARAMS)
    assert_contract(result, holed.index[-1], step, pd.Timedelta(days=1))
    assert result.model["gaps"] > 0


def test_simulation_asks_exactly_for_each_held_out_day() -> None:
    """After a gap at the start of a held-out day the forecast still covers the whole day, no more."""
    from tenantctl.forecast.simulate import run

    step = pd.Timedelta(minutes=5)
    history = trace("2024-01-01 00:02:53", step, days=28)
    day_start = history.index[-1] - pd.Timedelta(days=3)
    gap = (history.index > day_start - pd.Timedelta(hours=2)) & (history.index < day_start + pd.Timedelta(hours=1))
    simulation = run(history[~gap], capacity=20.0, target=0.7, min_replicas=1, max_replicas=100)
    assert len(simulation.floor) == len(simulation.demand) == 7 * 288
    assert (simulation.floor >= 1).all()
    assert len(simulation.models) == 7


@pytest.mark.skipif(not TRACES.is_dir(), reason="the shared traces are not next to the project")
@pytest.mark.parametrize("name", sorted(p.name for p in TRACES.glob("*.csv")) if TRACES.is_dir() else [])
def test_every_shared_trace_has_its_next_day_covered(name: str) -> None:
    from tenantctl.forecast.history import load_csv, regularize

    history = load_csv(TRACES / name)
    step = regularize(history.iloc[-2000:]).step
    result = forecast(history, horizon=pd.Timedelta(days=1), **PARAMS)
    assert_contract(result, history.index[-1], step, pd.Timedelta(days=1))
