"""Invariants of the AWS resources the components render (see the package docstring)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from . import Drop, Invariant, Set, Unset

LT = "aws:ec2/launchTemplate:LaunchTemplate"
RDS = "aws:rds/instance:Instance"
REDIS = "aws:elasticache/replicationGroup:ReplicationGroup"
EKS = "aws:eks/cluster:Cluster"
ROLE = "aws:iam/role:Role"
SG = "aws:ec2/securityGroup:SecurityGroup"
MANAGED_KEY = "arn:aws:kms:eu-west-1:123456789012:alias/aws/ebs"
ADMIN_DOC = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}'
PUBLIC_TRUST = '{"Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}]}'
NO_TLS_DENY = '{"Version": "2012-10-17", "Statement": []}'

S3_SSE = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
S3_PAB = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
S3_OWNERSHIP = "aws:s3/bucketOwnershipControls:BucketOwnershipControls"
S3_VERSIONING = "aws:s3/bucketVersioning:BucketVersioning"
S3_LIFECYCLE = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"
S3_POLICY = "aws:s3/bucketPolicy:BucketPolicy"
S3_LOGGING = "aws:s3/bucketLogging:BucketLogging"
PUBLIC_BUCKET_POLICY = (
    '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", '
    '"Resource": "arn:aws:s3:::tp-tenant-objects/*"}]}'
)
ANY_BUCKET_GRANT = (
    '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], '
    '"Resource": "arn:aws:s3:::*/*"}]}'
)


def _trusts(kind: str) -> Any:
    def where(props: Mapping[str, Any]) -> bool:
        return f'"{kind}"' in str(props.get("assumeRolePolicy") or "")

    return where


def _federated_without_subject(props: Mapping[str, Any]) -> bool:
    return _trusts("Federated")(props)


def _cni(props: Mapping[str, Any]) -> bool:
    return props.get("addonName") == "vpc-cni"


def _has_env(props: Mapping[str, Any]) -> bool:
    return "environment" in props


def _redis_sg(props: Mapping[str, Any]) -> bool:
    return bool(props.get("ingress"))


def _grants_s3(props: Mapping[str, Any]) -> bool:
    return '"s3:' in str(props.get("policy") or "")


ROWS: list[Invariant] = [
    # ---------------------------------------------------------------- KMS
    Invariant("aws:kms/key:Key", "enableKeyRotation", "true", "aws-kms-key-rotation", (Set("enableKeyRotation", False),),
              "one key version protects every byte for ever", ("CKV_AWS_7", "CIS AWS 3.6")),
    Invariant("aws:kms/key:Key", "policy", "root, logs, alarms and Auto Scaling principals, each scoped",
              "aws-kms-key-policy-no-public",
              (Set("policy", '{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "kms:*", "Resource": "*"}]}'),),
              "anyone in any account could use or administer the tenant key", ("CKV_AWS_33",)),
    Invariant("aws:kms/key:Key", "rotationPeriodInDays", "365", "aws-kms-key-rotation-period",
              (Set("rotationPeriodInDays", 2560),), "one key version protects seven years of data", ("CKV_AWS_7",)),
    Invariant("aws:kms/key:Key", "deletionWindowInDays", "30", "aws-kms-key-deletion-window",
              (Set("deletionWindowInDays", 7),), "a mistaken deletion destroys every backup within a week"),
    # ---------------------------------------------------------------- EC2 launch template (nodes)
    Invariant(LT, "metadataOptions.httpTokens", "required", "aws-ec2-imdsv2-required",
              (Set("metadataOptions.httpTokens", "optional"),),
              "IMDSv1: an SSRF in any pod reads the node role's credentials", ("CKV_AWS_79",)),
    Invariant(LT, "metadataOptions.httpPutResponseHopLimit", "1", "aws-ec2-metadata-hop-limit",
              (Set("metadataOptions.httpPutResponseHopLimit", 2),),
              "pods one hop away reach the node's instance credentials", ("CKV_AWS_341",)),
    Invariant(LT, "blockDeviceMappings.*.ebs.encrypted", '"true"', "aws-eks-node-volume-encryption",
              (Set("blockDeviceMappings.*.ebs.encrypted", "false"),),
              "node volumes (images, emptyDir, logs) readable from a snapshot", ("CKV_AWS_8", "CIS AWS 2.2.1")),
    Invariant(LT, "blockDeviceMappings.*.ebs.kmsKeyId", "the tenant's KMS key ARN", "aws-eks-node-volume-encryption",
              (Set("blockDeviceMappings.*.ebs.kmsKeyId", MANAGED_KEY),),
              "the AWS-managed key: no tenant revocation or crypto-shredding", ("CKV_AWS_8",)),
    Invariant("aws:eks/nodeGroup:NodeGroup", "launchTemplate", "the hardened launch template", "aws-ec2-imdsv2-required",
              (Unset("launchTemplate"),), "EKS's own template: IMDSv1 on, hop limit 2", ("CKV_AWS_79",)),
    Invariant("aws:eks/nodeGroup:NodeGroup", "remoteAccess", "unset (no SSH)", "aws-eks-node-group-no-remote-access",
              (Set("remoteAccess", {"ec2SshKey": "ops"}),), "SSH to every node from 0.0.0.0/0", ("CKV_AWS_100",)),
    # ---------------------------------------------------------------- VPC
    Invariant("aws:ec2/subnet:Subnet", "mapPublicIpOnLaunch", "false", "aws-ec2-no-public-ip",
              (Set("mapPublicIpOnLaunch", True),), "instances launched with internet-routable addresses", ("CKV_AWS_130",)),
    Invariant("aws:ec2/flowLog:FlowLog", "(exists)", "one per VPC", "aws-vpc-flow-logs", (Drop(),),
              "no record of who talked to the tenant's network", ("CKV2_AWS_11", "CIS AWS 3.7")),
    Invariant("aws:ec2/flowLog:FlowLog", "trafficType", "ALL", "aws-vpc-flow-logs", (Set("trafficType", "REJECT"),),
              "accepted flows (exfiltration) go unrecorded", ("CKV2_AWS_11", "CIS AWS 3.7")),
    Invariant("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup", "ingress", "[] (adopted without rules)",
              "aws-vpc-default-security-group-closed",
              (Set("ingress", [{"protocol": "-1", "fromPort": 0, "toPort": 0, "self": True}]),),
              "anything placed in the default group talks to everything else in it", ("CKV2_AWS_12", "CIS AWS 5.4")),
    Invariant("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup", "(exists)", "adopted per VPC",
              "aws-vpc-default-security-group-closed", (Drop(),),
              "the VPC keeps AWS's default group with its allow-all rules", ("CKV2_AWS_12", "CIS AWS 5.4")),
    Invariant(SG, "ingress.*.cidrBlocks", "none (source security group only)", "aws-vpc-no-public-ingress",
              (Set("ingress.*.cidrBlocks", ["0.0.0.0/0"]),), "the database or cache port open to the internet",
              ("CKV_AWS_24", "CKV_AWS_25", "CKV_AWS_260", "CIS AWS 5.2"), _redis_sg),
    Invariant(SG, "ingress.*.ipv6CidrBlocks", "none (source security group only)", "aws-vpc-no-public-ingress",
              (Set("ingress.*.ipv6CidrBlocks", ["::/0"]),), "the database or cache port open to the IPv6 internet",
              ("CKV_AWS_24", "CKV_AWS_25", "CIS AWS 5.3"), _redis_sg),
    Invariant(SG, "egress", "[] (data services initiate nothing)", "aws-vpc-no-open-egress",
              (Set("egress", [{"protocol": "-1", "fromPort": 0, "toPort": 0, "cidrBlocks": ["0.0.0.0/0"]}]),),
              "a compromised database or cache exfiltrates anywhere", ("CKV_AWS_382",), _redis_sg),
    # ---------------------------------------------------------------- EKS
    Invariant(EKS, "vpcConfig.endpointPublicAccess", "false", "aws-eks-private-endpoint",
              (Set("vpcConfig.endpointPublicAccess", True),), "the Kubernetes API reachable from the internet",
              ("CKV_AWS_39", "CKV_AWS_38", "CIS EKS 5.4.2")),
    Invariant(EKS, "vpcConfig.endpointPrivateAccess", "true", "aws-eks-private-endpoint",
              (Set("vpcConfig.endpointPrivateAccess", False),), "node and in-VPC API traffic leaves through the internet",
              ("CIS EKS 5.4.2",)),
    Invariant(EKS, "encryptionConfig.resources", "[secrets]", "aws-eks-secrets-encryption",
              (Unset("encryptionConfig"),), "Kubernetes Secrets stored in etcd without the tenant key",
              ("CKV_AWS_58", "CIS EKS 5.3.1")),
    Invariant(EKS, "encryptionConfig.provider.keyArn", "the tenant's KMS key ARN", "aws-eks-secrets-encryption",
              (Unset("encryptionConfig.provider.keyArn"),), "no envelope key for Secrets", ("CKV_AWS_58",)),
    Invariant(EKS, "enabledClusterLogTypes", "api, audit, authenticator, controllerManager, scheduler", "aws-eks-audit-logs",
              (Set("enabledClusterLogTypes", ["api", "authenticator", "controllerManager", "scheduler"]),),
              "no audit trail of who did what in the cluster", ("CKV_AWS_37", "CIS EKS 2.1.1")),
    Invariant(EKS, "enabledClusterLogTypes", "api, audit, authenticator, controllerManager, scheduler",
              "aws-eks-control-plane-logs", (Set("enabledClusterLogTypes", ["audit"]),),
              "authentication and scheduling decisions unrecorded", ("CKV_AWS_37", "CIS EKS 2.1.1")),
    Invariant(EKS, "accessConfig.authenticationMode", "API", "aws-eks-api-authentication",
              (Set("accessConfig.authenticationMode", "API_AND_CONFIG_MAP"),),
              "whoever edits the aws-auth ConfigMap maps any IAM identity to system:masters"),
    Invariant("aws:eks/accessEntry:AccessEntry", "kubernetesGroups", "the tenant's developer group",
              "aws-eks-access-no-cluster-admin", (Set("kubernetesGroups", ["system:masters"]),),
              "the tenant's developers become cluster administrators of a shared cluster", ("CIS EKS 4.1.1",)),
    Invariant("aws:eks/addon:Addon", "configurationValues", '{"enableNetworkPolicy": "true"}',
              "aws-eks-network-policy-enforcement", (Unset("configurationValues"),),
              "the tenants' default-deny NetworkPolicies are not enforced", ("CIS EKS 4.3.1",), _cni),
    # ---------------------------------------------------------------- RDS
    Invariant(RDS, "storageEncrypted", "true", "aws-rds-storage-encryption", (Unset("storageEncrypted"),),
              "database files and snapshots readable by anyone with the volume", ("CKV_AWS_16", "CIS AWS 2.3.1")),
    Invariant(RDS, "kmsKeyId", "the tenant's KMS key ARN", "aws-rds-storage-encryption", (Unset("kmsKeyId"),),
              "the AWS-managed key: no tenant-controlled revocation or crypto-shredding", ("CKV_AWS_16",)),
    Invariant(RDS, "publiclyAccessible", "false", "aws-rds-no-public-access", (Set("publiclyAccessible", True),),
              "a public DNS name and address for the database", ("CKV_AWS_17", "CIS AWS 2.3.3")),
    Invariant(RDS, "parameterGroupName", "the tenant's TLS-only parameter group", "aws-rds-tls",
              (Set("parameterGroupName", "default.postgres16"),), "plaintext connections accepted", ("CKV2_AWS_69",)),
    Invariant("aws:rds/parameterGroup:ParameterGroup", "parameters.0.value", "rds.force_ssl = 1", "aws-rds-tls",
              (Set("parameters.0.value", "0"),), "plaintext connections accepted", ("CKV2_AWS_69",)),
    Invariant(RDS, "backupRetentionPeriod", "the tier's days (≥ 1)", "aws-rds-automated-backups",
              (Set("backupRetentionPeriod", 0),), "no point-in-time recovery, no automated backups",
              ("CKV_AWS_133",)),
    Invariant(RDS, "skipFinalSnapshot", "false", "aws-rds-final-snapshot", (Set("skipFinalSnapshot", True),),
              "destroying the stack destroys the data with no snapshot"),
    Invariant(RDS, "deleteAutomatedBackups", "false", "aws-rds-final-snapshot", (Set("deleteAutomatedBackups", True),),
              "deleting the instance deletes its backups"),
    Invariant(RDS, "iamDatabaseAuthenticationEnabled", "true", "aws-rds-iam-authentication",
              (Set("iamDatabaseAuthenticationEnabled", False),), "long-lived database passwords only", ("CKV_AWS_161",)),
    Invariant(RDS, "copyTagsToSnapshot", "true", "aws-rds-copy-tags-to-snapshot", (Set("copyTagsToSnapshot", False),),
              "snapshots lose their tenant tags: no owner, no retention, no residency", ("CKV2_AWS_60",)),
    Invariant(RDS, "manageMasterUserPassword", "true", "aws-rds-managed-master-password",
              (Unset("manageMasterUserPassword"), Set("password", "change-me-please")),
              "the master password lives in the program and the state"),
    Invariant(RDS, "masterUserSecretKmsKeyId", "the tenant's KMS key ARN", "aws-rds-master-secret-encryption",
              (Unset("masterUserSecretKmsKeyId"),), "the master password secret under the AWS-managed key", ("CKV_AWS_149",)),
    Invariant(RDS, "enabledCloudwatchLogsExports", "postgresql, upgrade", "aws-rds-log-exports",
              (Set("enabledCloudwatchLogsExports", ["upgrade"]),), "no connection audit trail", ("CKV_AWS_129",)),
    Invariant(RDS, "autoMinorVersionUpgrade", "true", "aws-rds-auto-minor-version-upgrade",
              (Set("autoMinorVersionUpgrade", False),), "engine security patches never applied",
              ("CKV_AWS_226", "CIS AWS 2.3.2")),
    Invariant(RDS, "performanceInsightsKmsKeyId", "the tenant's KMS key ARN", "aws-rds-performance-insights-encryption",
              (Unset("performanceInsightsKmsKeyId"),), "query samples under the AWS-managed key", ("CKV_AWS_354",),
              lambda p: p.get("performanceInsightsEnabled") is True),
    # ---------------------------------------------------------------- ElastiCache
    Invariant(REDIS, "atRestEncryptionEnabled", "true", "aws-elasticache-encryption-at-rest",
              (Set("atRestEncryptionEnabled", False),), "cache data and snapshots unencrypted", ("CKV_AWS_29",)),
    Invariant(REDIS, "kmsKeyId", "the tenant's KMS key ARN", "aws-elasticache-encryption-at-rest", (Unset("kmsKeyId"),),
              "the AWS-managed key", ("CKV_AWS_191",)),
    Invariant(REDIS, "transitEncryptionEnabled", "true", "aws-elasticache-tls", (Set("transitEncryptionEnabled", False),),
              "cache traffic and the AUTH token in clear text", ("CKV_AWS_30",)),
    Invariant(REDIS, "transitEncryptionMode", "required", "aws-elasticache-tls", (Set("transitEncryptionMode", "preferred"),),
              "plaintext clients still accepted", ("CKV_AWS_30",)),
    Invariant(REDIS, "authToken", "a generated 64-character token", "aws-elasticache-auth", (Unset("authToken"),),
              "any client in the VPC reads and writes the cache", ("CKV_AWS_31",)),
    Invariant(REDIS, "autoMinorVersionUpgrade", "true", "aws-rds-auto-minor-version-upgrade",
              (Set("autoMinorVersionUpgrade", "false"),), "engine security patches never applied"),
    # ---------------------------------------------------------------- Secrets Manager, logs, SNS, Lambda
    Invariant("aws:secretsmanager/secret:Secret", "kmsKeyId", "the tenant's KMS key ARN",
              "aws-secretsmanager-secret-encryption", (Unset("kmsKeyId"),),
              "the AUTH token under the AWS-managed key", ("CKV_AWS_149",)),
    Invariant("aws:secretsmanager/secret:Secret", "recoveryWindowInDays", "7", "aws-secretsmanager-recovery-window",
              (Set("recoveryWindowInDays", 0),), "a deleted secret is gone at once"),
    Invariant("aws:cloudwatch/logGroup:LogGroup", "kmsKeyId", "the tenant's KMS key ARN",
              "aws-cloudwatch-log-group-encryption", (Unset("kmsKeyId"),), "logs under the service key",
              ("CKV_AWS_158",)),
    Invariant("aws:cloudwatch/logGroup:LogGroup", "retentionInDays", "the frameworks' minimum", "aws-cloudwatch-log-retention",
              (Set("retentionInDays", 1),), "evidence expires before an audit", ("CKV_AWS_338",)),
    Invariant("aws:sns/topic:Topic", "kmsMasterKeyId", "the tenant's KMS key ARN", "aws-sns-topic-encryption",
              (Set("kmsMasterKeyId", "alias/aws/sns"),), "alert payloads under the AWS-managed key", ("CKV_AWS_26",)),
    Invariant("aws:sns/topicPolicy:TopicPolicy", "policy", "Deny on aws:SecureTransport false",
              "aws-sns-topic-secure-transport", (Set("policy", NO_TLS_DENY),), "alerts published over plain HTTP"),
    Invariant("aws:sns/topicPolicy:TopicPolicy", "policy", "only the account's alarms publish",
              "aws-sns-topic-policy-no-public",
              (Set("policy", '{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "sns:*", "Resource": "*"}]}'),),
              "anyone publishes fake alerts or subscribes to the tenant's"),
    Invariant("aws:sns/topicSubscription:TopicSubscription", "protocol", "https (webhook)", "aws-sns-subscription-https",
              (Set("protocol", "http"),), "alert bodies cross the internet in clear text", (),
              lambda p: p.get("protocol") == "https"),
    Invariant("aws:lambda/function:Function", "kmsKeyArn", "the tenant's KMS key ARN", "aws-lambda-environment-encryption",
              (Unset("kmsKeyArn"),), "the Slack webhook URL under the AWS-managed key", ("CKV_AWS_173",), _has_env),
    Invariant("aws:lambda/permission:Permission", "sourceArn", "the tenant's alert topic", "aws-lambda-permission-source-scoped",
              (Unset("sourceArn"),), "any SNS topic of any account invokes the forwarder", ("CKV_AWS_364",)),
    # ---------------------------------------------------------------- IAM
    Invariant("aws:iam/rolePolicy:RolePolicy", "policy", "least-privilege statements on the tenant's ARNs",
              "aws-iam-no-admin-privileges", (Set("policy", ADMIN_DOC),), "full administrator of the account",
              ("CKV_AWS_62", "CKV_AWS_63", "CIS AWS 1.16")),
    Invariant("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "policyArn", "a scoped AWS-managed policy",
              "aws-iam-no-admin-privileges", (Set("policyArn", "arn:aws:iam::aws:policy/AdministratorAccess"),),
              "full administrator of the account", ("CKV_AWS_274", "CIS AWS 1.16")),
    Invariant(ROLE, "assumeRolePolicy", "one service, one IRSA subject, or MFA-authenticated account principals",
              "aws-iam-role-trust-limited", (Set("assumeRolePolicy", PUBLIC_TRUST),),
              "any AWS account assumes the role", ("CKV_AWS_60", "CKV_AWS_61")),
    Invariant(ROLE, "assumeRolePolicy.Statement.Condition.StringEquals.<issuer>:sub", "one service account",
              "aws-iam-role-trust-limited",
              (Set("assumeRolePolicy", '{"Statement": [{"Effect": "Allow", "Principal": {"Federated": '
                   '"arn:aws:iam::123456789012:oidc-provider/oidc"}, "Action": "sts:AssumeRoleWithWebIdentity"}]}'),),
              "every service account of every tenant on the cluster assumes the role", ("CKV_AWS_60",),
              _federated_without_subject),
    Invariant(ROLE, "assumeRolePolicy.Statement.Condition.Bool.aws:MultiFactorAuthPresent", "true",
              "aws-iam-role-trust-limited",
              (Set("assumeRolePolicy", '{"Statement": [{"Effect": "Allow", "Principal": {"AWS": '
                   '"arn:aws:iam::123456789012:root"}, "Action": "sts:AssumeRole"}]}'),),
              "a stolen access key alone opens the tenant's cluster", ("CKV_AWS_60",), _trusts("AWS")),
    Invariant(ROLE, "maxSessionDuration", "3600", "aws-iam-role-session-duration", (Set("maxSessionDuration", 43200),),
              "a leaked session stays valid for twelve hours", (), lambda p: "maxSessionDuration" in p),
    # ---------------------------------------------------------------- storage alarms (alerting.py)
    Invariant("aws:cloudwatch/metricAlarm:MetricAlarm", "(exists)", "a FreeStorageSpace alarm per RDS instance",
              "aws-rds-storage-alarm", (Drop(),), "the database fills up and refuses writes with nobody paged", (),
              lambda p: p.get("metricName") == "FreeStorageSpace"),
    # ---------------------------------------------------------------- S3 (every bucket: the tenant's and its log bucket)
    Invariant(S3_SSE, "rules.*.applyServerSideEncryptionByDefault.sseAlgorithm", "aws:kms",
              "aws-storage-bucket-encryption", (Set("rules.*.applyServerSideEncryptionByDefault.sseAlgorithm", "AES256"),),
              "objects under an S3-owned key: no tenant revocation or crypto-shredding", ("CKV_AWS_145", "CKV_AWS_19")),
    Invariant(S3_SSE, "rules.*.applyServerSideEncryptionByDefault.kmsMasterKeyId", "the tenant's KMS key ARN",
              "aws-storage-bucket-encryption", (Unset("rules.*.applyServerSideEncryptionByDefault.kmsMasterKeyId"),),
              "objects under the AWS-managed aws/s3 key", ("CKV_AWS_145",)),
    Invariant(S3_SSE, "rules.*.bucketKeyEnabled", "true", "aws-storage-bucket-key",
              (Set("rules.*.bucketKeyEnabled", False),),
              "one KMS request per object: throttling and a KMS bill that grows with every write"),
    *[
        Invariant(S3_PAB, flag, "true", "aws-storage-public-access-block", (Set(flag, False),),
                  f"{what} can make the tenant's objects public", (check, "CKV2_AWS_6", "CIS AWS 2.1.4"))
        for flag, what, check in (
            ("blockPublicAcls", "a public ACL on a new object or the bucket", "CKV_AWS_53"),
            ("blockPublicPolicy", "a bucket policy granting Principal *", "CKV_AWS_54"),
            ("ignorePublicAcls", "an existing public ACL", "CKV_AWS_55"),
            ("restrictPublicBuckets", "a public policy already in place", "CKV_AWS_56"),
        )
    ],
    Invariant(S3_OWNERSHIP, "rule.objectOwnership", "BucketOwnerEnforced", "aws-storage-acls-disabled",
              (Set("rule.objectOwnership", "ObjectWriter"),),
              "object ACLs decide access again, and a writer in another account owns what it uploads", ("CKV2_AWS_65",)),
    Invariant(S3_VERSIONING, "versioningConfiguration.status", "Enabled", "aws-storage-versioning",
              (Set("versioningConfiguration.status", "Suspended"),),
              "an overwrite or a delete destroys the only copy", ("CKV_AWS_21",)),
    Invariant(S3_LIFECYCLE, "rules.*.noncurrentVersionExpiration.noncurrentDays", "the tier's noncurrent_version_days",
              "aws-storage-noncurrent-version-expiry", (Unset("rules.*.noncurrentVersionExpiration"),),
              "deleted data is kept for ever: no erasure, an ever-growing bill", ("CKV2_AWS_61",)),
    Invariant(S3_LIFECYCLE, "rules.*.status", "Enabled", "aws-storage-noncurrent-version-expiry",
              (Set("rules.*.status", "Disabled"),), "the expiry rule exists but never runs", ("CKV2_AWS_61",)),
    Invariant(S3_POLICY, "policy", "Deny s3:* on aws:SecureTransport false", "aws-storage-secure-transport",
              (Set("policy", NO_TLS_DENY),), "objects read and written over plain HTTP", ("CIS AWS 2.1.1",)),
    Invariant(S3_POLICY, "policy", "Deny s3:* on s3:TlsVersion below 1.2", "aws-storage-tls-version",
              (Set("policy", NO_TLS_DENY),), "clients negotiate TLS 1.0 or 1.1"),
    Invariant(S3_POLICY, "policy", "no Allow for Principal *", "aws-storage-bucket-policy-no-public",
              (Set("policy", PUBLIC_BUCKET_POLICY),), "anyone on the internet reads the tenant's objects", ("CKV_AWS_70",)),
    Invariant("aws:iam/rolePolicy:RolePolicy", "policy", "the workload role: object actions on the tenant's bucket only",
              "aws-storage-access-scoped", (Set("policy", ANY_BUCKET_GRANT),),
              "the tenant's workload reads and writes every bucket of the account", ("CKV_AWS_355",), _grants_s3),
    *[
        Invariant(kind, "(exists)", "one per bucket", "aws-storage-bucket-controls", (Drop(),), why, checks)
        for kind, why, checks in (
            (S3_SSE, "the bucket falls back to SSE-S3: no tenant key", ("CKV_AWS_145",)),
            (S3_PAB, "nothing stops a public ACL or policy", ("CKV2_AWS_6", "CIS AWS 2.1.4")),
            (S3_OWNERSHIP, "ACLs stay on", ("CKV2_AWS_65",)),
            (S3_VERSIONING, "no previous versions to recover", ("CKV_AWS_21",)),
            (S3_LIFECYCLE, "noncurrent versions are never expired", ("CKV2_AWS_61",)),
            (S3_POLICY, "plain HTTP accepted", ("CIS AWS 2.1.1",)),
            (S3_LOGGING, "no record of who read or wrote which object", ("CKV_AWS_18",)),
        )
    ],
]
