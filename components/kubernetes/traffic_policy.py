"""The gateway's traffic policy towards the workload: ``performance.rate_limit`` and ``circuit_breaker``.

Envoy Gateway's BackendTrafficPolicy attached to the tenant's HTTPRoute. ``performance.cache_ttl`` and
``performance.connection_pool`` are not gateway settings: they stay application settings, handed to the
workload in its ConfigMap (``workload.performance_data``).

How ``rate_limit`` maps: Envoy Gateway's local rate limit is one token bucket per route and per proxy
replica whose size equals its refill (``requests`` per ``unit``, refilled whole each unit). The rendered
bucket holds ``requests_per_second`` tokens refilled every second, so the sustained rate is exact and a
client may send that many at once; because the refill is whole, up to 2 × ``requests_per_second``
arrive within a one-second window that straddles a refill, which is the tier defaults' ``burst``. A
``burst`` above that is not expressible with a local limit (Envoy Gateway has no separate bucket size),
and each Envoy replica counts on its own, so the gateway as a whole admits the rate once per replica.
"""

from __future__ import annotations

from datetime import timedelta

import pulumi
import pulumi_kubernetes as k8s

from components.kubernetes.ingress import GATEWAY_API, object_name
from components.kubernetes.meta import Manifest, object_meta
from spec.models import AnyTenant

ENVOY_GATEWAY_API_VERSION = "gateway.envoyproxy.io/v1alpha1"
# Retried on what the spec names: connect failures, resets and 5xx responses (Envoy's ``5xx`` covers the
# first two as well; they are listed so the intent survives a narrower trigger later).
RETRY_TRIGGERS = ["connect-failure", "reset", "5xx"]


def go_duration(value: timedelta) -> str:
    """A duration as Envoy Gateway writes one (``^([0-9]{1,5}(h|m|s|ms)){1,4}$``): ``1h30s``, ``2s``, ``250ms``."""
    millis = round(value.total_seconds() * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    parts = [f"{n}{unit}" for n, unit in ((hours, "h"), (minutes, "m"), (seconds, "s"), (millis, "ms")) if n]
    return "".join(parts) or "0s"


def rate_limit(spec: AnyTenant) -> Manifest:
    limit = spec.config.performance.rate_limit
    # One rule without client selectors: every request of the route counts (see the module docstring for burst).
    return {"type": "Local", "local": {"rules": [{"limit": {"requests": limit.requests_per_second, "unit": "Second"}}]}}


def backend_traffic_policy_spec(spec: AnyTenant) -> Manifest:
    breaker = spec.config.performance.circuit_breaker
    body: dict[str, object] = {
        "targetRefs": [{"group": GATEWAY_API, "kind": "HTTPRoute", "name": object_name(spec)}],
        # The rate limit protects the workload whether or not the breaker is on.
        "rateLimit": rate_limit(spec),
    }
    if not breaker.enabled:
        # The platform states no limits, no outlier detection and no retries; Envoy's own defaults still
        # apply (1024 connections, pending and parallel requests, no retries).
        return body
    body["circuitBreaker"] = {
        "maxConnections": breaker.max_connections,
        "maxPendingRequests": breaker.max_pending_requests,
        "maxParallelRequests": breaker.max_parallel_requests,
        # The retry budget: retries in flight at once, so retries cannot multiply an overload.
        "maxParallelRetries": breaker.retries.max_parallel,
    }
    # Passive health checking (Envoy outlier detection): a replica answering consecutive 5xx is ejected.
    body["healthCheck"] = {
        "passive": {
            "consecutive5XxErrors": breaker.consecutive_5xx,
            "baseEjectionTime": go_duration(breaker.ejection_time),
            "maxEjectionPercent": breaker.max_ejection_percent,
        }
    }
    body["retry"] = {
        "numRetries": breaker.retries.attempts,
        "retryOn": {"triggers": list(RETRY_TRIGGERS)},
        "perRetry": {"timeout": go_duration(breaker.retries.per_try_timeout)},
    }
    return body


def build_traffic_policy(
    name: str,
    spec: AnyTenant,
    namespace: pulumi.Input[str],
    route: pulumi.Resource,
    opts: pulumi.ResourceOptions,
) -> k8s.apiextensions.CustomResource:
    return k8s.apiextensions.CustomResource(
        f"{name}-traffic-policy",
        api_version=ENVOY_GATEWAY_API_VERSION,
        kind="BackendTrafficPolicy",
        metadata=object_meta(object_name(spec), namespace, spec),
        spec=backend_traffic_policy_spec(spec),
        opts=pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(depends_on=[route])),
    )
