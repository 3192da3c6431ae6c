"""Rollout waves: ``canary,25%,rest`` or one wave per value of a tenant attribute (e.g. tier).

Tenants are ordered least critical first (free → enterprise, then by id), so the canary is a
low-tier tenant and enterprise tenants go last.
"""

from __future__ import annotations

import math
import re

from spec.loader import TenantFile
from spec.tiers import TIERS
from tenantctl.fleet.runner import FleetError

WAVE_KEYS = ("tier", "cloud", "region", "isolation")
_STEP = re.compile(r"^(canary|rest|\d+%|\d+)$")


def _risk_order(tenant: TenantFile) -> tuple[int, str]:
    return (TIERS.index(tenant.spec.tier), tenant.spec.tenant_id)


def parse_waves(text: str) -> list[str]:
    steps = [s.strip() for s in text.split(",") if s.strip()]
    if not steps:
        raise FleetError("--waves: give steps such as canary,25%,rest")
    for step in steps:
        if not _STEP.match(step):
            raise FleetError(f"--waves: {step!r} is not canary, rest, a count (3) or a percentage (25%)")
        if step.endswith("%") and not 0 < int(step[:-1]) <= 100:
            raise FleetError(f"--waves: {step!r} must be between 1% and 100%")
        if step.isdigit() and int(step) == 0:
            raise FleetError("--waves: a wave of 0 tenants is not a wave")
    if "rest" in steps[:-1]:
        raise FleetError("--waves: rest can only be the last step")
    return steps


def plan_waves(tenants: list[TenantFile], waves: str | None = None, by: str | None = None) -> list[list[TenantFile]]:
    """Split ``tenants`` into ordered waves; without options, one wave holds them all."""
    if waves and by:
        raise FleetError("use either --waves or --waves-by, not both")
    ordered = sorted(tenants, key=_risk_order)
    if not ordered:
        return []
    if by:
        return _by_attribute(ordered, by)
    if not waves:
        return [ordered]
    steps = parse_waves(waves)
    total = len(ordered)
    out: list[list[TenantFile]] = []
    index = 0
    for step in steps:
        if index >= total:
            break
        if step == "rest":
            size = total - index
        elif step == "canary":
            size = 1
        elif step.endswith("%"):
            size = max(1, math.ceil(total * int(step[:-1]) / 100))
        else:
            size = int(step)
        out.append(ordered[index : index + size])
        index += size
    if index < total:  # steps that do not end in rest still cover every tenant, in a last wave
        out.append(ordered[index:])
    return out


def _by_attribute(ordered: list[TenantFile], key: str) -> list[list[TenantFile]]:
    if key not in WAVE_KEYS:
        raise FleetError(f"--waves-by: {key!r} is not one of {', '.join(WAVE_KEYS)}")
    groups: dict[str, list[TenantFile]] = {}
    for tenant in ordered:
        value = tenant.spec.isolation if key == "isolation" else str(getattr(tenant.spec, key))
        groups.setdefault(value, []).append(tenant)
    if key == "tier":
        keys = sorted(groups, key=TIERS.index)
    elif key == "isolation":
        keys = sorted(groups, key=lambda v: 0 if v == "standard" else 1)  # pooled tenants before silos
    else:
        keys = sorted(groups)
    return [groups[k] for k in keys]
