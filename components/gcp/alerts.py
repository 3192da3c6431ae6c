"""Alerting: notification channels (email, webhook, Slack), alert policies for thresholds and health, a dashboard."""

from __future__ import annotations

import json
from typing import Any, TypedDict

import pulumi
import pulumi_gcp as gcp

from components.estate import StackSettings
from components.gcp.common import Project, child


class MissingAlertTargetError(ValueError):
    """A channel the tenant lists has no target in stack config."""


class Condition(TypedDict):
    label: str
    display_name: str
    filter: str  # Monitoring filter (metric and resource); PromQL when ``promql`` is set
    comparison: str  # COMPARISON_GT | COMPARISON_LT
    threshold: float
    aligner: str
    promql: bool


class Channel(TypedDict):
    label: str
    type: str
    labels: dict[str, pulumi.Input[str]]


def channels(wanted: list[str], settings: StackSettings) -> list[Channel]:
    """Notification channels for the listed alert channels; a listed channel without a target is an error."""
    out: list[Channel] = []
    for channel in wanted:
        if channel == "email":
            if not settings.alert_emails:
                raise MissingAlertTargetError(
                    "alert channel 'email' is listed but tenant-platform:alertEmails is not set in the stack config"
                )
            out += [{"label": f"email-{i}", "type": "email", "labels": {"email_address": address}}
                    for i, address in enumerate(settings.alert_emails)]
        elif channel == "webhook":
            if settings.alert_webhook_url is None:
                raise MissingAlertTargetError(
                    "alert channel 'webhook' is listed but tenant-platform:alertWebhookUrl is not set in the stack config"
                )
            out.append({"label": "webhook", "type": "webhook_tokenauth", "labels": {"url": settings.alert_webhook_url}})
        elif channel == "slack":
            if settings.slack_webhook_url is None:
                raise MissingAlertTargetError(
                    "alert channel 'slack' is listed but tenant-platform:slackWebhookUrl is not set in the stack config"
                )
            # Cloud Monitoring's native Slack channel needs an OAuth app token; with an incoming-webhook URL
            # the closest real thing is a token-auth webhook channel pointed at it.
            out.append({"label": "slack", "type": "webhook_tokenauth", "labels": {"url": settings.slack_webhook_url}})
    return out


def dashboard_json(values: list[Any]) -> str:
    title, filters = str(values[0]), [str(v) for v in values[1:]]
    tiles = [
        {"xPos": (i % 2) * 6, "yPos": (i // 2) * 4, "width": 6, "height": 4,
         "widget": {"title": f, "xyChart": {"dataSets": [
             {"timeSeriesQuery": {"timeSeriesFilter": {"filter": f, "aggregation": {
                 "alignmentPeriod": "60s", "perSeriesAligner": "ALIGN_MEAN"}}}}]}}}
        for i, f in enumerate(filters)
    ]
    return json.dumps({"displayName": title, "mosaicLayout": {"columns": 12, "tiles": tiles}}, sort_keys=True)


class AlertsArgs(TypedDict):
    project: Project
    title: str
    channels: list[str]
    settings: StackSettings
    conditions: list[Condition]
    real_time: bool
    labels: dict[str, str]


class Alerts(pulumi.ComponentResource):
    channel_ids: pulumi.Output[list[str]]

    def __init__(self, name: str, args: AlertsArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("tenant-platform:gcp:Alerts", name, None, opts)
        proj = args["project"]
        opts_ = child(self, proj.provider)
        created = [
            gcp.monitoring.NotificationChannel(
                f"{name}-{item['label']}",
                display_name=f"{args['title']} {item['label']}",
                type=item["type"],
                labels=item["labels"],
                user_labels=args["labels"],
                project=proj.id,
                opts=opts_,
            )
            for item in channels(args["channels"], args["settings"])
        ]
        ids = [c.id for c in created]
        duration = "60s" if args["real_time"] else "300s"
        for cond in args["conditions"]:
            if cond["promql"]:
                condition: dict[str, Any] = {
                    "display_name": cond["display_name"],
                    "condition_prometheus_query_language": {"query": cond["filter"], "duration": duration,
                                                            "evaluation_interval": "60s"},
                }
            else:
                condition = {
                    "display_name": cond["display_name"],
                    "condition_threshold": {
                        "filter": cond["filter"],
                        "comparison": cond["comparison"],
                        "threshold_value": cond["threshold"],
                        "duration": duration,
                        "aggregations": [{"alignment_period": "60s", "per_series_aligner": cond["aligner"]}],
                    },
                }
            gcp.monitoring.AlertPolicy(
                f"{name}-{cond['label']}",
                display_name=f"{args['title']}: {cond['display_name']}",
                combiner="OR",
                conditions=[condition],  # type: ignore[list-item]
                notification_channels=ids,
                user_labels=args["labels"],
                project=proj.id,
                opts=opts_,
            )
        gcp.monitoring.Dashboard(
            f"{name}-dashboard",
            project=proj.id,
            dashboard_json=pulumi.Output.all(args["title"], *[c["filter"] for c in args["conditions"]
                                                             if not c["promql"]]).apply(dashboard_json),
            opts=opts_,
        )
        self.channel_ids = pulumi.Output.all(*ids)
        self.register_outputs({"channelIds": self.channel_ids})
