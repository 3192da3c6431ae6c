"""cluster-autoscaler for EKS: adds nodes for pods that cannot be scheduled, drains and removes idle ones.

Chosen over Karpenter: it scales the managed node group the estate already defines, so the tier's node
ceiling stays the node group's ``max_size`` (policed by the pack) and every node still boots from the one
launch template the pack checks (IMDSv2 with hop limit 1, root volume encrypted with the tenant key).
Karpenter would add a second node definition (EC2NodeClass) and a controller that may call
``ec2:RunInstances``/``CreateFleet`` and pass the node role; cluster-autoscaler's IRSA role only changes the
desired size of this cluster's own Auto Scaling groups (components/aws/node_autoscaler.py).
"""

from __future__ import annotations

from typing import Any

import pulumi

from components.kubernetes.addons.chart import CONTAINER_SECURITY, POD_SECURITY, Chart, resources

CHART = Chart(
    release="cluster-autoscaler",
    chart="cluster-autoscaler",
    version="9.46.6",
    repository="https://kubernetes.github.io/autoscaler",
    namespace="cluster-autoscaler",
)
SERVICE_ACCOUNT = "cluster-autoscaler"


def image_tag(kubernetes_version: str) -> str:
    """The autoscaler's minor must match the cluster's (its scheduler simulation is that release's)."""
    return f"v{kubernetes_version}.0"


def values(
    cluster_name: pulumi.Input[str], region: str, role_arn: Any, kubernetes_version: str, real_time: bool
) -> dict[str, Any]:
    return {
        "cloudProvider": "aws",
        "awsRegion": region,
        # Finds the node groups EKS tags k8s.io/cluster-autoscaler/<cluster>: owned; no group list to drift.
        "autoDiscovery": {"clusterName": cluster_name},
        "image": {"tag": image_tag(kubernetes_version)},
        "rbac": {
            "serviceAccount": {
                "create": True,
                "name": SERVICE_ACCOUNT,
                "annotations": {"eks.amazonaws.com/role-arn": role_arn},
            }
        },
        "replicaCount": 2,  # leader election: the standby takes over
        "podDisruptionBudget": {"maxUnavailable": 1},
        "securityContext": POD_SECURITY,
        "containerSecurityContext": CONTAINER_SECURITY,
        "resources": resources("100m", "300Mi", "500m", "600Mi"),
        "extraArgs": {
            # The cheapest fit for the pending pods; same-shaped groups kept level across zones.
            "expander": "least-waste",
            "balance-similar-node-groups": "true",
            "scan-interval": "10s" if real_time else "20s",
            # Scale-down: only nodes under half used for ten minutes, drained within their pods' grace period.
            "scale-down-utilization-threshold": "0.5",
            "scale-down-unneeded-time": "10m",
            "scale-down-delay-after-add": "10m",
            "max-graceful-termination-sec": "600",
            "skip-nodes-with-local-storage": "false",
            "skip-nodes-with-system-pods": "true",
        },
    }
