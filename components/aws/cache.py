"""Redis on ElastiCache: encrypted at rest with the tenant key, TLS required, AUTH token as a secret."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any, TypedDict

import pulumi
import pulumi_aws as aws
import pulumi_random as random

from components.aws.common import child, data_service_security_group, physical_name
from components.naming import cache_name
from components.retention import cloudwatch_days

PORT = 6379
# ElastiCache AUTH tokens allow only these special characters.
TOKEN_SPECIALS = "!&#$^<>-"


def host_port(args: list[Any]) -> str:
    host, port = args
    return f"{host}:{port}"


def _connection(args: list[Any]) -> str:
    host, token = args
    return json.dumps({"host": host, "port": PORT, "tls": True, "authToken": token})


class CacheArgs(TypedDict):
    provider: aws.Provider
    base_name: str
    vpc_id: pulumi.Input[str]
    subnet_ids: pulumi.Input[list[str]] | list[pulumi.Output[str]]
    client_security_group_id: pulumi.Input[str]
    key_arn: pulumi.Input[str]
    engine_version: str
    node_type: str
    replicas: int
    snapshot_retention_days: int
    log_retention: timedelta
    tags: dict[str, str]


class Cache(pulumi.ComponentResource):
    endpoint: pulumi.Output[str]
    replication_group_id: pulumi.Output[str]
    secret_arn: pulumi.Output[str]
    security_group_id: pulumi.Output[str]

    def __init__(self, name: str, args: CacheArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("tenant-platform:aws:Cache", name, None, opts)
        provider, tags, base = args["provider"], args["tags"], args["base_name"]
        group_id = cache_name(base, "aws")  # ElastiCache ids: at most 40 characters
        ha = args["replicas"] >= 1

        subnets = aws.elasticache.SubnetGroup(
            f"{name}-subnets",
            name=group_id,
            description=f"Private subnets of {base}'s cache",
            subnet_ids=args["subnet_ids"],
            tags=tags,
            opts=child(self, provider),
        )
        sg = data_service_security_group(
            f"{name}-sg", self, provider, base=base, suffix="redis", service="Redis", port=PORT,
            vpc_id=args["vpc_id"], client_security_group_id=args["client_security_group_id"], tags=tags,
        )
        # The AUTH token is generated, stored only as a secret, and never written in a file.
        token = random.RandomPassword(
            f"{name}-auth-token",
            length=64,
            special=True,
            override_special=TOKEN_SPECIALS,
            opts=pulumi.ResourceOptions(parent=self),
        )
        slow_log = aws.cloudwatch.LogGroup(
            f"{name}-slow-log",
            name=f"/tenant-platform/{base}/redis-slow-log",
            retention_in_days=cloudwatch_days(args["log_retention"]),
            kms_key_id=args["key_arn"],
            tags=tags,
            opts=child(self, provider),
        )
        group = aws.elasticache.ReplicationGroup(
            f"{name}-redis",
            replication_group_id=group_id,
            description=f"Redis of {base}",
            engine="redis",
            engine_version=args["engine_version"],
            node_type=args["node_type"],
            port=PORT,
            num_cache_clusters=1 + args["replicas"],
            # With a replica, a failed primary is replaced automatically, in another zone.
            automatic_failover_enabled=ha,
            multi_az_enabled=ha,
            subnet_group_name=subnets.name,
            security_group_ids=[sg.id],
            # Encryption at rest with the tenant key (data, swap, snapshots).
            at_rest_encryption_enabled=True,
            kms_key_id=args["key_arn"],
            # TLS in transit, required: plaintext clients are refused.
            transit_encryption_enabled=True,
            transit_encryption_mode="required",
            auth_token=token.result,
            auth_token_update_strategy="ROTATE",
            snapshot_retention_limit=args["snapshot_retention_days"],
            snapshot_window="01:00-02:00",
            maintenance_window="sun:04:30-sun:05:30",
            final_snapshot_identifier=physical_name(base, "redis-final", 255),
            auto_minor_version_upgrade=True,
            apply_immediately=False,
            log_delivery_configurations=[
                {
                    "destination": slow_log.name,
                    "destination_type": "cloudwatch-logs",
                    "log_format": "json",
                    "log_type": "slow-log",
                }
            ],
            tags=tags,
            opts=child(self, provider),
        )
        connection: pulumi.Output[str] = pulumi.Output.all(group.primary_endpoint_address, token.result).apply(
            _connection
        )
        # The workload reads host and token from here (via its IRSA role), encrypted with the tenant key.
        secret = aws.secretsmanager.Secret(
            f"{name}-auth-secret",
            name=f"tenant-platform/{base}/redis",
            description=f"Redis endpoint and AUTH token of {base}",
            kms_key_id=args["key_arn"],
            recovery_window_in_days=7,
            tags=tags,
            opts=child(self, provider),
        )
        aws.secretsmanager.SecretVersion(
            f"{name}-auth-secret-value",
            secret_id=secret.id,
            secret_string=connection,  # secret: derived from the token, which is one
            opts=child(self, provider),
        )
        self.endpoint = pulumi.Output.all(group.primary_endpoint_address, PORT).apply(host_port)
        self.replication_group_id = group.replication_group_id
        self.secret_arn = secret.arn
        self.security_group_id = sg.id
        self.register_outputs(
            {"endpoint": self.endpoint, "replicationGroupId": self.replication_group_id, "secretArn": secret.arn}
        )
