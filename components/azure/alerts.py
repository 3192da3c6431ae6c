"""Alerting: an action group with the tenant's email, webhook and Slack receivers, metric alerts, a dashboard."""

from __future__ import annotations

from typing import Any, NotRequired, TypedDict

import pulumi
import pulumi_azure_native as azure

from components.azure.common import child
from components.estate import StackSettings


class MissingAlertTargetError(ValueError):
    """A channel the tenant lists has no target in stack config."""


class Threshold(TypedDict):
    label: str
    scope: pulumi.Input[str]
    namespace: str
    metric: str
    operator: str  # GreaterThan | LessThan
    threshold: float
    aggregation: str  # Average | Maximum | Minimum | Total
    description: str
    severity: int
    # A dynamic threshold: Azure learns the metric's usual band and ``threshold`` is ignored (throughput,
    # whose bound the specification does not give).
    dynamic: NotRequired[bool]


# Dynamic thresholds: low sensitivity (only far outside the learnt band), every one of the last four
# evaluations outside it before paging.
DYNAMIC_SENSITIVITY = "Low"
DYNAMIC_FAILING_PERIODS = 4


def criteria(item: Threshold) -> Any:
    """The alert's criteria: one static threshold, or one dynamic threshold (which needs the multi-resource type)."""
    if item.get("dynamic"):
        return azure.monitor.MetricAlertMultipleResourceMultipleMetricCriteriaArgs(
            odata_type="Microsoft.Azure.Monitor.MultipleResourceMultipleMetricCriteria",
            all_of=[
                azure.monitor.DynamicMetricCriteriaArgs(
                    criterion_type="DynamicThresholdCriterion",
                    name=item["label"],
                    metric_name=item["metric"],
                    metric_namespace=item["namespace"],
                    operator=item["operator"],
                    time_aggregation=item["aggregation"],
                    alert_sensitivity=DYNAMIC_SENSITIVITY,
                    failing_periods=azure.monitor.DynamicThresholdFailingPeriodsArgs(
                        number_of_evaluation_periods=DYNAMIC_FAILING_PERIODS,
                        min_failing_periods_to_alert=DYNAMIC_FAILING_PERIODS,
                    ),
                )
            ],
        )
    # A union type: the typed args make the SDK send the ARM names (odata.type, allOf, ...).
    return azure.monitor.MetricAlertSingleResourceMultipleMetricCriteriaArgs(
        odata_type="Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria",
        all_of=[
            azure.monitor.MetricCriteriaArgs(
                criterion_type="StaticThresholdCriterion",
                name=item["label"],
                metric_name=item["metric"],
                metric_namespace=item["namespace"],
                operator=item["operator"],
                threshold=item["threshold"],
                time_aggregation=item["aggregation"],
            )
        ],
    )


def receivers(channels: list[str], settings: StackSettings) -> dict[str, Any]:
    """The action group's receivers for the listed channels; a listed channel without a target is an error."""
    emails: list[dict[str, Any]] = []
    hooks: list[dict[str, Any]] = []
    for channel in channels:
        if channel == "email":
            if not settings.alert_emails:
                raise MissingAlertTargetError(
                    "alert channel 'email' is listed but tenant-platform:alertEmails is not set in the stack config"
                )
            emails += [
                {"name": f"email-{i}", "email_address": address, "use_common_alert_schema": True}
                for i, address in enumerate(settings.alert_emails)
            ]
        elif channel == "webhook":
            if settings.alert_webhook_url is None:
                raise MissingAlertTargetError(
                    "alert channel 'webhook' is listed but tenant-platform:alertWebhookUrl is not set in the stack config"
                )
            hooks.append({"name": "webhook", "service_uri": settings.alert_webhook_url, "use_common_alert_schema": True})
        elif channel == "slack":
            if settings.slack_webhook_url is None:
                raise MissingAlertTargetError(
                    "alert channel 'slack' is listed but tenant-platform:slackWebhookUrl is not set in the stack config"
                )
            # Slack through its incoming-webhook URL; Slack renders the common alert schema as raw JSON
            # unless a relay (Logic App) reformats it.
            hooks.append({"name": "slack", "service_uri": settings.slack_webhook_url, "use_common_alert_schema": True})
    return {"email_receivers": emails, "webhook_receivers": hooks}


def dashboard_parts(title: str, charts: list[tuple[str, str, str]]) -> list[dict[str, Any]]:
    """A markdown header and one metric chart per (resource id, namespace, metric); ids are filled in later."""
    parts: list[dict[str, Any]] = [
        {
            "position": {"x": 0, "y": 0, "col_span": 12, "row_span": 1},
            "metadata": {
                "type": "Extension/HubsExtension/PartType/MarkdownPart",
                "inputs": [],
                "settings": {"content": {"settings": {"content": f"## {title}", "title": title}}},
            },
        }
    ]
    for index, (resource_id, namespace, metric) in enumerate(charts):
        parts.append(
            {
                "position": {"x": (index % 2) * 6, "y": 1 + (index // 2) * 4, "col_span": 6, "row_span": 4},
                "metadata": {
                    "type": "Extension/HubsExtension/PartType/MonitorChartPart",
                    "inputs": [
                        {
                            "name": "options",
                            "value": {
                                "chart": {
                                    "metrics": [
                                        {"resourceMetadata": {"id": resource_id}, "name": metric, "namespace": namespace}
                                    ],
                                    "title": metric,
                                }
                            },
                        }
                    ],
                },
            }
        )
    return parts


def _dashboard_lenses(values: list[Any]) -> list[dict[str, Any]]:
    title, specs = values[0], values[1:]
    charts = [(str(spec[0]), str(spec[1]), str(spec[2])) for spec in specs]
    return [{"order": 0, "parts": dashboard_parts(str(title), charts)}]


class AlertsArgs(TypedDict):
    resource_group_name: pulumi.Input[str]
    location: str
    short_name: str  # action groups allow 12 characters
    channels: list[str]
    settings: StackSettings
    thresholds: list[Threshold]
    real_time: bool
    title: str
    tags: dict[str, str]


class Alerts(pulumi.ComponentResource):
    action_group_id: pulumi.Output[str]

    def __init__(self, name: str, args: AlertsArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("tenant-platform:azure:Alerts", name, None, opts)
        rg, tags = args["resource_group_name"], args["tags"]
        group = azure.monitor.ActionGroup(
            f"{name}-action-group",
            resource_group_name=rg,
            location="global",
            group_short_name=args["short_name"][:12],
            enabled=True,
            **receivers(args["channels"], args["settings"]),
            tags=tags,
            opts=child(self),
        )

        frequency, window = ("PT1M", "PT5M") if args["real_time"] else ("PT5M", "PT15M")
        for item in args["thresholds"]:
            azure.monitor.MetricAlert(
                f"{name}-{item['label']}",
                resource_group_name=rg,
                location="global",
                description=item["description"],
                severity=item["severity"],
                enabled=True,
                scopes=[item["scope"]],
                evaluation_frequency=frequency,
                window_size=window,
                auto_mitigate=True,
                criteria=criteria(item),
                actions=[{"action_group_id": group.id}],
                tags=tags,
                opts=child(self),
            )

        chart_specs = [pulumi.Output.all(t["scope"], t["namespace"], t["metric"]) for t in args["thresholds"]]
        azure.portal.Dashboard(  # type: ignore[call-overload]  # nested dict inputs
            f"{name}-dashboard",
            resource_group_name=rg,
            location=args["location"],
            properties={"lenses": pulumi.Output.all(args["title"], *chart_specs).apply(_dashboard_lenses)},
            tags={**tags, "hidden-title": args["title"]},
            opts=child(self),
        )

        self.action_group_id = group.id
        self.register_outputs({"actionGroupId": self.action_group_id})
