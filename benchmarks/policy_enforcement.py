"""Cost of policy enforcement: pack start-up (process to GetAnalyzerInfo) and seconds per resource analyzed.

    python benchmarks/policy_enforcement.py [--repeats 5]

Medians over repeats; the example tenants in tenants/ are rendered once and analyzed per repeat.
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
from tenantctl.policy.client import PackClient  # noqa: E402
from tenantctl.policy.enforce import enforce  # noqa: E402
from tenantctl.render import render_all  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    rendered = render_all(load_tenants([ROOT / "tenants"], root=ROOT), ROOT)
    startups, per_resource = [], []
    analyzed = 0
    for _ in range(args.repeats):
        began = time.perf_counter()
        client = PackClient().start()
        startups.append(time.perf_counter() - began)
        try:
            began = time.perf_counter()
            verdicts = enforce(rendered, dt.date.today(), client=client)
            elapsed = time.perf_counter() - began
        finally:
            client.close()
        analyzed = sum(v.analyzed for v in verdicts)
        per_resource.append(elapsed / analyzed)
    print(f"tenants: {len(rendered)}, resources analyzed per run: {analyzed}, repeats: {args.repeats}")
    print(f"pack start-up: median {statistics.median(startups):.3f} s")
    print(
        f"per resource analyzed (incl. share of Configure/AnalyzeStack): median {statistics.median(per_resource) * 1000:.2f} ms"
    )


if __name__ == "__main__":
    main()
