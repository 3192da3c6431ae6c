"""What every add-on shares: a pinned chart, its own Pod Security namespace, a Helm release, hardened pod settings.

Each add-on module states its chart (repository, name, exact version) and values; this module turns them
into a ``Namespace`` (Pod Security Admission labels) and a ``helm.v3.Release`` in it. The release never
creates its namespace: a namespace Helm creates carries no Pod Security labels.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from components.kubernetes.namespace import PSA_MODES

# Marks the cluster-wide objects of an add-on (its namespace and the objects in it); the policy pack tells
# them from a tenant's objects by this label together with the namespace being one of ADDON_NAMESPACES.
ADDON_LABEL = "tenant-platform.io/addon"

# Pod and container security of every add-on pod: what the namespace's ``restricted`` level demands anyway,
# stated in the values so a chart default that drifts fails the install instead of weakening the pod.
POD_SECURITY: dict[str, Any] = {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}}
CONTAINER_SECURITY: dict[str, Any] = {
    "allowPrivilegeEscalation": False,
    "readOnlyRootFilesystem": True,
    "runAsNonRoot": True,
    "capabilities": {"drop": ["ALL"]},
    "seccompProfile": {"type": "RuntimeDefault"},
}


@dataclass(frozen=True)
class Chart:
    """A Helm chart pinned to one exact version (never a range: an upgrade is a reviewed change)."""

    release: str  # Helm release name, also the stem of the Pulumi resource names
    chart: str
    version: str
    repository: str  # https:// chart repository, or "" for an oci:// chart reference
    namespace: str
    psa_level: str = "restricted"


def resources(cpu: str, memory: str, cpu_limit: str | None = None, memory_limit: str | None = None) -> dict[str, Any]:
    """Requests always; limits on memory (an OOM stays in the pod) and on CPU twice the request by default."""
    return {
        "requests": {"cpu": cpu, "memory": memory},
        "limits": {"cpu": cpu_limit or _double(cpu), "memory": memory_limit or memory},
    }


def _double(cpu: str) -> str:
    return f"{int(cpu.removesuffix('m')) * 2}m" if cpu.endswith("m") else str(int(cpu) * 2)


def psa_labels(level: str, kubernetes_version: str) -> dict[str, str]:
    labels: dict[str, str] = {}
    for mode in PSA_MODES:
        labels[f"pod-security.kubernetes.io/{mode}"] = level
        labels[f"pod-security.kubernetes.io/{mode}-version"] = f"v{kubernetes_version}"
    return labels


def addon_labels(base: dict[str, str], addon: str) -> dict[str, str]:
    return {**base, ADDON_LABEL: addon}


def namespace(name: str, chart: Chart, labels: dict[str, str], kubernetes_version: str,
              opts: pulumi.ResourceOptions, extra_labels: dict[str, str] | None = None) -> k8s.core.v1.Namespace:
    return k8s.core.v1.Namespace(
        f"{name}-{chart.release}-ns",
        metadata={
            "name": chart.namespace,
            "labels": {
                **addon_labels(labels, chart.release),
                **psa_labels(chart.psa_level, kubernetes_version),
                **(extra_labels or {}),
            },
        },
        opts=opts,
    )


def release(name: str, chart: Chart, values: dict[str, Any], ns: k8s.core.v1.Namespace,
            opts: pulumi.ResourceOptions) -> k8s.helm.v3.Release:
    """The chart installed into its own namespace; waits for its workloads (``skip_await`` stays off)."""
    repository = k8s.helm.v3.RepositoryOptsArgs(repo=chart.repository) if chart.repository else None
    return k8s.helm.v3.Release(
        f"{name}-{chart.release}",
        name=chart.release,
        chart=chart.chart,
        version=chart.version,
        repository_opts=repository,
        namespace=ns.metadata.name,
        create_namespace=False,
        values=values,
        atomic=True,  # a failed install or upgrade rolls back instead of leaving half an add-on
        cleanup_on_fail=True,
        max_history=5,
        timeout=600,
        opts=pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(depends_on=[ns])),
    )
