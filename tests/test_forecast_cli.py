"""``tenantctl forecast`` and ``tenantctl simulate`` end to end: JSON, errors, --write keeping comments, PNG."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from tenantctl.cli import app

sys.path.insert(0, str(Path(__file__).parent))
from test_forecast_model import weekly_trace

FIXTURES = Path(__file__).parent / "fixtures" / "forecast"
runner = CliRunner()


@pytest.fixture(scope="module")
def trace_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("metrics") / "demand.csv"
    series = weekly_trace(days=28)
    frame = pd.DataFrame({"timestamp": series.index.strftime("%Y-%m-%d %H:%M:%S"), "value": series.round(3)})
    frame.to_csv(path, index=False)
    return path


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_forecast_json(trace_csv: Path) -> None:
    code, out, _ = run("forecast", "--metrics", str(trace_csv), "--capacity-per-replica", "20",
                       "--target-utilization", "0.7", "--min-replicas", "2", "--max-replicas", "30",
                       "--horizon", "1d", "--format", "json")
    assert code == 0
    payload = json.loads(out)
    slots = payload["slots"]
    assert slots[0]["start"] == "2024-01-28 23:55:00"
    assert slots[-1]["end"] == "2024-01-29 23:55:00"
    assert set(slots[0]) == {"start", "end", "min_replicas", "predicted", "upper"}
    assert all(2 <= s["min_replicas"] <= 30 for s in slots)
    assert payload["model"]["rhythm"] in {"daily", "weekly"}


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("timestamp,value\n2024-01-01 00:00:00,1\nnot-a-time,2\n", ":3: timestamp 'not-a-time'"),
        ("timestamp,value\n2024-01-01 00:00:00,1\n2024-01-01 00:05:00,-4\n", ":3: value '-4' must be"),
        ("timestamp,value\n2024-01-01 00:05:00,1\n2024-01-01 00:00:00,2\n", ":3: timestamp 2024-01-01 00:00:00 is not after"),
        ("time,val\n", ":1: header must be"),
        ("timestamp,value\n2024-01-01 00:00:00,abc\n", ":2: value 'abc' is not a number"),
    ],
)
def test_bad_csv_is_one_line_exit_2(tmp_path: Path, content: str, expected: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(content)
    code, _, err = run("forecast", "--metrics", str(path), "--capacity-per-replica", "1",
                       "--target-utilization", "0.7", "--min-replicas", "1", "--max-replicas", "3")
    assert code == 2
    assert err.strip().count("\n") == 0 and "Traceback" not in err
    assert err.startswith(str(path)) and expected in err, err


def test_bad_parameters_exit_2(trace_csv: Path) -> None:
    code, _, err = run("forecast", "--metrics", str(trace_csv), "--capacity-per-replica", "0",
                       "--target-utilization", "0.7", "--min-replicas", "1", "--max-replicas", "3")
    assert code == 2 and "--capacity-per-replica must be > 0" in err
    code, _, err = run("forecast", "--metrics", str(trace_csv / "missing.csv"), "--capacity-per-replica", "1",
                       "--target-utilization", "0.7", "--min-replicas", "1", "--max-replicas", "3")
    assert code == 2 and ":1: no such file" in err


def test_write_keeps_comments_and_order(tmp_path: Path, trace_csv: Path) -> None:
    tenant = tmp_path / "forecast-demo.yaml"
    shutil.copy(FIXTURES / "tenant-with-comments.yaml", tenant)
    before = tenant.read_text()
    code, _, err = run("forecast", str(tenant), "--metrics", str(trace_csv), "--write")
    assert code == 0, err
    after = tenant.read_text()
    for line in before.splitlines():
        if line.strip().startswith("#") or "#" in line:
            assert line in after, line
    keys = [line.split(":")[0].strip() for line in after.splitlines() if line and not line.startswith(" ")]
    assert keys[:5] == ["# yaml-language-server", "# Forecast fixture", "tenant_id", "tier", "cloud"]
    from spec.loader import load_tenant

    loaded = load_tenant(tenant)
    schedule = loaded.spec.tenant_config.autoscaling.schedule
    assert schedule and all(b.desired_replicas >= 2 for b in schedule)
    assert any(b.start.startswith("0 9 * * ") for b in schedule)
    assert after.index("schedule:") < after.index("# trailing comment on the monitoring block")
    # a second write replaces the schedule rather than appending to it
    code, _, _ = run("forecast", str(tenant), "--metrics", str(trace_csv), "--write")
    assert code == 0 and tenant.read_text().count("schedule:") == 1


def test_tenant_without_capacity_is_refused(tmp_path: Path, trace_csv: Path) -> None:
    tenant = tmp_path / "forecast-demo.yaml"
    tenant.write_text((FIXTURES / "tenant-with-comments.yaml").read_text().replace(
        "    capacity_per_replica: 25.0   # requests/s one replica serves at 100%\n", ""))
    before = tenant.read_text()
    code, _, err = run("forecast", str(tenant), "--metrics", str(trace_csv), "--write")
    assert code == 2 and "capacity_per_replica: required" in err and err.startswith(str(tenant))
    assert tenant.read_text() == before


def test_simulate_prints_table_and_writes_png(tmp_path: Path, trace_csv: Path) -> None:
    plot = tmp_path / "sim.png"
    code, out, err = run("simulate", "--metrics", str(trace_csv), "--capacity-per-replica", "20",
                         "--target-utilization", "0.7", "--plot", str(plot))
    assert code == 0, err
    assert "reactive 70%" in out and "predictive" in out and "static peak" in out
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    code, out, _ = run("simulate", "--metrics", str(trace_csv), "--capacity-per-replica", "20",
                       "--plot", str(plot), "--format", "json")
    summary = json.loads(out)
    assert summary["predictive"]["under"] <= summary["frontier_under_at_equal_cost"]
    assert np.isfinite(summary["predictive"]["cost"])


def test_simulate_needs_more_than_the_held_out_window(tmp_path: Path) -> None:
    path = tmp_path / "short.csv"
    path.write_text("timestamp,value\n2024-01-01 00:00:00,1\n2024-01-01 00:05:00,2\n")
    code, _, err = run("simulate", "--metrics", str(path), "--capacity-per-replica", "1", "--plot",
                       str(tmp_path / "x.png"))
    assert code == 2 and "held-out" in err and "Traceback" not in err


def test_an_empty_schedule_keeps_the_trailing_comment(tmp_path: Path) -> None:
    """No floor worth its cost gives ``schedule: []``; the comment after the block stays where it was."""
    from spec.loader import load_tenant
    from tenantctl.commands.forecast import write_schedule

    tenant = tmp_path / "forecast-demo.yaml"
    shutil.copy(FIXTURES / "tenant-with-comments.yaml", tenant)
    comment = "  # trailing comment on the monitoring block\n  monitoring:"
    blocks: list[dict[str, object]] = [{"start": "0 9 * * 1-5", "end": "0 17 * * 1-5", "desired_replicas": 5}]
    for schedule in ([], blocks, []):  # empty, then filled, then emptied again: the comment survives each
        write_schedule(load_tenant(tenant), schedule)
        after = tenant.read_text()
        assert after.count("# trailing comment on the monitoring block") == 1, after
        assert comment in after and after.index("schedule:") < after.index(comment), after
        assert len(load_tenant(tenant).spec.tenant_config.autoscaling.schedule) == len(schedule)


def test_json_payload_has_no_infinity_anywhere() -> None:
    import json
    import math

    from tenantctl.commands.forecast import finite

    payload = {"model": {"gate": {"price": math.inf, "holds": [1.0, math.inf], "why": "x"}}, "n": float("nan")}
    text = json.dumps(finite(payload), allow_nan=False)
    assert json.loads(text) == {"model": {"gate": {"price": None, "holds": [1.0, None], "why": "x"}}, "n": None}
