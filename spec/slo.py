"""Service level objectives: what the tenant's availability and latency alerts burn against."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from pydantic import Field, field_validator

from spec.base import TIER_DEFAULTED, StrictModel
from spec.durations import Duration


class Slo(StrictModel):
    model_config = TIER_DEFAULTED
    availability: Annotated[
        float,
        Field(
            ge=90.0,
            le=99.999,
            description="Percent of requests answered without a 5xx over 30 days, e.g. 99.9 (error budget 0.1%).",
        ),
    ]
    latency_p95: Annotated[
        Duration, Field(description="95th percentile request latency at the gateway the tenant is held to, e.g. 100ms.")
    ]

    @field_validator("latency_p95")
    @classmethod
    def _latency_bounds(cls, value: timedelta) -> timedelta:
        if not timedelta(milliseconds=1) <= value <= timedelta(minutes=1):
            raise ValueError("must be between 1ms and 60s")
        return value
