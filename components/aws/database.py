"""PostgreSQL on RDS: private, encrypted with the tenant key, TLS-only, managed master password.

RDS for PostgreSQL rather than Aurora, on every tier including enterprise:
- the spec sizes storage (``storage_gb``/``max_storage_gb`` with storage autoscaling) and asks for a
  synchronous standby in another zone (``high_availability``): that is RDS Multi-AZ, one resource;
- one engine path means one set of policies, alarms and runbooks for hundreds of tenants, and the
  same parameter group (TLS, connection limits) everywhere;
- Aurora's gains (fast failover, up to 15 readers) need a cluster plus instances and per-I/O
  billing that a single tenant's workload rarely justifies; a tenant that needs them is a new tier.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, TypedDict

import pulumi
import pulumi_aws as aws

from components.aws.common import child, data_service_security_group, physical_name
from components.naming import database_name
from components.retention import cloudwatch_days

PORT = 5432
LOG_EXPORTS = ["postgresql", "upgrade"]
# Connections kept outside the workload's pool: RDS's own agents, superusers, migrations, operators.
RESERVED_CONNECTIONS = 20


def max_connections(connection_pool: int) -> int:
    """The server accepts the tenant's pool plus a reserve, so a full pool never locks operators out."""
    return connection_pool + RESERVED_CONNECTIONS


def _secret_arn(secrets: Any) -> str:
    if not secrets:
        return ""
    first = secrets[0]
    return str(first.secret_arn if hasattr(first, "secret_arn") else first["secretArn"])


class DatabaseArgs(TypedDict):
    provider: aws.Provider
    base_name: str
    vpc_id: pulumi.Input[str]
    subnet_ids: pulumi.Input[list[str]] | list[pulumi.Output[str]]
    client_security_group_id: pulumi.Input[str]  # silo: the nodes; pooled: the tenant pod group. The only source
    key_arn: pulumi.Input[str]
    engine_version: str
    instance_class: str
    storage_gb: int
    max_storage_gb: int
    high_availability: bool
    backup_retention_days: int
    deletion_protection: bool
    performance_insights: bool
    connection_pool: int
    log_retention: timedelta
    tags: dict[str, str]


class Database(pulumi.ComponentResource):
    endpoint: pulumi.Output[str]
    address: pulumi.Output[str]
    identifier: pulumi.Output[str]
    master_secret_arn: pulumi.Output[str]
    security_group_id: pulumi.Output[str]

    def __init__(self, name: str, args: DatabaseArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("tenant-platform:aws:Database", name, None, opts)
        provider, tags, base = args["provider"], args["tags"], args["base_name"]
        identifier = database_name(base, "aws")
        major = args["engine_version"]

        subnets = aws.rds.SubnetGroup(
            f"{name}-subnets",
            name=physical_name(base, "pg", 255),
            description=f"Private subnets of {base}'s database",
            subnet_ids=args["subnet_ids"],
            tags=tags,
            opts=child(self, provider),
        )
        sg = data_service_security_group(
            f"{name}-sg", self, provider, base=base, suffix="pg", service="PostgreSQL", port=PORT,
            vpc_id=args["vpc_id"], client_security_group_id=args["client_security_group_id"], tags=tags,
        )
        params = aws.rds.ParameterGroup(
            f"{name}-params",
            name=physical_name(base, f"pg{major}", 255),
            family=f"postgres{major}",
            description=f"TLS-only PostgreSQL {major} for {base}",
            parameters=[
                # TLS in transit: plaintext connections are refused by the server itself.
                {"name": "rds.force_ssl", "value": "1", "apply_method": "pending-reboot"},
                # No TLS 1.0/1.1.
                {"name": "ssl_min_protocol_version", "value": "TLSv1.2", "apply_method": "pending-reboot"},
                {"name": "max_connections", "value": str(max_connections(args["connection_pool"])),
                 "apply_method": "pending-reboot"},
                # Connection audit trail in the (encrypted) postgresql log export.
                {"name": "log_connections", "value": "1", "apply_method": "immediate"},
                {"name": "log_disconnections", "value": "1", "apply_method": "immediate"},
            ],
            tags=tags,
            opts=child(self, provider),
        )
        # RDS would create these log groups unencrypted and never-expiring; created first, they are neither.
        log_groups = [
            aws.cloudwatch.LogGroup(
                f"{name}-{kind}-logs",
                name=f"/aws/rds/instance/{identifier}/{kind}",
                retention_in_days=cloudwatch_days(args["log_retention"]),
                kms_key_id=args["key_arn"],
                tags=tags,
                opts=child(self, provider),
            )
            for kind in LOG_EXPORTS
        ]
        instance = aws.rds.Instance(
            f"{name}-pg",
            identifier=identifier,
            engine="postgres",
            engine_version=major,
            auto_minor_version_upgrade=True,
            instance_class=args["instance_class"],
            allocated_storage=args["storage_gb"],
            max_allocated_storage=args["max_storage_gb"],
            storage_type="gp3",
            # Encryption at rest (data, snapshots, backups, replicas) with the tenant key.
            storage_encrypted=True,
            kms_key_id=args["key_arn"],
            db_name="app",
            username="tenant_admin",
            # The master password is generated and rotated by RDS in Secrets Manager, under the tenant
            # key: it never appears in the program, the state or the plan.
            manage_master_user_password=True,
            master_user_secret_kms_key_id=args["key_arn"],
            iam_database_authentication_enabled=True,
            db_subnet_group_name=subnets.name,
            vpc_security_group_ids=[sg.id],
            # Never reachable from the internet, whatever the subnets' routes.
            publicly_accessible=False,
            port=PORT,
            parameter_group_name=params.name,
            ca_cert_identifier="rds-ca-rsa2048-g1",
            multi_az=args["high_availability"],
            backup_retention_period=args["backup_retention_days"],
            backup_window="02:00-03:00",
            maintenance_window="sun:03:30-sun:04:30",
            copy_tags_to_snapshot=True,
            delete_automated_backups=False,
            deletion_protection=args["deletion_protection"],
            # Destroying the stack leaves a final, encrypted snapshot.
            skip_final_snapshot=False,
            final_snapshot_identifier=physical_name(base, "pg-final", 255),
            performance_insights_enabled=args["performance_insights"],
            performance_insights_kms_key_id=args["key_arn"] if args["performance_insights"] else None,
            performance_insights_retention_period=7 if args["performance_insights"] else None,
            enabled_cloudwatch_logs_exports=LOG_EXPORTS,
            apply_immediately=False,
            tags=tags,
            opts=child(self, provider, depends_on=log_groups),
        )
        self.endpoint = instance.endpoint
        self.address = instance.address
        self.identifier = instance.identifier
        self.master_secret_arn = instance.master_user_secrets.apply(_secret_arn)
        self.security_group_id = sg.id
        self.register_outputs(
            {"endpoint": self.endpoint, "identifier": self.identifier, "masterSecretArn": self.master_secret_arn}
        )
