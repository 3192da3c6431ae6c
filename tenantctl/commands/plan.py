"""``tenantctl plan``: render every tenant offline under Pulumi's mocks and report its resources."""

from __future__ import annotations

import json
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from tenantctl.common import default_paths, load_or_exit, project_root
from tenantctl.render import RenderedTenant, render_all


class PlanFormat(str, Enum):
    table = "table"
    json = "json"


def plan_document(rendered: list[RenderedTenant]) -> dict[str, Any]:
    """The JSON shape of ``plan --format json``; later features add keys, never rename these."""
    return {
        "tenants": [
            {
                "tenant": r.tenant_id,
                "cloud": r.tenant.spec.cloud,
                "stack": r.stack.stack,
                "resources": [res.to_json() for res in r.resources],
                "warnings": r.stack.warnings,
            }
            for r in rendered
        ]
    }


def _table(rendered: list[RenderedTenant], console: Console) -> None:
    for r in rendered:
        spec = r.tenant.spec
        table = Table(title=f"{r.tenant_id}  ({spec.tier}, {spec.cloud} {spec.region}, {spec.isolation})")
        table.add_column("type")
        table.add_column("name")
        for res in r.resources:
            if res.custom:
                table.add_row(res.type, res.name)
        console.print(table)
        for warning in r.stack.warnings:
            console.print(f"[yellow]warning[/yellow] {r.tenant_id}: {warning}")
    total = sum(len([x for x in r.resources if x.custom]) for r in rendered)
    console.print(f"{len(rendered)} tenant(s), {total} resources")


def plan(
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Tenant files or folders (default: tenants/).", show_default=False)
    ] = None,
    format: Annotated[PlanFormat, typer.Option("--format", "-f", help="Report format.")] = PlanFormat.table,  # noqa: A002
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write the report to this file.")] = None,
) -> None:
    """Render tenants offline (no cloud, no credentials) and print their resources."""
    tenants = load_or_exit(default_paths(paths))
    rendered = render_all(tenants, project_root())
    if format is PlanFormat.json:
        text = json.dumps(plan_document(rendered), indent=2, sort_keys=False)
        if output:
            output.write_text(text + "\n", encoding="utf-8")
        else:
            sys.stdout.write(text + "\n")
        for r in rendered:
            for warning in r.stack.warnings:
                print(f"warning: {r.tenant_id}: {warning}", file=sys.stderr)
        return
    console = Console(file=output.open("w", encoding="utf-8") if output else None, width=160)
    _table(rendered, console)


def register(app: typer.Typer) -> None:
    app.command("plan")(plan)
