"""One tenant's Azure estate: silo (own VNet, vault, AKS, database, cache) or pool (own vault, database and
cache in the shared regional VNet, namespace on the shared AKS cluster)."""

from __future__ import annotations

import functools
from typing import TypedDict

import pulumi
import pulumi_azure_native as azure
import pulumi_kubernetes as k8s

from components.azure.alerts import Alerts, Threshold
from components.azure.budget import Budget
from components.azure.cache import Cache, CacheArgs
from components.azure.cluster import Cluster
from components.azure.common import (
    ROLE_KEY_VAULT_CONTRIBUTOR,
    ROLE_KEY_VAULT_CRYPTO_SERVICE_ENCRYPTION_USER,
    ROLE_KEY_VAULT_CRYPTO_USER,
    ZONE_BLOB,
    ZONE_POSTGRES,
    ZONE_POSTGRES_LINK,
    ZONE_REDIS,
    ZONE_VAULT,
    ClientConfig,
    child,
    client_config,
    log_analytics_days,
    physical_name,
    private_zone_id,
    shared_resource_group,
    vault_name,
)
from components.azure.database import Database, DatabaseArgs, GeoBackupKey
from components.azure.keyvault import KeyUser, TenantKeyVault
from components.azure.logs import LogWorkspace
from components.azure.network import Network, layout
from components.azure.slo import PrometheusCollection, Slo, shared_workspace_name, workspace_id
from components.azure.storage import ObjectStorage
from components.budget_amount import monthly_amount
from components.data_addresses import SHARED_VNET_CIDR, DataAddresses, data_addresses
from components.estate import Estate, StackSettings
from components.headroom import ceiling_bytes, used_ratio_ceiling
from components.kubernetes.addons.baseline import AddonBaseline
from components.kubernetes.network import DATA_PORTS
from components.naming import bucket_name, cache_name, database_name, k8s_labels, namespace_name, tenant_tags
from spec.models import AzureTenant

# Tiers whose database backups are also kept in the paired region.
GEO_BACKUP_TIERS = frozenset({"enterprise"})
# Azure region pairs (geo-redundant backup goes to the pair; regions without one keep backups zone-redundant).
PAIRED_REGIONS = {
    "westeurope": "northeurope", "northeurope": "westeurope", "francecentral": "francesouth",
    "germanywestcentral": "germanynorth", "swedencentral": "swedensouth", "eastus": "westus",
    "eastus2": "centralus", "centralus": "eastus2", "westus2": "westcentralus", "westus3": "eastus",
    "canadacentral": "canadaeast", "brazilsouth": "southcentralus", "uksouth": "ukwest",
    "switzerlandnorth": "switzerlandwest", "norwayeast": "norwaywest", "japaneast": "japanwest",
    "australiaeast": "australiasoutheast", "southeastasia": "eastasia", "centralindia": "southindia",
    "koreacentral": "koreasouth",
}
AKS_NAMESPACE = "Microsoft.ContainerService/managedClusters"
POSTGRES_NAMESPACE = "Microsoft.DBforPostgreSQL/flexibleServers"
REDIS_NAMESPACE = "Microsoft.Cache/redisEnterprise"
NAT_NAMESPACE = "Microsoft.Network/natGateways"


def sku_tier(spec: AzureTenant) -> str:
    chosen = spec.tenant_config.azure.sku_tier
    return chosen or ("Standard" if spec.tier in ("premium", "enterprise") else "Free")


class AzureEstateArgs(TypedDict):
    spec: AzureTenant
    settings: StackSettings


class AzureEstate(pulumi.ComponentResource):
    estate: Estate

    def __init__(self, name: str, args: AzureEstateArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("tenant-platform:azure:Estate", name, None, opts)
        spec, settings = args["spec"], args["settings"]
        config, tags, location = spec.tenant_config, tenant_tags(spec), spec.region
        client = client_config(self)

        group = azure.resources.ResourceGroup(
            f"{name}-rg",
            resource_group_name=physical_name(name, "rg", 90),
            location=location,
            tags=tags,
            opts=child(self),
        )
        rg = group.name

        def identity(suffix: str) -> azure.managedidentity.UserAssignedIdentity:
            return azure.managedidentity.UserAssignedIdentity(
                f"{name}-{suffix}-identity",
                resource_group_name=rg,
                location=location,
                resource_name_=physical_name(name, f"{suffix}-id", 128),
                tags=tags,
                opts=child(self),
            )

        database_identity, workload_identity = identity("database"), identity("workload")
        cache_identity, logs_identity = identity("cache"), identity("logs")
        storage_identity = identity("storage")
        # Wrap/unwrap only, for each service that encrypts the tenant's data with the tenant key.
        users: list[KeyUser] = [
            {"label": f"{label}-crypto", "principal_id": who.principal_id,
             "role": ROLE_KEY_VAULT_CRYPTO_SERVICE_ENCRYPTION_USER}
            for label, who in (("database", database_identity), ("cache", cache_identity), ("logs", logs_identity),
                               ("storage", storage_identity))
        ]

        ref: pulumi.StackReference | None = None
        network: Network | None = None
        # Pooled: the database's and cache's private endpoints at the tenant's own static addresses, so that the
        # namespace's egress is exactly those two /32s (a private endpoint's dynamic address is no output once it
        # is in a private DNS zone, and a VNet-integrated server's never is).
        pooled: DataAddresses | None = None
        data_subnet: pulumi.Input[str] | None = None
        if spec.silo:
            network = Network(
                f"{name}-network",
                {
                    "resource_group_name": rg,
                    "location": location,
                    "base_name": name,
                    "cidr": config.azure.vnet_cidr,
                    "tags": tags,
                },
                child(self),
            )
            cluster_identity, des_identity = identity("cluster"), identity("disk")
            users += [
                {"label": "cluster-crypto", "principal_id": cluster_identity.principal_id,
                 "role": ROLE_KEY_VAULT_CRYPTO_USER},
                # AKS KMS with a private vault manages its own private link to the vault.
                {"label": "cluster-vault", "principal_id": cluster_identity.principal_id,
                 "role": ROLE_KEY_VAULT_CONTRIBUTOR},
                {"label": "disk-crypto", "principal_id": des_identity.principal_id,
                 "role": ROLE_KEY_VAULT_CRYPTO_SERVICE_ENCRYPTION_USER},
            ]
            endpoint_subnet: pulumi.Input[str] = network.endpoint_subnet_id
            database_subnet: pulumi.Input[str] = network.database_subnet_id
            zones: dict[str, pulumi.Input[str]] = dict(network.zone_ids)
            plan = network.layout
        else:
            if not settings.shared_cluster_stack:
                raise ValueError(f"{spec.tenant_id}: pooled tenant without tenant-platform:sharedClusterStack")
            ref = pulumi.StackReference(settings.shared_cluster_stack, stack_name=settings.shared_cluster_stack,
                                        opts=child(self))
            endpoint_subnet = ref.get_output("privateEndpointSubnetId")
            database_subnet = ref.get_output("databaseSubnetId")
            data_subnet = ref.get_output("dataSubnetId")
            pooled = data_addresses(spec.tenant_id, settings.data_address_slot)
            shared_rg = shared_resource_group(settings.shared_cluster_stack)
            # The shared stack owns the VNet's private DNS zones (one zone of a name per VNet).
            zones = {
                zone: client.subscription_id.apply(functools.partial(private_zone_id, resource_group=shared_rg, zone=zone))
                for zone in (ZONE_VAULT, ZONE_REDIS, ZONE_POSTGRES, ZONE_POSTGRES_LINK, ZONE_BLOB)
            }
            plan = layout(SHARED_VNET_CIDR)

        vault = TenantKeyVault(
            f"{name}-kv",
            {
                "resource_group_name": rg,
                "location": location,
                "vault_name": vault_name(name),
                "client": client,
                "endpoint_subnet_id": endpoint_subnet,
                "vault_zone_id": zones[ZONE_VAULT],
                "users": users,
                "tags": tags,
            },
            child(self),
        )
        # Created after the vault: the workspace's dedicated cluster encrypts with the tenant key.
        logs = LogWorkspace(
            f"{name}-logs",
            {
                "resource_group_name": rg,
                "location": location,
                "retention_days": log_analytics_days(config.monitoring.metrics_retention),
                "cluster_name": physical_name(name, "logs", 63),
                "identity_id": logs_identity.id,
                "key_vault_uri": vault.vault_uri,
                "key_name": vault.key_name,
                "key_grants": vault.grants,
                "tags": tags,
            },
            child(self),
        )
        if network is not None:
            network.send_logs_to(logs.workspace_id)
        # Key Vault audit events (CIS Azure 5.1.5): who used or was refused the tenant key.
        vault.send_logs_to(logs.workspace_id)

        thresholds: list[Threshold] = []
        metrics = config.autoscaling.metrics
        if spec.silo:
            assert network is not None
            cluster = Cluster(
                f"{name}-cluster",
                {
                    "resource_group_name": rg,
                    "location": location,
                    "base_name": physical_name(name, "aks", 63),
                    "client": client,
                    "kubernetes_version": config.cluster.kubernetes_version,
                    "sku_tier": sku_tier(spec),
                    "zones": config.cluster.availability_zones,
                    "node_subnet_id": network.node_subnet_id,
                    "pod_cidr": config.azure.pod_cidr,
                    "service_cidr": config.azure.service_cidr,
                    "identity_id": cluster_identity.id,
                    "identity_principal_id": cluster_identity.principal_id,
                    "des_identity_id": des_identity.id,
                    "vault_id": vault.vault_id,
                    "key_id": vault.key_id,
                    "key_grants": vault.grants,
                    "workspace_id": logs.workspace_id,
                    "user_pool": {
                        "vm_size": config.cluster.instance_type,
                        "min_count": config.cluster.min_nodes,
                        "max_count": config.cluster.max_nodes,
                        "disk_size_gb": config.cluster.disk_size_gb,
                    },
                    "real_time": config.monitoring.real_time,
                    "tags": tags,
                },
                child(self),
            )
            kubeconfig: pulumi.Output[str] = cluster.kubeconfig
            issuer: pulumi.Input[str] = cluster.oidc_issuer_url
            depends_on: list[pulumi.Resource] = [cluster.user_pool]
            thresholds += [
                {"label": "node-cpu", "scope": cluster.cluster_id, "namespace": AKS_NAMESPACE,
                 "metric": "node_cpu_usage_percentage", "operator": "GreaterThan",
                 "threshold": float(metrics.cpu_threshold), "aggregation": "Average", "severity": 2,
                 "description": f"{spec.tenant_id}: node CPU above {metrics.cpu_threshold}%"},
                {"label": "node-memory", "scope": cluster.cluster_id, "namespace": AKS_NAMESPACE,
                 "metric": "node_memory_working_set_percentage", "operator": "GreaterThan",
                 "threshold": float(metrics.memory_threshold), "aggregation": "Average", "severity": 2,
                 "description": f"{spec.tenant_id}: node memory above {metrics.memory_threshold}%"},
                # Network: node throughput against its learnt band (the spec bounds requests, not bytes),
                # and the NAT gateway dropping the pods' egress packets.
                {"label": "node-network-in", "scope": cluster.cluster_id, "namespace": AKS_NAMESPACE,
                 "metric": "node_network_in_bytes", "operator": "GreaterThan", "threshold": 0.0,
                 "aggregation": "Average", "severity": 3, "dynamic": True,
                 "description": f"{spec.tenant_id}: node network ingress far above its usual band"},
                {"label": "node-network-out", "scope": cluster.cluster_id, "namespace": AKS_NAMESPACE,
                 "metric": "node_network_out_bytes", "operator": "GreaterThan", "threshold": 0.0,
                 "aggregation": "Average", "severity": 3, "dynamic": True,
                 "description": f"{spec.tenant_id}: node network egress far above its usual band"},
                {"label": "nat-dropped", "scope": network.nat_gateway_id, "namespace": NAT_NAMESPACE,
                 "metric": "PacketDropCount", "operator": "GreaterThan", "threshold": 0.0, "aggregation": "Total",
                 "severity": 2, "description": f"{spec.tenant_id}: NAT gateway dropping packets"},
            ]
            # The cluster's managed Prometheus lands in the tenant's own workspace, where its SLO rules run.
            prometheus_workspace: pulumi.Input[str] = PrometheusCollection(
                f"{name}-prometheus",
                {"resource_group_name": rg, "location": location, "base_name": name,
                 "cluster_id": cluster.cluster_id, "tags": tags},
                child(self),
            ).workspace_id
            slo_cluster: pulumi.Input[str] = cluster.cluster_name
        else:
            assert ref is not None
            kubeconfig = pulumi.Output.secret(ref.get_output("kubeconfig")).apply(str)
            issuer = ref.get_output("oidcIssuerUrl")
            depends_on = []
            # The shared gateway's metrics land in the shared cluster's workspace only.
            prometheus_workspace = client.subscription_id.apply(functools.partial(
                workspace_id, resource_group=shared_rg,
                name=shared_workspace_name(settings.shared_cluster_stack or "")))
            slo_cluster = ref.get_output("clusterName")

        # Workload identity: the namespace's ServiceAccount exchanges its token for this identity, no secret.
        pulumi_fic = azure.managedidentity.FederatedIdentityCredential(
            f"{name}-workload-federation",
            resource_group_name=rg,
            resource_name_=workload_identity.name,
            federated_identity_credential_resource_name="kubernetes-workload",
            issuer=issuer,
            subject=f"system:serviceaccount:{namespace_name(spec.tenant_id)}:{config.workload.name}",
            audiences=["api://AzureADTokenExchange"],
            opts=child(self),
        )

        geo: GeoBackupKey | None = None
        paired = PAIRED_REGIONS.get(location)
        if spec.tier in GEO_BACKUP_TIERS and paired:
            geo = self._geo_backup_key(name, paired, client, tags, logs.workspace_id)
        database_args: DatabaseArgs = {
            "resource_group_name": rg,
            "location": location,
            "server_name": database_name(name, "azure"),
            "version": config.database.engine_version,
            "sku_name": config.database.instance_class,
            "storage_gb": config.database.storage_gb,
            "high_availability": config.database.high_availability,
            "backup_retention_days": config.database.backup_retention_days,
            "geo_backup": geo,
            "deletion_protection": config.database.deletion_protection,
            "performance_insights": config.database.performance_insights,
            "connection_pool": config.performance.connection_pool,
            "database_name": config.workload.name,
            "delegated_subnet_id": None if pooled else database_subnet,
            "private_zone_id": None if pooled else zones[ZONE_POSTGRES],
            "identity_id": database_identity.id,
            "key_uri": vault.key_id,
            "key_grants": vault.grants,
            "workspace_id": logs.workspace_id,
            "tags": tags,
        }
        if pooled:
            assert data_subnet is not None
            database_args["private_endpoint"] = {
                "subnet_id": data_subnet, "address": pooled.database, "zone_id": zones[ZONE_POSTGRES_LINK],
            }
        database = Database(f"{name}-db", database_args, child(self))
        cache_args: CacheArgs = {
            "resource_group_name": rg,
            "location": location,
            "cache_name": cache_name(name, "azure"),  # Azure Managed Redis: at most 60 characters
            "node_type": config.cache.node_type,
            "replicas": config.cache.replicas,
            "zones": config.cluster.availability_zones,
            "endpoint_subnet_id": endpoint_subnet,
            "redis_zone_id": zones[ZONE_REDIS],
            "identity_id": cache_identity.id,
            "key_id": vault.key_id,
            "key_grants": vault.grants,
            "workload_principal_id": workload_identity.principal_id,
            "workspace_id": logs.workspace_id,
            "tags": tags,
        }
        if pooled:
            assert data_subnet is not None
            cache_args["endpoint_subnet_id"], cache_args["static_address"] = data_subnet, pooled.cache
        cache = Cache(f"{name}-cache", cache_args, child(self))
        # The tenant's storage account, reached through a private endpoint beside the vault's and the cache's.
        storage = ObjectStorage(
            f"{name}-storage",
            {
                "resource_group_name": rg,
                "location": location,
                "account_name": bucket_name(spec.tenant_id, "azure"),
                "client": client,
                "identity_id": storage_identity.id,
                "vault_uri": vault.vault_uri,
                "key_name": vault.key_name,
                "key_grants": vault.grants,
                "endpoint_subnet_id": endpoint_subnet,
                "blob_zone_id": zones[ZONE_BLOB],
                "workload_principal_id": workload_identity.principal_id,
                "noncurrent_version_days": config.object_storage.noncurrent_version_days,
                "workspace_id": logs.workspace_id,
                "tags": tags,
            },
            child(self),
        )
        thresholds += [
            {"label": "database-alive", "scope": database.server_id, "namespace": POSTGRES_NAMESPACE,
             "metric": "is_db_alive", "operator": "LessThan", "threshold": 1.0, "aggregation": "Minimum",
             "severity": 1, "description": f"{spec.tenant_id}: PostgreSQL is down"},
            {"label": "database-cpu", "scope": database.server_id, "namespace": POSTGRES_NAMESPACE,
             "metric": "cpu_percent", "operator": "GreaterThan", "threshold": float(metrics.cpu_threshold),
             "aggregation": "Average", "severity": 2,
             "description": f"{spec.tenant_id}: PostgreSQL CPU above {metrics.cpu_threshold}%"},
            {"label": "cache-load", "scope": cache.cache_id, "namespace": REDIS_NAMESPACE,
             "metric": "serverLoad", "operator": "GreaterThan", "threshold": 90.0, "aggregation": "Maximum",
             "severity": 2, "description": f"{spec.tenant_id}: Redis server load above 90%"},
            {"label": "cache-memory", "scope": cache.cache_id, "namespace": REDIS_NAMESPACE,
             "metric": "usedmemorypercentage", "operator": "GreaterThan",
             "threshold": float(metrics.memory_threshold), "aggregation": "Maximum", "severity": 2,
             "description": f"{spec.tenant_id}: Redis memory above {metrics.memory_threshold}%"},
            # Storage: the current (auto-growing) volume running full, and data near max_storage_gb.
            {"label": "database-storage", "scope": database.server_id, "namespace": POSTGRES_NAMESPACE,
             "metric": "storage_percent", "operator": "GreaterThan", "threshold": used_ratio_ceiling() * 100,
             "aggregation": "Maximum", "severity": 2,
             "description": f"{spec.tenant_id}: PostgreSQL storage above {used_ratio_ceiling():.0%} used"},
            {"label": "database-storage-ceiling", "scope": database.server_id, "namespace": POSTGRES_NAMESPACE,
             "metric": "storage_used", "operator": "GreaterThan",
             "threshold": float(ceiling_bytes(config.database.max_storage_gb)), "aggregation": "Maximum",
             "severity": 2, "description": (f"{spec.tenant_id}: PostgreSQL data above {used_ratio_ceiling():.0%} "
                                            f"of max_storage_gb ({config.database.max_storage_gb} GiB)")},
        ]
        alerts = Alerts(
            f"{name}-alerts",
            {
                "resource_group_name": rg,
                "location": location,
                "short_name": physical_name(name, "", 12),
                "channels": list(config.monitoring.alert_channels),
                "settings": settings,
                "thresholds": thresholds,
                "real_time": config.monitoring.real_time,
                "title": f"tenant {spec.tenant_id}",
                "tags": tags,
            },
            child(self),
        )

        Slo(
            f"{name}-slo",
            {
                "resource_group_name": rg,
                "location": location,
                "base_name": name,
                "tenant_id": spec.tenant_id,
                "cluster_name": slo_cluster,
                "namespace": namespace_name(spec.tenant_id),
                "workspace_id": prometheus_workspace,
                "availability": config.monitoring.slo.availability,
                "latency_p95": config.monitoring.slo.latency_p95,
                "action_group_id": alerts.action_group_id,
                "real_time": config.monitoring.real_time,
                "tags": tags,
            },
            child(self),
        )

        provider = k8s.Provider(
            f"{name}-k8s",
            kubeconfig=kubeconfig,
            enable_server_side_apply=True,
            opts=child(self),
        )
        addons: list[pulumi.Resource] = []
        if spec.silo:
            # The silo cluster's own add-ons; a pooled tenant's come with the shared cluster's stack.
            addons = AddonBaseline(f"{name}-addons", {
                "cloud": "azure", "kubernetes_version": config.cluster.kubernetes_version, "silo": True,
                "load_balancer": config.ingress.load_balancer, "cert_issuer": settings.cert_issuer,
                "labels": k8s_labels(spec), "real_time": config.monitoring.real_time, "after": depends_on,
            }, pulumi.ResourceOptions(parent=self, providers=[provider])).ready
        service_cidrs = [plan.database, plan.endpoints]
        # Every tenant stack has a budget on its own resource group, alerting the tenant's action group.
        Budget(
            f"{name}-budget",
            {
                "amount_usd": monthly_amount(settings.monthly_budget_usd, spec.tier),
                "resource_group_id": group.id,
                "action_group_id": alerts.action_group_id,
                "emails": list(settings.alert_emails),
            },
            child(self),
        )
        self.estate = Estate(
            k8s_provider=provider,
            kubeconfig=kubeconfig,
            service_cidrs=service_cidrs,
            database_endpoint=database.endpoint,
            cache_endpoint=cache.endpoint,
            alert_target=alerts.action_group_id,
            service_account_annotations={"azure.workload.identity/client-id": workload_identity.client_id},
            depends_on=[*depends_on, pulumi_fic],
            data_endpoints=[(pooled.database, DATA_PORTS["azure"][0]), (pooled.cache, DATA_PORTS["azure"][1])]
            if pooled else [],
            addons=addons,
        )
        self.register_outputs(
            {
                "databaseEndpoint": database.endpoint,
                "cacheEndpoint": cache.endpoint,
                "alertTarget": alerts.action_group_id,
                "keyId": vault.key_id,
                "storageAccountName": storage.account_name,
            }
        )

    def _geo_backup_key(
        self, name: str, paired: str, client: ClientConfig, tags: dict[str, str], workspace_id: pulumi.Input[str]
    ) -> GeoBackupKey:
        """A vault, key and identity in the paired region: geo-redundant backups are encrypted there."""
        group = azure.resources.ResourceGroup(
            f"{name}-geo-rg",
            resource_group_name=physical_name(name, "geo-rg", 90),
            location=paired,
            tags=tags,
            opts=child(self),
        )
        geo_identity = azure.managedidentity.UserAssignedIdentity(
            f"{name}-geo-backup-identity",
            resource_group_name=group.name,
            location=paired,
            resource_name_=physical_name(name, "geo-backup-id", 128),
            tags=tags,
            opts=child(self),
        )
        vault = TenantKeyVault(
            f"{name}-geo-kv",
            {
                "resource_group_name": group.name,
                "location": paired,
                "vault_name": vault_name(f"{name}-geo"),
                "client": client,
                # Only the PostgreSQL service reads this key, as a trusted service; no VNet in that region.
                "endpoint_subnet_id": None,
                "vault_zone_id": None,
                "users": [{"label": "geo-backup-crypto", "principal_id": geo_identity.principal_id,
                           "role": ROLE_KEY_VAULT_CRYPTO_SERVICE_ENCRYPTION_USER}],
                "tags": tags,
            },
            child(self),
        )
        # Its audit events go to the tenant's workspace too (a diagnostic setting may cross regions).
        vault.send_logs_to(workspace_id)
        return {"key_uri": vault.key_id, "identity_id": geo_identity.id}

