"""The seed's analytics API, on top of ``tenantctl.forecast``.

::

    TenantAnalytics("acme-standard").predict_resource_needs(horizon="7d")
    PerformanceAnalyzer().analyze_and_recommend("acme-standard")

A tenant's demand history is read from ``metrics_path`` when given, else from
``metrics/<tenant_id>.csv`` under the project root (CSV ``timestamp,value``, the demand
metric that ``capacity_per_replica`` is expressed in). Parameters (capacity, target
utilisation, replica bounds) come from ``tenants/<tenant_id>.yaml`` when it exists;
explicit arguments win.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from spec.durations import parse_duration
from spec.loader import load_tenant
from tenantctl.common import project_root
from tenantctl.forecast.history import load_csv, regularize
from tenantctl.forecast.model import forecast
from tenantctl.forecast.schedule import weekly_schedule

METRICS_FOLDER = "metrics"


def default_metrics_path(tenant_id: str) -> Path:
    """Where a tenant's history lives unless told otherwise: ``metrics/<tenant_id>.csv``."""
    return project_root() / METRICS_FOLDER / f"{tenant_id}.csv"


@dataclass(frozen=True)
class _Parameters:
    capacity: float | None
    target: float
    min_replicas: int
    max_replicas: int
    min_nodes: int | None
    max_nodes: int | None


def _parameters(tenant_id: str, tenants_folder: Path | None) -> _Parameters:
    path = (tenants_folder or project_root() / "tenants") / f"{tenant_id}.yaml"
    if not path.is_file():
        return _Parameters(None, 0.7, 1, 10, None, None)
    spec = load_tenant(path).spec
    scaling = spec.tenant_config.autoscaling
    cluster = getattr(spec.tenant_config, "cluster", None)
    return _Parameters(
        scaling.capacity_per_replica,
        scaling.metrics.cpu_threshold / 100,
        scaling.min_replicas,
        scaling.max_replicas,
        getattr(cluster, "min_nodes", None),
        getattr(cluster, "max_nodes", None),
    )


class TenantAnalytics:
    """Forecasts for one tenant from its demand history."""

    def __init__(
        self,
        tenant_id: str,
        metrics_path: Path | str | None = None,
        *,
        capacity_per_replica: float | None = None,
        min_replicas: int | None = None,
        max_replicas: int | None = None,
        target_utilization: float | None = None,
        tenants_folder: Path | None = None,
    ) -> None:
        self.tenant_id = tenant_id
        self.metrics_path = Path(metrics_path) if metrics_path else default_metrics_path(tenant_id)
        p = _parameters(tenant_id, tenants_folder)
        self.parameters = _Parameters(
            p.capacity,
            target_utilization if target_utilization is not None else p.target,
            min_replicas if min_replicas is not None else p.min_replicas,
            max_replicas if max_replicas is not None else p.max_replicas,
            p.min_nodes,
            p.max_nodes,
        )
        self.capacity = capacity_per_replica or self.parameters.capacity

    def history(self) -> pd.Series:
        return load_csv(self.metrics_path)

    def predict_resource_needs(self, horizon: str = "7d") -> dict[str, Any]:
        """Forecast slots, peak demand and replica floors for ``horizon``; a weekly schedule when ≥ 7 days.

        Without ``capacity_per_replica`` (tenant file or argument) the replica floors are
        computed for one demand unit per replica and flagged as such.
        """
        series = self.history()
        span = pd.Timedelta(parse_duration(horizon))
        p = self.parameters
        capacity = self.capacity or 1.0
        result = forecast(series, horizon=span, capacity=capacity, target=p.target,
                          min_replicas=p.min_replicas, max_replicas=p.max_replicas)
        peak = max(result.slots, key=lambda s: s.upper)
        out: dict[str, Any] = {
            "tenant_id": self.tenant_id,
            "horizon": horizon,
            "capacity_per_replica": self.capacity,
            "peak": {"start": str(peak.start), "predicted": peak.predicted, "upper": peak.upper,
                     "replicas": math.ceil(peak.upper / (capacity * p.target) - 1e-9)},
            "max_min_replicas": max(s.min_replicas for s in result.slots),
            **result.as_json(),
        }
        if self.capacity is None:
            out["warning"] = "capacity_per_replica unknown: replica counts assume 1 demand unit per replica"
        if span >= pd.Timedelta(days=7):
            out["schedule"] = weekly_schedule(result, min_replicas=p.min_replicas)
        return out


class PerformanceAnalyzer:
    """Recommends autoscaling bounds and a target utilisation from a tenant's history."""

    def __init__(self, metrics_folder: Path | None = None, tenants_folder: Path | None = None) -> None:
        self.metrics_folder = metrics_folder
        self.tenants_folder = tenants_folder

    def analyze_and_recommend(
        self, tenant_id: str, metrics_path: Path | str | None = None, *, pods_per_node: int = 8
    ) -> dict[str, Any]:
        """min/max replicas, node bounds and target utilisation from the demand history.

        * target utilisation: the highest of 50–80 % whose headroom ``1/target`` covers the
          95th percentile of step-to-step demand growth (the jump the HPA must absorb in one step);
        * min replicas: the 5th percentile of demand at that target (never below 2 for HA);
        * max replicas: 1.5 × the observed peak at that target;
        * node bounds: replicas ÷ ``pods_per_node``, at least one node per bound.
        """
        if metrics_path is None and self.metrics_folder is not None:
            metrics_path = self.metrics_folder / f"{tenant_id}.csv"
        analytics = TenantAnalytics(tenant_id, metrics_path, tenants_folder=self.tenants_folder)
        values = regularize(analytics.history()).values
        demand = values.dropna().to_numpy()
        growth = (values / values.shift(1)).replace([np.inf, -np.inf], np.nan).dropna()
        growth = growth[values.shift(1).dropna().reindex(growth.index) > np.quantile(demand, 0.1)]
        jump = float(np.quantile(growth, 0.95)) if len(growth) else 1.25
        target = 0.8
        for candidate in (0.8, 0.75, 0.7, 0.65, 0.6, 0.55, 0.5):
            target = candidate
            if 1 / candidate >= jump:
                break
        capacity = analytics.capacity or float(np.quantile(demand, 0.99)) / 10 or 1.0
        unit = capacity * target
        low = max(2, math.ceil(float(np.quantile(demand, 0.05)) / unit - 1e-9))
        high = max(low + 1, math.ceil(1.5 * float(demand.max()) / unit - 1e-9))
        rhythm = forecast(values.dropna(), horizon=pd.Timedelta(days=1), capacity=capacity, target=target,
                          min_replicas=low, max_replicas=high).model
        return {
            "tenant_id": tenant_id,
            "capacity_per_replica": capacity,
            "capacity_assumed": analytics.capacity is None,
            "target_utilization": target,
            "min_replicas": low,
            "max_replicas": high,
            "min_nodes": max(1, math.ceil(low / pods_per_node)),
            "max_nodes": max(1, math.ceil(high / pods_per_node)),
            "strategy": "predictive" if rhythm.get("floor") == "on" else "reactive",
            "rhythm": rhythm.get("rhythm"),
            "evidence": {"p95_step_growth": jump, "peak": float(demand.max()),
                         "p05": float(np.quantile(demand, 0.05)), "history_days": rhythm.get("history_days")},
        }
