"""metrics-server: the resource metrics API (``metrics.k8s.io``) the HPA and ``kubectl top`` read.

Only EKS needs it installed: AKS and GKE run it as part of the managed control plane.
"""

from __future__ import annotations

from typing import Any

from components.kubernetes.addons.chart import CONTAINER_SECURITY, POD_SECURITY, Chart, resources

CHART = Chart(
    release="metrics-server",
    chart="metrics-server",
    version="3.13.0",  # metrics-server v0.8.0
    repository="https://kubernetes-sigs.github.io/metrics-server/",
    namespace="metrics-server",
)


def values() -> dict[str, Any]:
    return {
        # Two replicas and a budget: a node drain never leaves the HPA without metrics.
        "replicas": 2,
        "podDisruptionBudget": {"enabled": True, "minAvailable": 1},
        "podSecurityContext": POD_SECURITY,
        "securityContext": CONTAINER_SECURITY,
        "resources": resources("100m", "200Mi"),
        # Spread the replicas over zones so one zone's loss keeps the metrics API up.
        "topologySpreadConstraints": [_spread("metrics-server")],
    }


def _spread(name: str) -> dict[str, Any]:
    return {
        "maxSkew": 1,
        "topologyKey": "topology.kubernetes.io/zone",
        "whenUnsatisfiable": "ScheduleAnyway",
        "labelSelector": {"matchLabels": {"app.kubernetes.io/name": name}},
    }
