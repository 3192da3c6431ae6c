"""``tenantctl preview|up|refresh|drift``: one stack operation over a selection of tenants.

The four commands share every option and differ only in the operation they run, so one
factory builds them (``destroy`` has its own module: it adds --yes and --force).
"""

from __future__ import annotations

from collections.abc import Callable

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

HELP = {
    Operation.preview: "Preview tenant stacks through the Automation API, with the policy pack and each tenant's pack config.",
    Operation.up: "Deploy tenant stacks (pulumi up) in waves, with the policy pack and each tenant's pack config.",
    Operation.refresh: "Refresh tenant stacks: read live cloud state into each stack's state.",
    Operation.drift: "Detect drift: a preview-only refresh per stack; lists drifted tenants and resources (exit 1 on drift).",
}


def _command(operation: Operation) -> Callable[..., None]:
    def run(
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
        fleet_command(
            operation,
            FleetOptions(
                tenants=list(tenants or []), all=all_tenants, changed_since=changed_since, parallel=parallel,
                waves=waves, waves_by=waves_by, timeout=timeout, backend=backend, format=format, log_dir=log_dir,
                list_only=list_only,
            ),
        )

    return run


def register(app: typer.Typer) -> None:
    for operation, text in HELP.items():
        app.command(operation.value, help=text)(_command(operation))
