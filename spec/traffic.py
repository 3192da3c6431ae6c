"""How requests reach the tenant: its host names, the gateway's rate limit and circuit breaker.

These become Gateway API and Envoy Gateway objects (components/kubernetes/ingress.py, traffic_policy.py);
``cache_ttl`` and ``connection_pool`` in ``performance`` stay application settings handed to the workload.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from spec.base import TIER_DEFAULTED, FieldError, StrictModel
from spec.durations import Duration
from spec.formats import hostname

MAX_HOSTNAMES = 16


class Ingress(StrictModel):
    model_config = TIER_DEFAULTED
    hostnames: Annotated[
        list[str],
        Field(
            max_length=MAX_HOSTNAMES,
            description="Exact host names routed to the workload (TLS only). Empty: the platform's default "
            "host <tenant_id>.<ingress domain of the stack>. No wildcards; unique across tenants.",
        ),
    ]
    load_balancer: Annotated[
        Literal["internal", "public"] | None,
        Field(
            description="Silo clusters only: the gateway's load balancer. Default: internal for strict tenants; "
            "pooled tenants share the shared cluster's gateway."
        ),
    ]

    @field_validator("hostnames")
    @classmethod
    def _valid_unique_hosts(cls, value: list[str]) -> list[str]:
        for index, host in enumerate(value):
            try:
                hostname(host)
            except ValueError as exc:
                raise FieldError((index,), str(exc)) from None
        if len(set(value)) != len(value):
            raise ValueError("host names must not repeat")
        return value


class RateLimit(StrictModel):
    model_config = TIER_DEFAULTED
    requests_per_second: Annotated[
        int, Field(ge=1, le=1_000_000, description="Sustained requests per second the gateway admits for the tenant.")
    ]
    burst: Annotated[
        int,
        Field(
            ge=1,
            le=10_000_000,
            description="Requests admitted at once above the sustained rate; ≥ requests_per_second. The gateway's "
            "local limit refills whole each second, so it admits up to 2 × requests_per_second within one second; "
            "a larger burst is not enforced.",
        ),
    ]

    @model_validator(mode="after")
    def _burst_covers_rate(self) -> RateLimit:
        if self.burst < self.requests_per_second:
            raise FieldError(("burst",), f"must be ≥ requests_per_second ({self.requests_per_second})")
        return self


class Retries(StrictModel):
    model_config = TIER_DEFAULTED
    attempts: Annotated[int, Field(ge=0, le=5, description="Retries per request on connect failures and 5xx.")]
    per_try_timeout: Annotated[Duration, Field(description="Timeout of each attempt, 10ms to 60s.")]
    max_parallel: Annotated[
        int, Field(ge=1, le=100_000, description="Retry budget: retries in flight at once towards the workload.")
    ]

    @field_validator("per_try_timeout")
    @classmethod
    def _timeout_bounds(cls, value: timedelta) -> timedelta:
        if not timedelta(milliseconds=10) <= value <= timedelta(minutes=1):
            raise ValueError("must be between 10ms and 60s")
        return value


class CircuitBreaker(StrictModel):
    """The gateway's traffic policy towards the workload (Envoy circuit breaker and outlier detection)."""

    model_config = TIER_DEFAULTED
    enabled: Annotated[bool, Field(description="Apply the limits, outlier detection and retries below.")]
    max_connections: Annotated[int, Field(ge=1, le=1_000_000, description="Connections to the workload at once.")]
    max_pending_requests: Annotated[int, Field(ge=1, le=1_000_000, description="Requests queued for a connection.")]
    max_parallel_requests: Annotated[int, Field(ge=1, le=1_000_000, description="Requests in flight at once.")]
    consecutive_5xx: Annotated[
        int, Field(ge=1, le=1000, description="Consecutive 5xx responses that eject a replica (outlier detection).")
    ]
    ejection_time: Annotated[Duration, Field(description="Base time an ejected replica stays out, 1s to 1h.")]
    max_ejection_percent: Annotated[
        int, Field(ge=1, le=100, description="At most this share of replicas is ejected at once.")
    ]
    retries: Retries

    @field_validator("ejection_time")
    @classmethod
    def _ejection_bounds(cls, value: timedelta) -> timedelta:
        if not timedelta(seconds=1) <= value <= timedelta(hours=1):
            raise ValueError("must be between 1s and 1h")
        return value
