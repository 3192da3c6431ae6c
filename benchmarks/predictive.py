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
linearly interpolated at the predictive's replica-hours, their ratio (< 1: predictive
wins; ≤ 0.5 is the goal on rhythmic traces), replica-hours against reactive HPA at 70 %
and against static peak provisioning (at most 70 %), the rhythm detected and the seconds
of one day-ahead ``forecast()`` on the whole trace (whose next day must be covered by the
slots: every sample ``last + k·step`` up to ``last + 1 day``).

    python benchmarks/predictive.py [TRACES_FOLDER] [--markdown]
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tenantctl.forecast.history import load_csv, regularize  # noqa: E402
from tenantctl.forecast.model import forecast  # noqa: E402
from tenantctl.forecast.simulate import HELD_OUT, run  # noqa: E402

DAY = pd.Timedelta(days=1)

TARGET = 0.7
REPLICAS_AT_P99 = 20
MIN_REPLICAS, MAX_REPLICAS = 1, 200
DEFAULT_TRACES = ROOT.parent / "shared" / "traces"


def capacity_for(series: pd.Series) -> float:
    before = series[series.index <= series.index[-1] - HELD_OUT]
    return float(np.quantile(before.to_numpy(), 0.99)) / REPLICAS_AT_P99


def main(argv: list[str]) -> int:
    markdown = "--markdown" in argv
    folders = [a for a in argv if not a.startswith("--")]
    folder = Path(folders[0]) if folders else DEFAULT_TRACES
    traces = sorted(folder.glob("*.csv"))
    if not traces:
        print(f"{folder}:1: no *.csv traces", file=sys.stderr)
        return 2
    header = ("trace", "rhythm", "floor days", "predictive under", "frontier under @ equal cost", "ratio",
              "predictive replica-h", "reactive 70% replica-h / under", "predictive ÷ reactive",
              "predictive ÷ static peak", "s per forecast")
    rows = []
    for path in traces:
        series = load_csv(path)
        capacity = capacity_for(series)
        s = run(series, capacity=capacity, target=TARGET, min_replicas=MIN_REPLICAS, max_replicas=MAX_REPLICAS)
        floor_days = sum(1 for m in s.models if str(m.get("floor", "")).startswith("on"))
        ratio = "inf" if s.ratio == float("inf") else f"{s.ratio:.2f}"
        started = time.perf_counter()
        ahead = forecast(series, horizon=DAY, capacity=capacity, target=TARGET, min_replicas=MIN_REPLICAS,
                         max_replicas=MAX_REPLICAS)
        seconds = time.perf_counter() - started
        step = regularize(series).step
        samples = pd.DatetimeIndex([series.index[-1] + k * step for k in range(1, int(DAY / step) + 1)])
        ahead.floor_at(samples)  # raises if a sample of the next day is in no slot
        rows.append((path.stem, s.rhythm, f"{floor_days}/{len(s.models)}", str(s.predictive.under),
                     f"{s.frontier_under:.1f}", ratio, f"{s.predictive.cost:,.0f}",
                     f"{s.reactive.cost:,.0f} / {s.reactive.under}", f"{s.predictive.cost / s.reactive.cost:.2f}",
                     f"{s.predictive.cost / s.static.cost:.0%}", f"{seconds:.2f}"))
    if markdown:
        print("| " + " | ".join(header) + " |")
        print("|" + "|".join("---" for _ in header) + "|")
        for row in rows:
            print("| " + " | ".join(row) + " |")
    else:
        widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
        print("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
        for row in rows:
            print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
