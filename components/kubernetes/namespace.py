"""The tenant's namespace and the ceilings on it: Pod Security labels, ResourceQuota, LimitRange."""

from __future__ import annotations

from fractions import Fraction

import pulumi
import pulumi_kubernetes as k8s

from components.kubernetes import quantity
from components.kubernetes.addons.contract import INGRESS_NAMESPACE_LABEL
from components.kubernetes.meta import Manifest, object_meta
from components.naming import k8s_labels, namespace_name
from spec.models import AnyTenant

PSA_LEVEL = "restricted"
PSA_MODES = ("enforce", "audit", "warn")


def psa_labels(kubernetes_version: str) -> dict[str, str]:
    """Pod Security Admission at ``restricted`` in every mode.

    The version is pinned to the cluster's minor so a control-plane upgrade never tightens
    admission under running workloads without the tenant file changing with it.
    """
    labels: dict[str, str] = {}
    for mode in PSA_MODES:
        labels[f"pod-security.kubernetes.io/{mode}"] = PSA_LEVEL
        labels[f"pod-security.kubernetes.io/{mode}-version"] = f"v{kubernetes_version}"
    return labels


def quota_hard(spec: AnyTenant) -> dict[str, str]:
    """Hard ResourceQuota limits for the tenant's namespace.

    ``workload.quota`` gives the request totals; limit totals keep the workload's own
    limit-to-request ratio (the LimitRange caps every container at that ratio), so the
    quota never blocks the autoscaler before the request totals do.
    """
    workload = spec.config.workload
    quota = workload.quota
    cpu_ratio = quantity.ratio(workload.cpu_limit, workload.cpu_request)
    memory_ratio = quantity.ratio(workload.memory_limit, workload.memory_request)
    hard = {
        "requests.cpu": quota.cpu,
        "requests.memory": quota.memory,
        "limits.cpu": quantity.cpu(quantity.parse(quota.cpu) * cpu_ratio),
        "limits.memory": quantity.memory(quantity.parse(quota.memory) * memory_ratio),
        "pods": str(quota.pods),
        "requests.storage": quota.storage,
        # NodePorts expose the workload on every node's address, around the platform's ingress
        # (on a shared cluster, on other tenants' nodes too).
        "services.nodeports": "0",
    }
    if spec.silo:
        # Strict tenants get no internet-facing LoadBalancer: traffic reaches them only through the platform.
        hard["services.loadbalancers"] = "0"
    return hard


def _ratio(value: Fraction) -> str:
    """A ratio as a quantity, rounded up so the workload's own containers always pass."""
    return str(value.numerator) if value.denominator == 1 else quantity.cpu(value)


def limit_range_spec(spec: AnyTenant) -> Manifest:
    workload = spec.config.workload
    return {
        "limits": [
            {
                "type": "Container",
                # Containers that state nothing get the workload's sizes, so every pod counts against the quota.
                "default": {"cpu": workload.cpu_limit, "memory": workload.memory_limit},
                "defaultRequest": {"cpu": workload.cpu_request, "memory": workload.memory_request},
                # No container may overcommit more than the workload does; the quota's limit totals rely on it.
                "maxLimitRequestRatio": {
                    "cpu": _ratio(quantity.ratio(workload.cpu_limit, workload.cpu_request)),
                    "memory": _ratio(quantity.ratio(workload.memory_limit, workload.memory_request)),
                },
            }
        ]
    }


def build_namespace(name: str, spec: AnyTenant, opts: pulumi.ResourceOptions) -> pulumi.Output[str]:
    """The namespace, its quota and limits; returns the namespace's name as an Output."""
    # The ingress label: the cluster's Gateway admits this namespace's ListenerSet and routes.
    ingress_key, ingress_value = INGRESS_NAMESPACE_LABEL
    labels = {**k8s_labels(spec), **psa_labels(spec.config.cluster.kubernetes_version), ingress_key: ingress_value}
    ns = k8s.core.v1.Namespace(
        f"{name}-namespace",
        metadata={"name": namespace_name(spec.tenant_id), "labels": labels},
        opts=opts,
    )
    # Read through the resource so every namespaced object depends on the namespace.
    ns_name: pulumi.Output[str] = ns.metadata.name
    k8s.core.v1.ResourceQuota(
        f"{name}-quota",
        metadata=object_meta("tenant-quota", ns_name, spec),
        spec={"hard": quota_hard(spec)},
        opts=opts,
    )
    k8s.core.v1.LimitRange(
        f"{name}-limits",
        metadata=object_meta("tenant-limits", ns_name, spec),
        spec=limit_range_spec(spec),
        opts=opts,
    )
    return ns_name
