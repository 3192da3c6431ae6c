"""The shared regional GKE cluster pooled (``isolation_level: standard``) GCP tenants live on.

Its stack exports the outputs tenant stacks read through a StackReference (names as in
``tenantctl/placeholders.py``).
"""

from __future__ import annotations

from typing import TypedDict

import pulumi
import pulumi_kubernetes as k8s

from components.gcp.cluster import Cluster
from components.gcp.common import child, project, shared_labels
from components.gcp.estate import SHARED_PRIVATE_SERVICES_CIDR
from components.gcp.kms import TenantKey
from components.gcp.network import Network
from components.kubernetes.addons.baseline import SHARED_LABELS, AddonBaseline

SHARED_NETWORK_CIDR = "10.102.0.0/16"  # tenantctl/placeholders.py shows the same range offline
SHARED_SUBNET_CIDR = "10.102.0.0/20"
SHARED_PODS_CIDR = "10.104.0.0/14"
SHARED_SERVICES_CIDR = "10.102.16.0/20"
SHARED_MASTER_CIDR = "172.16.0.16/28"
KUBERNETES_VERSION = "1.31"
SHARED_POOL = {"machine_type": "n2-standard-8", "min_nodes": 3, "max_nodes": 30, "disk_size_gb": 100}


class SharedClusterArgs(TypedDict):
    region: str


class GcpSharedCluster(pulumi.ComponentResource):
    outputs: dict[str, pulumi.Input[object]]

    def __init__(self, name: str, args: SharedClusterArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("tenant-platform:gcp:SharedCluster", name, None, opts)
        region = args["region"]
        labels = shared_labels(region)
        proj = project(name, region, labels, self)
        key = TenantKey(
            f"{name}-kms",
            {"project": proj, "ring_name": f"{name}-ring", "agents": ["container-engine-robot", "compute-system"],
             "members": [], "labels": labels},
            child(self, proj.provider),
        )
        network = Network(
            f"{name}-network",
            {"project": proj, "base_name": name, "subnet_cidr": SHARED_SUBNET_CIDR, "pods_cidr": SHARED_PODS_CIDR,
             "services_cidr": SHARED_SERVICES_CIDR, "private_services_cidr": SHARED_PRIVATE_SERVICES_CIDR,
             "labels": labels},
            child(self, proj.provider),
        )
        cluster = Cluster(
            f"{name}-cluster",
            {
                "project": proj,
                "base_name": name,
                "kubernetes_version": KUBERNETES_VERSION,
                "zones": 3,
                "network_id": network.network_id,
                "subnet_id": network.subnet_id,
                "subnet_cidr": SHARED_SUBNET_CIDR,
                "master_cidr": SHARED_MASTER_CIDR,
                "key_id": key.key_id,
                "key_grants": key.grants,
                "workload_pool": SHARED_POOL,  # type: ignore[typeddict-item]
                "deletion_protection": True,  # many tenants depend on it
                "real_time": True,  # many tenants' traffic: headroom over packing
                "labels": labels,
            },
            child(self, proj.provider),
        )
        provider = k8s.Provider(
            f"{name}-k8s", kubeconfig=cluster.kubeconfig, enable_server_side_apply=True,
            opts=pulumi.ResourceOptions(parent=self),
        )
        AddonBaseline(f"{name}-addons", {
            "cloud": "gcp", "kubernetes_version": KUBERNETES_VERSION, "silo": False,
            "cert_issuer": pulumi.Config("tenant-platform").get("certIssuer"), "labels": SHARED_LABELS,
            "real_time": True, "proxy_replicas": 3, "after": list(cluster.node_pools),
        }, pulumi.ResourceOptions(parent=self, providers=[provider]))
        self.outputs = {
            "cloud": "gcp",
            "region": region,
            "networkId": network.network_id,
            "networkCidr": SHARED_NETWORK_CIDR,
            "privateSubnetIds": [network.subnet_id],
            "privateSubnetCidrs": [SHARED_SUBNET_CIDR],
            "clusterName": cluster.cluster_name,
            "clusterEndpoint": pulumi.Output.concat("https://", cluster.endpoint),
            "clusterCertificateAuthority": cluster.ca_certificate,  # base64 PEM, as GKE returns it
            "kubeconfig": cluster.kubeconfig,
        }
        self.register_outputs(dict(self.outputs))
