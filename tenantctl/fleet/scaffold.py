"""A new tenant: its tenant file (only what differs from the tier) and its stack file, validated first."""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass
from pathlib import Path

from spec.errors import SpecError, SpecErrors
from spec.loader import TenantFile, load_tenant
from spec.tiers import tier_defaults
from tenantctl.stack_config import stack_file

MODELINE = "# yaml-language-server: $schema=../spec/tenant.schema.json"


@dataclass(frozen=True)
class Scaffold:
    tenant: TenantFile
    tenant_path: Path
    stack_path: Path


def tenant_text(tenant_id: str, tier: str, cloud: str, region: str, isolation: str | None) -> str:
    lines = [MODELINE, f"tenant_id: {tenant_id}", f"tier: {tier}", f"cloud: {cloud}", f"region: {region}"]
    default_isolation = tier_defaults(tier, cloud)["security"]["isolation_level"] if tier in _tiers() else None
    if isolation is not None and isolation != default_isolation:
        lines += ["tenant_config:", "  security:", f"    isolation_level: {isolation}"]
    return "\n".join(lines) + "\n"


def _tiers() -> tuple[str, ...]:
    from spec.tiers import TIERS

    return TIERS


def stack_text(tenant_id: str, alert_emails: list[str]) -> str:
    lines = [
        f"# Tenant stack for {tenant_id}. Secrets are set per stack, never in the tenant YAML, e.g.",
        "#   pulumi config set --secret tenant-platform:alertWebhookUrl https://...",
        "config:",
        f"  tenant-platform:tenantFile: tenants/{tenant_id}.yaml",
    ]
    if alert_emails:
        lines.append("  tenant-platform:alertEmails:")
        lines += [f"    - {json.dumps(email)}" for email in alert_emails]
    else:
        lines.insert(2, "#   alerts go to email by default: set tenant-platform:alertEmails to a list of addresses")
    return "\n".join(lines) + "\n"


def create_tenant(
    root: Path,
    tenant_id: str,
    tier: str = "standard",
    cloud: str = "aws",
    region: str = "us-east-1",
    isolation: str | None = None,
    alert_emails: list[str] | None = None,
) -> Scaffold:
    """Write ``tenants/<id>.yaml`` and ``stacks/Pulumi.<id>.yaml``; raise ``SpecErrors`` and write nothing
    if the tenant is invalid or either file exists."""
    tenant_path = root / "tenants" / f"{tenant_id}.yaml"
    stack_path = stack_file(root, tenant_id)
    shown_tenant = f"tenants/{tenant_id}.yaml"
    existing = [p for p in (tenant_path, stack_path) if p.exists()]
    if existing:
        raise SpecErrors(
            [SpecError(str(p.relative_to(root)), 1, "", "already exists: refusing to overwrite") for p in existing]
        )
    text = tenant_text(tenant_id, tier, cloud, region, isolation)
    with tempfile.TemporaryDirectory() as scratch:
        candidate = Path(scratch) / f"{tenant_id}.yaml"
        candidate.write_text(text, encoding="utf-8")
        load_tenant(candidate, shown_tenant)  # raises SpecErrors with path:line: field: message
    tenant_path.parent.mkdir(parents=True, exist_ok=True)
    stack_path.parent.mkdir(parents=True, exist_ok=True)
    with tenant_path.open("x", encoding="utf-8") as handle:
        handle.write(text)
    with stack_path.open("x", encoding="utf-8") as handle:
        handle.write(stack_text(tenant_id, list(alert_emails or [])))
    return Scaffold(tenant=load_tenant(tenant_path, shown_tenant), tenant_path=tenant_path, stack_path=stack_path)
