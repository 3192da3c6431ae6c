"""Cost of policy enforcement per transport: session start-up and milliseconds per resource analyzed.

    python benchmarks/policy_enforcement.py [--repeats 3] [--transports grpc,inprocess]

The example tenants in tenants/ are rendered once; each repeat opens a session (the pack's own process
over gRPC, or the in-process evaluator) and analyzes every tenant (Configure, Analyze per custom
resource, AnalyzeStack). Medians over repeats, and the ratio of the two transports.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from spec.loader import load_tenants  # noqa: E402
from tenantctl.policy.enforce import enforce  # noqa: E402
from tenantctl.policy.inprocess import open_session  # noqa: E402
from tenantctl.render import render_all  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--transports", default="grpc,inprocess")
    args = parser.parse_args()
    rendered = render_all(load_tenants([ROOT / "tenants"], root=ROOT), ROOT)
    per_resource: dict[str, float] = {}
    for transport in args.transports.split(","):
        startups, costs = [], []
        analyzed = 0
        for _ in range(args.repeats):
            began = time.perf_counter()
            session = open_session(transport)
            startups.append(time.perf_counter() - began)
            try:
                began = time.perf_counter()
                verdicts = enforce(rendered, dt.date.today(), client=session)
                elapsed = time.perf_counter() - began
            finally:
                session.close()
            analyzed = sum(v.analyzed for v in verdicts)
            costs.append(elapsed / analyzed)
        per_resource[transport] = statistics.median(costs)
        print(
            f"{transport:>9}: {len(rendered)} tenants, {analyzed} resources analyzed per run; start-up "
            f"{statistics.median(startups):.3f} s; {per_resource[transport] * 1000:.2f} ms per resource "
            "(incl. its share of Configure/AnalyzeStack)"
        )
    if {"grpc", "inprocess"} <= per_resource.keys():
        print(f"grpc / inprocess: {per_resource['grpc'] / per_resource['inprocess']:.1f}x")


if __name__ == "__main__":
    main()
