"""Kubernetes workloads: the restricted Pod Security Standard and hardening checked on every pod template itself.

Pod Security Admission in the namespace is the first line; these policies are the second, on the object
before it is applied (a namespace label can be weakened in the same change). Every pod template of every
workload type and every container list is read through ``pods``. A field that is absent takes the
kubelet's default, and where that default is the insecure one (privilege escalation allowed, a writable
root filesystem, the service-account token mounted) the policy fails: the component must state the secure value.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from pulumi_policy import ResourceValidationPolicy, Severity, StackValidationPolicy

from .base import CAPACITY, UNKNOWN, Context, Controls, Meta, as_int, as_list, get, is_set, resource_policy, string_list
from .pods import Container, PodTemplate, is_workload, pod_templates

WORKLOAD = Controls(gdpr=("Art.32(1)(b)",), soc2=("CC6.1", "CC6.8"), iso27001=("A.8.9", "A.8.22"))
PROVENANCE = Controls(soc2=("CC6.8", "CC8.1"), iso27001=("A.8.19", "A.8.32"))

# The one capability the restricted standard lets a container add: binding ports below 1024.
ALLOWED_CAPABILITIES = frozenset({"NET_BIND_SERVICE"})
# Sysctls the baseline and restricted standards allow: namespaced, and unable to affect other pods on the node.
SAFE_SYSCTLS = frozenset(
    {
        "kernel.shm_rmid_forced",
        "net.ipv4.ip_local_port_range",
        "net.ipv4.ip_unprivileged_port_start",
        "net.ipv4.tcp_syncookies",
        "net.ipv4.ping_group_range",
        "net.ipv4.ip_local_reserved_ports",
        "net.ipv4.tcp_keepalive_time",
        "net.ipv4.tcp_fin_timeout",
        "net.ipv4.tcp_keepalive_intvl",
        "net.ipv4.tcp_keepalive_probes",
    }
)
SECCOMP_TYPES = frozenset({"RuntimeDefault", "Localhost"})
SELINUX_TYPES = frozenset({"", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"})
# Volume types of the restricted standard: none reaches the node's filesystem or another system's storage.
RESTRICTED_VOLUMES = (
    "configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret",
)
# The workload opts in to a service-account token with this annotation (on the object or its pod template):
# only a component that calls the Kubernetes API (an operator, a controller) needs one; the tenant's web
# workload does not, so the platform renders none.
TOKEN_ANNOTATION = "tenant-platform.io/needs-service-account-token"
# Registries (or registry/path prefixes) images may come from without a digest. The default is what the
# platform's own workload renders (the unprivileged NGINX image on Docker Hub); add the tenant registries.
DEFAULT_REGISTRIES = ("docker.io/nginxinc",)
_DIGEST = re.compile(r"@sha256:[0-9a-f]{64}$")
_SECCOMP_ANNOTATION = re.compile(
    r"^(seccomp\.security\.alpha\.kubernetes\.io/pod|container\.seccomp\.security\.alpha\.kubernetes\.io/.+)$"
)
_APPARMOR_ANNOTATION = "container.apparmor.security.beta.kubernetes.io/"

Check = Callable[[PodTemplate, Context], Iterator[str]]


def _is_true(value: Any) -> bool:
    """``true`` or ``"true"``; an unknown value is decided at deployment, not here."""
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def _is_false(value: Any) -> bool:
    return value is False or value is UNKNOWN or (isinstance(value, str) and value.strip().lower() == "false")


def _effective(container: Container, pod: PodTemplate, key: str) -> Any:
    """The container's securityContext value, else the pod's (the container's wins where both are set)."""
    value = container.security.get(key)
    return pod.security.get(key) if value is None else value


def _text(value: Any) -> str:
    return "" if value is None or value is UNKNOWN else str(value)


# --------------------------------------------------------------------------- checks


def _privileged(pod: PodTemplate, ctx: Context) -> Iterator[str]:
    for c in pod.containers():
        if _is_true(c.security.get("privileged")):
            yield f"{c.label} must not run privileged (securityContext.privileged)."
        if _is_true(get(_effective(c, pod, "windowsOptions"), "hostProcess")):
            yield f"{c.label} must not be a Windows HostProcess container (securityContext.windowsOptions.hostProcess)."


def _escalation(pod: PodTemplate, ctx: Context) -> Iterator[str]:
    for c in pod.containers():
        if not _is_false(c.security.get("allowPrivilegeEscalation")):
            yield f"{c.label} must set securityContext.allowPrivilegeEscalation: false."


def _non_root(pod: PodTemplate, ctx: Context) -> Iterator[str]:
    for c in pod.containers():
        non_root = _effective(c, pod, "runAsNonRoot")
        if not _is_true(non_root) and non_root is not UNKNOWN:
            yield f"{c.label} must run as non-root (securityContext.runAsNonRoot: true on the container or the pod)."
        if as_int(_effective(c, pod, "runAsUser")) == 0:
            yield f"{c.label} must not run as UID 0 (securityContext.runAsUser)."


def _capabilities(pod: PodTemplate, ctx: Context) -> Iterator[str]:
    for c in pod.containers():
        caps = c.security.get("capabilities")
        drop = [_text(v) for v in as_list(get(caps, "drop"))]
        if "ALL" not in drop:
            yield f"{c.label} must drop ALL capabilities (securityContext.capabilities.drop)."
        added = sorted({_text(v) for v in as_list(get(caps, "add"))} - ALLOWED_CAPABILITIES)
        if added:
            yield f"{c.label} must add no capability beyond NET_BIND_SERVICE (adds {', '.join(added)})."


def _host_namespaces(pod: PodTemplate, ctx: Context) -> Iterator[str]:
    for field, shared in (("hostNetwork", "network"), ("hostPID", "process"), ("hostIPC", "IPC")):
        if _is_true(pod.spec.get(field)):
            yield f"{pod.label} must not set {field}: true (it shares the node's {shared} namespace)."


def _host_path(pod: PodTemplate, ctx: Context) -> Iterator[str]:
    for volume in pod.volumes():
        if volume.get("hostPath") is not None:
            yield f"{pod.label} must not mount a hostPath volume ({_text(volume.get('name'))})."


def _volume_types(pod: PodTemplate, ctx: Context) -> Iterator[str]:
    for volume in pod.volumes():
        kinds = sorted(k for k in volume if k != "name" and volume[k] is not None and k != "hostPath")
        other = [k for k in kinds if k not in RESTRICTED_VOLUMES]
        if other:
            yield (
                f"{pod.label} volume {_text(volume.get('name'))} must be of a restricted type "
                f"({', '.join(RESTRICTED_VOLUMES)}); got {', '.join(other)}."
            )


def _host_port(pod: PodTemplate, ctx: Context) -> Iterator[str]:
    for c in pod.containers():
        for port in as_list(c.body.get("ports")):
            host = as_int(get(port, "hostPort"))
            if host:
                yield f"{c.label} must not bind a hostPort ({host})."


def _seccomp(pod: PodTemplate, ctx: Context) -> Iterator[str]:
    for c in pod.containers():
        profile = _effective(c, pod, "seccompProfile")
        kind = get(profile, "type")
        if kind is not UNKNOWN and _text(kind) not in SECCOMP_TYPES:
            yield (
                f"{c.label} must run under a seccomp profile of type RuntimeDefault or Localhost "
                "(securityContext.seccompProfile on the container or the pod)."
            )
    for key, value in sorted(pod.annotations.items()):
        if _SECCOMP_ANNOTATION.match(key) and _text(value).strip().lower() == "unconfined":
            yield f"{pod.label} must not set the seccomp annotation {key}: unconfined."


def _proc_mount(pod: PodTemplate, ctx: Context) -> Iterator[str]:
    for c in pod.containers():
        mount = c.security.get("procMount")
        if mount is not None and mount is not UNKNOWN and mount != "Default":
            yield f"{c.label} must use procMount Default (got {mount})."


def _sysctls(pod: PodTemplate, ctx: Context) -> Iterator[str]:
    for sysctl in as_list(pod.security.get("sysctls")):
        name = _text(get(sysctl, "name"))
        if name not in SAFE_SYSCTLS:
            yield f"{pod.label} must set only the safe sysctls of the restricted Pod Security Standard (got {name})."


def _apparmor(pod: PodTemplate, ctx: Context) -> Iterator[str]:
    if _text(get(pod.security, "appArmorProfile", "type")) == "Unconfined":
        yield f"{pod.label} must not run AppArmor-unconfined (securityContext.appArmorProfile.type)."
    for c in pod.containers():
        if _text(get(c.security, "appArmorProfile", "type")) == "Unconfined":
            yield f"{c.label} must not run AppArmor-unconfined (securityContext.appArmorProfile.type)."
    for key, value in sorted(pod.annotations.items()):
        # Only runtime/default and localhost/<profile> confine; unconfined (and anything else) does not.
        if key.startswith(_APPARMOR_ANNOTATION):
            profile = _text(value).strip()
            if profile != "runtime/default" and not profile.startswith("localhost/"):
                yield f"{pod.label} must not run AppArmor-unconfined (annotation {key}: {profile})."


def _selinux(pod: PodTemplate, ctx: Context) -> Iterator[str]:
    def wrong(options: Any) -> bool:
        if not isinstance(options, Mapping):
            return False
        return bool(_text(options.get("user")) or _text(options.get("role"))) or (
            _text(options.get("type")) not in SELINUX_TYPES
        )

    if wrong(pod.security.get("seLinuxOptions")):
        yield (
            f"{pod.label} must not set an SELinux user or role, nor a type other than "
            "container_t, container_init_t, container_kvm_t or container_engine_t (securityContext.seLinuxOptions)."
        )
    for c in pod.containers():
        if wrong(c.security.get("seLinuxOptions")):
            yield (
                f"{c.label} must not set an SELinux user or role, nor a type other than "
                "container_t, container_init_t, container_kvm_t or container_engine_t (securityContext.seLinuxOptions)."
            )


def _read_only_root(pod: PodTemplate, ctx: Context) -> Iterator[str]:
    for c in pod.containers():
        value = c.security.get("readOnlyRootFilesystem")
        if not _is_true(value) and value is not UNKNOWN:
            yield f"{c.label} must set securityContext.readOnlyRootFilesystem: true."


def _token(pod: PodTemplate, ctx: Context) -> Iterator[str]:
    if _is_true(pod.annotations.get(TOKEN_ANNOTATION)):
        return
    if not _is_false(pod.spec.get("automountServiceAccountToken")):
        yield (
            f"{pod.label} must set automountServiceAccountToken: false "
            f'(or annotate the workload {TOKEN_ANNOTATION}: "true" when it calls the Kubernetes API).'
        )


def _service_account(pod: PodTemplate, ctx: Context) -> Iterator[str]:
    name = pod.spec.get("serviceAccountName")
    if name is UNKNOWN:
        return
    if not is_set(name) or _text(name) == "default":
        yield f"{pod.label} must run as its own ServiceAccount (serviceAccountName, not default)."


def _resources(pod: PodTemplate, ctx: Context) -> Iterator[str]:
    for c in pod.containers():
        if c.list == "ephemeralContainers":
            continue  # the API refuses resources on ephemeral containers: they share the pod's
        resources = c.body.get("resources")
        missing = [
            f"{kind}.{name}"
            for kind in ("requests", "limits")
            for name in ("cpu", "memory")
            if not is_set(get(resources, kind, name))
        ]
        if missing:
            yield f"{c.label} must set resources requests and limits for cpu and memory (missing {', '.join(missing)})."


def _registry_allowed(image: str, allowed: list[str]) -> bool:
    for entry in allowed:
        entry = entry.rstrip("/")
        if entry and (image.startswith(entry + "/") or image.startswith(entry + ":")):
            return True
    return False


def image_problem(image: Any, allowed: list[str]) -> bool:
    """True when the image is neither pinned by digest nor a versioned tag from an allowed registry."""
    if image is UNKNOWN:
        return False
    text = _text(image).strip()
    if not text:
        return True
    if _DIGEST.search(text):
        return False
    name, _, tag = text.rpartition(":")
    if "/" in tag or not name:  # no tag at all (the colon was a registry port) means :latest
        return True
    first = name.split("/", 1)[0]
    has_registry = "/" in name and ("." in first or ":" in first or first == "localhost")
    return not has_registry or tag == "latest" or not _registry_allowed(text, allowed)


def _images(pod: PodTemplate, ctx: Context) -> Iterator[str]:
    allowed = [str(entry) for entry in as_list(ctx.setting("allowedRegistries", list(DEFAULT_REGISTRIES)))]
    for c in pod.containers():
        image = c.body.get("image")
        if image_problem(image, allowed):
            yield (
                f"{c.label} image {_text(image)!r} must be pinned by digest (@sha256:...) or be a versioned tag "
                f"(not latest) from an allowed registry ({', '.join(allowed) or 'none'})."
            )


# --------------------------------------------------------------------------- policies


def _on_pods(check: Check) -> Callable[[Mapping[str, Any], Context], Iterator[str]]:
    def run(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
        for pod in pod_templates(ctx.resource_type, props):
            yield from check(pod, ctx)

    return run


def _policy(
    name: str,
    description: str,
    remediation: str,
    check: Check,
    benchmarks: str,
    *,
    critical: bool = False,
    severity: Severity = Severity.HIGH,
    controls: Controls = WORKLOAD,
    config: dict[str, dict[str, Any]] | None = None,
) -> ResourceValidationPolicy:
    meta = Meta(
        name,
        description,
        Severity.CRITICAL if critical else severity,
        f"{remediation} ({benchmarks})",
        controls,
        "workload",
        True,
        dict(config or {}),
        critical,
    )
    return resource_policy(meta, is_workload, _on_pods(check))


POLICIES: list[ResourceValidationPolicy | StackValidationPolicy] = [
    _policy(
        "kubernetes-pod-no-privileged",
        "Checks that no container of any pod template runs privileged or as a Windows HostProcess container.",
        "Remove securityContext.privileged and windowsOptions.hostProcess",
        _privileged,
        "CKV_K8S_16, CIS 5.2.2, 5.2.11",
        critical=True,
    ),
    _policy(
        "kubernetes-pod-no-privilege-escalation",
        "Checks that every container sets allowPrivilegeEscalation: false.",
        "Set securityContext.allowPrivilegeEscalation: false on every container",
        _escalation,
        "CKV_K8S_20, CIS 5.2.6",
        critical=True,
    ),
    _policy(
        "kubernetes-pod-run-as-non-root",
        "Checks that every container runs as non-root (runAsNonRoot: true, never UID 0).",
        "Set securityContext.runAsNonRoot: true on the pod or every container and never runAsUser: 0",
        _non_root,
        "CKV_K8S_23, CIS 5.2.7",
    ),
    _policy(
        "kubernetes-pod-capabilities",
        "Checks that every container drops ALL capabilities and adds none beyond NET_BIND_SERVICE.",
        "Set securityContext.capabilities.drop: [ALL] and add at most NET_BIND_SERVICE",
        _capabilities,
        "CKV_K8S_25, CKV_K8S_28, CKV_K8S_37, CKV_K8S_39, CIS 5.2.8, 5.2.9, 5.2.10",
        critical=True,
    ),
    _policy(
        "kubernetes-pod-no-host-namespaces",
        "Checks that no pod shares the node's network, process or IPC namespace.",
        "Remove hostNetwork, hostPID and hostIPC from the pod spec",
        _host_namespaces,
        "CKV_K8S_17, CKV_K8S_18, CKV_K8S_19, CIS 5.2.3, 5.2.4, 5.2.5",
        critical=True,
    ),
    _policy(
        "kubernetes-pod-no-host-path",
        "Checks that no pod mounts a hostPath volume.",
        "Use an emptyDir, a ConfigMap or a PersistentVolumeClaim instead of hostPath",
        _host_path,
        "CKV_K8S_27, CIS 5.2.12",
        critical=True,
    ),
    _policy(
        "kubernetes-pod-volume-types",
        "Checks that pods use only the volume types of the restricted Pod Security Standard.",
        "Use configMap, csi, downwardAPI, emptyDir, ephemeral, persistentVolumeClaim, projected or secret volumes",
        _volume_types,
        "CIS 5.2.12",
    ),
    _policy(
        "kubernetes-pod-no-host-port",
        "Checks that no container binds a hostPort.",
        "Remove hostPort; expose the workload through a ClusterIP Service",
        _host_port,
        "CKV_K8S_26, CIS 5.2.13",
    ),
    _policy(
        "kubernetes-pod-seccomp",
        "Checks that every container runs under the RuntimeDefault or a Localhost seccomp profile.",
        "Set securityContext.seccompProfile.type: RuntimeDefault on the pod or every container",
        _seccomp,
        "CKV_K8S_31, CIS 5.7.2",
    ),
    _policy(
        "kubernetes-pod-proc-mount",
        "Checks that every container uses the Default /proc mount.",
        "Remove securityContext.procMount or set it to Default",
        _proc_mount,
        "CIS 5.7.3",
    ),
    _policy(
        "kubernetes-pod-safe-sysctls",
        "Checks that pods set only the safe sysctls of the Pod Security Standards.",
        "Remove every sysctl outside the safe set from securityContext.sysctls",
        _sysctls,
        "CIS 5.7.3",
    ),
    _policy(
        "kubernetes-pod-apparmor",
        "Checks that no pod or container runs AppArmor-unconfined.",
        "Remove the Unconfined AppArmor profile (use RuntimeDefault or a Localhost profile)",
        _apparmor,
        "CIS 5.7.3",
    ),
    _policy(
        "kubernetes-pod-selinux",
        "Checks that pods and containers set no SELinux user or role and only the container SELinux types.",
        "Remove seLinuxOptions.user and role; use type container_t (or leave seLinuxOptions unset)",
        _selinux,
        "CIS 5.7.3",
    ),
    _policy(
        "kubernetes-pod-read-only-root-filesystem",
        "Checks that every container runs with a read-only root filesystem.",
        "Set securityContext.readOnlyRootFilesystem: true and mount an emptyDir where the container writes",
        _read_only_root,
        "CKV_K8S_22, CIS 5.7.3",
    ),
    _policy(
        "kubernetes-pod-service-account-token",
        "Checks that pods do not mount a service-account token unless the workload is annotated as needing one.",
        f"Set automountServiceAccountToken: false on the pod spec, or annotate the workload {TOKEN_ANNOTATION}",
        _token,
        "CKV_K8S_38, CIS 5.1.6",
    ),
    _policy(
        "kubernetes-pod-dedicated-service-account",
        "Checks that pods run as their own ServiceAccount, not the namespace's default one.",
        "Set serviceAccountName to the workload's ServiceAccount",
        _service_account,
        "CKV_K8S_41, CIS 5.1.5",
    ),
    _policy(
        "kubernetes-pod-resources",
        "Checks that every container sets cpu and memory requests and limits.",
        "Set resources.requests and resources.limits for cpu and memory on every container",
        _resources,
        "CKV_K8S_10, CKV_K8S_11, CKV_K8S_12, CKV_K8S_13",
        severity=Severity.MEDIUM,
        controls=CAPACITY,
    ),
    _policy(
        "kubernetes-pod-image-provenance",
        "Checks that every container image is pinned by digest or is a versioned tag from an allowed registry.",
        "Pin the image by digest, or use a version tag from a registry listed in allowedRegistries",
        _images,
        "CKV_K8S_14, CKV_K8S_43, CIS 5.5.1",
        controls=PROVENANCE,
        config={
            "allowedRegistries": string_list(
                list(DEFAULT_REGISTRIES), "Registries or registry/path prefixes images may come from without a digest."
            )
        },
    ),
]
