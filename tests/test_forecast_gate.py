"""The cost-aware gate: a floor is applied only when the back-test says it is worth its replica-hours."""

from __future__ import annotations

import math
import sys
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
