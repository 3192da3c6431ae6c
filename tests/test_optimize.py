"""``tenantctl optimize``: proposals from evidence, savings that are the difference of two cost estimates, safe writes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from spec.loader import load_tenant
from tenantctl.cli import app
from tenantctl.cost.fleet import estimate_fleet
from tenantctl.cost.usage import UsageFile
from tenantctl.fleet.scaling import edit_paths
from tenantctl.optimize import rules
from tenantctl.optimize.sizes import neighbour

ROOT = Path(__file__).resolve().parent.parent


def _project(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    project.mkdir()
    for name in ("Pulumi.yaml", "__main__.py"):
        shutil.copy(ROOT / name, project / name)
    for folder in ("tenants", "stacks"):
        shutil.copytree(ROOT / folder, project / folder)
    return project


@pytest.mark.parametrize(
    ("cloud", "size", "step", "expected"),
    [
        # AWS sizes step micro < small < medium < large < xlarge (RDS / ElastiCache instance-type pages).
        ("aws", "db.t4g.medium", -1, "db.t4g.small"),
        ("aws", "db.r6g.xlarge", -1, "db.r6g.large"),
        ("aws", "db.r6g.large", -1, None),  # memory-optimised classes start at large
        ("aws", "db.t4g.micro", -1, None),
        ("aws", "cache.t4g.small", 1, "cache.t4g.medium"),
        # Azure D/E v5 sizes double the vCPUs; the burstable B ladder has its own order.
        ("azure", "Standard_E8ds_v5", -1, "Standard_E4ds_v5"),
        ("azure", "Standard_D2ds_v5", -1, None),
        ("azure", "Standard_B2s", -1, "Standard_B1ms"),
        ("azure", "Premium_P2", -1, "Premium_P1"),
        # Cloud SQL custom machines: halve vCPU and memory together (odd vCPU counts cannot halve).
        ("gcp", "db-custom-8-30720", -1, "db-custom-4-15360"),
        ("gcp", "db-custom-1-3840", -1, None),
        ("gcp", "db-custom-2-7680", 1, "db-custom-4-15360"),
        ("aws", "not-a-class", -1, None),
    ],
)
def test_size_ladders_move_one_step_within_the_family(cloud: str, size: str, step: int, expected: str | None) -> None:
    assert neighbour(cloud, size, step) == expected


def test_replica_bounds_follow_the_history_with_headroom() -> None:
    tenant = load_tenant(ROOT / "tenants" / "acme-standard.yaml")
    index = pd.date_range("2026-01-01", periods=21 * 288, freq="5min")
    # Demand 14–50 units; one replica serves 10 at 100%, the target is the tenant's CPU threshold.
    demand = pd.Series(32 + 18 * np.sin(np.arange(len(index)) * 2 * np.pi / 288), index=index)
    target = tenant.spec.config.autoscaling.metrics.cpu_threshold / 100
    evidence = rules.replay(tenant, demand, capacity=10)
    assert evidence.peak_need == int(np.ceil(50 / (10 * target) - 1e-9))
    proposal = rules.replica_bounds(tenant, evidence, per_replica_hour=0.01)
    assert proposal is not None
    assert proposal.changes[("autoscaling", "max_replicas")] == int(np.ceil(evidence.peak_need * 1.2))
    assert proposal.changes[("autoscaling", "min_replicas")] == max(2, evidence.low_need)
    hours = proposal.evidence["replica_hours_week"]
    assert hours["reactive"] < hours["static_peak"]  # a sine wave: reactive scaling pays for less than peak all week
    assert proposal.evidence["static_peak_usd_month"] == pytest.approx(hours["static_peak"] * 730 / 168 * 0.01, abs=0.01)


def test_a_utilisation_history_resizes_the_database_one_step() -> None:
    tenant = load_tenant(ROOT / "tenants" / "acme-standard.yaml")
    index = pd.date_range("2026-01-01", periods=500, freq="5min")
    idle = rules.database_class(tenant, pd.Series(np.full(500, 12.0), index=index))
    busy = rules.database_class(tenant, pd.Series(np.full(500, 93.0), index=index))
    steady = rules.database_class(tenant, pd.Series(np.full(500, 55.0), index=index))
    current = tenant.spec.config.database.instance_class
    assert idle is not None and idle.changes == {("database", "instance_class"): neighbour("aws", current, -1)}
    assert busy is not None and busy.changes == {("database", "instance_class"): neighbour("aws", current, 1)}
    assert steady is None


def test_the_saving_is_the_difference_of_two_cost_estimates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = _project(tmp_path)
    monkeypatch.chdir(project)
    result = CliRunner().invoke(app, ["optimize", "spotify-premium", "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    node_size = next(r for r in report["recommendations"] if r["kind"] == "node-size")
    # Price the edited tenant independently, as `tenantctl cost` would.
    path = project / "tenants" / "spotify-premium.yaml"
    changes = {tuple(c["field"].split(".")[1:]): c["to"] for c in node_size["changes"]}
    before = estimate_fleet([load_tenant(path)], project, UsageFile())[0].total().expected
    edited = tmp_path / "spotify-premium.yaml"
    edited.write_text(edit_paths(path.read_text(encoding="utf-8"), changes), encoding="utf-8")
    after = estimate_fleet([load_tenant(edited)], project, UsageFile())[0].total().expected
    assert node_size["monthly_saving_usd"] == pytest.approx(before - after, abs=0.01)
    assert node_size["monthly_saving_usd"] > 0
    assert report["monthly_usd_expected"] == pytest.approx(before, abs=0.01)


def test_write_applies_keeps_comments_and_still_validates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = _project(tmp_path)
    monkeypatch.chdir(project)
    path = project / "tenants" / "spotify-premium.yaml"
    comments = [line for line in path.read_text(encoding="utf-8").splitlines() if "#" in line]
    result = CliRunner().invoke(app, ["optimize", "spotify-premium", "--only", "node-size", "--write"])
    assert result.exit_code == 0, result.output
    text = path.read_text(encoding="utf-8")
    assert all(line in text.splitlines() for line in comments)
    tenant = load_tenant(path)
    assert tenant.spec.config.cluster.instance_type != "m6i.2xlarge"
    assert "written" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["../../outside/hobby-free"], "not a tenant id"),
        (["no-such-tenant"], "tenants/no-such-tenant.yaml:1: tenant: no such tenant file"),
        (["acme-standard", "--only", "everything"], "--only:1: kind: unknown everything"),
        (["acme-standard", "--metrics", "missing.csv"], "missing.csv:1"),
        (["acme-standard", "--capacity-per-replica", "-3", "--metrics", "x.csv"], "must be > 0"),
    ],
)
def test_bad_input_exits_2_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], message: str
) -> None:
    project = _project(tmp_path)
    monkeypatch.chdir(project)
    before = {p: p.read_bytes() for p in (project / "tenants").iterdir()}
    result = CliRunner().invoke(app, ["optimize", *args, "--write"])
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert {p: p.read_bytes() for p in (project / "tenants").iterdir()} == before


def test_a_history_without_capacity_is_a_clean_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = _project(tmp_path)
    monkeypatch.chdir(project)
    index = pd.date_range("2026-01-01", periods=10 * 288, freq="5min")
    pd.DataFrame({"timestamp": index, "value": 5.0}).to_csv(project / "history.csv", index=False)
    result = CliRunner().invoke(app, ["optimize", "acme-standard", "--metrics", "history.csv"])
    assert result.exit_code == 2
    assert "capacity_per_replica" in result.stderr
