"""Encryption in transit: TLS forced on PostgreSQL and Redis, TLS 1.2 at least where settable."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import Severity

from .base import TRANSIT, Context, Meta, as_list, get, is_set, resource_policy, truthy

REMEDIATE = "Force TLS on the service (reject plaintext connections) and set the minimum protocol to TLS 1.2."
TLS_OK = {"tlsv1.2", "tlsv1.3", "1.2", "1.3"}


def _meta(name: str, description: str) -> Meta:
    return Meta(name, description, Severity.HIGH, REMEDIATE, TRANSIT, "transit", True)


def _aws_rds_tls(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    if ctx.resource_type == "aws:rds/instance:Instance":
        group = props.get("parameterGroupName")
        if not is_set(group) or str(group).startswith("default."):
            yield "RDS instance must use the tenant's parameter group that forces TLS (parameterGroupName)."
        return
    if not str(props.get("family") or "").startswith("postgres"):
        return
    params = {str(get(p, "name")): str(get(p, "value")) for p in as_list(props.get("parameters"))}
    if params.get("rds.force_ssl") != "1":
        yield "RDS parameter group must set rds.force_ssl to 1."
    if "ssl_min_protocol_version" in params and params["ssl_min_protocol_version"].lower() not in TLS_OK:
        yield "RDS parameter group must set ssl_min_protocol_version to TLSv1.2 or later."


def _elasticache_tls(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    if not truthy(props.get("transitEncryptionEnabled")) or str(props.get("transitEncryptionMode") or "required") != "required":
        yield "ElastiCache replication group must set transitEncryptionEnabled: true with transitEncryptionMode required."


def _azure_redis_tls(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    if ctx.resource_type == "azure-native:redisenterprise:Database":
        if str(props.get("clientProtocol") or "Encrypted") != "Encrypted":
            yield "Redis Enterprise database must set clientProtocol: Encrypted."
        return
    if ctx.resource_type == "azure-native:redis:Redis" and truthy(props.get("enableNonSslPort")):
        yield "Azure Cache for Redis must keep the non-TLS port closed (enableNonSslPort: false)."
    if str(props.get("minimumTlsVersion") or "").lower() not in TLS_OK:
        yield "Azure Cache for Redis must set minimumTlsVersion to 1.2 or later."


def _azure_pg_tls(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    name = str(props.get("configurationName") or "").lower()
    value = str(props.get("value") or "").lower()
    if name == "require_secure_transport" and value not in {"on", "true", "1"}:
        yield "PostgreSQL flexible server must keep require_secure_transport on."
    if name == "ssl_min_protocol_version" and value not in TLS_OK:
        yield "PostgreSQL flexible server must set ssl_min_protocol_version to TLSv1.2 or later."


def _gcp_sql_tls(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    mode = get(props, "settings", "ipConfiguration", "sslMode")
    if mode not in {"ENCRYPTED_ONLY", "TRUSTED_CLIENT_CERTIFICATE_REQUIRED"}:
        yield (
            "Cloud SQL instance must set settings.ipConfiguration.sslMode to ENCRYPTED_ONLY "
            "or TRUSTED_CLIENT_CERTIFICATE_REQUIRED."
        )


def _gcp_redis_tls(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    if props.get("transitEncryptionMode") != "SERVER_AUTHENTICATION":
        yield "Memorystore instance must set transitEncryptionMode: SERVER_AUTHENTICATION."


POLICIES = [
    resource_policy(
        _meta("aws-rds-tls", "Checks that RDS PostgreSQL forces TLS through the tenant's parameter group."),
        ["aws:rds/instance:Instance", "aws:rds/parameterGroup:ParameterGroup"],
        _aws_rds_tls,
    ),
    resource_policy(
        _meta("aws-elasticache-tls", "Checks that ElastiCache accepts TLS connections only."),
        ["aws:elasticache/replicationGroup:ReplicationGroup"],
        _elasticache_tls,
    ),
    resource_policy(
        _meta("azure-redis-tls", "Checks that Azure Redis accepts TLS 1.2+ only and keeps the non-TLS port closed."),
        ["azure-native:redis:Redis", "azure-native:redisenterprise:RedisEnterprise", "azure-native:redisenterprise:Database"],
        _azure_redis_tls,
    ),
    resource_policy(
        _meta("azure-postgresql-tls", "Checks that PostgreSQL flexible servers keep TLS 1.2+ required."),
        ["azure-native:dbforpostgresql:Configuration"],
        _azure_pg_tls,
    ),
    resource_policy(
        _meta("gcp-sql-tls", "Checks that Cloud SQL instances reject unencrypted connections."),
        ["gcp:sql/databaseInstance:DatabaseInstance"],
        _gcp_sql_tls,
    ),
    resource_policy(
        _meta("gcp-redis-tls", "Checks that Memorystore Redis instances require TLS."),
        ["gcp:redis/instance:Instance"],
        _gcp_redis_tls,
    ),
]
