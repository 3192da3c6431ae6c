"""The tenant's SLOs as Cloud Monitoring objects: a custom service, two SLOs, burn-rate alert policies.

The SLIs are request-based, over the gateway's Envoy metrics as Managed Service for Prometheus ingests
them (GKE's managed collection, enabled on every cluster the package creates, scraping the proxy pods of
``addons.contract.GATEWAY_NAMESPACE``): a Prometheus counter ``x`` becomes the CUMULATIVE metric
``prometheus.googleapis.com/x/counter`` and a histogram the DISTRIBUTION metric ``.../x/histogram``, on
the ``prometheus_target`` resource, with the Prometheus labels as ``metric.labels``. So:

- availability: ``good_total_ratio`` with bad = 5xx-class upstream requests and total = all upstream
  requests of the tenant's route clusters (``envoy_cluster_name`` starting ``httproute/<namespace>/``);
- latency: ``distribution_cut`` of the upstream request-time histogram (milliseconds) at ``latency_p95``.

A custom service and not a GKE-discovered one: the tenant's traffic is identified by route, not by a
Kubernetes Service of its own, and the custom service needs no telemetry binding to hold these SLIs.
Each burn-rate window is one alert policy with two ``select_slo_burn_rate`` conditions (long and short
look-back) combined with AND, sent to the tenant's notification channels.
"""

from __future__ import annotations

import functools
from datetime import timedelta
from typing import Any, TypedDict

import pulumi
import pulumi_gcp as gcp

from components.burn_rate import (
    CLUSTER_LABEL,
    CODE_CLASS_LABEL,
    REQUEST_TIME,
    REQUESTS_BY_CLASS,
    REQUESTS_TOTAL,
    SLO_PERIOD,
    WINDOWS,
    Objective,
    Window,
    cluster_prefix,
    objectives,
    promql_duration,
)
from components.gcp.common import Project, child
from components.kubernetes.addons.contract import GATEWAY_NAMESPACE

# The Monitoring API accepts goals up to 0.9999; a stricter objective (the spec allows 99.999) is reported
# against 99.99% here, while its burn-rate policies still fire at the stated objective's error ratios.
MAX_GOAL = 0.9999


class SloArgs(TypedDict):
    project: Project
    base_name: str
    title: str
    cluster_name: pulumi.Input[str]
    namespace: str
    availability: float  # percent
    latency_p95: timedelta
    channel_ids: pulumi.Input[list[str]]
    labels: dict[str, str]


def metric_filter(metric: str, kind: str, cluster_name: str, namespace: str, extra: str = "") -> str:
    """A Monitoring filter over one of the gateway's Prometheus metrics, the tenant's route clusters only."""
    parts = [
        f'metric.type="prometheus.googleapis.com/{metric}/{kind}"',
        'resource.type="prometheus_target"',
        f'resource.labels.cluster="{cluster_name}"',
        f'resource.labels.namespace="{GATEWAY_NAMESPACE}"',
        f'metric.labels.{CLUSTER_LABEL}=starts_with("{cluster_prefix(namespace)}")',
    ]
    return " AND ".join(parts + ([extra] if extra else []))


def _availability_sli(values: list[str]) -> dict[str, object]:
    cluster, namespace = values
    return {"good_total_ratio": {
        "bad_service_filter": metric_filter(REQUESTS_BY_CLASS, "counter", cluster, namespace,
                                            f'metric.labels.{CODE_CLASS_LABEL}="5"'),
        "total_service_filter": metric_filter(REQUESTS_TOTAL, "counter", cluster, namespace),
    }}


def _latency_sli(values: list[str], latency_ms: float) -> dict[str, object]:
    cluster, namespace = values
    return {"distribution_cut": {
        "distribution_filter": metric_filter(REQUEST_TIME, "histogram", cluster, namespace),
        "range": {"max": latency_ms},
    }}


def burn_rate_filter(slo_name: str, look_back: timedelta) -> str:
    # In minutes, the form the Monitoring documentation's examples use ("60m").
    return f'select_slo_burn_rate("{slo_name}", "{int(look_back.total_seconds() // 60)}m")'


class Slo(pulumi.ComponentResource):
    service_id: pulumi.Output[str]
    slo_names: list[pulumi.Output[str]]

    def __init__(self, name: str, args: SloArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("tenant-platform:gcp:Slo", name, None, opts)
        proj, labels = args["project"], args["labels"]
        opts_ = child(self, proj.provider)
        service = gcp.monitoring.CustomService(
            f"{name}-service",
            service_id=f"{args['base_name']}-gateway"[:63],
            display_name=f"{args['title']} (gateway)",
            user_labels=labels,
            project=proj.id,
            opts=opts_,
        )
        where = pulumi.Output.all(args["cluster_name"], args["namespace"])
        latency_ms = args["latency_p95"].total_seconds() * 1000
        self.slo_names = []
        for objective in objectives(args["availability"], args["latency_p95"]):
            sli = (where.apply(_availability_sli) if objective.key == "availability"
                   else where.apply(lambda v: _latency_sli(v, latency_ms)))
            slo = gcp.monitoring.Slo(
                f"{name}-{objective.key}",
                service=service.service_id,
                slo_id=objective.key,
                display_name=objective.description,
                goal=min(objective.goal, MAX_GOAL),
                rolling_period_days=SLO_PERIOD.days,
                request_based_sli=sli,  # type: ignore[arg-type]
                user_labels=labels,
                project=proj.id,
                opts=opts_,
            )
            self.slo_names.append(slo.name)
            for window in WINDOWS:
                self._burn_policy(name, args, objective, window, slo.name, opts_)
        self.service_id = service.service_id
        self.register_outputs({"serviceId": self.service_id})

    def _burn_policy(self, name: str, args: SloArgs, objective: Objective, window: Window,
                     slo_name: pulumi.Output[str], opts: pulumi.ResourceOptions) -> None:
        # Burn rate relative to the goal the SLO object holds: the policy fires at the error ratio the stated
        # objective's window stands for, also where the object's goal had to be capped.
        rate = round(objective.threshold(window) / (1 - min(objective.goal, MAX_GOAL)), 6)
        conditions: list[Any] = [
            {
                "display_name": f"{objective.key} budget burning {rate:g}x over {promql_duration(look_back)}",
                "condition_threshold": {
                    "filter": slo_name.apply(functools.partial(burn_rate_filter, look_back=look_back)),
                    "comparison": "COMPARISON_GT",
                    "threshold_value": rate,
                    # The look-back already smooths: fire on the first point above.
                    "duration": "0s",
                },
            }
            for look_back in (window.long, window.short)
        ]
        gcp.monitoring.AlertPolicy(
            f"{name}-{objective.key}-{window.name}-burn",
            display_name=f"{args['title']}: {objective.key} SLO {window.name} burn",
            combiner="AND",
            conditions=conditions,
            notification_channels=args["channel_ids"],
            documentation={"content": f"{objective.description}. Both look-backs burn the error budget "
                                      f"at more than {rate:g}x.", "mime_type": "text/markdown"},
            user_labels=args["labels"],
            project=args["project"].id,
            opts=opts,
        )
