"""Azure Managed Redis (Redis Enterprise): tenant-key encryption at rest, TLS 1.2 only, Entra ID auth,
no public access (private endpoint), high availability and zones by tier.

Azure Cache for Redis (Basic, Standard, Premium) cannot take a customer-managed key; Azure Managed Redis
can, so the cache is a ``redisenterprise`` cluster whose disks are encrypted with the tenant's Key Vault key.
The tenant file keeps naming the cache size in Azure Cache for Redis terms (``Standard_C1``, ``Premium_P2``);
it maps to the Azure Managed Redis SKU with at least as much memory.
"""

from __future__ import annotations

import re
from typing import NotRequired, TypedDict

import pulumi
import pulumi_azure_native as azure

from components.azure.common import child, private_endpoint

ZONES = ["1", "2", "3"]
# Azure Managed Redis accepts only this database name (one database per cluster).
DATABASE_NAME = "default"
DATABASE_PORT = 10000
# Memory (GB) of the Azure Cache for Redis sizes a tenant file may name, by family letter and capacity.
LEGACY_MEMORY_GB: dict[str, dict[int, float]] = {
    "C": {0: 0.25, 1: 1, 2: 2.5, 3: 6, 4: 13, 5: 26, 6: 53},
    "P": {1: 6, 2: 13, 3: 26, 4: 53, 5: 120},
}
# Azure Managed Redis Balanced SKUs (general purpose) by memory in GB, smallest first.
BALANCED: list[tuple[float, str]] = [
    (0.5, "B0"), (1, "B1"), (3, "B3"), (6, "B5"), (12, "B10"), (24, "B20"), (60, "B50"), (120, "B100"), (180, "B150"),
    (240, "B250"), (360, "B350"), (480, "B500"), (720, "B700"), (960, "B1000"),
]
MANAGED_SKU = re.compile(r"(Balanced|MemoryOptimized|ComputeOptimized|FlashOptimized)_[A-Z]\d+")


def sku(node_type: str) -> str:
    """``Premium_P2`` (13 GB) → ``Balanced_B20``; an Azure Managed Redis SKU (``Balanced_B5``) is used as is."""
    if MANAGED_SKU.fullmatch(node_type):
        return node_type
    match = re.fullmatch(r"(Basic|Standard|Premium)_([CP])(\d+)", node_type)
    memory = LEGACY_MEMORY_GB.get(match.group(2), {}).get(int(match.group(3))) if match else None
    if memory is None:
        raise ValueError(
            f"{node_type!r} is not a cache SKU (e.g. Standard_C1, Premium_P1 or an Azure Managed Redis SKU like Balanced_B5)"
        )
    return next(f"Balanced_{name}" for size, name in BALANCED if size >= memory)


class CacheArgs(TypedDict):
    resource_group_name: pulumi.Input[str]
    location: str
    cache_name: str
    node_type: str
    replicas: int
    zones: int
    endpoint_subnet_id: pulumi.Input[str]
    static_address: NotRequired[str]  # pooled: the private endpoint's address (components/data_addresses.py)
    redis_zone_id: pulumi.Input[str]
    identity_id: pulumi.Input[str]  # user-assigned; holds Key Vault Crypto Service Encryption User on the vault
    key_id: pulumi.Input[str]  # versioned key URI (Redis Enterprise takes versioned keys only)
    key_grants: list[pulumi.Resource]
    workload_principal_id: pulumi.Input[str]  # gets the database's access policy (Entra ID auth)
    workspace_id: pulumi.Input[str]
    tags: dict[str, str]


class Cache(pulumi.ComponentResource):
    cache_id: pulumi.Output[str]
    database_id: pulumi.Output[str]
    endpoint: pulumi.Output[str]

    def __init__(self, name: str, args: CacheArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("tenant-platform:azure:Cache", name, None, opts)
        rg, location, tags = args["resource_group_name"], args["location"], args["tags"]
        # A replica means high availability: a replica per shard, spread over the tier's zones.
        highly_available = args["replicas"] >= 1

        cache = azure.redisenterprise.RedisEnterprise(  # type: ignore[call-overload]  # nested dict inputs
            f"{name}-redis",
            resource_group_name=rg,
            location=location,
            cluster_name=args["cache_name"],
            sku={"name": sku(args["node_type"])},
            high_availability="Enabled" if highly_available else "Disabled",
            zones=ZONES[: args["zones"]] if highly_available else None,
            minimum_tls_version="1.2",
            public_network_access="Disabled",  # reachable through the private endpoint only
            # The identity unwraps the tenant key that encrypts the cache's disks (persistence, swap).
            identity={"type": "UserAssigned", "user_assigned_identities": [args["identity_id"]]},
            encryption={
                "customer_managed_key_encryption": {
                    "key_encryption_key_url": args["key_id"],
                    "key_encryption_key_identity": {
                        "identity_type": "userAssignedIdentity",
                        "user_assigned_identity_resource_id": args["identity_id"],
                    },
                }
            },
            tags=tags,
            opts=child(self, depends_on=args["key_grants"]),
        )
        database = azure.redisenterprise.Database(
            f"{name}-database",
            resource_group_name=rg,
            cluster_name=cache.name,
            database_name=DATABASE_NAME,
            client_protocol="Encrypted",  # TLS only; no plaintext listener
            port=DATABASE_PORT,
            # One endpoint, like the previous non-clustered cache: clients need no cluster awareness.
            clustering_policy="EnterpriseCluster",
            eviction_policy="VolatileLRU",
            # Entra ID tokens (workload identity) instead of access keys.
            access_keys_authentication="Disabled",
            opts=child(self),
        )

        private_endpoint(
            name, self, resource_group_name=rg, location=location, subnet_id=args["endpoint_subnet_id"],
            target_id=cache.id, label="redis", group_id="redisEnterprise", zone_id=args["redis_zone_id"], tags=tags,
            static_address=args.get("static_address"),
        )

        # Least privilege: the built-in "default" data access policy, for the workload identity only.
        azure.redisenterprise.AccessPolicyAssignment(
            f"{name}-workload-access",
            resource_group_name=rg,
            cluster_name=cache.name,
            database_name=database.name,
            access_policy_assignment_name="tenant-workload",
            access_policy_name="default",
            user={"object_id": args["workload_principal_id"]},
            opts=child(self),
        )

        # Metrics come from the cluster, connection logs from the database.
        azure.monitor.DiagnosticSetting(
            f"{name}-diagnostics",
            resource_uri=cache.id,
            workspace_id=args["workspace_id"],
            metrics=[{"category": "AllMetrics", "enabled": True}],
            opts=child(self),
        )
        azure.monitor.DiagnosticSetting(
            f"{name}-database-diagnostics",
            resource_uri=database.id,
            workspace_id=args["workspace_id"],
            logs=[{"category_group": "allLogs", "enabled": True}],
            opts=child(self),
        )

        self.cache_id = cache.id
        self.database_id = database.id
        self.endpoint = pulumi.Output.concat(cache.host_name, ":", database.port.apply(lambda p: str(p or DATABASE_PORT)))
        self.register_outputs({"cacheId": self.cache_id, "endpoint": self.endpoint})
