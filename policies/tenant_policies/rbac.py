"""Kubernetes RBAC in a tenant stack: least privilege, no wildcards, no cluster-wide grants.

The tenant's personas (``components/kubernetes/rbac.py``): the developers' identity-provider group
``tenant:<id>:developers`` bound by a RoleBinding to the namespace Role ``tenant-developer``, and the
workload's own ServiceAccount, which has no Kubernetes API rights and no token. Every Role a tenant stack
renders is checked as if it were the developers' (a renamed Role must not escape), and every binding may
only name the tenant's groups and the service accounts of the tenant's namespace.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import ResourceValidationPolicy, StackValidationPolicy

from .base import K8S_LABEL_PREFIX, UNKNOWN, Context, as_list, get, resource_policy, segregation_meta, string_list

ROLE_TYPES = frozenset({"kubernetes:rbac.authorization.k8s.io/v1:Role", "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole"})
BINDING_TYPES = frozenset(
    {"kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding"}
)
CLUSTER_TYPES = frozenset(
    {
        "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole",
        "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding",
    }
)
SERVICE_ACCOUNT = "kubernetes:core/v1:ServiceAccount"
# Verbs that grant more than the holder has: escalate (write a Role beyond one's rights), bind (bind a
# role one does not hold), impersonate (act as another user, group or service account).
ESCALATION_VERBS = frozenset({"escalate", "bind", "impersonate"})
WRITE_VERBS = frozenset({"create", "update", "patch", "delete", "deletecollection", "*"})
RBAC_OBJECTS = frozenset({"roles", "rolebindings", "clusterroles", "clusterrolebindings", "*"})
# Subresources that run as the workload (exec, attach) or mint its token: a developer holding them holds
# the workload's cloud identity too.
IDENTITY_RESOURCES = frozenset({"pods/exec", "pods/attach", "serviceaccounts/token"})
# The objects that fence the namespace: developers read them, only the platform writes them.
ISOLATION_RESOURCES = frozenset({"networkpolicies", "resourcequotas", "limitranges", "namespaces"})
# Built-in ClusterRoles that, even bound in one namespace, hand out RBAC, Secrets or the namespace's isolation.
ADMIN_ROLES = frozenset({"cluster-admin", "admin", "edit"})
TOKEN_ANNOTATION = "tenant-platform.io/needs-service-account-token"




def _strings(value: Any) -> list[str]:
    return [str(v) for v in as_list(value) if v is not UNKNOWN]


def _rules(props: Mapping[str, Any]) -> Iterator[tuple[int, Mapping[str, Any]]]:
    for index, rule in enumerate(as_list(props.get("rules"))):
        if isinstance(rule, Mapping):
            yield index, rule


def _kind(ctx: Context) -> str:
    return ctx.resource_type.rsplit(":", 1)[-1]


def _name(props: Mapping[str, Any]) -> str:
    return str(get(props, "metadata", "name") or "")


def _tenant(props: Mapping[str, Any], ctx: Context) -> str | None:
    labels = get(props, "metadata", "labels") or {}
    return ctx.tenant or (labels.get(f"{K8S_LABEL_PREFIX}tenant") if isinstance(labels, Mapping) else None)


def _wildcards(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    if not _tenant(props, ctx):
        return  # a shared-cluster stack's own roles are the platform's (see ``_subjects``)
    for index, rule in _rules(props):
        for field in ("apiGroups", "resources", "verbs", "nonResourceURLs"):
            if any("*" in value for value in _strings(rule.get(field))):
                yield f"{_kind(ctx)} {_name(props)} rule {index} must not use a wildcard in {field}."


def _secrets(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    allowed = {str(r) for r in as_list(ctx.setting("secretReaders", []))}
    if not _tenant(props, ctx) or _name(props) in allowed:
        return
    for index, rule in _rules(props):
        groups = set(_strings(rule.get("apiGroups")))
        resources = set(_strings(rule.get("resources")))
        verbs = set(_strings(rule.get("verbs")))
        # Any verb: reading exposes what the platform stored, and creating a service-account-token Secret
        # mints a token for any ServiceAccount of the namespace.
        if groups & {"", "*"} and resources & {"secrets", "*"} and verbs:
            shown = ", ".join(sorted(verbs))
            yield f"{_kind(ctx)} {_name(props)} rule {index} must not grant {shown} on secrets."


def _escalation(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    if not _tenant(props, ctx):
        return
    for index, rule in _rules(props):
        verbs = set(_strings(rule.get("verbs")))
        found = sorted(verbs & ESCALATION_VERBS)
        if found:
            yield f"{_kind(ctx)} {_name(props)} rule {index} must not grant the {', '.join(found)} verb(s)."
        groups = set(_strings(rule.get("apiGroups")))
        if groups & {"rbac.authorization.k8s.io", "*"} and set(_strings(rule.get("resources"))) & RBAC_OBJECTS and (
            verbs & WRITE_VERBS
        ):
            yield f"{_kind(ctx)} {_name(props)} rule {index} must not grant writing Roles or RoleBindings."


def _identity(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    if not _tenant(props, ctx):
        return
    for index, rule in _rules(props):
        found = sorted(set(_strings(rule.get("resources"))) & IDENTITY_RESOURCES)
        if found and _strings(rule.get("verbs")) and set(_strings(rule.get("apiGroups"))) & {"", "*"}:
            yield (
                f"{_kind(ctx)} {_name(props)} rule {index} must not grant {', '.join(found)} "
                "(each runs as, or mints, the workload's identity)."
            )


def _isolation_read_only(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    if not _tenant(props, ctx):
        return
    for index, rule in _rules(props):
        found = sorted(set(_strings(rule.get("resources"))) & ISOLATION_RESOURCES)
        groups = set(_strings(rule.get("apiGroups")))
        if found and set(_strings(rule.get("verbs"))) & WRITE_VERBS and groups & {"", "networking.k8s.io", "*"}:
            yield (
                f"{_kind(ctx)} {_name(props)} rule {index} must not grant writing {', '.join(found)} "
                "(the namespace's isolation stays the platform's)."
            )


def _admin_binding(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    ref = props.get("roleRef") or {}
    if not _tenant(props, ctx):
        return
    if str(get(ref, "kind") or "") == "ClusterRole" and str(get(ref, "name") or "") in ADMIN_ROLES:
        yield f"{_kind(ctx)} {_name(props)} must not bind the {get(ref, 'name')} ClusterRole."


def _subjects(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    tenant = _tenant(props, ctx)
    if not tenant:
        return  # a shared-cluster stack: its platform bindings are the platform's
    namespace = str(get(props, "metadata", "namespace") or "")
    for subject in as_list(props.get("subjects")):
        kind = str(get(subject, "kind") or "")
        name = get(subject, "name")
        if name is UNKNOWN:
            continue
        name = str(name or "")
        if kind == "Group" and name.startswith(f"tenant:{tenant}:"):
            continue
        if kind == "ServiceAccount" and namespace and str(get(subject, "namespace") or namespace) == namespace:
            continue
        yield (
            f"{_kind(ctx)} {_name(props)} must bind only the tenant's groups (tenant:{tenant}:...) "
            f"and its namespace's service accounts (got {kind} {name})."
        )


def _cluster_scope(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    if _tenant(props, ctx):
        yield f"A tenant stack must not create a {_kind(ctx)} ({_name(props)}): tenant rights end at the namespace."


def _service_account_token(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    annotations = get(props, "metadata", "annotations") or {}
    if isinstance(annotations, Mapping) and str(annotations.get(TOKEN_ANNOTATION, "")).lower() == "true":
        return
    value = props.get("automountServiceAccountToken")
    if not (value is False or value is UNKNOWN or (isinstance(value, str) and value.lower() == "false")):
        yield f"ServiceAccount {_name(props)} must set automountServiceAccountToken: false."


POLICIES: list[ResourceValidationPolicy | StackValidationPolicy] = [
    resource_policy(
        segregation_meta(
            "kubernetes-rbac-no-wildcards",
            "Checks that no Role grants wildcard apiGroups, resources, verbs or non-resource URLs.",
            "List the apiGroups, resources and verbs the persona needs (CKV_K8S_49, CIS 5.1.3).",
        ),
        ROLE_TYPES,
        _wildcards,
    ),
    resource_policy(
        segregation_meta(
            "kubernetes-rbac-no-secrets-access",
            "Checks that no tenant Role can read or write Secrets unless the Role is configured as a secret reader.",
            "Remove every verb on secrets; workloads get credentials through workload identity (CIS 5.1.2).",
            config={
                "secretReaders": string_list([], "Names of Roles allowed to read Secrets.")
            },
        ),
        ROLE_TYPES,
        _secrets,
    ),
    resource_policy(
        segregation_meta(
            "kubernetes-rbac-no-escalation",
            "Checks that no Role grants escalate, bind or impersonate, or writing Roles and RoleBindings.",
            "Remove the escalate, bind and impersonate verbs and write access to RBAC objects "
            "(CKV_K8S_157, CKV_K8S_158, CIS 5.1.8).",
            critical=True,
        ),
        ROLE_TYPES,
        _escalation,
    ),
    resource_policy(
        segregation_meta(
            "kubernetes-rbac-no-workload-identity",
            "Checks that no tenant Role grants pods/exec, pods/attach or serviceaccounts/token.",
            "Remove pods/exec, pods/attach and serviceaccounts/token; debug through logs and events (CIS 5.1.4).",
        ),
        ROLE_TYPES,
        _identity,
    ),
    resource_policy(
        segregation_meta(
            "kubernetes-rbac-isolation-read-only",
            "Checks that no tenant Role can write NetworkPolicies, ResourceQuotas, LimitRanges or Namespaces.",
            "Grant only get, list and watch on the namespace's isolation objects (CIS 5.3.2, 5.7.1).",
        ),
        ROLE_TYPES,
        _isolation_read_only,
    ),
    resource_policy(
        segregation_meta(
            "kubernetes-rbac-no-admin-binding",
            "Checks that no binding grants the cluster-admin, admin or edit ClusterRole.",
            "Bind the tenant's own namespace Role instead (CIS 5.1.1).",
            critical=True,
        ),
        BINDING_TYPES,
        _admin_binding,
    ),
    resource_policy(
        segregation_meta(
            "kubernetes-rbac-binding-subjects",
            "Checks that bindings in a tenant stack name only the tenant's groups and its namespace's service accounts.",
            "Bind the group tenant:<id>:developers or a ServiceAccount of the tenant's namespace (CIS 5.1.1, 5.1.7).",
            critical=True,
        ),
        BINDING_TYPES,
        _subjects,
    ),
    resource_policy(
        segregation_meta(
            "kubernetes-rbac-no-cluster-scope",
            "Checks that a tenant stack creates no ClusterRole or ClusterRoleBinding.",
            "Use a Role and a RoleBinding in the tenant's namespace (CIS 5.1.1).",
            critical=True,
        ),
        CLUSTER_TYPES,
        _cluster_scope,
    ),
    resource_policy(
        segregation_meta(
            "kubernetes-serviceaccount-no-token-automount",
            "Checks that ServiceAccounts do not mount their API token into pods unless annotated as needing it.",
            f"Set automountServiceAccountToken: false, or annotate {TOKEN_ANNOTATION}: \"true\" (CIS 5.1.6).",
        ),
        [SERVICE_ACCOUNT],
        _service_account_token,
    ),
]
