"""The cost-aware gate: a floor is applied only when the back-test says it is worth its replica-hours."""

from __future__ import annotations

import math
import sys
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from tenantctl.forecast import forecast

sys.path.insert(0, str(Path(__file__).parent))
from test_forecast_model import weekly_trace

PARAMS: dict[str, Any] = dict(capacity=20.0, target=0.7, min_replicas=1, max_replicas=100)
STEP = pd.Timedelta(minutes=5)
DAY = pd.Timedelta(days=1)


def flat(days: int, level: float, sigma: float, seed: int = 3) -> pd.Series:
    rng = np.random.default_rng(seed)
    index = pd.date_range("2024-01-01 00:02:53", periods=days * 288, freq=STEP)
    return pd.Series(level * rng.lognormal(0.0, sigma, len(index)), index=index)


def test_no_floor_where_reactive_is_never_under_provisioned() -> None:
    """Steady demand inside the HPA's tolerance: any floor would be pure cost."""
    history = flat(21, 300.0, 0.01)
    result = forecast(history, horizon=DAY, **PARAMS)
    gate = result.model["gate"]
    assert gate["backtest"]["reactive"]["under_steps"] == 0
    assert gate["kept"] is False and gate["reason"].startswith("dropped: ")
    assert result.model["floor"] == "off: scaling stays reactive"
    assert {s.min_replicas for s in result.slots} == {PARAMS["min_replicas"]}


def test_a_level_floor_does_not_hold_a_level_that_collapsed() -> None:
    """Noisy flat demand at ~460 that fell to ~46 four hours before the end: no floor near the old level."""
    history = flat(21, 460.0, 0.35)
    history[history.index > history.index[-1] - pd.Timedelta(hours=4)] /= 10
    result = forecast(history, horizon=DAY, **PARAMS)
    assert result.model["rhythm"] == "none"
    old_need = math.ceil(460.0 / (PARAMS["capacity"] * PARAMS["target"]))
    assert max(s.min_replicas for s in result.slots) < old_need / 2, result.model["gate"]


def test_a_weekly_floor_is_kept_and_says_why() -> None:
    result = forecast(weekly_trace(days=35), horizon=DAY, **{**PARAMS, "min_replicas": 2, "max_replicas": 30})
    gate = result.model["gate"]
    assert gate["kept"] is True and gate["reason"].startswith("kept: "), gate
    backtest = gate["backtest"]
    assert backtest["floor"]["under_steps"] < backtest["reactive"]["under_steps"]
    assert backtest["floor"]["replica_hours"] <= 0.7 * backtest["static_peak_replica_hours"]
    extra = backtest["floor"]["replica_hours"] - backtest["reactive"]["replica_hours"]
    avoided_hours = (backtest["reactive"]["under_steps"] - backtest["floor"]["under_steps"]) / 12
    mean_replicas = backtest["reactive"]["replica_hours"] / (14 * 24)
    assert extra <= 0 or extra / (avoided_hours * mean_replicas) <= 60


def test_a_spike_at_the_same_clock_minute_every_day_gets_its_own_slot() -> None:
    """Flat noisy demand plus a 10-minute job at 03:30 and 15:30 every day: only those slots are raised."""
    rng = np.random.default_rng(7)
    index = pd.date_range("2024-01-01 00:00:00", periods=28 * 288, freq=STEP)
    demand = 200.0 * rng.lognormal(0.0, 0.1, len(index))
    minute = index.hour * 60 + index.minute
    job = np.isin(minute, [3 * 60 + 30, 3 * 60 + 35, 15 * 60 + 30, 15 * 60 + 35])
    demand[job] *= 3.0
    history = pd.Series(demand, index=index)
    result = forecast(history, horizon=DAY, **PARAMS)
    assert result.model["slot_minutes"] == 5
    assert result.model["gate"]["kept"] is True, result.model["gate"]
    by_end = {(s.end.hour, s.end.minute): s.min_replicas for s in result.slots}
    spike_need = math.ceil(3 * 200.0 / PARAMS["capacity"])  # the job's demand at 100 % utilisation
    assert by_end[(3, 30)] >= spike_need and by_end[(15, 35)] >= spike_need
    quiet = [by_end[(h, m)] for h in (1, 9, 21) for m in (0, 15, 45)]
    assert max(quiet) < spike_need  # the rest of the day is not held at the job's level


def test_row_quantiles_equal_numpys() -> None:
    from tenantctl.forecast.model import _nanquantile_rows

    rng = np.random.default_rng(0)
    matrix = rng.normal(size=(40, 14))
    matrix[rng.random(matrix.shape) < 0.3] = np.nan
    matrix[5] = np.nan
    levels = np.array([0.0, 0.5, 0.9, 0.95, 1.0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=RuntimeWarning)  # the all-NaN row
        expected = np.nanquantile(matrix, levels, axis=1)
    assert np.allclose(_nanquantile_rows(matrix, levels), expected, equal_nan=True)


def test_the_cheapest_floor_within_one_standard_error_is_chosen() -> None:
    from tenantctl.forecast.model import _choose, _Verdict

    def verdict(q: float, score: float, cost: float, under: int, reference: float) -> _Verdict:
        return _Verdict(q, math.inf, True, "worth its cost", score, cost, under, 100.0, 50, 1000.0, None, reference)

    best = verdict(0.95, 0.40, 300.0, 19, 49.0)  # se = 0.4 × sqrt(1/20 + 1/50) ≈ 0.106
    near = verdict(0.8, 0.48, 200.0, 23, 49.0)  # within 0.106 of 0.40: chosen, it is cheaper
    far = verdict(0.5, 0.60, 150.0, 29, 49.0)  # beyond it
    assert _choose([best, near, far]) is near
    dropped = _Verdict(0.5, math.inf, False, "x", 0.9, 100.0, 40, 100.0, 50, 1000.0, None, 40.0)
    assert _choose([dropped, best]) is best
    assert _choose([dropped]) is dropped
