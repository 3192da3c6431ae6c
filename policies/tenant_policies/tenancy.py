"""Kubernetes tenancy: every tenant namespace is fenced by a default-deny NetworkPolicy, a ResourceQuota, a
LimitRange and Pod Security Admission labels, and no NetworkPolicy opens the cloud's metadata endpoint."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from pulumi_policy import ResourceValidationPolicy, StackValidationPolicy

from .addons import is_addon_object
from .base import (
    K8S_LABEL_PREFIX,
    UNKNOWN,
    Context,
    Resource,
    as_list,
    get,
    resource_policy,
    segregation_meta,
    stack_policy,
    string_list,
)
from .gateway import GATEWAY_NAMESPACE

PSA_LEVELS = ("privileged", "baseline", "restricted")
PSA_PREFIX = "pod-security.kubernetes.io/"
# The oldest Kubernetes minor the tenant schema accepts: a Pod Security version pinned below it would admit
# what today's restricted standard refuses (the standard has only grown stricter release by release).
MINIMUM_PSA_VERSION = "v1.28"
# Instance and task metadata endpoints (AWS IMDS IPv4/IPv6 and ECS task metadata; Azure IMDS and GCP's
# metadata server share 169.254.169.254): a pod reaching them reads the node's cloud credentials.
METADATA_ADDRESSES = ("169.254.169.254", "fd00:ec2::254", "169.254.170.2")
NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy"




def _tenant_namespaces(resources: Sequence[Resource]) -> list[Resource]:
    return [
        r
        for r in resources
        if r.type == "kubernetes:core/v1:Namespace"
        and (get(r.props, "metadata", "labels") or {}).get(f"{K8S_LABEL_PREFIX}tenant")
        # A cluster add-on's namespace (silo clusters run their add-ons in the tenant's stack) is no tenant slice.
        and not is_addon_object(r.props, "Namespace")
    ]


def _ns_name(namespace: Resource) -> str:
    return str(get(namespace.props, "metadata", "name") or "")


def _default_deny(policy: Resource) -> bool:
    spec = get(policy.props, "spec") or {}
    selector = get(spec, "podSelector") or {}
    empty = not get(selector, "matchLabels") and not get(selector, "matchExpressions")
    types = set(as_list(get(spec, "policyTypes")))
    return empty and {"Ingress", "Egress"} <= types and not get(spec, "ingress") and not get(spec, "egress")


def _network_policy(resources: Sequence[Resource], ctx: Context) -> Iterator[tuple[str, str | None]]:
    denied = {
        str(get(r.props, "metadata", "namespace") or "")
        for r in resources
        if r.type == "kubernetes:networking.k8s.io/v1:NetworkPolicy" and _default_deny(r)
    }
    for ns in _tenant_namespaces(resources):
        if _ns_name(ns) not in denied:
            yield (
                (
                    f"Namespace {_ns_name(ns) or ns.name} must have a default-deny NetworkPolicy "
                    "(empty podSelector, policyTypes Ingress and Egress, no rules)."
                ),
                ns.urn,
            )


def _quota(resources: Sequence[Resource], ctx: Context) -> Iterator[tuple[str, str | None]]:
    quotas: dict[str, set[str]] = {}
    for r in resources:
        if r.type == "kubernetes:core/v1:ResourceQuota":
            hard = get(r.props, "spec", "hard") or {}
            quotas.setdefault(str(get(r.props, "metadata", "namespace") or ""), set()).update(hard)
    for ns in _tenant_namespaces(resources):
        hard = quotas.get(_ns_name(ns), set())
        cpu = {"cpu", "requests.cpu"} & hard
        memory = {"memory", "requests.memory"} & hard
        if not (cpu and memory and "pods" in hard):
            yield (f"Namespace {_ns_name(ns) or ns.name} must have a ResourceQuota limiting CPU, memory and pods."), ns.urn


def _rank(level: Any) -> int:
    return PSA_LEVELS.index(level) if level in PSA_LEVELS else 0


def _minor(version: str) -> tuple[int, int] | None:
    match = re.fullmatch(r"v(\d+)\.(\d+)", version.strip())
    return (int(match[1]), int(match[2])) if match else None


def _psa(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    labels = get(props, "metadata", "labels") or {}
    if not labels.get(f"{K8S_LABEL_PREFIX}tenant"):
        return
    wanted = str(ctx.setting("minimumLevel", "restricted"))
    if _rank(labels.get(f"{PSA_PREFIX}enforce", "privileged")) < PSA_LEVELS.index(wanted):
        yield f"Tenant namespace must enforce Pod Security Admission level {wanted} (pod-security.kubernetes.io/enforce)."
    # audit and warn are optional, but where set they must not report less than what is enforced.
    for mode in ("audit", "warn"):
        level = labels.get(f"{PSA_PREFIX}{mode}")
        if level is not None and level is not UNKNOWN and _rank(level) < PSA_LEVELS.index(wanted):
            yield f"Tenant namespace must not set Pod Security Admission {mode} below {wanted} ({PSA_PREFIX}{mode})."
    floor = _minor(str(ctx.setting("minimumVersion", MINIMUM_PSA_VERSION))) or (1, 0)
    for mode in ("enforce", "audit", "warn"):
        version = labels.get(f"{PSA_PREFIX}{mode}-version")
        if version is None or version is UNKNOWN or str(version) == "latest":
            continue
        pinned = _minor(str(version))
        if pinned is None or pinned < floor:
            yield (
                f"Tenant namespace must pin Pod Security Admission {mode}-version to latest or a version no older "
                f"than {floor[0]}.{floor[1]} (got {version})."
            )


def _limit_range(resources: Sequence[Resource], ctx: Context) -> Iterator[tuple[str, str | None]]:
    covered: set[str] = set()
    for r in resources:
        if r.type != "kubernetes:core/v1:LimitRange":
            continue
        for limit in as_list(get(r.props, "spec", "limits")):
            if get(limit, "type") != "Container":
                continue
            if all(get(limit, part, name) is not None for part in ("default", "defaultRequest") for name in ("cpu", "memory")):
                covered.add(str(get(r.props, "metadata", "namespace") or ""))
    for ns in _tenant_namespaces(resources):
        if _ns_name(ns) not in covered:
            yield (
                f"Namespace {_ns_name(ns) or ns.name} must have a LimitRange giving containers default cpu and "
                "memory requests and limits (type Container, default and defaultRequest)."
            ), ns.urn


def _networks(ctx: Context) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    out = []
    for address in as_list(ctx.setting("metadataAddresses", list(METADATA_ADDRESSES))):
        try:
            out.append(ipaddress.ip_address(str(address)))
        except ValueError:
            continue
    return out


def _opens(block: Any, address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Whether an ipBlock lets traffic reach ``address`` (its cidr covers it and no except takes it out)."""
    try:
        cidr = ipaddress.ip_network(str(get(block, "cidr")), strict=False)
    except ValueError:
        return False
    if cidr.version != address.version or address not in cidr:
        return False
    for excluded in as_list(get(block, "except")):
        try:
            net = ipaddress.ip_network(str(excluded), strict=False)
        except ValueError:
            continue
        if net.version == address.version and address in net:
            return False
    return True


def _metadata_egress(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    spec = get(props, "spec") or {}
    name = str(get(props, "metadata", "name") or "")
    addresses = _networks(ctx)
    for index, rule in enumerate(as_list(get(spec, "egress"))):
        if not isinstance(rule, Mapping):
            continue
        peers = as_list(rule.get("to"))
        if not peers:
            # A rule without peers allows every destination, the metadata endpoint included.
            yield f"NetworkPolicy {name} egress rule {index} must name its destinations (no to: allows every address)."
            continue
        for peer in peers:
            block = get(peer, "ipBlock")
            opened = [str(a) for a in addresses if block is not None and _opens(block, a)]
            if opened:
                yield (
                    f"NetworkPolicy {name} egress rule {index} must not open the cloud metadata address "
                    f"{', '.join(opened)} (add it to ipBlock.except)."
                )


# Kinds that live in a namespace (their *List forms carry items of other namespaces and are skipped).
NAMESPACED_KINDS = frozenset(
    {
        "Pod", "PodTemplate", "ReplicationController", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet",
        "Job", "CronJob", "Service", "ConfigMap", "Secret", "ServiceAccount", "Role", "RoleBinding",
        "NetworkPolicy", "ResourceQuota", "LimitRange", "PodDisruptionBudget", "HorizontalPodAutoscaler",
        "ScaledObject", "ScaledJob", "TriggerAuthentication", "Ingress", "PersistentVolumeClaim", "Endpoints",
        "EndpointSlice", "ListenerSet", "HTTPRoute", "BackendTrafficPolicy", "VerticalPodAutoscaler",
    }
)
# Namespaces tenant pods may select in a NetworkPolicy besides their own (always with a podSelector): the
# cluster DNS lives in kube-system.
SYSTEM_NAMESPACES = ("kube-system",)
NAME_LABEL = "kubernetes.io/metadata.name"


def _tenant_namespace(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    tenant = ctx.tenant
    if not tenant:
        return  # a shared-cluster stack places its own objects
    # components.naming.namespace_name: the prefix keeps a tenant id from naming a system namespace.
    expected = str(ctx.setting("namespace", f"tenant-{tenant}"))
    kind = ctx.resource_type.rsplit(":", 1)[-1]
    name = get(props, "metadata", "name")
    if is_addon_object(props, kind):
        return  # a silo cluster's add-ons, in their own fixed namespaces (policies/tenant_policies/addons.py)
    if kind == "Namespace":
        if name is not UNKNOWN and name != expected:
            yield f"Namespace of tenant {tenant} must be named {expected} (got {name})."
        return
    namespace = get(props, "metadata", "namespace")
    if namespace is not UNKNOWN and namespace != expected:
        yield (
            f"{kind} {name or ''} must be in the tenant's namespace {expected} "
            f"(metadata.namespace is {namespace or 'unset: the provider default'})."
        )


def _is_namespaced(type_: str) -> bool:
    if not type_.startswith("kubernetes:") or type_.startswith("kubernetes:helm"):
        return False
    kind = type_.rsplit(":", 1)[-1]
    return kind == "Namespace" or kind in NAMESPACED_KINDS


def _pinned(selector: Any, allowed: set[str]) -> bool:
    """A namespaceSelector that selects exactly one of ``allowed`` by its immutable name label."""
    if not isinstance(selector, Mapping) or get(selector, "matchExpressions"):
        return False
    labels = get(selector, "matchLabels") or {}
    return isinstance(labels, Mapping) and labels.get(NAME_LABEL) in allowed


def _namespace_scoped(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    spec = get(props, "spec") or {}
    name = str(get(props, "metadata", "name") or "")
    own = get(props, "metadata", "namespace")
    system = {str(n) for n in as_list(ctx.setting("systemNamespaces", list(SYSTEM_NAMESPACES)))}
    for direction, peers_key in (("ingress", "from"), ("egress", "to")):
        for index, rule in enumerate(as_list(get(spec, direction))):
            if not isinstance(rule, Mapping):
                continue
            peers = as_list(rule.get(peers_key))
            if direction == "ingress" and not peers:
                yield f"NetworkPolicy {name} ingress rule {index} must name its sources (no from: admits every pod and address)."
                continue
            for peer in peers:
                selector = get(peer, "namespaceSelector")
                if selector is None or selector is UNKNOWN:
                    continue  # a podSelector alone selects pods of the policy's own namespace
                if _pinned(selector, {str(own)}) or (_pinned(selector, system) and get(peer, "podSelector")):
                    continue
                # Into the tenant from the cluster gateway's proxies (kubernetes-networkpolicy-gateway-ingress
                # checks the podSelector is theirs).
                if direction == "ingress" and _pinned(selector, {GATEWAY_NAMESPACE}) and get(peer, "podSelector"):
                    continue
                yield (
                    f"NetworkPolicy {name} {direction} rule {index} must not reach other tenants' namespaces "
                    f"(namespaceSelector must pin {NAME_LABEL} to {own} or to {', '.join(sorted(system))} "
                    "with a podSelector)."
                )


def _node_exposure(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    spec = get(props, "spec") or {}
    name = str(get(props, "metadata", "name") or "")
    if get(spec, "type") == "NodePort":
        yield f"Service {name} must not be of type NodePort (it opens a port on every node's address)."
    if [ip for ip in as_list(get(spec, "externalIPs")) if ip is not UNKNOWN]:
        yield f"Service {name} must not set externalIPs (any node then answers, or intercepts, traffic for those addresses)."


def _quota_exposure(resources: Sequence[Resource], ctx: Context) -> Iterator[tuple[str, str | None]]:
    hard: dict[str, dict[str, Any]] = {}
    for r in resources:
        if r.type == "kubernetes:core/v1:ResourceQuota":
            hard.setdefault(str(get(r.props, "metadata", "namespace") or ""), {}).update(get(r.props, "spec", "hard") or {})
    for ns in _tenant_namespaces(resources):
        limits = hard.get(_ns_name(ns), {})
        wanted = ["services.nodeports"]
        labels = get(ns.props, "metadata", "labels") or {}
        if (ctx.isolation or labels.get(f"{K8S_LABEL_PREFIX}isolation")) == "strict":
            wanted.append("services.loadbalancers")
        missing = [key for key in wanted if str(limits.get(key)) != "0"]
        if missing:
            yield (
                f"Namespace {_ns_name(ns) or ns.name} must have a ResourceQuota of 0 {' and '.join(missing)}."
            ), ns.urn


POLICIES: list[ResourceValidationPolicy | StackValidationPolicy] = [
    stack_policy(
        segregation_meta(
            "kubernetes-namespace-limit-range",
            "Checks that every tenant namespace has a LimitRange with default container requests and limits.",
            "Add a LimitRange of type Container with default and defaultRequest for cpu and memory to the namespace.",
        ),
        _limit_range,
    ),
    resource_policy(
        segregation_meta(
            "kubernetes-service-no-node-exposure",
            "Checks that no Service opens node ports or claims external IPs.",
            "Use a ClusterIP Service behind the platform's ingress; remove externalIPs (CVE-2020-8554).",
            critical=True,
        ),
        ["kubernetes:core/v1:Service"],
        _node_exposure,
    ),
    stack_policy(
        segregation_meta(
            "kubernetes-namespace-quota-exposure",
            "Checks that every tenant namespace's ResourceQuota allows no NodePorts (and no LoadBalancers when strict).",
            "Set services.nodeports: \"0\" in the namespace's ResourceQuota (and services.loadbalancers: \"0\" for strict "
            "tenants).",
        ),
        _quota_exposure,
    ),
    resource_policy(
        segregation_meta(
            "kubernetes-object-tenant-namespace",
            "Checks that every namespaced Kubernetes object of a tenant stack is in the tenant's own namespace.",
            "Create the object in the tenant's namespace tenant-<id> (metadata.namespace from the Namespace resource).",
            {"namespace": {"type": "string", "description": "The tenant's namespace (default tenant-<tenant>)."}},
            critical=True,
        ),
        _is_namespaced,
        _tenant_namespace,
    ),
    resource_policy(
        segregation_meta(
            "kubernetes-networkpolicy-namespace-scoped",
            "Checks that NetworkPolicies admit no unnamed sources and select no other tenant's namespace.",
            "Name ingress sources; select other namespaces only by kubernetes.io/metadata.name (kube-system "
            "with a podSelector for DNS).",
            {
                "systemNamespaces": string_list(
                    list(SYSTEM_NAMESPACES), "Namespaces tenant pods may select with a podSelector besides their own."
                )
            },
            critical=True,
        ),
        [NETWORK_POLICY],
        _namespace_scoped,
    ),
    resource_policy(
        segregation_meta(
            "kubernetes-networkpolicy-no-metadata-egress",
            "Checks that no NetworkPolicy egress rule opens the cloud metadata endpoint.",
            "Give every egress rule explicit destinations and list 169.254.169.254/32, 169.254.170.2/32 and "
            "fd00:ec2::254/128 in the except of any ipBlock that covers them.",
            {
                "metadataAddresses": string_list(
                    list(METADATA_ADDRESSES), "Metadata endpoint addresses no egress rule may reach."
                )
            },
            critical=True,
        ),
        [NETWORK_POLICY],
        _metadata_egress,
    ),
    stack_policy(
        segregation_meta(
            "kubernetes-namespace-default-deny",
            "Checks that every tenant namespace has a default-deny NetworkPolicy.",
            "Add a NetworkPolicy with podSelector {} and policyTypes [Ingress, Egress] to the namespace, "
            "then allow only the flows the workload needs.",
        ),
        _network_policy,
    ),
    stack_policy(
        segregation_meta(
            "kubernetes-namespace-resource-quota",
            "Checks that every tenant namespace has a ResourceQuota on CPU, memory and pods.",
            "Add a ResourceQuota with requests.cpu, requests.memory and pods to the namespace.",
        ),
        _quota,
    ),
    resource_policy(
        segregation_meta(
            "kubernetes-namespace-pod-security",
            "Checks that tenant namespaces enforce Pod Security Admission.",
            "Label the namespace pod-security.kubernetes.io/enforce: restricted.",
            {
                "minimumLevel": {
                    "type": "string",
                    "enum": list(PSA_LEVELS),
                    "default": "restricted",
                    "description": "Lowest Pod Security Admission level accepted.",
                },
                "minimumVersion": {
                    "type": "string",
                    "default": MINIMUM_PSA_VERSION,
                    "description": "Oldest Pod Security Admission version a namespace may pin (or latest).",
                },
            },
        ),
        ["kubernetes:core/v1:Namespace"],
        _psa,
    ),
]
