"""``tenantctl new``: scaffold a tenant file and its stack file, validated, never overwriting."""

from __future__ import annotations

import re
import sys
from typing import Annotated

import typer

from spec.errors import SpecErrors
from spec.tiers import CLOUDS, TIERS
from tenantctl.common import EXIT_USAGE, check_tenant_id, project_root, usage_error
from tenantctl.fleet.scaffold import create_tenant
from tenantctl.stack_config import EMAIL


def new(
    tenant_id: Annotated[str, typer.Argument(help="Tenant id: a DNS label, also the file and stack name.")],
    tier: Annotated[str, typer.Option("--tier", help="free, standard, premium or enterprise.")] = "standard",
    cloud: Annotated[str, typer.Option("--cloud", help="aws, azure or gcp.")] = "aws",
    region: Annotated[str, typer.Option("--region", help="Region in the cloud's own naming.")] = "us-east-1",
    isolation: Annotated[
        str | None,
        typer.Option("--isolation", help="strict (own cluster) or standard (shared cluster); default: the tier's."),
    ] = None,
    alert_email: Annotated[
        list[str] | None, typer.Option("--alert-email", help="Alert recipient for the stack config (repeatable).")
    ] = None,
) -> None:
    """Write tenants/<id>.yaml (only what differs from the tier) and stacks/Pulumi.<id>.yaml."""
    # Each option is written into YAML text: only known words pass, so no option can add keys or lines.
    check_tenant_id(tenant_id)
    if tier not in TIERS:
        raise usage_error("options", "--tier", f"must be one of {', '.join(TIERS)}, not {tier[:40]!r}")
    if cloud not in CLOUDS:
        raise usage_error("options", "--cloud", f"must be one of {', '.join(CLOUDS)}, not {cloud[:40]!r}")
    if not re.fullmatch(r"[a-z][a-z0-9-]{1,30}[a-z0-9]", region):
        raise usage_error("options", "--region", f"{region[:40]!r} is not a region name")
    if isolation is not None and isolation not in ("strict", "standard"):
        raise usage_error("options", "--isolation", f"must be strict or standard, not {isolation[:40]!r}")
    for email in alert_email or []:
        if len(email) > 254 or not EMAIL.match(email):
            raise usage_error("options", "--alert-email", f"{email[:60]!r} is not an email address")
    root = project_root()
    try:
        made = create_tenant(root, tenant_id, tier, cloud, region, isolation, alert_email)
    except SpecErrors as exc:
        for error in exc.errors:
            print(str(error), file=sys.stderr)
        raise typer.Exit(EXIT_USAGE) from None
    spec = made.tenant.spec
    typer.echo(f"wrote {made.tenant_path.relative_to(root)}  ({spec.tier}, {spec.cloud} {spec.region}, {spec.isolation})")
    typer.echo(f"wrote {made.stack_path.relative_to(root)}")
    if not spec.silo:
        from components.naming import shared_cluster_stack

        shared = shared_cluster_stack(spec.cloud, spec.region)
        if not (root / "stacks" / f"Pulumi.{shared}.yaml").exists():
            typer.echo(f"note: pooled tenant: create the shared cluster stack {shared} before its first up", err=True)
    typer.echo(f"next: tenantctl validate tenants/{tenant_id}.yaml && tenantctl preview {tenant_id}")


def register(app: typer.Typer) -> None:
    app.command("new")(new)
