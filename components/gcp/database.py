"""Cloud SQL for PostgreSQL: private IP only, encrypted connections only, CMEK, backups with PITR, HA by tier."""

from __future__ import annotations

from typing import TypedDict

import pulumi
import pulumi_gcp as gcp
import pulumi_random as random

from components.gcp.common import Project, child

# Connections reserved beside the workload's pool (superuser, replication, monitoring, migrations).
RESERVED_CONNECTIONS = 25
MAX_LOG_RETENTION_DAYS = 7  # Cloud SQL keeps at most 7 days of transaction logs for point-in-time recovery


class DatabaseArgs(TypedDict):
    project: Project
    instance_name: str
    version: str
    tier: str
    storage_gb: int
    max_storage_gb: int
    high_availability: bool
    backup_retention_days: int
    deletion_protection: bool
    performance_insights: bool
    connection_pool: int
    database_name: str
    network_id: pulumi.Input[str]
    key_id: pulumi.Input[str]
    depends_on: list[pulumi.Resource]  # key grants and the private service access peering
    labels: dict[str, str]


class Database(pulumi.ComponentResource):
    endpoint: pulumi.Output[str]
    instance_name: pulumi.Output[str]

    def __init__(self, name: str, args: DatabaseArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("tenant-platform:gcp:Database", name, None, opts)
        proj = args["project"]
        opts_ = child(self, proj.provider)
        instance = gcp.sql.DatabaseInstance(
            f"{name}-instance",
            name=args["instance_name"],
            project=proj.id,
            region=proj.region,
            database_version=f"POSTGRES_{args['version']}",
            encryption_key_name=args["key_id"],  # data, backups and replicas encrypted with the tenant key
            deletion_protection=args["deletion_protection"],
            settings={
                "tier": args["tier"],
                "edition": "ENTERPRISE",
                "availability_type": "REGIONAL" if args["high_availability"] else "ZONAL",
                "disk_type": "PD_SSD",
                "disk_size": args["storage_gb"],
                "disk_autoresize": True,
                "disk_autoresize_limit": args["max_storage_gb"],
                "deletion_protection_enabled": args["deletion_protection"],
                "ip_configuration": {
                    "ipv4_enabled": False,  # no public IPv4 address
                    "private_network": args["network_id"],
                    "ssl_mode": "ENCRYPTED_ONLY",  # unencrypted connections are refused
                },
                "backup_configuration": {
                    "enabled": True,
                    "point_in_time_recovery_enabled": True,
                    "start_time": "02:00",
                    "transaction_log_retention_days": min(args["backup_retention_days"], MAX_LOG_RETENTION_DAYS),
                    "backup_retention_settings": {
                        "retained_backups": args["backup_retention_days"],
                        "retention_unit": "COUNT",
                    },
                },
                "insights_config": {
                    "query_insights_enabled": args["performance_insights"],
                    "record_application_tags": args["performance_insights"],
                    "record_client_address": False,
                },
                "database_flags": [
                    {"name": "max_connections", "value": str(args["connection_pool"] + RESERVED_CONNECTIONS)},
                    {"name": "log_connections", "value": "on"},
                    {"name": "log_disconnections", "value": "on"},
                ],
                "user_labels": args["labels"],
            },
            opts=child(self, proj.provider, depends_on=args["depends_on"]),
        )
        # Generated, stored only as a Pulumi secret; never in YAML or plain state.
        password = random.RandomPassword(
            f"{name}-app-password", length=32, special=False, opts=pulumi.ResourceOptions(parent=self)
        )
        gcp.sql.Database(
            f"{name}-database", name=args["database_name"], instance=instance.name, project=proj.id, opts=opts_
        )
        gcp.sql.User(f"{name}-app-user", name="app", instance=instance.name, password=password.result,
                     project=proj.id, opts=opts_)
        self.instance_name = instance.name
        self.endpoint = instance.private_ip_address
        self.register_outputs({"endpoint": self.endpoint, "connectionName": instance.connection_name})
