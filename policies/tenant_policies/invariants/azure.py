"""Invariants of the azure resources the components render (see the package docstring).

Types are engine types with the API version stripped. Inline node pools (``agentPoolProfiles``)
and separate ``AgentPool`` resources carry the same rows: a weakened pool is refused either way.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from . import Drop, Invariant, Set, Unset

AKS = "azure-native:containerservice:ManagedCluster"
POOL = "azure-native:containerservice:AgentPool"
DES = "azure-native:compute:DiskEncryptionSet"
VAULT = "azure-native:keyvault:Vault"
KEY = "azure-native:keyvault:Key"
REDIS = "azure-native:redisenterprise:RedisEnterprise"
REDIS_DB = "azure-native:redisenterprise:Database"
PG = "azure-native:dbforpostgresql:Server"
PG_CONFIG = "azure-native:dbforpostgresql:Configuration"
WORKSPACE = "azure-native:operationalinsights:Workspace"
LOG_CLUSTER = "azure-native:operationalinsights:Cluster"
NSG = "azure-native:network:NetworkSecurityGroup"
SUBNET = "azure-native:network:Subnet"
DIAGNOSTICS = "azure-native:monitor:DiagnosticSetting"
ROLE_ASSIGNMENT = "azure-native:authorization:RoleAssignment"
STORAGE = "azure-native:storage:StorageAccount"
BLOB_SERVICE = "azure-native:storage:BlobServiceProperties"
STORAGE_LIFECYCLE = "azure-native:storage:ManagementPolicy"
ENDPOINT = "azure-native:network:PrivateEndpoint"
OWNER = (
    "/subscriptions/00000000-0000-0000-0000-000000000000/providers/Microsoft.Authorization/roleDefinitions/"
    "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"
)


def _setting(name: str) -> Any:
    """PostgreSQL server parameters are one Configuration resource each."""

    def where(props: Mapping[str, Any]) -> bool:
        return props.get("configurationName") == name

    return where


def _geo_backup(props: Mapping[str, Any]) -> bool:
    backup = props.get("backup")
    return isinstance(backup, Mapping) and backup.get("geoRedundantBackup") == "Enabled"


def _blob_endpoint(props: Mapping[str, Any]) -> bool:
    return any("blob" in (c.get("groupIds") or []) for c in props.get("privateLinkServiceConnections") or [])


def _blob_diagnostics(props: Mapping[str, Any]) -> bool:
    return "/blobServices/" in str(props.get("resourceUri") or "")


def _rules(props: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [r for r in props.get("securityRules") or [] if isinstance(r, Mapping)]


def _has_allow(props: Mapping[str, Any]) -> bool:
    return any(r.get("access") == "Allow" for r in _rules(props))


def _denies_internet(props: Mapping[str, Any]) -> bool:
    return any(r.get("access") == "Deny" and r.get("sourceAddressPrefix") in ("Internet", "*") for r in _rules(props))


def _aks_audit(props: Mapping[str, Any]) -> bool:
    logs = [log for log in props.get("logs") or [] if isinstance(log, Mapping)]
    return any(str(log.get("category", "")).startswith("kube-audit") for log in logs)


def _vault_audit(props: Mapping[str, Any]) -> bool:
    return "/vaults/" in str(props.get("resourceUri") or "")


def _pool_rows(type_: str, prefix: str) -> list[Invariant]:
    return [
        Invariant(
            type_,
            f"{prefix}enableEncryptionAtHost",
            "true",
            "azure-aks-nodepool-host-encryption",
            (Set(f"{prefix}enableEncryptionAtHost", False),),
            "temp disks and OS/data disk caches on the VM host stay unencrypted",
            ("CKV_AZURE_227",),
        ),
        Invariant(
            type_,
            f"{prefix}enableNodePublicIP",
            "false",
            "azure-aks-nodepool-no-public-ip",
            (Set(f"{prefix}enableNodePublicIP", True),),
            "every node gets an internet-reachable address, bypassing the NAT gateway and the private design",
            ("CKV_AZURE_143", "CIS AKS 5.4.3"),
        ),
        Invariant(
            type_,
            f"{prefix}vnetSubnetID",
            "the tenant's node subnet",
            "azure-aks-nodepool-subnet",
            (Unset(f"{prefix}vnetSubnetID"),),
            "nodes land in an AKS-created VNet without the tenant's NSG, NAT gateway or private endpoints",
        ),
    ]


ROWS: list[Invariant] = [
    # ------------------------------------------------------------ AKS cluster
    Invariant(
        AKS,
        "disableLocalAccounts",
        "true",
        "azure-aks-local-accounts-disabled",
        (Set("disableLocalAccounts", False),),
        "a static cluster-admin certificate (listClusterAdminCredential) that bypasses Entra ID and cannot be revoked per user",
        ("CKV_AZURE_141",),
    ),
    Invariant(
        AKS,
        "enableRBAC",
        "true",
        "azure-aks-rbac-enabled",
        (Set("enableRBAC", False),),
        "every authenticated identity is cluster-admin: no namespace boundary between tenants",
        ("CKV_AZURE_5",),
    ),
    Invariant(
        AKS,
        "aadProfile.managed",
        "true",
        "azure-aks-entra-id",
        (Set("aadProfile.managed", False),),
        "sign-in no longer goes through Entra ID (conditional access, MFA, group membership)",
        ("CIS AKS 5.5.1",),
    ),
    Invariant(
        AKS,
        "aadProfile.enableAzureRBAC",
        "true",
        "azure-aks-entra-id",
        (Set("aadProfile.enableAzureRBAC", False),),
        "authorization falls back to in-cluster bindings instead of audited Azure role assignments",
        ("CIS AKS 5.5.2",),
    ),
    Invariant(
        AKS,
        "networkProfile.networkPolicy",
        "cilium",
        "azure-aks-network-policy",
        (Set("networkProfile.networkPolicy", "none"),),
        "NetworkPolicies are accepted but not enforced: the tenant's default-deny does nothing",
        ("CKV_AZURE_7", "CIS AKS 5.4.4"),
    ),
    Invariant(
        AKS,
        "apiServerAccessProfile.enablePrivateCluster",
        "true",
        "azure-aks-private-cluster",
        (Set("apiServerAccessProfile.enablePrivateCluster", False),),
        "the API server gets a public endpoint reachable from the whole internet",
        ("CKV_AZURE_115", "CIS AKS 5.4.2"),
    ),
    Invariant(
        AKS,
        "apiServerAccessProfile.authorizedIPRanges",
        "absent (private cluster)",
        "azure-aks-private-cluster",
        (Set("apiServerAccessProfile.authorizedIPRanges", ["0.0.0.0/0"]),),
        "the API server admits every source address",
        ("CKV_AZURE_6", "CIS AKS 5.4.1"),
    ),
    Invariant(
        AKS,
        "publicNetworkAccess",
        "Disabled",
        "azure-aks-public-network-access",
        (Set("publicNetworkAccess", "Enabled"),),
        "the cluster accepts traffic over a public network path",
        ("CIS AKS 5.4.2",),
    ),
    Invariant(
        AKS,
        "apiServerAccessProfile.enablePrivateClusterPublicFQDN",
        "false",
        "azure-aks-private-fqdn",
        (Set("apiServerAccessProfile.enablePrivateClusterPublicFQDN", True),),
        "a public DNS record discloses the private API server's name and address",
        ("CIS AKS 5.4.2",),
    ),
    Invariant(
        AKS,
        "apiServerAccessProfile.disableRunCommand",
        "true",
        "azure-aks-run-command-disabled",
        (Set("apiServerAccessProfile.disableRunCommand", False),),
        "kubectl commands through the Azure API, around the private network boundary",
    ),
    Invariant(
        AKS,
        "addonProfiles.azurepolicy.enabled",
        "true",
        "azure-aks-azure-policy-addon",
        (Set("addonProfiles.azurepolicy.enabled", False),),
        "no admission-time enforcement of the Azure Policy initiatives on pods",
        ("CKV_AZURE_116",),
    ),
    Invariant(
        AKS,
        "addonProfiles.omsagent.enabled",
        "true",
        "azure-aks-container-insights",
        (Set("addonProfiles.omsagent.enabled", False),),
        "container and node logs never reach the tenant's workspace",
        ("CKV_AZURE_4",),
    ),
    Invariant(
        AKS,
        "addonProfiles.omsagent.config.useAADAuth",
        '"true"',
        "azure-aks-container-insights",
        (Set("addonProfiles.omsagent.config.useAADAuth", "false"),),
        "the agent authenticates with the workspace's shared key instead of its managed identity",
    ),
    Invariant(
        AKS,
        "securityProfile.workloadIdentity.enabled",
        "true",
        "azure-aks-workload-identity",
        (Set("securityProfile.workloadIdentity.enabled", False),),
        "pods need stored credentials to reach Azure services",
    ),
    Invariant(
        AKS,
        "oidcIssuerProfile.enabled",
        "true",
        "azure-aks-workload-identity",
        (Set("oidcIssuerProfile.enabled", False),),
        "no OIDC issuer: the federated credentials of workload identity cannot be trusted",
    ),
    Invariant(
        AKS,
        "securityProfile.azureKeyVaultKms.enabled",
        "true",
        "azure-aks-secrets-encryption",
        (Set("securityProfile.azureKeyVaultKms.enabled", False),),
        "Kubernetes Secrets in etcd encrypted with a platform key only, outside the tenant's control",
        ("CIS AKS 5.3.1",),
    ),
    Invariant(
        AKS,
        "securityProfile.azureKeyVaultKms.keyId",
        "the tenant key's versioned URI",
        "azure-aks-secrets-encryption",
        (Unset("securityProfile.azureKeyVaultKms.keyId"),),
        "no tenant key wraps the etcd encryption key",
        ("CIS AKS 5.3.1",),
    ),
    Invariant(
        AKS,
        "securityProfile.azureKeyVaultKms.keyVaultNetworkAccess",
        "Private",
        "azure-aks-kms-private-vault",
        (Set("securityProfile.azureKeyVaultKms.keyVaultNetworkAccess", "Public"),),
        "the API server reaches the tenant vault over its public endpoint, which must then be opened",
    ),
    Invariant(
        AKS,
        "securityProfile.imageCleaner.enabled",
        "true",
        "azure-aks-image-cleaner",
        (Set("securityProfile.imageCleaner.enabled", False),),
        "unused images with known vulnerabilities stay on the nodes",
    ),
    Invariant(
        AKS,
        "autoUpgradeProfile.upgradeChannel",
        "patch",
        "azure-aks-auto-upgrade",
        (Set("autoUpgradeProfile.upgradeChannel", "none"),),
        "Kubernetes patch releases with security fixes are never applied",
        ("CKV_AZURE_171",),
    ),
    Invariant(
        AKS,
        "autoUpgradeProfile.nodeOSUpgradeChannel",
        "NodeImage",
        "azure-aks-auto-upgrade",
        (Set("autoUpgradeProfile.nodeOSUpgradeChannel", "None"),),
        "node OS security patches are never applied",
    ),
    Invariant(
        AKS,
        "identity.type",
        "UserAssigned",
        "azure-aks-managed-identity",
        (Unset("identity"),),
        "a service principal with a client secret that must be stored and rotated by hand",
        ("CIS AKS 5.2.1",),
    ),
    Invariant(
        AKS,
        "diskEncryptionSetID",
        "the tenant's disk encryption set",
        "azure-aks-disk-encryption",
        (Unset("diskEncryptionSetID"),),
        "node OS disks encrypted with a platform key only",
        ("CKV_AZURE_117",),
    ),
    *_pool_rows(AKS, "agentPoolProfiles.*."),
    Invariant(
        AKS,
        "agentPoolProfiles.*.nodeTaints",
        "[CriticalAddonsOnly=true:NoSchedule]",
        "azure-aks-system-pool-taint",
        (Unset("agentPoolProfiles.*.nodeTaints"),),
        "tenant pods scheduled beside CoreDNS, konnectivity and the CSI drivers on the system nodes",
        ("CKV_AZURE_232",),
    ),
    Invariant(
        DIAGNOSTICS,
        "logs",
        "kube-audit and kube-audit-admin enabled",
        "azure-aks-audit-logs",
        (Drop(),),
        "no audit trail of the API server's requests",
        where=_aks_audit,
    ),
    # ------------------------------------------------------------ AKS user pool
    *_pool_rows(POOL, ""),
    # ------------------------------------------------------------ disk encryption set
    Invariant(
        DES,
        "rotationToLatestKeyVersionEnabled",
        "true",
        "azure-compute-disk-encryption-set-cmk",
        (Set("rotationToLatestKeyVersionEnabled", False),),
        "disks stay on the old key version after the tenant key rotates",
    ),
    Invariant(
        DES,
        "activeKey.keyUrl",
        "the tenant key's versioned URI",
        "azure-compute-disk-encryption-set-cmk",
        (Unset("activeKey"),),
        "no tenant key encrypts the node disks",
    ),
    Invariant(
        DES,
        "encryptionType",
        "EncryptionAtRestWithCustomerKey",
        "azure-compute-disk-encryption-set-cmk",
        (Set("encryptionType", "EncryptionAtRestWithPlatformKey"),),
        "disks encrypted with a platform key: no crypto-shredding by the tenant",
    ),
    # ------------------------------------------------------------ Key Vault
    Invariant(
        VAULT,
        "properties.enablePurgeProtection",
        "true",
        "azure-keyvault-purge-protection",
        (Set("properties.enablePurgeProtection", False),),
        "a deleted vault and the tenant key can be purged at once: every CMK-encrypted service loses its data",
        ("CKV_AZURE_110", "CKV_AZURE_42", "CIS Azure 8.5"),
    ),
    Invariant(
        VAULT,
        "properties.enableSoftDelete",
        "true",
        "azure-keyvault-soft-delete",
        (Set("properties.enableSoftDelete", False),),
        "a deleted key is gone immediately",
        ("CKV_AZURE_111", "CKV_AZURE_42", "CIS Azure 8.5"),
    ),
    Invariant(
        VAULT,
        "properties.softDeleteRetentionInDays",
        "90",
        "azure-keyvault-soft-delete",
        (Set("properties.softDeleteRetentionInDays", 7),),
        "a week to notice a deleted key before it is purged",
        ("CIS Azure 8.5",),
    ),
    Invariant(
        VAULT,
        "properties.enableRbacAuthorization",
        "true",
        "azure-keyvault-rbac-authorization",
        (Set("properties.enableRbacAuthorization", False),),
        "vault access policies: grants outside Azure RBAC, invisible to role-assignment reviews",
        ("CIS Azure 8.6",),
    ),
    Invariant(
        VAULT,
        "properties.publicNetworkAccess",
        "Disabled",
        "azure-keyvault-no-public-access",
        (Set("properties.publicNetworkAccess", "Enabled"), Unset("properties.networkAcls")),
        "the vault's public endpoint accepts requests from any network",
        ("CKV_AZURE_189", "CIS Azure 8.7"),
    ),
    Invariant(
        VAULT,
        "properties.networkAcls.defaultAction",
        "Deny",
        "azure-keyvault-no-public-access",
        (Unset("properties.publicNetworkAccess"), Set("properties.networkAcls.defaultAction", "Allow")),
        "the vault firewall admits every network",
        ("CKV_AZURE_109",),
    ),
    *(
        Invariant(
            VAULT,
            f"properties.{flag}",
            "false",
            "azure-keyvault-no-resource-retrieval",
            (Set(f"properties.{flag}", True),),
            "VMs or ARM deployments may read the vault's secrets outside Azure RBAC",
        )
        for flag in ("enabledForDeployment", "enabledForTemplateDeployment", "enabledForDiskEncryption")
    ),
    Invariant(
        DIAGNOSTICS,
        "logs",
        "categoryGroup audit enabled",
        "azure-keyvault-audit-logs",
        (Set("logs.*.enabled", False),),
        "no record of who used, or was refused, the tenant key",
        ("CIS Azure 5.1.5",),
        where=_vault_audit,
    ),
    # ------------------------------------------------------------ Key Vault key
    Invariant(
        KEY,
        "properties.kty",
        "RSA-HSM",
        "azure-keyvault-key-hsm",
        (Set("properties.kty", "RSA"),),
        "a software-protected key whose material leaves no HSM boundary",
        ("CKV_AZURE_112",),
    ),
    Invariant(
        KEY,
        "properties.keySize",
        "3072",
        "azure-keyvault-key-size",
        (Set("properties.keySize", 2048),),
        "a key-encryption key below the platform's strength",
    ),
    Invariant(
        KEY,
        "properties.rotationPolicy.lifetimeActions",
        "rotate 90 days after creation",
        "azure-keyvault-key-rotation",
        (Unset("properties.rotationPolicy.lifetimeActions"),),
        "the key is never rotated",
        ("CIS Azure 8.8",),
    ),
    Invariant(
        KEY,
        "properties.rotationPolicy.lifetimeActions.0.trigger.timeAfterCreate",
        "P90D",
        "azure-keyvault-key-rotation-period",
        (Set("properties.rotationPolicy.lifetimeActions.0.trigger.timeAfterCreate", "P3Y"),),
        "the key rotates so rarely that one version protects years of data",
        ("CIS Azure 8.8",),
    ),
    Invariant(
        KEY,
        "properties.rotationPolicy.attributes.expiryTime",
        "P2Y",
        "azure-keyvault-key-expiry",
        (Unset("properties.rotationPolicy.attributes"),),
        "key versions never expire",
        ("CKV_AZURE_40", "CIS Azure 8.1"),
    ),
    # ------------------------------------------------------------ Azure Managed Redis
    Invariant(
        REDIS,
        "minimumTlsVersion",
        "1.2",
        "azure-redis-tls",
        (Set("minimumTlsVersion", "1.0"),),
        "clients may negotiate TLS 1.0/1.1",
        ("CKV_AZURE_148",),
    ),
    Invariant(
        REDIS,
        "publicNetworkAccess",
        "Disabled",
        "azure-redis-no-public-access",
        (Set("publicNetworkAccess", "Enabled"),),
        "the cache is reachable from the internet, not only through its private endpoint",
        ("CKV_AZURE_89",),
    ),
    Invariant(
        REDIS,
        "encryption.customerManagedKeyEncryption.keyEncryptionKeyUrl",
        "the tenant key's versioned URI",
        "azure-redis-cmk-encryption",
        (Unset("encryption"),),
        "persistence and swap encrypted with a Microsoft-managed key",
    ),
    Invariant(
        REDIS_DB,
        "clientProtocol",
        "Encrypted",
        "azure-redis-tls",
        (Set("clientProtocol", "Plaintext"),),
        "a plaintext Redis listener",
        ("CKV_AZURE_91",),
    ),
    Invariant(
        REDIS_DB,
        "accessKeysAuthentication",
        "Disabled",
        "azure-redis-access-keys-disabled",
        (Set("accessKeysAuthentication", "Enabled"),),
        "shared access keys that grant full data access and are not tied to an identity",
    ),
    # ------------------------------------------------------------ PostgreSQL flexible server
    Invariant(
        PG,
        "network.publicNetworkAccess",
        "Disabled",
        "azure-postgresql-no-public-access",
        (Set("network.publicNetworkAccess", "Enabled"),),
        "the database accepts connections from public networks",
    ),
    Invariant(
        PG,
        "dataEncryption.type",
        "AzureKeyVault",
        "azure-postgresql-cmk-encryption",
        (Set("dataEncryption.type", "SystemManaged"),),
        "data, WAL and backups encrypted with a service-managed key",
    ),
    Invariant(
        PG,
        "dataEncryption.primaryKeyURI",
        "the tenant key's versioned URI",
        "azure-postgresql-cmk-encryption",
        (Unset("dataEncryption.primaryKeyURI"),),
        "no tenant key encrypts the server",
    ),
    Invariant(
        PG,
        "dataEncryption.geoBackupKeyURI",
        "the paired region's tenant key",
        "azure-postgresql-geo-backup-cmk",
        (Unset("dataEncryption.geoBackupKeyURI"),),
        "the geo-redundant backup copy is not encrypted with a tenant key",
        where=_geo_backup,
    ),
    Invariant(
        PG,
        "backup.geoRedundantBackup",
        "Enabled (enterprise tier, paired region)",
        "azure-postgresql-geo-redundant-backup",
        (Set("backup.geoRedundantBackup", "Disabled"),),
        "a regional outage loses every backup",
        ("CKV_AZURE_136",),
        where=_geo_backup,
    ),
    Invariant(
        PG,
        "backup.backupRetentionDays",
        "the tier's days (7 to 35)",
        "azure-postgresql-backup-enabled",
        (Set("backup.backupRetentionDays", 1),),
        "less than a week of point-in-time recovery",
    ),
    Invariant(
        PG,
        "authConfig.activeDirectoryAuth",
        "Enabled",
        "azure-postgresql-entra-auth",
        (Set("authConfig.activeDirectoryAuth", "Disabled"),),
        "only the password login: no per-identity, revocable database access",
    ),
    Invariant(
        PG_CONFIG,
        "value[require_secure_transport]",
        "ON",
        "azure-postgresql-tls",
        (Set("value", "OFF"),),
        "the server accepts unencrypted connections",
        ("CIS Azure 4.3.1",),
        where=_setting("require_secure_transport"),
    ),
    Invariant(
        PG_CONFIG,
        "value[ssl_min_protocol_version]",
        "TLSv1.2",
        "azure-postgresql-tls",
        (Set("value", "TLSv1"),),
        "clients may negotiate TLS 1.0",
        where=_setting("ssl_min_protocol_version"),
    ),
    Invariant(
        PG_CONFIG,
        "value[log_connections]",
        "ON",
        "azure-postgresql-connection-logging",
        (Set("value", "OFF"),),
        "no record of who connected to the database",
        ("CIS Azure 4.3.3",),
        where=_setting("log_connections"),
    ),
    Invariant(
        PG_CONFIG,
        "value[log_disconnections]",
        "ON",
        "azure-postgresql-connection-logging",
        (Set("value", "OFF"),),
        "no record of session ends and durations",
        ("CIS Azure 4.3.4",),
        where=_setting("log_disconnections"),
    ),
    # ------------------------------------------------------------ Log Analytics
    Invariant(
        WORKSPACE,
        "features.clusterResourceId",
        "the tenant's dedicated cluster",
        "azure-loganalytics-cmk-encryption",
        (Unset("features.clusterResourceId"),),
        "logs stored with a Microsoft-managed key in the shared service",
    ),
    Invariant(
        WORKSPACE,
        "features.disableLocalAuth",
        "true",
        "azure-loganalytics-local-auth-disabled",
        (Set("features.disableLocalAuth", False),),
        "workspace shared keys can ingest and query logs without an identity",
    ),
    Invariant(
        WORKSPACE,
        "features.enableLogAccessUsingOnlyResourcePermissions",
        "true",
        "azure-loganalytics-resource-permissions",
        (Set("features.enableLogAccessUsingOnlyResourcePermissions", False),),
        "workspace-wide read rights reveal every resource's logs",
    ),
    Invariant(
        WORKSPACE,
        "retentionInDays",
        "metrics_retention (30 to 730)",
        "azure-loganalytics-retention",
        (Set("retentionInDays", 1),),
        "audit logs gone before an incident is investigated",
    ),
    Invariant(
        LOG_CLUSTER,
        "keyVaultProperties.keyName",
        "tenant-key",
        "azure-loganalytics-cmk-encryption",
        (Unset("keyVaultProperties"),),
        "the dedicated cluster encrypts with a Microsoft-managed key",
    ),
    # ------------------------------------------------------------ network
    Invariant(
        NSG,
        "securityRules.*.sourceAddressPrefix",
        "VirtualNetwork",
        "azure-network-nsg-no-public-ingress",
        (Set("securityRules.*.sourceAddressPrefix", "Internet"),),
        "private endpoints and the database subnet reachable from the internet",
        ("CKV_AZURE_9", "CKV_AZURE_10", "CKV_AZURE_77", "CKV_AZURE_160", "CIS Azure 6.1", "CIS Azure 6.2"),
        where=_has_allow,
    ),
    Invariant(
        NSG,
        "securityRules.*.access",
        "Deny (internet inbound)",
        "azure-network-nsg-no-public-ingress",
        (Set("securityRules.*.access", "Allow"),),
        "the node subnet admits the internet on every port",
        ("CKV_AZURE_9", "CKV_AZURE_10", "CIS Azure 6.1", "CIS Azure 6.2"),
        where=_denies_internet,
    ),
    Invariant(
        SUBNET,
        "networkSecurityGroup.id",
        "the subnet's NSG",
        "azure-network-subnet-nsg",
        (Unset("networkSecurityGroup"),),
        "no filtering of inbound traffic to the subnet",
        ("CKV2_AZURE_31",),
    ),
    Invariant(
        SUBNET,
        "defaultOutboundAccess",
        "false",
        "azure-network-subnet-no-default-outbound",
        (Set("defaultOutboundAccess", True),),
        "implicit public egress around the NAT gateway",
    ),
    # ------------------------------------------------------------ role assignments
    Invariant(
        ROLE_ASSIGNMENT,
        "roleDefinitionId",
        "the narrowest built-in role (Key Vault Crypto Service Encryption User, Network Contributor, ...)",
        "azure-authorization-least-privilege",
        (Set("roleDefinitionId", OWNER),),
        "a workload identity that can grant itself any access in its scope",
    ),
    Invariant(
        ROLE_ASSIGNMENT,
        "scope",
        "the one vault or subnet",
        "azure-authorization-least-privilege",
        (Set("scope", "/subscriptions/00000000-0000-0000-0000-000000000000"),),
        "the identity's role applies to every resource of the subscription",
    ),
    # ------------------------------------------------------------- storage alerts (estate.py thresholds)
    Invariant(
        "azure-native:monitor:MetricAlert",
        "(exists)",
        "a storage_percent alert per PostgreSQL server",
        "azure-postgres-storage-alert",
        (Drop(),),
        "the database fills up and refuses writes with nobody paged",
        where=lambda p: any(c.get("metricName") == "storage_percent" for c in p.get("criteria", {}).get("allOf", [])),
    ),
    # ---------------------------------------------------------------- Storage account (object storage)
    Invariant(STORAGE, "encryption.keySource", "Microsoft.Keyvault", "azure-storage-cmk-encryption",
              (Set("encryption.keySource", "Microsoft.Storage"),), "blobs under a Microsoft-managed key: no tenant revocation",
              ("CKV2_AZURE_1",)),
    Invariant(STORAGE, "encryption.keyVaultProperties", "the tenant vault's URI and key name (versionless)",
              "azure-storage-cmk-encryption", (Unset("encryption.keyVaultProperties"),),
              "no customer key to encrypt with", ("CKV2_AZURE_1",)),
    Invariant(STORAGE, "encryption.encryptionIdentity", "the storage user-assigned identity",
              "azure-storage-cmk-encryption", (Unset("encryption.encryptionIdentity"),),
              "no identity may unwrap the tenant key: the account cannot be created or read", ("CKV2_AZURE_1",)),
    Invariant(STORAGE, "encryption.services", "blob, file, table and queue with keyType Account",
              "azure-storage-cmk-encryption", (Set("encryption.services.table.keyType", "Service"),),
              "tables under a Microsoft-managed key", ("CKV2_AZURE_1",)),
    Invariant(STORAGE, "encryption.requireInfrastructureEncryption", "true", "azure-storage-infrastructure-encryption",
              (Set("encryption.requireInfrastructureEncryption", False),),
              "one encryption layer: a flaw in it exposes every blob"),
    Invariant(STORAGE, "allowSharedKeyAccess", "false", "azure-storage-shared-key-disabled",
              (Unset("allowSharedKeyAccess"),), "an account key or any SAS signed with it opens every blob",
              ("CKV2_AZURE_40",)),
    Invariant(STORAGE, "allowBlobPublicAccess", "false", "azure-storage-no-public-blobs",
              (Set("allowBlobPublicAccess", True),), "a container can be made readable by anyone", ("CKV_AZURE_190",)),
    Invariant(STORAGE, "minimumTlsVersion", "TLS1_2", "azure-storage-tls-version", (Set("minimumTlsVersion", "TLS1_0"),),
              "clients negotiate TLS 1.0", ("CKV_AZURE_44",)),
    Invariant(STORAGE, "enableHttpsTrafficOnly", "true", "azure-storage-https-only",
              (Set("enableHttpsTrafficOnly", False),), "blobs read and written over plain HTTP", ("CKV_AZURE_3",)),
    Invariant(STORAGE, "publicNetworkAccess", "Disabled", "azure-storage-no-public-network",
              (Set("publicNetworkAccess", "Enabled"),), "the blob endpoint answers from the internet", ("CKV_AZURE_59",)),
    Invariant(STORAGE, "networkRuleSet", "defaultAction Deny, no bypass", "azure-storage-no-public-network",
              (Set("networkRuleSet.defaultAction", "Allow"),), "every network may reach the account once it is public",
              ("CKV_AZURE_35",)),
    Invariant(BLOB_SERVICE, "isVersioningEnabled", "true", "azure-storage-blob-recovery",
              (Set("isVersioningEnabled", False),), "an overwrite or a delete destroys the only copy"),
    Invariant(BLOB_SERVICE, "containerDeleteRetentionPolicy", "enabled, 7 days", "azure-storage-blob-recovery",
              (Unset("containerDeleteRetentionPolicy"),), "a deleted container takes every blob version with it",
              ("CKV2_AZURE_38",)),
    Invariant(STORAGE_LIFECYCLE, "policy.rules.*.definition.actions.version.delete.daysAfterCreationGreaterThan",
              "the tier's noncurrent_version_days", "azure-storage-noncurrent-version-expiry",
              (Unset("policy.rules.*.definition.actions.version"),),
              "previous versions are kept for ever: no erasure, an ever-growing bill"),
    *[
        Invariant(kind, "(exists)", "one per storage account", "azure-storage-account-controls", (Drop(),), why, checks,
                  where)
        for kind, why, checks, where in (
            (BLOB_SERVICE, "no versions to recover", (), None),
            (STORAGE_LIFECYCLE, "previous versions are never deleted", (), None),
            (ENDPOINT, "the workload has no private path to its blobs", ("CKV2_AZURE_33",), _blob_endpoint),
            (DIAGNOSTICS, "no record of who read or wrote which blob", ("CKV2_AZURE_21",), _blob_diagnostics),
        )
    ],
]
