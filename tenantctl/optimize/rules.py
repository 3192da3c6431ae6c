"""What to change and why: one function per kind of recommendation, each from evidence, none priced here.

Thresholds are conservative on purpose: a recommendation that saves money but fails a peak is worse
than none, so bounds keep 20% headroom above the highest demand seen and sizes move one step at a time.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from components.kubernetes.quantity import parse
from spec.loader import TenantFile
from spec.tiers import TIER_CEILINGS
from tenantctl.cost.catalogue import HOURS_PER_MONTH, lookup
from tenantctl.cost.instances import CAPACITY, nodes_needed
from tenantctl.cost.pricing import node_sku
from tenantctl.optimize.recommendation import Recommendation
from tenantctl.optimize.reprice import NodePrice
from tenantctl.optimize.sizes import neighbour

HEADROOM = 1.2  # bounds keep 20% above the highest demand in the history
DOWNSIZE_BELOW = 30.0  # p95 utilisation (%) under which one size smaller still leaves ~40% headroom
UPSIZE_ABOVE = 80.0  # p95 utilisation (%) over which the class saturates at peaks
BURSTABLE = ("t3.", "t3a.", "t4g.", "Standard_B")  # CPU-credit instance families
SPOT_TIERS = ("free", "standard")  # interruptions are acceptable only where the tier promises no HA
WEEK_HOURS = 168


@dataclass(frozen=True)
class Replay:
    """Replica-hours of the held-out week under three policies (from the forecaster's history replay)."""

    static_peak: float
    reactive: float
    predictive: float
    peak_need: int
    low_need: int


def _requests(tenant: TenantFile) -> tuple[Fraction, Fraction]:
    workload = tenant.spec.config.workload
    return parse(workload.cpu_request), parse(workload.memory_request)


def replica_hour_usd(tenant: TenantFile, node: NodePrice) -> float | None:
    """One replica's share of its node per hour: the larger of its CPU and memory share of the node's allocatable."""
    capacity = CAPACITY.get(node.instance)
    if capacity is None:
        return None
    cpu, memory = _requests(tenant)
    fraction = max(float(cpu) / (capacity.vcpu * 0.9), float(memory) / (capacity.memory_gib * 2**30 * 0.9))
    return node.hourly_usd * fraction


def replay(tenant: TenantFile, history: Any, capacity: float | None = None) -> Replay:
    """Replay the history through HPA (static peak, reactive at the tenant's bounds, predictive floor)."""
    from tenantctl.forecast.simulate import run

    scaling = tenant.spec.config.autoscaling
    capacity = capacity or scaling.capacity_per_replica
    if capacity is None:
        raise ValueError(
            "autoscaling.capacity_per_replica: needed to turn demand into replicas (set it or pass --capacity-per-replica)"
        )
    target = scaling.metrics.cpu_threshold / 100
    ceiling = TIER_CEILINGS[tenant.spec.tier]["max_replicas"]
    sim = run(history, capacity=capacity, target=target, min_replicas=scaling.min_replicas, max_replicas=ceiling)
    values = history.to_numpy(dtype=float)
    values = values[np.isfinite(values)]
    need = np.ceil(values / (capacity * target) - 1e-9)
    return Replay(
        static_peak=float(sim.static.cost),
        reactive=float(sim.reactive.cost),
        predictive=float(sim.predictive.cost),
        peak_need=int(need.max()) if need.size else 1,
        low_need=int(np.quantile(need, 0.05)) if need.size else 1,
    )


def replica_bounds(tenant: TenantFile, evidence: Replay, per_replica_hour: float | None) -> Recommendation | None:
    scaling = tenant.spec.config.autoscaling
    ceiling = TIER_CEILINGS[tenant.spec.tier]["max_replicas"]
    floor = 1 if tenant.spec.tier == "free" else 2  # two replicas so a node drain or a rollout keeps one serving
    proposed_max = min(ceiling, max(floor, math.ceil(evidence.peak_need * HEADROOM)))
    proposed_min = min(proposed_max, max(floor, evidence.low_need))
    changes: dict[tuple[str, ...], Any] = {}
    if proposed_max != scaling.max_replicas:
        changes[("autoscaling", "max_replicas")] = proposed_max
    if proposed_min != scaling.min_replicas:
        changes[("autoscaling", "min_replicas")] = proposed_min
    if not changes:
        return None
    dollars = {}
    if per_replica_hour is not None:
        month = HOURS_PER_MONTH / WEEK_HOURS * per_replica_hour
        dollars = {
            "static_peak_usd_month": round(evidence.static_peak * month, 2),
            "reactive_usd_month": round(evidence.reactive * month, 2),
            "predictive_usd_month": round(evidence.predictive * month, 2),
        }
    return Recommendation(
        "replicas",
        changes,
        {("autoscaling", "max_replicas"): scaling.max_replicas, ("autoscaling", "min_replicas"): scaling.min_replicas},
        f"the history needs {evidence.low_need}–{evidence.peak_need} replicas (5th percentile–peak); "
        f"bounds keep {HEADROOM - 1:.0%} headroom above the peak",
        "a peak above anything in the history is capped at the new maximum",
        evidence={
            "replica_hours_week": {
                "static_peak": round(evidence.static_peak, 1),
                "reactive": round(evidence.reactive, 1),
                "predictive": round(evidence.predictive, 1),
            },
            **dollars,
        },
    )


def _nodes(instance: str, replicas: int, tenant: TenantFile) -> int | None:
    cpu, memory = _requests(tenant)
    return nodes_needed(instance, cpu * replicas, memory * replicas)


def node_bounds(tenant: TenantFile) -> Recommendation | None:
    """Silo node pools: the bounds the workload's replica bounds need on the pool's instance, bin-packed."""
    spec = tenant.spec
    if spec.isolation != "strict":
        return None
    cluster, scaling = spec.config.cluster, spec.config.autoscaling
    peak = _nodes(cluster.instance_type, scaling.max_replicas, tenant)
    low = _nodes(cluster.instance_type, scaling.min_replicas, tenant)
    if peak is None or low is None:
        return None
    # One node per zone at least: the pool spans ``availability_zones`` and the PDB spreads replicas across them.
    proposed_min = max(cluster.availability_zones, low)
    proposed_max = max(proposed_min, peak)
    changes: dict[tuple[str, ...], Any] = {}
    if proposed_max < cluster.max_nodes:
        changes[("cluster", "max_nodes")] = proposed_max
    if proposed_min < cluster.min_nodes:
        changes[("cluster", "min_nodes")] = proposed_min
    if not changes:
        return None
    return Recommendation(
        "nodes",
        changes,
        {("cluster", "max_nodes"): cluster.max_nodes, ("cluster", "min_nodes"): cluster.min_nodes},
        f"{scaling.min_replicas}–{scaling.max_replicas} replicas of {spec.config.workload.cpu_request} CPU / "
        f"{spec.config.workload.memory_request} fit on {low}–{peak} × {cluster.instance_type}",
        "add-ons and system pods beyond the 10% reserve compete with the workload at the new maximum",
    )


def node_size(tenant: TenantFile) -> Recommendation | None:
    """Silo node pools: the cheapest instance of the same cloud that packs the workload at its expected and peak size."""
    spec = tenant.spec
    if spec.isolation != "strict":
        return None
    cluster, scaling = spec.config.cluster, spec.config.autoscaling
    ceiling = TIER_CEILINGS[spec.tier]["max_nodes"]
    expected_replicas = math.ceil((scaling.min_replicas + scaling.max_replicas) / 2)

    def monthly(instance: str) -> tuple[float, int, int] | None:
        service, sku = node_sku(spec.cloud, instance)
        price = lookup(spec.cloud, service, sku, spec.region)
        expected, peak = _nodes(instance, expected_replicas, tenant), _nodes(instance, scaling.max_replicas, tenant)
        if price is None or expected is None or peak is None or peak > ceiling:
            return None
        nodes = max(cluster.availability_zones, expected)
        return nodes * price.usd * HOURS_PER_MONTH, nodes, peak

    current = monthly(cluster.instance_type)
    options = []
    for name in CAPACITY:  # other clouds' SKUs have no price in this region and drop out
        if name.startswith(BURSTABLE) and spec.tier in ("premium", "enterprise"):
            continue  # CPU credits run out under sustained load: no burstable nodes where the tier promises capacity
        found = monthly(name)
        if found is not None:
            options.append((found[0], name, found[1], found[2]))
    if current is None or not options:
        return None
    best_cost, best, _nodes_expected, best_peak = min(options)
    if best == cluster.instance_type or best_cost >= current[0] * 0.95:  # under 5% is noise against bin-packing error
        return None
    return Recommendation(
        "node-size",
        {("cluster", "instance_type"): best, ("cluster", "max_nodes"): max(best_peak, cluster.availability_zones)},
        {("cluster", "instance_type"): cluster.instance_type, ("cluster", "max_nodes"): cluster.max_nodes},
        f"{expected_replicas} expected replicas pack onto fewer dollars of {best} than of {cluster.instance_type}",
        "smaller nodes: daemons take a larger share of each, and more nodes mean more node churn at peaks",
    )


def _percentile(series: Any, q: float) -> float:
    values = series.to_numpy(dtype=float)
    values = values[np.isfinite(values)]
    return float(np.percentile(values, q)) if values.size else float("nan")


def _resize(tenant: TenantFile, kind: str, path: tuple[str, str], current: str, p95: float, metric: str) -> Recommendation | None:
    if not math.isfinite(p95):
        return None
    step = -1 if p95 < DOWNSIZE_BELOW else 1 if p95 > UPSIZE_ABOVE else 0
    target = neighbour(tenant.spec.cloud, current, step) if step else None
    if target is None:
        return None
    smaller = step < 0
    return Recommendation(
        kind,
        {path: target},
        {path: current},
        f"p95 {metric} {p95:.0f}% is {'below' if smaller else 'above'} {DOWNSIZE_BELOW if smaller else UPSIZE_ABOVE:.0f}%",
        f"about {min(100.0, p95 * 2):.0f}% p95 {metric} on the smaller class; bursts queue"
        if smaller
        else f"without it, peaks saturate the {kind} (p95 {p95:.0f}%)",
    )


def database_class(tenant: TenantFile, utilisation: Any) -> Recommendation | None:
    """One class down when p95 CPU is low, one up when it saturates (``utilisation``: CPU percent over time)."""
    current = tenant.spec.config.database.instance_class
    return _resize(tenant, "database", ("database", "instance_class"), current, _percentile(utilisation, 95), "CPU")


def cache_class(tenant: TenantFile, utilisation: Any) -> Recommendation | None:
    """One node type down or up by p95 memory use (``utilisation``: memory percent over time)."""
    current = tenant.spec.config.cache.node_type
    return _resize(tenant, "cache", ("cache", "node_type"), current, _percentile(utilisation, 95), "memory")


def spot(tenant: TenantFile) -> Recommendation | None:
    """Spot node groups for silo AWS tenants on tiers without HA promises (no cited spot price: saving unpriced)."""
    spec = tenant.spec
    if spec.cloud != "aws" or spec.tier not in SPOT_TIERS or spec.isolation != "strict":
        return None
    options = spec.config.aws  # type: ignore[attr-defined]  # cloud == "aws" above
    if options.capacity_type == "SPOT":
        return None
    return Recommendation(
        "spot",
        {("aws", "capacity_type"): "SPOT"},
        {("aws", "capacity_type"): options.capacity_type},
        f"the {spec.tier} tier promises no high availability; spot capacity is billed below on-demand",
        "nodes reclaimed with two minutes' notice; the PodDisruptionBudget keeps one replica while pods move",
    )
