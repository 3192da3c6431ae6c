"""Audit: control-plane audit logs on, log retention at least the frameworks' minimum, alerting wired."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from pulumi_policy import ResourceValidationPolicy, Severity, StackValidationPolicy

from .base import ALERTING, AUDIT, RETENTION, Context, Meta, Resource, as_int, as_list, get, resource_policy, stack_policy, truthy

# Minimum days of log retention per framework in force ("baseline" applies to every tenant).
MIN_RETENTION_DAYS = {"baseline": 7, "gdpr": 7, "soc2": 14, "iso27001": 30}
RETENTION_SCHEMA = {
    "minRetentionDays": {
        "type": "object",
        "additionalProperties": {"type": "integer", "minimum": 1},
        "default": MIN_RETENTION_DAYS,
        "description": "Minimum log retention in days per framework (and baseline).",
    }
}


def _meta(
    name: str,
    description: str,
    remediation: str,
    controls: Any = AUDIT,
    severity: Severity = Severity.HIGH,
    config: dict[str, Any] | None = None,
) -> Meta:
    return Meta(name, description, severity, remediation, controls, "audit", True, dict(config or {}))


def minimum_days(ctx: Context) -> int:
    table = ctx.setting("minRetentionDays", MIN_RETENTION_DAYS)
    return max(int(table.get(f, 0)) for f in ("baseline", *ctx.frameworks))


def _retention(prop: str, never_expires: int | None, provider_default: int | None, noun: str) -> Any:
    def check(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
        days = as_int(props.get(prop))
        days = provider_default if days is None else days
        if never_expires is not None and days == never_expires:
            return
        minimum = minimum_days(ctx)
        if days is None or days < minimum:
            yield f"{noun} must retain logs for at least {minimum} days ({prop} ≥ {minimum})."

    return check


def _eks_audit(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    if "audit" not in as_list(props.get("enabledClusterLogTypes")):
        yield "EKS cluster must ship control-plane audit logs (enabledClusterLogTypes includes audit)."


def _gke_audit(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    components = as_list(get(props, "loggingConfig", "enableComponents"))
    if props.get("loggingService") == "none" or "APISERVER" not in components:
        yield "GKE cluster must ship control-plane logs (loggingConfig.enableComponents includes APISERVER)."


AKS_AUDIT = {"kube-audit", "kube-audit-admin"}


def _targets(setting: Resource, cluster: Resource) -> bool:
    """The diagnostic setting is attached to the cluster: by its resource URI, or by depending on it."""
    uri = str(setting.props.get("resourceUri") or "").rstrip("/").lower()
    name = str(cluster.props.get("resourceName") or "").lower()
    return cluster.urn in setting.dependencies or (bool(name) and uri.endswith(f"/managedclusters/{name}"))


def _aks_audit(resources: Sequence[Resource], ctx: Context) -> Iterator[tuple[str, str | None]]:
    clusters = [r for r in resources if r.type == "azure-native:containerservice:ManagedCluster"]
    if not clusters:
        return
    settings = [r for r in resources if r.type == "azure-native:monitor:DiagnosticSetting"]
    for cluster in clusters:
        # kube-audit categories exist on AKS only; a category group (audit, allLogs) exists on every resource,
        # so it counts only on a setting that targets this cluster (the PostgreSQL server's allLogs is no AKS audit).
        shipped = any(
            truthy(get(log, "enabled"))
            and (
                get(log, "category") in AKS_AUDIT
                or (get(log, "categoryGroup") in {"audit", "allLogs"} and _targets(setting, cluster))
            )
            for setting in settings
            for log in as_list(setting.props.get("logs"))
        )
        if not shipped:
            yield (
                (
                    "AKS cluster must ship kube-audit logs through a diagnostic setting (logs category kube-audit "
                    "or kube-audit-admin enabled)."
                ),
                cluster.urn,
            )


def _has_cloud(resources: Sequence[Resource], prefix: str) -> bool:
    return any(r.type.startswith(prefix) for r in resources)


# ALARM("name") / OK(...) / INSUFFICIENT_DATA(...) references inside a composite alarm's rule.
_ALARM_REF = re.compile(r'\b(?:ALARM|OK|INSUFFICIENT_DATA)\(\s*"?([^"()]+?)"?\s*\)')


def _notifies(alarm: Resource) -> bool:
    return bool(as_list(alarm.props.get("alarmActions"))) and alarm.props.get("actionsEnabled") is not False


def _aws_alerting(resources: Sequence[Resource], ctx: Context) -> Iterator[tuple[str, str | None]]:
    if not _has_cloud(resources, "aws:"):
        return
    alarms = [r for r in resources if r.type == "aws:cloudwatch/metricAlarm:MetricAlarm"]
    composites = [r for r in resources if r.type == "aws:cloudwatch/compositeAlarm:CompositeAlarm"]
    for composite in composites:
        if not _notifies(composite):
            yield f"CloudWatch composite alarm {composite.name} must notify at least one action (alarmActions).", composite.urn
    # An alarm without actions is fine only as an input a notifying composite evaluates (the SLO burn-rate
    # look-backs page together, never alone); anything else silent is an alarm nobody hears.
    evaluated = {name for c in composites if _notifies(c) for name in _ALARM_REF.findall(str(c.props.get("alarmRule", "")))}
    for alarm in alarms:
        if not _notifies(alarm) and alarm.props.get("name") not in evaluated:
            yield f"CloudWatch alarm {alarm.name} must notify at least one action (alarmActions).", alarm.urn
    if not alarms or not any(r.type == "aws:sns/topicSubscription:TopicSubscription" for r in resources):
        yield "The tenant must have CloudWatch alarms wired to at least one SNS subscription (alert channel).", None


def _azure_alerting(resources: Sequence[Resource], ctx: Context) -> Iterator[tuple[str, str | None]]:
    if not _has_cloud(resources, "azure-native:"):
        return
    alerts = [
        r
        for r in resources
        if r.type
        in {
            "azure-native:monitor:MetricAlert",
            "azure-native:monitor:ScheduledQueryRule",
            "azure-native:monitor:ActivityLogAlert",
        }
    ]
    for alert in alerts:
        if not (as_list(alert.props.get("actions")) or get(alert.props, "actions", "actionGroups")):
            yield f"Azure Monitor alert {alert.name} must notify an action group (actions).", alert.urn
    # Prometheus rule groups (the SLO burn-rate rules): every alerting rule notifies an action group.
    for group in (r for r in resources if r.type == "azure-native:alertsmanagement:PrometheusRuleGroup"):
        for rule in as_list(group.props.get("rules")):
            if isinstance(rule, Mapping) and rule.get("alert") and not any(
                isinstance(a, Mapping) and a.get("actionGroupId") for a in as_list(rule.get("actions"))
            ):
                yield f"Prometheus rule {rule['alert']} of {group.name} must notify an action group (actions).", group.urn
    receivers = ("emailReceivers", "webhookReceivers", "smsReceivers", "azureAppPushReceivers", "logicAppReceivers")
    groups = [
        r for r in resources if r.type == "azure-native:monitor:ActionGroup" and any(as_list(r.props.get(k)) for k in receivers)
    ]
    if not alerts or not groups:
        yield "The tenant must have Azure Monitor alerts wired to an action group with at least one receiver.", None


def _gcp_alerting(resources: Sequence[Resource], ctx: Context) -> Iterator[tuple[str, str | None]]:
    if not _has_cloud(resources, "gcp:"):
        return
    policies = [r for r in resources if r.type == "gcp:monitoring/alertPolicy:AlertPolicy"]
    for policy in policies:
        if not as_list(policy.props.get("notificationChannels")):
            yield f"Alert policy {policy.name} must notify at least one channel (notificationChannels).", policy.urn
    if not policies or not any(r.type == "gcp:monitoring/notificationChannel:NotificationChannel" for r in resources):
        yield "The tenant must have alert policies wired to at least one notification channel.", None


def _storage_alarm(
    database_type: str, noun: str, watches: Any, notifies: Any, what: str
) -> Any:
    """Every database of ``database_type`` has an alert that watches its storage (``watches``), is computed from
    that database (a dependency: the alarm names it, not another one) and notifies (``notifies``)."""

    def check(resources: Sequence[Resource], ctx: Context) -> Iterator[tuple[str, str | None]]:
        alarms = [r for r in resources if watches(r) and notifies(r)]
        for database in (r for r in resources if r.type == database_type):
            if not any(database.urn in alarm.dependencies for alarm in alarms):
                yield f"{noun} {database.name} must have a notifying alert on {what}.", database.urn

    return check


def _rds_storage(r: Resource) -> bool:
    return r.type == "aws:cloudwatch/metricAlarm:MetricAlarm" and r.props.get("metricName") == "FreeStorageSpace"


def _postgres_storage(r: Resource) -> bool:
    return r.type == "azure-native:monitor:MetricAlert" and any(
        isinstance(c, Mapping) and c.get("metricName") == "storage_percent"
        for c in as_list(get(r.props, "criteria", "allOf"))
    )


def _cloudsql_storage(r: Resource) -> bool:
    return r.type == "gcp:monitoring/alertPolicy:AlertPolicy" and any(
        "cloudsql.googleapis.com/database/disk/utilization" in str(get(c, "conditionThreshold", "filter") or "")
        for c in as_list(r.props.get("conditions"))
    )


def _azure_notifies(r: Resource) -> bool:
    return bool(as_list(r.props.get("actions")))


def _gcp_notifies(r: Resource) -> bool:
    return bool(as_list(r.props.get("notificationChannels")))


STORAGE = "Keep the storage alert of components/<cloud>/alert* on every database the tenant has."


WIRE = "Create the tenant's alerts with at least one notification target from its alert_channels."
AUDIT_LOGS = "Turn on the control plane's audit log category in the cluster component."

POLICIES: list[ResourceValidationPolicy | StackValidationPolicy] = [
    resource_policy(
        _meta("aws-eks-audit-logs", "Checks that EKS clusters ship control-plane audit logs.", AUDIT_LOGS),
        ["aws:eks/cluster:Cluster"],
        _eks_audit,
    ),
    stack_policy(
        _meta("azure-aks-audit-logs", "Checks that AKS clusters ship kube-audit logs through a diagnostic setting.", AUDIT_LOGS),
        _aks_audit,
    ),
    resource_policy(
        _meta("gcp-gke-audit-logs", "Checks that GKE clusters ship API server logs.", AUDIT_LOGS),
        ["gcp:container/cluster:Cluster"],
        _gke_audit,
    ),
    resource_policy(
        _meta(
            "aws-cloudwatch-log-retention",
            "Checks that CloudWatch log groups keep logs at least as long as the tenant's frameworks require.",
            "Raise retentionInDays to the minimum (monitoring.metrics_retention in the tenant file).",
            RETENTION,
            Severity.MEDIUM,
            RETENTION_SCHEMA,
        ),
        ["aws:cloudwatch/logGroup:LogGroup"],
        _retention("retentionInDays", 0, 0, "CloudWatch log group"),
    ),
    resource_policy(
        _meta(
            "azure-loganalytics-retention",
            "Checks that Log Analytics workspaces keep logs at least as long as the tenant's frameworks require.",
            "Raise retentionInDays to the minimum (monitoring.metrics_retention in the tenant file).",
            RETENTION,
            Severity.MEDIUM,
            RETENTION_SCHEMA,
        ),
        ["azure-native:operationalinsights:Workspace"],
        _retention("retentionInDays", None, 30, "Log Analytics workspace"),
    ),
    resource_policy(
        _meta(
            "gcp-logging-bucket-retention",
            "Checks that log buckets keep logs at least as long as the tenant's frameworks require.",
            "Raise retentionDays to the minimum (monitoring.metrics_retention in the tenant file).",
            RETENTION,
            Severity.MEDIUM,
            RETENTION_SCHEMA,
        ),
        ["gcp:logging/projectBucketConfig:ProjectBucketConfig"],
        _retention("retentionDays", None, 30, "Log bucket"),
    ),
    stack_policy(
        _meta(
            "aws-cloudwatch-alerting",
            "Checks that the tenant's CloudWatch alarms reach at least one alert channel.",
            WIRE,
            ALERTING,
            Severity.MEDIUM,
        ),
        _aws_alerting,
    ),
    stack_policy(
        _meta(
            "azure-monitor-alerting",
            "Checks that the tenant's Azure Monitor alerts reach at least one receiver.",
            WIRE,
            ALERTING,
            Severity.MEDIUM,
        ),
        _azure_alerting,
    ),
    stack_policy(
        _meta(
            "gcp-monitoring-alerting",
            "Checks that the tenant's alert policies reach at least one notification channel.",
            WIRE,
            ALERTING,
            Severity.MEDIUM,
        ),
        _gcp_alerting,
    ),
    stack_policy(
        _meta("aws-rds-storage-alarm", "Checks that every RDS instance has a notifying free-storage alarm.", STORAGE,
              ALERTING, Severity.MEDIUM),
        _storage_alarm("aws:rds/instance:Instance", "RDS instance", _rds_storage, _notifies, "FreeStorageSpace"),
    ),
    stack_policy(
        _meta("azure-postgres-storage-alert", "Checks that every PostgreSQL flexible server has a notifying storage alert.",
              STORAGE, ALERTING, Severity.MEDIUM),
        _storage_alarm("azure-native:dbforpostgresql:Server", "PostgreSQL server", _postgres_storage, _azure_notifies,
                       "storage_percent"),
    ),
    stack_policy(
        _meta("gcp-cloudsql-storage-alert", "Checks that every Cloud SQL instance has a notifying disk-utilization alert.",
              STORAGE, ALERTING, Severity.MEDIUM),
        _storage_alarm("gcp:sql/databaseInstance:DatabaseInstance", "Cloud SQL instance", _cloudsql_storage, _gcp_notifies,
                       "database/disk/utilization"),
    ),
]
