"""Encryption at rest with the tenant's customer-managed key, and key rotation."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import Severity

from .base import ENCRYPTION, KEY_MANAGEMENT, Context, Meta, as_int, as_list, get, is_set, resource_policy, truthy

REMEDIATE_CMK = (
    "Create the resource with the tenant's customer-managed key (the key the tenant's component creates) "
    "and enable encryption explicitly; never rely on the provider's default or a provider-managed key."
)


def customer_key(value: Any) -> bool:
    """A key reference that is set and is not a provider-managed alias (``alias/aws/...``)."""
    # Either spelling of an AWS-managed alias: ``alias/aws/sns`` or ``arn:aws:kms:<region>:<acct>:alias/aws/sns``.
    return is_set(value) and not (isinstance(value, str) and re.match(r"^(arn:[^:]+:kms:[^:]*:[^:]*:)?alias/aws/", value.strip()))


def _meta(
    name: str,
    description: str,
    severity: Severity = Severity.HIGH,
    controls: Any = ENCRYPTION,
    remediation: str = REMEDIATE_CMK,
    config: Mapping[str, dict[str, Any]] | None = None,
) -> Meta:
    # Encryption at rest is critical (never waivable); key rotation is key management, which may be.
    critical = not name.endswith("-key-rotation")
    return Meta(name, description, severity, remediation, controls, "encryption", True, dict(config or {}), critical)


# ------------------------------------------------------------------ AWS


def _kms_rotation(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    if not truthy(props.get("enableKeyRotation")):
        yield "KMS key must set enableKeyRotation: true."


def _eks_secrets(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    config = props.get("encryptionConfig")
    if not customer_key(get(config, "provider", "keyArn")) or "secrets" not in as_list(get(config, "resources")):
        yield (
            "EKS cluster must encrypt Kubernetes secrets with the tenant's KMS key "
            "(encryptionConfig.provider.keyArn, resources: [secrets])."
        )


def _aws_node_volumes(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    if ctx.resource_type == "aws:eks/nodeGroup:NodeGroup":
        template = props.get("launchTemplate")
        if not (is_set(get(template, "id")) or is_set(get(template, "name"))):
            yield (
                "EKS node group must use a launch template whose volumes are encrypted with the "
                "tenant's KMS key (launchTemplate)."
            )
        return
    mappings = as_list(props.get("blockDeviceMappings"))
    if not mappings:
        yield 'Launch template must map its root volume with ebs.encrypted: "true" and ebs.kmsKeyId set to the tenant\'s KMS key.'
        return
    for mapping in mappings:
        ebs = get(mapping, "ebs")
        if ebs is not None and not (truthy(get(ebs, "encrypted")) and customer_key(get(ebs, "kmsKeyId"))):
            yield (
                f'Launch template volume {get(mapping, "deviceName") or "?"} must set ebs.encrypted: "true" '
                "and ebs.kmsKeyId to the tenant's KMS key."
            )


def _rds_storage(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    if not (truthy(props.get("storageEncrypted")) and customer_key(props.get("kmsKeyId"))):
        yield "RDS instance must set storageEncrypted: true and kmsKeyId to the tenant's KMS key."


def _rds_insights(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    if truthy(props.get("performanceInsightsEnabled")) and not customer_key(props.get("performanceInsightsKmsKeyId")):
        yield "RDS Performance Insights must be encrypted with the tenant's KMS key (performanceInsightsKmsKeyId)."


def _elasticache_rest(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    if not (truthy(props.get("atRestEncryptionEnabled")) and customer_key(props.get("kmsKeyId"))):
        yield "ElastiCache replication group must set atRestEncryptionEnabled: true and kmsKeyId to the tenant's KMS key."


def _sns(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    if not customer_key(props.get("kmsMasterKeyId")):
        yield "SNS topic must be encrypted with the tenant's KMS key (kmsMasterKeyId, not alias/aws/sns)."


def _log_group(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    if not customer_key(props.get("kmsKeyId")):
        yield "CloudWatch log group must be encrypted with the tenant's KMS key (kmsKeyId)."


# ------------------------------------------------------------------ Azure


def _keyvault_rotation(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    actions = as_list(get(props, "properties", "rotationPolicy", "lifetimeActions"))
    if not any(str(get(a, "action", "type") or "").lower() == "rotate" for a in actions):
        yield "Key Vault key must have a rotation policy with a Rotate lifetime action (properties.rotationPolicy)."


def _aks_secrets(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    kms = get(props, "securityProfile", "azureKeyVaultKms")
    if not (truthy(get(kms, "enabled")) and is_set(get(kms, "keyId"))):
        yield (
            "AKS cluster must encrypt Kubernetes secrets with the tenant's Key Vault key "
            "(securityProfile.azureKeyVaultKms.enabled, keyId)."
        )


def _aks_disks(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    if not is_set(props.get("diskEncryptionSetID")):
        yield "AKS cluster must encrypt node disks with a disk encryption set holding the tenant's key (diskEncryptionSetID)."


def _pg_cmk(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    encryption = props.get("dataEncryption")
    if str(get(encryption, "type") or "") != "AzureKeyVault" or not is_set(get(encryption, "primaryKeyURI")):
        yield "PostgreSQL flexible server must use dataEncryption.type: AzureKeyVault with primaryKeyURI set to the tenant's key."


def _redis_cmk(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    if ctx.resource_type == "azure-native:redis:Redis" or not is_set(
        get(props, "encryption", "customerManagedKeyEncryption", "keyEncryptionKeyUrl")
    ):
        yield (
            "Azure Cache for Redis must be Redis Enterprise with a customer-managed key "
            "(encryption.customerManagedKeyEncryption)."
        )


def _loganalytics_cmk(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    if ctx.resource_type == "azure-native:operationalinsights:Cluster":
        if not is_set(get(props, "keyVaultProperties", "keyName")):
            yield "Log Analytics cluster must encrypt with the tenant's Key Vault key (keyVaultProperties.keyName)."
        return
    if not is_set(get(props, "features", "clusterResourceId")):
        yield "Log Analytics workspace must be linked to a cluster encrypted with the tenant's key (features.clusterResourceId)."


# ------------------------------------------------------------------ GCP


def _gcp_rotation(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    limit = int(ctx.setting("maxRotationDays", 90))
    period = str(props.get("rotationPeriod") or "")
    seconds = as_int(period[:-1]) if period.endswith("s") else None
    if seconds is None or seconds > limit * 86400:
        yield f"Cloud KMS key must rotate at least every {limit} days (rotationPeriod ≤ {limit * 86400}s)."


def _gke_secrets(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    encryption = props.get("databaseEncryption")
    if str(get(encryption, "state") or "") != "ENCRYPTED" or not is_set(get(encryption, "keyName")):
        yield (
            "GKE cluster must encrypt Kubernetes secrets with the tenant's Cloud KMS key "
            "(databaseEncryption.state: ENCRYPTED, keyName)."
        )


def _gke_disks(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    configs: list[Any] = [props.get("nodeConfig")]
    if ctx.resource_type == "gcp:container/cluster:Cluster":
        if truthy(props.get("enableAutopilot")):
            return
        pools = as_list(props.get("nodePools"))
        # The default pool boots from the inline nodeConfig even when it is removed right after creation.
        keep_default = isinstance(props.get("nodeConfig"), Mapping) or not (truthy(props.get("removeDefaultNodePool")) or pools)
        configs = ([props.get("nodeConfig")] if keep_default else []) + [get(p, "nodeConfig") for p in pools]
    if any(not is_set(get(config, "bootDiskKmsKey")) for config in configs):
        yield "GKE nodes must encrypt boot disks with the tenant's Cloud KMS key (nodeConfig.bootDiskKmsKey)."


def _sql_cmk(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    if not is_set(props.get("encryptionKeyName")):
        yield "Cloud SQL instance must be encrypted with the tenant's Cloud KMS key (encryptionKeyName)."


def _memorystore_cmk(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    if not is_set(props.get("customerManagedKey")):
        yield "Memorystore instance must be encrypted with the tenant's Cloud KMS key (customerManagedKey)."


def _pubsub(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    if not is_set(props.get("kmsKeyName")):
        yield "Pub/Sub topic must be encrypted with the tenant's Cloud KMS key (kmsKeyName)."


def _logging_bucket(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    if not is_set(get(props, "cmekSettings", "kmsKeyName")):
        yield "Log bucket must be encrypted with the tenant's Cloud KMS key (cmekSettings.kmsKeyName)."


ROTATE = "Enable automatic rotation on the tenant's key in the key component."

POLICIES = [
    resource_policy(
        _meta(
            "aws-kms-key-rotation",
            "Checks that every KMS key rotates automatically.",
            controls=KEY_MANAGEMENT,
            remediation=ROTATE,
        ),
        ["aws:kms/key:Key"],
        _kms_rotation,
    ),
    resource_policy(
        _meta(
            "aws-eks-secrets-encryption",
            "Checks that EKS clusters envelope-encrypt Kubernetes secrets with the tenant's KMS key.",
            Severity.CRITICAL,
        ),
        ["aws:eks/cluster:Cluster"],
        _eks_secrets,
    ),
    resource_policy(
        _meta(
            "aws-eks-node-volume-encryption",
            "Checks that EKS node volumes are encrypted with the tenant's KMS key through a launch template.",
        ),
        ["aws:eks/nodeGroup:NodeGroup", "aws:ec2/launchTemplate:LaunchTemplate"],
        _aws_node_volumes,
    ),
    resource_policy(
        _meta(
            "aws-rds-storage-encryption",
            "Checks that RDS instances encrypt storage with the tenant's KMS key.",
            Severity.CRITICAL,
        ),
        ["aws:rds/instance:Instance"],
        _rds_storage,
    ),
    resource_policy(
        _meta(
            "aws-rds-performance-insights-encryption",
            "Checks that RDS Performance Insights data is encrypted with the tenant's KMS key.",
        ),
        ["aws:rds/instance:Instance"],
        _rds_insights,
    ),
    resource_policy(
        _meta(
            "aws-elasticache-encryption-at-rest",
            "Checks that ElastiCache replication groups encrypt data at rest with the tenant's KMS key.",
            Severity.CRITICAL,
        ),
        ["aws:elasticache/replicationGroup:ReplicationGroup"],
        _elasticache_rest,
    ),
    resource_policy(
        _meta("aws-sns-topic-encryption", "Checks that SNS topics are encrypted with the tenant's KMS key.", Severity.MEDIUM),
        ["aws:sns/topic:Topic"],
        _sns,
    ),
    resource_policy(
        _meta(
            "aws-cloudwatch-log-group-encryption",
            "Checks that CloudWatch log groups are encrypted with the tenant's KMS key.",
            Severity.MEDIUM,
        ),
        ["aws:cloudwatch/logGroup:LogGroup"],
        _log_group,
    ),
    resource_policy(
        _meta(
            "azure-keyvault-key-rotation",
            "Checks that every Key Vault key has an automatic rotation policy.",
            controls=KEY_MANAGEMENT,
            remediation=ROTATE,
        ),
        ["azure-native:keyvault:Key"],
        _keyvault_rotation,
    ),
    resource_policy(
        _meta(
            "azure-aks-secrets-encryption",
            "Checks that AKS clusters encrypt Kubernetes secrets with the tenant's Key Vault key.",
            Severity.CRITICAL,
        ),
        ["azure-native:containerservice:ManagedCluster"],
        _aks_secrets,
    ),
    resource_policy(
        _meta(
            "azure-aks-disk-encryption",
            "Checks that AKS node disks are encrypted with the tenant's key through a disk encryption set.",
        ),
        ["azure-native:containerservice:ManagedCluster"],
        _aks_disks,
    ),
    resource_policy(
        _meta(
            "azure-postgresql-cmk-encryption",
            "Checks that PostgreSQL flexible servers encrypt data with the tenant's Key Vault key.",
            Severity.CRITICAL,
        ),
        ["azure-native:dbforpostgresql:Server"],
        _pg_cmk,
    ),
    resource_policy(
        _meta(
            "azure-redis-cmk-encryption",
            "Checks that Redis caches encrypt data at rest with the tenant's customer-managed key.",
            Severity.CRITICAL,
        ),
        ["azure-native:redis:Redis", "azure-native:redisenterprise:RedisEnterprise"],
        _redis_cmk,
    ),
    resource_policy(
        _meta(
            "azure-loganalytics-cmk-encryption",
            "Checks that Log Analytics data is encrypted with the tenant's key through a dedicated cluster.",
            Severity.MEDIUM,
        ),
        ["azure-native:operationalinsights:Workspace", "azure-native:operationalinsights:Cluster"],
        _loganalytics_cmk,
    ),
    resource_policy(
        _meta(
            "gcp-kms-key-rotation",
            "Checks that every Cloud KMS key rotates automatically within the limit.",
            controls=KEY_MANAGEMENT,
            remediation=ROTATE,
            config={
                "maxRotationDays": {
                    "type": "integer",
                    "minimum": 1,
                    "default": 90,
                    "description": "Longest allowed rotation period in days.",
                }
            },
        ),
        ["gcp:kms/cryptoKey:CryptoKey"],
        _gcp_rotation,
    ),
    resource_policy(
        _meta(
            "gcp-gke-secrets-encryption",
            "Checks that GKE clusters encrypt Kubernetes secrets with the tenant's Cloud KMS key.",
            Severity.CRITICAL,
        ),
        ["gcp:container/cluster:Cluster"],
        _gke_secrets,
    ),
    resource_policy(
        _meta("gcp-gke-node-disk-encryption", "Checks that GKE node boot disks are encrypted with the tenant's Cloud KMS key."),
        ["gcp:container/nodePool:NodePool", "gcp:container/cluster:Cluster"],
        _gke_disks,
    ),
    resource_policy(
        _meta(
            "gcp-sql-cmk-encryption",
            "Checks that Cloud SQL instances are encrypted with the tenant's Cloud KMS key.",
            Severity.CRITICAL,
        ),
        ["gcp:sql/databaseInstance:DatabaseInstance"],
        _sql_cmk,
    ),
    resource_policy(
        _meta(
            "gcp-redis-cmk-encryption",
            "Checks that Memorystore Redis instances are encrypted with the tenant's Cloud KMS key.",
            Severity.CRITICAL,
        ),
        ["gcp:redis/instance:Instance"],
        _memorystore_cmk,
    ),
    resource_policy(
        _meta(
            "gcp-pubsub-topic-encryption",
            "Checks that Pub/Sub topics are encrypted with the tenant's Cloud KMS key.",
            Severity.MEDIUM,
        ),
        ["gcp:pubsub/topic:Topic"],
        _pubsub,
    ),
    resource_policy(
        _meta(
            "gcp-logging-bucket-encryption",
            "Checks that log buckets are encrypted with the tenant's Cloud KMS key.",
            Severity.MEDIUM,
        ),
        [
            "gcp:logging/projectBucketConfig:ProjectBucketConfig",
            "gcp:logging/folderBucketConfig:FolderBucketConfig",
            "gcp:logging/organizationBucketConfig:OrganizationBucketConfig",
            "gcp:logging/billingAccountBucketConfig:BillingAccountBucketConfig",
        ],
        _logging_bucket,
    ),
]
