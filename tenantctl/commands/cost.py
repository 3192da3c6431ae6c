"""``tenantctl cost``: what each tenant costs per month before it is deployed, and what a pull request changes."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from tenantctl.common import EXIT_POLICY, EXIT_USAGE, default_paths, load_or_exit, project_root


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




def budgets(
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Tenant files or folders (default: tenants/).", show_default=False)
    ] = None,
    write: Annotated[bool, typer.Option("--write", help="Write the suggested amount into each stale stack file.")] = False,
    check: Annotated[bool, typer.Option("--check", help="Exit 1 when a stack's budget is missing or stale.")] = False,
    usage: Annotated[Path | None, typer.Option("--usage", help="Usage file (YAML) overriding the tier presets.")] = None,
) -> None:
    """Each tenant's monthly budget: the expected estimate plus a margin, kept in its stack file.

    The amount is ``tenant-platform:monthlyBudget`` in ``stacks/Pulumi.<id>.yaml``; the program renders it
    as an AWS Budget, an Azure consumption budget or a GCP billing budget with alerts at 80% and 100%.
    """
    from tenantctl.cost.budgets import budget_lines
    from tenantctl.cost.budgets import write as write_budget
    from tenantctl.cost.fleet import estimate_fleet
    from tenantctl.cost.usage import UsageError, load_usage

    tenants = load_or_exit(default_paths(paths))
    try:
        usage_file = load_usage(usage)
    except UsageError as exc:
        print(str(exc), file=sys.stderr)
        raise typer.Exit(EXIT_USAGE) from None
    root = project_root()
    lines = budget_lines(estimate_fleet(tenants, root, usage_file), root)
    stale = [line for line in lines if line.stale]
    for line in lines:
        current = "unset" if line.current_usd is None else f"${line.current_usd:,.0f}"
        mark = " (stale)" if line.stale else ""
        typer.echo(
            f"{line.tenant}: expected ${line.expected_usd:,.2f}/month, budget {current}{mark}, suggested ${line.suggested_usd:,}"
        )
    if write:
        for line in stale:
            write_budget(line)
            typer.echo(f"{line.stack_file.relative_to(root)}: tenant-platform:monthlyBudget = {line.suggested_usd}")
    elif check and stale:
        print(f"{len(stale)} stack(s) without a current budget: run `tenantctl budgets --write`", file=sys.stderr)
        raise typer.Exit(EXIT_POLICY)


def register(app: typer.Typer) -> None:
    app.command("cost")(cost)
    app.command("budgets")(budgets)
