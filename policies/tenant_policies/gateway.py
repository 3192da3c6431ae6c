"""The tenant's way in through the cluster gateway: TLS only, its own hosts, only the gateway's proxies, rate limited.

Gateway API objects (ListenerSet, HTTPRoute), Envoy Gateway's BackendTrafficPolicy, cert-manager's
Certificate, the NetworkPolicy admitting the proxies, and the VerticalPodAutoscaler beside the HPA.
The names below are the cluster add-on's contract (``components/kubernetes/addons/contract.py``); the pack
cannot import the components, so a test keeps the two equal.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from pulumi_policy import ResourceValidationPolicy, Severity, StackValidationPolicy

from .base import (
    CAPACITY,
    NETWORK,
    TRANSIT,
    UNKNOWN,
    Context,
    Meta,
    Resource,
    as_int,
    as_list,
    get,
    resource_policy,
    segregation_meta,
    stack_policy,
)

GATEWAY_NAMESPACE = "envoy-gateway-system"
PROXY_POD_LABELS = {"app.kubernetes.io/name": "envoy", "app.kubernetes.io/component": "proxy"}
DEFAULT_INGRESS_DOMAIN = "tenants.example.net"
GATEWAY_API = "gateway.networking.k8s.io"
NAME_LABEL = "kubernetes.io/metadata.name"
LISTENER_SET = f"kubernetes:{GATEWAY_API}/v1:ListenerSet"
HTTP_ROUTE = f"kubernetes:{GATEWAY_API}/v1:HTTPRoute"
CERTIFICATE = "kubernetes:cert-manager.io/v1:Certificate"
NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy"
HPA_KINDS = ("HorizontalPodAutoscaler", "ScaledObject")
# What the VPA defaults to without updatePolicy.updateMode: it evicts pods to apply its recommendation.
VPA_DEFAULT_MODE = "Auto"
HPA_DEFAULT_RESOURCES = ("cpu", "memory")


def _kind(type_: str) -> str:
    return type_.rsplit(":", 1)[-1]


def _namespace(props: Mapping[str, Any]) -> Any:
    return get(props, "metadata", "namespace")


# --------------------------------------------------------------------------- ListenerSet: HTTPS only


def _listeners_https(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    name = get(props, "metadata", "name") or ""
    own = _namespace(props)
    for index, listener in enumerate(as_list(get(props, "spec", "listeners"))):
        label = f"ListenerSet {name} listener {get(listener, 'name') or index}"
        if get(listener, "protocol") != "HTTPS":
            yield f"{label} must use protocol HTTPS (got {get(listener, 'protocol')}): the tenant is reached over TLS only."
            continue
        tls = get(listener, "tls")
        if get(tls, "mode") not in (None, "Terminate"):
            yield f"{label} must terminate TLS at the gateway (tls.mode Terminate, got {get(tls, 'mode')})."
        refs = as_list(get(tls, "certificateRefs"))
        if not refs:
            yield f"{label} must name the tenant's certificate in tls.certificateRefs."
        for ref in refs:
            kind, group, namespace = get(ref, "kind") or "Secret", get(ref, "group") or "", get(ref, "namespace")
            if (kind, group) != ("Secret", "") or namespace not in (None, own):
                yield (
                    f"{label} must reference a Secret of its own namespace {own} "
                    f"(got {kind} {get(ref, 'name')} in {namespace or own}): no cross-namespace certificate."
                )
        source = get(listener, "allowedRoutes", "namespaces", "from") or "Same"
        if source != "Same":
            yield f"{label} must admit routes of its own namespace only (allowedRoutes.namespaces.from Same, got {source})."


# --------------------------------------------------------------------------- host names belong to the tenant


def _hosts(type_: str, props: Mapping[str, Any]) -> list[Any]:
    spec = get(props, "spec") or {}
    if type_ == LISTENER_SET:
        return [get(listener, "hostname") for listener in as_list(get(spec, "listeners"))]
    if type_ == HTTP_ROUTE:
        return as_list(get(spec, "hostnames")) or [None]
    return [*as_list(get(spec, "dnsNames")), *([get(spec, "commonName")] if get(spec, "commonName") else [])]


def redirect_only(props: Mapping[str, Any]) -> bool:
    """A route whose every rule only redirects to HTTPS and has no backend carries no tenant traffic.

    The cluster's plain-HTTP listener has one (addons/envoy_gateway.py), so the TLS-only, host and rate-limit
    checks, which protect traffic that reaches a workload, do not apply to it.
    """
    rules = as_list(get(props, "spec", "rules"))
    return bool(rules) and all(
        not as_list(get(rule, "backendRefs"))
        and any(
            get(f, "type") == "RequestRedirect" and get(f, "requestRedirect", "scheme") == "https"
            for f in as_list(get(rule, "filters"))
        )
        for rule in rules
    )


def _tenant_hosts(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    kind = _kind(ctx.resource_type)
    if ctx.resource_type == HTTP_ROUTE and redirect_only(props):
        return
    name = get(props, "metadata", "name") or ""
    domain = str(ctx.setting("ingressDomain", DEFAULT_INGRESS_DOMAIN)).strip(".")
    own = f"{ctx.tenant}.{domain}" if ctx.tenant else None
    for host in _hosts(ctx.resource_type, props):
        if host is UNKNOWN:
            continue
        if not host:
            yield f"{kind} {name} must name its host names (none matches every host of the gateway)."
        elif "*" in str(host):
            yield f"{kind} {name} must not use the wildcard host {host}: name each of the tenant's hosts."
        elif own and str(host).endswith("." + domain) and not (host == own or str(host).endswith("." + own)):
            yield f"{kind} {name} host {host} is in the platform domain {domain} but not the tenant's own {own}."


# --------------------------------------------------------------------------- Certificate: a strong, fresh key

# Smallest key per algorithm (NIST SP 800-57: 112-bit security or more); Ed25519 has one size.
MIN_KEY_SIZE = {"RSA": 2048, "ECDSA": 256, "Ed25519": 0}


def _certificate_key(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    name = get(props, "metadata", "name") or ""
    key = get(props, "spec", "privateKey") or {}
    # cert-manager's defaults: RSA 2048, and a new key at each renewal (rotationPolicy Always since v1.18).
    algorithm, size = get(key, "algorithm") or "RSA", as_int(get(key, "size"))
    floor = MIN_KEY_SIZE.get(str(algorithm))
    if floor is None or (size is not None and size < floor):
        yield f"Certificate {name} must use an RSA ≥ 2048, ECDSA ≥ 256 or Ed25519 key (got {algorithm} {size or ''})."
    if get(key, "rotationPolicy") == "Never":
        yield f"Certificate {name} must rotate its private key at each renewal (privateKey.rotationPolicy Always)."


# --------------------------------------------------------------------------- HTTPRoute: only to HTTPS listeners


def _listener_sets(resources: Sequence[Resource]) -> dict[tuple[str, str], dict[str, Any]]:
    """(namespace, name) → listener name → protocol, for every ListenerSet of the stack."""
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for r in resources:
        if r.type == LISTENER_SET:
            key = (str(_namespace(r.props)), str(get(r.props, "metadata", "name")))
            out[key] = {str(get(x, "name")): get(x, "protocol") for x in as_list(get(r.props, "spec", "listeners"))}
    return out


def _route_tls_only(resources: Sequence[Resource], ctx: Context) -> Iterator[tuple[str, str | None]]:
    sets = _listener_sets(resources)
    for r in resources:
        if r.type != HTTP_ROUTE or redirect_only(r.props):
            continue
        own, name = str(_namespace(r.props)), get(r.props, "metadata", "name") or r.name
        refs = as_list(get(r.props, "spec", "parentRefs"))
        if not refs:
            yield f"HTTPRoute {name} must attach to its namespace's ListenerSet (it names no parentRefs).", r.urn
        for ref in refs:
            group, kind = get(ref, "group") or GATEWAY_API, get(ref, "kind") or "Gateway"
            namespace, section = get(ref, "namespace") or own, get(ref, "sectionName")
            listeners = sets.get((str(namespace), str(get(ref, "name"))))
            if (group, kind) != (GATEWAY_API, "ListenerSet") or namespace != own:
                yield (
                    f"HTTPRoute {name} must attach only to a ListenerSet of its own namespace {own} "
                    f"(got {kind} {get(ref, 'name')} in {namespace})."
                ), r.urn
            elif section is None or listeners is None or listeners.get(str(section)) != "HTTPS":
                yield (
                    f"HTTPRoute {name} must attach to an HTTPS listener by sectionName "
                    f"(got {section or 'no sectionName: every listener'} of ListenerSet {get(ref, 'name')})."
                ), r.urn


# --------------------------------------------------------------------------- NetworkPolicy: only the proxies


def _gateway_ingress(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    name = get(props, "metadata", "name") or ""
    gateway = str(ctx.setting("gatewayNamespace", GATEWAY_NAMESPACE))
    proxies = ctx.setting("proxyPodLabels", PROXY_POD_LABELS)
    for direction, peers_key in (("ingress", "from"), ("egress", "to")):
        for index, rule in enumerate(as_list(get(props, "spec", direction))):
            for peer in as_list(get(rule, peers_key)):
                if get(peer, "namespaceSelector", "matchLabels", NAME_LABEL) != gateway:
                    continue
                if direction == "egress":
                    yield f"NetworkPolicy {name} egress rule {index} must not open the gateway namespace {gateway}."
                    continue
                labels = get(peer, "podSelector", "matchLabels") or {}
                if get(peer, "podSelector", "matchExpressions") or not isinstance(labels, Mapping) or any(
                    labels.get(k) != v for k, v in dict(proxies).items()
                ):
                    yield (
                        f"NetworkPolicy {name} ingress rule {index} must admit only the gateway's proxy pods "
                        f"(podSelector {dict(proxies)} in {gateway}), not every pod of that namespace."
                    )
                if not as_list(get(rule, "ports")):
                    yield f"NetworkPolicy {name} ingress rule {index} from the gateway must name the workload's port."


# --------------------------------------------------------------------------- BackendTrafficPolicy: rate limited


def _targets(policy: Resource) -> list[Any]:
    spec = get(policy.props, "spec") or {}
    return [*as_list(get(spec, "targetRefs")), *([get(spec, "targetRef")] if get(spec, "targetRef") else [])]


def _limited(policy: Resource) -> bool:
    """A rate limit every request of the route counts against (a rule without client selectors), above zero."""
    rate = get(policy.props, "spec", "rateLimit") or {}
    rules = [*as_list(get(rate, "local", "rules")), *as_list(get(rate, "global", "rules"))]
    return any(
        not get(rule, "clientSelectors") and (as_int(get(rule, "limit", "requests")) or 0) >= 1 for rule in rules
    )


def _traffic_policy(resources: Sequence[Resource], ctx: Context) -> Iterator[tuple[str, str | None]]:
    policies = [r for r in resources if _kind(r.type) == "BackendTrafficPolicy"]
    for route in resources:
        if route.type != HTTP_ROUTE or redirect_only(route.props):
            continue
        own, name = _namespace(route.props), get(route.props, "metadata", "name")
        mine = [
            p
            for p in policies
            if _namespace(p.props) == own
            and any(get(t, "kind") == "HTTPRoute" and get(t, "name") == name for t in _targets(p))
        ]
        if not any(_limited(p) for p in mine):
            yield (
                f"HTTPRoute {name} must have a BackendTrafficPolicy in {own} targeting it with a rate limit on "
                "all its requests (rateLimit rules without clientSelectors, requests ≥ 1)."
            ), route.urn


# --------------------------------------------------------------------------- VPA never fights the HPA


def _scaled_resources(scaler: Resource) -> set[str]:
    spec = get(scaler.props, "spec") or {}
    if _kind(scaler.type) == "ScaledObject":
        found = {str(get(t, "type")) for t in as_list(get(spec, "triggers")) if get(t, "type") in HPA_DEFAULT_RESOURCES}
    else:
        found = {
            str(get(m, "resource", "name"))
            for m in as_list(get(spec, "metrics"))
            if get(m, "type") in ("Resource", "ContainerResource")
        }
    # An HPA without metrics scales on CPU.
    return found or {"cpu"}


def _scale_target(scaler: Resource) -> tuple[Any, Any]:
    ref = get(scaler.props, "spec", "scaleTargetRef") or {}
    return get(ref, "kind") or "Deployment", get(ref, "name")


def _vpa_controls(vpa: Resource) -> set[str]:
    """Resources the VPA would change: every container policy not switched off, cpu and memory by default."""
    policies = as_list(get(vpa.props, "spec", "resourcePolicy", "containerPolicies"))
    controlled: set[str] = set()
    for policy in policies or [{}]:
        if get(policy, "mode") == "Off":
            continue
        controlled |= {str(r) for r in as_list(get(policy, "controlledResources")) or HPA_DEFAULT_RESOURCES}
    return controlled


def _vpa_conflict(resources: Sequence[Resource], ctx: Context) -> Iterator[tuple[str, str | None]]:
    scalers = [r for r in resources if _kind(r.type) in HPA_KINDS]
    for vpa in resources:
        if _kind(vpa.type) != "VerticalPodAutoscaler":
            continue
        mode = get(vpa.props, "spec", "updatePolicy", "updateMode") or VPA_DEFAULT_MODE
        if mode == "Off":
            continue
        ref = get(vpa.props, "spec", "targetRef") or {}
        target = (get(ref, "kind"), get(ref, "name"))
        for scaler in scalers:
            if _namespace(scaler.props) != _namespace(vpa.props) or _scale_target(scaler) != target:
                continue
            shared = sorted(_vpa_controls(vpa) & _scaled_resources(scaler))
            if shared:
                yield (
                    f"VerticalPodAutoscaler {get(vpa.props, 'metadata', 'name')} must not update {target[0]} "
                    f"{target[1]} (updateMode {mode}) while {_kind(scaler.type)} {get(scaler.props, 'metadata', 'name')} "
                    f"scales it on {', '.join(shared)}: use updateMode Off (recommendations only)."
                ), vpa.urn


def _transit(name: str, description: str, remediation: str, config: dict[str, Any] | None = None) -> Meta:
    return Meta(name, description, Severity.HIGH, remediation, TRANSIT, "transit", True, dict(config or {}))


POLICIES: list[ResourceValidationPolicy | StackValidationPolicy] = [
    resource_policy(
        _transit(
            "kubernetes-gateway-listeners-https",
            "Checks that a tenant's ListenerSet listens only on HTTPS, terminating TLS with a certificate of its own "
            "namespace and admitting routes of that namespace only.",
            "Give every listener protocol HTTPS, tls.mode Terminate, certificateRefs to a Secret without a namespace, "
            "and allowedRoutes.namespaces.from Same.",
        ),
        [LISTENER_SET],
        _listeners_https,
    ),
    stack_policy(
        _transit(
            "kubernetes-gateway-route-tls-only",
            "Checks that every HTTPRoute attaches only to HTTPS listeners of its own namespace's ListenerSet.",
            "Name the tenant's ListenerSet (kind ListenerSet, no namespace) with the sectionName of an HTTPS "
            "listener in every parentRef.",
        ),
        _route_tls_only,
    ),
    resource_policy(
        _transit(
            "kubernetes-certificate-private-key",
            "Checks that the tenant's TLS certificates use a strong private key, renewed with each certificate.",
            "Set privateKey to ECDSA 256 (or RSA ≥ 2048, Ed25519) and rotationPolicy Always.",
        ),
        [CERTIFICATE],
        _certificate_key,
    ),
    resource_policy(
        segregation_meta(
            "kubernetes-gateway-tenant-hostnames",
            "Checks that the tenant's listeners, routes and certificates name only its own hosts, without wildcards.",
            "List exact host names (ingress.hostnames); in the platform's domain only <tenant>.<domain> and its "
            "sub-hosts.",
            {"ingressDomain": {"type": "string", "default": DEFAULT_INGRESS_DOMAIN,
                               "description": "The platform's shared domain of default tenant hosts."}},
            critical=True,
        ),
        [LISTENER_SET, HTTP_ROUTE, CERTIFICATE],
        _tenant_hosts,
    ),
    resource_policy(
        Meta(
            "kubernetes-networkpolicy-gateway-ingress",
            "Checks that NetworkPolicies admit the gateway namespace only as its proxy pods, on named ports, "
            "and never open egress to it.",
            Severity.HIGH,
            "Pair namespaceSelector kubernetes.io/metadata.name: envoy-gateway-system with the proxy podSelector "
            "in one peer, and list the workload's port.",
            NETWORK,
            "isolation",
            True,
            {
                "gatewayNamespace": {"type": "string", "default": GATEWAY_NAMESPACE,
                                     "description": "Namespace of the cluster gateway's proxies."},
                "proxyPodLabels": {"type": "object", "default": PROXY_POD_LABELS,
                                   "description": "Labels of the gateway's proxy pods."},
            },
        ),
        [NETWORK_POLICY],
        _gateway_ingress,
    ),
    stack_policy(
        Meta(
            "kubernetes-gateway-rate-limit",
            "Checks that every HTTPRoute has an Envoy Gateway BackendTrafficPolicy with a rate limit on all its requests.",
            Severity.MEDIUM,
            "Attach a BackendTrafficPolicy (targetRefs the HTTPRoute) with rateLimit.local.rules from "
            "performance.rate_limit.",
            CAPACITY,
            "resilience",
            True,
        ),
        _traffic_policy,
    ),
    stack_policy(
        Meta(
            "kubernetes-vpa-hpa-conflict",
            "Checks that no VerticalPodAutoscaler updates a workload on the resources an HPA or KEDA scales it on.",
            Severity.MEDIUM,
            "Set the VPA's updatePolicy.updateMode to Off (recommendations), or control only resources the HPA "
            "does not scale on.",
            CAPACITY,
            "autoscaling",
            True,
        ),
        _vpa_conflict,
    ),
]
