"""KEDA: the operator that reconciles a predictive tenant's ScaledObject, and its external metrics API server.

Installed from the chart on every cloud, AKS included, rather than AKS's managed KEDA add-on: the managed
add-on's KEDA version follows the AKS release (it cannot be pinned), so the ScaledObjects the tenancy renders
would be reconciled by different KEDA versions per cloud; one pinned chart keeps one validated CRD everywhere.
"""

from __future__ import annotations

from typing import Any

from components.kubernetes.addons.chart import CONTAINER_SECURITY, POD_SECURITY, Chart, resources

CHART = Chart(
    release="keda",
    chart="keda",
    version="2.17.2",
    repository="https://kedacore.github.io/charts",
    namespace="keda",
)
COMPONENTS = ("operator", "metricServer", "webhooks")


def values() -> dict[str, Any]:
    return {
        "crds": {"install": True},
        # Leader election: the second operator takes over within seconds; the metrics server serves from both.
        "operator": {"replicaCount": 2},
        "metricsServer": {"replicaCount": 2},
        "webhooks": {"enabled": True, "replicaCount": 2},
        "podDisruptionBudget": {component: {"minAvailable": 1} for component in COMPONENTS},
        "podSecurityContext": {component: POD_SECURITY for component in COMPONENTS},
        "securityContext": {component: CONTAINER_SECURITY for component in COMPONENTS},
        "resources": {
            "operator": resources("100m", "256Mi", "1", "512Mi"),
            "metricServer": resources("100m", "256Mi", "1", "512Mi"),
            "webhooks": resources("50m", "128Mi", "500m", "256Mi"),
        },
    }
