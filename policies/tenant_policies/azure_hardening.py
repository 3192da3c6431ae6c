"""Azure hardening beyond encryption and exposure: AKS identity and network policy, agent pools, Key Vault, Redis.

Every secure value ``components/azure`` hard-codes has a policy here or in the area modules
(encryption, transit, isolation, audit). A property that is absent means the provider's default;
where Azure's default is the insecure choice (local accounts on, no network policy, access keys on,
a public FQDN for a private API server) the policy fails, so a component must state the secure value.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

from pulumi_policy import ResourceValidationPolicy, Severity, StackValidationPolicy

from .base import (
    AUDIT,
    BACKUP,
    ENCRYPTION,
    KEY_MANAGEMENT,
    NETWORK,
    SEGREGATION,
    WORLD,
    Context,
    Controls,
    Meta,
    Resource,
    as_int,
    as_list,
    explicit_false,
    get,
    is_set,
    resource_policy,
    same_enum,
    stack_policy,
    string_list,
    truthy,
)

AKS = "azure-native:containerservice:ManagedCluster"
AGENT_POOL = "azure-native:containerservice:AgentPool"
VAULT = "azure-native:keyvault:Vault"
KEY = "azure-native:keyvault:Key"
REDIS_DATABASE = "azure-native:redisenterprise:Database"
REDIS_CLASSIC = "azure-native:redis:Redis"
PG_SERVER = "azure-native:dbforpostgresql:Server"
PG_CONFIGURATION = "azure-native:dbforpostgresql:Configuration"
WORKSPACE = "azure-native:operationalinsights:Workspace"
NSG = "azure-native:network:NetworkSecurityGroup"
NSG_RULE = "azure-native:network:SecurityRule"
SUBNET = "azure-native:network:Subnet"
DES = "azure-native:compute:DiskEncryptionSet"
ROLE_ASSIGNMENT = "azure-native:authorization:RoleAssignment"
DIAGNOSTICS = "azure-native:monitor:DiagnosticSetting"

IDENTITY = Controls(gdpr=("Art.32(1)(b)",), soc2=("CC6.1", "CC6.2", "CC6.3"), iso27001=("A.5.15", "A.5.17", "A.8.5"))
PRIVILEGE = Controls(gdpr=("Art.32(1)(b)",), soc2=("CC6.1", "CC6.3"), iso27001=("A.8.2", "A.8.18"))
PATCHING = Controls(gdpr=("Art.32(1)(b)",), soc2=("CC7.1", "CC8.1"), iso27001=("A.8.8",))
RECOVERY = Controls(gdpr=("Art.32(1)(c)",), soc2=("A1.2", "CC6.1"), iso27001=("A.8.13", "A.8.24"))

# Azure region pairs: geo-redundant backups go to the pair. Kept in the pack, not imported from the
# components: the pack runs in its own virtualenv with only requirements.txt installed.
PAIRED_REGIONS = (
    "westeurope",
    "northeurope",
    "francecentral",
    "germanywestcentral",
    "swedencentral",
    "eastus",
    "eastus2",
    "centralus",
    "westus2",
    "westus3",
    "canadacentral",
    "brazilsouth",
    "uksouth",
    "switzerlandnorth",
    "norwayeast",
    "japaneast",
    "australiaeast",
    "southeastasia",
    "centralindia",
    "koreacentral",
)
NETWORK_POLICIES = {"azure", "calico", "cilium"}
SYSTEM_TAINT = "CriticalAddonsOnly=true:NoSchedule"
HSM_KEY_TYPES = {"rsa-hsm", "ec-hsm", "oct-hsm"}
CUSTOMER_KEY_TYPES = {
    "encryptionatrestwithcustomerkey",
    "encryptionatrestwithplatformandcustomerkeys",
    "confidentialvmencryptedwithcustomerkey",
}
# Built-in roles that can change access or every resource in their scope (the same ids in every Entra tenant).
PRIVILEGED_ROLES = {
    "8e3af657-a8ff-443c-a75c-2fe8c4bcb635": "Owner",
    "b24988ac-6180-42a0-ab88-20f7382dd24c": "Contributor",
    "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9": "User Access Administrator",
    "00482a5a-887f-4fb3-b363-3b7fe8e74483": "Key Vault Administrator",
}
RESOURCE_SCOPE = re.compile(r"^/subscriptions/[^/]+/resourceGroups/[^/]+/providers/.+", re.IGNORECASE)
# Subnets Azure reserves for its own gateways; they refuse an NSG (or need Azure's own rules).
NSG_EXEMPT_SUBNETS = {"gatewaysubnet", "azurefirewallsubnet", "azurefirewallmanagementsubnet", "routeserversubnet"}
# Source prefixes meaning "anyone": the base list plus the bare any-address.
WORLD_SOURCES = {w.lower() for w in WORLD} | {"0.0.0.0", "0.0.0.0/0", "::/0", "::"}


def _meta(
    name: str,
    description: str,
    remediation: str,
    *,
    category: str = "isolation",
    controls: Controls = SEGREGATION,
    severity: Severity = Severity.HIGH,
    critical: bool = False,
    config: Mapping[str, dict[str, Any]] | None = None,
) -> Meta:
    return Meta(name, description, severity, remediation, controls, category, True, dict(config or {}), critical)


# ------------------------------------------------------------------ AKS cluster


def _aks_local_accounts(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    if not truthy(props.get("disableLocalAccounts")):
        yield "AKS cluster must disable local accounts (disableLocalAccounts: true)."


def _aks_rbac(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    if not truthy(props.get("enableRBAC")):
        yield "AKS cluster must enable Kubernetes RBAC (enableRBAC: true)."


def _aks_entra(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    profile = props.get("aadProfile")
    if not (truthy(get(profile, "managed")) and truthy(get(profile, "enableAzureRBAC"))):
        yield (
            "AKS cluster must authenticate with Entra ID and authorize with Azure RBAC "
            "(aadProfile.managed and enableAzureRBAC: true)."
        )


def _aks_network_policy(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    chosen = get(props, "networkProfile", "networkPolicy")
    if not (isinstance(chosen, str) and chosen.strip().lower() in NETWORK_POLICIES):
        yield "AKS cluster must enforce NetworkPolicy (networkProfile.networkPolicy: cilium, calico or azure)."


def _aks_public_network(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    if not same_enum(props.get("publicNetworkAccess"), "Disabled"):
        yield "AKS cluster must disable public network access (publicNetworkAccess: Disabled)."


def _aks_public_fqdn(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    profile = props.get("apiServerAccessProfile")
    # Azure publishes a public DNS name for a private API server unless told not to.
    if truthy(get(profile, "enablePrivateCluster")) and not explicit_false(get(profile, "enablePrivateClusterPublicFQDN")):
        yield "Private AKS cluster must not publish a public FQDN (apiServerAccessProfile.enablePrivateClusterPublicFQDN: false)."


def _aks_run_command(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    if not truthy(get(props, "apiServerAccessProfile", "disableRunCommand")):
        yield "AKS cluster must disable run command (apiServerAccessProfile.disableRunCommand: true)."


def _addon(props: Mapping[str, Any], name: str) -> Any:
    """An add-on profile by name; Azure accepts the key in any case (``azurepolicy``, ``azurePolicy``)."""
    profiles = props.get("addonProfiles")
    if not isinstance(profiles, Mapping):
        return None
    return next((v for k, v in profiles.items() if str(k).lower() == name), None)


def _aks_azure_policy(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    if not truthy(get(_addon(props, "azurepolicy"), "enabled")):
        yield "AKS cluster must run the Azure Policy add-on (addonProfiles.azurepolicy.enabled: true)."


def _aks_container_insights(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    agent = _addon(props, "omsagent")
    config = get(agent, "config")
    workspace = next((v for k, v in (config or {}).items() if str(k).lower() == "loganalyticsworkspaceresourceid"), None)
    aad = next((v for k, v in (config or {}).items() if str(k).lower() == "useaadauth"), None)
    if not (truthy(get(agent, "enabled")) and is_set(workspace) and truthy(aad)):
        yield (
            "AKS cluster must ship container logs to the tenant's workspace with Entra ID auth (addonProfiles.omsagent.enabled, "
            'config.logAnalyticsWorkspaceResourceID, useAADAuth: "true").'
        )


def _aks_workload_identity(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    if not (
        truthy(get(props, "securityProfile", "workloadIdentity", "enabled"))
        and truthy(get(props, "oidcIssuerProfile", "enabled"))
    ):
        yield (
            "AKS cluster must enable workload identity and its OIDC issuer "
            "(securityProfile.workloadIdentity.enabled and oidcIssuerProfile.enabled: true)."
        )


def _aks_kms_private(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    kms = get(props, "securityProfile", "azureKeyVaultKms")
    if not truthy(get(kms, "enabled")):
        return  # azure-aks-secrets-encryption refuses a cluster without KMS
    # Azure's default is Public: the API server would reach the tenant vault over its public endpoint.
    if not (same_enum(get(kms, "keyVaultNetworkAccess"), "Private") and is_set(get(kms, "keyVaultResourceId"))):
        yield (
            "AKS KMS must reach the tenant's vault privately "
            "(securityProfile.azureKeyVaultKms.keyVaultNetworkAccess: Private, keyVaultResourceId)."
        )


def _aks_image_cleaner(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    if not truthy(get(props, "securityProfile", "imageCleaner", "enabled")):
        yield "AKS cluster must remove unused, possibly vulnerable images (securityProfile.imageCleaner.enabled: true)."


def _aks_auto_upgrade(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    profile = props.get("autoUpgradeProfile")
    channel = get(profile, "upgradeChannel")
    node_os = get(profile, "nodeOSUpgradeChannel")
    if (
        not is_set(channel)
        or same_enum(channel, "none")
        or not is_set(node_os)
        or str(node_os).strip().lower() in {"none", "unmanaged"}
    ):
        yield (
            "AKS cluster must upgrade its control plane and node images automatically "
            "(autoUpgradeProfile.upgradeChannel and nodeOSUpgradeChannel not none)."
        )


def _aks_identity(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    kind = str(get(props, "identity", "type") or "")
    if kind.lower() not in {"userassigned", "systemassigned"} or is_set(get(props, "servicePrincipalProfile", "secret")):
        yield "AKS cluster must run as a managed identity, without a service principal secret (identity.type: UserAssigned)."


# ------------------------------------------------------------------ AKS node pools


def _pools(props: Mapping[str, Any], ctx: Context) -> Iterable[tuple[str, Mapping[str, Any], bool]]:
    """(name, pool, is a system pool) for every node pool the resource defines."""
    if ctx.resource_type == AGENT_POOL:
        name = str(props.get("agentPoolName") or props.get("name") or "?")
        yield name, props, same_enum(props.get("mode"), "System")
        return
    for pool in as_list(props.get("agentPoolProfiles")):
        if isinstance(pool, Mapping):
            # The cluster's inline pools are its system pools unless marked User.
            yield str(pool.get("name") or "?"), pool, not same_enum(pool.get("mode"), "User")


def _pool_host_encryption(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    for name, pool, _ in _pools(props, ctx):
        if not truthy(pool.get("enableEncryptionAtHost")):
            yield f"AKS node pool {name} must encrypt temp disks and caches on the host (enableEncryptionAtHost: true)."


def _pool_public_ip(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    for name, pool, _ in _pools(props, ctx):
        if truthy(pool.get("enableNodePublicIP")) or is_set(pool.get("nodePublicIPPrefixID")):
            yield f"AKS node pool {name} must not give nodes public IPs (enableNodePublicIP: false)."


def _pool_subnet(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    for name, pool, _ in _pools(props, ctx):
        if not is_set(pool.get("vnetSubnetID")):
            yield f"AKS node pool {name} must run in the tenant's node subnet (vnetSubnetID)."


def _pool_system_taint(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    for name, pool, system in _pools(props, ctx):
        if system and SYSTEM_TAINT not in [str(t).replace(" ", "") for t in as_list(pool.get("nodeTaints"))]:
            yield f"AKS system node pool {name} must keep tenant workloads off (nodeTaints: [{SYSTEM_TAINT}])."


# ------------------------------------------------------------------ Key Vault


def _vault(props: Mapping[str, Any]) -> Mapping[str, Any]:
    found = props.get("properties")
    return found if isinstance(found, Mapping) else {}


def _vault_purge_protection(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    if not truthy(_vault(props).get("enablePurgeProtection")):
        yield "Key Vault must enable purge protection (properties.enablePurgeProtection: true)."


def _vault_soft_delete(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    minimum = int(ctx.setting("minSoftDeleteRetentionDays", 90))
    vault = _vault(props)
    days = as_int(vault.get("softDeleteRetentionInDays"))
    days = 90 if days is None else days  # Azure's default retention
    # Soft delete is on unless switched off; Azure's default is true.
    if explicit_false(vault.get("enableSoftDelete")) or days < minimum:
        yield (
            f"Key Vault must keep deleted vaults and keys recoverable for at least {minimum} days "
            f"(properties.enableSoftDelete: true, softDeleteRetentionInDays ≥ {minimum})."
        )


def _vault_rbac(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    if not truthy(_vault(props).get("enableRbacAuthorization")):
        yield "Key Vault must authorize with Azure RBAC, not access policies (properties.enableRbacAuthorization: true)."


def _vault_public(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    vault = _vault(props)
    acls = vault.get("networkAcls")
    world_rules = [r for r in as_list(get(acls, "ipRules")) if str(get(r, "value") or r).strip().lower() in WORLD_SOURCES]
    default_deny = same_enum(get(acls, "defaultAction"), "Deny") and not world_rules
    if not (same_enum(vault.get("publicNetworkAccess"), "Disabled") or default_deny):
        yield (
            "Key Vault must not be reachable publicly (properties.publicNetworkAccess: Disabled, "
            "or networkAcls.defaultAction: Deny without 0.0.0.0/0)."
        )


def _vault_retrieval(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    vault = _vault(props)
    opened = [
        k for k in ("enabledForDeployment", "enabledForTemplateDeployment", "enabledForDiskEncryption") if truthy(vault.get(k))
    ]
    if opened:
        yield (
            "Key Vault must not let VMs or templates retrieve its secrets "
            "(properties.enabledForDeployment, enabledForTemplateDeployment, enabledForDiskEncryption: false)."
        )


def _vault_audit(resources: Sequence[Resource], ctx: Context) -> Iterator[tuple[str, str | None]]:
    settings = [r for r in resources if r.type == DIAGNOSTICS]
    for vault in (r for r in resources if r.type == VAULT):
        name = str(vault.props.get("vaultName") or "").lower()

        def attached(setting: Resource, vault: Resource = vault, name: str = name) -> bool:
            uri = str(setting.props.get("resourceUri") or "").rstrip("/").lower()
            return vault.urn in setting.dependencies or (bool(name) and uri.endswith(f"/vaults/{name}"))

        audited = any(
            truthy(get(log, "enabled"))
            and (get(log, "category") == "AuditEvent" or get(log, "categoryGroup") in {"audit", "allLogs"})
            for setting in settings
            if attached(setting)
            for log in as_list(setting.props.get("logs"))
        )
        if not audited:
            yield (
                f"Key Vault {vault.name} must send its audit events to the tenant's workspace "
                "(a diagnostic setting with category AuditEvent or categoryGroup audit).",
                vault.urn,
            )


def _key_hsm(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    if str(get(props, "properties", "kty") or "").strip().lower() not in HSM_KEY_TYPES:
        yield "Key Vault key must be HSM-protected (properties.kty: RSA-HSM or EC-HSM)."


def _key_size(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    minimum = int(ctx.setting("minRsaKeySize", 3072))
    kty = str(get(props, "properties", "kty") or "").strip().lower()
    if not kty.startswith("rsa"):
        return
    size = as_int(get(props, "properties", "keySize"))
    if (2048 if size is None else size) < minimum:  # Azure creates 2048-bit RSA keys by default
        yield f"Key Vault RSA key must be at least {minimum} bits (properties.keySize ≥ {minimum})."


def _key_expiry(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    properties = get(props, "properties")
    if not (
        is_set(get(properties, "rotationPolicy", "attributes", "expiryTime")) or is_set(get(properties, "attributes", "expires"))
    ):
        yield "Key Vault key must expire (properties.rotationPolicy.attributes.expiryTime or attributes.expires)."


_DURATION = re.compile(r"^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T.*)?$")


def iso_days(value: Any) -> int | None:
    """``P90D`` → 90, ``P1Y`` → 365, ``P3M`` → 90 (a month counts 30 days); None when not a duration."""
    match = _DURATION.match(str(value or "").strip().upper())
    if not match or not any(match.groups()):
        return None
    years, months, weeks, days = (int(g) if g else 0 for g in match.groups())
    return years * 365 + months * 30 + weeks * 7 + days


def _key_rotation_period(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    limit = int(ctx.setting("maxRotationDays", 90))
    policy = get(props, "properties", "rotationPolicy")
    expiry = iso_days(get(policy, "attributes", "expiryTime"))
    periods: list[int] = []
    rotations = [a for a in as_list(get(policy, "lifetimeActions")) if same_enum(get(a, "action", "type"), "rotate")]
    if not rotations:
        return  # azure-keyvault-key-rotation refuses a key without a rotate action
    for action in rotations:
        after = iso_days(get(action, "trigger", "timeAfterCreate"))
        before = iso_days(get(action, "trigger", "timeBeforeExpiry"))
        if after is not None:
            periods.append(after)
        elif before is not None and expiry is not None:
            periods.append(expiry - before)
    if not periods or min(periods) > limit:  # a rotate action whose period cannot be read proves nothing
        yield f"Key Vault key must rotate at least every {limit} days (a rotate action with timeAfterCreate ≤ P{limit}D)."


# ------------------------------------------------------------------ Redis


def _redis_access_keys(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    if ctx.resource_type == REDIS_CLASSIC:
        if not truthy(props.get("disableAccessKeyAuthentication")):
            yield "Azure Cache for Redis must turn access keys off and use Entra ID (disableAccessKeyAuthentication: true)."
        return
    if not same_enum(props.get("accessKeysAuthentication"), "Disabled"):
        yield "Redis Enterprise database must turn access keys off and use Entra ID (accessKeysAuthentication: Disabled)."


# ------------------------------------------------------------------ PostgreSQL


def _pg_entra(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    if not same_enum(get(props, "authConfig", "activeDirectoryAuth"), "Enabled"):
        yield "PostgreSQL flexible server must accept Entra ID authentication (authConfig.activeDirectoryAuth: Enabled)."


def _pg_backup_floor(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    minimum = int(ctx.setting("minBackupDays", 7))
    days = as_int(get(props, "backup", "backupRetentionDays"))
    if (7 if days is None else days) < minimum:  # Azure keeps 7 days unless told otherwise
        yield (
            f"PostgreSQL flexible server must keep automated backups for at least {minimum} days "
            f"(backup.backupRetentionDays ≥ {minimum})."
        )


def _pg_geo_backup(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    tiers = as_list(ctx.setting("geoBackupTiers", ["enterprise"]))
    regions = {str(r).lower() for r in as_list(ctx.setting("pairedRegions", list(PAIRED_REGIONS)))}
    region = str(props.get("location") or ctx.region or "").lower()
    if ctx.tier not in tiers or region not in regions:
        return
    if not same_enum(get(props, "backup", "geoRedundantBackup"), "Enabled"):
        yield (
            f"PostgreSQL flexible server must keep geo-redundant backups on the {ctx.tier} tier "
            "(backup.geoRedundantBackup: Enabled)."
        )


def _pg_geo_backup_key(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    if not same_enum(get(props, "backup", "geoRedundantBackup"), "Enabled"):
        return
    encryption = props.get("dataEncryption")
    if not (is_set(get(encryption, "geoBackupKeyURI")) and is_set(get(encryption, "geoBackupUserAssignedIdentityId"))):
        yield (
            "PostgreSQL geo-redundant backups must be encrypted with the tenant's key in the paired region "
            "(dataEncryption.geoBackupKeyURI, geoBackupUserAssignedIdentityId)."
        )


CONNECTION_LOGS = ("log_connections", "log_disconnections")


def _pg_connection_logs(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    name = str(props.get("configurationName") or "").strip().lower()
    if name in CONNECTION_LOGS and str(props.get("value") or "").strip().lower() not in {"on", "true", "1"}:
        yield f"PostgreSQL flexible server must keep {name} on."


# ------------------------------------------------------------------ Log Analytics


def _workspace_local_auth(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    if not truthy(get(props, "features", "disableLocalAuth")):
        yield "Log Analytics workspace must refuse shared keys and accept Entra ID only (features.disableLocalAuth: true)."


def _workspace_resource_permissions(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    if not truthy(get(props, "features", "enableLogAccessUsingOnlyResourcePermissions")):
        yield (
            "Log Analytics workspace must grant log access by resource permissions only "
            "(features.enableLogAccessUsingOnlyResourcePermissions: true)."
        )


# ------------------------------------------------------------------ network


def _ports(rule: Mapping[str, Any]) -> list[str]:
    return [
        str(p).strip() for p in [rule.get("destinationPortRange"), *as_list(rule.get("destinationPortRanges"))] if is_set(p)
    ] or ["*"]


def _opens(ports: list[str], allowed: list[int]) -> bool:
    """Does any destination port range reach beyond the allowed public ports?"""
    for port in ports:
        low, _, high = port.partition("-")
        first, last = as_int(low), as_int(high or low)
        if first is None or last is None or not (first == last and first in allowed):
            return True
    return False


def _nsg_rules(props: Mapping[str, Any], ctx: Context) -> list[Mapping[str, Any]]:
    if ctx.resource_type == NSG_RULE:
        return [props]
    return [r for r in as_list(props.get("securityRules")) if isinstance(r, Mapping)]


def _nsg_ingress(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    allowed = [int(p) for p in as_list(ctx.setting("publicPorts", []))]
    for rule in _nsg_rules(props, ctx):
        if not (same_enum(rule.get("direction"), "Inbound") and same_enum(rule.get("access"), "Allow")):
            continue
        sources = [rule.get("sourceAddressPrefix"), *as_list(rule.get("sourceAddressPrefixes"))]
        if any(str(s).strip().lower() in WORLD_SOURCES for s in sources if is_set(s)) and _opens(_ports(rule), allowed):
            yield (
                f"Network security group rule {rule.get('name') or '?'} must not allow inbound traffic from the internet "
                "(sourceAddressPrefix Internet, *, 0.0.0.0/0)."
            )


def _subnet_name(props: Mapping[str, Any]) -> str:
    return str(props.get("subnetName") or props.get("name") or "").lower()


def _subnet_nsg(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    if _subnet_name(props) in NSG_EXEMPT_SUBNETS:
        return
    if not is_set(get(props, "networkSecurityGroup", "id")):
        yield "Subnet must be protected by a network security group (networkSecurityGroup.id)."


def _subnet_outbound(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    if _subnet_name(props) in NSG_EXEMPT_SUBNETS:
        return
    # Azure gives VMs in a subnet implicit public egress unless defaultOutboundAccess is false.
    if not explicit_false(props.get("defaultOutboundAccess")):
        yield "Subnet must have no implicit public egress (defaultOutboundAccess: false)."


# ------------------------------------------------------------------ role assignments


def _role_least_privilege(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    role = str(props.get("roleDefinitionId") or "").rstrip("/").rsplit("/", 1)[-1].lower()
    if role in PRIVILEGED_ROLES:
        yield f"Role assignment must not grant the privileged role {PRIVILEGED_ROLES[role]} (roleDefinitionId)."
    scope = props.get("scope")
    # An unknown scope is a resource id still to be computed; a subscription or resource group is too wide.
    if isinstance(scope, str) and not RESOURCE_SCOPE.match(scope.strip()):
        yield "Role assignment must be scoped to a single resource, not a subscription or resource group (scope)."


# ------------------------------------------------------------------ disk encryption set


def _des(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    kind = str(props.get("encryptionType") or "EncryptionAtRestWithCustomerKey").lower()
    if (
        kind not in CUSTOMER_KEY_TYPES
        or not is_set(get(props, "activeKey", "keyUrl"))
        or not truthy(props.get("rotationToLatestKeyVersionEnabled"))
    ):
        yield (
            "Disk encryption set must encrypt with the tenant's key and follow its rotation "
            "(encryptionType with customer key, activeKey.keyUrl, rotationToLatestKeyVersionEnabled: true)."
        )


def _policy(
    meta: Meta, types: list[str], check: Callable[[Mapping[str, Any], Context], Iterator[str]]
) -> ResourceValidationPolicy:
    return resource_policy(meta, types, check)


PUBLIC_PORTS = {
    "type": "array",
    "items": {"type": "integer"},
    "default": [],
    "description": "Ports an NSG may open to the internet (none: Azure load balancers of AKS manage their own rules).",
}
AKS_FIX = "Restore the setting in components/azure/cluster.py (the cluster component sets it for every cluster)."
POOL_FIX = "Restore the setting in the node_common pool settings of components/azure/cluster.py."
VAULT_FIX = "Restore the setting in components/azure/keyvault.py (every tenant vault is created there)."
PG_FIX = "Restore the setting in components/azure/database.py."

POLICIES: list[ResourceValidationPolicy | StackValidationPolicy] = [
    # AKS cluster
    _policy(
        _meta(
            "azure-aks-local-accounts-disabled",
            "Checks that AKS clusters have no local admin account or static credential.",
            AKS_FIX,
            controls=IDENTITY,
        ),
        [AKS],
        _aks_local_accounts,
    ),
    _policy(
        _meta("azure-aks-rbac-enabled", "Checks that AKS clusters enforce Kubernetes RBAC.", AKS_FIX, controls=PRIVILEGE),
        [AKS],
        _aks_rbac,
    ),
    _policy(
        _meta(
            "azure-aks-entra-id",
            "Checks that AKS clusters authenticate with Entra ID and authorize with Azure RBAC.",
            AKS_FIX,
            controls=IDENTITY,
        ),
        [AKS],
        _aks_entra,
    ),
    _policy(
        _meta(
            "azure-aks-network-policy",
            "Checks that AKS clusters enforce Kubernetes NetworkPolicy.",
            AKS_FIX,
            controls=SEGREGATION,
        ),
        [AKS],
        _aks_network_policy,
    ),
    _policy(
        _meta(
            "azure-aks-public-network-access",
            "Checks that AKS clusters disable public network access to the API server.",
            AKS_FIX,
            controls=NETWORK,
            severity=Severity.CRITICAL,
            critical=True,
        ),
        [AKS],
        _aks_public_network,
    ),
    _policy(
        _meta(
            "azure-aks-private-fqdn",
            "Checks that private AKS clusters publish no public DNS name for the API server.",
            AKS_FIX,
            controls=NETWORK,
            severity=Severity.MEDIUM,
        ),
        [AKS],
        _aks_public_fqdn,
    ),
    _policy(
        _meta(
            "azure-aks-run-command-disabled",
            "Checks that AKS clusters disable run command, which bypasses the private API server through Azure.",
            AKS_FIX,
            controls=PRIVILEGE,
        ),
        [AKS],
        _aks_run_command,
    ),
    _policy(
        _meta(
            "azure-aks-azure-policy-addon",
            "Checks that AKS clusters run the Azure Policy add-on.",
            AKS_FIX,
            controls=PRIVILEGE,
            severity=Severity.MEDIUM,
        ),
        [AKS],
        _aks_azure_policy,
    ),
    _policy(
        _meta(
            "azure-aks-container-insights",
            "Checks that AKS clusters ship container logs to the tenant's workspace with Entra ID auth.",
            AKS_FIX,
            category="audit",
            controls=AUDIT,
            severity=Severity.MEDIUM,
        ),
        [AKS],
        _aks_container_insights,
    ),
    _policy(
        _meta(
            "azure-aks-workload-identity",
            "Checks that AKS clusters give pods workload identity instead of stored secrets.",
            AKS_FIX,
            controls=IDENTITY,
            severity=Severity.MEDIUM,
        ),
        [AKS],
        _aks_workload_identity,
    ),
    _policy(
        _meta(
            "azure-aks-kms-private-vault",
            "Checks that AKS KMS reaches the tenant's Key Vault over its private endpoint.",
            AKS_FIX,
            category="encryption",
            controls=KEY_MANAGEMENT,
        ),
        [AKS],
        _aks_kms_private,
    ),
    _policy(
        _meta(
            "azure-aks-image-cleaner",
            "Checks that AKS clusters remove unused images from their nodes.",
            AKS_FIX,
            controls=PATCHING,
            severity=Severity.LOW,
        ),
        [AKS],
        _aks_image_cleaner,
    ),
    _policy(
        _meta(
            "azure-aks-auto-upgrade",
            "Checks that AKS clusters patch their control plane and node images automatically.",
            AKS_FIX,
            controls=PATCHING,
            severity=Severity.MEDIUM,
        ),
        [AKS],
        _aks_auto_upgrade,
    ),
    _policy(
        _meta(
            "azure-aks-managed-identity",
            "Checks that AKS clusters run as a managed identity, not a service principal secret.",
            AKS_FIX,
            controls=IDENTITY,
            severity=Severity.MEDIUM,
        ),
        [AKS],
        _aks_identity,
    ),
    # AKS node pools (the cluster's inline pools and separate AgentPool resources)
    _policy(
        _meta(
            "azure-aks-nodepool-host-encryption",
            "Checks that AKS node pools encrypt temp disks and caches on the host.",
            POOL_FIX,
            category="encryption",
            controls=ENCRYPTION,
            critical=True,
        ),
        [AKS, AGENT_POOL],
        _pool_host_encryption,
    ),
    _policy(
        _meta(
            "azure-aks-nodepool-no-public-ip",
            "Checks that AKS nodes have no public IP addresses.",
            POOL_FIX,
            controls=NETWORK,
            severity=Severity.CRITICAL,
            critical=True,
        ),
        [AKS, AGENT_POOL],
        _pool_public_ip,
    ),
    _policy(
        _meta(
            "azure-aks-nodepool-subnet",
            "Checks that AKS node pools run in the tenant's NSG-protected node subnet.",
            POOL_FIX,
            controls=NETWORK,
            severity=Severity.MEDIUM,
        ),
        [AKS, AGENT_POOL],
        _pool_subnet,
    ),
    _policy(
        _meta(
            "azure-aks-system-pool-taint",
            "Checks that AKS system node pools keep tenant workloads off with the CriticalAddonsOnly taint.",
            POOL_FIX,
            controls=SEGREGATION,
            severity=Severity.MEDIUM,
        ),
        [AKS, AGENT_POOL],
        _pool_system_taint,
    ),
    # Key Vault
    _policy(
        _meta(
            "azure-keyvault-purge-protection",
            "Checks that Key Vaults cannot be purged before their retention ends.",
            VAULT_FIX,
            category="encryption",
            controls=RECOVERY,
        ),
        [VAULT],
        _vault_purge_protection,
    ),
    _policy(
        _meta(
            "azure-keyvault-soft-delete",
            "Checks that deleted Key Vaults and keys stay recoverable for the minimum retention.",
            VAULT_FIX,
            category="encryption",
            controls=RECOVERY,
            config={
                "minSoftDeleteRetentionDays": {
                    "type": "integer",
                    "minimum": 7,
                    "maximum": 90,
                    "default": 90,
                    "description": "Fewest days a deleted vault or key stays recoverable.",
                }
            },
        ),
        [VAULT],
        _vault_soft_delete,
    ),
    _policy(
        _meta(
            "azure-keyvault-rbac-authorization",
            "Checks that Key Vaults authorize with Azure RBAC, not access policies.",
            VAULT_FIX,
            controls=IDENTITY,
        ),
        [VAULT],
        _vault_rbac,
    ),
    _policy(
        _meta(
            "azure-keyvault-no-public-access",
            "Checks that Key Vaults are not reachable from public networks.",
            VAULT_FIX,
            controls=NETWORK,
            severity=Severity.CRITICAL,
            critical=True,
        ),
        [VAULT],
        _vault_public,
    ),
    _policy(
        _meta(
            "azure-keyvault-no-resource-retrieval",
            "Checks that Key Vaults let no VM or template deployment retrieve their secrets.",
            VAULT_FIX,
            controls=PRIVILEGE,
            severity=Severity.MEDIUM,
        ),
        [VAULT],
        _vault_retrieval,
    ),
    stack_policy(
        _meta(
            "azure-keyvault-audit-logs",
            "Checks that every Key Vault sends its audit events to a Log Analytics workspace.",
            "Call TenantKeyVault.send_logs_to with the tenant's workspace (components/azure/estate.py).",
            category="audit",
            controls=AUDIT,
        ),
        _vault_audit,
    ),
    _policy(
        _meta(
            "azure-keyvault-key-hsm",
            "Checks that Key Vault keys are HSM-protected.",
            VAULT_FIX,
            category="encryption",
            controls=KEY_MANAGEMENT,
        ),
        [KEY],
        _key_hsm,
    ),
    _policy(
        _meta(
            "azure-keyvault-key-size",
            "Checks that Key Vault RSA keys are at least the minimum size.",
            VAULT_FIX,
            category="encryption",
            controls=KEY_MANAGEMENT,
            config={
                "minRsaKeySize": {
                    "type": "integer",
                    "minimum": 2048,
                    "default": 3072,
                    "description": "Smallest RSA key size in bits.",
                }
            },
        ),
        [KEY],
        _key_size,
    ),
    _policy(
        _meta(
            "azure-keyvault-key-expiry",
            "Checks that Key Vault keys expire.",
            VAULT_FIX,
            category="encryption",
            controls=KEY_MANAGEMENT,
            severity=Severity.MEDIUM,
        ),
        [KEY],
        _key_expiry,
    ),
    _policy(
        _meta(
            "azure-keyvault-key-rotation-period",
            "Checks that Key Vault keys rotate within the limit.",
            VAULT_FIX,
            category="encryption",
            controls=KEY_MANAGEMENT,
            severity=Severity.MEDIUM,
            config={
                "maxRotationDays": {
                    "type": "integer",
                    "minimum": 1,
                    "default": 90,
                    "description": "Longest allowed rotation period in days.",
                }
            },
        ),
        [KEY],
        _key_rotation_period,
    ),
    # Redis
    _policy(
        _meta(
            "azure-redis-access-keys-disabled",
            "Checks that Azure Redis refuses access keys and authenticates with Entra ID.",
            "Set accessKeysAuthentication: Disabled in components/azure/cache.py.",
            controls=IDENTITY,
        ),
        [REDIS_DATABASE, REDIS_CLASSIC],
        _redis_access_keys,
    ),
    # PostgreSQL
    _policy(
        _meta(
            "azure-postgresql-entra-auth",
            "Checks that PostgreSQL flexible servers accept Entra ID authentication.",
            PG_FIX,
            controls=IDENTITY,
            severity=Severity.MEDIUM,
        ),
        [PG_SERVER],
        _pg_entra,
    ),
    _policy(
        _meta(
            "azure-postgresql-backup-enabled",
            "Checks that PostgreSQL flexible servers keep automated backups for the minimum days.",
            PG_FIX,
            category="resilience",
            controls=BACKUP,
            config={
                "minBackupDays": {
                    "type": "integer",
                    "minimum": 1,
                    "default": 7,
                    "description": "Fewest days of automated backups on any tier.",
                }
            },
        ),
        [PG_SERVER],
        _pg_backup_floor,
    ),
    _policy(
        _meta(
            "azure-postgresql-geo-redundant-backup",
            "Checks that PostgreSQL flexible servers keep geo-redundant backups on tiers that require them.",
            "Keep geo-redundant backup on (components/azure/estate.py GEO_BACKUP_TIERS).",
            category="resilience",
            controls=BACKUP,
            severity=Severity.MEDIUM,
            config={
                "geoBackupTiers": string_list(["enterprise"], "Tiers whose backups are also kept in the paired region."),
                "pairedRegions": string_list(
                    list(PAIRED_REGIONS), "Regions with an Azure pair (where geo-redundant backup exists)."
                ),
            },
        ),
        [PG_SERVER],
        _pg_geo_backup,
    ),
    _policy(
        _meta(
            "azure-postgresql-geo-backup-cmk",
            "Checks that PostgreSQL geo-redundant backups are encrypted with the tenant's key.",
            PG_FIX,
            category="encryption",
            controls=ENCRYPTION,
            severity=Severity.CRITICAL,
            critical=True,
        ),
        [PG_SERVER],
        _pg_geo_backup_key,
    ),
    _policy(
        _meta(
            "azure-postgresql-connection-logging",
            "Checks that PostgreSQL flexible servers log connections and disconnections.",
            PG_FIX,
            category="audit",
            controls=AUDIT,
            severity=Severity.MEDIUM,
        ),
        [PG_CONFIGURATION],
        _pg_connection_logs,
    ),
    # Log Analytics
    _policy(
        _meta(
            "azure-loganalytics-local-auth-disabled",
            "Checks that Log Analytics workspaces refuse shared keys.",
            "Set features.disableLocalAuth: true in components/azure/logs.py.",
            category="audit",
            controls=IDENTITY,
        ),
        [WORKSPACE],
        _workspace_local_auth,
    ),
    _policy(
        _meta(
            "azure-loganalytics-resource-permissions",
            "Checks that Log Analytics workspaces grant log access by resource permissions.",
            "Set features.enableLogAccessUsingOnlyResourcePermissions: true in components/azure/logs.py.",
            category="audit",
            controls=PRIVILEGE,
            severity=Severity.MEDIUM,
        ),
        [WORKSPACE],
        _workspace_resource_permissions,
    ),
    # Network
    _policy(
        _meta(
            "azure-network-nsg-no-public-ingress",
            "Checks that network security groups admit no inbound traffic from the internet.",
            "Allow inbound only from VirtualNetwork or the tenant's ranges (components/azure/network.py).",
            controls=NETWORK,
            severity=Severity.CRITICAL,
            critical=True,
            config={"publicPorts": PUBLIC_PORTS},
        ),
        [NSG, NSG_RULE],
        _nsg_ingress,
    ),
    _policy(
        _meta(
            "azure-network-subnet-nsg",
            "Checks that every subnet is protected by a network security group.",
            "Attach the subnet's NSG (components/azure/network.py).",
            controls=NETWORK,
        ),
        [SUBNET],
        _subnet_nsg,
    ),
    _policy(
        _meta(
            "azure-network-subnet-no-default-outbound",
            "Checks that subnets give no implicit public egress.",
            "Set defaultOutboundAccess: false and egress through the NAT gateway (components/azure/network.py).",
            controls=NETWORK,
            severity=Severity.MEDIUM,
        ),
        [SUBNET],
        _subnet_outbound,
    ),
    # Role assignments
    _policy(
        _meta(
            "azure-authorization-least-privilege",
            "Checks that role assignments grant no privileged role and are scoped to a single resource.",
            "Grant the narrowest built-in role on the one vault, subnet or service the identity uses.",
            controls=PRIVILEGE,
            critical=True,
        ),
        [ROLE_ASSIGNMENT],
        _role_least_privilege,
    ),
    # Disk encryption set
    _policy(
        _meta(
            "azure-compute-disk-encryption-set-cmk",
            "Checks that disk encryption sets encrypt with the tenant's key and follow its rotation.",
            "Restore the disk encryption set in components/azure/cluster.py.",
            category="encryption",
            controls=ENCRYPTION,
            critical=True,
        ),
        [DES],
        _des,
    ),
]
