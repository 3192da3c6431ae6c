"""Vertical Pod Autoscaler (recommender, updater, admission controller) for EKS.

GKE and AKS run their own VPA (``verticalPodAutoscaling`` / ``workloadAutoScalerProfile.verticalPodAutoscaler``,
enabled in their cluster modules); EKS has none, so the chart installs the upstream components. The tenancy's
``VerticalPodAutoscaler`` objects need the CRD this chart installs.
"""

from __future__ import annotations

from typing import Any

from components.kubernetes.addons.chart import CONTAINER_SECURITY, POD_SECURITY, Chart, resources

CHART = Chart(
    release="vpa",
    chart="vpa",
    version="4.7.2",
    repository="https://charts.fairwinds.com/stable",
    namespace="vpa",
)
# The upstream release whose CRD the tests validate the tenancy's VPA objects against.
VPA_VERSION = "1.7.1"


def _component(image: str, cpu: str, memory: str, replicas: int) -> dict[str, Any]:
    return {
        "enabled": True,
        "replicaCount": replicas,
        "image": {"repository": f"registry.k8s.io/autoscaling/{image}", "tag": VPA_VERSION},
        "podSecurityContext": POD_SECURITY,
        "securityContext": CONTAINER_SECURITY,
        "resources": resources(cpu, memory),
        "podDisruptionBudget": {"minAvailable": 1} if replicas > 1 else {"maxUnavailable": 1},
    }


def values() -> dict[str, Any]:
    return {
        # Recommender and updater elect a leader; the admission webhook serves from both replicas.
        "recommender": _component("vpa-recommender", "100m", "500Mi", 2),
        "updater": _component("vpa-updater", "50m", "256Mi", 2),
        "admissionController": _component("vpa-admission-controller", "50m", "256Mi", 2),
        "metrics-server": {"enabled": False},  # installed on its own (metrics_server.py)
    }
