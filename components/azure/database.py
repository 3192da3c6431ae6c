"""PostgreSQL Flexible Server: no public access, tenant-key encryption, TLS only, HA and backups by tier.

Silo tenants' servers are VNet-integrated (a delegated subnet of the tenant's own VNet). Pooled tenants'
servers are reached through a private endpoint at a static address of the tenant's own: a VNet-integrated
server's address is not known before deployment (only its FQDN is an output), so a NetworkPolicy could not
open exactly it.
"""

from __future__ import annotations

from typing import NotRequired, TypedDict

import pulumi
import pulumi_azure_native as azure
import pulumi_random as random

from components.azure.common import child, private_endpoint

# Storage sizes a flexible server offers (GiB); the spec's size is rounded up to the next one.
STORAGE_SIZES_GB = (32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768)
# Flexible Server keeps backups for 7 to 35 days.
MIN_BACKUP_DAYS, MAX_BACKUP_DAYS = 7, 35
# Private Link group (and member) of a flexible server.
PRIVATE_LINK_GROUP = "postgresqlServer"
# Connections reserved beside the workload's pool (superuser, replication, monitoring, migrations).
RESERVED_CONNECTIONS = 25


def storage_size_gb(wanted: int) -> int:
    return next((size for size in STORAGE_SIZES_GB if size >= wanted), STORAGE_SIZES_GB[-1])


def sku_tier(sku_name: str) -> str:
    """Standard_B* burstable, Standard_E* memory optimised, everything else general purpose."""
    family = sku_name.split("_", 1)[-1][:1].upper()
    return {"B": "Burstable", "E": "MemoryOptimized"}.get(family, "GeneralPurpose")


def backup_days(wanted: int) -> int:
    """Never fewer days than the tier asks for; Azure's floor is 7."""
    return min(max(wanted, MIN_BACKUP_DAYS), MAX_BACKUP_DAYS)


def server_identity(ids: list[str]) -> dict[str, object]:
    """PostgreSQL takes its user-assigned identities as a map keyed by identity id."""
    return {"type": "UserAssigned", "user_assigned_identities": {identity: {} for identity in ids}}


def server_network(args: DatabaseArgs) -> dict[str, object]:
    """No public endpoint either way; a private address in the delegated subnet, or only the private endpoint's."""
    if args.get("private_endpoint"):
        return {"public_network_access": "Disabled"}
    # VNet integration: the server has a private address in the delegated subnet and no public endpoint.
    return {
        "delegated_subnet_resource_id": args["delegated_subnet_id"],
        "private_dns_zone_arm_resource_id": args["private_zone_id"],
        "public_network_access": "Disabled",
    }


class GeoBackupKey(TypedDict):
    key_uri: pulumi.Input[str]  # versioned key in the paired region
    identity_id: pulumi.Input[str]


class StaticEndpoint(TypedDict):
    subnet_id: pulumi.Input[str]
    address: str  # components/data_addresses.py: the tenant's own, known before deployment
    zone_id: pulumi.Input[str]


class DatabaseArgs(TypedDict):
    resource_group_name: pulumi.Input[str]
    location: str
    server_name: str
    version: str
    sku_name: str
    storage_gb: int
    high_availability: bool
    backup_retention_days: int
    geo_backup: GeoBackupKey | None  # tiers with geo-redundant backup, in regions with a pair
    deletion_protection: bool
    performance_insights: bool
    connection_pool: int
    database_name: str
    delegated_subnet_id: pulumi.Input[str] | None  # silo: VNet integration
    private_zone_id: pulumi.Input[str] | None
    private_endpoint: NotRequired[StaticEndpoint]  # pooled: a private endpoint instead of VNet integration
    identity_id: pulumi.Input[str]
    key_uri: pulumi.Input[str]  # versioned
    key_grants: list[pulumi.Resource]
    workspace_id: pulumi.Input[str]
    tags: dict[str, str]


class Database(pulumi.ComponentResource):
    server_id: pulumi.Output[str]
    endpoint: pulumi.Output[str]

    def __init__(self, name: str, args: DatabaseArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("tenant-platform:azure:Database", name, None, opts)
        rg, tags = args["resource_group_name"], args["tags"]
        geo = args["geo_backup"]

        # Generated, stored only as a Pulumi secret; never in YAML or plain state.
        password = random.RandomPassword(f"{name}-admin-password", length=32, special=False, opts=child(self))

        identities = [args["identity_id"]] + ([geo["identity_id"]] if geo else [])
        data_encryption: dict[str, object] = {
            # Data, WAL and backups encrypted with the tenant key.
            "type": "AzureKeyVault",
            "primary_key_uri": args["key_uri"],
            "primary_user_assigned_identity_id": args["identity_id"],
        }
        if geo:
            # Geo-redundant backups are encrypted with a key of the paired region.
            data_encryption.update(
                geo_backup_key_uri=geo["key_uri"], geo_backup_user_assigned_identity_id=geo["identity_id"]
            )

        server = azure.dbforpostgresql.Server(  # type: ignore[call-overload]  # nested dict inputs
            f"{name}-server",
            resource_group_name=rg,
            location=args["location"],
            server_name=args["server_name"],
            version=args["version"],
            sku={"name": args["sku_name"], "tier": sku_tier(args["sku_name"])},
            administrator_login="tenantadmin",
            administrator_login_password=password.result,
            auth_config={"active_directory_auth": "Enabled", "password_auth": "Enabled"},
            identity=pulumi.Output.all(*identities).apply(server_identity),
            data_encryption=data_encryption,
            network=server_network(args),
            storage={"storage_size_gb": storage_size_gb(args["storage_gb"]), "auto_grow": "Enabled"},
            backup={
                "backup_retention_days": backup_days(args["backup_retention_days"]),
                "geo_redundant_backup": "Enabled" if geo else "Disabled",
            },
            high_availability={"mode": "ZoneRedundant" if args["high_availability"] else "Disabled"},
            tags=tags,
            opts=child(self, depends_on=args["key_grants"]),
        )

        static = args.get("private_endpoint")
        if static:
            private_endpoint(
                name, self, resource_group_name=rg, location=args["location"], subnet_id=static["subnet_id"],
                target_id=server.id, label="postgres", group_id=PRIVATE_LINK_GROUP, zone_id=static["zone_id"],
                tags=tags, static_address=static["address"],
            )

        settings = {
            # TLS only, 1.2 or newer: the server refuses unencrypted connections.
            "require_secure_transport": "ON",
            "ssl_min_protocol_version": "TLSv1.2",
            "max_connections": str(args["connection_pool"] + RESERVED_CONNECTIONS),
            "log_connections": "ON",
            "log_disconnections": "ON",
            "pg_qs.query_capture_mode": "TOP" if args["performance_insights"] else "NONE",
        }
        previous: list[pulumi.Resource] = []
        for key, value in settings.items():
            # One at a time: a flexible server rejects concurrent configuration updates.
            setting = azure.dbforpostgresql.Configuration(
                f"{name}-{key.replace('.', '-').replace('_', '-')}",
                resource_group_name=rg,
                server_name=server.name,
                configuration_name=key,
                value=value,
                source="user-override",
                opts=child(self, depends_on=previous),
            )
            previous = [setting]

        azure.dbforpostgresql.Database(
            f"{name}-database",
            resource_group_name=rg,
            server_name=server.name,
            database_name=args["database_name"],
            charset="UTF8",
            collation="en_US.utf8",
            opts=child(self, depends_on=previous),
        )

        azure.monitor.DiagnosticSetting(
            f"{name}-diagnostics",
            resource_uri=server.id,
            workspace_id=args["workspace_id"],
            logs=[{"category_group": "allLogs", "enabled": True}],
            metrics=[{"category": "AllMetrics", "enabled": True}],
            opts=child(self),
        )

        if args["deletion_protection"]:
            # Flexible Server has no deletion-protection flag; a CanNotDelete lock is Azure's equivalent.
            azure.authorization.ManagementLockByScope(
                f"{name}-lock",
                scope=server.id,
                level="CanNotDelete",
                notes="tenant-platform: deletion protection (tier default)",
                opts=child(self),
            )

        self.server_id = server.id
        self.endpoint = server.fully_qualified_domain_name
        self.register_outputs({"serverId": self.server_id, "endpoint": self.endpoint})
