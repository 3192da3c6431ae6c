"""``tenantctl scale``: change a tenant's replica and node bounds in place, validated, with a diff."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from spec.errors import SpecErrors
from tenantctl.common import EXIT_USAGE, load_one_or_exit, project_root, tenant_file, usage_error
from tenantctl.fleet.scaling import scale_tenant


def scale(
    tenant_id: Annotated[str, typer.Argument(help="Tenant id (tenants/<id>.yaml).")],
    min_replicas: Annotated[int | None, typer.Option("--min", help="autoscaling.min_replicas")] = None,
    max_replicas: Annotated[int | None, typer.Option("--max", help="autoscaling.max_replicas")] = None,
    nodes_min: Annotated[int | None, typer.Option("--nodes-min", help="cluster.min_nodes")] = None,
    nodes_max: Annotated[int | None, typer.Option("--nodes-max", help="cluster.max_nodes")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print the diff, change nothing.")] = False,
) -> None:
    """Edit replica/node bounds in tenants/<id>.yaml keeping comments and order; re-validate; print the diff."""
    root = project_root()
    path, shown = tenant_file(root, tenant_id)
    requested = {"min_replicas": min_replicas, "max_replicas": max_replicas, "min_nodes": nodes_min,
                 "max_nodes": nodes_max}
    changes = {k: v for k, v in requested.items() if v is not None}
    for name, value in changes.items():
        if not 0 <= value <= 1_000_000:  # the schema caps these far lower; this keeps absurd numbers out of the YAML
            raise usage_error("options", name, f"{value} is out of range")
    load_one_or_exit(path, shown)  # the file as it is must be valid before it is edited
    try:
        tenant, diff = scale_tenant(path, changes, shown, write=not dry_run)
    except SpecErrors as exc:
        for error in exc.errors:
            print(str(error), file=sys.stderr)
        raise typer.Exit(EXIT_USAGE) from None
    sys.stdout.write(diff or f"{shown}: already at these bounds, nothing changed\n")
    a, c = tenant.spec.config.autoscaling, tenant.spec.config.cluster
    verb = "would be" if dry_run else "now"
    typer.echo(f"{tenant_id}: replicas {a.min_replicas}..{a.max_replicas}, nodes {c.min_nodes}..{c.max_nodes} ({verb})")
    if not dry_run and diff:
        typer.echo(f"next: tenantctl preview {tenant_id}")


def register(app: typer.Typer) -> None:
    app.command("scale")(scale)
