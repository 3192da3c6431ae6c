"""Log retention: a duration from the spec → the nearest value each cloud accepts, never shorter."""

from __future__ import annotations

import math
from datetime import timedelta

# CloudWatch Logs accepts only these retention values (days).
CLOUDWATCH_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653)


def days(value: timedelta) -> int:
    return max(1, math.ceil(value.total_seconds() / 86400))


def cloudwatch_days(value: timedelta) -> int:
    """Round up: retention may exceed what the tenant asked for, never fall short of it."""
    wanted = days(value)
    return next((d for d in CLOUDWATCH_DAYS if d >= wanted), CLOUDWATCH_DAYS[-1])
