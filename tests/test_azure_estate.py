"""The Azure estate through the renderer: per tier, the security-relevant inputs the engine would receive.

Expectations come from the tier table (``spec.tiers``), the tenant spec and Azure's own limits, never from
the components under test.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest
from test_multicloud_helpers import ROOT, accepts_tags, inputs, render, write_tenant

from components.estate import StackSettings
from components.naming import tenant_tags
from spec.loader import load_tenant
from spec.tiers import TIERS, tier_defaults
from tenantctl.render import RenderedTenant

AKS = "azure-native:containerservice:ManagedCluster"
POOL = "azure-native:containerservice:AgentPool"
VAULT = "azure-native:keyvault:Vault"
KEY = "azure-native:keyvault:Key"
PG = "azure-native:dbforpostgresql:Server"
PG_CONFIG = "azure-native:dbforpostgresql:Configuration"
REDIS = "azure-native:redisenterprise:RedisEnterprise"
REDIS_DB = "azure-native:redisenterprise:Database"
ENDPOINT = "azure-native:network:PrivateEndpoint"
WORKSPACE = "azure-native:operationalinsights:Workspace"
LOG_CLUSTER = "azure-native:operationalinsights:Cluster"
IDENTITY = "azure-native:managedidentity:UserAssignedIdentity"
ROLE = "azure-native:authorization:RoleAssignment"
# Key Vault Crypto Service Encryption User (built-in role, the same in every Azure tenant).
CRYPTO_SERVICE_ENCRYPTION_USER = "e147488a-f6f5-4113-8e2d-b22465e65bf6"
DIAG = "azure-native:monitor:DiagnosticSetting"
DES = "azure-native:compute:DiskEncryptionSet"
ACTION_GROUP = "azure-native:monitor:ActionGroup"
ALERT = "azure-native:monitor:MetricAlert"
LOCK = "azure-native:authorization:ManagementLockByScope"

# Azure limits (service documentation): Log Analytics 30-730 days, Flexible Server backups 7-35 days.
LAW_MIN, LAW_MAX = 30, 730
PG_BACKUP_MIN = 7


def _tenant(tmp: Path, tier: str, isolation: str) -> dict[str, Any]:
    return {
        "tenant_id": f"az-{tier}-{isolation}",
        "tier": tier,
        "cloud": "azure",
        "region": "westeurope",
        "tenant_config": {"security": {"isolation_level": isolation}, "monitoring": {"alert_channels": ["email"]}},
    }


@pytest.fixture(scope="module", params=[(t, i) for t in TIERS for i in ("strict", "standard")],
                ids=lambda p: f"{p[0]}-{p[1]}")
def case(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[RenderedTenant, dict]:
    tier, isolation = request.param
    tenant = write_tenant(tmp_path_factory.mktemp(f"az-{tier}-{isolation}"), _tenant(Path(), tier, isolation))
    return render(tenant), tier_defaults(tier, "azure")


def test_silo_cluster_is_private_entra_only_and_kms_encrypted(case: tuple[RenderedTenant, dict]) -> None:
    rendered, defaults = case
    if not rendered.tenant.spec.silo:
        assert rendered.of_type(AKS) == [], "pooled tenants get no cluster of their own"
        return
    aks = inputs(rendered.one(AKS))
    assert aks["apiServerAccessProfile"]["enablePrivateCluster"] is True
    assert aks["apiServerAccessProfile"]["enablePrivateClusterPublicFQDN"] is False
    assert aks["publicNetworkAccess"] == "Disabled"
    assert aks["disableLocalAccounts"] is True
    assert aks["aadProfile"]["managed"] is True and aks["aadProfile"]["enableAzureRBAC"] is True
    assert aks["networkProfile"]["networkPlugin"] == "azure"
    assert aks["networkProfile"]["networkPolicy"] in ("cilium", "azure", "calico")
    kms = aks["securityProfile"]["azureKeyVaultKms"]
    vaults = {inputs(v)["vaultName"] for v in rendered.of_type(VAULT)}
    assert kms["enabled"] is True and kms["keyVaultNetworkAccess"] == "Private"
    assert any(kms["keyId"].startswith(f"https://{v}.vault.azure.net/keys/") for v in vaults)
    assert kms["keyVaultResourceId"].endswith(kms["keyId"].split("/")[2].split(".")[0])
    assert aks["securityProfile"]["workloadIdentity"]["enabled"] is True
    assert aks["oidcIssuerProfile"]["enabled"] is True
    assert aks["diskEncryptionSetID"]
    des = inputs(rendered.one(DES))
    assert des["encryptionType"] == "EncryptionAtRestWithCustomerKey"
    assert des["activeKey"]["keyUrl"] == kms["keyId"]
    assert aks["autoScalerProfile"], "an autoscaler profile is set"
    system = aks["agentPoolProfiles"][0]
    assert system["mode"] == "System" and system["enableAutoScaling"] is True
    assert system["enableEncryptionAtHost"] is True and system["enableNodePublicIP"] is False
    assert aks["kubernetesVersion"] == defaults["cluster"]["kubernetes_version"]


def test_silo_user_pool_bounds_come_from_the_spec(case: tuple[RenderedTenant, dict]) -> None:
    rendered, defaults = case
    if not rendered.tenant.spec.silo:
        return
    pool = inputs(rendered.one(POOL))
    assert pool["mode"] == "User"
    assert (pool["minCount"], pool["maxCount"]) == (defaults["cluster"]["min_nodes"], defaults["cluster"]["max_nodes"])
    assert pool["enableAutoScaling"] is True and pool["enableEncryptionAtHost"] is True
    assert pool["vmSize"] == defaults["cluster"]["instance_type"]
    assert pool["osDiskSizeGB"] == defaults["cluster"]["disk_size_gb"]
    assert len(pool["availabilityZones"]) == defaults["cluster"]["availability_zones"]


def test_audit_logs_reach_a_workspace_kept_for_metrics_retention(case: tuple[RenderedTenant, dict]) -> None:
    rendered, defaults = case
    wanted = math.ceil(int(defaults["monitoring"]["metrics_retention"].rstrip("d")))
    workspace = inputs(rendered.one(WORKSPACE))
    assert workspace["retentionInDays"] == min(max(wanted, LAW_MIN), LAW_MAX)
    assert workspace["retentionInDays"] >= min(wanted, LAW_MAX)
    if rendered.tenant.spec.silo:
        aks_diag = [inputs(d) for d in rendered.of_type(DIAG) if "managedClusters" in str(inputs(d)["resourceUri"])]
        assert len(aks_diag) == 1
        categories = {log["category"] for log in aks_diag[0]["logs"] if log["enabled"]}
        assert {"kube-audit", "kube-apiserver"} <= categories


def test_vault_key_has_purge_protection_rbac_rotation_and_no_public_access(case: tuple[RenderedTenant, dict]) -> None:
    rendered, _ = case
    for vault in map(inputs, rendered.of_type(VAULT)):
        props = vault["properties"]
        assert props["enablePurgeProtection"] is True and props["enableRbacAuthorization"] is True
        assert props["publicNetworkAccess"] == "Disabled" and props["networkAcls"]["defaultAction"] == "Deny"
    for key in map(inputs, rendered.of_type(KEY)):
        actions = {a["action"]["type"] for a in key["properties"]["rotationPolicy"]["lifetimeActions"]}
        assert "rotate" in actions


def test_database_private_cmk_tls_and_tier_ha_backup(case: tuple[RenderedTenant, dict]) -> None:
    rendered, defaults = case
    tier = rendered.tenant.spec.tier
    pg = inputs(rendered.one(PG))
    assert pg["network"]["publicNetworkAccess"] == "Disabled"
    if rendered.tenant.spec.silo:
        assert pg["network"]["delegatedSubnetResourceId"]  # VNet-integrated in the tenant's own VNet
    else:  # pooled: reached only through a private endpoint with a fixed address (tests/test_pooled_isolation.py)
        assert "delegatedSubnetResourceId" not in pg["network"]
        [endpoint] = [inputs(e) for e in rendered.of_type(ENDPOINT)
                      if e.inputs["privateLinkServiceConnections"][0]["groupIds"] == ["postgresqlServer"]]
        assert endpoint["ipConfigurations"][0]["privateIPAddress"]
    assert pg["dataEncryption"]["type"] == "AzureKeyVault"
    assert pg["dataEncryption"]["primaryKeyURI"].startswith("https://")
    assert pg["administratorLoginPassword"], "generated password present (as a secret)"
    db = defaults["database"]
    assert pg["backup"]["backupRetentionDays"] == max(db["backup_retention_days"], PG_BACKUP_MIN)
    assert pg["highAvailability"]["mode"] == ("ZoneRedundant" if db["high_availability"] else "Disabled")
    assert pg["backup"]["geoRedundantBackup"] == ("Enabled" if tier == "enterprise" else "Disabled")
    assert pg["sku"]["name"] == db["instance_class"]
    settings = {c["configurationName"]: c["value"] for c in map(inputs, rendered.of_type(PG_CONFIG))}
    assert settings["require_secure_transport"] == "ON"
    assert settings["ssl_min_protocol_version"] in ("TLSv1.2", "TLSv1.3")
    assert int(settings["max_connections"]) >= rendered.tenant.spec.config.performance.connection_pool
    assert bool(rendered.of_type(LOCK)) == db["deletion_protection"]


def _key_ids(rendered: RenderedTenant) -> dict[str, str]:
    """Each vault key's versionless URI → its vault name (mocks answer with the vault's own URI)."""
    return {f"https://{inputs(k)['vaultName']}.vault.azure.net/keys/{inputs(k)['keyName']}": inputs(k)["vaultName"]
            for k in rendered.of_type(KEY)}


def _crypto_principals(rendered: RenderedTenant) -> set[str]:
    return {inputs(r)["principalId"] for r in rendered.of_type(ROLE)
            if str(inputs(r)["roleDefinitionId"]).endswith(CRYPTO_SERVICE_ENCRYPTION_USER)}


def _principal_of(rendered: RenderedTenant, identity_id: str) -> str:
    """The principal of a user-assigned identity, found by its ARM id (mocks derive both from the name)."""
    from tenantctl.mocks.azure import _guid

    for identity in rendered.of_type(IDENTITY):
        if identity_id.endswith(f"/{inputs(identity)['resourceName']}"):
            return _guid("principal", identity.name)
    raise AssertionError(f"no identity {identity_id}")


def test_cache_is_managed_redis_with_tenant_key_tls_only_private_and_zoned_by_tier(
    case: tuple[RenderedTenant, dict],
) -> None:
    rendered, defaults = case
    assert rendered.of_type("azure-native:redis:Redis") == [], "Azure Cache for Redis cannot take a customer key"
    redis = inputs(rendered.one(REDIS))
    assert redis["minimumTlsVersion"] == "1.2"
    assert redis["publicNetworkAccess"] == "Disabled"
    assert redis["sku"]["name"].startswith("Balanced_")
    cmk = redis["encryption"]["customerManagedKeyEncryption"]
    key_url = cmk["keyEncryptionKeyUrl"]
    assert any(key_url.startswith(f"{k}/") for k in _key_ids(rendered)), "versioned URI of the tenant key"
    identity_id = cmk["keyEncryptionKeyIdentity"]["userAssignedIdentityResourceId"]
    assert cmk["keyEncryptionKeyIdentity"]["identityType"] == "userAssignedIdentity"
    assert redis["identity"]["type"] == "UserAssigned" and identity_id in redis["identity"]["userAssignedIdentities"]
    assert _principal_of(rendered, identity_id) in _crypto_principals(rendered)
    if defaults["cache"]["replicas"] >= 1:
        assert redis["highAvailability"] == "Enabled"
        assert len(redis["zones"]) == defaults["cluster"]["availability_zones"]
    else:
        assert redis["highAvailability"] == "Disabled"
    database = inputs(rendered.one(REDIS_DB))
    assert database["clientProtocol"] == "Encrypted"
    assert database["accessKeysAuthentication"] == "Disabled"
    endpoints = [inputs(e) for e in rendered.of_type(ENDPOINT)]
    groups = {g for e in endpoints for c in e["privateLinkServiceConnections"] for g in c["groupIds"]}
    assert {"redisEnterprise", "vault"} <= groups


def test_cache_sizes_map_to_managed_redis_with_at_least_as_much_memory() -> None:
    from components.azure.cache import sku

    # Azure Cache for Redis C1 = 1 GB, C2 = 2.5 GB, P1 = 6 GB, P2 = 13 GB; Balanced B1/B3/B5/B20 = 1/3/6/24 GB.
    assert [sku(n) for n in ("Standard_C1", "Standard_C2", "Premium_P1", "Premium_P2")] == [
        "Balanced_B1", "Balanced_B3", "Balanced_B5", "Balanced_B20"]
    assert sku("Balanced_B10") == "Balanced_B10"
    with pytest.raises(ValueError, match="not a cache SKU"):
        sku("Premium_P9")


def test_log_workspace_is_linked_to_a_cluster_encrypted_with_the_tenant_key(case: tuple[RenderedTenant, dict]) -> None:
    rendered, _ = case
    cluster = inputs(rendered.one(LOG_CLUSTER))
    props = cluster["keyVaultProperties"]
    vaults = set(_key_ids(rendered).values())
    assert props["keyName"] == "tenant-key"
    assert props["keyVaultUri"] in {f"https://{v}.vault.azure.net/" for v in vaults}
    assert cluster["identity"]["type"] == "UserAssigned"
    (identity_id,) = cluster["identity"]["userAssignedIdentities"]
    assert _principal_of(rendered, identity_id) in _crypto_principals(rendered)
    workspace = inputs(rendered.one(WORKSPACE))
    assert workspace["features"]["clusterResourceId"].endswith(
        f"/Microsoft.OperationalInsights/clusters/{cluster['clusterName']}"
    )
    assert workspace["features"]["disableLocalAuth"] is True


def test_every_taggable_azure_resource_carries_the_tenant_tags(case: tuple[RenderedTenant, dict]) -> None:
    rendered, _ = case
    expected = tenant_tags(rendered.tenant.spec)
    checked = 0
    for resource in rendered.resources:
        if resource.custom and resource.type.startswith("azure-native:") and accepts_tags(resource.type, "tags"):
            tags = inputs(resource).get("tags") or {}
            assert {k: tags.get(k) for k in expected} == expected, resource.name
            checked += 1
    assert checked > 5


def test_alerts_cover_thresholds_and_health(case: tuple[RenderedTenant, dict]) -> None:
    rendered, defaults = case
    alerts = [inputs(a) for a in rendered.of_type(ALERT)]
    metrics = {c["metricName"]: c for a in alerts for c in a["criteria"]["allOf"]}
    assert "is_db_alive" in metrics
    assert {"serverLoad", "usedmemorypercentage"} <= set(metrics), "cache health alerts"
    if rendered.tenant.spec.silo:
        assert metrics["node_cpu_usage_percentage"]["threshold"] == defaults["autoscaling"]["metrics"]["cpu_threshold"]
        assert (metrics["node_memory_working_set_percentage"]["threshold"]
                == defaults["autoscaling"]["metrics"]["memory_threshold"])
    group = inputs(rendered.one(ACTION_GROUP))
    assert len(group["emailReceivers"]) >= 1


def test_example_tenants_with_every_channel(tmp_path: Path) -> None:
    rendered = render(load_tenant(ROOT / "tenants" / "contoso-enterprise.yaml"))
    group = inputs(rendered.one(ACTION_GROUP))
    assert {h["name"] for h in group["webhookReceivers"]} == {"slack", "webhook"}
    assert group["emailReceivers"][0]["emailAddress"] == "cloud-oncall@contoso.example"
    pool = inputs(rendered.one(POOL))
    spec = rendered.tenant.spec.config.cluster
    assert (pool["minCount"], pool["maxCount"]) == (spec.min_nodes, spec.max_nodes)
    workspace = inputs(rendered.one(WORKSPACE))
    assert workspace["retentionInDays"] == rendered.tenant.spec.config.monitoring.metrics_retention.days


def test_missing_alert_target_is_a_clear_error() -> None:
    from components.azure.alerts import MissingAlertTargetError, receivers

    with pytest.raises(MissingAlertTargetError, match="slackWebhookUrl"):
        receivers(["slack"], StackSettings(alert_emails=["a@example.com"]))
    with pytest.raises(MissingAlertTargetError, match="alertEmails"):
        receivers(["email"], StackSettings())
