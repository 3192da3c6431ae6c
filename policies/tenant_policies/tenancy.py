"""Kubernetes tenancy: every tenant namespace is fenced by a default-deny NetworkPolicy, a ResourceQuota, a
LimitRange and Pod Security Admission labels, and no NetworkPolicy opens the cloud's metadata endpoint."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from pulumi_policy import ResourceValidationPolicy, Severity, StackValidationPolicy

from .base import (
    K8S_LABEL_PREFIX,
    SEGREGATION,
    UNKNOWN,
    Context,
    Meta,
    Resource,
    as_list,
    get,
    resource_policy,
    stack_policy,
)

PSA_LEVELS = ("privileged", "baseline", "restricted")
PSA_PREFIX = "pod-security.kubernetes.io/"
# The oldest Kubernetes minor the tenant schema accepts: a Pod Security version pinned below it would admit
# what today's restricted standard refuses (the standard has only grown stricter release by release).
MINIMUM_PSA_VERSION = "v1.28"
# Instance and task metadata endpoints (AWS IMDS IPv4/IPv6 and ECS task metadata; Azure IMDS and GCP's
# metadata server share 169.254.169.254): a pod reaching them reads the node's cloud credentials.
METADATA_ADDRESSES = ("169.254.169.254", "fd00:ec2::254", "169.254.170.2")
NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy"


def _meta(
    name: str, description: str, remediation: str, config: dict[str, Any] | None = None, critical: bool = False
) -> Meta:
    return Meta(
        name,
        description,
        Severity.CRITICAL if critical else Severity.HIGH,
        remediation,
        SEGREGATION,
        "isolation",
        True,
        dict(config or {}),
        critical,
    )


def _tenant_namespaces(resources: Sequence[Resource]) -> list[Resource]:
    return [
        r
        for r in resources
        if r.type == "kubernetes:core/v1:Namespace"
        and (get(r.props, "metadata", "labels") or {}).get(f"{K8S_LABEL_PREFIX}tenant")
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


POLICIES: list[ResourceValidationPolicy | StackValidationPolicy] = [
    stack_policy(
        _meta(
            "kubernetes-namespace-limit-range",
            "Checks that every tenant namespace has a LimitRange with default container requests and limits.",
            "Add a LimitRange of type Container with default and defaultRequest for cpu and memory to the namespace.",
        ),
        _limit_range,
    ),
    resource_policy(
        _meta(
            "kubernetes-networkpolicy-no-metadata-egress",
            "Checks that no NetworkPolicy egress rule opens the cloud metadata endpoint.",
            "Give every egress rule explicit destinations and list 169.254.169.254/32, 169.254.170.2/32 and "
            "fd00:ec2::254/128 in the except of any ipBlock that covers them.",
            {
                "metadataAddresses": {
                    "type": "array",
                    "items": {"type": "string"},
                    "default": list(METADATA_ADDRESSES),
                    "description": "Metadata endpoint addresses no egress rule may reach.",
                }
            },
            critical=True,
        ),
        [NETWORK_POLICY],
        _metadata_egress,
    ),
    stack_policy(
        _meta(
            "kubernetes-namespace-default-deny",
            "Checks that every tenant namespace has a default-deny NetworkPolicy.",
            "Add a NetworkPolicy with podSelector {} and policyTypes [Ingress, Egress] to the namespace, "
            "then allow only the flows the workload needs.",
        ),
        _network_policy,
    ),
    stack_policy(
        _meta(
            "kubernetes-namespace-resource-quota",
            "Checks that every tenant namespace has a ResourceQuota on CPU, memory and pods.",
            "Add a ResourceQuota with requests.cpu, requests.memory and pods to the namespace.",
        ),
        _quota,
    ),
    resource_policy(
        _meta(
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
