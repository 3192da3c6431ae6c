"""``tenantctl validate``: schema, tier bounds and cross-field rules, offline, no cloud SDK imported."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tenantctl.common import EXIT_USAGE, default_paths, load_or_exit, project_root
from tenantctl.trust import trust_errors


def validate(
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Tenant files or folders (default: tenants/).", show_default=False)
    ] = None,
) -> None:
    """Validate tenant files; exit 0, or 2 with `path:line: field: message` per problem."""
    tenants = load_or_exit(default_paths(paths))
    errors = trust_errors(tenants, project_root())  # waivers, duplicate tenants, stack files pointing elsewhere
    if errors:
        for error in errors:
            typer.echo(str(error), err=True)
        raise typer.Exit(EXIT_USAGE)
    for tenant in tenants:
        spec = tenant.spec
        typer.echo(f"ok  {tenant.path}  {spec.tenant_id} ({spec.tier}, {spec.cloud} {spec.region}, {spec.isolation})")


def register(app: typer.Typer) -> None:
    app.command("validate")(validate)
