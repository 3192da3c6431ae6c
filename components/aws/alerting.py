"""Alerts: a KMS-encrypted SNS topic, the tenant's channels subscribed to it, and CloudWatch alarms."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypedDict

import pulumi
import pulumi_aws as aws

from components.aws.common import Account, child, physical_name, policy_document, service_trust
from components.estate import StackSettings
from components.headroom import FREE_SHARE, free_bytes_floor
from components.retention import cloudwatch_days

# Where the latency alarm's metric comes from: the workload (or its ingress/sidecar) publishes each
# request's duration in milliseconds as CloudWatch embedded-metric-format logs, which CloudWatch turns
# into this metric; the alarm watches its p95, the same percentile the KEDA latency trigger scales on.
LATENCY_NAMESPACE = "TenantPlatform/Workload"
LATENCY_METRIC = "RequestLatency"
# Storage and cache alarms page when less than this share is free (components.headroom).
FREE_PERCENT = round(FREE_SHARE * 100)
CACHE_MEMORY_PERCENT = 100 - FREE_PERCENT
# Width of the throughput anomaly band in standard deviations: CloudWatch's default of 2 pages on an
# ordinary daily peak; 3 leaves only traffic far outside the learnt pattern.
ANOMALY_BAND_WIDTH = 3

SLACK_FORWARDER = '''\
"""Forwards SNS alarm notifications to a Slack incoming webhook (URL from an encrypted env var)."""
import json
import os
import urllib.request


def handler(event, context):
    for record in event.get("Records", []):
        sns = record.get("Sns", {})
        try:
            alarm = json.loads(sns.get("Message", "{}"))
            text = "*{}* is {}: {}".format(
                alarm.get("AlarmName"), alarm.get("NewStateValue"), alarm.get("NewStateReason"))
        except ValueError:
            text = sns.get("Message", "")
        body = json.dumps({"text": text}).encode()
        request = urllib.request.Request(
            os.environ["SLACK_WEBHOOK_URL"], data=body, headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=5) as response:
            response.read()
'''


class MissingAlertTargetError(ValueError):
    """A channel is listed in ``monitoring.alert_channels`` but its stack-config target is not set."""


_CONFIG_KEY = {"email": "alertEmails", "webhook": "alertWebhookUrl", "slack": "slackWebhookUrl"}


@dataclass(frozen=True)
class Targets:
    emails: list[str]
    webhook: pulumi.Output[str] | None
    slack: pulumi.Output[str] | None


def alert_targets(tenant_id: str, channels: list[str], settings: StackSettings) -> Targets:
    """The targets of the listed channels; a listed channel without a target is an error, not a silence."""
    found: dict[str, Any] = {
        "email": list(settings.alert_emails),
        "webhook": settings.alert_webhook_url,
        "slack": settings.slack_webhook_url,
    }
    missing = [c for c in channels if not found[c]]
    if missing:
        keys = ", ".join(f"tenant-platform:{_CONFIG_KEY[c]}" for c in missing)
        raise MissingAlertTargetError(
            f"{tenant_id}: monitoring.alert_channels lists {', '.join(missing)} but stack config {keys} "
            f"is not set (set it with `pulumi config set`, using --secret for URLs)"
        )
    return Targets(
        emails=found["email"] if "email" in channels else [],
        webhook=found["webhook"] if "webhook" in channels else None,
        slack=found["slack"] if "slack" in channels else None,
    )


class AlarmSpec(TypedDict):
    cluster_name: pulumi.Input[str]
    namespace: str  # Kubernetes namespace of the tenant (Container Insights dimension)
    db_identifier: pulumi.Input[str]
    db_storage_gb: int
    db_max_connections: int
    cache_group_id: pulumi.Input[str]
    cpu_threshold: int
    memory_threshold: int
    latency_threshold: timedelta | None
    real_time: bool
    nat_gateway_ids: list[pulumi.Input[str]]  # the silo network's NAT gateways; none on the shared network


class AlertingArgs(TypedDict):
    provider: aws.Provider
    account: Account
    tenant_id: str
    base_name: str
    channels: list[str]
    settings: StackSettings
    key_arn: pulumi.Input[str]
    log_retention: timedelta
    alarms: AlarmSpec
    tags: dict[str, str]


def _topic_policy(topic_arn: pulumi.Input[str], account_id: pulumi.Input[str]) -> pulumi.Output[str]:
    return policy_document(
        [
            {
                "Sid": "AlarmsPublish",
                "Effect": "Allow",
                "Principal": {"Service": "cloudwatch.amazonaws.com"},
                "Action": "sns:Publish",
                "Resource": topic_arn,
                # Only this account's alarms, never a confused deputy from another account.
                "Condition": {"StringEquals": {"aws:SourceAccount": account_id}},
            },
            {
                "Sid": "OwnerManages",
                "Effect": "Allow",
                "Principal": {"AWS": account_id},
                "Action": ["sns:GetTopicAttributes", "sns:SetTopicAttributes", "sns:Subscribe",
                           "sns:ListSubscriptionsByTopic", "sns:Publish"],
                "Resource": topic_arn,
            },
            {
                # Alerts carry tenant detail: TLS only.
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "sns:Publish",
                "Resource": topic_arn,
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            },
        ]
    )


class Alerting(pulumi.ComponentResource):
    topic_arn: pulumi.Output[str]
    alarm_arns: list[pulumi.Output[str]]

    def __init__(self, name: str, args: AlertingArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("tenant-platform:aws:Alerting", name, None, opts)
        provider, tags, base = args["provider"], args["tags"], args["base_name"]
        targets = alert_targets(args["tenant_id"], args["channels"], args["settings"])

        topic = aws.sns.Topic(
            f"{name}-topic",
            name=physical_name(base, "alerts", 256),
            # Alert payloads at rest encrypted with the tenant key.
            kms_master_key_id=args["key_arn"],
            tags=tags,
            opts=child(self, provider),
        )
        aws.sns.TopicPolicy(
            f"{name}-topic-policy",
            arn=topic.arn,
            policy=_topic_policy(topic.arn, args["account"].id),
            opts=child(self, provider),
        )
        for i, email in enumerate(targets.emails):
            aws.sns.TopicSubscription(
                f"{name}-email-{i}", topic=topic.arn, protocol="email", endpoint=email, opts=child(self, provider)
            )
        if targets.webhook is not None:
            aws.sns.TopicSubscription(
                f"{name}-webhook",
                topic=topic.arn,
                # https only: alert bodies never cross the internet in clear text.
                protocol="https",
                endpoint=targets.webhook,
                endpoint_auto_confirms=False,
                opts=child(self, provider),
            )
        if targets.slack is not None:
            self._slack(name, args, topic, targets.slack)

        self.alarm_arns = self._alarms(name, args, topic.arn)
        self.topic_arn = topic.arn
        self.register_outputs({"topicArn": self.topic_arn})

    def _slack(self, name: str, args: AlertingArgs, topic: aws.sns.Topic, url: pulumi.Input[str]) -> None:
        provider, tags, base = args["provider"], args["tags"], args["base_name"]
        function_name = physical_name(base, "slack-alerts", 64)
        log_group = aws.cloudwatch.LogGroup(
            f"{name}-slack-logs",
            name=f"/aws/lambda/{function_name}",
            retention_in_days=cloudwatch_days(args["log_retention"]),
            kms_key_id=args["key_arn"],
            tags=tags,
            opts=child(self, provider),
        )
        role = aws.iam.Role(
            f"{name}-slack-role",
            name=physical_name(base, "slack-alerts", 64),
            assume_role_policy=service_trust("lambda.amazonaws.com"),
            tags=tags,
            opts=child(self, provider),
        )
        aws.iam.RolePolicy(
            f"{name}-slack-policy",
            role=role.id,
            # Least privilege: write its own logs and decrypt its own environment, nothing else.
            policy=policy_document(
                [
                    {
                        "Effect": "Allow",
                        "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                        "Resource": pulumi.Output.concat(log_group.arn, ":*"),
                    },
                    {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": args["key_arn"]},
                ]
            ),
            opts=child(self, provider),
        )
        function = aws.lambda_.Function(
            f"{name}-slack",
            name=function_name,
            description=f"Forwards {base}'s alarms to Slack",
            runtime="python3.12",
            handler="index.handler",
            code=pulumi.AssetArchive({"index.py": pulumi.StringAsset(SLACK_FORWARDER)}),
            role=role.arn,
            timeout=10,
            memory_size=128,
            # The webhook URL is a credential: a secret in state, encrypted with the tenant key at rest.
            environment={"variables": {"SLACK_WEBHOOK_URL": pulumi.Output.secret(url)}},
            kms_key_arn=args["key_arn"],
            logging_config={"log_format": "Text", "log_group": log_group.name},
            tags=tags,
            opts=child(self, provider, depends_on=[log_group]),
        )
        aws.lambda_.Permission(
            f"{name}-slack-invoke",
            action="lambda:InvokeFunction",
            function=function.name,
            principal="sns.amazonaws.com",
            # Only this tenant's topic may invoke the forwarder.
            source_arn=topic.arn,
            opts=child(self, provider),
        )
        aws.sns.TopicSubscription(
            f"{name}-slack-subscription",
            topic=topic.arn,
            protocol="lambda",
            endpoint=function.arn,
            opts=child(self, provider),
        )

    def _alarms(self, name: str, args: AlertingArgs, topic_arn: pulumi.Output[str]) -> list[pulumi.Output[str]]:
        provider, tags, base = args["provider"], args["tags"], args["base_name"]
        spec = args["alarms"]
        period = 60 if spec["real_time"] else 300  # real_time: 1-minute resolution, else 5 minutes
        periods = 5 if spec["real_time"] else 3  # about 5-15 minutes of sustained breach before paging
        workload = {"ClusterName": spec["cluster_name"], "Namespace": spec["namespace"]}
        db = {"DBInstanceIdentifier": spec["db_identifier"]}
        cache = {"ReplicationGroupId": spec["cache_group_id"]}
        alarms: list[dict[str, Any]] = [
            # Container Insights namespace metrics (from the CloudWatch observability add-on).
            dict(key="cpu", namespace="ContainerInsights", metric="pod_cpu_utilization_over_pod_limit",
                 dims=workload, stat="Average", op="GreaterThanThreshold", threshold=spec["cpu_threshold"],
                 missing="notBreaching", text="Workload CPU above the tenant's cpu_threshold (% of limit)"),
            dict(key="memory", namespace="ContainerInsights", metric="pod_memory_utilization_over_pod_limit",
                 dims=workload, stat="Average", op="GreaterThanThreshold", threshold=spec["memory_threshold"],
                 missing="notBreaching", text="Workload memory above the tenant's memory_threshold (% of limit)"),
            # Database health: CPU, free storage below 10%, connections near max_connections. A missing
            # datapoint means the instance is not reporting: treated as unhealthy.
            dict(key="db-cpu", namespace="AWS/RDS", metric="CPUUtilization", dims=db, stat="Average",
                 op="GreaterThanThreshold", threshold=80, missing="breaching", text="Database CPU above 80%"),
            dict(key="db-storage", namespace="AWS/RDS", metric="FreeStorageSpace", dims=db, stat="Minimum",
                 op="LessThanThreshold", threshold=free_bytes_floor(spec["db_storage_gb"]),
                 missing="breaching", text=f"Database free storage below {FREE_PERCENT}% of allocated"),
            dict(key="db-connections", namespace="AWS/RDS", metric="DatabaseConnections", dims=db, stat="Maximum",
                 op="GreaterThanThreshold", threshold=int(spec["db_max_connections"] * 0.9), missing="breaching",
                 text="Database connections above 90% of max_connections"),
            # Cache health: engine CPU and memory pressure on the primary's group.
            dict(key="cache-cpu", namespace="AWS/ElastiCache", metric="EngineCPUUtilization", dims=cache,
                 stat="Average", op="GreaterThanThreshold", threshold=80, missing="breaching",
                 text="Cache engine CPU above 80%"),
            dict(key="cache-memory", namespace="AWS/ElastiCache", metric="DatabaseMemoryUsagePercentage",
                 dims=cache, stat="Maximum", op="GreaterThanThreshold", threshold=CACHE_MEMORY_PERCENT,
                 missing="breaching", text=f"Cache memory above {CACHE_MEMORY_PERCENT}% (free below {FREE_PERCENT}%)"),
        ]
        # Network: NAT gateways dropping packets or out of source ports (egress of the silo's pods failing).
        # Any drop in a period is worth a look; silence (no traffic) is not an incident.
        for i, nat_id in enumerate(spec["nat_gateway_ids"]):
            nat = {"NatGatewayId": nat_id}
            alarms += [
                dict(key=f"nat-{i}-dropped", namespace="AWS/NATGateway", metric="PacketsDropCount", dims=nat,
                     stat="Sum", op="GreaterThanThreshold", threshold=0, missing="notBreaching",
                     text=f"NAT gateway {i} dropping packets"),
                dict(key=f"nat-{i}-port-errors", namespace="AWS/NATGateway", metric="ErrorPortAllocation",
                     dims=nat, stat="Sum", op="GreaterThanThreshold", threshold=0, missing="notBreaching",
                     text=f"NAT gateway {i} cannot allocate source ports (connections refused)"),
            ]
        arns = []
        for a in alarms:
            alarm = aws.cloudwatch.MetricAlarm(
                f"{name}-{a['key']}",
                name=physical_name(base, a["key"], 255),
                alarm_description=a["text"],
                namespace=a["namespace"],
                metric_name=a["metric"],
                dimensions=a["dims"],
                statistic=a["stat"],
                period=period,
                evaluation_periods=periods,
                comparison_operator=a["op"],
                threshold=float(a["threshold"]),
                treat_missing_data=a["missing"],
                alarm_actions=[topic_arn],
                ok_actions=[topic_arn],
                tags=tags,
                opts=child(self, provider),
            )
            arns.append(alarm.arn)
        arns += self._throughput(name, args, topic_arn, period, periods, workload)
        latency = spec["latency_threshold"]
        if latency is not None:
            alarm = aws.cloudwatch.MetricAlarm(
                f"{name}-latency",
                name=physical_name(base, "latency", 255),
                alarm_description=f"Workload p95 latency above {latency.total_seconds() * 1000:g} ms",
                namespace=LATENCY_NAMESPACE,
                metric_name=LATENCY_METRIC,
                dimensions={"Tenant": args["tenant_id"]},
                extended_statistic="p95",
                unit="Milliseconds",
                period=period,
                evaluation_periods=periods,
                comparison_operator="GreaterThanThreshold",
                threshold=latency.total_seconds() * 1000,
                # No traffic, no latency: silence is not an incident.
                treat_missing_data="notBreaching",
                alarm_actions=[topic_arn],
                ok_actions=[topic_arn],
                tags=tags,
                opts=child(self, provider),
            )
            arns.append(alarm.arn)
        return arns

    def _throughput(self, name: str, args: AlertingArgs, topic_arn: pulumi.Output[str], period: int, periods: int,
                    workload: dict[str, pulumi.Input[str]]) -> list[pulumi.Output[str]]:
        """The tenant namespace's network throughput against CloudWatch's learnt band of its own history.

        The specification bounds requests (the gateway's rate limit), not bytes: a fixed byte threshold
        would be a guess, while the anomaly band pages on traffic far outside the tenant's usual pattern
        (a flood, a runaway client, an exfiltration) and adapts as the tenant grows.
        """
        provider, tags, base = args["provider"], args["tags"], args["base_name"]
        arns = []
        for direction, metric in (("rx", "pod_network_rx_bytes"), ("tx", "pod_network_tx_bytes")):
            alarm = aws.cloudwatch.MetricAlarm(
                f"{name}-network-{direction}",
                name=physical_name(base, f"network-{direction}", 255),
                alarm_description=f"Namespace network {direction} bytes/s above its anomaly band "
                                  f"({ANOMALY_BAND_WIDTH} standard deviations)",
                metric_queries=[
                    {"id": "bytes", "return_data": True,
                     "metric": {"namespace": "ContainerInsights", "metric_name": metric, "dimensions": workload,
                                "period": period, "stat": "Average"}},
                    {"id": "band", "expression": f"ANOMALY_DETECTION_BAND(bytes, {ANOMALY_BAND_WIDTH})",
                     "label": "expected", "return_data": True},
                ],
                threshold_metric_id="band",
                comparison_operator="GreaterThanUpperThreshold",
                evaluation_periods=periods,
                treat_missing_data="notBreaching",
                alarm_actions=[topic_arn],
                ok_actions=[topic_arn],
                tags=tags,
                opts=child(self, provider),
            )
            arns.append(alarm.arn)
        return arns
