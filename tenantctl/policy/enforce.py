"""Rendered tenants → the pack's verdicts, through one pack process for the whole fleet."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pulumi.runtime import rpc

from tenantctl.policy.catalog import PACK_DIR, by_name, policies
from tenantctl.policy.client import AnalyzedResource, Diagnostic, PackSession
from tenantctl.policy.pack_config import WaiverStatus, pack_config_for, waivers_of
from tenantctl.render import RenderedResource, RenderedStack, RenderedTenant


@dataclass(frozen=True)
class Violation:
    policy: str
    level: str  # as the pack reported it: a waived policy runs at advisory
    severity: str
    urn: str
    message: str
    frameworks: tuple[str, ...]
    waived: bool

    @property
    def blocking(self) -> bool:
        return self.level == "mandatory" and not self.waived

    def to_json(self) -> dict[str, Any]:
        return {
            "policy": self.policy,
            "level": self.level,
            "severity": self.severity,
            "urn": self.urn,
            "message": self.message,
            "frameworks": list(self.frameworks),
            "waived": self.waived,
        }


@dataclass
class TenantVerdict:
    rendered: RenderedTenant
    violations: list[Violation] = field(default_factory=list)
    waivers: list[WaiverStatus] = field(default_factory=list)
    analyzed: int = 0
    config: dict[str, Any] = field(default_factory=dict)  # the stack's pack config it was analyzed with

    @property
    def blocking(self) -> list[Violation]:
        return [v for v in self.violations if v.blocking]


def _unwrap(value: Any) -> Any:
    """Secrets travel as the engine sends them (the signature-wrapped form); everything else as is."""
    if rpc.is_rpc_secret(value):
        return {rpc._special_sig_key: rpc._special_secret_sig, "value": _unwrap(value["value"])}
    if isinstance(value, dict):
        return {k: _unwrap(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_unwrap(v) for v in value]
    return value


def to_analyzed(rendered: RenderedTenant | RenderedStack) -> list[AnalyzedResource]:
    """Every registration as the engine sends it to an analyzer: inputs, parent, dependencies, provider, options."""
    by_urn = {r.urn: r for r in rendered.resources}

    def plain(r: RenderedResource, provider: AnalyzedResource | None = None) -> AnalyzedResource:
        return AnalyzedResource(
            type=r.type,
            urn=r.urn,
            name=r.name,
            properties=_unwrap(r.inputs),
            parent=r.parent,
            dependencies=tuple(r.dependencies),
            provider=provider,
            property_dependencies={k: tuple(v) for k, v in r.property_dependencies.items()},
            additional_secret_outputs=tuple(r.additional_secret_outputs),
        )

    out = []
    for r in rendered.resources:
        provider = None
        if r.provider_urn:
            found = by_urn.get(r.provider_urn)
            provider = plain(found) if found is not None else None
        out.append(plain(r, provider))
    return out


# Stack policies about what a tenant's own stack must hold; a shared-cluster stack holds no tenant
# (its alerting is the platform team's, not a tenant's alert channels).
TENANT_STACK_ONLY = frozenset({"aws-cloudwatch-alerting", "azure-monitor-alerting", "gcp-monitoring-alerting"})


def shared_pack_config(stack: RenderedStack) -> dict[str, Any]:
    """The pack config of a shared-cluster stack: no tenant, pooled isolation, its region, no tenant framework.

    Every other policy runs as for a tenant: the shared cluster is what pooled tenants' workloads run on.
    """
    from spec.models import EU_REGIONS
    from spec.tiers import TIER_CEILINGS

    context: dict[str, Any] = {"isolation": "standard", "frameworks": [], "region": stack.region}
    extras: dict[str, Any] = {
        "tierCeilings": {tier: dict(row) for tier, row in TIER_CEILINGS.items()},
        "euRegions": sorted(EU_REGIONS.get(stack.cloud, ())),
    }
    config: dict[str, Any] = {}
    for policy in policies():
        entry = dict(context)
        entry.update({k: v for k, v in extras.items() if k in policy.config_keys})
        if policy.name in TENANT_STACK_ONLY:
            entry["enforcementLevel"] = "disabled"
        config[policy.name] = entry
    return config


def _violations(diagnostics: Iterable[Diagnostic], waived: set[str]) -> list[Violation]:
    catalog = by_name()
    return [
        Violation(
            d.policy,
            d.level,
            d.severity,
            d.urn,
            d.message,
            catalog[d.policy].frameworks if d.policy in catalog else (),
            d.policy in waived,
        )
        for d in diagnostics
    ]


def default_transport(pack_dir: Path) -> str:
    """``inprocess`` for this project's pack (the offline default), ``grpc`` for any other pack folder."""
    return "inprocess" if pack_dir.resolve() == PACK_DIR else "grpc"


def enforce_one(tenant: RenderedTenant, today: dt.date, client: PackSession) -> TenantVerdict:
    """``Configure`` with the tenant's pack config, ``Analyze`` per custom resource, ``AnalyzeStack`` once."""
    waivers = waivers_of(tenant.tenant, today)
    active = {w.policy for w in waivers if w.active}
    config = pack_config_for(tenant.tenant, today)
    client.configure(config)
    resources = to_analyzed(tenant)
    diagnostics: list[Diagnostic] = []
    custom = [a for a, r in zip(resources, tenant.resources, strict=True) if r.custom]
    for resource in custom:
        diagnostics.extend(client.analyze(resource))
    diagnostics.extend(client.analyze_stack(resources))
    return TenantVerdict(tenant, _violations(diagnostics, active), waivers, len(custom), config)


def enforce(
    rendered: list[RenderedTenant],
    today: dt.date,
    pack_dir: Path = PACK_DIR,
    client: PackSession | None = None,
    transport: str | None = None,
) -> list[TenantVerdict]:
    """Analyze every tenant through one session (``client``, else one opened on ``transport``)."""
    from tenantctl.policy.inprocess import open_session

    own = client is None
    session = client or open_session(transport or default_transport(pack_dir), pack_dir)
    try:
        return [enforce_one(tenant, today, session) for tenant in rendered]
    finally:
        if own:
            session.close()


def from_plan(resources: list[Mapping[str, Any]]) -> list[AnalyzedResource]:
    """A tenant's resources from ``plan --format json`` → what the engine sends (secrets stay masked)."""
    by_urn = {str(r["urn"]): r for r in resources}

    def plain(r: Mapping[str, Any], provider: AnalyzedResource | None = None) -> AnalyzedResource:
        return AnalyzedResource(
            type=str(r["type"]),
            urn=str(r["urn"]),
            name=str(r["name"]),
            properties=dict(r.get("inputs") or {}),
            parent=r.get("parent"),
            dependencies=tuple(r.get("dependencies") or ()),
            provider=provider,
            property_dependencies={str(k): tuple(v) for k, v in (r.get("propertyDependencies") or {}).items()},
            additional_secret_outputs=tuple(r.get("additionalSecretOutputs") or ()),
        )

    out = []
    for r in resources:
        found = by_urn.get(str(r.get("provider") or ""))
        out.append(plain(r, plain(found) if found is not None else None))
    return out


def replay(plan: Mapping[str, Any], client: PackSession) -> dict[str, list[Diagnostic]]:
    """Every tenant of a plan JSON through the pack as ``plan`` sent it: its ``policyConfig``, ``Analyze``
    per custom resource, ``AnalyzeStack`` once. Tenant id → the pack's diagnostics."""
    out: dict[str, list[Diagnostic]] = {}
    for tenant in plan.get("tenants") or []:
        resources = list(tenant.get("resources") or [])
        analyzed = from_plan(resources)
        client.configure(tenant.get("policyConfig") or {})
        diagnostics: list[Diagnostic] = []
        for resource, raw in zip(analyzed, resources, strict=True):
            if raw.get("custom"):
                diagnostics.extend(client.analyze(resource))
        diagnostics.extend(client.analyze_stack(analyzed))
        out[str(tenant.get("tenant"))] = diagnostics
    return out
