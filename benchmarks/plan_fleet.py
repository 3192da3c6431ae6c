"""A fleet plan against the Pulumi SDK's own floor for the same resources, measured in the same run.

The fleet is the example tenants (``tenants/*.yaml``) replicated under new ids until it holds N
tenants. For each N:

- **plan**: one whole ``tenantctl plan DIR --format json`` process (start-up, validation,
  rendering under mocks, policy enforcement), wall seconds; peak RSS of the largest process and of
  the whole process tree (workers and the pack included, sampled from ``/proc``).
- **floor**: what any typed Pulumi program pays for exactly the plan's resources, in a fresh
  process: *load* imports the typed SDK class of every type the plan holds; *register* registers the
  plan's own resources, with the same inputs, as plain ``pulumi.CustomResource``s (components as
  ``ComponentResource``s) under the SDK's mocks, one stack per tenant as the plan does.
- **ratio** plan / floor, ms per resource, and the per-tenant slope of both (least squares over N).

Then ``tenantctl validate`` of 100 files. Medians over ``--repeats``; the machine is shared, so compare
ratios from one run rather than absolute seconds across runs. CPU seconds (user + system, children
included) are printed too: on a saturated machine they are the steadier figure (a plan with workers
spends more CPU than wall time; its wall ratio is the one the issue sets).

    python benchmarks/plan_fleet.py                      # N = 1, 10, 30, 100
    python benchmarks/plan_fleet.py --long               # ... and 500
    python benchmarks/plan_fleet.py --sizes 30 --repeats 3 --plan-args "--jobs 1"
"""

from __future__ import annotations

import argparse
import json
import keyword
import os
import re
import resource
import shlex
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
ENV = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONWARNINGS": "ignore"}


# --------------------------------------------------------------------------- fleet


def write_fleet(folder: Path, count: int) -> None:
    """``count`` tenant files: the examples in order, each copy under a new id (``<example>-r<k>``)."""
    folder.mkdir(parents=True, exist_ok=True)
    examples = sorted((ROOT / "tenants").glob("*.yaml"))
    for i in range(count):
        source = examples[i % len(examples)]
        tenant = f"{source.stem}-r{i // len(examples)}"
        text = re.sub(r"(?m)^tenant_id:.*$", f"tenant_id: {tenant}", source.read_text(encoding="utf-8"), count=1)
        (folder / f"{tenant}.yaml").write_text(text, encoding="utf-8")


# --------------------------------------------------------------------------- process measurement


def _tree_rss_kib(root_pid: int) -> int:
    """Resident memory of ``root_pid`` and every descendant, from /proc (0 where /proc is absent)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            stat = (entry / "stat").read_text()
            status = (entry / "status").read_text()
        except OSError:
            continue
        pid = int(entry.name)
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(pid)
        found = re.search(r"VmRSS:\s+(\d+)", status)
        rss[pid] = int(found.group(1)) if found else 0
    total, todo = 0, [root_pid]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo.extend(children.get(pid, []))
    return total


@dataclass
class Run:
    seconds: float
    cpu: float  # user + system seconds of the process and its waited-for children (workers, the pack)
    peak_process_mib: float
    peak_tree_mib: float
    returncode: int
    stderr: str


def run_measured(argv: list[str]) -> Run:
    """Run ``argv`` in the project folder: wall seconds, peak RSS of its largest process and of its tree."""
    began = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=ROOT, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    peak_tree = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak_tree
        while not stop.wait(0.25):
            peak_tree = max(peak_tree, _tree_rss_kib(proc.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stderr = proc.stderr.read() if proc.stderr else ""
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - began
    stop.set()
    sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    # ru_maxrss (KiB on Linux) of a waited child covers it and its waited-for descendants.
    cpu = usage.ru_utime + usage.ru_stime
    return Run(seconds, cpu, usage.ru_maxrss / 1024, max(peak_tree, usage.ru_maxrss) / 1024, proc.returncode, stderr)


# --------------------------------------------------------------------------- the floor (runs in its own process)


def _class_of(type_: str) -> tuple[str, str] | None:
    """``aws:ec2/vpc:Vpc`` → (``pulumi_aws.ec2``, ``Vpc``); ``kubernetes:core/v1:Namespace`` →
    (``pulumi_kubernetes.core.v1``, ``Namespace``); None for types no SDK class stands for."""
    package, module, name = type_.split(":")
    if package == "pulumi":
        return (f"pulumi_{name.replace('-', '_')}", "Provider") if module == "providers" else None
    parts = [p for p in module.split("/") if p]
    if package == "kubernetes":  # ``networking.k8s.io/v1`` → ``networking.v1``; CRDs → apiextensions
        parts = [parts[0].split(".")[0], *parts[1:]]
    # aws/gcp/random tokens name the class's file last (``ec2/vpc``); kubernetes/azure-native name the module only.
    elif len(parts) > 1 and parts[-1].lower() == name.lower():
        parts = parts[:-1]
    parts = [p for p in parts if p != "index"]
    # Python keywords get a trailing underscore (``pulumi_aws.lambda_``).
    parts = [f"{p}_" if keyword.iskeyword(p) else p for p in parts]
    return ".".join([f"pulumi_{package.replace('-', '_')}", *parts]), name


def _load_classes(types: set[str]) -> int:
    import importlib

    loaded = 0
    for type_ in sorted(types):
        found = _class_of(type_)
        if found is None:
            continue
        try:
            getattr(importlib.import_module(found[0]), found[1])
        except (ImportError, AttributeError):
            if not type_.startswith("kubernetes:"):
                raise
            # A custom resource definition's kind renders through the generic class.
            importlib.import_module("pulumi_kubernetes.apiextensions").CustomResource  # noqa: B018
        loaded += 1
    return loaded


def floor(plan_path: Path) -> dict[str, Any]:
    """Load the plan's typed SDK classes, then register its resources as plain resources under mocks."""
    import asyncio

    began, cpu_began = time.perf_counter(), time.process_time()
    import pulumi

    document = json.loads(plan_path.read_text(encoding="utf-8"))
    tenants = document["tenants"]
    loaded = _load_classes({r["type"] for t in tenants for r in t["resources"] if r["custom"]})
    load_seconds, load_cpu = time.perf_counter() - began, time.process_time() - cpu_began

    class Mocks(pulumi.runtime.Mocks):
        def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
            return f"{args.name}-id", dict(args.inputs)

        def call(self, args: pulumi.runtime.MockCallArgs) -> dict[str, Any]:  # type: ignore[override]
            return {}

    began, cpu_began = time.perf_counter(), time.process_time()
    count = 0
    for tenant in tenants:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        stack = tenant["stack"]
        pulumi.runtime.reset_options(project="tenant-platform", stack=stack, preview=False)
        pulumi.runtime.set_mocks(Mocks(), project="tenant-platform", stack=stack, preview=False)

        def program(resources: list[dict[str, Any]] = tenant["resources"]) -> None:
            for r in resources:
                if r["custom"]:
                    pulumi.CustomResource(r["type"], r["name"], dict(r["inputs"]))
                else:
                    pulumi.ComponentResource(r["type"], r["name"], None)

        pulumi.runtime.test(program)()
        count += len(tenant["resources"])
        loop.close()
        asyncio.set_event_loop(None)
    return {
        "load": load_seconds, "register": time.perf_counter() - began, "classes": loaded, "resources": count,
        # CPU seconds from the process start (interpreter start-up included, as in the plan's figure).
        "cpu": resource.getrusage(resource.RUSAGE_SELF).ru_utime + resource.getrusage(resource.RUSAGE_SELF).ru_stime,
        "load_cpu": load_cpu, "register_cpu": time.process_time() - cpu_began,
    }


# --------------------------------------------------------------------------- driver


@dataclass
class Point:
    tenants: int
    resources: int
    plan: float
    load: float
    register: float
    peak_process_mib: float
    peak_tree_mib: float
    plan_cpu: float = 0.0
    floor_cpu: float = 0.0

    @property
    def floor(self) -> float:
        return self.load + self.register


def measure(size: int, repeats: int, plan_args: list[str], keep: Path | None) -> Point:
    with tempfile.TemporaryDirectory(prefix="plan-fleet-") as tmp:
        folder = Path(tmp) / "tenants"
        write_fleet(folder, size)
        out = Path(tmp) / "plan.json"
        plans, loads, registers, procs, trees, plan_cpus, floor_cpus = [], [], [], [], [], [], []
        resources = 0
        for _ in range(repeats):
            run = run_measured(
                [sys.executable, "-m", "tenantctl", "plan", str(folder), "--format", "json", "--output", str(out), *plan_args]
            )
            if run.returncode not in (0, 1):  # 1 = policy violations: still a complete plan
                raise SystemExit(f"plan failed ({run.returncode}):\n{run.stderr[-3000:]}")
            plans.append(run.seconds)
            plan_cpus.append(run.cpu)
            procs.append(run.peak_process_mib)
            trees.append(run.peak_tree_mib)
            proc = subprocess.run(
                [sys.executable, str(Path(__file__).resolve()), "--floor", str(out)],
                cwd=ROOT, env=ENV, capture_output=True, text=True, check=True,
            )
            result = json.loads(proc.stdout.strip().splitlines()[-1])
            loads.append(result["load"])
            registers.append(result["register"])
            floor_cpus.append(result["cpu"])
            resources = result["resources"]
        if keep is not None:
            keep.mkdir(parents=True, exist_ok=True)
            (keep / f"plan-{size}.json").write_text(out.read_text(encoding="utf-8"), encoding="utf-8")
    return Point(
        size, resources, statistics.median(plans), statistics.median(loads), statistics.median(registers),
        max(procs), max(trees), statistics.median(plan_cpus), statistics.median(floor_cpus),
    )


def slope(xs: list[float], ys: list[float]) -> float:
    if len(xs) < 2:
        return float("nan")
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    den = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / den if den else float("nan")


def validate_seconds(repeats: int) -> tuple[float, float]:
    with tempfile.TemporaryDirectory(prefix="validate-fleet-") as tmp:
        folder = Path(tmp) / "tenants"
        write_fleet(folder, 100)
        runs = [run_measured([sys.executable, "-m", "tenantctl", "validate", str(folder)]) for _ in range(repeats)]
    for run in runs:
        if run.returncode != 0:
            raise SystemExit(f"validate failed ({run.returncode}):\n{run.stderr[-2000:]}")
    return statistics.median(r.seconds for r in runs), statistics.median(r.cpu for r in runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1,10,30,100", help="fleet sizes (comma-separated)")
    parser.add_argument("--long", action="store_true", help="also N = 500")
    parser.add_argument("--repeats", type=int, default=1, help="runs per size (median)")
    parser.add_argument("--plan-args", default="", help="extra arguments for `tenantctl plan` (e.g. '--jobs 1')")
    parser.add_argument("--keep", type=Path, help="keep each size's plan JSON in this folder")
    parser.add_argument("--no-validate", action="store_true", help="skip the `validate` of 100 files")
    parser.add_argument("--floor", type=Path, help=argparse.SUPPRESS)  # internal: measure the floor of a plan
    args = parser.parse_args()
    if args.floor:
        print(json.dumps(floor(args.floor)))
        return
    sizes = [int(s) for s in args.sizes.split(",") if s]
    if args.long and 500 not in sizes:
        sizes.append(500)
    plan_args = shlex.split(args.plan_args)
    print(f"plan args: {' '.join(plan_args) or '(defaults)'}; repeats {args.repeats}; cores {os.cpu_count()}")
    header = (
        f"{'tenants':>7} {'resources':>9} {'plan s':>7} {'floor s':>7} {'(load':>6} {'+ reg)':>6} {'ratio':>5} "
        f"{'ms/res':>6} {'floor ms/res':>12} {'peak MiB':>8} {'tree MiB':>8} {'plan cpu':>8} {'floor cpu':>9} {'cpu ratio':>9}"
    )
    print(header)
    points = []
    for size in sizes:
        p = measure(size, args.repeats, plan_args, args.keep)
        points.append(p)
        print(
            f"{p.tenants:>7} {p.resources:>9} {p.plan:>7.2f} {p.floor:>7.2f} {p.load:>6.2f} {p.register:>6.2f} "
            f"{p.plan / p.floor:>5.2f} {p.plan / p.resources * 1000:>6.2f} {p.floor / p.resources * 1000:>12.2f} "
            f"{p.peak_process_mib:>8.0f} {p.peak_tree_mib:>8.0f} {p.plan_cpu:>8.2f} {p.floor_cpu:>9.2f} "
            f"{p.plan_cpu / p.floor_cpu:>9.2f}",
            flush=True,
        )
    if len(points) >= 2:
        xs = [float(p.tenants) for p in points]
        plan_slope = slope(xs, [p.plan for p in points])
        floor_slope = slope(xs, [p.floor for p in points])
        print(
            f"per-tenant slope: plan {plan_slope:.3f} s, floor {floor_slope:.3f} s (register only "
            f"{slope(xs, [p.register for p in points]):.3f} s), ratio {plan_slope / floor_slope:.2f}"
        )
        per_tenant = [(p.plan / p.tenants) for p in points]
        print("plan s/tenant by N: " + ", ".join(f"{p.tenants}: {v:.3f}" for p, v in zip(points, per_tenant, strict=True)))
    if not args.no_validate:
        wall, cpu = validate_seconds(max(args.repeats, 3))
        print(f"tenantctl validate, 100 files: {wall:.2f} s wall, {cpu:.2f} s CPU (medians)")


if __name__ == "__main__":
    main()
