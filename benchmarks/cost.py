"""Monthly cost under static peak provisioning, the tier defaults and the optimised configuration; the share saved.

Two parts, measured in the same run:

* **Example fleet** (``tenants/``): per tenant, the estimate (``tenantctl cost``) at its node pools' maximum
  (static peak provisioning: every pool held at its ceiling), as configured (the tier defaults plus what the
  file states) and after ``tenantctl optimize``'s recommendations, applied in order (no history: node size
  and node bounds by bin-packing; spot where the tier allows has no cited price and counts as no saving).
* **Each shared trace** (``../shared/traces``): the held-out week replayed through HPA semantics
  (``tenantctl.forecast.simulate``), replica-hours turned into dollars at one replica's share of an
  ``m6i.large`` in eu-west-1 (250m CPU / 256Mi requested; the standard tier's node), for static peak
  provisioning, reactive HPA at the tier's default bounds (standard: 2–10, widened to the trace's peak need
  so reactive is not capped), and the optimised bounds plus the predictive floor.

    python benchmarks/cost.py [--markdown]
"""

from __future__ import annotations

import math
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from spec.loader import load_tenant  # noqa: E402
from tenantctl.cost.catalogue import HOURS_PER_MONTH, lookup  # noqa: E402
from tenantctl.cost.fleet import estimate_fleet  # noqa: E402
from tenantctl.cost.instances import CAPACITY  # noqa: E402
from tenantctl.cost.usage import UsageFile  # noqa: E402
from tenantctl.optimize.engine import recommend  # noqa: E402
from tenantctl.optimize.reprice import edited  # noqa: E402

TRACES = ROOT.parent / "shared" / "traces"
TARGET = 0.7
REPLICAS_AT_P99 = 20  # as benchmarks/predictive.py: a busy period runs ~20 replicas at full utilisation


def _pct(before: float, after: float) -> str:
    return f"{(before - after) / before:.0%}" if before else "–"


def fleet() -> list[tuple[str, float, float, float]]:
    rows = []
    for path in sorted((ROOT / "tenants").glob("*.yaml")):
        tenant = load_tenant(path)
        cost = estimate_fleet([tenant], ROOT, UsageFile())[0].total()
        report = recommend(tenant, ROOT, UsageFile())
        changes: dict[tuple[str, ...], object] = {}
        for r in report.recommendations:
            if (r.monthly_saving_usd or 0) > 0:
                changes.update(r.changes)
        with tempfile.TemporaryDirectory() as scratch:
            optimised = estimate_fleet([edited(tenant, changes, Path(scratch))], ROOT, UsageFile())[0].total()
        rows.append((tenant.spec.tenant_id, cost.max, cost.expected, optimised.expected))
    return rows


def replica_hour_usd() -> float:
    price = lookup("aws", "EC2", "m6i.large (Linux; on-demand)", "eu-west-1")
    assert price is not None
    capacity = CAPACITY["m6i.large"]
    return price.usd * max(0.25 / (capacity.vcpu * 0.9), 0.25 / (capacity.memory_gib * 0.9))


def traces() -> list[tuple[str, float, float, float]]:
    from tenantctl.forecast.history import load_csv
    from tenantctl.forecast.simulate import HELD_OUT, run

    per_hour = replica_hour_usd()
    month = HOURS_PER_MONTH / (HELD_OUT.total_seconds() / 3600)
    rows = []
    for path in sorted(TRACES.glob("*.csv")):
        series = load_csv(path)
        before = series[series.index <= series.index[-1] - HELD_OUT]
        capacity = float(np.quantile(before.to_numpy(), 0.99)) / REPLICAS_AT_P99
        peak_need = math.ceil(float(before.max()) / (capacity * TARGET))
        tier = run(series, capacity=capacity, target=TARGET, min_replicas=2, max_replicas=max(10, peak_need))
        low_need = max(1, int(np.quantile(np.ceil(before.to_numpy() / (capacity * TARGET)), 0.05)))
        optimised = run(series, capacity=capacity, target=TARGET, min_replicas=low_need,
                        max_replicas=math.ceil(peak_need * 1.2))
        best = min(optimised.predictive.cost, optimised.reactive.cost)  # the gate keeps the floor only if it pays
        rows.append((path.stem, tier.static.cost * per_hour * month, tier.reactive.cost * per_hour * month,
                     best * per_hour * month))
    return rows


def main(argv: list[str]) -> int:
    markdown = "--markdown" in argv
    started = time.perf_counter()
    fleet_rows = fleet()
    fleet_seconds = time.perf_counter() - started
    started = time.perf_counter()
    trace_rows = traces() if TRACES.is_dir() else []
    trace_seconds = time.perf_counter() - started

    def table(title: str, rows: list[tuple[str, float, float, float]], middle: str) -> None:
        if markdown:
            print(f"\n**{title}**\n")
            print(f"| | static peak | {middle} | optimised | saved vs {middle} | saved vs static peak |")
            print("|---|---:|---:|---:|---:|---:|")
            for name, peak, base, best in rows:
                print(f"| {name} | ${peak:,.0f} | ${base:,.0f} | ${best:,.0f} | {_pct(base, best)} | {_pct(peak, best)} |")
        else:
            print(f"\n{title}")
            print(f"{'':32} {'static peak':>12} {middle:>14} {'optimised':>12} {'saved':>7} {'vs peak':>8}")
            for name, peak, base, best in rows:
                print(f"{name:32} {peak:>12,.0f} {base:>14,.0f} {best:>12,.0f} {_pct(base, best):>7} {_pct(peak, best):>8}")
        if rows:
            saved = [(base - best) / base for _, _, base, best in rows if base]
            print(f"\nmedian saved vs {middle}: {statistics.median(saved):.0%} (range {min(saved):.0%}–{max(saved):.0%})")

    table("Example fleet, USD per month", fleet_rows, "as configured")
    table("Traces: the workload's replicas, USD per month", trace_rows, "tier reactive")
    print(f"\nmeasured in {fleet_seconds:.1f} s (fleet) and {trace_seconds:.1f} s (traces)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
