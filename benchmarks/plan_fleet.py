"""Time ``tenantctl plan`` on generated fleets: seconds per tenant, resources per second, peak memory.

Each measurement is a whole ``tenantctl plan --format json`` process (imports, validation,
rendering under mocks and, once the policy pack is in place, enforcement), repeated and
reported as the median. Peak memory is the child's maximum resident set size.

    python benchmarks/plan_fleet.py                      # AWS-only fleets of 1, 10, 50
    python benchmarks/plan_fleet.py --clouds aws,azure,gcp
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TIERS = ("free", "standard", "premium", "enterprise")
REGIONS = {"aws": "eu-west-1", "azure": "westeurope", "gcp": "europe-west1"}


def write_fleet(folder: Path, count: int, clouds: list[str]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        tier = TIERS[i % len(TIERS)]
        cloud = clouds[i % len(clouds)]
        tenant = f"bench-{i:04d}"
        strategy = "predictive" if i % 3 == 0 else "reactive"
        (folder / f"{tenant}.yaml").write_text(
            f"tenant_id: {tenant}\ntier: {tier}\ncloud: {cloud}\nregion: {REGIONS[cloud]}\n"
            f"tenant_config:\n  autoscaling:\n    strategy: {strategy}\n"
            f"  monitoring:\n    alert_channels: [email, webhook]\n",
            encoding="utf-8",
        )


def run_once(folder: Path) -> tuple[float, int, int, int]:
    out = folder.parent / "plan.json"
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "tenantctl", "plan", str(folder), "--format", "json", "--output", str(out)],
        cwd=ROOT, capture_output=True, text=True, env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    elapsed = time.perf_counter() - start
    if proc.returncode not in (0, 1):  # 1 = policy violations, still a complete plan
        raise SystemExit(f"plan failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    document = json.loads(out.read_text(encoding="utf-8"))
    tenants = document["tenants"]
    resources = sum(len(t["resources"]) for t in tenants)
    return elapsed, len(tenants), resources, max(peak_kib, before)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1,10,50")
    parser.add_argument("--clouds", default="aws")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    clouds = args.clouds.split(",")
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"fleet clouds={','.join(clouds)} repeats={args.repeats} (median of whole `tenantctl plan` processes)")
    print(f"{'tenants':>7} {'resources':>9} {'seconds':>8} {'s/tenant':>8} {'res/s':>7} {'peak MiB':>8}")
    for size in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp) / "tenants"
            write_fleet(folder, size, clouds)
            runs = [run_once(folder) for _ in range(args.repeats)]
        seconds = statistics.median(r[0] for r in runs)
        resources = runs[0][2]
        # ru_maxrss of RUSAGE_CHILDREN is the largest child so far; sizes run in ascending order.
        peak = max(r[3] for r in runs) / 1024
        print(f"{size:>7} {resources:>9} {seconds:>8.2f} {seconds / size:>8.3f} {resources / seconds:>7.0f} {peak:>8.0f}")


if __name__ == "__main__":
    main()
