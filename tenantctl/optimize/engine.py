"""Gather the recommendations for one tenant and price each by re-estimating the edited tenant."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from spec.errors import SpecErrors
from spec.loader import TenantFile
from tenantctl.cost.usage import UsageFile
from tenantctl.optimize import rules
from tenantctl.optimize.recommendation import Recommendation
from tenantctl.optimize.reprice import Pricer, edited, node_price


@dataclass
class Report:
    tenant: str
    monthly_usd: float
    recommendations: list[Recommendation]
    skipped: list[str]  # proposals that would not validate, with why

    def to_json(self) -> dict[str, Any]:
        return {
            "tenant": self.tenant,
            "monthly_usd_expected": round(self.monthly_usd, 2),
            "recommendations": [r.to_json() for r in self.recommendations],
            "monthly_saving_usd": round(sum(r.monthly_saving_usd or 0 for r in self.recommendations), 2),
            "skipped": self.skipped,
        }


def recommend(
    tenant: TenantFile,
    root: Path,
    usage: UsageFile,
    *,
    history: Any = None,
    database: Any = None,
    cache: Any = None,
    capacity: float | None = None,
) -> Report:
    """Proposals in order, each computed on the tenant with the earlier ones applied and priced against them.

    The order is the order of dependence: replica bounds set the demand that node size and node bounds
    pack; a new node size brings its own node bounds. So the savings add up to the saving of writing all.
    """
    pricer = Pricer(root, usage)
    base = pricer.estimate(tenant)
    start = base.total()
    out: list[Recommendation] = []
    skipped: list[str] = []
    applied: dict[tuple[str, ...], Any] = {}
    current, (expected, peak) = tenant, (start.expected, start.max)
    node = node_price(base)

    def steps() -> Any:
        if history is not None:
            per_replica = rules.replica_hour_usd(tenant, node) if node else None
            yield lambda t: rules.replica_bounds(t, rules.replay(t, history, capacity), per_replica)
        yield rules.node_size
        yield lambda t: None if any(r.kind == "node-size" for r in out) else rules.node_bounds(t)
        yield rules.spot
        if database is not None:
            yield lambda t: rules.database_class(t, database)
        if cache is not None:
            yield lambda t: rules.cache_class(t, cache)

    with tempfile.TemporaryDirectory() as scratch:
        for step in steps():
            proposal = step(current)
            if proposal is None:
                continue
            changes = {**applied, **proposal.changes}
            try:
                candidate = edited(tenant, changes, Path(scratch))
            except SpecErrors as exc:
                skipped.append(f"{proposal.kind}: {proposal.summary()}: {exc.errors[0].message}")
                continue
            after, after_peak = pricer.expected(candidate)
            evidence = {**proposal.evidence, "max_saving_usd": round(peak - after_peak, 2)}
            saving = None if proposal.kind == "spot" else expected - after  # no cited spot price
            out.append(replace(proposal, evidence=evidence, monthly_saving_usd=saving))
            applied, current, expected, peak = changes, candidate, after, after_peak
    return Report(tenant.spec.tenant_id, start.expected, out, skipped)
