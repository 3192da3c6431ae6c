"""Cluster add-ons: pinned charts from TLS sources, each in its own Pod Security namespace; the Gateway admits
only TLS listeners from labelled tenant namespaces, at TLS 1.2 or later; strict clusters' load balancers stay
internal unless the tenant chose otherwise; ACME issuers talk to their CA over https.

The pack does not import the components: the add-on namespaces and the ingress label are restated here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from pulumi_policy import Severity

from .base import (
    INVENTORY,
    NETWORK,
    TRANSIT,
    UNKNOWN,
    Context,
    Meta,
    Resource,
    as_list,
    get,
    resource_policy,
    segregation_meta,
    stack_policy,
    truthy,
)

ADDON_LABEL = "tenant-platform.io/addon"
# components/kubernetes/addons/*: CHART.namespace of every add-on.
ADDON_NAMESPACES = frozenset(
    {"metrics-server", "keda", "vpa", "cluster-autoscaler", "cert-manager", "envoy-gateway-system"}
)
INGRESS_LABEL = ("tenant-platform.io/ingress", "allowed")  # addons.contract.INGRESS_NAMESPACE_LABEL
LOAD_BALANCER_LABEL = "tenant-platform.io/load-balancer"
RELEASE = "kubernetes:helm.sh/v3:Release"
NAMESPACE = "kubernetes:core/v1:Namespace"
GATEWAY = "kubernetes:gateway.networking.k8s.io/v1:Gateway"
LISTENER_SET = "kubernetes:gateway.networking.k8s.io/v1:ListenerSet"
ENVOY_PROXY = "kubernetes:gateway.envoyproxy.io/v1alpha1:EnvoyProxy"
CLIENT_TRAFFIC_POLICY = "kubernetes:gateway.envoyproxy.io/v1alpha1:ClientTrafficPolicy"
CLUSTER_ISSUER = "kubernetes:cert-manager.io/v1:ClusterIssuer"
# One exact release: semver with an optional leading v, no range operators, wildcards or "latest".
PINNED = re.compile(r"^v?\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$")
# Service annotations that keep a cloud load balancer internal (one is enough: the cloud's own).
INTERNAL_LB = {
    "service.beta.kubernetes.io/aws-load-balancer-internal": "true",
    "service.beta.kubernetes.io/aws-load-balancer-scheme": "internal",
    "service.beta.kubernetes.io/azure-load-balancer-internal": "true",
    "networking.gke.io/load-balancer-type": "Internal",
}
TLS_VERSIONS = ("1.0", "1.1", "1.2", "1.3")


def is_addon_object(props: Mapping[str, Any], kind: str) -> bool:
    """An add-on's namespace, or an object in one: the add-on label and one of the fixed add-on namespaces.

    Both are required, so a label alone never moves a tenant's object out of the tenant-namespace rules.
    """
    metadata = get(props, "metadata") or {}
    labels = get(metadata, "labels") or {}
    where = get(metadata, "name") if kind == "Namespace" else get(metadata, "namespace")
    return bool(labels.get(ADDON_LABEL)) and where in ADDON_NAMESPACES


def _meta(name: str, description: str, remediation: str, controls: Any = INVENTORY,
          severity: Severity = Severity.HIGH, category: str = "workload") -> Meta:
    return Meta(name, description, severity, remediation, controls, category, True)


# ---------------------------------------------------------------------------------------------- charts


def _chart_pinned(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    version = props.get("version")
    if version is UNKNOWN:
        return
    if not isinstance(version, str) or not PINNED.match(version):
        yield f"Helm release {props.get('name') or ''} must pin one exact chart version (got {version!r})."
    if truthy(props.get("devel")):
        yield "Helm release must not accept development chart versions (devel)."


def _chart_source(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    chart = str(props.get("chart") or "")
    repo = get(props, "repositoryOpts", "repo")
    if chart.startswith("oci://"):
        if repo:
            yield "Helm release names an oci:// chart and a repository; the chart reference alone says where it comes from."
        return
    if repo is UNKNOWN:
        return
    if not isinstance(repo, str) or not repo.startswith("https://"):
        yield f"Helm release must install its chart from an https:// repository or an oci:// reference (got {repo!r})."
    if truthy(get(props, "repositoryOpts", "insecureSkipTlsVerify") or get(props, "repositoryOpts", "insecureSkipTLSverify")):
        yield "Helm release must verify its chart repository's TLS certificate."


def _release_namespace(resources: Sequence[Resource], ctx: Context) -> Iterator[tuple[str, str | None]]:
    namespaces = {
        str(get(r.props, "metadata", "name")): r for r in resources if r.type == NAMESPACE
    }
    for release in (r for r in resources if r.type == RELEASE):
        where = get(release.props, "namespace")
        if where is UNKNOWN:
            continue
        if truthy(get(release.props, "createNamespace")):
            yield ("Helm release must not create its namespace (a namespace Helm creates has no Pod Security "
                   "labels): create the add-on's Namespace with them and install into it.", release.urn)
            continue
        ns = namespaces.get(str(where or ""))
        if ns is None:
            yield (f"Helm release must install into an add-on namespace of this stack (got {where or 'default'!r}).",
                   release.urn)
            continue
        labels = get(ns.props, "metadata", "labels") or {}
        if labels.get("pod-security.kubernetes.io/enforce") != "restricted":
            yield (f"Namespace {where} of an add-on must enforce Pod Security Admission level restricted.", ns.urn)


# ---------------------------------------------------------------------------------------------- gateway


def _selects_ingress_namespaces(namespaces: Any, same_ok: bool) -> bool:
    source = get(namespaces, "from")
    if same_ok and source == "Same":
        return True
    if source != "Selector" or get(namespaces, "selector", "matchExpressions"):
        return False
    labels = get(namespaces, "selector", "matchLabels") or {}
    return labels.get(INGRESS_LABEL[0]) == INGRESS_LABEL[1]


def _listeners_tls(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    kind = ctx.resource_type.rsplit(":", 1)[-1]
    plain_http = 0
    for listener in as_list(get(props, "spec", "listeners")):
        name, protocol = get(listener, "name"), get(listener, "protocol")
        if protocol == "HTTPS":
            tls = get(listener, "tls") or {}
            if get(tls, "mode") not in (None, "Terminate") or not as_list(get(tls, "certificateRefs")):
                yield f"{kind} listener {name} must terminate TLS with a certificate (tls.mode Terminate, certificateRefs)."
        elif protocol == "HTTP" and kind == "Gateway" and get(listener, "port") == 80:
            # The Gateway's one plain listener: ACME HTTP-01 challenges and the redirect to HTTPS.
            plain_http += 1
            kinds = [get(k, "kind") for k in as_list(get(listener, "allowedRoutes", "kinds"))]
            if kinds != ["HTTPRoute"]:
                yield f"Gateway listener {name} (plain HTTP) must admit HTTPRoutes only (allowedRoutes.kinds)."
        else:
            yield f"{kind} listener {name} must be HTTPS (got {protocol} on port {get(listener, 'port')})."
    if plain_http > 1:
        yield "Gateway must have at most one plain HTTP listener (port 80, for ACME challenges and the redirect)."


def _allowed_namespaces(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    if not _selects_ingress_namespaces(get(props, "spec", "allowedListeners", "namespaces"), same_ok=False):
        yield (f"Gateway must admit ListenerSets only from namespaces labelled {INGRESS_LABEL[0]}: {INGRESS_LABEL[1]} "
               "(spec.allowedListeners.namespaces from: Selector).")
    for listener in as_list(get(props, "spec", "listeners")):
        if not _selects_ingress_namespaces(get(listener, "allowedRoutes", "namespaces"), same_ok=True):
            yield (f"Gateway listener {get(listener, 'name')} must admit routes only from its own namespace or from "
                   f"namespaces labelled {INGRESS_LABEL[0]}: {INGRESS_LABEL[1]} (allowedRoutes.namespaces).")


def _internal_lb(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    labels = get(props, "metadata", "labels") or {}
    if labels.get("tenant-platform.io/isolation") != "strict" or labels.get(LOAD_BALANCER_LABEL) == "public":
        return  # the shared cluster's gateway is public; a silo tenant may ask for public (ingress.load_balancer)
    service = get(props, "spec", "provider", "kubernetes", "envoyService") or {}
    annotations = get(service, "annotations") or {}
    if service.get("type") not in (None, "LoadBalancer") and service.get("type") is not UNKNOWN:
        return  # no cloud load balancer at all
    if not any(annotations.get(key) == value for key, value in INTERNAL_LB.items()):
        yield ("EnvoyProxy of a strict tenant's cluster must keep its load balancer internal (the cloud's internal "
               "load-balancer annotation on envoyService) unless the tenant chose ingress.load_balancer: public.")


def _tls_rank(value: Any) -> int:
    return TLS_VERSIONS.index(value) if value in TLS_VERSIONS else -1


def _gateway_min_tls(resources: Sequence[Resource], ctx: Context) -> Iterator[tuple[str, str | None]]:
    covered: set[tuple[str, str]] = set()
    for policy in (r for r in resources if r.type == CLIENT_TRAFFIC_POLICY):
        tls = get(policy.props, "spec", "tls") or {}
        low, high = get(tls, "minVersion"), get(tls, "maxVersion")
        if low is UNKNOWN:
            continue
        if _tls_rank(low) < _tls_rank("1.2") or (high not in (None, UNKNOWN) and _tls_rank(high) < _tls_rank("1.2")):
            # Reported here once; its Gateway is not reported again as uncovered.
            yield f"ClientTrafficPolicy {policy.name} must set tls.minVersion 1.2 or 1.3 (got {low!r}).", policy.urn
        namespace = str(get(policy.props, "metadata", "namespace") or "")
        for ref in as_list(get(policy.props, "spec", "targetRefs")):
            if get(ref, "kind") == "Gateway":
                covered.add((namespace, str(get(ref, "name"))))
    for gateway in (r for r in resources if r.type == GATEWAY):
        key = (str(get(gateway.props, "metadata", "namespace") or ""), str(get(gateway.props, "metadata", "name")))
        if key not in covered:
            yield (f"Gateway {key[1]} must be the target of a ClientTrafficPolicy with tls.minVersion 1.2 or later.",
                   gateway.urn)


def _acme_https(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    acme = get(props, "spec", "acme")
    if not acme:
        return
    server = get(acme, "server")
    if server is not UNKNOWN and not str(server or "").startswith("https://"):
        yield f"ClusterIssuer must reach its ACME server over https:// (got {server!r})."
    if truthy(get(acme, "skipTLSVerify")):
        yield "ClusterIssuer must verify its ACME server's certificate (skipTLSVerify)."


POLICIES = [
    resource_policy(
        _meta("kubernetes-addon-chart-pinned", "Checks that every Helm release pins one exact chart version.",
              "Set the release's version to one exact chart release (no range, no devel)."),
        [RELEASE],
        _chart_pinned,
    ),
    resource_policy(
        _meta("kubernetes-addon-chart-source",
              "Checks that every Helm chart comes from an https repository or an oci reference, TLS verified.",
              "Point repositoryOpts.repo at the chart's https:// repository (or use its oci:// reference)."),
        [RELEASE],
        _chart_source,
    ),
    stack_policy(
        segregation_meta(
            "kubernetes-addon-namespace-pod-security",
            "Checks that every Helm release installs into its own namespace of the stack enforcing restricted Pod Security.",
            "Create the add-on's Namespace with pod-security.kubernetes.io/enforce: restricted and install into it "
            "(createNamespace off).",
        ),
        _release_namespace,
    ),
    resource_policy(
        _meta("kubernetes-gateway-tls-listeners",
              "Checks that Gateway and ListenerSet listeners are HTTPS with a certificate, but for one plain HTTP listener.",
              "Make tenant listeners HTTPS (tls.mode Terminate with certificateRefs); keep only the Gateway's port-80 "
              "listener for ACME challenges and the redirect.", TRANSIT, category="transit"),
        [GATEWAY, LISTENER_SET],
        _listeners_tls,
    ),
    resource_policy(
        segregation_meta(
            "kubernetes-gateway-allowed-namespaces",
            "Checks that the Gateway admits ListenerSets and routes only from labelled tenant namespaces.",
            f"Set allowedListeners and every listener's allowedRoutes to namespaces from: Selector matching "
            f"{INGRESS_LABEL[0]}: {INGRESS_LABEL[1]}.",
        ),
        [GATEWAY],
        _allowed_namespaces,
    ),
    resource_policy(
        Meta("kubernetes-gateway-internal-load-balancer",
             "Checks that a strict tenant's cluster gateway sits behind an internal load balancer by default.",
             Severity.HIGH,
             "Annotate the EnvoyProxy's envoyService with the cloud's internal load-balancer annotation.",
             NETWORK, "isolation", True, critical=True),
        [ENVOY_PROXY],
        _internal_lb,
    ),
    stack_policy(
        _meta("kubernetes-gateway-min-tls",
              "Checks that every Gateway is covered by a ClientTrafficPolicy enforcing TLS 1.2 or later.",
              "Target the Gateway with a ClientTrafficPolicy whose tls.minVersion is 1.2 or 1.3.", TRANSIT,
              category="transit"),
        _gateway_min_tls,
    ),
    resource_policy(
        _meta("kubernetes-issuer-acme-https", "Checks that ACME ClusterIssuers reach their CA over verified https.",
              "Set spec.acme.server to the CA's https:// directory and leave skipTLSVerify off.", TRANSIT,
              category="transit"),
        [CLUSTER_ISSUER],
        _acme_https,
    ),
]
