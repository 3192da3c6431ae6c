"""Invariants of the cluster add-ons (``components/kubernetes/addons``): the Helm releases, their namespaces,
the Gateway with its EnvoyProxy and ClientTrafficPolicy, and the default ACME ClusterIssuer."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from . import Drop, Invariant, Set, Unset

RELEASE = "kubernetes:helm.sh/v3:Release"
NAMESPACE = "kubernetes:core/v1:Namespace"
GATEWAY = "kubernetes:gateway.networking.k8s.io/v1:Gateway"
ENVOY_PROXY = "kubernetes:gateway.envoyproxy.io/v1alpha1:EnvoyProxy"
CLIENT_TRAFFIC_POLICY = "kubernetes:gateway.envoyproxy.io/v1alpha1:ClientTrafficPolicy"
CLUSTER_ISSUER = "kubernetes:cert-manager.io/v1:ClusterIssuer"
PSA = "metadata.labels.pod-security\\.kubernetes\\.io/"


def _labels(props: Mapping[str, Any]) -> Mapping[str, Any]:
    labels = (props.get("metadata") or {}).get("labels") or {}
    return labels if isinstance(labels, Mapping) else {}


def _addon_namespace(props: Mapping[str, Any]) -> bool:
    return bool(_labels(props).get("tenant-platform.io/addon"))


def _repository(props: Mapping[str, Any]) -> bool:
    return bool((props.get("repositoryOpts") or {}).get("repo"))


def _strict_internal(props: Mapping[str, Any]) -> bool:
    labels = _labels(props)
    return labels.get("tenant-platform.io/isolation") == "strict" and labels.get("tenant-platform.io/load-balancer") == "internal"


ROWS: list[Invariant] = [
    Invariant(RELEASE, "version", "one exact chart release", "kubernetes-addon-chart-pinned",
              (Set("version", ">=1.0.0"),), "whatever the repository publishes next is installed on the next update"),
    Invariant(RELEASE, "repositoryOpts.repo", "the project's https:// chart repository", "kubernetes-addon-chart-source",
              (Set("repositoryOpts.repo", "http://charts.example.com"),),
              "a network attacker swaps the chart (cluster-admin manifests) in transit", where=_repository),
    Invariant(RELEASE, "createNamespace", "false (the add-on's own Namespace)", "kubernetes-addon-namespace-pod-security",
              (Set("createNamespace", True),), "the add-on lands in a namespace without Pod Security enforcement"),
    Invariant(NAMESPACE, PSA + "enforce", "restricted", "kubernetes-addon-namespace-pod-security",
              (Set(PSA + "enforce", "privileged"),), "an add-on's pods may run privileged or as root on the node",
              ("CIS Kubernetes 5.2.1",), where=_addon_namespace),
    Invariant(GATEWAY, "spec.listeners.*.protocol", "HTTP on port 80 (ACME, redirect) only; tenants' listeners HTTPS",
              "kubernetes-gateway-tls-listeners", (Set("spec.listeners.*.protocol", "TCP"),),
              "tenant traffic accepted in plaintext or as raw TCP around the HTTP policies"),
    Invariant(GATEWAY, "spec.listeners.*.allowedRoutes", "HTTPRoutes from labelled tenant namespaces",
              "kubernetes-gateway-allowed-namespaces",
              (Set("spec.listeners.*.allowedRoutes.namespaces", {"from": "All"}),),
              "any namespace, not only a tenant's, attaches routes and captures another tenant's host names"),
    Invariant(GATEWAY, "spec.allowedListeners", "ListenerSets from labelled tenant namespaces",
              "kubernetes-gateway-allowed-namespaces",
              (Set("spec.allowedListeners.namespaces", {"from": "All"}),),
              "any namespace attaches listeners (host names, certificates) to the shared entry point"),
    Invariant(ENVOY_PROXY, "spec.provider.kubernetes.envoyService.annotations", "the cloud's internal load-balancer annotation",
              "kubernetes-gateway-internal-load-balancer",
              (Unset("spec.provider.kubernetes.envoyService.annotations"),),
              "a strict tenant's gateway gets an internet-facing address nobody asked for", where=_strict_internal),
    Invariant(CLIENT_TRAFFIC_POLICY, "spec.tls.minVersion", "1.2", "kubernetes-gateway-min-tls",
              (Set("spec.tls.minVersion", "1.0"),), "clients negotiate TLS 1.0/1.1 with known protocol weaknesses"),
    Invariant(CLIENT_TRAFFIC_POLICY, "spec.targetRefs", "the cluster's Gateway", "kubernetes-gateway-min-tls",
              (Drop(),), "the Gateway falls back to whatever TLS floor the Envoy Gateway release defaults to"),
    Invariant(CLUSTER_ISSUER, "spec.acme.server", "https:// ACME directory", "kubernetes-issuer-acme-https",
              (Set("spec.acme.server", "http://acme.example.com/directory"),),
              "ACME account and order traffic readable and forgeable on the wire"),
]
