"""The seed's analytics API on top of the forecaster."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

from tenantctl.analytics import PerformanceAnalyzer, TenantAnalytics

sys.path.insert(0, str(Path(__file__).parent))
from test_forecast_model import weekly_trace


def _write(folder: Path, tenant: str, days: int = 28) -> Path:
    series = weekly_trace(days=days)
    path = folder / f"{tenant}.csv"
    pd.DataFrame({"timestamp": series.index.strftime("%Y-%m-%d %H:%M:%S"), "value": series.round(3)}).to_csv(
        path, index=False)
    return path


def test_predict_resource_needs_for_a_week(tmp_path: Path) -> None:
    path = _write(tmp_path, "acme")
    analytics = TenantAnalytics("acme", path, capacity_per_replica=20.0, min_replicas=2, max_replicas=40)
    needs = analytics.predict_resource_needs(horizon="7d")
    assert needs["tenant_id"] == "acme"
    assert needs["slots"][-1]["end"] == str(pd.Timestamp("2024-01-28 23:55:00") + pd.Timedelta(days=7))
    assert needs["peak"]["predicted"] > 300
    assert needs["schedule"], "a week or more yields a weekly schedule"


def test_analyze_and_recommend(tmp_path: Path) -> None:
    _write(tmp_path, "acme")
    advice = PerformanceAnalyzer(metrics_folder=tmp_path).analyze_and_recommend("acme")
    assert 0.5 <= advice["target_utilization"] <= 0.8
    assert 2 <= advice["min_replicas"] < advice["max_replicas"]
    assert 1 <= advice["min_nodes"] <= advice["max_nodes"]
    assert advice["strategy"] == "predictive" and advice["rhythm"] in {"daily", "weekly"}
