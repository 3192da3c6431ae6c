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


def _controls(frameworks: tuple[str, ...], framework: str) -> str:
    return ", ".join(f.split(":", 1)[1] for f in frameworks if f.startswith(f"{framework}:"))


def policy_table_markdown() -> str:
    """The README's policy table: every policy of the pack, in report order (``tenantctl policies --markdown``)."""
    lines = [
        "| policy | level | severity | never waivable | GDPR | SOC 2 | ISO/IEC 27001:2022 |",
        "|---|---|---|---|---|---|---|",
    ]
    for p in catalog():
        level = "mandatory" if p.mandatory else "advisory"
        critical = "yes" if p.critical else ""
        lines.append(
            f"| `{p.name}` | {level} | {p.severity} | {critical} | {_controls(p.frameworks, 'gdpr')} | "
            f"{_controls(p.frameworks, 'soc2')} | {_controls(p.frameworks, 'iso27001')} |"
        )
    return "\n".join(lines) + "\n"


def policies(
    framework: Annotated[Framework | None, typer.Option("--framework", help="Only policies mapped to this framework.")] = None,
    markdown: Annotated[bool, typer.Option("--markdown", help="Print the README's policy table.")] = False,
) -> None:
    """List the policy pack's policies with severity, level and their GDPR / SOC 2 / ISO 27001 controls."""
    if markdown:
        typer.echo(policy_table_markdown(), nl=False)
        return
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
