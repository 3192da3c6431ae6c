"""Rendered tenants → monthly cost per tenant: its own resources plus, when pooled, its share of the shared cluster.

The pooled share follows the OpenCost allocation model: a tenant is charged the share of the shared
cluster's cost that its resource requests take of all pooled tenants' requests on that cluster
(CPU and memory shares averaged), and the cluster's idle capacity and overhead are spread by the same
share, so the tenants of a cluster together pay all of it. Requests are the workload's expected
replicas (the usage preset's point between the autoscaling bounds) × its CPU and memory requests.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from components.kubernetes.quantity import parse
from components.naming import shared_cluster_stack
from spec.models import TenantSpec
from tenantctl.cost.lines import Line, Quantity
from tenantctl.cost.pricing import Context, Resource, price_resource
from tenantctl.cost.usage import UsageFile

NO_USAGE = UsageFile()


@dataclass
class TenantCost:
    tenant: str
    cloud: str
    region: str
    tier: str
    isolation: str
    lines: list[Line] = field(default_factory=list)
    shared_stack: str | None = None
    share: float | None = None

    def total(self) -> Quantity:
        monthly = [m for m in (line.monthly() for line in self.lines) if m is not None]
        return Quantity(sum(m.min for m in monthly), sum(m.expected for m in monthly), sum(m.max for m in monthly))

    @property
    def unpriced(self) -> list[Line]:
        return [line for line in self.lines if not line.priced]

    def to_json(self, by_resource: bool = True) -> dict[str, Any]:
        total = self.total()
        out: dict[str, Any] = {
            "tenant": self.tenant,
            "cloud": self.cloud,
            "region": self.region,
            "tier": self.tier,
            "isolation": self.isolation,
            "monthly_usd": {"min": round(total.min, 2), "expected": round(total.expected, 2), "max": round(total.max, 2)},
            "priced_lines": len(self.lines) - len(self.unpriced),
            "unpriced": [
                {"urn": u.urn, "item": u.item, "service": u.service, "sku": u.sku, "unit": u.unit} for u in self.unpriced
            ],
        }
        if self.shared_stack:
            out["shared_cluster"] = {"stack": self.shared_stack, "share": round(self.share or 0.0, 6)}
        if by_resource:
            out["lines"] = [line.to_json() for line in self.lines]
        return out


def _resources(raw: Iterable[Any]) -> tuple[Resource, ...]:
    """Rendered resources (objects or plan-JSON dicts) → the pricing view; only custom resources cost money."""
    out = []
    for r in raw:
        if isinstance(r, Mapping):
            if r.get("custom", True):
                out.append(Resource(str(r["type"]), str(r["urn"]), str(r["name"]), r.get("inputs") or {}))
        elif getattr(r, "custom", True):
            out.append(Resource(r.type, r.urn, r.name, r.public_inputs()))
    return tuple(out)


def price_stack(resources: Iterable[Any], ctx: Context) -> list[Line]:
    stack = _resources(resources)
    context = Context(ctx.cloud, ctx.region, ctx.usage, stack, ctx.demand)
    return [line for resource in stack for line in price_resource(resource, context)]


def requests(spec: TenantSpec, usage: UsageFile = NO_USAGE) -> tuple[Fraction, Fraction]:
    """Expected (CPU cores, memory bytes) requested by the tenant's workload."""
    scaling, workload = spec.config.autoscaling, spec.config.workload
    point = usage.for_tenant(spec.tenant_id, spec.tier).expected_scale
    replicas = Fraction(scaling.min_replicas) + Fraction(point).limit_denominator(1000) * (
        scaling.max_replicas - scaling.min_replicas
    )
    return replicas * parse(workload.cpu_request), replicas * parse(workload.memory_request)


@dataclass(frozen=True)
class Pooling:
    """Per pooled tenant its share of its shared cluster; per shared cluster the requests of all its tenants."""

    shares: Mapping[str, float]
    demand: Mapping[str, tuple[Fraction, Fraction]]


def pooling(specs: Sequence[TenantSpec], usage: UsageFile = NO_USAGE) -> Pooling:
    """Each pooled tenant's share: the mean of its CPU and memory request shares among the cluster's tenants."""
    by_stack: dict[str, list[TenantSpec]] = {}
    for spec in specs:
        if spec.isolation == "standard":
            by_stack.setdefault(shared_cluster_stack(spec.cloud, spec.region), []).append(spec)
    shares: dict[str, float] = {}
    demand: dict[str, tuple[Fraction, Fraction]] = {}
    for stack, tenants in by_stack.items():
        wanted = {t.tenant_id: requests(t, usage) for t in tenants}
        cpu_total = sum((c for c, _ in wanted.values()), Fraction(0))
        memory_total = sum((m for _, m in wanted.values()), Fraction(0))
        demand[stack] = (cpu_total, memory_total)
        for tenant, (cpu, memory) in wanted.items():
            cpu_share = cpu / cpu_total if cpu_total else Fraction(1, len(wanted))
            memory_share = memory / memory_total if memory_total else Fraction(1, len(wanted))
            shares[tenant] = float((cpu_share + memory_share) / 2)
    return Pooling(shares, demand)


def estimate_tenant(
    spec: TenantSpec,
    resources: Iterable[Any],
    usage: UsageFile = NO_USAGE,
    shared: Mapping[str, Sequence[Any]] | None = None,
    pooled: Pooling | None = None,
) -> TenantCost:
    """One tenant's cost; ``shared`` maps shared-cluster stack names to their rendered resources."""
    # A silo cluster's expected size is its workload's requests bin-packed on its nodes (a shared one: all its tenants').
    ctx = Context(spec.cloud, spec.region, usage.for_tenant(spec.tenant_id, spec.tier), demand=requests(spec, usage))
    cost = TenantCost(spec.tenant_id, spec.cloud, spec.region, spec.tier, spec.isolation, price_stack(resources, ctx))
    if spec.isolation == "standard":
        stack = shared_cluster_stack(spec.cloud, spec.region)
        share = pooled.shares.get(spec.tenant_id, 1.0) if pooled else 1.0
        cost.shared_stack, cost.share = stack, share
        cluster = Context(ctx.cloud, ctx.region, ctx.usage, demand=pooled.demand.get(stack) if pooled else None)
        for line in price_stack((shared or {}).get(stack, ()), cluster):
            cost.lines.append(
                Line(
                    line.urn,
                    line.type,
                    line.name,
                    f"{line.item} (shared)",
                    line.service,
                    line.sku,
                    line.unit,
                    line.quantity,
                    line.price,
                    share=share,
                    note=f"{share:.1%} of {stack} by resource requests",
                )
            )
    return cost
