"""Resilience by tier: backup retention, deletion protection and multi-zone HA where the tier requires them."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import Severity

from .base import AVAILABILITY, BACKUP, Context, Meta, as_int, as_list, get, resource_policy, string_list, truthy

MIN_BACKUP_DAYS = {"free": 1, "standard": 7, "premium": 7, "enterprise": 14}
MIN_SNAPSHOT_DAYS = {"free": 0, "standard": 1, "premium": 3, "enterprise": 7}
HA_TIERS = ["premium", "enterprise"]
PROTECTED_TIERS = ["standard", "premium", "enterprise"]

BACKUP_SCHEMA = {
    "minBackupRetentionDays": {
        "type": "object",
        "additionalProperties": {"type": "integer", "minimum": 0},
        "default": MIN_BACKUP_DAYS,
        "description": "Minimum automated backup retention in days per tier.",
    }
}
SNAPSHOT_SCHEMA = {
    "minSnapshotRetentionDays": {
        "type": "object",
        "additionalProperties": {"type": "integer", "minimum": 0},
        "default": MIN_SNAPSHOT_DAYS,
        "description": "Minimum cache snapshot retention in days per tier.",
    }
}
HA_SCHEMA = {
    "haTiers": string_list(HA_TIERS, "Tiers whose databases and caches must be multi-zone.")
}
PROTECT_SCHEMA = {
    "protectedTiers": string_list(PROTECTED_TIERS, "Tiers whose databases must refuse deletion.")
}


def _meta(name: str, description: str, remediation: str, controls: Any, config: dict[str, Any]) -> Meta:
    return Meta(name, description, Severity.MEDIUM, remediation, controls, "resilience", False, config)


def _needs(ctx: Context, key: str, default: list[str]) -> bool:
    return ctx.tier is not None and ctx.tier in as_list(ctx.setting(key, default))


def _backup(
    prop_path: tuple[str, ...],
    noun: str,
    shown: str,
    table: str = "minBackupRetentionDays",
    default: Mapping[str, int] = MIN_BACKUP_DAYS,
    provider_default: int = 0,
) -> Any:
    def check(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
        minimum = ctx.by_tier(table, default)
        if minimum is None:
            return
        minimum = int(minimum)
        days = as_int(get(props, *prop_path))
        days = provider_default if days is None else days
        if days < int(minimum):
            yield f"{noun} must keep backups for at least {minimum} days on the {ctx.tier} tier ({shown} ≥ {minimum})."

    return check


def _gcp_sql_backup(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    minimum = ctx.by_tier("minBackupRetentionDays", MIN_BACKUP_DAYS)
    if minimum is None:
        return
    minimum = int(minimum)
    backup = get(props, "settings", "backupConfiguration")
    kept = as_int(get(backup, "backupRetentionSettings", "retainedBackups"))
    kept = 7 if kept is None else kept
    if not truthy(get(backup, "enabled")) or kept < int(minimum):
        yield (
            f"Cloud SQL instance must keep backups for at least {minimum} days on the {ctx.tier} tier "
            f"(settings.backupConfiguration.enabled, retainedBackups ≥ {minimum})."
        )


def _rds_protection(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    if _needs(ctx, "protectedTiers", PROTECTED_TIERS) and not truthy(props.get("deletionProtection")):
        yield f"RDS instance must set deletionProtection: true on the {ctx.tier} tier."


def _sql_protection(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    if not _needs(ctx, "protectedTiers", PROTECTED_TIERS):
        return
    if props.get("deletionProtection") is False or not truthy(get(props, "settings", "deletionProtectionEnabled")):
        yield (
            f"Cloud SQL instance must refuse deletion on the {ctx.tier} tier "
            "(deletionProtection and settings.deletionProtectionEnabled: true)."
        )


def _rds_ha(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    if _needs(ctx, "haTiers", HA_TIERS) and not truthy(props.get("multiAz")):
        yield f"RDS instance must set multiAz: true on the {ctx.tier} tier."


def _elasticache_ha(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    if _needs(ctx, "haTiers", HA_TIERS) and not (
        truthy(props.get("automaticFailoverEnabled")) and truthy(props.get("multiAzEnabled"))
    ):
        yield f"ElastiCache replication group must set automaticFailoverEnabled and multiAzEnabled: true on the {ctx.tier} tier."


def _azure_pg_ha(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    if _needs(ctx, "haTiers", HA_TIERS) and get(props, "highAvailability", "mode") != "ZoneRedundant":
        yield f"PostgreSQL flexible server must set highAvailability.mode: ZoneRedundant on the {ctx.tier} tier."


def _azure_redis_ha(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    if not _needs(ctx, "haTiers", HA_TIERS):
        return
    if ctx.resource_type == "azure-native:redis:Redis":
        ok = len(as_list(props.get("zones"))) >= 2 and get(props, "sku", "name") == "Premium"
    else:
        ok = props.get("highAvailability") != "Disabled" and len(as_list(props.get("zones"))) >= 2
    if not ok:
        yield f"Azure Redis must be zone-redundant on the {ctx.tier} tier (zones across at least two availability zones)."


def _sql_ha(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    if _needs(ctx, "haTiers", HA_TIERS) and get(props, "settings", "availabilityType") != "REGIONAL":
        yield f"Cloud SQL instance must set settings.availabilityType: REGIONAL on the {ctx.tier} tier."


def _memorystore_ha(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    if _needs(ctx, "haTiers", HA_TIERS) and props.get("tier") != "STANDARD_HA":
        yield f"Memorystore instance must use tier STANDARD_HA on the {ctx.tier} tier."


BACKUP_FIX = "Raise the retention to the tier's minimum (database.backup_retention_days in the tenant file)."
HA_FIX = "Deploy a synchronous standby in another zone (database.high_availability in the tenant file)."
PROTECT_FIX = "Turn deletion protection on (database.deletion_protection in the tenant file)."

POLICIES = [
    resource_policy(
        _meta(
            "aws-rds-backup-retention",
            "Checks that RDS backups are kept at least the tier's minimum.",
            BACKUP_FIX,
            BACKUP,
            BACKUP_SCHEMA,
        ),
        ["aws:rds/instance:Instance"],
        _backup(("backupRetentionPeriod",), "RDS instance", "backupRetentionPeriod"),
    ),
    resource_policy(
        _meta(
            "aws-rds-deletion-protection",
            "Checks that RDS instances refuse deletion on protected tiers.",
            PROTECT_FIX,
            BACKUP,
            PROTECT_SCHEMA,
        ),
        ["aws:rds/instance:Instance"],
        _rds_protection,
    ),
    resource_policy(
        _meta(
            "aws-rds-multi-az",
            "Checks that RDS instances are Multi-AZ on tiers that require HA.",
            HA_FIX,
            AVAILABILITY,
            HA_SCHEMA,
        ),
        ["aws:rds/instance:Instance"],
        _rds_ha,
    ),
    resource_policy(
        _meta(
            "aws-elasticache-backup-retention",
            "Checks that ElastiCache snapshots are kept at least the tier's minimum.",
            "Raise snapshotRetentionLimit (cache.snapshot_retention_days in the tenant file).",
            BACKUP,
            SNAPSHOT_SCHEMA,
        ),
        ["aws:elasticache/replicationGroup:ReplicationGroup"],
        _backup(
            ("snapshotRetentionLimit",),
            "ElastiCache replication group",
            "snapshotRetentionLimit",
            "minSnapshotRetentionDays",
            MIN_SNAPSHOT_DAYS,
        ),
    ),
    resource_policy(
        _meta(
            "aws-elasticache-multi-az",
            "Checks that ElastiCache fails over across zones on tiers that require HA.",
            "Add a replica (cache.replicas ≥ 1) and enable automatic failover and Multi-AZ.",
            AVAILABILITY,
            HA_SCHEMA,
        ),
        ["aws:elasticache/replicationGroup:ReplicationGroup"],
        _elasticache_ha,
    ),
    resource_policy(
        _meta(
            "azure-postgresql-backup-retention",
            "Checks that PostgreSQL backups are kept at least the tier's minimum.",
            BACKUP_FIX,
            BACKUP,
            BACKUP_SCHEMA,
        ),
        ["azure-native:dbforpostgresql:Server"],
        _backup(
            ("backup", "backupRetentionDays"), "PostgreSQL flexible server", "backup.backupRetentionDays", provider_default=7
        ),
    ),
    resource_policy(
        _meta(
            "azure-postgresql-zone-redundant",
            "Checks that PostgreSQL is zone-redundant on tiers that require HA.",
            HA_FIX,
            AVAILABILITY,
            HA_SCHEMA,
        ),
        ["azure-native:dbforpostgresql:Server"],
        _azure_pg_ha,
    ),
    resource_policy(
        _meta(
            "azure-redis-zone-redundant",
            "Checks that Azure Redis is zone-redundant on tiers that require HA.",
            "Spread the cache over at least two zones with a replica.",
            AVAILABILITY,
            HA_SCHEMA,
        ),
        ["azure-native:redis:Redis", "azure-native:redisenterprise:RedisEnterprise"],
        _azure_redis_ha,
    ),
    resource_policy(
        _meta(
            "gcp-sql-backup-retention",
            "Checks that Cloud SQL backups are on and kept at least the tier's minimum.",
            BACKUP_FIX,
            BACKUP,
            BACKUP_SCHEMA,
        ),
        ["gcp:sql/databaseInstance:DatabaseInstance"],
        _gcp_sql_backup,
    ),
    resource_policy(
        _meta(
            "gcp-sql-deletion-protection",
            "Checks that Cloud SQL instances refuse deletion on protected tiers.",
            PROTECT_FIX,
            BACKUP,
            PROTECT_SCHEMA,
        ),
        ["gcp:sql/databaseInstance:DatabaseInstance"],
        _sql_protection,
    ),
    resource_policy(
        _meta(
            "gcp-sql-regional-ha", "Checks that Cloud SQL is regional on tiers that require HA.", HA_FIX, AVAILABILITY, HA_SCHEMA
        ),
        ["gcp:sql/databaseInstance:DatabaseInstance"],
        _sql_ha,
    ),
    resource_policy(
        _meta(
            "gcp-redis-standard-ha",
            "Checks that Memorystore uses the STANDARD_HA tier on tiers that require HA.",
            "Use tier STANDARD_HA (cache.replicas ≥ 1).",
            AVAILABILITY,
            HA_SCHEMA,
        ),
        ["gcp:redis/instance:Instance"],
        _memorystore_ha,
    ),
]
