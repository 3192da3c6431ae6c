"""GCP billing budget on the billing account, filtered to the tenant's label, alerting its notification channels."""

from __future__ import annotations

import math
from typing import TypedDict

import pulumi
import pulumi_gcp as gcp

from components.budget_amount import ACTUAL_THRESHOLDS, FORECAST_THRESHOLDS

# Offline there is no billing account; a real stack sets ``tenant-platform:billingAccount``.
PLACEHOLDER_BILLING_ACCOUNT = "000000-000000-000000"


class BudgetArgs(TypedDict):
    tenant_id: str
    amount_usd: float
    billing_account: str
    project_number: pulumi.Input[str]
    channel_ids: pulumi.Input[list[str]]
    provider: gcp.Provider


class Budget(pulumi.ComponentResource):
    def __init__(self, name: str, args: BudgetArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("tenant-platform:gcp:Budget", name, None, opts)
        budget = gcp.billing.Budget(
            f"{name}-monthly",
            billing_account=args["billing_account"],
            display_name=f"{args['tenant_id']} monthly"[:60],
            # Pooled tenants share a project: the tenant label (on every labelled resource) narrows it to theirs.
            budget_filter=gcp.billing.BudgetBudgetFilterArgs(
                projects=[pulumi.Output.concat("projects/", args["project_number"])],
                labels={"tenant": args["tenant_id"]},
                calendar_period="MONTH",
            ),
            amount=gcp.billing.BudgetAmountArgs(
                specified_amount=gcp.billing.BudgetAmountSpecifiedAmountArgs(
                    currency_code="USD", units=str(math.ceil(args["amount_usd"]))
                )
            ),
            threshold_rules=[
                *(gcp.billing.BudgetThresholdRuleArgs(threshold_percent=t / 100) for t in ACTUAL_THRESHOLDS),
                *(
                    gcp.billing.BudgetThresholdRuleArgs(threshold_percent=t / 100, spend_basis="FORECASTED_SPEND")
                    for t in FORECAST_THRESHOLDS
                ),
            ],
            all_updates_rule=gcp.billing.BudgetAllUpdatesRuleArgs(monitoring_notification_channels=args["channel_ids"]),
            opts=pulumi.ResourceOptions(parent=self, provider=args["provider"]),
        )
        self.budget_id = budget.id
        self.register_outputs({"budgetId": budget.id})
