"""Azure Cache for Redis: TLS 1.2 only, Entra ID auth, no public access (private endpoint), zones and replicas by tier.

Customer-managed keys: Azure Cache for Redis (Basic, Standard, Premium) has no customer-managed key for
data at rest; only the Enterprise tiers (``redisenterprise``) offer one. The closest real thing here: data
stays in memory, no RDB/AOF persistence is written to a storage account, and the platform encrypts the
host disks. A tenant needing a CMK-encrypted cache would move to Azure Managed Redis / Redis Enterprise.
"""

from __future__ import annotations

import re
from typing import TypedDict

import pulumi
import pulumi_azure_native as azure

from components.azure.common import child

ZONES = ["1", "2", "3"]
# Azure Cache for Redis runs Redis 6; a 7.x request maps to the newest version the service offers.
REDIS_VERSION = "6"


def sku(node_type: str) -> dict[str, object]:
    """``Premium_P2`` → name Premium, family P, capacity 2 (``Standard_C1``: Standard, C, 1)."""
    match = re.fullmatch(r"(Basic|Standard|Premium)_([CP])(\d+)", node_type)
    if not match:
        raise ValueError(f"{node_type!r} is not an Azure Cache for Redis SKU (e.g. Standard_C1, Premium_P1)")
    return {"name": match.group(1), "family": match.group(2), "capacity": int(match.group(3))}


class CacheArgs(TypedDict):
    resource_group_name: pulumi.Input[str]
    location: str
    cache_name: str
    node_type: str
    replicas: int
    zones: int
    endpoint_subnet_id: pulumi.Input[str]
    redis_zone_id: pulumi.Input[str]
    workload_principal_id: pulumi.Input[str]  # gets the data-contributor access policy (Entra ID auth)
    workspace_id: pulumi.Input[str]
    tags: dict[str, str]


class Cache(pulumi.ComponentResource):
    cache_id: pulumi.Output[str]
    endpoint: pulumi.Output[str]

    def __init__(self, name: str, args: CacheArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("tenant-platform:azure:Cache", name, None, opts)
        rg, location, tags = args["resource_group_name"], args["location"], args["tags"]
        sku_args = sku(args["node_type"])
        premium = sku_args["name"] == "Premium"

        extra: dict[str, object] = {}
        if premium:
            # Premium only: zone-redundant placement and read replicas by tier.
            extra["zones"] = ZONES[: args["zones"]] if args["replicas"] >= 1 else None
            extra["replicas_per_primary"] = max(1, args["replicas"])

        cache = azure.redis.Redis(  # type: ignore[call-overload]  # nested dict inputs
            f"{name}-redis",
            resource_group_name=rg,
            location=location,
            name=args["cache_name"],
            sku=sku_args,
            redis_version=REDIS_VERSION,
            enable_non_ssl_port=False,  # the plaintext port 6379 is closed; TLS on 6380 only
            minimum_tls_version="1.2",
            public_network_access="Disabled",  # reachable through the private endpoint only
            # Entra ID tokens (workload identity) instead of shared access keys.
            disable_access_key_authentication=True,
            redis_configuration={"aad_enabled": "true", "maxmemory_policy": "volatile-lru"},
            tags=tags,
            opts=child(self),
            **{k: v for k, v in extra.items() if v is not None},  # type: ignore[arg-type]
        )

        endpoint = azure.network.PrivateEndpoint(
            f"{name}-endpoint",
            resource_group_name=rg,
            location=location,
            subnet={"id": args["endpoint_subnet_id"]},
            private_link_service_connections=[
                {"name": f"{name}-redis", "private_link_service_id": cache.id, "group_ids": ["redisCache"]}
            ],
            tags=tags,
            opts=child(self),
        )
        azure.network.PrivateDnsZoneGroup(
            f"{name}-endpoint-dns",
            resource_group_name=rg,
            private_endpoint_name=endpoint.name,
            private_dns_zone_configs=[{"name": "redis", "private_dns_zone_id": args["redis_zone_id"]}],
            opts=child(self),
        )

        # Least privilege: read/write data, no flush or config commands.
        azure.redis.AccessPolicyAssignment(
            f"{name}-workload-access",
            resource_group_name=rg,
            cache_name=cache.name,
            access_policy_name="Data Contributor",
            object_id=args["workload_principal_id"],
            object_id_alias="tenant-workload",
            opts=child(self),
        )

        azure.monitor.DiagnosticSetting(
            f"{name}-diagnostics",
            resource_uri=cache.id,
            workspace_id=args["workspace_id"],
            logs=[{"category_group": "allLogs", "enabled": True}],
            metrics=[{"category": "AllMetrics", "enabled": True}],
            opts=child(self),
        )

        self.cache_id = cache.id
        self.endpoint = pulumi.Output.concat(cache.host_name, ":", cache.ssl_port.apply(str))
        self.register_outputs({"cacheId": self.cache_id, "endpoint": self.endpoint})
