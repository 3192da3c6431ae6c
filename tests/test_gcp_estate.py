"""The GCP estate through the renderer: per tier, the security-relevant inputs the engine would receive.

Expectations come from the tier table (``spec.tiers``), the tenant spec and GCP's own limits, never from
the components under test.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from test_multicloud_helpers import ROOT, accepts_tags, inputs, render, write_tenant

from components.estate import StackSettings
from components.naming import gcp_labels, tenant_tags
from spec.loader import load_tenant
from spec.tiers import TIERS, tier_defaults
from tenantctl.render import RenderedTenant

GKE = "gcp:container/cluster:Cluster"
NODE_POOL = "gcp:container/nodePool:NodePool"
KEY = "gcp:kms/cryptoKey:CryptoKey"
SQL = "gcp:sql/databaseInstance:DatabaseInstance"
REDIS = "gcp:redis/instance:Instance"
SUBNET = "gcp:compute/subnetwork:Subnetwork"
NAT = "gcp:compute/routerNat:RouterNat"
PSA = "gcp:servicenetworking/connection:Connection"
BUCKET = "gcp:logging/projectBucketConfig:ProjectBucketConfig"
CHANNEL = "gcp:monitoring/notificationChannel:NotificationChannel"
POLICY = "gcp:monitoring/alertPolicy:AlertPolicy"
DASHBOARD = "gcp:monitoring/dashboard:Dashboard"
PROVIDER = "pulumi:providers:gcp"


def _tenant(tier: str, isolation: str) -> dict[str, Any]:
    return {
        "tenant_id": f"gc-{tier}-{isolation}",
        "tier": tier,
        "cloud": "gcp",
        "region": "europe-west1",
        "tenant_config": {"security": {"isolation_level": isolation}},
    }


@pytest.fixture(scope="module", params=[(t, i) for t in TIERS for i in ("strict", "standard")],
                ids=lambda p: f"{p[0]}-{p[1]}")
def case(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[RenderedTenant, dict]:
    tier, isolation = request.param
    tenant = write_tenant(tmp_path_factory.mktemp(f"gc-{tier}-{isolation}"), _tenant(tier, isolation))
    return render(tenant), tier_defaults(tier, "gcp")


def test_provider_is_explicit_and_regional(case: tuple[RenderedTenant, dict]) -> None:
    rendered, _ = case
    provider = inputs(rendered.one(PROVIDER))
    assert provider["region"] == rendered.tenant.spec.region
    assert provider["project"]


def test_key_rotates_and_encrypts_cluster_disks_database_cache(case: tuple[RenderedTenant, dict]) -> None:
    rendered, _ = case
    key = rendered.one(KEY)
    key_in = inputs(key)
    assert int(key_in["rotationPeriod"].rstrip("s")) <= 90 * 86400
    key_id = f"{inputs(rendered.one('gcp:kms/keyRing:KeyRing'))['name']}/cryptoKeys/{key_in['name']}"
    assert inputs(rendered.one(SQL))["encryptionKeyName"].endswith(key_id)
    assert inputs(rendered.one(REDIS))["customerManagedKey"].endswith(key_id)
    if rendered.tenant.spec.silo:
        gke = inputs(rendered.one(GKE))
        assert gke["databaseEncryption"] == {"state": "ENCRYPTED", "keyName": inputs(rendered.one(REDIS))[
            "customerManagedKey"]}
        for pool in map(inputs, rendered.of_type(NODE_POOL)):
            assert pool["nodeConfig"]["bootDiskKmsKey"].endswith(key_id)


def test_silo_cluster_private_dataplane_v2_workload_identity_shielded(case: tuple[RenderedTenant, dict]) -> None:
    rendered, defaults = case
    if not rendered.tenant.spec.silo:
        assert rendered.of_type(GKE) == []
        return
    gke = inputs(rendered.one(GKE))
    private = gke["privateClusterConfig"]
    assert private["enablePrivateNodes"] is True and private["enablePrivateEndpoint"] is True
    assert gke["masterAuthorizedNetworksConfig"]["cidrBlocks"], "master authorized networks set"
    assert gke["masterAuthorizedNetworksConfig"]["gcpPublicCidrsAccessEnabled"] is False
    assert gke["datapathProvider"] == "ADVANCED_DATAPATH"
    assert gke["workloadIdentityConfig"]["workloadPool"].endswith(".svc.id.goog")
    assert gke["enableShieldedNodes"] is True and gke["removeDefaultNodePool"] is True
    assert gke["masterAuth"]["clientCertificateConfig"]["issueClientCertificate"] is False
    assert {"SYSTEM_COMPONENTS", "WORKLOADS", "APISERVER"} <= set(gke["loggingConfig"]["enableComponents"])
    assert len(gke["nodeLocations"]) == defaults["cluster"]["availability_zones"]
    pools = {p["name"]: p for p in map(inputs, rendered.of_type(NODE_POOL))}
    workload = pools["workload"]
    scaling = workload["autoscaling"]
    assert (scaling["totalMinNodeCount"], scaling["totalMaxNodeCount"]) == (
        defaults["cluster"]["min_nodes"], defaults["cluster"]["max_nodes"])
    assert workload["nodeConfig"]["machineType"] == defaults["cluster"]["instance_type"]
    for pool in pools.values():
        config = pool["nodeConfig"]
        assert config["workloadMetadataConfig"]["mode"] == "GKE_METADATA"
        assert config["shieldedInstanceConfig"] == {"enableSecureBoot": True, "enableIntegrityMonitoring": True}
    subnet = inputs(rendered.one(SUBNET))
    assert {r["rangeName"] for r in subnet["secondaryIpRanges"]} == {"pods", "services"}
    assert subnet["logConfig"], "flow logs on"
    assert rendered.of_type(NAT) and rendered.of_type(PSA)


def test_logs_kept_for_metrics_retention(case: tuple[RenderedTenant, dict]) -> None:
    rendered, defaults = case
    bucket = inputs(rendered.one(BUCKET))
    assert bucket["retentionDays"] == int(defaults["monitoring"]["metrics_retention"].rstrip("d"))


def test_cloud_sql_private_tls_backups_and_tier_ha(case: tuple[RenderedTenant, dict]) -> None:
    rendered, defaults = case
    sql = inputs(rendered.one(SQL))
    db = defaults["database"]
    settings = sql["settings"]
    assert settings["ipConfiguration"]["ipv4Enabled"] is False
    assert settings["ipConfiguration"]["privateNetwork"]
    assert settings["ipConfiguration"]["sslMode"] in ("ENCRYPTED_ONLY", "TRUSTED_CLIENT_CERTIFICATE_REQUIRED")
    backups = settings["backupConfiguration"]
    assert backups["enabled"] is True and backups["pointInTimeRecoveryEnabled"] is True
    assert backups["backupRetentionSettings"]["retainedBackups"] == db["backup_retention_days"]
    assert settings["availabilityType"] == ("REGIONAL" if db["high_availability"] else "ZONAL")
    assert sql["deletionProtection"] is db["deletion_protection"]
    assert settings["deletionProtectionEnabled"] is db["deletion_protection"]
    assert settings["tier"] == db["instance_class"]
    assert settings["diskAutoresizeLimit"] == db["max_storage_gb"]


def test_memorystore_tls_auth_private_and_tier(case: tuple[RenderedTenant, dict]) -> None:
    rendered, defaults = case
    redis = inputs(rendered.one(REDIS))
    assert redis["transitEncryptionMode"] == "SERVER_AUTHENTICATION"
    assert redis["authEnabled"] is True
    assert redis["connectMode"] == "PRIVATE_SERVICE_ACCESS"
    assert redis["tier"] == defaults["cache"]["node_type"]
    if redis["tier"] == "STANDARD_HA":
        assert redis["replicaCount"] == max(1, defaults["cache"]["replicas"])


def test_every_labelable_gcp_resource_carries_the_tenant_labels(case: tuple[RenderedTenant, dict]) -> None:
    rendered, _ = case
    expected = gcp_labels(tenant_tags(rendered.tenant.spec))
    checked = 0
    for resource in rendered.resources:
        if not resource.custom or not resource.type.startswith("gcp:"):
            continue
        for argument in ("labels", "resource_labels", "user_labels"):
            if accepts_tags(resource.type, argument):
                engine = {"labels": "labels", "resource_labels": "resourceLabels", "user_labels": "userLabels"}[argument]
                value = inputs(resource).get(engine)
                if argument == "labels" and resource.type == CHANNEL:
                    continue  # a channel's ``labels`` are its target (email address, URL), userLabels are labels
                assert value == expected, f"{resource.name}: {engine}"
                checked += 1
    sql_labels = inputs(rendered.one(SQL))["settings"]["userLabels"]
    assert sql_labels == expected
    assert checked >= 3


def test_alerts_cover_thresholds_and_health(case: tuple[RenderedTenant, dict]) -> None:
    rendered, defaults = case
    policies = [inputs(p) for p in rendered.of_type(POLICY)]
    filters = " ".join(c["conditionThreshold"]["filter"] for p in policies for c in p["conditions"]
                       if "conditionThreshold" in c)
    thresholds = {c["conditionThreshold"]["filter"].split('"')[1]: c["conditionThreshold"]["thresholdValue"]
                  for p in policies for c in p["conditions"] if "conditionThreshold" in c}
    cpu = defaults["autoscaling"]["metrics"]["cpu_threshold"] / 100
    assert thresholds["kubernetes.io/container/cpu/request_utilization"] == pytest.approx(cpu)
    assert "cloudsql.googleapis.com/database/up" in filters
    assert "redis.googleapis.com" in filters
    assert all(p["notificationChannels"] for p in policies)
    assert rendered.of_type(DASHBOARD)


def test_example_silo_with_every_channel_and_latency() -> None:
    rendered = render(load_tenant(ROOT / "tenants" / "globex-enterprise.yaml"))
    channels = [inputs(c) for c in rendered.of_type(CHANNEL)]
    assert sorted(c["type"] for c in channels) == ["email", "webhook_tokenauth", "webhook_tokenauth"]
    promql = [c for p in map(inputs, rendered.of_type(POLICY)) for c in p["conditions"]
              if "conditionPrometheusQueryLanguage" in c]
    assert promql and "0.25" in promql[0]["conditionPrometheusQueryLanguage"]["query"]
    spec = rendered.tenant.spec.config
    pools = {p["name"]: p for p in map(inputs, rendered.of_type(NODE_POOL))}
    scaling = pools["workload"]["autoscaling"]
    assert (scaling["totalMinNodeCount"], scaling["totalMaxNodeCount"]) == (spec.cluster.min_nodes,
                                                                            spec.cluster.max_nodes)
    assert inputs(rendered.one(BUCKET))["retentionDays"] == spec.monitoring.metrics_retention.days


def test_missing_alert_target_is_a_clear_error() -> None:
    from components.gcp.alerts import MissingAlertTargetError, channels

    with pytest.raises(MissingAlertTargetError, match="alertWebhookUrl"):
        channels(["webhook"], StackSettings(alert_emails=["a@example.com"]))
    assert channels([], StackSettings()) == []


def test_pooled_tenant_uses_the_shared_cluster(tmp_path: Path) -> None:
    rendered = render(load_tenant(ROOT / "tenants" / "initech-standard.yaml"))
    assert rendered.of_type(GKE) == [] and rendered.of_type(NODE_POOL) == []
    # The database and cache join the shared network named by the shared stack (placeholder offline).
    network = inputs(rendered.one(SQL))["settings"]["ipConfiguration"]["privateNetwork"]
    assert "shared-gcp-us-central1" in network
    assert inputs(rendered.one(REDIS))["authorizedNetwork"] == network
