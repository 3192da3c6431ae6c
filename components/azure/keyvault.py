"""The tenant's Key Vault and key: everything on Azure that takes a customer-managed key uses it."""

from __future__ import annotations

from typing import TypedDict

import pulumi
import pulumi_azure_native as azure

from components.azure.common import ClientConfig, child, private_endpoint, role_id


class KeyUser(TypedDict):
    label: str  # names the role assignment, e.g. "cluster-crypto"
    principal_id: pulumi.Input[str]
    role: str  # built-in role definition guid


class KeyVaultArgs(TypedDict):
    resource_group_name: pulumi.Input[str]
    location: str
    vault_name: str
    client: ClientConfig
    # Private endpoint subnet and DNS zone; None for a vault outside any VNet of ours (geo-backup region).
    endpoint_subnet_id: pulumi.Input[str] | None
    vault_zone_id: pulumi.Input[str] | None
    users: list[KeyUser]
    tags: dict[str, str]


class TenantKeyVault(pulumi.ComponentResource):
    vault_id: pulumi.Output[str]
    vault_uri: pulumi.Output[str]
    key_id: pulumi.Output[str]  # versioned key URI (AKS KMS, disk encryption set, PostgreSQL)
    key_uri: pulumi.Output[str]  # versionless
    key_name: pulumi.Output[str]
    grants: list[pulumi.Resource]

    def __init__(self, name: str, args: KeyVaultArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("tenant-platform:azure:TenantKeyVault", name, None, opts)
        rg, location, tags, client = args["resource_group_name"], args["location"], args["tags"], args["client"]

        vault = azure.keyvault.Vault(  # type: ignore[call-overload]  # nested dict inputs
            f"{name}-vault",
            resource_group_name=rg,
            location=location,
            vault_name=args["vault_name"],
            properties={
                "tenant_id": client.tenant_id,
                # Premium: the key lives in an HSM.
                "sku": {"family": "A", "name": "premium"},
                # Azure RBAC, not access policies: every grant is a role assignment, audited like any other.
                "enable_rbac_authorization": True,
                # A deleted vault or key stays recoverable for 90 days and cannot be purged early.
                "enable_soft_delete": True,
                "soft_delete_retention_in_days": 90,
                "enable_purge_protection": True,
                # No public endpoint: reachable through the private endpoint and by trusted Azure services only.
                "public_network_access": "Disabled",
                "network_acls": {"default_action": "Deny", "bypass": "AzureServices"},
                "enabled_for_deployment": False,
                "enabled_for_template_deployment": False,
                "enabled_for_disk_encryption": False,
            },
            tags=tags,
            opts=child(self),
        )

        key = azure.keyvault.Key(  # type: ignore[call-overload]  # nested dict inputs
            f"{name}-key",
            resource_group_name=rg,
            vault_name=vault.name,
            key_name="tenant-key",
            properties={
                # HSM-protected RSA key: the key-encryption key AKS KMS, managed disks and PostgreSQL all accept.
                "kty": "RSA-HSM",
                "key_size": 3072,
                "key_ops": ["wrapKey", "unwrapKey", "encrypt", "decrypt"],
                # Rotated yearly at most 90 days after creation; the services below follow the newest version.
                "rotation_policy": {
                    "attributes": {"expiry_time": "P2Y"},
                    "lifetime_actions": [
                        {"trigger": {"time_after_create": "P90D"}, "action": {"type": "rotate"}},
                        {"trigger": {"time_before_expiry": "P30D"}, "action": {"type": "notify"}},
                    ],
                },
            },
            tags=tags,
            opts=child(self),
        )

        if args["endpoint_subnet_id"] is not None:
            private_endpoint(
                name, self, resource_group_name=rg, location=location, subnet_id=args["endpoint_subnet_id"],
                target_id=vault.id, label="vault", group_id="vault", zone_id=args["vault_zone_id"], tags=tags,
            )

        # Least privilege: each identity gets the narrowest built-in role on this vault alone.
        self.grants = [
            azure.authorization.RoleAssignment(
                f"{name}-{user['label']}",
                scope=vault.id,
                principal_id=user["principal_id"],
                principal_type="ServicePrincipal",
                role_definition_id=role_id(client, user["role"]),
                opts=child(self),
            )
            for user in args["users"]
        ]

        self._name, self._vault = name, vault
        self.vault_id = vault.id
        self.vault_uri = vault.properties.vault_uri
        self.key_id = key.key_uri_with_version
        self.key_uri = key.key_uri
        self.key_name = key.name
        self.register_outputs({"vaultId": self.vault_id, "keyId": self.key_id})

    def send_logs_to(self, workspace_id: pulumi.Input[str]) -> None:
        """Every key operation (wrap, unwrap, rotate, access denied) to the workspace: the vault's audit trail.

        Separate from construction: the workspace's dedicated cluster encrypts with this vault's key.
        """
        azure.monitor.DiagnosticSetting(
            f"{self._name}-diagnostics",
            resource_uri=self._vault.id,
            workspace_id=workspace_id,
            logs=[{"category_group": "audit", "enabled": True}],
            opts=child(self),
        )
