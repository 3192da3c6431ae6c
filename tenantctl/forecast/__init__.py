"""Predictive autoscaling: demand history → forecast → schedule of replica floors, and its replay.

``history`` loads and regularises demand (CSV or Prometheus), ``model`` forecasts it
and turns upper quantiles into per-slot ``min_replicas``, ``schedule`` compacts a week
of floors into the tenant schema's cron blocks and ``simulate`` replays a trace through
HPA semantics to compare reactive and predictive scaling at equal cost.
"""

from tenantctl.forecast.history import HistoryError, load_csv, load_prometheus, regularize
from tenantctl.forecast.model import Forecast, Slot, forecast
from tenantctl.forecast.schedule import weekly_schedule
from tenantctl.forecast.simulate import Simulation, replay, run

__all__ = [
    "Forecast",
    "HistoryError",
    "Simulation",
    "Slot",
    "forecast",
    "load_csv",
    "load_prometheus",
    "regularize",
    "replay",
    "run",
    "weekly_schedule",
]
