"""Predictive vs reactive autoscaling on every trace in ``../shared/traces`` (or the folder given).

Per trace: the last 7 days are held out and replayed through HPA semantics
(``tenantctl.forecast.simulate``); predictive is HPA at 70 % plus the schedule floor,
re-forecast every held-out day from the data strictly before it. The same rule for
every trace, no per-trace tuning:

* ``capacity_per_replica`` = the 99th percentile of the trace *before* the held-out
  week ÷ 20, so a busy period runs about 20 replicas at full utilisation (≈ 29 at 70 %);
* target utilisation 0.7 (the schema's default ``cpu_threshold``), ``min_replicas`` 1,
  ``max_replicas`` 200.

Printed per trace: predictive under-provisioned steps and the reactive frontier's,
linearly interpolated at the predictive's replica-hours, their ratio against the goal
(≤ 0.5 where the model found a daily or weekly rhythm, ≤ 1.1 elsewhere), replica-hours
against reactive HPA at 70 % and against static peak provisioning (at most 70 %), the
rhythm detected and the seconds of one day-ahead ``forecast()`` on the whole trace (whose
next day must be covered by the slots: every sample ``last + k·step`` up to ``last + 1 day``).

Generalisation: the model's constants were chosen on the last held-out week, so the
same replay is repeated on the week before it (the trace cut 7 days earlier, capacity
recomputed from the data before that week) for every trace long enough to leave three
weeks of history; those days were never a held-out day of the first table.

Process: one ``tenantctl forecast`` process on a generated 60-day 5-minute file
(``forecast_loader.write_trace``), wall and CPU seconds, and a fresh process timing
its phases (CLI import, forecasting imports, load, model); the loader on 200k rows.

    python benchmarks/predictive.py [TRACES_FOLDER] [--markdown] [--readme FILE.md] [--no-process]
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from forecast_loader import write_trace  # noqa: E402

from tenantctl.forecast.history import load_csv, regularize  # noqa: E402
from tenantctl.forecast.model import forecast  # noqa: E402
from tenantctl.forecast.simulate import HELD_OUT, Simulation, run  # noqa: E402

DAY = pd.Timedelta(days=1)

TARGET = 0.7
REPLICAS_AT_P99 = 20
MIN_REPLICAS, MAX_REPLICAS = 1, 200
DEFAULT_TRACES = ROOT.parent / "shared" / "traces"
STATIC_SHARE = 0.7
RHYTHM_GOAL, OTHER_GOAL = 0.5, 1.1
EARLIER = pd.Timedelta(days=7)  # the generalisation split: the week before the held-out one
MIN_EARLIER_HISTORY = pd.Timedelta(days=21)  # history left before the earlier week's first day
PROCESS_RUNS = 3


def capacity_for(series: pd.Series) -> float:
    before = series[series.index <= series.index[-1] - HELD_OUT]
    return float(np.quantile(before.to_numpy(), 0.99)) / REPLICAS_AT_P99


@dataclass(frozen=True)
class Row:
    trace: str
    simulation: Simulation
    seconds: float | None  # one day-ahead forecast on the whole trace

    @property
    def goal(self) -> float:
        return RHYTHM_GOAL if self.simulation.rhythm in {"daily", "weekly"} else OTHER_GOAL

    @property
    def met(self) -> bool:
        s = self.simulation
        return s.ratio <= self.goal and s.predictive.cost <= STATIC_SHARE * s.static.cost

    def cells(self) -> tuple[str, ...]:
        s = self.simulation
        floor_days = sum(1 for m in s.models if str(m.get("floor", "")).startswith("on"))
        ratio = "inf" if s.ratio == float("inf") else f"{s.ratio:.2f}"
        share = s.predictive.cost / s.static.cost
        return (
            self.trace, s.rhythm, f"{floor_days}/{len(s.models)}", str(s.predictive.under), f"{s.frontier_under:.1f}",
            ratio, f"≤ {self.goal:g} " + ("✓" if s.ratio <= self.goal else "✗"), f"{s.predictive.cost:,.0f}",
            f"{s.reactive.cost:,.0f} / {s.reactive.under}", f"{s.predictive.cost / s.reactive.cost:.2f}",
            f"{share:.0%} " + ("✓" if share <= STATIC_SHARE else "✗"),
            "" if self.seconds is None else f"{self.seconds:.2f}",
        )


HEADER = ("trace", "rhythm", "floor days", "predictive under", "frontier under @ equal cost", "ratio", "goal",
          "predictive replica-h", "reactive 70% replica-h / under", "predictive ÷ reactive",
          "predictive ÷ static peak (≤ 70%)", "s per forecast")


def replay(series: pd.Series) -> Simulation:
    return run(series, capacity=capacity_for(series), target=TARGET, min_replicas=MIN_REPLICAS,
               max_replicas=MAX_REPLICAS)


def day_ahead_seconds(series: pd.Series) -> float:
    """One day-ahead forecast on the whole trace; checks that every sample of the next day is covered."""
    capacity = capacity_for(series)
    params = dict(horizon=DAY, capacity=capacity, target=TARGET, min_replicas=MIN_REPLICAS,
                  max_replicas=MAX_REPLICAS)
    forecast(series, **params)  # type: ignore[arg-type]  # warm caches (first pandas calls)
    started = time.perf_counter()
    ahead = forecast(series, **params)  # type: ignore[arg-type]
    seconds = time.perf_counter() - started
    step = regularize(series).step
    samples = pd.DatetimeIndex([series.index[-1] + k * step for k in range(1, int(DAY / step) + 1)])
    ahead.floor_at(samples)  # raises if a sample of the next day is in no slot
    return seconds


def table(rows: list[Row], markdown: bool) -> str:
    lines: list[str] = []
    cells = [r.cells() for r in rows]
    if markdown:
        lines.append("| " + " | ".join(HEADER) + " |")
        lines.append("|" + "|".join("---" for _ in HEADER) + "|")
        lines.extend("| " + " | ".join(c) + " |" for c in cells)
    else:
        widths = [max(len(h), *(len(c[i]) for c in cells)) for i, h in enumerate(HEADER)]
        lines.append("  ".join(h.ljust(w) for h, w in zip(HEADER, widths, strict=True)))
        lines.extend("  ".join(v.ljust(w) for v, w in zip(c, widths, strict=True)) for c in cells)
    return "\n".join(lines)


PROBE = """
import json, sys, time
from pathlib import Path
marks = [(time.perf_counter(), time.process_time())]
from tenantctl.cli import app  # noqa: F401  (what `tenantctl` imports before any command runs)
marks.append((time.perf_counter(), time.process_time()))
import pandas as pd
from tenantctl.forecast.history import load_csv
from tenantctl.forecast.model import forecast
marks.append((time.perf_counter(), time.process_time()))
series = load_csv(Path(sys.argv[1]))
marks.append((time.perf_counter(), time.process_time()))
forecast(series, horizon=pd.Timedelta(days=1), capacity=float(sys.argv[2]), target=0.7, min_replicas=1,
         max_replicas=200)
marks.append((time.perf_counter(), time.process_time()))
names = ("cli_import", "forecast_imports", "load", "model")
out = {}
for i, name in enumerate(names):
    out[name] = marks[i + 1][0] - marks[i][0]
    out[name + "_cpu"] = marks[i + 1][1] - marks[i][1]
print(json.dumps(out))
"""

def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def process_timing() -> dict[str, float]:
    """Medians of ``PROCESS_RUNS`` runs: the ``tenantctl forecast`` process, its phases, the loader on 200k rows."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with tempfile.TemporaryDirectory() as folder:
        sixty = Path(folder) / "sixty_days.csv"
        write_trace(sixty, 60 * 288)
        series = load_csv(sixty)
        capacity = float(series.quantile(0.99)) / REPLICAS_AT_P99
        command = [sys.executable, "-m", "tenantctl", "forecast", "--metrics", str(sixty),
                   "--capacity-per-replica", f"{capacity:g}", "--target-utilization", "0.7",
                   "--min-replicas", "1", "--max-replicas", "200", "--horizon", "1d", "--format", "json"]
        walls, cpus, phases = [], [], []
        for _ in range(PROCESS_RUNS):
            cpu, started = _children_cpu(), time.perf_counter()
            subprocess.run(command, check=True, capture_output=True, cwd=ROOT, env=env)
            walls.append(time.perf_counter() - started)
            cpus.append(_children_cpu() - cpu)
            probe = subprocess.run([sys.executable, "-c", PROBE, str(sixty), f"{capacity:g}"], check=True,
                                   capture_output=True, text=True, cwd=ROOT, env=env)
            phases.append(json.loads(probe.stdout.strip().splitlines()[-1]))
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        interpreter = time.perf_counter() - started
        big = Path(folder) / "trace_200k.csv"
        write_trace(big, 200_000)
        loads, load_cpus = [], []
        for _ in range(PROCESS_RUNS):
            started, cpu = time.perf_counter(), time.process_time()
            load_csv(big)
            loads.append(time.perf_counter() - started)
            load_cpus.append(time.process_time() - cpu)
    out = {"rows": float(len(series)), "wall": statistics.median(walls), "cpu": statistics.median(cpus),
           "interpreter": interpreter, "load_200k": statistics.median(loads),
           "load_200k_cpu": statistics.median(load_cpus)}
    for key in phases[0]:
        out[key] = statistics.median(p[key] for p in phases)
    return out


def process_lines(timing: dict[str, float]) -> list[str]:
    def phase(name: str) -> str:
        return f"{timing[name]:.2f} s ({timing[name + '_cpu']:.2f} s CPU)"

    return [
        f"one `tenantctl forecast` process, 60 days × 5 min ({timing['rows']:,.0f} rows), day-ahead JSON: "
        f"{timing['wall']:.2f} s wall, {timing['cpu']:.2f} s CPU (goal < 1.5 s wall, model < 0.5 s)",
        f"its phases in a fresh process: interpreter start {timing['interpreter']:.2f} s, CLI import "
        f"{phase('cli_import')}, forecasting imports (pandas, numpy, model) {phase('forecast_imports')}, "
        f"load {phase('load')}, model {phase('model')}",
        f"loader, 200k rows: {timing['load_200k']:.2f} s ({timing['load_200k_cpu']:.2f} s CPU)",
        f"medians of {PROCESS_RUNS}; load average at the end {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs "
        "(wall figures scale with it; CPU seconds much less)",
    ]


def main(argv: list[str]) -> int:
    markdown = "--markdown" in argv
    readme = Path(argv[argv.index("--readme") + 1]) if "--readme" in argv else None
    positional = [a for i, a in enumerate(argv) if not a.startswith("--") and (i == 0 or argv[i - 1] != "--readme")]
    folder = Path(positional[0]) if positional else DEFAULT_TRACES
    traces = sorted(folder.glob("*.csv"))
    if not traces:
        print(f"{folder}:1: no *.csv traces", file=sys.stderr)
        return 2
    rows, earlier = [], []
    for path in traces:
        series = load_csv(path)
        rows.append(Row(path.stem, replay(series), day_ahead_seconds(series)))
        cut = series[series.index <= series.index[-1] - EARLIER]
        if cut.index[-1] - cut.index[0] >= HELD_OUT + MIN_EARLIER_HISTORY:
            earlier.append(Row(path.stem, replay(cut), None))
        print(f"{path.stem}: done", file=sys.stderr, flush=True)
    out = [table(rows, markdown), "",
           f"met (ratio goal and ≤ 70% of static peak): {sum(r.met for r in rows)}/{len(rows)} traces", "",
           "the week before (held-out days never used to choose the model's constants):", "",
           table(earlier, markdown), "",
           f"met: {sum(r.met for r in earlier)}/{len(earlier)} traces"]
    if "--no-process" not in argv:
        timing = process_timing()
        out += [""] + [f"- {line}" if markdown else line for line in process_lines(timing)]
    text = "\n".join(out)
    print(text)
    if readme is not None:
        readme.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
