"""The GKE cluster: private nodes and endpoint, Dataplane V2, secrets encrypted with the tenant key, workload
identity, shielded nodes, no default pool; autoscaling system and workload pools with CMEK boot disks; logs."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, NotRequired, TypedDict

import pulumi
import pulumi_gcp as gcp

from components.gcp.common import Project, child, kubeconfig, physical_name, sa_member
from components.gcp.network import PODS_RANGE, SERVICES_RANGE

SYSTEM_MACHINE_TYPE = "e2-standard-4"  # system pool: kube-dns, konnectivity, metrics; sized apart from the tenant's nodes
# Least-privilege node identity: write logs and metrics, read images; nothing else.
NODE_ROLES = [
    "roles/logging.logWriter",
    "roles/monitoring.metricWriter",
    "roles/monitoring.viewer",
    "roles/stackdriver.resourceMetadata.writer",
    "roles/autoscaling.metricsWriter",
    "roles/artifactregistry.reader",
]
LOG_COMPONENTS = ["SYSTEM_COMPONENTS", "WORKLOADS", "APISERVER", "CONTROLLER_MANAGER", "SCHEDULER"]


class PoolSpec(TypedDict):
    machine_type: str
    min_nodes: int
    max_nodes: int
    disk_size_gb: int


class ClusterArgs(TypedDict):
    project: Project
    base_name: str
    kubernetes_version: str
    zones: int
    network_id: pulumi.Input[str]
    subnet_id: pulumi.Input[str]
    subnet_cidr: str
    master_cidr: str
    key_id: pulumi.Input[str]
    key_grants: list[pulumi.Resource]
    workload_pool: PoolSpec
    deletion_protection: bool
    # Latency-sensitive clusters keep headroom (BALANCED); others pack nodes tighter (OPTIMIZE_UTILIZATION).
    real_time: NotRequired[bool]
    labels: dict[str, str]


def _first_zones(count: int) -> Callable[[list[str]], list[str]]:
    return functools.partial(_first, count=count)


def _first(names: list[str], count: int) -> list[str]:
    return sorted(names)[:count]


def _or_empty(value: str | None) -> str:
    return value or ""


def _node_config(args: ClusterArgs, service_account: pulumi.Input[str], machine_type: str, disk_gb: int,
                 extra: dict[str, Any]) -> dict[str, Any]:
    return {
        "machine_type": machine_type,
        "disk_size_gb": disk_gb,
        "disk_type": "pd-balanced",
        "image_type": "COS_CONTAINERD",
        "boot_disk_kms_key": args["key_id"],  # boot disks encrypted with the tenant key
        "service_account": service_account,
        "oauth_scopes": ["https://www.googleapis.com/auth/cloud-platform"],  # IAM roles, not scopes, limit access
        # Secure boot and integrity monitoring: nodes boot only signed components.
        "shielded_instance_config": {"enable_secure_boot": True, "enable_integrity_monitoring": True},
        # GKE metadata server: pods see their workload identity, never the node's credentials.
        "workload_metadata_config": {"mode": "GKE_METADATA"},
        "metadata": {"disable-legacy-endpoints": "true"},
        # No unauthenticated kubelet read-only port (10255): it lists every pod's spec and env on the node.
        "kubelet_config": {"insecure_kubelet_readonly_port_enabled": "FALSE"},
        "labels": args["labels"],
        "resource_labels": args["labels"],
        **extra,
    }


class Cluster(pulumi.ComponentResource):
    cluster_name: pulumi.Output[str]
    endpoint: pulumi.Output[str]
    ca_certificate: pulumi.Output[str]
    kubeconfig: pulumi.Output[str]
    node_pools: list[gcp.container.NodePool]

    def __init__(self, name: str, args: ClusterArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("tenant-platform:gcp:Cluster", name, None, opts)
        proj, base = args["project"], args["base_name"]
        opts_ = child(self, proj.provider)

        nodes_sa = gcp.serviceaccount.Account(
            f"{name}-nodes-sa",
            account_id=_account_id(base, "nodes"),
            display_name=f"GKE nodes of {base}",
            project=proj.id,
            opts=opts_,
        )
        member = nodes_sa.email.apply(sa_member)
        for role in NODE_ROLES:
            gcp.projects.IAMMember(
                f"{name}-nodes-{role.split('/')[-1].replace('.', '-')}", project=proj.id, role=role, member=member,
                opts=opts_,
            )

        zones = gcp.compute.get_zones_output(
            region=proj.region, project=proj.id, status="UP",
            opts=pulumi.InvokeOutputOptions(provider=proj.provider, parent=self),
        ).names.apply(_first_zones(args["zones"]))

        cluster = gcp.container.Cluster(  # type: ignore[call-overload]  # nested dict inputs
            f"{name}-gke",
            name=base,
            project=proj.id,
            location=proj.region,  # regional control plane: replicated across zones
            node_locations=zones,
            network=args["network_id"],
            subnetwork=args["subnet_id"],
            networking_mode="VPC_NATIVE",
            ip_allocation_policy={
                "cluster_secondary_range_name": PODS_RANGE,
                "services_secondary_range_name": SERVICES_RANGE,
            },
            # The default pool is created and removed at once; the pools below carry the workload.
            remove_default_node_pool=True,
            initial_node_count=1,
            node_config=_node_config(args, nodes_sa.email, SYSTEM_MACHINE_TYPE, 50, {}),
            min_master_version=args["kubernetes_version"],
            release_channel={"channel": "REGULAR"},
            # Private nodes and a private-only control-plane endpoint.
            private_cluster_config={
                "enable_private_nodes": True,
                "enable_private_endpoint": True,
                "master_ipv4_cidr_block": args["master_cidr"],
                "master_global_access_config": {"enabled": False},
            },
            # Only the tenant's own subnet may reach the control plane; no Google public ranges.
            master_authorized_networks_config={
                "cidr_blocks": [{"cidr_block": args["subnet_cidr"], "display_name": "tenant-subnet"}],
                "gcp_public_cidrs_access_enabled": False,
            },
            # Dataplane V2 (eBPF): NetworkPolicy enforced.
            datapath_provider="ADVANCED_DATAPATH",
            # Kubernetes Secrets encrypted at the application layer with the tenant key.
            database_encryption={"state": "ENCRYPTED", "key_name": args["key_id"]},
            workload_identity_config={"workload_pool": f"{proj.id}.svc.id.goog"},
            enable_shielded_nodes=True,
            enable_legacy_abac=False,  # RBAC only
            master_auth={"client_certificate_config": {"issue_client_certificate": False}},  # no static credentials
            # Control-plane (API server: audit trail), system and workload logs; managed Prometheus for metrics.
            logging_config={"enable_components": LOG_COMPONENTS},
            monitoring_config={
                "enable_components": ["SYSTEM_COMPONENTS", "APISERVER", "SCHEDULER", "CONTROLLER_MANAGER"],
                "managed_prometheus": {"enabled": True},
            },
            security_posture_config={"mode": "BASIC", "vulnerability_mode": "VULNERABILITY_BASIC"},
            # GKE's VPA: the tenancy's VerticalPodAutoscaler objects need its CRD and recommender.
            vertical_pod_autoscaling={"enabled": True},
            # The node-pool autoscaler's profile (GKE exposes no expander or scale-down knobs beyond it):
            # BALANCED keeps spare nodes longer, OPTIMIZE_UTILIZATION removes under-used ones sooner and
            # prefers the cheapest fit. No node auto-provisioning: only the pools below, with their CMEK disks.
            cluster_autoscaling={
                "enabled": False,
                "autoscaling_profile": "BALANCED" if args.get("real_time", False) else "OPTIMIZE_UTILIZATION",
            },
            deletion_protection=args["deletion_protection"],
            resource_labels=args["labels"],
            opts=child(self, proj.provider, depends_on=args["key_grants"]),
        )

        pools = [
            ("system", SYSTEM_MACHINE_TYPE, args["zones"], args["zones"] * 2, 50,
             # Tenant workloads never land on the system pool.
             {"taints": [{"key": "components.gke.io/gke-managed-components", "value": "true",
                          "effect": "NO_SCHEDULE"}]}),
            ("workload", args["workload_pool"]["machine_type"], args["workload_pool"]["min_nodes"],
             args["workload_pool"]["max_nodes"], args["workload_pool"]["disk_size_gb"], {}),
        ]
        self.node_pools = [
            gcp.container.NodePool(  # type: ignore[call-overload]  # nested dict inputs
                f"{name}-{pool}-pool",
                name=pool,
                project=proj.id,
                location=proj.region,
                cluster=cluster.name,
                version=args["kubernetes_version"],
                initial_node_count=1,
                # Bounds are totals across zones, the same meaning as min_nodes/max_nodes in the spec.
                autoscaling={"total_min_node_count": low, "total_max_node_count": high, "location_policy": "BALANCED"},
                management={"auto_repair": True, "auto_upgrade": True},
                upgrade_settings={"max_surge": 1, "max_unavailable": 0},
                node_config=_node_config(args, nodes_sa.email, machine, disk, extra),
                opts=child(self, proj.provider, ignore_changes=["initialNodeCount"]),
            )
            for pool, machine, low, high, disk, extra in pools
        ]

        self.cluster_name = cluster.name
        self.endpoint = cluster.endpoint
        self.ca_certificate = cluster.master_auth.cluster_ca_certificate.apply(_or_empty)
        self.kubeconfig = pulumi.Output.secret(
            pulumi.Output.all(cluster.name, cluster.endpoint, self.ca_certificate).apply(kubeconfig)
        )
        self.register_outputs({"clusterName": self.cluster_name, "endpoint": self.endpoint})


def _account_id(base: str, suffix: str) -> str:
    """Service account ids: 6-30 characters, lowercase letters, digits and hyphens."""
    return physical_name(base, suffix, 30)
