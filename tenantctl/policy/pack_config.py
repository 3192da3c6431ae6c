"""A tenant → its stack's policy-pack config file (the file ``pulumi preview --policy-pack-config`` takes).

Every policy gets the tenant's context (id, tier, isolation, frameworks, region) and the tier
table's thresholds from ``spec``, so the pack never imports the schema. An active waiver turns
its policy down to ``advisory``: the violation is still reported, but no longer blocks. An
expired waiver waives nothing and is reported. Waivers come from ``waivers/<tenant>.yaml``
(security-owned), never from the tenant file, and never for a critical policy (the pack refuses
such a config anyway). The same file drives ``tenantctl plan``.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from spec.errors import SpecError, SpecErrors
from spec.loader import TenantFile
from spec.models import EU_REGIONS
from spec.tiers import TIER_CEILINGS
from spec.waivers import LoadedWaiver, load_waivers
from tenantctl.policy.catalog import critical_policy_names, policies, policy_names

WAIVED_LEVEL = "advisory"


@dataclass(frozen=True)
class WaiverStatus:
    index: int
    policy: str
    owner: str
    reason: str
    expires: dt.date
    active: bool
    approver: str = ""
    ticket: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "policy": self.policy,
            "owner": self.owner,
            "approver": self.approver,
            "ticket": self.ticket,
            "reason": self.reason,
            "expires": self.expires.isoformat(),
            "status": "active" if self.active else "expired",
        }


def _loaded(tenant: TenantFile, today: dt.date) -> list[LoadedWaiver]:
    return load_waivers(tenant.path, tenant.spec.tenant_id, today)


def waivers_of(tenant: TenantFile, today: dt.date) -> list[WaiverStatus]:
    """Every waiver of the tenant (``waivers/<tenant>.yaml``); one is active through its ``expires`` day, inclusive.

    Critical policies never appear here as active: ``waiver_errors`` refuses them, and this function
    skips them too, so no path writes a config that turns a critical policy down.
    """
    critical = critical_policy_names()
    return [
        WaiverStatus(
            item.index, w.policy, w.owner, w.reason, w.expires, today <= w.expires and w.policy not in critical,
            w.approver, w.ticket,
        )
        for item in _loaded(tenant, today)
        for w in (item.waiver,)
    ]


def shown_path(tenant: TenantFile) -> str:
    try:
        return str(tenant.path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(tenant.path)


def waiver_errors(tenant: TenantFile, today: dt.date | None = None) -> list[SpecError]:
    """Problems of the tenant's waiver file as ``path:line: field: message``: its schema, a policy the pack
    does not have, or a critical policy (which no waiver may turn down)."""
    try:
        loaded = _loaded(tenant, today or dt.date.today())
    except SpecErrors as exc:
        return list(exc.errors)
    if not loaded:
        return []  # no waiver: the pack's catalog is not needed (``validate`` stays light)
    known, critical = policy_names(), critical_policy_names()
    errors = []
    for item in loaded:
        policy = item.waiver.policy
        if policy not in known:
            message = f"no policy named {policy!r} in the policy pack (see `tenantctl policies`)"
        elif policy in critical:
            message = f"{policy!r} is a critical policy: it can never be waived (fix the resource instead)"
        else:
            continue
        errors.append(SpecError(item.path, item.line, f"waivers.{item.index}.policy", message))
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
        if waiver.active and waiver.policy in config and waiver.policy not in critical_policy_names():
            config[waiver.policy]["enforcementLevel"] = WAIVED_LEVEL
    return config


def write_pack_config(tenant: TenantFile, directory: Path, today: dt.date) -> Path:
    """Write ``<directory>/<tenant>.policy-config.json`` and return its path."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{tenant.spec.tenant_id}.policy-config.json"
    path.write_text(json.dumps(pack_config_for(tenant, today), indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return path
