"""Predictive autoscaling: demand history → forecast → schedule of replica floors, and its replay.

``history`` loads and regularises demand (CSV or Prometheus), ``model`` forecasts it
and turns upper quantiles into per-slot ``min_replicas``, ``schedule`` compacts a week
of floors into the tenant schema's cron blocks and ``simulate`` replays a trace through
HPA semantics to compare reactive and predictive scaling at equal cost.
"""

from __future__ import annotations

import importlib
from typing import Any

# Loaded on first use: the CLI imports every command at start, and ``validate`` must not pay
# for pandas and numpy.
_HOMES = {
    "Forecast": "model", "Slot": "model", "forecast": "model",
    "HistoryError": "errors", "load_csv": "history", "load_prometheus": "history", "regularize": "history",
    "weekly_schedule": "schedule",
    "Simulation": "simulate", "replay": "simulate", "run": "simulate",
}
__all__ = sorted(_HOMES)


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_HOMES[name]}"), name)
