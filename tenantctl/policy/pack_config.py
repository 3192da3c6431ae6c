"""A tenant → its stack's policy-pack config file (the file ``pulumi preview --policy-pack-config`` takes).

Every policy gets the tenant's context (id, tier, isolation, frameworks, region) and the tier
table's thresholds from ``spec``, so the pack never imports the schema. An active waiver turns
its policy down to ``advisory``: the violation is still reported, but no longer blocks. An
expired waiver waives nothing and is reported. The same file drives ``tenantctl plan``.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from spec.errors import SpecError
from spec.loader import TenantFile
from spec.models import EU_REGIONS
from spec.tiers import TIER_CEILINGS
from tenantctl.policy.catalog import policies, policy_names

WAIVED_LEVEL = "advisory"


@dataclass(frozen=True)
class WaiverStatus:
    index: int
    policy: str
    owner: str
    reason: str
    expires: dt.date
    active: bool

    def to_json(self) -> dict[str, Any]:
        return {
            "policy": self.policy,
            "owner": self.owner,
            "reason": self.reason,
            "expires": self.expires.isoformat(),
            "status": "active" if self.active else "expired",
        }


def waivers_of(tenant: TenantFile, today: dt.date) -> list[WaiverStatus]:
    """Every waiver of the tenant; one is active through its ``expires`` day, inclusive."""
    return [
        WaiverStatus(i, w.policy, w.owner, w.reason, w.expires, today <= w.expires)
        for i, w in enumerate(tenant.spec.config.compliance.waivers)
    ]


def shown_path(tenant: TenantFile) -> str:
    try:
        return str(tenant.path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(tenant.path)


def waiver_errors(tenant: TenantFile) -> list[SpecError]:
    """A waiver naming a policy the pack does not have is a validation error (``path:line: field: message``)."""
    known = policy_names()
    errors = []
    for i, waiver in enumerate(tenant.spec.config.compliance.waivers):
        if waiver.policy not in known:
            loc = ("tenant_config", "compliance", "waivers", i, "policy")
            errors.append(
                SpecError(
                    shown_path(tenant),
                    tenant.line_of(loc),
                    ".".join(str(p) for p in loc),
                    f"no policy named {waiver.policy!r} in the policy pack (see `tenantctl policies`)",
                )
            )
    return errors


def pack_config_for(tenant: TenantFile, today: dt.date) -> dict[str, Any]:
    """The ``--policy-pack-config`` document for the tenant's stack on ``today``."""
    spec = tenant.spec
    context: dict[str, Any] = {
        "tenant": spec.tenant_id,
        "tier": spec.tier,
        "isolation": spec.isolation,
        "frameworks": list(spec.config.compliance.frameworks),
        "region": spec.region,
    }
    extras: dict[str, Any] = {
        "tierCeilings": {tier: dict(row) for tier, row in TIER_CEILINGS.items()},
        "euRegions": sorted(EU_REGIONS[spec.cloud]),
    }
    config: dict[str, Any] = {}
    for policy in policies():
        entry = dict(context)
        entry.update({k: v for k, v in extras.items() if k in policy.config_keys})
        config[policy.name] = entry
    for waiver in waivers_of(tenant, today):
        if waiver.active and waiver.policy in config:
            config[waiver.policy]["enforcementLevel"] = WAIVED_LEVEL
    return config


def write_pack_config(tenant: TenantFile, directory: Path, today: dt.date) -> Path:
    """Write ``<directory>/<tenant>.policy-config.json`` and return its path."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{tenant.spec.tenant_id}.policy-config.json"
    path.write_text(json.dumps(pack_config_for(tenant, today), indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return path
