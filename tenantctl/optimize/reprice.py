"""Price a proposal the way ``tenantctl cost`` prices the estate: edit the tenant file, render it, cost it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from spec.loader import TenantFile, load_tenant
from tenantctl.cost.estimate import TenantCost
from tenantctl.cost.fleet import estimate_fleet
from tenantctl.cost.usage import UsageFile
from tenantctl.fleet.scaling import edit_paths


@dataclass(frozen=True)
class NodePrice:
    """The hourly price of one node the tenant's workload runs on, and what the node is."""

    instance: str
    hourly_usd: float
    share: float  # a pooled tenant pays this share of the shared cluster's nodes


def edited(tenant: TenantFile, changes: Mapping[tuple[str, ...], Any], directory: Path) -> TenantFile:
    """The tenant with ``changes`` applied, validated (``SpecErrors`` when the result is not a valid tenant)."""
    text = edit_paths(tenant.path.read_text(encoding="utf-8"), dict(changes))
    candidate = directory / tenant.path.name
    candidate.write_text(text, encoding="utf-8")
    return load_tenant(candidate, str(tenant.path))


class Pricer:
    """Monthly estimates of a tenant and of its variants, with the project's other tenants as cluster mates."""

    def __init__(self, root: Path, usage: UsageFile) -> None:
        self.root, self.usage = root, usage

    def estimate(self, tenant: TenantFile) -> TenantCost:
        return estimate_fleet([tenant], self.root, self.usage)[0]

    def expected(self, tenant: TenantFile) -> tuple[float, float]:
        """(expected, max) monthly USD of ``tenant`` (an edited variant, already validated)."""
        total = self.estimate(tenant).total()
        return total.expected, total.max


def node_price(cost: TenantCost) -> NodePrice | None:
    """The workload's node: the first priced node-pool line that takes tenant pods (a shared one for pooled tenants)."""
    for line in cost.lines:
        if line.price is None or line.unit != "hour" or not line.item.split(" (shared)")[0].startswith("nodes:"):
            continue
        return NodePrice(line.sku.split(" (", 1)[0], line.price.usd, line.share)
    return None
