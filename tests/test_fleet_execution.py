"""Fleet logic with a fake runner: waves, parallelism bound, failure isolation, timeouts, exit codes, JSON."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from test_fleet_support import FakeRunner, project_fixture  # noqa: F401  (fixture "project")
from typer.testing import CliRunner

from spec.loader import load_tenants
from tenantctl.cli import app
from tenantctl.fleet import options, waves
from tenantctl.fleet.execute import Status
from tenantctl.fleet.options import FleetOptions, operate
from tenantctl.fleet.runner import FleetError, Operation

ALL = ["acme-standard", "ent-a", "free-a", "free-b", "hobby-free", "prem-a", "spotify-premium", "std-a"]


def tenants(root: Path):  # type: ignore[no-untyped-def]
    return load_tenants([root / "tenants"])


def test_waves_canary_percent_rest_least_critical_first(project: Path) -> None:
    planned = waves.plan_waves(tenants(project), "canary,25%,rest")
    ids = [[t.spec.tenant_id for t in wave] for wave in planned]
    assert ids == [
        ["free-a"],
        ["free-b", "hobby-free"],  # 25% of 8 = 2
        ["acme-standard", "std-a", "prem-a", "ent-a", "spotify-premium"],
    ]


def test_waves_by_tier_and_bad_specs(project: Path) -> None:
    planned = waves.plan_waves(tenants(project), by="tier")
    assert [sorted(t.spec.tier for t in wave)[0] for wave in planned] == ["free", "standard", "premium", "enterprise"]
    assert [t.spec.tenant_id for t in planned[-1]] == ["ent-a", "spotify-premium"]
    for bad in ("canary,rest,2", "0", "150%", "soon"):
        with pytest.raises(FleetError):
            waves.plan_waves(tenants(project), bad)
    with pytest.raises(FleetError):
        waves.plan_waves(tenants(project), "canary", by="tier")


def test_parallelism_is_bounded(project: Path) -> None:
    runner = FakeRunner(delay=0.15)
    result = operate(project, Operation.up, tenants(project), FleetOptions(parallel=3), runner)
    assert result.exit_code == 0
    assert sorted(runner.finished) == ALL
    assert runner.max_running == 3


def test_failure_is_isolated_and_halts_later_waves(project: Path) -> None:
    runner = FakeRunner(fail={"free-b"}, boom={"hobby-free"})
    opts = FleetOptions(parallel=4, waves="canary,25%,rest")
    result = operate(project, Operation.up, tenants(project), opts, runner)
    assert result.failed == ["free-b", "hobby-free"]
    assert result.halted_after_wave == 2
    # The rest wave never started: nothing of it reached the runner.
    assert {j.tenant_id for j in runner.jobs} == {"free-a", "free-b", "hobby-free"}
    assert result.skipped == ["acme-standard", "std-a", "prem-a", "ent-a", "spotify-premium"]
    assert result.exit_code == 1
    by_id = {r.tenant_id: r for r in result.results}
    assert by_id["free-a"].status is Status.succeeded
    assert "RuntimeError: runner bug" in (by_id["hobby-free"].error or "")
    log = Path(by_id["free-b"].log_file or "").read_text(encoding="utf-8")
    assert "up free-b" in log and "resource creation failed" in log


def test_a_hanging_tenant_times_out_without_stopping_the_others(project: Path) -> None:
    runner = FakeRunner(delay=0.05, hang={"std-a"})
    started = time.monotonic()
    result = operate(project, Operation.preview, tenants(project), FleetOptions(parallel=8, timeout="0.5s"), runner)
    assert time.monotonic() - started < 10
    assert result.failed == ["std-a"]
    by_id = {r.tenant_id: r for r in result.results}
    assert by_id["std-a"].status is Status.timed_out
    assert runner.cancelled == ["std-a"]  # the runner was told to stop
    assert sorted(runner.finished) == sorted(set(ALL) - {"std-a"})
    assert "timed out" in Path(by_id["std-a"].log_file or "").read_text(encoding="utf-8")


def test_cli_json_summary_and_exit_code(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    runner = FakeRunner(fail={"prem-a"})
    monkeypatch.setattr(options, "make_runner", lambda: runner)
    result = CliRunner().invoke(app, ["up", "--all", "--format", "json", "--parallel", "2", "--log-dir", "logs"])
    assert result.exit_code == 1, result.stderr
    document = json.loads(result.stdout)
    assert document["operation"] == "up"
    assert document["failed"] == ["prem-a"]
    assert document["exit_code"] == 1
    assert {t["tenant"] for t in document["tenants"]} == set(ALL)
    ok = next(t for t in document["tenants"] if t["tenant"] == "free-a")
    assert ok["status"] == "succeeded" and ok["changes"] == {"create": 2, "same": 5}
    assert Path(ok["log"]) == (project / "logs" / "free-a.log").resolve()
    assert "failed: prem-a" in result.stderr


def test_cli_table_success(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    runner = FakeRunner()
    monkeypatch.setattr(options, "make_runner", lambda: runner)
    result = CliRunner().invoke(app, ["preview", "hobby-free", "acme-standard"])
    assert result.exit_code == 0, result.stderr
    assert "summary" in result.stdout and "succeeded" in result.stdout
    assert sorted(j.tenant_id for j in runner.jobs) == ["acme-standard", "hobby-free"]


def test_drift_reports_tenants_and_resources(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    urn = "urn:pulumi:hobby-free::tenant-platform::aws:rds/instance:Instance::hobby-free-db"
    runner = FakeRunner(drift={"hobby-free": [urn]})
    monkeypatch.setattr(options, "make_runner", lambda: runner)
    result = CliRunner().invoke(app, ["drift", "hobby-free", "acme-standard", "--format", "json"])
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert document["drifted"] == ["hobby-free"]
    assert next(t for t in document["tenants"] if t["tenant"] == "hobby-free")["drifted_resources"] == [urn]
    assert all(j.operation is Operation.drift and j.policy_pack is None for j in runner.jobs)
    clean = CliRunner().invoke(app, ["drift", "acme-standard"])
    assert clean.exit_code == 0, clean.stderr


def test_destroy_guards(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    runner = FakeRunner()
    monkeypatch.setattr(options, "make_runner", lambda: runner)
    refused = CliRunner().invoke(app, ["destroy", "hobby-free", "acme-standard", "--yes"])
    assert refused.exit_code == 2
    assert "acme-standard" in refused.stderr and "--force" in refused.stderr
    declined = CliRunner().invoke(app, ["destroy", "hobby-free"], input="n\n")
    assert declined.exit_code == 2
    assert runner.jobs == []
    done = CliRunner().invoke(app, ["destroy", "hobby-free", "acme-standard", "--force"], input="y\n")
    assert done.exit_code == 0, done.stderr
    assert sorted(j.tenant_id for j in runner.jobs) == ["acme-standard", "hobby-free"]
    assert all(j.operation is Operation.destroy for j in runner.jobs)


def test_usage_errors_exit_2(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    runner = FakeRunner()
    monkeypatch.setattr(options, "make_runner", lambda: runner)
    for args in (["up"], ["up", "nobody"], ["up", "--all", "--waves", "later"], ["up", "--all", "--timeout", "soon"]):
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 2, args
        assert result.stderr.startswith("error: "), args
    assert runner.jobs == []
