"""The tenant's customer-managed KMS key: everything that can be encrypted is encrypted with it."""

from __future__ import annotations

from typing import Any, NotRequired, TypedDict

import pulumi
import pulumi_aws as aws

from components.aws.common import Account, child, policy_document

# Every service that writes with the key on the tenant's behalf and is not covered by an IAM grant.
_USE = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"]


class TenantKeyArgs(TypedDict):
    provider: aws.Provider
    account: Account
    alias: str  # e.g. tenant-platform/<tenant id>
    description: str
    tags: dict[str, str]
    # The EC2 Auto Scaling service-linked role launches node volumes encrypted with this key.
    serves_nodes: bool
    # S3 server access logs are written into the tenant's log bucket, encrypted with this key.
    serves_object_logs: NotRequired[bool]


def _key_policy(account_id: pulumi.Input[str], partition: pulumi.Input[str], region: str, serves_nodes: bool,
                serves_object_logs: bool = False) -> pulumi.Output[str]:
    root = pulumi.Output.concat("arn:", partition, ":iam::", account_id, ":root")
    log_groups = pulumi.Output.concat("arn:", partition, ":logs:", region, ":", account_id, ":log-group:*")
    statements: list[dict[str, Any]] = [
        # The account root owns the key so IAM policies can grant least-privilege use (no lock-out).
        {"Sid": "AccountRoot", "Effect": "Allow", "Principal": {"AWS": root}, "Action": "kms:*", "Resource": "*"},
        # CloudWatch Logs encrypts the flow, control-plane, database and function log groups,
        # and only for log groups of this account and region.
        {
            "Sid": "CloudWatchLogs",
            "Effect": "Allow",
            "Principal": {"Service": f"logs.{region}.amazonaws.com"},
            "Action": _USE,
            "Resource": "*",
            "Condition": {"ArnLike": {"kms:EncryptionContext:aws:logs:arn": log_groups}},
        },
        # CloudWatch alarms publish to the encrypted SNS topic, and SNS delivers from it;
        # scoped to this account so no other account's alarms can use the key.
        {
            "Sid": "AlarmsToEncryptedTopic",
            "Effect": "Allow",
            "Principal": {"Service": ["cloudwatch.amazonaws.com", "sns.amazonaws.com"]},
            "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
            "Resource": "*",
            "Condition": {"StringEquals": {"aws:SourceAccount": account_id}},
        },
    ]
    if serves_object_logs:
        # The S3 logging service encrypts the access-log objects it delivers to the tenant's log bucket.
        statements.append(
            {
                "Sid": "S3ServerAccessLogs",
                "Effect": "Allow",
                "Principal": {"Service": "logging.s3.amazonaws.com"},
                "Action": ["kms:GenerateDataKey*", "kms:Decrypt"],
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:SourceAccount": account_id}},
            }
        )
    if serves_nodes:
        asg = pulumi.Output.concat(
            "arn:", partition, ":iam::", account_id,
            ":role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling",
        )
        statements += [
            # Managed node groups launch through Auto Scaling, whose service-linked role must read the
            # key to attach the encrypted root volumes.
            {"Sid": "AutoScalingVolumes", "Effect": "Allow", "Principal": {"AWS": asg}, "Action": _USE,
             "Resource": "*"},
            {
                "Sid": "AutoScalingGrants",
                "Effect": "Allow",
                "Principal": {"AWS": asg},
                "Action": "kms:CreateGrant",
                "Resource": "*",
                # Grants only for AWS resources (the volumes), never for arbitrary principals.
                "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}},
            },
        ]
    return policy_document(statements)


class TenantKey(pulumi.ComponentResource):
    arn: pulumi.Output[str]
    key_id: pulumi.Output[str]
    alias_name: pulumi.Output[str]

    def __init__(self, name: str, args: TenantKeyArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("tenant-platform:aws:TenantKey", name, None, opts)
        provider, acct = args["provider"], args["account"]
        key = aws.kms.Key(
            f"{name}-key",
            description=args["description"],
            # AES-256-GCM symmetric key: the spec's "AES-256", with key material that never leaves KMS.
            key_usage="ENCRYPT_DECRYPT",
            customer_master_key_spec="SYMMETRIC_DEFAULT",
            # Yearly automatic rotation limits how much data any one key version protects.
            enable_key_rotation=True,
            rotation_period_in_days=365,
            # The longest waiting period: a deleted key makes every backup unreadable.
            deletion_window_in_days=30,
            policy=_key_policy(acct.id, acct.partition, acct.region, args["serves_nodes"],
                               args.get("serves_object_logs", False)),
            tags=args["tags"],
            opts=child(self, provider),
        )
        alias = aws.kms.Alias(
            f"{name}-alias",
            name=f"alias/{args['alias']}",
            target_key_id=key.key_id,
            opts=child(self, provider),
        )
        self.arn = key.arn
        self.key_id = key.key_id
        self.alias_name = alias.name
        self.register_outputs({"arn": self.arn, "keyId": self.key_id, "alias": self.alias_name})
