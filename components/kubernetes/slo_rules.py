"""The tenant's SLOs as multi-window, multi-burn-rate alerts (PrometheusRule) on the gateway's request metrics.

The model (Google SRE workbook, "Alerting on SLOs"): over a 30-day window the error budget is
``1 - availability``; a burn rate of N spends it N times as fast as allowed. Each tier below fires when
both its long and its short window burn faster than N: the long window proves the burn is significant
(``14.4×`` for an hour is 2% of the month's budget), the short one that it is still happening, so the
alert resets minutes after a fix rather than an hour. Fast tiers page, slow tiers open a ticket.

Latency is a second SLO on the same windows: ``latency_p95: 200ms`` means 95% of requests finish within
200 ms, so its budget is the 5% of requests allowed to be slower.

Series (Envoy's own statistics, scraped from the Gateway's proxy pods; Envoy Gateway names the upstream
cluster of route rule N ``httproute/<namespace>/<route>/rule/<N>``):

- ``envoy_cluster_upstream_rq_xx{envoy_cluster_name, envoy_response_code_class}``: responses towards the
  workload by class; ``envoy_response_code_class="5"`` are the errors. Envoy also charges the 503s it
  answers itself for the cluster (circuit breaker overflow, no healthy replica). It counts each upstream
  attempt, so a 5xx a retry later rescued still spends budget: the alerts err towards paging.
- ``envoy_cluster_upstream_rq_time_bucket{envoy_cluster_name, le}`` / ``_count``: upstream request time,
  a histogram in milliseconds on Envoy's default buckets.

Routing: every alert carries ``tenant``, ``severity`` (``critical`` pages, ``warning`` is a ticket) and
``alert_channels`` (the tenant's ``monitoring.alert_channels``, comma-separated); the cluster's
Alertmanager routes on them to the tenant's receivers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pulumi
import pulumi_kubernetes as k8s

from components.kubernetes.ingress import object_name
from components.kubernetes.meta import Manifest, object_meta
from components.naming import namespace_name
from spec.models import AnyTenant

PROMETHEUS_API_VERSION = "monitoring.coreos.com/v1"
SLO_WINDOW = "30d"
LATENCY_QUANTILE = 0.95
# Envoy's default histogram bucket bounds (milliseconds).
ENVOY_BUCKETS_MS = (0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000)
REQUESTS = "envoy_cluster_upstream_rq_xx"
LATENCY = "envoy_cluster_upstream_rq_time"


@dataclass(frozen=True)
class BurnTier:
    burn_rate: float
    long_window: str
    short_window: str  # 1/12 of the long window, as the workbook recommends
    severity: str  # "critical" pages, "warning" opens a ticket


# 2% of the budget in 1h, 5% in 6h (pages); 10% in 1d, 10% in 3d (tickets).
BURN_TIERS = (
    BurnTier(14.4, "1h", "5m", "critical"),
    BurnTier(6, "6h", "30m", "critical"),
    BurnTier(3, "1d", "2h", "warning"),
    BurnTier(1, "3d", "6h", "warning"),
)
WINDOWS = tuple(dict.fromkeys(w for t in BURN_TIERS for w in (t.short_window, t.long_window)))


def error_budget(spec: AnyTenant) -> float:
    return 1 - spec.config.monitoring.slo.availability / 100


def latency_bucket_ms(latency: timedelta) -> float:
    """The largest bucket bound within the target: a request between it and the target counts as slow,
    so the alert never reports less slowness than there is."""
    millis = latency.total_seconds() * 1000
    within = [b for b in ENVOY_BUCKETS_MS if b <= millis]
    return within[-1] if within else ENVOY_BUCKETS_MS[0]


def _number(value: float) -> str:
    return f"{value:.10g}"


def route_selector(spec: AnyTenant) -> str:
    return f'envoy_cluster_name=~"httproute/{namespace_name(spec.tenant_id)}/{object_name(spec)}/rule/[0-9]+"'


# What each SLO's ratio counts: failed requests for availability, requests slower than the target for latency.
RATIOS = {"availability": "request_errors", "latency": "slow_requests"}


def record_name(slo: str, window: str) -> str:
    return f"tenant:gateway_{RATIOS[slo]}:ratio_rate{window}"


def _error_ratio(spec: AnyTenant, window: str) -> str:
    route = route_selector(spec)
    return (
        f'sum(rate({REQUESTS}{{{route},envoy_response_code_class="5"}}[{window}]))'
        f" / sum(rate({REQUESTS}{{{route}}}[{window}]))"
    )


def _slow_ratio(spec: AnyTenant, window: str) -> str:
    route = route_selector(spec)
    bound = _number(latency_bucket_ms(spec.config.monitoring.slo.latency_p95))
    return (
        f'1 - sum(rate({LATENCY}_bucket{{{route},le="{bound}"}}[{window}]))'
        f" / sum(rate({LATENCY}_count{{{route}}}[{window}]))"
    )


def budgets(spec: AnyTenant) -> dict[str, float]:
    """Share of requests each SLO allows to fail: errors for availability, slow ones for latency."""
    return {"availability": error_budget(spec), "latency": 1 - LATENCY_QUANTILE}


def thresholds(spec: AnyTenant, slo: str) -> list[tuple[BurnTier, float]]:
    """Each tier's ratio threshold; a tier whose threshold is 100% or more could never fire and is left out
    (only below 93.06% availability, where 14.4 × the budget exceeds every request)."""
    budget = budgets(spec)[slo]
    return [(tier, tier.burn_rate * budget) for tier in BURN_TIERS if tier.burn_rate * budget < 1]


def prometheus_rule_spec(spec: AnyTenant) -> Manifest:
    tenant = spec.tenant_id
    slo = spec.config.monitoring.slo
    selector = f'{{tenant="{tenant}"}}'
    base_labels = {"tenant": tenant}
    recording = [
        {"record": record_name(name, window), "expr": ratio(spec, window), "labels": {**base_labels, "slo": name}}
        for name, ratio in (("availability", _error_ratio), ("latency", _slow_ratio))
        for window in WINDOWS
    ]
    targets = {
        "availability": f"{_number(slo.availability)}% of requests without a 5xx over {SLO_WINDOW}",
        "latency": f"95% of requests within {_number(slo.latency_p95.total_seconds() * 1000)} ms over {SLO_WINDOW}",
    }
    alerts = [
        {
            "alert": f"Tenant{name.capitalize()}BudgetBurn",
            # No ``for``: the short window already stops a blip from firing and lets the alert reset quickly.
            "expr": (
                f"{record_name(name, tier.long_window)}{selector} > {_number(threshold)}"
                f" and {record_name(name, tier.short_window)}{selector} > {_number(threshold)}"
            ),
            "labels": {
                **base_labels,
                "slo": name,
                "severity": tier.severity,
                "alert_channels": ",".join(spec.config.monitoring.alert_channels),
                "long_window": tier.long_window,
                "short_window": tier.short_window,
            },
            "annotations": {
                "summary": f"{tenant}: {name} error budget burning at {_number(tier.burn_rate)}× "
                f"over {tier.long_window} and {tier.short_window}",
                "description": f"SLO: {targets[name]}. At this rate the {SLO_WINDOW} budget is spent in "
                f"{_number(30 * 24 / tier.burn_rate)} hours.",
            },
        }
        for name in ("availability", "latency")
        for tier, threshold in thresholds(spec, name)
    ]
    return {
        "groups": [
            {"name": f"{tenant}-slo-recording", "rules": recording},
            {"name": f"{tenant}-slo-alerts", "rules": alerts},
        ]
    }


def build_slo_rules(
    name: str, spec: AnyTenant, namespace: pulumi.Input[str], opts: pulumi.ResourceOptions
) -> k8s.apiextensions.CustomResource:
    return k8s.apiextensions.CustomResource(
        f"{name}-slo-rules",
        api_version=PROMETHEUS_API_VERSION,
        kind="PrometheusRule",
        metadata=object_meta(f"{object_name(spec)}-slo", namespace, spec),
        spec=prometheus_rule_spec(spec),
        opts=opts,
    )
