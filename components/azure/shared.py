"""The shared regional AKS cluster pooled (``isolation_level: standard``) Azure tenants live on.

Its stack exports the outputs tenant stacks read through a StackReference (names as in
``tenantctl/placeholders.py``). Its resource group is ``<stack>-rg`` so that pooled tenants can
derive the VNet's private DNS zones from the stack name alone.
"""

from __future__ import annotations

import json
from typing import TypedDict

import pulumi
import pulumi_azure_native as azure
import pulumi_kubernetes as k8s

from components.azure.cluster import Cluster
from components.azure.common import (
    ROLE_KEY_VAULT_CONTRIBUTOR,
    ROLE_KEY_VAULT_CRYPTO_SERVICE_ENCRYPTION_USER,
    ROLE_KEY_VAULT_CRYPTO_USER,
    ZONE_VAULT,
    child,
    client_config,
    physical_name,
    shared_resource_group,
    shared_tags,
    vault_name,
)
from components.azure.keyvault import TenantKeyVault
from components.azure.logs import LogWorkspace
from components.azure.network import Network
from components.azure.slo import PrometheusCollection
from components.data_addresses import SHARED_VNET_CIDR
from components.kubernetes.addons.baseline import SHARED_LABELS, AddonBaseline

KUBERNETES_VERSION = "1.31"
# The shared user pool: general-purpose nodes, bounds sized for many small tenants.
SHARED_POOL = {"vm_size": "Standard_D8s_v5", "min_count": 3, "max_count": 30, "disk_size_gb": 128}
SHARED_LOG_DAYS = 90


def certificate_authority(kubeconfig: str) -> str:
    clusters = json.loads(kubeconfig).get("clusters") or [{}]
    return str(clusters[0].get("cluster", {}).get("certificate-authority-data", ""))


class SharedClusterArgs(TypedDict):
    region: str


class AzureSharedCluster(pulumi.ComponentResource):
    outputs: dict[str, pulumi.Input[object]]

    def __init__(self, name: str, args: SharedClusterArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("tenant-platform:azure:SharedCluster", name, None, opts)
        region = args["region"]
        tags = shared_tags(region)
        client = client_config(self)
        group = azure.resources.ResourceGroup(
            f"{name}-rg", resource_group_name=shared_resource_group(name), location=region, tags=tags, opts=child(self)
        )
        network = Network(
            f"{name}-network",
            {
                "resource_group_name": group.name,
                "location": region,
                "base_name": name,
                "cidr": SHARED_VNET_CIDR,
                "tags": tags,
                "pooled_data": True,  # pooled tenants' database and cache private endpoints, at static addresses
            },
            child(self),
        )
        identities = {
            suffix: azure.managedidentity.UserAssignedIdentity(
                f"{name}-{suffix}-identity",
                resource_group_name=group.name,
                location=region,
                resource_name_=physical_name(name, f"{suffix}-id", 128),
                tags=tags,
                opts=child(self),
            )
            for suffix in ("cluster", "disk", "logs")
        }
        vault = TenantKeyVault(
            f"{name}-kv",
            {
                "resource_group_name": group.name,
                "location": region,
                "vault_name": vault_name(name),
                "client": client,
                "endpoint_subnet_id": network.endpoint_subnet_id,
                "vault_zone_id": network.zone_ids[ZONE_VAULT],
                "users": [
                    {"label": "cluster-crypto", "principal_id": identities["cluster"].principal_id,
                     "role": ROLE_KEY_VAULT_CRYPTO_USER},
                    {"label": "cluster-vault", "principal_id": identities["cluster"].principal_id,
                     "role": ROLE_KEY_VAULT_CONTRIBUTOR},
                    {"label": "disk-crypto", "principal_id": identities["disk"].principal_id,
                     "role": ROLE_KEY_VAULT_CRYPTO_SERVICE_ENCRYPTION_USER},
                    {"label": "logs-crypto", "principal_id": identities["logs"].principal_id,
                     "role": ROLE_KEY_VAULT_CRYPTO_SERVICE_ENCRYPTION_USER},
                ],
                "tags": tags,
            },
            child(self),
        )
        # Created after the vault: the workspace's dedicated cluster encrypts with the shared stack's key.
        logs = LogWorkspace(
            f"{name}-logs",
            {
                "resource_group_name": group.name,
                "location": region,
                "retention_days": SHARED_LOG_DAYS,
                "cluster_name": physical_name(name, "logs", 63),
                "identity_id": identities["logs"].id,
                "key_vault_uri": vault.vault_uri,
                "key_name": vault.key_name,
                "key_grants": vault.grants,
                "tags": tags,
            },
            child(self),
        )
        network.send_logs_to(logs.workspace_id)
        vault.send_logs_to(logs.workspace_id)  # Key Vault audit events (CIS Azure 5.1.5)
        cluster = Cluster(
            f"{name}-cluster",
            {
                "resource_group_name": group.name,
                "location": region,
                "base_name": physical_name(name, "aks", 63),
                "client": client,
                "kubernetes_version": KUBERNETES_VERSION,
                "sku_tier": "Standard",  # many tenants depend on this control plane: uptime SLA
                "zones": 3,
                "node_subnet_id": network.node_subnet_id,
                "pod_cidr": "192.168.0.0/16",
                "service_cidr": "172.16.0.0/16",
                "identity_id": identities["cluster"].id,
                "identity_principal_id": identities["cluster"].principal_id,
                "des_identity_id": identities["disk"].id,
                "vault_id": vault.vault_id,
                "key_id": vault.key_id,
                "key_grants": vault.grants,
                "workspace_id": logs.workspace_id,
                "user_pool": SHARED_POOL,  # type: ignore[typeddict-item]
                "real_time": True,
                "tags": tags,
            },
            child(self),
        )
        # The shared cluster's managed Prometheus: pooled tenants' SLO rules run in this workspace, whose id
        # they derive from the stack name (azure/slo.py shared_workspace_name), like the private DNS zones.
        PrometheusCollection(
            f"{name}-prometheus",
            {"resource_group_name": group.name, "location": region, "base_name": name,
             "cluster_id": cluster.cluster_id, "tags": tags},
            child(self),
        )
        provider = k8s.Provider(
            f"{name}-k8s", kubeconfig=cluster.kubeconfig, enable_server_side_apply=True, opts=child(self)
        )
        AddonBaseline(f"{name}-addons", {
            "cloud": "azure", "kubernetes_version": KUBERNETES_VERSION, "silo": False,
            "cert_issuer": pulumi.Config("tenant-platform").get("certIssuer"), "labels": SHARED_LABELS,
            "real_time": True, "proxy_replicas": 3, "after": [cluster.user_pool],
        }, pulumi.ResourceOptions(parent=self, providers=[provider]))
        plan = network.layout
        self.outputs = {
            "cloud": "azure",
            "region": region,
            "networkId": network.vnet_id,
            "networkCidr": SHARED_VNET_CIDR,
            "privateSubnetIds": [network.node_subnet_id],
            "privateSubnetCidrs": [plan.nodes],
            "databaseSubnetId": network.database_subnet_id,
            "privateEndpointSubnetId": network.endpoint_subnet_id,
            "dataSubnetId": network.data_subnet_id,
            "clusterName": cluster.cluster_name,
            "clusterEndpoint": pulumi.Output.concat("https://", cluster.private_fqdn, ":443"),
            "clusterCertificateAuthority": cluster.kubeconfig.apply(certificate_authority),
            "oidcIssuerUrl": cluster.oidc_issuer_url,
            "kubeconfig": cluster.kubeconfig,
            "logWorkspaceId": logs.workspace_id,
        }
        self.register_outputs(dict(self.outputs))
