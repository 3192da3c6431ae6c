"""``tenantctl cost``: what each tenant costs per month before it is deployed, and what a pull request changes."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from tenantctl.common import EXIT_USAGE, default_paths, load_or_exit, project_root


class CostFormat(StrEnum):
    table = "table"
    json = "json"
    markdown = "markdown"


def cost(
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Tenant files or folders (default: tenants/).", show_default=False)
    ] = None,
    format: Annotated[CostFormat, typer.Option("--format", "-f", help="Report format.")] = CostFormat.table,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write the report to this file.")] = None,
    usage: Annotated[Path | None, typer.Option("--usage", help="Usage file (YAML) overriding the tier presets.")] = None,
    compare_to: Annotated[
        Path | None, typer.Option("--compare-to", help="Base cost JSON (the target branch's) to print the monthly delta against.")
    ] = None,
    by_resource: Annotated[
        bool,
        typer.Option(
            "--by-resource", help="Also list every priced and unpriced line (JSON always has them: it is the diff base)."
        ),
    ] = False,
) -> None:
    """Price every tenant's rendered estate from the cited catalogue: min / expected / max per month, unpriced items listed."""
    from tenantctl.cost.diff import BaseError, compare, load_base
    from tenantctl.cost.usage import UsageError, load_usage

    tenants = load_or_exit(default_paths(paths))
    try:
        usage_file = load_usage(usage)
        base = load_base(compare_to) if compare_to else None
    except (UsageError, BaseError) as exc:
        print(str(exc), file=sys.stderr)
        raise typer.Exit(EXIT_USAGE) from None

    from tenantctl.cost.fleet import estimate_fleet
    from tenantctl.cost.report import document, markdown, table

    costs = estimate_fleet(tenants, project_root(), usage_file)
    doc = document(costs, by_resource=True)
    deltas = compare(doc["tenants"], base) if base is not None else None
    if format is CostFormat.table:
        console = Console(file=output.open("w", encoding="utf-8") if output else None, width=160)
        table(costs, console, by_resource, deltas)
        return
    if format is CostFormat.json:
        if deltas is not None:
            doc["delta"] = [
                {
                    "tenant": d.tenant,
                    "monthly_usd": {"min": round(d.min, 2), "expected": round(d.expected, 2), "max": round(d.max, 2)},
                    "items": [{"key": i.key, "item": i.item, "expected": round(i.expected, 2)} for i in d.resources],
                }
                for d in deltas
            ]
        text = json.dumps(doc, indent=2) + "\n"
    else:
        text = markdown(costs, deltas)
    if output:
        output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)


def register(app: typer.Typer) -> None:
    app.command("cost")(cost)
