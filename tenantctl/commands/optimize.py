"""``tenantctl optimize``: cheaper settings for one tenant, each with its monthly saving and risk; ``--write`` applies them."""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from tenantctl.common import EXIT_POLICY, EXIT_USAGE, project_root

KINDS = ("replicas", "nodes", "node-size", "database", "cache", "spot")
TENANT_ID = re.compile(r"^[a-z][a-z0-9-]{1,61}[a-z0-9]$")


class OptimizeFormat(StrEnum):
    table = "table"
    json = "json"


def _fail(message: str) -> None:
    print(message, file=sys.stderr)
    raise typer.Exit(EXIT_USAGE)


def _series(option: str, path: Path | None) -> Any:
    if path is None:
        return None
    from tenantctl.forecast.history import HistoryError, load_csv

    try:
        return load_csv(path)
    except HistoryError as exc:
        _fail(str(exc))
    return None


def _table(report: Any, console: Console) -> None:
    table = Table(title=f"{report.tenant}: ${report.monthly_usd:,.2f}/month expected today", show_lines=True)
    for column in ("kind", "change", "saving / month", "why", "risk"):
        table.add_column(column, overflow="fold")
    for r in report.recommendations:
        saving = "unpriced" if r.monthly_saving_usd is None else f"${r.monthly_saving_usd:,.2f}"
        table.add_row(r.kind, r.summary(), saving, r.reason, r.risk)
    console.print(table)
    for line in report.skipped:
        console.print(f"skipped: {line}")


def optimize(
    tenant_id: Annotated[str, typer.Argument(help="Tenant id (tenants/<id>.yaml).")],
    metrics: Annotated[
        Path | None, typer.Option("--metrics", help="Demand history CSV (timestamp,value) for replica bounds.")
    ] = None,
    database_metrics: Annotated[
        Path | None, typer.Option("--database-metrics", help="Database CPU utilisation CSV (timestamp,percent).")
    ] = None,
    cache_metrics: Annotated[
        Path | None, typer.Option("--cache-metrics", help="Cache memory utilisation CSV (timestamp,percent).")
    ] = None,
    capacity: Annotated[
        float | None,
        typer.Option("--capacity-per-replica", help="Demand one replica serves (default: the tenant's autoscaling setting)."),
    ] = None,
    usage: Annotated[Path | None, typer.Option("--usage", help="Usage file (YAML) overriding the tier presets.")] = None,
    only: Annotated[
        list[str] | None, typer.Option("--only", help=f"Apply/show only these kinds ({', '.join(KINDS)}).")
    ] = None,
    write: Annotated[
        bool, typer.Option("--write", help="Apply the recommendations that save money; validated and planned first.")
    ] = False,
    format: Annotated[OptimizeFormat, typer.Option("--format", "-f", help="Report format.")] = OptimizeFormat.table,
) -> None:
    """Recommend replica and node bounds, node size, database and cache class and spot capacity, priced per month."""
    from spec.errors import SpecErrors
    from spec.loader import load_tenant
    from tenantctl.cost.usage import UsageError, load_usage
    from tenantctl.optimize.apply import apply
    from tenantctl.optimize.engine import recommend

    if not TENANT_ID.fullmatch(tenant_id):
        _fail(f"{tenant_id}:1: tenant: not a tenant id (lowercase letters, digits and '-'; a name, not a path)")
    root = project_root()
    shown = f"tenants/{tenant_id}.yaml"
    path = root / "tenants" / f"{tenant_id}.yaml"
    if not path.is_file():
        _fail(f"{shown}:1: tenant: no such tenant file")
    if capacity is not None and not capacity > 0:
        _fail(f"--capacity-per-replica:1: capacity: must be > 0, not {capacity:g}")
    unknown = sorted(set(only or ()) - set(KINDS))
    if unknown:
        _fail(f"--only:1: kind: unknown {', '.join(unknown)} (one of {', '.join(KINDS)})")
    try:
        tenant = load_tenant(path, shown)
        usage_file = load_usage(usage)
    except SpecErrors as exc:
        for error in exc.errors:
            print(str(error), file=sys.stderr)
        raise typer.Exit(EXIT_USAGE) from None
    except UsageError as exc:
        _fail(str(exc))
    history = _series("--metrics", metrics)
    try:
        report = recommend(
            tenant, root, usage_file, history=history,
            database=_series("--database-metrics", database_metrics), cache=_series("--cache-metrics", cache_metrics),
            capacity=capacity,
        )
    except ValueError as exc:  # e.g. no capacity_per_replica, a history shorter than the replay window
        _fail(f"{metrics or shown}:1: {exc}")
    if only:
        report.recommendations = [r for r in report.recommendations if r.kind in only]
    if format is OptimizeFormat.json:
        sys.stdout.write(json.dumps(report.to_json(), indent=2) + "\n")
    else:
        _table(report, Console(width=160))
    if not write:
        return
    # Savings add up in order (each is priced with the earlier ones applied), so the chosen set is a prefix-free pick.
    chosen = [
        r
        for r in report.recommendations
        if (r.monthly_saving_usd or 0) > 0 or r.evidence.get("max_saving_usd", 0) > 0 or (only and r.kind in only)
    ]
    if not chosen:
        print(f"{shown}: nothing to write (no recommendation saves money)", file=sys.stderr)
        return
    try:
        applied = apply(tenant, chosen, root, dt.date.today(), shown)
    except SpecErrors as exc:
        for error in exc.errors:
            print(str(error), file=sys.stderr)
        raise typer.Exit(EXIT_USAGE) from None
    if applied.blocking:
        for line in applied.blocking:
            print(f"{shown}: blocked: {line}", file=sys.stderr)
        print(f"{shown}: not written: the optimised tenant would violate mandatory policies", file=sys.stderr)
        raise typer.Exit(EXIT_POLICY)
    sys.stderr.write(applied.diff)
    print(f"{shown}: written ({len(chosen)} recommendation(s)); next: tenantctl plan {shown}", file=sys.stderr)


def register(app: typer.Typer) -> None:
    app.command("optimize")(optimize)
