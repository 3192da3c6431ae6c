"""Cost estimates → JSON (the base a pull request is compared to), a terminal table and a Markdown comment section."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

from tenantctl.cost.catalogue import HOURS_PER_MONTH
from tenantctl.cost.diff import Delta
from tenantctl.cost.estimate import TenantCost
from tenantctl.policy.escape import markdown_code, markdown_text

FORMAT = "tenant-platform-cost/1"


def document(costs: list[TenantCost], by_resource: bool = True) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "currency": "USD",
        "hours_per_month": HOURS_PER_MONTH,
        "convention": "on-demand list prices; min/max from the estate's bounds, expected from usage presets",
        "tenants": [c.to_json(by_resource) for c in costs],
    }


def usd(value: float) -> str:
    return f"${value:,.2f}"


def table(costs: list[TenantCost], console: Console, by_resource: bool = False, deltas: list[Delta] | None = None) -> None:
    summary = Table(title="Monthly cost (USD, on-demand list prices, 730 h/month)")
    for column in ("tenant", "tier", "cloud", "expected", "min", "max", "unpriced items", *(["Δ expected"] if deltas else [])):
        summary.add_column(column, justify="right" if column in ("expected", "min", "max", "Δ expected") else "left")
    by_tenant = {d.tenant: d for d in deltas or []}
    for cost in costs:
        total = cost.total()
        row = [
            cost.tenant,
            cost.tier,
            f"{cost.cloud} {cost.region}",
            usd(total.expected),
            usd(total.min),
            usd(total.max),
            str(len(cost.unpriced)),
        ]
        if deltas:
            delta = by_tenant.get(cost.tenant)
            row.append(f"{delta.expected:+,.2f}" if delta else "new")
        summary.add_row(*row)
    console.print(summary)
    if not by_resource:
        return
    for cost in costs:
        detail = Table(title=f"{cost.tenant}: per resource")
        for column in ("resource", "item", "quantity (expected)", "unit", "unit price", "monthly (expected)"):
            detail.add_column(column)
        for line in cost.lines:
            monthly = line.monthly()
            detail.add_row(
                line.name,
                line.item,
                f"{line.quantity.expected:,.1f}",
                line.unit,
                f"${line.price.usd:g}" if line.price else "—",
                usd(monthly.expected) if monthly else "[yellow]unpriced[/yellow]",
            )
        console.print(detail)


def markdown(costs: list[TenantCost], deltas: list[Delta] | None = None) -> str:
    lines = [
        "## Cost estimate",
        "",
        "Monthly, USD, on-demand list prices (730 h/month); min–max from node and storage bounds.",
        "",
    ]
    header = "| tenant | expected | min – max | unpriced items |" + (" Δ expected vs base |" if deltas is not None else "")
    lines += [header, "|---|---:|---:|---:|" + ("---:|" if deltas is not None else "")]
    by_tenant = {d.tenant: d for d in deltas or []}
    for cost in costs:
        total = cost.total()
        bounds = f"{usd(total.min)} – {usd(total.max)}"
        row = f"| {markdown_code(cost.tenant)} | {usd(total.expected)} | {bounds} | {len(cost.unpriced)} |"
        if deltas is not None:
            delta = by_tenant.get(cost.tenant)
            row += f" {delta.expected:+,.2f} |" if delta else " new |"
        lines.append(row)
    for delta in deltas or []:
        changed = [r for r in delta.resources if abs(r.expected) >= 0.005]
        if not changed:
            continue
        lines += ["", f"<details><summary>{markdown_text(delta.tenant)}: {delta.expected:+,.2f} USD/month</summary>", ""]
        lines += ["| resource item | Δ expected |", "|---|---:|"]
        lines += [f"| {markdown_text(r.item)} | {r.expected:+,.2f} |" for r in changed]
        lines += ["", "</details>"]
    unpriced = sum(len(c.unpriced) for c in costs)
    if unpriced:
        lines += [
            "",
            f"{unpriced} item(s) have no cited price in the catalogue and are not in the totals "
            "(`tenantctl cost --by-resource` lists them).",
        ]
    return "\n".join(lines) + "\n"
