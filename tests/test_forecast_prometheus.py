"""The Prometheus history path against a real Prometheus server started by the test.

Needs Debian's ``prometheus`` package (``.ci/install-prometheus.sh``); skips with a reason otherwise.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from tenantctl.cli import app

sys.path.insert(0, str(Path(__file__).parent))
from test_forecast_model import weekly_trace

PROMETHEUS, PROMTOOL = shutil.which("prometheus"), shutil.which("promtool")
pytestmark = pytest.mark.skipif(
    not (PROMETHEUS and PROMTOOL),
    reason="prometheus/promtool not installed (run .ci/install-prometheus.sh)",
)
START = "2024-01-01 00:00:00"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, pd.Series]]:
    folder = tmp_path_factory.mktemp("prometheus")
    series = weekly_trace(days=10, start=START).round(3)
    lines = ["# HELP tenant_demand Demand.", "# TYPE tenant_demand gauge"]
    lines += [f"tenant_demand {value} {int(ts.timestamp())}" for ts, value in series.items()]
    (folder / "demand.om").write_text("\n".join(lines) + "\n# EOF\n")
    data = folder / "data"
    subprocess.run([str(PROMTOOL), "tsdb", "create-blocks-from", "openmetrics", str(folder / "demand.om"), str(data)],
                   check=True, capture_output=True, timeout=120)
    (folder / "prometheus.yml").write_text("global:\n  scrape_interval: 1h\nscrape_configs: []\n")
    port = free_port()
    process = subprocess.Popen(
        [str(PROMETHEUS), f"--config.file={folder / 'prometheus.yml'}", f"--storage.tsdb.path={data}",
         f"--web.listen-address=127.0.0.1:{port}", "--storage.tsdb.retention.time=100y"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/-/ready", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.skip("prometheus did not become ready")
            time.sleep(0.3)
        yield url, series
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def test_prometheus_history_matches_the_csv(server: tuple[str, pd.Series], tmp_path: Path) -> None:
    url, series = server
    csv = tmp_path / "demand.csv"
    frame = pd.DataFrame({"timestamp": series.index.strftime("%Y-%m-%d %H:%M:%S"), "value": series.to_numpy()})
    frame.to_csv(csv, index=False)
    common = ["--capacity-per-replica", "20", "--target-utilization", "0.7", "--min-replicas", "1",
              "--max-replicas", "40", "--horizon", "1d", "--format", "json"]
    runner = CliRunner()
    from_prom = runner.invoke(app, ["forecast", "--prometheus", url, "--query", "tenant_demand",
                                    "--until", str(series.index[-1]), "--lookback", "10d", *common])
    assert from_prom.exit_code == 0, from_prom.stderr
    from_csv = runner.invoke(app, ["forecast", "--metrics", str(csv), *common])
    a, b = json.loads(from_prom.stdout), json.loads(from_csv.stdout)
    assert a["slots"][-1]["end"] == b["slots"][-1]["end"]
    assert [s["min_replicas"] for s in a["slots"]] == [s["min_replicas"] for s in b["slots"]]
    assert a["model"]["rhythm"] == b["model"]["rhythm"]


def test_bad_query_is_a_one_line_error(server: tuple[str, pd.Series]) -> None:
    url, series = server
    result = CliRunner().invoke(app, ["forecast", "--prometheus", url, "--query", "sum(", "--until",
                                      str(series.index[-1]), "--capacity-per-replica", "1", "--target-utilization",
                                      "0.7", "--min-replicas", "1", "--max-replicas", "3"])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"{url}:1: query failed") and result.stderr.count("\n") == 1
