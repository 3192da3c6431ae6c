"""The tenant's CloudWatch dashboard: the metrics its alarms watch, on one page."""

from __future__ import annotations

from typing import Any, TypedDict

import pulumi
import pulumi_aws as aws

from components.aws.alerting import LATENCY_METRIC, LATENCY_NAMESPACE
from components.aws.common import child, physical_name


class DashboardArgs(TypedDict):
    provider: aws.Provider
    base_name: str
    tenant_id: str
    region: str
    cluster_name: pulumi.Input[str]
    namespace: str
    db_identifier: pulumi.Input[str]
    cache_group_id: pulumi.Input[str]
    cpu_threshold: int
    memory_threshold: int
    latency_ms: float | None
    alarm_arns: list[pulumi.Output[str]]
    real_time: bool


def _widget(title: str, metrics: list[list[Any]], region: str, period: int, x: int, y: int,
            threshold: float | None = None, stat: str = "Average") -> dict[str, Any]:
    properties: dict[str, Any] = {
        "title": title,
        "metrics": metrics,
        "region": region,
        "period": period,
        "stat": stat,
        "view": "timeSeries",
    }
    if threshold is not None:
        properties["annotations"] = {"horizontal": [{"label": "threshold", "value": threshold}]}
    return {"type": "metric", "x": x, "y": y, "width": 12, "height": 6, "properties": properties}


class Dashboard(pulumi.ComponentResource):
    name: pulumi.Output[str]

    def __init__(self, name: str, args: DashboardArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("tenant-platform:aws:Dashboard", name, None, opts)
        region = args["region"]
        period = 60 if args["real_time"] else 300
        cluster, ns = args["cluster_name"], args["namespace"]
        db, cache = args["db_identifier"], args["cache_group_id"]
        widgets = [
            _widget("Workload CPU (% of limit)",
                    [["ContainerInsights", "pod_cpu_utilization_over_pod_limit", "ClusterName", cluster,
                      "Namespace", ns]], region, period, 0, 0, args["cpu_threshold"]),
            _widget("Workload memory (% of limit)",
                    [["ContainerInsights", "pod_memory_utilization_over_pod_limit", "ClusterName", cluster,
                      "Namespace", ns]], region, period, 12, 0, args["memory_threshold"]),
            _widget("Database CPU and connections",
                    [["AWS/RDS", "CPUUtilization", "DBInstanceIdentifier", db],
                     ["AWS/RDS", "DatabaseConnections", "DBInstanceIdentifier", db, {"yAxis": "right"}]],
                    region, period, 0, 6),
            _widget("Database free storage (bytes)",
                    [["AWS/RDS", "FreeStorageSpace", "DBInstanceIdentifier", db]], region, period, 12, 6,
                    stat="Minimum"),
            _widget("Cache CPU and memory (%)",
                    [["AWS/ElastiCache", "EngineCPUUtilization", "ReplicationGroupId", cache],
                     ["AWS/ElastiCache", "DatabaseMemoryUsagePercentage", "ReplicationGroupId", cache]],
                    region, period, 0, 12),
        ]
        if args["latency_ms"] is not None:
            widgets.append(
                _widget("Workload p95 latency (ms)",
                        [[LATENCY_NAMESPACE, LATENCY_METRIC, "Tenant", args["tenant_id"]]], region, period, 12, 12,
                        args["latency_ms"], stat="p95")
            )
        widgets.append(
            {"type": "alarm", "x": 0, "y": 18, "width": 24, "height": 4,
             "properties": {"title": "Alarms", "alarms": args["alarm_arns"]}}
        )
        dashboard = aws.cloudwatch.Dashboard(
            f"{name}-dashboard",
            dashboard_name=physical_name("tenant-platform", args["base_name"], 255),
            dashboard_body=pulumi.Output.json_dumps({"widgets": widgets}),
            opts=child(self, args["provider"]),
        )
        self.name = dashboard.dashboard_name
        self.register_outputs({"name": self.name})
