"""The tenant's SLOs on CloudWatch: multi-window burn-rate alarms, routed to the tenant's SNS topic.

Why metric-math alarms and not an Application Signals ServiceLevelObjective: the pinned ``pulumi_aws``
has no ``applicationsignals`` module, and Application Signals SLOs only raise alarms on their own burn-rate
metrics, which still need the same alarms. Each burn-rate window is two metric-math alarms (the error
ratio over the long and over the short look-back, no actions of their own) and one composite alarm
``ALARM(long) AND ALARM(short)`` that notifies the topic: it pages while the budget is burning and clears
as soon as the short look-back recovers.

Where the request metrics come from:

- availability: Envoy's upstream request counters (``components.burn_rate``) scraped from the gateway's
  proxy pods by the CloudWatch agent's Prometheus collection into ``ContainerInsights/Prometheus``. The
  scrape derives ``TenantNamespace`` from ``envoy_cluster_name`` (``httproute/<namespace>/...``) and
  publishes ``[ClusterName, TenantNamespace]`` and ``[ClusterName, TenantNamespace,
  envoy_response_code_class]``; counters arrive as per-scrape deltas, so ``Sum`` over a period counts
  the period's requests (``SCRAPE_DIMENSIONS`` is that contract).
- latency: the per-request latency distribution the existing p95 alarm watches
  (``components.aws.alerting.LATENCY_METRIC``); CloudWatch's percentile rank ``PR(:x)`` is the share of
  requests at most x ms, so ``1 - PR/100`` is the share of slow requests, with no histogram buckets.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, TypedDict

import pulumi
import pulumi_aws as aws

from components.aws.alerting import LATENCY_METRIC, LATENCY_NAMESPACE
from components.aws.common import child, physical_name
from components.burn_rate import (
    CODE_CLASS_LABEL,
    REQUESTS_BY_CLASS,
    REQUESTS_TOTAL,
    WINDOWS,
    Objective,
    Window,
    objectives,
    promql_duration,
)

PROMETHEUS_NAMESPACE = "ContainerInsights/Prometheus"
TENANT_DIMENSION = "TenantNamespace"
# The metric declarations the agent's Prometheus scrape of the gateway must publish (see the docstring).
SCRAPE_DIMENSIONS = (("ClusterName", TENANT_DIMENSION), ("ClusterName", TENANT_DIMENSION, CODE_CLASS_LABEL))


class SloArgs(TypedDict):
    provider: aws.Provider
    tenant_id: str
    base_name: str
    cluster_name: pulumi.Input[str]
    namespace: str
    availability: float  # percent
    latency_p95: timedelta
    topic_arn: pulumi.Input[str]
    tags: dict[str, str]


def _seconds(value: timedelta) -> int:
    return int(value.total_seconds())


def ratio_queries(objective: Objective, look_back: timedelta, cluster_name: pulumi.Input[str], namespace: str,
                  tenant_id: str, latency_ms: float) -> list[dict[str, Any]]:
    """Metric queries whose returned series is the objective's bad-request ratio over one look-back."""
    period = _seconds(look_back)
    if objective.key == "availability":
        dims: dict[str, pulumi.Input[str]] = {"ClusterName": cluster_name, TENANT_DIMENSION: namespace}

        def stat(metric: str, extra: dict[str, str]) -> dict[str, Any]:
            return {"namespace": PROMETHEUS_NAMESPACE, "metric_name": metric, "dimensions": {**dims, **extra},
                    "period": period, "stat": "Sum"}

        return [
            {"id": "errors", "metric": stat(REQUESTS_BY_CLASS, {CODE_CLASS_LABEL: "5"}), "return_data": False},
            {"id": "requests", "metric": stat(REQUESTS_TOTAL, {}), "return_data": False},
            # No traffic is no burn: FILL keeps an idle tenant's ratio at 0 instead of missing.
            {"id": "ratio", "expression": "FILL(errors, 0) / requests", "label": "5xx ratio", "return_data": True},
        ]
    return [
        {"id": "within", "return_data": False,
         "metric": {"namespace": LATENCY_NAMESPACE, "metric_name": LATENCY_METRIC, "dimensions": {"Tenant": tenant_id},
                    "period": period, "stat": f"PR(:{latency_ms:g})", "unit": "Milliseconds"}},
        {"id": "ratio", "expression": "1 - within / 100", "label": f"share slower than {latency_ms:g} ms",
         "return_data": True},
    ]


class Slo(pulumi.ComponentResource):
    """Per objective (availability, latency) and window (fast, slow): two ratio alarms and the composite."""

    composite_arns: list[pulumi.Output[str]]

    def __init__(self, name: str, args: SloArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("tenant-platform:aws:Slo", name, None, opts)
        latency_ms = args["latency_p95"].total_seconds() * 1000
        self.composite_arns = []
        for objective in objectives(args["availability"], args["latency_p95"]):
            for window in WINDOWS:
                self.composite_arns.append(self._burn_alarm(name, args, objective, window, latency_ms))
        self.register_outputs({"compositeAlarmArns": self.composite_arns})

    def _burn_alarm(self, name: str, args: SloArgs, objective: Objective, window: Window,
                    latency_ms: float) -> pulumi.Output[str]:
        provider, base, tags = args["provider"], args["base_name"], args["tags"]
        key = f"slo-{objective.key}-{window.name}"
        threshold = objective.threshold(window)
        parts = []
        for span, look_back in (("long", window.long), ("short", window.short)):
            parts.append(aws.cloudwatch.MetricAlarm(
                f"{name}-{key}-{span}",
                name=physical_name(base, f"{key}-{span}", 255),
                alarm_description=(f"{objective.description}: bad-request ratio over {promql_duration(look_back)} above "
                                   f"{threshold:.6g} ({objective.effective_burn_rate(window):g}x burn)"),
                metric_queries=ratio_queries(  # type: ignore[arg-type]  # plain dicts for the query TypedDicts
                    objective, look_back, args["cluster_name"], args["namespace"], args["tenant_id"], latency_ms),
                comparison_operator="GreaterThanThreshold",
                threshold=threshold,
                evaluation_periods=1,
                treat_missing_data="notBreaching",
                # Only the composite notifies: one look-back alone is not the burn the window stands for.
                actions_enabled=False,
                tags=tags,
                opts=child(self, provider),
            ))
        long, short = parts
        composite = aws.cloudwatch.CompositeAlarm(
            f"{name}-{key}",
            alarm_name=physical_name(base, key, 255),
            alarm_description=(f"{args['tenant_id']}: {objective.description}; the error budget burns at "
                               f"{objective.effective_burn_rate(window):g}x over {promql_duration(window.long)} "
                               f"and {promql_duration(window.short)}"),
            alarm_rule=pulumi.Output.concat('ALARM("', long.name, '") AND ALARM("', short.name, '")'),
            alarm_actions=[args["topic_arn"]],
            ok_actions=[args["topic_arn"]],
            actions_enabled=True,
            tags=tags,
            opts=child(self, provider),
        )
        return composite.arn
