"""AWS Budgets: the tenant's monthly cost, filtered by its cost-allocation tag, alerting its SNS topic."""

from __future__ import annotations

from typing import TypedDict

import pulumi
import pulumi_aws as aws

from components.aws.common import physical_name
from components.budget_amount import ACTUAL_THRESHOLDS, FORECAST_THRESHOLDS


class BudgetArgs(TypedDict):
    tenant_id: str
    amount_usd: float
    topic_arn: pulumi.Input[str]  # the tenant's alert topic: its channels already subscribe to it
    tags: dict[str, str]


class Budget(pulumi.ComponentResource):
    def __init__(self, name: str, args: BudgetArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("tenant-platform:aws:Budget", name, None, opts)

        def notification(kind: str, threshold: int) -> aws.budgets.BudgetNotificationArgs:
            return aws.budgets.BudgetNotificationArgs(
                comparison_operator="GREATER_THAN",
                notification_type=kind,
                threshold=threshold,
                threshold_type="PERCENTAGE",
                subscriber_sns_topic_arns=[args["topic_arn"]],
            )

        budget = aws.budgets.Budget(
            f"{name}-monthly",
            name=physical_name(args["tenant_id"], "monthly", 100),
            budget_type="COST",
            limit_amount=f"{args['amount_usd']:.2f}",
            limit_unit="USD",
            time_unit="MONTHLY",
            # The ``tenant`` tag is activated as a cost-allocation tag in the payer account (README: Budgets);
            # it is on every taggable resource, so the filter sees the tenant's whole estate, pooled or silo.
            cost_filters=[aws.budgets.BudgetCostFilterArgs(name="TagKeyValue", values=[f"user:tenant${args['tenant_id']}"])],
            notifications=[
                *(notification("ACTUAL", t) for t in ACTUAL_THRESHOLDS),
                *(notification("FORECASTED", t) for t in FORECAST_THRESHOLDS),
            ],
            tags=args["tags"],
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.budget_name = budget.name
        self.register_outputs({"budgetName": budget.name})
