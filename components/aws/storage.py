"""The tenant's S3 bucket: SSE-KMS with the tenant key, no public path, TLS only, versioned, access-logged.

Access logging: S3 server access logs into a per-tenant log bucket, not CloudTrail data events. A trail
is an account-and-region resource with a hard limit of five per region, which a fleet of hundreds of
tenants in one account would exhaust, and one shared trail would mix every tenant's audit records under
one key. Server access logs are a property of the bucket, cost nothing but their storage, and land in a
bucket that is itself encrypted with the tenant key, blocked, versioned and TLS-only.

Only the tenant workload's IRSA role may use the bucket: a role policy on that role alone, on this
bucket's ARN alone, with the key usable only through S3 for this bucket (encryption context).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, TypedDict

import pulumi
import pulumi_aws as aws

from components.aws.common import Account, child, physical_name, policy_document
from components.retention import days

# Objects the workload reads and writes; no bucket configuration, ACL or policy action.
OBJECT_ACTIONS = [
    "s3:GetObject",
    "s3:GetObjectVersion",
    "s3:PutObject",
    "s3:DeleteObject",
    "s3:AbortMultipartUpload",
    "s3:ListMultipartUploadParts",
]
BUCKET_ACTIONS = ["s3:ListBucket", "s3:ListBucketVersions", "s3:ListBucketMultipartUploads"]
# Incomplete multipart uploads are invisible storage; they go after a week.
ABORT_MULTIPART_DAYS = 7
LOG_PREFIX = "access/"


class ObjectStorageArgs(TypedDict):
    provider: aws.Provider
    account: Account
    bucket_name: str  # components.naming.bucket_name: checked for fleet-wide collisions
    key_arn: pulumi.Input[str]
    workload_role: pulumi.Input[str]  # name of the workload's IRSA role: the only principal granted access
    noncurrent_version_days: int  # tenant_config.object_storage.noncurrent_version_days
    log_retention: timedelta  # how long the access logs are kept (the tenant's log retention)
    tags: dict[str, str]


def _secure_transport(bucket_arn: pulumi.Input[str]) -> list[dict[str, Any]]:
    """Deny every request without TLS, and TLS below 1.2, whoever makes it."""
    resources = [bucket_arn, pulumi.Output.concat(bucket_arn, "/*")]
    return [
        {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": resources,
         "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
        {"Sid": "DenyOutdatedTls", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": resources,
         "Condition": {"NumericLessThan": {"s3:TlsVersion": "1.2"}}},
    ]


def bucket_policy(bucket_arn: pulumi.Input[str], key_arn: pulumi.Input[str]) -> pulumi.Output[str]:
    """TLS only, and no object written under another key than the tenant's (the default covers the rest)."""
    objects = pulumi.Output.concat(bucket_arn, "/*")
    return policy_document(
        [
            *_secure_transport(bucket_arn),
            {"Sid": "DenyOtherEncryption", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject",
             "Resource": objects,
             "Condition": {"StringNotEqualsIfExists": {"s3:x-amz-server-side-encryption": "aws:kms"}}},
            {"Sid": "DenyOtherKeys", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": objects,
             "Condition": {"StringNotEqualsIfExists": {"s3:x-amz-server-side-encryption-aws-kms-key-id": key_arn}}},
        ]
    )


def log_bucket_policy(log_arn: pulumi.Input[str], source_arn: pulumi.Input[str], account_id: pulumi.Input[str]
                      ) -> pulumi.Output[str]:
    """TLS only; the S3 logging service may write there, and only for the tenant's bucket in this account."""
    return policy_document(
        [
            *_secure_transport(log_arn),
            {
                "Sid": "ServerAccessLogs",
                "Effect": "Allow",
                "Principal": {"Service": "logging.s3.amazonaws.com"},
                "Action": "s3:PutObject",
                "Resource": pulumi.Output.concat(log_arn, "/", LOG_PREFIX, "*"),
                "Condition": {"ArnLike": {"aws:SourceArn": source_arn}, "StringEquals": {"aws:SourceAccount": account_id}},
            },
        ]
    )


def workload_policy(bucket_arn: pulumi.Input[str], key_arn: pulumi.Input[str], region: str) -> pulumi.Output[str]:
    """Least privilege on this bucket alone; the key only through S3 and only for this bucket."""
    return policy_document(
        [
            {"Sid": "ListTheBucket", "Effect": "Allow", "Action": BUCKET_ACTIONS, "Resource": bucket_arn},
            {"Sid": "ObjectsOfTheBucket", "Effect": "Allow", "Action": OBJECT_ACTIONS,
             "Resource": pulumi.Output.concat(bucket_arn, "/*")},
            {
                "Sid": "TenantKeyThroughS3",
                "Effect": "Allow",
                "Action": ["kms:GenerateDataKey", "kms:Decrypt"],
                "Resource": key_arn,
                # With a bucket key the encryption context is the bucket's ARN.
                "Condition": {
                    "StringEquals": {
                        "kms:ViaService": f"s3.{region}.amazonaws.com",
                        "kms:EncryptionContext:aws:s3:arn": bucket_arn,
                    }
                },
            },
        ]
    )


class ObjectStorage(pulumi.ComponentResource):
    bucket_name: pulumi.Output[str]
    bucket_arn: pulumi.Output[str]
    log_bucket_name: pulumi.Output[str]

    def __init__(self, name: str, args: ObjectStorageArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("tenant-platform:aws:ObjectStorage", name, None, opts)
        provider, acct, tags, key_arn = args["provider"], args["account"], args["tags"], args["key_arn"]
        logs_name = physical_name(args["bucket_name"], "logs", 63)

        logs = self._bucket(f"{name}-logs", logs_name, key_arn, args["noncurrent_version_days"], tags, provider,
                            expire_after=days(args["log_retention"]))
        bucket = self._bucket(f"{name}-bucket", args["bucket_name"], key_arn, args["noncurrent_version_days"], tags,
                              provider, expire_after=None)
        aws.s3.BucketPolicy(
            f"{name}-logs-policy",
            bucket=logs.id,
            policy=log_bucket_policy(logs.arn, bucket.arn, acct.id),
            opts=child(self, provider),
        )
        aws.s3.BucketPolicy(
            f"{name}-bucket-policy", bucket=bucket.id, policy=bucket_policy(bucket.arn, key_arn),
            opts=child(self, provider),
        )
        # Who read, wrote or was refused what, per request, into the tenant's own log bucket.
        aws.s3.BucketLogging(
            f"{name}-bucket-logging",
            bucket=bucket.id,
            target_bucket=logs.id,
            target_prefix=LOG_PREFIX,
            target_object_key_format={"partitioned_prefix": {"partition_date_source": "EventTime"}},
            opts=child(self, provider),
        )
        aws.iam.RolePolicy(
            f"{name}-workload-access",
            role=args["workload_role"],
            policy=workload_policy(bucket.arn, key_arn, acct.region),
            opts=child(self, provider),
        )

        self.bucket_name = bucket.bucket
        self.bucket_arn = bucket.arn
        self.log_bucket_name = logs.bucket
        self.register_outputs({"bucketName": self.bucket_name, "bucketArn": self.bucket_arn,
                               "logBucketName": self.log_bucket_name})

    def _bucket(self, name: str, physical: str, key_arn: pulumi.Input[str], noncurrent_days: int,
                tags: dict[str, str], provider: aws.Provider, expire_after: int | None) -> aws.s3.Bucket:
        """A bucket with every control the policy pack requires of any bucket (the log bucket included)."""
        opts = child(self, provider)
        bucket = aws.s3.Bucket(name, bucket=physical, force_destroy=False, tags=tags, opts=opts)
        aws.s3.BucketServerSideEncryptionConfiguration(
            f"{name}-encryption",
            bucket=bucket.id,
            rules=[{
                "apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms", "kms_master_key_id": key_arn},
                # One data key per bucket instead of a KMS call per object: far fewer KMS requests, same key.
                "bucket_key_enabled": True,
            }],
            opts=opts,
        )
        aws.s3.BucketPublicAccessBlock(
            f"{name}-public-access",
            bucket=bucket.id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
            opts=opts,
        )
        # ACLs off: the bucket policy and IAM decide alone, no object ACL can grant anyone anything.
        aws.s3.BucketOwnershipControls(
            f"{name}-ownership", bucket=bucket.id, rule={"object_ownership": "BucketOwnerEnforced"}, opts=opts
        )
        versioning = aws.s3.BucketVersioning(
            f"{name}-versioning", bucket=bucket.id, versioning_configuration={"status": "Enabled"}, opts=opts
        )
        rule: aws.s3.BucketLifecycleConfigurationRuleArgsDict = {
            "id": "expire-noncurrent-versions",
            "status": "Enabled",
            "filter": {},
            # Overwritten and deleted objects stay recoverable for the tier's days, then go.
            "noncurrent_version_expiration": {"noncurrent_days": noncurrent_days},
            "abort_incomplete_multipart_upload": {"days_after_initiation": ABORT_MULTIPART_DAYS},
        }
        if expire_after is not None:
            rule["expiration"] = {"days": expire_after}
        aws.s3.BucketLifecycleConfiguration(
            f"{name}-lifecycle",
            bucket=bucket.id,
            rules=[rule],
            # S3 refuses a noncurrent-version rule before versioning is on.
            opts=child(self, provider, depends_on=[versioning]),
        )
        return bucket
