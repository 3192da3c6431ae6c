"""Autoscaling sanity: node pools and workload autoscalers have min ≤ max within the tier's ceilings."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import Severity

from .base import CAPACITY, Context, Meta, as_int, as_list, get, resource_policy, truthy

TIER_CEILINGS = {
    "free": {"max_replicas": 5, "max_nodes": 3},
    "standard": {"max_replicas": 20, "max_nodes": 10},
    "premium": {"max_replicas": 100, "max_nodes": 30},
    "enterprise": {"max_replicas": 500, "max_nodes": 100},
}
CEILINGS_SCHEMA = {
    "tierCeilings": {
        "type": "object",
        "default": TIER_CEILINGS,
        "additionalProperties": {
            "type": "object",
            "properties": {"max_replicas": {"type": "integer"}, "max_nodes": {"type": "integer"}},
        },
        "description": "Upper bounds per tier (replicas of the workload, nodes of a pool).",
    }
}


def _meta(name: str, description: str, remediation: str) -> Meta:
    return Meta(name, description, Severity.MEDIUM, remediation, CAPACITY, "autoscaling", True, CEILINGS_SCHEMA)


def bounds(noun: str, low: Any, high: Any, ceiling: int | None, shown: tuple[str, str], floor: int = 1) -> Iterator[str]:
    lo, hi = as_int(low), as_int(high)
    if lo is None or hi is None or lo < floor or lo > hi or (ceiling is not None and hi > ceiling):
        limit = f" ≤ {ceiling}" if ceiling is not None else ""
        yield f"{noun} must have {floor} ≤ {shown[0]} ≤ {shown[1]}{limit} (got {low} and {high})."


def _ceiling(ctx: Context, key: str) -> int | None:
    row = ctx.by_tier("tierCeilings", TIER_CEILINGS)
    return as_int(row.get(key)) if isinstance(row, Mapping) else None


def _eks(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    scaling = props.get("scalingConfig")
    yield from bounds(
        "EKS node group",
        get(scaling, "minSize"),
        get(scaling, "maxSize"),
        _ceiling(ctx, "max_nodes"),
        ("scalingConfig.minSize", "scalingConfig.maxSize"),
    )


def _aks(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    pools = as_list(props.get("agentPoolProfiles")) if "agentPoolProfiles" in props else [props]
    if ctx.resource_type == "azure-native:containerservice:ManagedCluster" and not pools:
        return
    for pool in pools:
        if truthy(get(pool, "enableAutoScaling")):
            yield from bounds(
                "AKS node pool",
                get(pool, "minCount"),
                get(pool, "maxCount"),
                _ceiling(ctx, "max_nodes"),
                ("minCount", "maxCount"),
            )
        else:
            yield from bounds(
                "AKS node pool", get(pool, "count") or 1, get(pool, "count") or 1, _ceiling(ctx, "max_nodes"), ("count", "count")
            )


def _gke(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    auto = props.get("autoscaling")
    if auto is None:
        count = props.get("nodeCount", props.get("initialNodeCount", 1))
        yield from bounds("GKE node pool", count, count, _ceiling(ctx, "max_nodes"), ("nodeCount", "nodeCount"))
        return
    if get(auto, "totalMaxNodeCount") is not None:
        yield from bounds(
            "GKE node pool",
            get(auto, "totalMinNodeCount") or 0,
            get(auto, "totalMaxNodeCount"),
            _ceiling(ctx, "max_nodes"),
            ("autoscaling.totalMinNodeCount", "autoscaling.totalMaxNodeCount"),
            0,
        )
        return
    yield from bounds(
        "GKE node pool",
        get(auto, "minNodeCount") or 0,
        get(auto, "maxNodeCount"),
        _ceiling(ctx, "max_nodes"),
        ("autoscaling.minNodeCount", "autoscaling.maxNodeCount"),
        0,
    )


def _workload(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    spec = props.get("spec") or {}
    if ctx.resource_type.startswith("kubernetes:keda.sh/"):
        yield from bounds(
            "KEDA ScaledObject",
            get(spec, "minReplicaCount") or 0,
            get(spec, "maxReplicaCount") or 100,
            _ceiling(ctx, "max_replicas"),
            ("spec.minReplicaCount", "spec.maxReplicaCount"),
            0,
        )
        return
    yield from bounds(
        "HorizontalPodAutoscaler",
        get(spec, "minReplicas") or 1,
        get(spec, "maxReplicas"),
        _ceiling(ctx, "max_replicas"),
        ("spec.minReplicas", "spec.maxReplicas"),
    )


FIX = "Keep min ≤ max within the tier's ceiling (cluster.min_nodes/max_nodes, autoscaling.min_replicas/max_replicas)."

POLICIES = [
    resource_policy(
        _meta("aws-eks-nodegroup-scaling-bounds", "Checks that EKS node groups scale within the tier's bounds.", FIX),
        ["aws:eks/nodeGroup:NodeGroup"],
        _eks,
    ),
    resource_policy(
        _meta("azure-aks-nodepool-scaling-bounds", "Checks that AKS node pools scale within the tier's bounds.", FIX),
        ["azure-native:containerservice:ManagedCluster", "azure-native:containerservice:AgentPool"],
        _aks,
    ),
    resource_policy(
        _meta("gcp-gke-nodepool-scaling-bounds", "Checks that GKE node pools scale within the tier's bounds.", FIX),
        ["gcp:container/nodePool:NodePool"],
        _gke,
    ),
    resource_policy(
        _meta(
            "kubernetes-workload-scaling-bounds",
            "Checks that HorizontalPodAutoscalers and KEDA ScaledObjects scale within the tier's bounds.",
            FIX,
        ),
        lambda t: (
            (t.startswith("kubernetes:autoscaling/") and t.endswith(":HorizontalPodAutoscaler"))
            or (t.startswith("kubernetes:keda.sh/") and t.endswith(":ScaledObject"))
        ),
        _workload,
    ),
]
