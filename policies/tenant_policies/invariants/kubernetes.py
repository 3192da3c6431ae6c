"""Invariants of the kubernetes resources the components render (see the package docstring).

``components/kubernetes``: the workload Deployment (``workload.py``), the namespace with its Pod Security
labels, ResourceQuota and LimitRange (``namespace.py``), the default-deny NetworkPolicies (``network.py``),
the developers' Role and RoleBinding and the workload's ServiceAccount (``rbac.py``) and the autoscaler
(``autoscaling.py``). Pod paths are written for the Deployment's template; the policies read every pod
template of every workload type the same way (``tenant_policies.pods``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from . import Drop, Invariant, Set, Unset

DEPLOYMENT = "kubernetes:apps/v1:Deployment"
NAMESPACE = "kubernetes:core/v1:Namespace"
NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy"
QUOTA = "kubernetes:core/v1:ResourceQuota"
LIMIT_RANGE = "kubernetes:core/v1:LimitRange"
ROLE = "kubernetes:rbac.authorization.k8s.io/v1:Role"
ROLE_BINDING = "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding"
SERVICE_ACCOUNT = "kubernetes:core/v1:ServiceAccount"
SERVICE = "kubernetes:core/v1:Service"
HPA = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler"

POD = "spec.template.spec."
EACH = POD + "containers.*."
SC = EACH + "securityContext."
PSA = "metadata.labels.pod-security\\.kubernetes\\.io/"
IMAGE = "docker.io/nginxinc/nginx-unprivileged:1.27"
# A container the component never renders, added as an init container: the policies read every container list.
INIT = {
    "name": "setup",
    "image": IMAGE,
    "resources": {"requests": {"cpu": "100m", "memory": "64Mi"}, "limits": {"cpu": "100m", "memory": "64Mi"}},
    "securityContext": {
        "runAsNonRoot": True,
        "allowPrivilegeEscalation": False,
        "capabilities": {"drop": ["ALL"]},
        "readOnlyRootFilesystem": True,
        "privileged": True,
    },
}


def _named(name: str) -> Any:
    def where(props: Mapping[str, Any]) -> bool:
        metadata = props.get("metadata")
        return isinstance(metadata, Mapping) and metadata.get("name") == name

    return where


def _tenant_namespace(props: Mapping[str, Any]) -> bool:
    """A tenant's namespace, not a cluster add-on's (those are addons.py's rows)."""
    labels = (props.get("metadata") or {}).get("labels") or {}
    return isinstance(labels, Mapping) and not labels.get("tenant-platform.io/addon")


def _strict(props: Mapping[str, Any]) -> bool:
    labels = (props.get("metadata") or {}).get("labels") or {}
    return isinstance(labels, Mapping) and labels.get("tenant-platform.io/isolation") == "strict"


def _pod(path: str, secure: str, policy: str, edits: tuple[Any, ...], why: str, *benchmarks: str) -> Invariant:
    return Invariant(DEPLOYMENT, path, secure, policy, edits, why, benchmarks)


ROWS: list[Invariant] = [
    # ----------------------------------------------------------------- workload.py: the pod template
    _pod(SC + "privileged", "absent (false)", "kubernetes-pod-no-privileged",
         (Set(SC + "privileged", True),), "every device and capability of the node: a container escape by design",
         "CKV_K8S_16", "CIS Kubernetes 5.2.2"),
    _pod(POD + "initContainers", "none rendered", "kubernetes-pod-no-privileged",
         (Set(POD + "initContainers", [INIT]),), "a privileged init container runs before any hardened one",
         "CKV_K8S_16", "CIS Kubernetes 5.2.2"),
    _pod(SC + "windowsOptions.hostProcess", "absent (false)", "kubernetes-pod-no-privileged",
         (Set(SC + "windowsOptions.hostProcess", True),), "a Windows HostProcess container is the node itself",
         "CIS Kubernetes 5.2.11"),
    _pod(SC + "allowPrivilegeEscalation", "false", "kubernetes-pod-no-privilege-escalation",
         (Unset(SC + "allowPrivilegeEscalation"),), "setuid binaries and file capabilities regain root inside the container",
         "CKV_K8S_20", "CIS Kubernetes 5.2.6"),
    _pod(SC + "runAsNonRoot", "true", "kubernetes-pod-run-as-non-root",
         (Set(SC + "runAsNonRoot", False),), "the container's process may be UID 0: an escape is root on the node",
         "CKV_K8S_23", "CIS Kubernetes 5.2.7"),
    _pod(POD + "securityContext.runAsNonRoot", "true", "kubernetes-pod-run-as-non-root",
         (Unset(POD + "securityContext.runAsNonRoot"), Unset(SC + "runAsNonRoot")),
         "neither the pod nor the container refuses a root image", "CKV_K8S_23", "CIS Kubernetes 5.2.7"),
    _pod(POD + "securityContext.runAsUser", "absent (the image's non-root user)", "kubernetes-pod-run-as-non-root",
         (Set(POD + "securityContext.runAsUser", 0),), "UID 0 stated outright", "CKV_K8S_23", "CIS Kubernetes 5.2.7"),
    _pod(SC + "capabilities.drop", "[ALL]", "kubernetes-pod-capabilities",
         (Unset(SC + "capabilities.drop"),), "the runtime's default capabilities (NET_RAW: spoofing on the node network)",
         "CKV_K8S_28", "CKV_K8S_37", "CIS Kubernetes 5.2.8", "CIS Kubernetes 5.2.10"),
    _pod(SC + "capabilities.add", "absent", "kubernetes-pod-capabilities",
         (Set(SC + "capabilities.add", ["SYS_ADMIN"]),), "SYS_ADMIN is most of root: mounts, namespaces, BPF",
         "CKV_K8S_25", "CKV_K8S_39", "CIS Kubernetes 5.2.9"),
    _pod(POD + "hostNetwork", "absent (false)", "kubernetes-pod-no-host-namespaces",
         (Set(POD + "hostNetwork", True),), "the node's network: bypasses NetworkPolicies, reaches the metadata endpoint",
         "CKV_K8S_19", "CIS Kubernetes 5.2.5"),
    _pod(POD + "hostPID", "absent (false)", "kubernetes-pod-no-host-namespaces",
         (Set(POD + "hostPID", "true"),), "sees and signals every process of the node, other tenants' included",
         "CKV_K8S_17", "CIS Kubernetes 5.2.3"),
    _pod(POD + "hostIPC", "absent (false)", "kubernetes-pod-no-host-namespaces",
         (Set(POD + "hostIPC", True),), "shared memory of every process of the node", "CKV_K8S_18", "CIS Kubernetes 5.2.4"),
    _pod(POD + "volumes", "[emptyDir /tmp]", "kubernetes-pod-no-host-path",
         (Set(POD + "volumes", [{"name": "tmp", "hostPath": {"path": "/tmp"}}]),),
         "the node's filesystem inside the pod", "CKV_K8S_27", "CIS Kubernetes 5.2.12"),
    _pod(POD + "volumes.*.emptyDir", "emptyDir", "kubernetes-pod-volume-types",
         (Set(POD + "volumes", [{"name": "tmp", "nfs": {"server": "10.0.0.9", "path": "/"}}]),),
         "storage outside the platform's, mounted by the node for the pod", "CIS Kubernetes 5.2.12"),
    _pod(EACH + "ports.*.hostPort", "absent", "kubernetes-pod-no-host-port",
         (Set(EACH + "ports.*.hostPort", 8080),), "a port on the node's address, around the Service and NetworkPolicies",
         "CKV_K8S_26", "CIS Kubernetes 5.2.13"),
    _pod(SC + "seccompProfile.type", "RuntimeDefault", "kubernetes-pod-seccomp",
         (Set(SC + "seccompProfile.type", "Unconfined"),), "every syscall reachable: the kernel's whole attack surface",
         "CKV_K8S_31", "CIS Kubernetes 5.7.2"),
    _pod(POD + "securityContext.seccompProfile", "{type: RuntimeDefault}", "kubernetes-pod-seccomp",
         (Unset(POD + "securityContext.seccompProfile"), Unset(SC + "seccompProfile")),
         "no syscall filter on the pod nor on the container", "CKV_K8S_31", "CIS Kubernetes 5.7.2"),
    _pod(SC + "procMount", "absent (Default)", "kubernetes-pod-proc-mount",
         (Set(SC + "procMount", "Unmasked"),), "an unmasked /proc exposes the node's kernel interfaces", "CIS Kubernetes 5.7.3"),
    _pod(POD + "securityContext.sysctls", "absent", "kubernetes-pod-safe-sysctls",
         (Set(POD + "securityContext.sysctls", [{"name": "kernel.msgmax", "value": "65536"}]),),
         "a node-wide kernel setting changed from one pod", "CIS Kubernetes 5.7.3"),
    _pod(SC + "appArmorProfile", "absent (runtime default)", "kubernetes-pod-apparmor",
         (Set(SC + "appArmorProfile", {"type": "Unconfined"}),), "the runtime's AppArmor confinement removed",
         "CIS Kubernetes 5.7.3"),
    _pod(POD + "securityContext.seLinuxOptions", "absent (container_t)", "kubernetes-pod-selinux",
         (Set(POD + "securityContext.seLinuxOptions", {"type": "spc_t"}),), "spc_t: an unconfined container",
         "CIS Kubernetes 5.7.3"),
    _pod(SC + "readOnlyRootFilesystem", "true", "kubernetes-pod-read-only-root-filesystem",
         (Set(SC + "readOnlyRootFilesystem", "false"),), "an intruder can replace the container's binaries and persist",
         "CKV_K8S_22", "CIS Kubernetes 5.7.3"),
    _pod(POD + "automountServiceAccountToken", "false", "kubernetes-pod-service-account-token",
         (Unset(POD + "automountServiceAccountToken"),), "an API token in pods that never call the API",
         "CKV_K8S_38", "CIS Kubernetes 5.1.6"),
    _pod(POD + "serviceAccountName", "the workload's own ServiceAccount", "kubernetes-pod-dedicated-service-account",
         (Set(POD + "serviceAccountName", "default"),), "the namespace's default account, shared by every unnamed pod",
         "CKV_K8S_41", "CIS Kubernetes 5.1.5"),
    _pod(EACH + "resources.limits", "cpu and memory", "kubernetes-pod-resources",
         (Unset(EACH + "resources.limits"),), "one pod can starve the node it shares with other tenants",
         "CKV_K8S_11", "CKV_K8S_13"),
    _pod(EACH + "resources.requests", "cpu and memory", "kubernetes-pod-resources",
         (Unset(EACH + "resources.requests"),), "the scheduler packs the pod blind; the quota cannot count it",
         "CKV_K8S_10", "CKV_K8S_12"),
    _pod(EACH + "image", IMAGE, "kubernetes-pod-image-provenance",
         (Set(EACH + "image", "docker.io/nginxinc/nginx-unprivileged:latest"),), "whatever was pushed last runs",
         "CKV_K8S_14", "CKV_K8S_43", "CIS Kubernetes 5.5.1"),
    # ----------------------------------------------------------------- namespace.py
    Invariant(NAMESPACE, PSA + "enforce", "restricted", "kubernetes-namespace-pod-security",
              (Set(PSA + "enforce", "baseline"),), "the API server admits privileged-adjacent pods into the namespace",
              ("CIS Kubernetes 5.2.1",)),
    Invariant(NAMESPACE, PSA + "audit", "restricted", "kubernetes-namespace-pod-security",
              (Set(PSA + "audit", "privileged"),), "violations stop reaching the audit log", ("CIS Kubernetes 5.2.1",)),
    Invariant(NAMESPACE, PSA + "warn", "restricted", "kubernetes-namespace-pod-security",
              (Set(PSA + "warn", "baseline"),), "developers stop being warned of violations", ("CIS Kubernetes 5.2.1",)),
    Invariant(NAMESPACE, PSA + "enforce-version", "v<cluster minor>", "kubernetes-namespace-pod-security",
              (Set(PSA + "enforce-version", "v1.22"),), "an old version of the standard admits what today's refuses",
              ("CIS Kubernetes 5.2.1",)),
    Invariant(QUOTA, "spec.hard", "requests.cpu, requests.memory, pods", "kubernetes-namespace-resource-quota",
              (Drop(),), "one tenant can take the whole shared cluster", ("CIS Kubernetes 5.7.1",)),
    Invariant(QUOTA, "spec.hard.pods", "the tier's pod count", "kubernetes-namespace-resource-quota",
              (Unset("spec.hard.pods"),), "no ceiling on the tenant's pod count", ("CIS Kubernetes 5.7.1",)),
    Invariant(LIMIT_RANGE, "spec.limits", "Container default and defaultRequest", "kubernetes-namespace-limit-range",
              (Drop(),), "containers without requests escape the quota's accounting", ("CIS Kubernetes 5.7.1",)),
    Invariant(LIMIT_RANGE, "spec.limits.0.default", "the workload's limits", "kubernetes-namespace-limit-range",
              (Unset("spec.limits.0.default"),), "a container without limits is unbounded", ("CIS Kubernetes 5.7.1",)),
    Invariant(QUOTA, "spec.hard.services\\.nodeports", "0", "kubernetes-namespace-quota-exposure",
              (Unset("spec.hard.services\\.nodeports"),), "NodePorts expose the workload on every node's address",
              ()),
    Invariant(QUOTA, "spec.hard.services\\.loadbalancers", "0 (strict tenants)", "kubernetes-namespace-quota-exposure",
              (Unset("spec.hard.services\\.loadbalancers"),), "a strict tenant can open its own internet-facing load balancer",
              (), _strict),
    Invariant(DEPLOYMENT, "metadata.namespace", "tenant-<id>", "kubernetes-object-tenant-namespace",
              (Set("metadata.namespace", "default"),), "the workload lands outside the tenant's fences (quota, PSA, deny)",
              ("CKV_K8S_21", "CIS Kubernetes 5.7.4")),
    Invariant(ROLE_BINDING, "metadata.namespace", "tenant-<id>", "kubernetes-object-tenant-namespace",
              (Set("metadata.namespace", "tenant-other"),), "the developers' rights granted in another tenant's namespace",
              ("CIS Kubernetes 5.7.1",)),
    Invariant(NAMESPACE, "metadata.name", "tenant-<id>", "kubernetes-object-tenant-namespace",
              (Set("metadata.name", "kube-system"),), "the tenant stack takes over a system namespace",
              ("CIS Kubernetes 5.7.1",), where=_tenant_namespace),
    # ----------------------------------------------------------------- network.py
    Invariant(NETWORK_POLICY, "spec", "podSelector {}, [Ingress, Egress], no rules", "kubernetes-namespace-default-deny",
              (Drop(),), "without the deny every pod is reachable from, and reaches, the whole cluster",
              ("CIS Kubernetes 5.3.2",), _named("default-deny-all")),
    Invariant(NETWORK_POLICY, "spec.policyTypes", "[Ingress, Egress]", "kubernetes-namespace-default-deny",
              (Set("spec.policyTypes", ["Ingress"]),), "egress is no longer denied by default", ("CIS Kubernetes 5.3.2",),
              _named("default-deny-all")),
    Invariant(NETWORK_POLICY, "spec.podSelector", "{}", "kubernetes-namespace-default-deny",
              (Set("spec.podSelector", {"matchLabels": {"app": "other"}}),), "the deny covers only some pods",
              ("CIS Kubernetes 5.3.2",), _named("default-deny-all")),
    Invariant(NETWORK_POLICY, "spec.egress.*.to", "the namespace's own pods", "kubernetes-networkpolicy-no-metadata-egress",
              (Unset("spec.egress.*.to"),), "egress to every address, the node's metadata endpoint and its credentials included",
              ("CIS Kubernetes 5.3.2",), _named("allow-same-namespace")),
    Invariant(NETWORK_POLICY, "spec.ingress.*.from", "the namespace's own pods", "kubernetes-networkpolicy-namespace-scoped",
              (Set("spec.ingress.0.from", [{"namespaceSelector": {}}]),), "every namespace's pods, other tenants' included",
              ("CIS Kubernetes 5.3.2",), _named("allow-same-namespace")),
    Invariant(NETWORK_POLICY, "spec.egress.*.to.*.podSelector", "k8s-app: kube-dns", "kubernetes-networkpolicy-namespace-scoped",
              (Unset("spec.egress.0.to.0.podSelector"),), "every pod of kube-system on the DNS ports, not only the DNS",
              ("CIS Kubernetes 5.3.2",), _named("allow-dns")),
    # ----------------------------------------------------------------- rbac.py
    Invariant(ROLE, "rules.*.verbs", "named verbs", "kubernetes-rbac-no-wildcards",
              (Set("rules.0.verbs", ["*"]),), "every verb, future ones included", ("CKV_K8S_49", "CIS Kubernetes 5.1.3")),
    Invariant(ROLE, "rules.*.resources", "named resources", "kubernetes-rbac-no-wildcards",
              (Set("rules.0.resources", ["*"]),), "every resource of the group, secrets included",
              ("CKV_K8S_49", "CIS Kubernetes 5.1.3")),
    Invariant(ROLE, "rules.*.apiGroups", "named groups", "kubernetes-rbac-no-wildcards",
              (Set("rules.0.apiGroups", ["*"]),), "every API group, RBAC's own included", ("CKV_K8S_49", "CIS Kubernetes 5.1.3")),
    Invariant(ROLE, "rules.*.resources (secrets)", "no secrets", "kubernetes-rbac-no-secrets-access",
              (Set("rules.0.resources", ["pods", "secrets"]),), "developers read what the platform put in Secrets",
              ("CIS Kubernetes 5.1.2",)),
    Invariant(ROLE, "rules.*.verbs (escalate, bind, impersonate)", "none", "kubernetes-rbac-no-escalation",
              (Set("rules.0.verbs", ["get", "impersonate"]),), "developers act as any identity of the namespace",
              ("CKV_K8S_157", "CKV_K8S_158", "CIS Kubernetes 5.1.8")),
    Invariant(ROLE, "rules (rbac.authorization.k8s.io)", "none", "kubernetes-rbac-no-escalation",
              (Set("rules.0", {"apiGroups": ["rbac.authorization.k8s.io"], "resources": ["rolebindings"], "verbs": ["create"]}),),
              "developers grant themselves and others more", ("CIS Kubernetes 5.1.8",)),
    Invariant(ROLE, "rules.*.resources (pods/exec)", "none", "kubernetes-rbac-no-workload-identity",
              (Set("rules.0.resources", ["pods", "pods/exec"]),), "a shell in the workload is the workload's cloud identity",
              ("CIS Kubernetes 5.1.4",)),
    Invariant(ROLE, "rules.*.verbs (isolation objects)", "get, list, watch", "kubernetes-rbac-isolation-read-only",
              (Set("rules.0.verbs", ["get", "list", "watch", "patch"]),), "developers lift their own quota and limits",
              ("CIS Kubernetes 5.7.1",)),
    Invariant(ROLE_BINDING, "roleRef", "the tenant-developer Role", "kubernetes-rbac-no-admin-binding",
              (Set("roleRef", {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "admin"}),),
              "admin in the namespace: RBAC, Secrets and the namespace's isolation objects", ("CIS Kubernetes 5.1.1",)),
    Invariant(ROLE_BINDING, "subjects.*.name", "tenant:<id>:developers", "kubernetes-rbac-binding-subjects",
              (Set("subjects.0.name", "system:authenticated"),), "every authenticated identity, other tenants' included",
              ("CIS Kubernetes 5.1.1",)),
    Invariant(ROLE_BINDING, "subjects.*.kind", "Group", "kubernetes-rbac-binding-subjects",
              (Set("subjects.0", {"kind": "ServiceAccount", "name": "default", "namespace": "kube-system"}),),
              "another namespace's identity holds the tenant's rights", ("CIS Kubernetes 5.1.1",)),
    Invariant(SERVICE_ACCOUNT, "automountServiceAccountToken", "false", "kubernetes-serviceaccount-no-token-automount",
              (Unset("automountServiceAccountToken"),), "every pod of the account gets an API token by default",
              ("CIS Kubernetes 5.1.6",)),
    # ----------------------------------------------------------------- workload.py: Service; autoscaling.py
    Invariant(SERVICE, "spec.type", "ClusterIP", "kubernetes-service-no-public-loadbalancer",
              (Set("spec.type", "LoadBalancer"),), "a strict tenant's workload on an internet-facing load balancer", (),
              _strict),
    Invariant(SERVICE, "spec.type (NodePort)", "ClusterIP", "kubernetes-service-no-node-exposure",
              (Set("spec.type", "NodePort"),), "a port on every node's address, around the platform's ingress", ()),
    Invariant(SERVICE, "spec.externalIPs", "absent", "kubernetes-service-no-node-exposure",
              (Set("spec.externalIPs", ["203.0.113.10"]),), "nodes answer, or intercept, traffic for any address (CVE-2020-8554)",
              ()),
    Invariant(HPA, "spec.maxReplicas", "the tier's max_replicas", "kubernetes-workload-scaling-bounds",
              (Set("spec.maxReplicas", 100000),), "one tenant scales into the whole cluster and its bill", ()),
]
