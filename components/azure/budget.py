"""Azure consumption budget on the tenant's own resource group, alerting its action group."""

from __future__ import annotations

from typing import TypedDict

import pulumi
import pulumi_azure_native as azure

from components.budget_amount import ACTUAL_THRESHOLDS, FORECAST_THRESHOLDS

# A budget's period must start on the first of a month; one fixed start keeps the resource stable across runs.
PERIOD_START = "2026-01-01T00:00:00Z"


class BudgetArgs(TypedDict):
    amount_usd: float
    resource_group_id: pulumi.Input[str]
    action_group_id: pulumi.Input[str]
    emails: list[str]


class Budget(pulumi.ComponentResource):
    def __init__(self, name: str, args: BudgetArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("tenant-platform:azure:Budget", name, None, opts)

        def notification(kind: str, threshold: int) -> azure.consumption.NotificationArgs:
            return azure.consumption.NotificationArgs(
                enabled=True,
                operator="GreaterThan",
                threshold=threshold,
                threshold_type=kind,
                contact_groups=[args["action_group_id"]],
                contact_emails=list(args["emails"]),
            )

        budget = azure.consumption.Budget(
            f"{name}-monthly",
            scope=args["resource_group_id"],
            budget_name=f"{name}-monthly"[:63],
            amount=round(args["amount_usd"], 2),
            category="Cost",
            time_grain="Monthly",
            time_period=azure.consumption.BudgetTimePeriodArgs(start_date=PERIOD_START),
            notifications={
                **{f"actual{t}": notification("Actual", t) for t in ACTUAL_THRESHOLDS},
                **{f"forecast{t}": notification("Forecasted", t) for t in FORECAST_THRESHOLDS},
            },
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.budget_id = budget.id
        self.register_outputs({"budgetId": budget.id})
