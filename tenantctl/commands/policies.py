"""``tenantctl policies``: the pack's policies and their compliance mapping."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from tenantctl.policy.catalog import policies as catalog


class Framework(StrEnum):
    gdpr = "gdpr"
    soc2 = "soc2"
    iso27001 = "iso27001"


def policies(
    framework: Annotated[Framework | None, typer.Option("--framework", help="Only policies mapped to this framework.")] = None,
) -> None:
    """List the policy pack's policies with severity, level and their GDPR / SOC 2 / ISO 27001 controls."""
    table = Table(title="tenant-platform policies")
    for column in ("policy", "level", "severity", "controls", "description"):
        table.add_column(column, overflow="fold")
    shown = 0
    for p in catalog():
        if framework and not any(f.startswith(f"{framework.value}:") for f in p.frameworks):
            continue
        controls = [f for f in p.frameworks if not framework or f.startswith(f"{framework.value}:")]
        table.add_row(p.name, "mandatory" if p.mandatory else "advisory", p.severity, ", ".join(controls), p.description)
        shown += 1
    console = Console(width=200)
    console.print(table)
    console.print(f"{shown} policies")


def register(app: typer.Typer) -> None:
    app.command("policies")(policies)
