"""Forecaster properties: bounds, coverage, determinism, no look-ahead, rhythm, fallbacks."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tenantctl.forecast import forecast, regularize, weekly_schedule
from tenantctl.forecast.model import MIN_HISTORY

STEP = pd.Timedelta(minutes=5)


def weekly_trace(days: int = 35, seed: int = 0, start: str = "2024-01-01 00:00:00") -> pd.Series:
    """Quiet nights and weekends (~100), weekday office hours 09:00-17:00 jump to ~400."""
    rng = np.random.default_rng(seed)
    index = pd.date_range(start, periods=days * 288, freq=STEP)
    busy = (index.dayofweek < 5) & (index.hour >= 9) & (index.hour < 17)
    demand = np.where(busy, 400.0, 100.0) * rng.lognormal(0.0, 0.08, len(index))
    return pd.Series(demand, index=index, name="value")


def noise_trace(days: int = 30, seed: int = 1) -> pd.Series:
    rng = np.random.default_rng(seed)
    index = pd.date_range("2024-01-01", periods=days * 288, freq=STEP)
    return pd.Series(rng.lognormal(4.0, 0.3, len(index)), index=index)


PARAMS: dict[str, Any] = dict(capacity=20.0, target=0.7, min_replicas=2, max_replicas=30)


def test_slots_cover_the_horizon_from_the_last_sample() -> None:
    history = weekly_trace()
    result = forecast(history, horizon=pd.Timedelta(days=1), **PARAMS)
    assert result.slots[0].start == history.index[-1]
    assert result.slots[-1].end == history.index[-1] + pd.Timedelta(days=1)
    for a, b in zip(result.slots, result.slots[1:], strict=False):
        assert a.end == b.start
    assert all(pd.Timedelta(0) < s.end - s.start <= pd.Timedelta(hours=1) for s in result.slots)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    low=st.integers(1, 10),
    extra=st.integers(0, 20),
    capacity=st.floats(1.0, 500.0),
    target=st.floats(0.2, 1.0),
    hours=st.integers(1, 72),
    seed=st.integers(0, 3),
)
def test_floors_stay_within_bounds_and_slots_cover(
    low: int, extra: int, capacity: float, target: float, hours: int, seed: int
) -> None:
    history = weekly_trace(days=22, seed=seed)
    horizon = pd.Timedelta(hours=hours)
    result = forecast(history, horizon=horizon, capacity=capacity, target=target,
                      min_replicas=low, max_replicas=low + extra)
    assert all(low <= s.min_replicas <= low + extra for s in result.slots)
    assert result.slots[0].start == history.index[-1]
    assert result.slots[-1].end == history.index[-1] + horizon
    assert all(s.upper >= s.predicted >= 0 for s in result.slots)


@settings(max_examples=10, deadline=None)
@given(cut_days=st.integers(8, 30), seed=st.integers(0, 2))
def test_no_use_of_data_after_the_history(cut_days: int, seed: int) -> None:
    """Whatever comes after the cut (here: a wild burst) cannot change the forecast made at the cut."""
    full = weekly_trace(days=35, seed=seed)
    cut = full.index[0] + pd.Timedelta(days=cut_days)
    past = full[full.index < cut]
    future = full.copy()
    future[future.index >= cut] *= 50
    a = forecast(past, horizon=pd.Timedelta(days=1), **PARAMS)
    b = forecast(future[future.index < cut], horizon=pd.Timedelta(days=1), **PARAMS)
    assert a.as_json() == b.as_json()


def test_rolling_simulation_uses_only_the_past() -> None:
    from tenantctl.forecast.simulate import run

    history = weekly_trace(days=28)
    changed = history.copy()
    last_day = changed.index[-1] - pd.Timedelta(days=1)
    changed[changed.index > last_day] *= 20  # only the last held-out day differs
    a = run(history, capacity=20.0, target=0.7, min_replicas=1, max_replicas=100)
    b = run(changed, capacity=20.0, target=0.7, min_replicas=1, max_replicas=100)
    same = a.index <= last_day - pd.Timedelta(minutes=5)
    assert np.array_equal(a.floor[same], b.floor[same])


def test_deterministic() -> None:
    history = weekly_trace()
    one = forecast(history, horizon=pd.Timedelta(days=2), **PARAMS).as_json()
    two = forecast(history.copy(), horizon=pd.Timedelta(days=2), **PARAMS).as_json()
    assert one == two


def test_weekly_rhythm_schedule_rises_before_the_peak() -> None:
    """History ends Sunday night; Monday's 09:00 jump must be in the floor at 09:00, not after."""
    history = weekly_trace(days=35)  # 2024-01-01 is a Monday: 35 days end on Sunday 23:55
    assert history.index[-1].dayofweek == 6
    result = forecast(history, horizon=pd.Timedelta(days=1), **PARAMS)
    assert result.model["rhythm"] in {"weekly", "daily"}
    assert result.model["floor"] == "on"
    by_start = {s.start: s for s in result.slots}
    monday = history.index[-1].normalize() + pd.Timedelta(days=1)
    need = math.ceil(400 / (PARAMS["capacity"] * PARAMS["target"]))
    assert by_start[monday + pd.Timedelta(hours=9)].min_replicas >= need  # already up when the peak starts
    assert by_start[monday + pd.Timedelta(hours=3)].min_replicas < need  # and not all night
    assert by_start[monday + pd.Timedelta(hours=9)].predicted > 3 * by_start[monday + pd.Timedelta(hours=3)].predicted


def test_weekly_rhythm_beats_the_frontier_in_replay() -> None:
    from tenantctl.forecast.simulate import run

    simulation = run(weekly_trace(days=35), capacity=20.0, target=0.7, min_replicas=1, max_replicas=100)
    assert simulation.rhythm in {"weekly", "daily"}
    assert simulation.reactive.under > 0  # reactive misses every 09:00 jump
    assert simulation.predictive.under < 0.5 * simulation.frontier_under


def test_weekly_schedule_blocks_are_crons_in_the_schema_format() -> None:
    from spec.models import ScheduleBlock

    result = forecast(weekly_trace(), horizon=pd.Timedelta(days=7), **PARAMS)
    schedule = weekly_schedule(result, min_replicas=PARAMS["min_replicas"])
    assert 0 < len(schedule) <= 28
    for entry in schedule:
        ScheduleBlock.model_validate(entry)
    need = math.ceil(400 / (PARAMS["capacity"] * PARAMS["target"]))
    monday = pd.Timestamp("2024-02-05")  # a Monday after the history
    # KEDA's reading of the crons: the floor in force at each instant of Monday's first busy minutes
    assert all(active_floor(schedule, monday + pd.Timedelta(hours=9, minutes=m)) >= need for m in range(10)), schedule
    assert active_floor(schedule, monday + pd.Timedelta(hours=3)) < need, schedule


def active_floor(schedule: list[dict[str, object]], instant: pd.Timestamp) -> int:
    """The highest ``desired_replicas`` of the entries whose cron start fired more recently than their end."""
    from croniter import croniter

    floors = [0]
    moment = (instant + pd.Timedelta(seconds=1)).to_pydatetime()  # a block starting at ``instant`` is in force
    for entry in schedule:
        started = croniter(str(entry["start"]), moment).get_prev(pd.Timestamp)
        ended = croniter(str(entry["end"]), moment).get_prev(pd.Timestamp)
        if started > ended:
            floors.append(int(str(entry["desired_replicas"])))
    return max(floors)


def test_short_history_falls_back_and_says_so() -> None:
    history = weekly_trace(days=3)
    result = forecast(history, horizon=pd.Timedelta(days=1), **PARAMS)
    assert result.model.get("fallback")
    assert str(MIN_HISTORY.days) in result.model["fallback"]
    assert all(s.min_replicas == PARAMS["min_replicas"] for s in result.slots)
    assert result.slots[-1].end == history.index[-1] + pd.Timedelta(days=1)


def test_no_rhythm_does_not_claim_one() -> None:
    result = forecast(noise_trace(), horizon=pd.Timedelta(days=1), **PARAMS)
    assert result.model["rhythm"] == "none"


def test_survives_gaps_outages_and_bursts() -> None:
    history = weekly_trace(days=35)
    history = history.drop(history.index[2000:3500])  # a five-day gap
    history.iloc[5000:5100] = 0.0  # an outage
    history.iloc[6000:6010] *= 100  # a burst
    result = forecast(history, horizon=pd.Timedelta(days=1), **PARAMS)
    assert all(np.isfinite([s.predicted, s.upper]).all() for s in result.slots)
    assert result.model["gaps"] > 0
    assert all(PARAMS["min_replicas"] <= s.min_replicas <= PARAMS["max_replicas"] for s in result.slots)


def test_regularize_keeps_gaps_as_nan() -> None:
    history = weekly_trace(days=2).drop(weekly_trace(days=2).index[10:20])
    regular = regularize(history)
    assert regular.step == STEP
    assert int(regular.values.isna().sum()) == 10


def test_sixty_day_file_is_fast() -> None:
    import time

    history = weekly_trace(days=60)
    started = time.perf_counter()
    forecast(history, horizon=pd.Timedelta(days=1), **PARAMS)
    assert time.perf_counter() - started < 5


@pytest.mark.parametrize("bad", [dict(capacity=0.0), dict(target=1.5), dict(min_replicas=5, max_replicas=2)])
def test_rejects_bad_parameters(bad: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        forecast(weekly_trace(days=8), horizon=pd.Timedelta(days=1), **{**PARAMS, **bad})
