"""``tenantctl drift``: Detect drift: a preview-only refresh per stack; lists drifted tenants and resources (exit 1 on drift)."""

from __future__ import annotations

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


def drift(
    tenants: TenantsArg = None,
    all_tenants: AllOpt = False,
    changed_since: ChangedOpt = None,
    parallel: ParallelOpt = 4,
    waves: WavesOpt = None,
    waves_by: WavesByOpt = None,
    timeout: TimeoutOpt = "1h",
    backend: BackendOpt = None,
    format: FormatOpt = OutputFormat.table,
    log_dir: LogDirOpt = None,
    list_only: ListOpt = False,
) -> None:
    """Detect drift: a preview-only refresh per stack; lists drifted tenants and resources (exit 1 on drift)."""
    fleet_command(
        Operation.drift,
        FleetOptions(
            tenants=list(tenants or []), all=all_tenants, changed_since=changed_since, parallel=parallel,
            waves=waves, waves_by=waves_by, timeout=timeout, backend=backend, format=format, log_dir=log_dir,
            list_only=list_only,
        ),
    )


def register(app: typer.Typer) -> None:
    app.command("drift")(drift)
