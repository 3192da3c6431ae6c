"""What a tenant's monthly budget is, and the alert thresholds every cloud's budget uses.

The amount is per stack (``tenant-platform:monthlyBudget``, USD), written by ``tenantctl budgets
--write`` as the cost estimate plus a margin and reviewed like any config change. A stack without
it gets its tier's default, so no tenant is ever deployed without a budget.
"""

from __future__ import annotations

# Alerts at 80% (time to look) and 100% (over budget) of the month's amount, on actual spend;
# 100% also on forecasted spend so the alert comes before the money is spent.
ACTUAL_THRESHOLDS = (80, 100)
FORECAST_THRESHOLDS = (100,)
# Used only when the stack states no amount (``tenantctl budgets --check`` flags such stacks).
TIER_DEFAULT_USD = {"free": 750, "standard": 2500, "premium": 6000, "enterprise": 15000}
MARGIN = 0.25  # the estimate's "expected" plus a quarter: normal growth without an alert every month


def monthly_amount(configured: float | None, tier: str) -> float:
    return float(configured) if configured else float(TIER_DEFAULT_USD[tier])
