"""The tenant's Azure Storage account: the tenant's Key Vault key, Entra ID only, no public path, TLS 1.2.

Encrypted with the tenant key through a user-assigned identity (versionless key URI: the account follows
the key's rotation), with infrastructure encryption as a second, platform-key layer underneath (free,
and it can only be chosen when the account is created). No shared keys or SAS, no anonymous blobs, no
public endpoint: the workload reaches the blob service through a private endpoint in the data subnet and
signs in with its workload identity, the only principal with a data role on the account.
"""

from __future__ import annotations

from typing import TypedDict

import pulumi
import pulumi_azure_native as azure

from components.azure.common import ClientConfig, child, private_endpoint, role_id

# Built-in role: read, write and delete blobs and containers; nothing on the account's configuration.
ROLE_STORAGE_BLOB_DATA_CONTRIBUTOR = "ba92f5b4-2d11-453d-a403-e96b0029c9fe"
# Zone-redundant: three copies in three zones of the tenant's region, none outside it (residency).
SKU = "Standard_ZRS"
# A deleted container (and every blob version in it) stays recoverable this long.
CONTAINER_SOFT_DELETE_DAYS = 7


class ObjectStorageArgs(TypedDict):
    resource_group_name: pulumi.Input[str]
    location: str
    account_name: str  # components.naming.bucket_name: checked for fleet-wide collisions
    client: ClientConfig
    identity_id: pulumi.Input[str]  # user-assigned; holds Key Vault Crypto Service Encryption User on the vault
    vault_uri: pulumi.Input[str]
    key_name: pulumi.Input[str]
    key_grants: list[pulumi.Resource]
    endpoint_subnet_id: pulumi.Input[str]
    blob_zone_id: pulumi.Input[str]
    workload_principal_id: pulumi.Input[str]  # the tenant workload's identity: the only data-plane principal
    noncurrent_version_days: int  # tenant_config.object_storage.noncurrent_version_days
    workspace_id: pulumi.Input[str]
    tags: dict[str, str]


class ObjectStorage(pulumi.ComponentResource):
    account_name: pulumi.Output[str]
    account_id: pulumi.Output[str]
    endpoint: azure.network.PrivateEndpoint

    def __init__(self, name: str, args: ObjectStorageArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("tenant-platform:azure:ObjectStorage", name, None, opts)
        rg, location, tags = args["resource_group_name"], args["location"], args["tags"]

        account = azure.storage.StorageAccount(  # type: ignore[call-overload]  # nested dict inputs
            f"{name}-account",
            resource_group_name=rg,
            location=location,
            account_name=args["account_name"],
            kind="StorageV2",
            sku={"name": SKU},
            access_tier="Hot",
            identity={"type": "UserAssigned", "user_assigned_identities": [args["identity_id"]]},
            encryption={
                "key_source": "Microsoft.Keyvault",
                "key_vault_properties": {"key_vault_uri": args["vault_uri"], "key_name": args["key_name"]},
                "encryption_identity": {"encryption_user_assigned_identity": args["identity_id"]},
                "require_infrastructure_encryption": True,
                # Tables and queues under the tenant key too, not only blobs and files.
                "services": {
                    "blob": {"enabled": True, "key_type": "Account"},
                    "file": {"enabled": True, "key_type": "Account"},
                    "table": {"enabled": True, "key_type": "Account"},
                    "queue": {"enabled": True, "key_type": "Account"},
                },
            },
            # Entra ID only: no account keys, hence no shared-key SAS either.
            allow_shared_key_access=False,
            default_to_o_auth_authentication=True,
            allow_blob_public_access=False,
            allow_cross_tenant_replication=False,
            # Copies only from accounts reached over private links of the same VNet.
            allowed_copy_scope="PrivateLink",
            minimum_tls_version="TLS1_2",
            enable_https_traffic_only=True,
            public_network_access="Disabled",
            network_rule_set={"default_action": "Deny", "bypass": "None"},
            is_local_user_enabled=False,
            is_sftp_enabled=False,
            tags=tags,
            opts=child(self, depends_on=args["key_grants"]),
        )
        azure.storage.BlobServiceProperties(
            f"{name}-blob-service",
            resource_group_name=rg,
            account_name=account.name,
            blob_services_name="default",
            # Every overwrite or delete keeps the previous version (expired by the rule below).
            is_versioning_enabled=True,
            container_delete_retention_policy={"enabled": True, "days": CONTAINER_SOFT_DELETE_DAYS},
            opts=child(self),
        )
        azure.storage.ManagementPolicy(
            f"{name}-lifecycle",
            resource_group_name=rg,
            account_name=account.name,
            management_policy_name="default",
            policy={
                "rules": [
                    {
                        "name": "expire-noncurrent-versions",
                        "type": "Lifecycle",
                        "enabled": True,
                        "definition": {
                            "filters": {"blob_types": ["blockBlob", "appendBlob"]},
                            # A previous version goes the tier's days after it was written.
                            "actions": {
                                "version": {"delete": {"days_after_creation_greater_than": args["noncurrent_version_days"]}}
                            },
                        },
                    }
                ]
            },
            opts=child(self),
        )
        self.endpoint = private_endpoint(
            name, self, resource_group_name=rg, location=location, subnet_id=args["endpoint_subnet_id"],
            target_id=account.id, label="blob", group_id="blob", zone_id=args["blob_zone_id"], tags=tags,
        )
        # Least privilege: blob data only, on this account only, for the workload identity only.
        azure.authorization.RoleAssignment(
            f"{name}-workload-blob-data",
            scope=account.id,
            principal_id=args["workload_principal_id"],
            principal_type="ServicePrincipal",
            role_definition_id=role_id(args["client"], ROLE_STORAGE_BLOB_DATA_CONTRIBUTOR),
            opts=child(self),
        )
        # Every read, write and delete on the blob service (and the refused ones) to the tenant's workspace.
        azure.monitor.DiagnosticSetting(
            f"{name}-blob-diagnostics",
            resource_uri=pulumi.Output.concat(account.id, "/blobServices/default"),
            workspace_id=args["workspace_id"],
            logs=[{"category_group": "allLogs", "enabled": True}],
            opts=child(self),
        )

        self.account_name = account.name
        self.account_id = account.id
        self.register_outputs({"accountName": self.account_name, "accountId": self.account_id})
