"""``tenantctl destroy``: delete every resource of tenant stacks; asks first, refuses protected tiers."""

from __future__ import annotations

from typing import Annotated

import typer

from tenantctl.fleet.options import (
    AllOpt,
    BackendOpt,
    ChangedOpt,
    FleetOptions,
    FormatOpt,
    ListOpt,
    LogDirOpt,
    OutputFormat,
    ParallelOpt,
    TenantsArg,
    TimeoutOpt,
    WavesByOpt,
    WavesOpt,
    fleet_command,
)
from tenantctl.fleet.runner import Operation


def destroy(
    tenants: TenantsArg = None,
    all_tenants: AllOpt = False,
    changed_since: ChangedOpt = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Also destroy tenants whose tier has deletion protection (a database that itself has "
            "deletion_protection: true must first be deployed with it off).",
        ),
    ] = False,
    parallel: ParallelOpt = 4,
    waves: WavesOpt = None,
    waves_by: WavesByOpt = None,
    timeout: TimeoutOpt = "1h",
    backend: BackendOpt = None,
    format: FormatOpt = OutputFormat.table,
    log_dir: LogDirOpt = None,
    list_only: ListOpt = False,
) -> None:
    """Destroy tenant stacks (asks for confirmation unless --yes; deletion-protected tiers need --force)."""
    fleet_command(
        Operation.destroy,
        FleetOptions(
            tenants=list(tenants or []), all=all_tenants, changed_since=changed_since, parallel=parallel,
            waves=waves, waves_by=waves_by, timeout=timeout, backend=backend, format=format, log_dir=log_dir,
            list_only=list_only, yes=yes, force=force,
        ),
    )


def register(app: typer.Typer) -> None:
    app.command("destroy")(destroy)
