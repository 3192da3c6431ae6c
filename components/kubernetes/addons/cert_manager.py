"""cert-manager: issues the tenants' TLS certificates; the default ClusterIssuer solves ACME HTTP-01 on the Gateway.

The issuer tenants' Certificates name comes from stack config (``tenant-platform:certIssuer``); only the
default one (``contract.DEFAULT_CERT_ISSUER``) is created here. Another name is a ClusterIssuer the platform
team runs itself (DNS-01, or a private CA: an internal load balancer is not reachable for HTTP-01).
"""

from __future__ import annotations

from typing import Any

from components.kubernetes.addons import contract
from components.kubernetes.addons.chart import CONTAINER_SECURITY, POD_SECURITY, Chart, resources

CHART = Chart(
    release="cert-manager",
    chart="cert-manager",
    version="v1.21.1",
    repository="https://charts.jetstack.io",
    namespace="cert-manager",
)
ACME_SERVER = "https://acme-v02.api.letsencrypt.org/directory"
# The Gateway listener HTTP-01 challenge routes attach to (envoy_gateway.HTTP_LISTENER).
ACME_LISTENER = "http"


def _component(cpu: str, memory: str) -> dict[str, Any]:
    return {
        "replicaCount": 2,
        "podDisruptionBudget": {"enabled": True, "minAvailable": 1},
        "securityContext": POD_SECURITY,
        "containerSecurityContext": CONTAINER_SECURITY,
        "resources": resources(cpu, memory),
    }


def values() -> dict[str, Any]:
    return {
        "crds": {"enabled": True, "keep": True},  # CRDs outlive an uninstall: certificates are not lost with it
        **_component("50m", "128Mi"),
        "webhook": _component("50m", "64Mi"),
        "cainjector": _component("50m", "128Mi"),
        # Gateway API support: HTTP-01 solvers as HTTPRoutes on the Gateway (needs the Gateway API CRDs first).
        "config": {
            "apiVersion": "controller.config.cert-manager.io/v1alpha1",
            "kind": "ControllerConfiguration",
            "enableGatewayAPI": True,
        },
        "startupapicheck": {"securityContext": POD_SECURITY, "containerSecurityContext": CONTAINER_SECURITY},
    }


def issuer_name(configured: str | None) -> str:
    return configured or contract.DEFAULT_CERT_ISSUER


def default_issuer(labels: dict[str, str]) -> dict[str, Any]:
    """The default ACME ClusterIssuer (its ``metadata`` and ``spec``)."""
    return {
        "metadata": {"name": contract.DEFAULT_CERT_ISSUER, "labels": labels},
        "spec": {
            "acme": {
                "server": ACME_SERVER,
                "privateKeySecretRef": {"name": f"{contract.DEFAULT_CERT_ISSUER}-account"},
                "solvers": [
                    {
                        "http01": {
                            "gatewayHTTPRoute": {
                                "parentRefs": [
                                    {
                                        "group": "gateway.networking.k8s.io",
                                        "kind": "Gateway",
                                        "name": contract.GATEWAY_NAME,
                                        "namespace": contract.GATEWAY_NAMESPACE,
                                        "sectionName": ACME_LISTENER,
                                    }
                                ]
                            }
                        }
                    }
                ],
            }
        },
    }
