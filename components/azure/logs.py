"""The Log Analytics workspace: control-plane, audit, network and data-service logs, kept for ``metrics_retention``.

Encrypted with the tenant's key: Log Analytics takes a customer-managed key only through a dedicated
cluster, so the workspace is linked to a cluster whose ``keyVaultProperties`` name the tenant key.
"""

from __future__ import annotations

from typing import TypedDict

import pulumi
import pulumi_azure_native as azure

from components.azure.common import child

# Dedicated clusters start at the 100 GB/day commitment tier (the smallest Azure offers).
CLUSTER_CAPACITY_GB_PER_DAY = 100


class LogWorkspaceArgs(TypedDict):
    resource_group_name: pulumi.Input[str]
    location: str
    retention_days: int
    cluster_name: str
    identity_id: pulumi.Input[str]  # user-assigned; holds Key Vault Crypto Service Encryption User on the vault
    key_vault_uri: pulumi.Input[str]
    key_name: pulumi.Input[str]
    key_grants: list[pulumi.Resource]  # the identity's role assignment must exist before the cluster wraps its key
    tags: dict[str, str]


class LogWorkspace(pulumi.ComponentResource):
    workspace_id: pulumi.Output[str]
    cluster_id: pulumi.Output[str]

    def __init__(self, name: str, args: LogWorkspaceArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("tenant-platform:azure:LogWorkspace", name, None, opts)
        rg, location, tags = args["resource_group_name"], args["location"], args["tags"]

        cluster = azure.operationalinsights.Cluster(  # type: ignore[call-overload]  # nested dict inputs
            f"{name}-cluster",
            resource_group_name=rg,
            location=location,
            cluster_name=args["cluster_name"],
            sku={"name": "CapacityReservation", "capacity": CLUSTER_CAPACITY_GB_PER_DAY},
            # The identity unwraps the tenant key; no shared or platform-managed key encrypts the logs.
            identity={"type": "UserAssigned", "user_assigned_identities": [args["identity_id"]]},
            # No key version: the cluster follows the key's rotation to the newest version.
            key_vault_properties={"key_vault_uri": args["key_vault_uri"], "key_name": args["key_name"]},
            is_availability_zones_enabled=True,
            billing_type="Cluster",
            tags=tags,
            opts=child(self, depends_on=args["key_grants"]),
        )
        workspace = azure.operationalinsights.Workspace(
            f"{name}-workspace",
            resource_group_name=rg,
            location=location,
            sku={"name": "PerGB2018"},
            retention_in_days=args["retention_days"],
            features={
                # Entra ID only: no shared workspace keys for ingestion or queries.
                "disable_local_auth": True,
                "enable_log_access_using_only_resource_permissions": True,
                # Data lands in the CMK-encrypted dedicated cluster.
                "cluster_resource_id": cluster.id,
            },
            tags=tags,
            opts=child(self),
        )
        # Azure links a workspace to its dedicated cluster through the "cluster" linked service.
        azure.operationalinsights.LinkedService(
            f"{name}-cluster-link",
            resource_group_name=rg,
            workspace_name=workspace.name,
            linked_service_name="cluster",
            write_access_resource_id=cluster.id,
            tags=tags,
            opts=child(self),
        )
        self.workspace_id = workspace.id
        self.cluster_id = cluster.id
        self.register_outputs({"workspaceId": self.workspace_id, "clusterId": self.cluster_id})
