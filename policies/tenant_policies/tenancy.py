"""Kubernetes tenancy: every tenant namespace is fenced by a default-deny NetworkPolicy, a ResourceQuota and
Pod Security Admission labels."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from pulumi_policy import ResourceValidationPolicy, Severity, StackValidationPolicy

from .base import K8S_LABEL_PREFIX, SEGREGATION, Context, Meta, Resource, as_list, get, resource_policy, stack_policy

PSA_LEVELS = ("privileged", "baseline", "restricted")


def _meta(name: str, description: str, remediation: str, config: dict[str, Any] | None = None) -> Meta:
    return Meta(name, description, Severity.HIGH, remediation, SEGREGATION, "isolation", True, dict(config or {}))


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


def _psa(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    labels = get(props, "metadata", "labels") or {}
    if not labels.get(f"{K8S_LABEL_PREFIX}tenant"):
        return
    wanted = str(ctx.setting("minimumLevel", "restricted"))
    level = str(labels.get("pod-security.kubernetes.io/enforce", "privileged"))
    rank = PSA_LEVELS.index(level) if level in PSA_LEVELS else 0
    if rank < PSA_LEVELS.index(wanted):
        yield f"Tenant namespace must enforce Pod Security Admission level {wanted} (pod-security.kubernetes.io/enforce)."


POLICIES: list[ResourceValidationPolicy | StackValidationPolicy] = [
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
                }
            },
        ),
        ["kubernetes:core/v1:Namespace"],
        _psa,
    ),
]
