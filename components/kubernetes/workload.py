"""The tenant's workload: performance ConfigMap, Deployment, Service and PodDisruptionBudget."""

from __future__ import annotations

import hashlib
import json

import pulumi
import pulumi_kubernetes as k8s

from components.kubernetes.meta import Manifest, object_meta
from components.naming import k8s_labels
from spec.models import AnyTenant

ZONE_KEY = "topology.kubernetes.io/zone"
HOST_KEY = "kubernetes.io/hostname"
TMP_VOLUME = "tmp"
ANNOTATION_MODE = "tenant-platform.io/autoscaling-mode"
ANNOTATION_REASON = "tenant-platform.io/autoscaling-reason"
ANNOTATION_PERFORMANCE = "tenant-platform.io/performance-config-hash"


def selector_labels(spec: AnyTenant) -> dict[str, str]:
    return {"app.kubernetes.io/name": spec.config.workload.name, "app.kubernetes.io/instance": spec.tenant_id}


def pool_per_replica(spec: AnyTenant) -> int:
    """Connections each replica may open, so that all replicas at the ceiling stay within ``connection_pool``."""
    scaling = spec.config.autoscaling
    replicas = scaling.max_replicas if scaling.enabled else scaling.min_replicas
    return max(1, spec.config.performance.connection_pool // replicas)


def performance_data(spec: AnyTenant) -> dict[str, str]:
    performance = spec.config.performance
    return {
        "CACHE_TTL_SECONDS": str(performance.cache_ttl),
        "DB_POOL_SIZE": str(pool_per_replica(spec)),
        "DB_POOL_SIZE_TOTAL": str(performance.connection_pool),
        "CIRCUIT_BREAKER_ENABLED": "true" if performance.circuit_breaker.enabled else "false",
    }


def config_hash(data: dict[str, str]) -> str:
    """Pod-template annotation: envFrom is read at start, so a changed ConfigMap must roll the pods."""
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]


def container_security_context() -> Manifest:
    """Pod Security ``restricted``, field by field."""
    return {
        "runAsNonRoot": True,  # a container escape as root is a node compromise
        "allowPrivilegeEscalation": False,  # no setuid binaries or file capabilities regaining privileges
        "capabilities": {"drop": ["ALL"]},  # a web workload needs no Linux capability
        "readOnlyRootFilesystem": True,  # an intruder cannot persist or alter binaries; scratch space is /tmp
        "seccompProfile": {"type": "RuntimeDefault"},  # the runtime's syscall filter blocks kernel attack surface
    }


def pod_spec(spec: AnyTenant, service_account: pulumi.Input[str], config_map: pulumi.Input[str]) -> Manifest:
    workload = spec.config.workload
    spread_selector = {"matchLabels": selector_labels(spec)}
    return {
        "serviceAccountName": service_account,
        "automountServiceAccountToken": False,  # the workload never calls the Kubernetes API
        "enableServiceLinks": False,  # no environment variables leaking other services' addresses
        "securityContext": {
            "runAsNonRoot": True,  # also enforced per container; here it covers future sidecars
            "seccompProfile": {"type": "RuntimeDefault"},  # same: syscall filter for every container
        },
        "topologySpreadConstraints": [
            {
                # Replicas spread over zones so one zone outage never takes the whole workload.
                "maxSkew": 1,
                "topologyKey": ZONE_KEY,
                "whenUnsatisfiable": "DoNotSchedule",
                "labelSelector": spread_selector,
                "matchLabelKeys": ["pod-template-hash"],  # count only the current rollout's pods
            },
            {
                "maxSkew": 1,
                "topologyKey": HOST_KEY,
                "whenUnsatisfiable": "ScheduleAnyway",
                "labelSelector": spread_selector,
                "matchLabelKeys": ["pod-template-hash"],
            },
        ],
        "containers": [
            {
                "name": workload.name,
                "image": workload.image,
                "ports": [{"name": "http", "containerPort": workload.port, "protocol": "TCP"}],
                "envFrom": [{"configMapRef": {"name": config_map}}],
                "resources": {
                    "requests": {"cpu": workload.cpu_request, "memory": workload.memory_request},
                    "limits": {"cpu": workload.cpu_limit, "memory": workload.memory_limit},
                },
                "securityContext": container_security_context(),
                "startupProbe": {"tcpSocket": {"port": "http"}, "periodSeconds": 5, "failureThreshold": 24},
                "readinessProbe": {"tcpSocket": {"port": "http"}, "periodSeconds": 10, "failureThreshold": 3},
                "livenessProbe": {"tcpSocket": {"port": "http"}, "periodSeconds": 20, "failureThreshold": 3},
                "volumeMounts": [{"name": TMP_VOLUME, "mountPath": "/tmp"}],
            }
        ],
        # Writable scratch space, bounded, since the root filesystem is read-only.
        "volumes": [{"name": TMP_VOLUME, "emptyDir": {"sizeLimit": "256Mi"}}],
    }


def deployment_spec(spec: AnyTenant, pod: Manifest, config_hash_value: str) -> Manifest:
    selector = selector_labels(spec)
    return {
        # The autoscaler owns the count afterwards; this is the count the Deployment starts with.
        "replicas": spec.config.autoscaling.min_replicas,
        "revisionHistoryLimit": 5,
        "selector": {"matchLabels": selector},
        # Roll out without ever dropping below the serving count.
        "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0, "maxSurge": "25%"}},
        "template": {
            "metadata": {
                "labels": {**k8s_labels(spec), **selector},
                "annotations": {ANNOTATION_PERFORMANCE: config_hash_value},
            },
            "spec": pod,
        },
    }


def service_spec(spec: AnyTenant) -> Manifest:
    return {
        "type": "ClusterIP",  # in-cluster only; exposure goes through the platform's ingress
        "selector": selector_labels(spec),
        "ports": [{"name": "http", "port": spec.config.workload.port, "targetPort": "http", "protocol": "TCP"}],
    }


def pdb_spec(spec: AnyTenant) -> Manifest:
    return {
        # One pod at a time during node drains; unlike minAvailable it never blocks a one-replica drain.
        "maxUnavailable": 1,
        "selector": {"matchLabels": selector_labels(spec)},
        # Crash-looping pods must not hold a node drain hostage.
        "unhealthyPodEvictionPolicy": "AlwaysAllow",
    }


def build_workload(
    name: str,
    spec: AnyTenant,
    namespace: pulumi.Input[str],
    service_account: pulumi.Input[str],
    autoscaling: tuple[str, str],
    opts: pulumi.ResourceOptions,
) -> k8s.apps.v1.Deployment:
    """ConfigMap, Deployment, Service and PDB; returns the Deployment the autoscaler targets."""
    workload = spec.config.workload
    mode, reason = autoscaling

    data = performance_data(spec)
    config_map = k8s.core.v1.ConfigMap(
        f"{name}-performance",
        metadata=object_meta(f"{workload.name}-performance", namespace, spec),
        data=data,
        opts=opts,
    )
    deployment = k8s.apps.v1.Deployment(
        f"{name}-deployment",
        metadata=object_meta(
            workload.name,
            namespace,
            spec,
            selector_labels(spec),
            annotations={ANNOTATION_MODE: mode, ANNOTATION_REASON: reason},
        ),
        spec=deployment_spec(spec, pod_spec(spec, service_account, config_map.metadata.name), config_hash(data)),
        # Re-applying the program must not reset what the autoscaler decided.
        opts=pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(ignore_changes=["spec.replicas"]))
        if mode != "disabled"
        else opts,
    )
    k8s.core.v1.Service(
        f"{name}-service", metadata=object_meta(workload.name, namespace, spec), spec=service_spec(spec), opts=opts
    )
    k8s.policy.v1.PodDisruptionBudget(
        f"{name}-pdb", metadata=object_meta(workload.name, namespace, spec), spec=pdb_spec(spec), opts=opts
    )
    return deployment
