"""What the operator sees: a live line per tenant while the fleet runs, then a summary."""

from __future__ import annotations

import threading
from typing import Any

from rich.console import Console
from rich.live import Live
from rich.table import Table

from tenantctl.fleet.execute import FleetResult, Status, TenantResult

STYLE = {
    Status.queued: "dim",
    Status.running: "cyan",
    Status.succeeded: "green",
    Status.failed: "red",
    Status.timed_out: "red",
    Status.skipped: "yellow",
}


def _seconds(result: TenantResult) -> str:
    value = result.seconds
    return f"{value:.1f}s" if value is not None else ""


def _detail(result: TenantResult) -> str:
    if result.error:
        return result.error
    if result.outcome is not None:
        if result.outcome.drifted:
            return f"drifted: {len(result.outcome.drifted)} resource(s)"
        return result.outcome.changes_text()
    return ""


class LiveDisplay:
    """Rich ``Live`` table on a terminal; one plain line per state change otherwise (CI logs)."""

    def __init__(self, console: Console, title: str) -> None:
        self.console = console
        self.title = title
        self.rows: dict[str, TenantResult] = {}
        self.lock = threading.Lock()
        self.live: Live | None = None

    def __enter__(self) -> LiveDisplay:
        if self.console.is_terminal:
            self.live = Live(self._table(), console=self.console, refresh_per_second=4, transient=False)
            self.live.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        if self.live is not None:
            self.live.update(self._table())
            self.live.__exit__(*exc)

    def __call__(self, result: TenantResult) -> None:
        with self.lock:
            first = result.tenant_id not in self.rows
            self.rows[result.tenant_id] = result
            if self.live is not None:
                self.live.update(self._table())
            elif not (first and result.status is Status.queued):
                self.console.print(
                    f"{result.tenant_id}: {result.status.value} {_seconds(result)} {_detail(result)}".rstrip()
                )

    def _table(self) -> Table:
        table = Table(title=self.title, expand=False)
        for column in ("tenant", "wave", "status", "time", "detail"):
            table.add_column(column)
        for result in self.rows.values():
            style = STYLE[result.status]
            table.add_row(
                result.tenant_id, str(result.wave), f"[{style}]{result.status.value}[/{style}]",
                _seconds(result), _detail(result),
            )
        return table


def summary_table(fleet: FleetResult) -> Table:
    table = Table(title=f"tenantctl {fleet.operation.value}: summary")
    for column in ("tenant", "wave", "status", "time", "result", "log"):
        table.add_column(column)
    for result in fleet.results:
        style = STYLE[result.status]
        table.add_row(
            result.tenant_id, str(result.wave), f"[{style}]{result.status.value}[/{style}]",
            _seconds(result), _detail(result), result.log_file or "",
        )
    return table


def drift_lines(fleet: FleetResult) -> list[str]:
    lines = []
    for result in fleet.results:
        if result.outcome and result.outcome.drifted:
            lines.append(f"{result.tenant_id} drifted:")
            lines.extend(f"  {urn}" for urn in result.outcome.drifted)
    return lines
