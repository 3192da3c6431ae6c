"""Who may do what in the namespace: the tenant's developers (Role) and the workload (ServiceAccount)."""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s

from components.kubernetes.meta import Manifest, object_meta
from components.naming import tenant_group
from spec.models import AnyTenant

READ = ["get", "list", "watch"]
WRITE = ["create", "update", "patch", "delete"]

# Namespace-scoped developer rights. Deliberately absent:
# - roles/rolebindings and the escalate/bind/impersonate verbs: developers cannot grant themselves more;
# - secrets, in any verb: workload credentials come through cloud workload identity (the ServiceAccount's
#   annotations) and managed secret stores, so nothing a developer needs lives in a Kubernetes Secret, and
#   reading one would expose what the platform put there;
# - pods/exec, pods/attach, serviceaccounts/token: each runs as, or mints, the workload's identity;
# - resourcequotas, limitranges, networkpolicies, namespaces: the isolation this component sets up stays read-only.
# Writing Deployments does let a developer run pods as the workload's ServiceAccount: that is what deploying
# means, and Pod Security ``restricted`` plus the NetworkPolicies bound what such a pod can do.
DEVELOPER_RULES: Manifest = [
    {"apiGroups": [""], "resources": ["pods", "pods/log", "events", "endpoints", "serviceaccounts",
                                      "resourcequotas", "limitranges"], "verbs": READ},
    {"apiGroups": [""], "resources": ["pods"], "verbs": ["delete"]},  # restart a stuck pod
    {"apiGroups": [""], "resources": ["configmaps", "services", "persistentvolumeclaims"], "verbs": [*READ, *WRITE]},
    {"apiGroups": ["apps"], "resources": ["deployments", "statefulsets", "replicasets"], "verbs": READ},
    {"apiGroups": ["apps"], "resources": ["deployments", "statefulsets"], "verbs": WRITE},
    {"apiGroups": ["apps"], "resources": ["deployments/scale", "statefulsets/scale"], "verbs": [*READ, "patch", "update"]},
    {"apiGroups": ["batch"], "resources": ["jobs", "cronjobs"], "verbs": [*READ, *WRITE]},
    {"apiGroups": ["autoscaling"], "resources": ["horizontalpodautoscalers"], "verbs": READ},
    {"apiGroups": ["policy"], "resources": ["poddisruptionbudgets"], "verbs": READ},
    {"apiGroups": ["networking.k8s.io"], "resources": ["networkpolicies", "ingresses"], "verbs": READ},
    {"apiGroups": ["keda.sh"], "resources": ["scaledobjects"], "verbs": READ},
]


def _role_ref(role: pulumi.Input[str]) -> Manifest:
    return {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": role}


def _subjects(spec: AnyTenant) -> Manifest:
    # The identity provider's group, not named users: membership is managed where people are managed.
    return [{"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": tenant_group(spec.tenant_id)}]


def build_rbac(
    name: str,
    spec: AnyTenant,
    namespace: pulumi.Input[str],
    service_account_annotations: dict[str, pulumi.Input[str]],
    opts: pulumi.ResourceOptions,
) -> k8s.core.v1.ServiceAccount:
    role = k8s.rbac.v1.Role(
        f"{name}-developer-role",
        metadata=object_meta("tenant-developer", namespace, spec),
        rules=DEVELOPER_RULES,
        opts=opts,
    )
    k8s.rbac.v1.RoleBinding(
        f"{name}-developer-binding",
        metadata=object_meta("tenant-developer", namespace, spec),
        # A RoleBinding (not a ClusterRoleBinding): the group's rights end at the namespace boundary.
        role_ref=_role_ref(role.metadata.name),
        subjects=_subjects(spec),
        opts=opts,
    )
    return k8s.core.v1.ServiceAccount(
        f"{name}-service-account",
        metadata=object_meta(spec.config.workload.name, namespace, spec, annotations=service_account_annotations),
        # No Kubernetes API token in the pod: the workload does not talk to the API server.
        automount_service_account_token=False,
        opts=opts,
    )
