"""Tenant files → their cost estimates: render each estate, render each shared cluster a pooled tenant uses once, share it."""

from __future__ import annotations

from pathlib import Path

from components.naming import shared_cluster_stack
from spec.errors import SpecErrors
from spec.loader import TenantFile, load_tenants
from tenantctl.cost.estimate import TenantCost, estimate_tenant, pooling
from tenantctl.cost.shared_stacks import render_shared
from tenantctl.cost.usage import UsageFile
from tenantctl.render import RenderedResource, render_tenant


def _cluster_mates(root: Path, tenants: list[TenantFile]) -> list[TenantFile]:
    """The project's tenants plus the priced ones: a share is of everyone on the cluster, not only of those priced."""
    try:
        project = load_tenants([root / "tenants"], root=root) if (root / "tenants").is_dir() else []
    except SpecErrors:
        project = []  # an invalid neighbour is reported by validate; shares then count the priced tenants only
    seen = {t.spec.tenant_id for t in tenants}
    return [*tenants, *(t for t in project if t.spec.tenant_id not in seen)]


def estimate_fleet(tenants: list[TenantFile], root: Path, usage: UsageFile) -> list[TenantCost]:
    pooled = pooling([t.spec for t in _cluster_mates(root, tenants)], usage)
    shared: dict[str, list[RenderedResource]] = {}
    for tenant in tenants:
        spec = tenant.spec
        stack = shared_cluster_stack(spec.cloud, spec.region)
        if spec.isolation == "standard" and stack not in shared:
            shared[stack] = render_shared(root, stack, spec.cloud, spec.region)
    return [estimate_tenant(t.spec, render_tenant(t, root).resources, usage, shared, pooled) for t in tenants]
