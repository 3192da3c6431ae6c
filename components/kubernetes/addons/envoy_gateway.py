"""Envoy Gateway and the cluster's one Gateway: the only way into a tenant's workload, TLS only.

Envoy Gateway runs the same on EKS, AKS and GKE (a Service of type LoadBalancer in front of Envoy), so the
request path and its policies are one design on all three clouds. The Gateway itself has a single plain
HTTP listener, for ACME HTTP-01 challenges and the redirect to HTTPS; tenants attach their HTTPS listeners
(host names and certificates) as ListenerSets from their own namespaces, admitted only from namespaces that
carry ``contract.INGRESS_NAMESPACE_LABEL``.
"""

from __future__ import annotations

from typing import Any, Literal

from components.kubernetes.addons import contract
from components.kubernetes.addons.chart import POD_SECURITY, Chart, resources

CHART = Chart(
    release="envoy-gateway",
    # Envoy Gateway publishes its chart only as an OCI artifact (TLS to the registry, like https).
    chart="oci://docker.io/envoyproxy/gateway-helm",
    version="v1.9.0",
    repository="",
    namespace=contract.GATEWAY_NAMESPACE,
)
CONTROLLER_NAME = "gateway.envoyproxy.io/gatewayclass-controller"
GATEWAY_API = "gateway.networking.k8s.io"
ENVOY_API = "gateway.envoyproxy.io"
PROXY_CONFIG = "tenants-proxy"  # the EnvoyProxy the GatewayClass points at
HTTP_LISTENER = "http"
MIN_TLS_VERSION = "1.2"

LoadBalancer = Literal["internal", "public"]
# Service annotations that keep the cloud's load balancer on private addresses only.
INTERNAL_LB_ANNOTATIONS: dict[str, dict[str, str]] = {
    "aws": {
        "service.beta.kubernetes.io/aws-load-balancer-type": "nlb",
        "service.beta.kubernetes.io/aws-load-balancer-internal": "true",
        "service.beta.kubernetes.io/aws-load-balancer-scheme": "internal",
    },
    "azure": {"service.beta.kubernetes.io/azure-load-balancer-internal": "true"},
    "gcp": {"networking.gke.io/load-balancer-type": "Internal"},
}
PUBLIC_LB_ANNOTATIONS: dict[str, dict[str, str]] = {
    "aws": {
        "service.beta.kubernetes.io/aws-load-balancer-type": "nlb",
        "service.beta.kubernetes.io/aws-load-balancer-scheme": "internet-facing",
    },
    "azure": {},
    "gcp": {},
}
# Records on the EnvoyProxy which exposure was chosen, so the pack can tell a tenant's explicit
# ``ingress.load_balancer: public`` from a default that went missing.
LOAD_BALANCER_LABEL = "tenant-platform.io/load-balancer"
# Envoy's own container: restricted, but its root filesystem stays writable (Envoy writes its admin socket).
ENVOY_CONTAINER_SECURITY: dict[str, Any] = {
    "allowPrivilegeEscalation": False,
    "runAsNonRoot": True,
    "capabilities": {"drop": ["ALL"]},
    "seccompProfile": {"type": "RuntimeDefault"},
}


def values() -> dict[str, Any]:
    return {
        "deployment": {
            "replicas": 2,
            "envoyGateway": {"resources": resources("100m", "256Mi", "1", "1Gi")},
            "pod": {"securityContext": POD_SECURITY},
        },
        "podDisruptionBudget": {"minAvailable": 1},
    }


def selector() -> dict[str, Any]:
    key, value = contract.INGRESS_NAMESPACE_LABEL
    return {"from": "Selector", "selector": {"matchLabels": {key: value}}}


def load_balancer(silo: bool, requested: LoadBalancer | None) -> LoadBalancer:
    """Strict (silo) clusters: internal unless the tenant asks for public; the shared cluster's is public."""
    if not silo:
        return "public"
    return requested or "internal"


def gateway_class(labels: dict[str, str]) -> dict[str, Any]:
    return {
        "metadata": {"name": contract.GATEWAY_CLASS, "labels": labels},
        "spec": {
            "controllerName": CONTROLLER_NAME,
            "parametersRef": {
                "group": ENVOY_API, "kind": "EnvoyProxy", "name": PROXY_CONFIG, "namespace": contract.GATEWAY_NAMESPACE,
            },
        },
    }


def envoy_proxy(cloud: str, exposure: LoadBalancer, replicas: int, labels: dict[str, str]) -> dict[str, Any]:
    annotations = (INTERNAL_LB_ANNOTATIONS if exposure == "internal" else PUBLIC_LB_ANNOTATIONS)[cloud]
    return {
        "metadata": {
            "name": PROXY_CONFIG,
            "namespace": contract.GATEWAY_NAMESPACE,
            "labels": {**labels, LOAD_BALANCER_LABEL: exposure},
        },
        "spec": {
            "provider": {
                "type": "Kubernetes",
                "kubernetes": {
                    "envoyService": {
                        "type": "LoadBalancer",
                        "annotations": dict(annotations),
                        # Client addresses reach Envoy unchanged: rate limits and logs see the real client.
                        "externalTrafficPolicy": "Local",
                    },
                    "envoyDeployment": {
                        "replicas": replicas,
                        "pod": {
                            "securityContext": POD_SECURITY,
                            "topologySpreadConstraints": [
                                {
                                    "maxSkew": 1,
                                    "topologyKey": "topology.kubernetes.io/zone",
                                    "whenUnsatisfiable": "ScheduleAnyway",
                                    "labelSelector": {"matchLabels": dict(contract.PROXY_POD_LABELS)},
                                }
                            ],
                        },
                        "container": {
                            "securityContext": ENVOY_CONTAINER_SECURITY,
                            "resources": resources("200m", "256Mi", "2", "1Gi"),
                        },
                    },
                    "envoyPDB": {"minAvailable": 1},
                },
            }
        },
    }


def gateway(labels: dict[str, str]) -> dict[str, Any]:
    return {
        "metadata": {"name": contract.GATEWAY_NAME, "namespace": contract.GATEWAY_NAMESPACE, "labels": labels},
        "spec": {
            "gatewayClassName": contract.GATEWAY_CLASS,
            # Tenants' HTTPS listeners arrive as ListenerSets, from labelled tenant namespaces only.
            "allowedListeners": {"namespaces": selector()},
            "listeners": [
                {
                    # Plain HTTP for ACME HTTP-01 challenges and the redirect to HTTPS only; no tenant route
                    # serves content here (the redirect route below answers every other request).
                    "name": HTTP_LISTENER,
                    "port": 80,
                    "protocol": "HTTP",
                    "allowedRoutes": {"namespaces": selector(), "kinds": [{"group": GATEWAY_API, "kind": "HTTPRoute"}]},
                }
            ],
        },
    }


def https_redirect(labels: dict[str, str]) -> dict[str, Any]:
    """Every plain-HTTP request not an ACME challenge (a longer, exact path match wins) goes to HTTPS."""
    return {
        "metadata": {"name": "https-redirect", "namespace": contract.GATEWAY_NAMESPACE, "labels": labels},
        "spec": {
            "parentRefs": [
                {"group": GATEWAY_API, "kind": "Gateway", "name": contract.GATEWAY_NAME, "sectionName": HTTP_LISTENER}
            ],
            "rules": [
                {
                    "matches": [{"path": {"type": "PathPrefix", "value": "/"}}],
                    "filters": [
                        {"type": "RequestRedirect", "requestRedirect": {"scheme": "https", "statusCode": 301}}
                    ],
                }
            ],
        },
    }


def client_traffic_policy(labels: dict[str, str]) -> dict[str, Any]:
    """TLS 1.2 at least on the Gateway's listeners, whatever a tenant's listener asks."""
    return {
        "metadata": {"name": "tenants-tls", "namespace": contract.GATEWAY_NAMESPACE, "labels": labels},
        "spec": {
            "targetRefs": [{"group": GATEWAY_API, "kind": "Gateway", "name": contract.GATEWAY_NAME}],
            "tls": {"minVersion": MIN_TLS_VERSION},
        },
    }
