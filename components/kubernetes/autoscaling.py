"""Autoscaling of the workload: a plain HPA, or a KEDA ScaledObject when latency or a schedule drive it.

Exactly one autoscaler per Deployment: KEDA creates and owns its own HPA, and two HPAs on one
target fight each other.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

import pulumi
import pulumi_kubernetes as k8s

from components.kubernetes.meta import Manifest, object_meta
from components.naming import namespace_name
from spec.models import AnyTenant

Mode = Literal["disabled", "hpa", "keda"]

KEDA_API_VERSION = "keda.sh/v1alpha1"
# Scale down slowly: the highest recommendation of the last 5 minutes wins, then at most half the pods a minute.
SCALE_DOWN_STABILIZATION_SECONDS = 300
SCALE_DOWN_POLICY = {"type": "Percent", "value": 50, "periodSeconds": 60}
# The latency histogram the workload exports (Prometheus client default naming) and the window it is read over.
LATENCY_METRIC = "http_request_duration_seconds_bucket"
LATENCY_WINDOW = "2m"


@dataclass(frozen=True)
class Decision:
    mode: Mode
    reason: str  # one sentence an operator reads in the plan


def decide(spec: AnyTenant, prometheus_address: str | None) -> Decision:
    """Which autoscaler the workload gets, and why (pure: the plan can call it too)."""
    scaling = spec.config.autoscaling
    if not scaling.enabled:
        return Decision("disabled", f"autoscaling disabled: fixed at {scaling.min_replicas} replicas")
    latency = scaling.metrics.latency_threshold is not None
    scheduled = scaling.strategy == "predictive" and bool(scaling.schedule)
    drivers = []
    if scheduled:
        drivers.append(f"a schedule of {len(scaling.schedule)} replica floor block(s)")
    if latency and prometheus_address:
        drivers.append("p95 latency from Prometheus")
    notes = []
    if scaling.strategy == "predictive" and not scheduled:
        notes.append("strategy predictive has no schedule yet, so it scales reactively")
    if latency and not prometheus_address:
        notes.append("latency_threshold is not a scaling trigger without a prometheusAddress in stack config")
    if drivers:
        return Decision("keda", "; ".join(["KEDA ScaledObject on CPU, memory and " + " and ".join(drivers), *notes]))
    return Decision("hpa", "; ".join(["HPA on CPU and memory", *notes]))


def scale_down_behavior() -> Manifest:
    return {
        "scaleDown": {
            "stabilizationWindowSeconds": SCALE_DOWN_STABILIZATION_SECONDS,
            "policies": [SCALE_DOWN_POLICY],
        }
    }


def target_ref(spec: AnyTenant) -> dict[str, str]:
    return {"apiVersion": "apps/v1", "kind": "Deployment", "name": spec.config.workload.name}


def hpa_spec(spec: AnyTenant) -> Manifest:
    scaling = spec.config.autoscaling
    return {
        "scaleTargetRef": target_ref(spec),
        "minReplicas": scaling.min_replicas,
        "maxReplicas": scaling.max_replicas,
        "metrics": [
            {
                "type": "Resource",
                "resource": {"name": resource, "target": {"type": "Utilization", "averageUtilization": threshold}},
            }
            for resource, threshold in (
                ("cpu", scaling.metrics.cpu_threshold),
                ("memory", scaling.metrics.memory_threshold),
            )
        ],
        "behavior": scale_down_behavior(),
    }


def seconds(value: timedelta) -> str:
    """A duration as the decimal seconds KEDA's threshold expects (``500ms`` → ``0.5``)."""
    return f"{value.total_seconds():g}"


def latency_query(spec: AnyTenant) -> str:
    ns = namespace_name(spec.tenant_id)
    return (
        f'histogram_quantile(0.95, sum by (le) (rate({LATENCY_METRIC}{{namespace="{ns}"}}[{LATENCY_WINDOW}])))'
    )


def scaled_object_spec(spec: AnyTenant, prometheus_address: str | None) -> Manifest:
    scaling = spec.config.autoscaling
    triggers: list[dict[str, object]] = [
        {"type": resource, "metricType": "Utilization", "metadata": {"value": str(threshold)}}
        for resource, threshold in (("cpu", scaling.metrics.cpu_threshold), ("memory", scaling.metrics.memory_threshold))
    ]
    latency = scaling.metrics.latency_threshold
    if latency is not None and prometheus_address:
        triggers.append(
            {
                "type": "prometheus",
                "name": "p95-latency",
                # Value, not AverageValue: latency does not divide across replicas, so the HPA scales
                # the current count by latency / threshold.
                "metricType": "Value",
                "metadata": {
                    "serverAddress": prometheus_address,
                    "query": latency_query(spec),
                    "threshold": seconds(latency),
                },
            }
        )
    if scaling.strategy == "predictive":
        # KEDA takes the highest of all triggers, so each cron block is a floor under the reactive triggers.
        triggers.extend(
            {
                "type": "cron",
                "name": f"schedule-{index}",
                "metadata": {
                    "timezone": scaling.schedule_timezone,
                    "start": block.start,
                    "end": block.end,
                    "desiredReplicas": str(block.desired_replicas),
                },
            }
            for index, block in enumerate(scaling.schedule)
        )
    return {
        "scaleTargetRef": target_ref(spec),
        "minReplicaCount": scaling.min_replicas,
        "maxReplicaCount": scaling.max_replicas,
        "advanced": {"horizontalPodAutoscalerConfig": {"behavior": scale_down_behavior()}},
        "triggers": triggers,
    }


def build_autoscaler(
    name: str,
    spec: AnyTenant,
    namespace: pulumi.Input[str],
    deployment: k8s.apps.v1.Deployment,
    decision: Decision,
    prometheus_address: str | None,
    opts: pulumi.ResourceOptions,
) -> pulumi.Resource | None:
    workload = spec.config.workload.name
    metadata = object_meta(workload, namespace, spec)
    after = pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(depends_on=[deployment]))
    if decision.mode == "keda":
        return k8s.apiextensions.CustomResource(
            f"{name}-scaledobject",
            api_version=KEDA_API_VERSION,
            kind="ScaledObject",
            metadata=metadata,
            spec=scaled_object_spec(spec, prometheus_address),
            opts=after,
        )
    if decision.mode == "hpa":
        return k8s.autoscaling.v2.HorizontalPodAutoscaler(
            f"{name}-hpa", metadata=metadata, spec=hpa_spec(spec), opts=after
        )
    return None
