"""Invariants of the tenant's way in (see the package docstring).

``components/kubernetes``: the Certificate, ListenerSet and HTTPRoute (``ingress.py``), the Envoy Gateway
BackendTrafficPolicy (``traffic_policy.py``), the NetworkPolicy admitting the gateway's proxies
(``network.py``) and the recommendation-only VerticalPodAutoscaler (``vpa.py``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from . import Drop, Invariant, Set, Unset

LISTENER_SET = "kubernetes:gateway.networking.k8s.io/v1:ListenerSet"
HTTP_ROUTE = "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute"
CERTIFICATE = "kubernetes:cert-manager.io/v1:Certificate"
TRAFFIC_POLICY = "kubernetes:gateway.envoyproxy.io/v1alpha1:BackendTrafficPolicy"
VPA = "kubernetes:autoscaling.k8s.io/v1:VerticalPodAutoscaler"
NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy"
LISTENER = "spec.listeners.*."
GATEWAY_NS = {"matchLabels": {"kubernetes.io/metadata.name": "envoy-gateway-system"}}
WILDCARD = "*.tenants.example.net"
NEIGHBOUR = "someone-else.tenants.example.net"


def _tenant_route(props: Mapping[str, Any]) -> bool:
    """A tenant's HTTPRoute, not the cluster gateway's own HTTPS redirect (an add-on object, see addons.py)."""
    labels = (props.get("metadata") or {}).get("labels") or {}
    return isinstance(labels, Mapping) and not labels.get("tenant-platform.io/addon")


def _gateway_ingress(props: Mapping[str, Any]) -> bool:
    return (props.get("metadata") or {}).get("name") == "allow-gateway-ingress"


ROWS: list[Invariant] = [
    # ----------------------------------------------------------------- ingress.py: ListenerSet
    Invariant(LISTENER_SET, LISTENER + "protocol", "HTTPS", "kubernetes-gateway-listeners-https",
              (Set(LISTENER + "protocol", "HTTP"),), "the tenant's hosts answer in plain text on the internet"),
    Invariant(LISTENER_SET, LISTENER + "tls.mode", "Terminate", "kubernetes-gateway-listeners-https",
              (Set(LISTENER + "tls.mode", "Passthrough"),), "the gateway forwards TLS it cannot see: no rate limit, no policy"),
    Invariant(LISTENER_SET, LISTENER + "tls.certificateRefs", "the tenant's own Secret", "kubernetes-gateway-listeners-https",
              (Unset(LISTENER + "tls.certificateRefs"),), "an HTTPS listener without the tenant's certificate"),
    Invariant(LISTENER_SET, LISTENER + "tls.certificateRefs.*.namespace", "absent (own namespace)",
              "kubernetes-gateway-listeners-https",
              (Set(LISTENER + "tls.certificateRefs.*.namespace", "tenant-other"),),
              "the tenant serves another namespace's certificate and key"),
    Invariant(LISTENER_SET, LISTENER + "allowedRoutes.namespaces.from", "Same", "kubernetes-gateway-listeners-https",
              (Set(LISTENER + "allowedRoutes.namespaces.from", "All"),), "any namespace's routes take over the tenant's hosts"),
    Invariant(LISTENER_SET, LISTENER + "hostname", "<tenant>.<domain> or the tenant's hosts",
              "kubernetes-gateway-tenant-hostnames", (Set(LISTENER + "hostname", WILDCARD),),
              "a wildcard listener captures every tenant's default host"),
    # ----------------------------------------------------------------- ingress.py: HTTPRoute, Certificate
    Invariant(HTTP_ROUTE, "spec.parentRefs.*.sectionName", "each HTTPS listener", "kubernetes-gateway-route-tls-only",
              (Unset("spec.parentRefs.*.sectionName"),), "the route attaches to every listener, plain-text ones included",
              where=_tenant_route),
    Invariant(HTTP_ROUTE, "spec.parentRefs.*.kind", "ListenerSet", "kubernetes-gateway-route-tls-only",
              (Set("spec.parentRefs", [{"group": "gateway.networking.k8s.io", "kind": "Gateway", "name": "tenants",
                                        "namespace": "envoy-gateway-system"}]),),
              "the route attaches to the shared Gateway's own listeners, HTTP included",
              where=_tenant_route),
    Invariant(HTTP_ROUTE, "spec.parentRefs.*.namespace", "absent (own namespace)", "kubernetes-gateway-route-tls-only",
              (Set("spec.parentRefs.*.namespace", "tenant-other"),), "the route attaches to another tenant's listeners",
              where=_tenant_route),
    Invariant(HTTP_ROUTE, "spec.hostnames", "the tenant's hosts", "kubernetes-gateway-tenant-hostnames",
              (Set("spec.hostnames", [NEIGHBOUR]),), "the tenant routes a neighbour's host to its own workload",
              where=_tenant_route),
    Invariant(CERTIFICATE, "spec.dnsNames", "the tenant's hosts", "kubernetes-gateway-tenant-hostnames",
              (Set("spec.dnsNames", [WILDCARD]),), "a wildcard certificate for every tenant's default host"),
    Invariant(CERTIFICATE, "spec.privateKey.rotationPolicy", "Always", "kubernetes-certificate-private-key",
              (Set("spec.privateKey.rotationPolicy", "Never"),), "a leaked key stays valid through every renewal"),
    Invariant(CERTIFICATE, "spec.privateKey.size", "256 (ECDSA P-256)", "kubernetes-certificate-private-key",
              (Set("spec.privateKey", {"algorithm": "RSA", "size": 1024, "rotationPolicy": "Always"}),),
              "a 1024-bit RSA key: factorable, the tenant's TLS readable"),
    Invariant(CERTIFICATE, "spec.privateKey.algorithm", "ECDSA", "kubernetes-certificate-private-key",
              (Set("spec.privateKey.algorithm", "RSA"),), "a 256-bit RSA key (the size kept from ECDSA) is no protection"),
    # ----------------------------------------------------------------- network.py: from the gateway only
    Invariant(NETWORK_POLICY, "spec.ingress.*.from.*.podSelector", "the gateway's proxy pods",
              "kubernetes-networkpolicy-gateway-ingress", (Unset("spec.ingress.*.from.*.podSelector"),),
              "every pod of the gateway namespace reaches the workload", (), _gateway_ingress),
    Invariant(NETWORK_POLICY, "spec.ingress.*.from.*.namespaceSelector", "envoy-gateway-system",
              "kubernetes-networkpolicy-namespace-scoped",
              (Set("spec.ingress.*.from.*.namespaceSelector", {"matchLabels": {"team": "payments"}}),),
              "proxy-labelled pods of any labelled namespace reach the workload", (), _gateway_ingress),
    Invariant(NETWORK_POLICY, "spec.ingress.*.ports", "the workload's port", "kubernetes-networkpolicy-gateway-ingress",
              (Unset("spec.ingress.*.ports"),), "the proxies reach every port of the workload's pods", (), _gateway_ingress),
    # ----------------------------------------------------------------- traffic_policy.py
    Invariant(TRAFFIC_POLICY, "spec", "targets the HTTPRoute", "kubernetes-gateway-rate-limit",
              (Drop(),), "the route has no rate limit: one client can exhaust the workload"),
    Invariant(TRAFFIC_POLICY, "spec.rateLimit", "Local, requests_per_second per second", "kubernetes-gateway-rate-limit",
              (Unset("spec.rateLimit"),), "no rate limit on the tenant's route"),
    Invariant(TRAFFIC_POLICY, "spec.rateLimit.local.rules.*.clientSelectors", "absent (every request)",
              "kubernetes-gateway-rate-limit",
              (Set("spec.rateLimit.local.rules.*.clientSelectors", [{"headers": [{"name": "x-limited", "value": "1"}]}]),),
              "only requests carrying a header the client chooses are limited"),
    Invariant(TRAFFIC_POLICY, "spec.targetRefs", "the tenant's HTTPRoute", "kubernetes-gateway-rate-limit",
              (Set("spec.targetRefs.*.name", "other"),), "the limit applies to a route that does not exist"),
    # ----------------------------------------------------------------- vpa.py
    Invariant(VPA, "spec.updatePolicy.updateMode", "Off", "kubernetes-vpa-hpa-conflict",
              (Set("spec.updatePolicy.updateMode", "Recreate"),), "the VPA rewrites the requests the HPA divides by"),
    Invariant(VPA, "spec.updatePolicy", "{updateMode: Off}", "kubernetes-vpa-hpa-conflict",
              (Unset("spec.updatePolicy"),), "the VPA's default mode evicts pods to apply what the HPA then undoes"),
]
