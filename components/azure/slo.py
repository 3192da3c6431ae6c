"""The tenant's SLOs on Azure Monitor: burn-rate rules in a Prometheus rule group, to the tenant's action group.

Why a ``PrometheusRuleGroup`` on an Azure Monitor workspace and not metric alerts: the gateway is Envoy
behind an internal load balancer, and Azure's platform metrics for a load balancer know packets and
bytes, not HTTP status or latency. Managed Prometheus ingests Envoy's own request metrics into an Azure
Monitor workspace, and a rule group evaluates the same multi-window PromQL as the in-cluster rules there,
with actions on the tenant's action group (``components.burn_rate`` has the arithmetic and the metrics).

Silo tenants get their own workspace and the collection that feeds it (data collection endpoint and rule,
associated with their AKS cluster, which runs the managed Prometheus agent); pooled tenants' rules live
in their own resource group but are scoped to the shared cluster's workspace, the only place the shared
gateway's metrics land, and filtered to the tenant's route clusters.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, TypedDict

import pulumi
import pulumi_azure_native as azure

from components.azure.common import child, physical_name
from components.burn_rate import WINDOWS, burn_alert_promql, objectives, promql_duration

PROMETHEUS_STREAM = "Microsoft-PrometheusMetrics"
WORKSPACE_PROVIDER = "Microsoft.Monitor/accounts"


def shared_workspace_name(shared_stack: str) -> str:
    """The Azure Monitor workspace of a shared cluster stack (the shared stack creates it under this name)."""
    return physical_name(shared_stack.rsplit("/", 1)[-1], "prometheus", 44)


def workspace_id(subscription_id: str, resource_group: str, name: str) -> str:
    return f"/subscriptions/{subscription_id}/resourceGroups/{resource_group}/providers/{WORKSPACE_PROVIDER}/{name}"


class CollectionArgs(TypedDict):
    resource_group_name: pulumi.Input[str]
    location: str
    base_name: str
    cluster_id: pulumi.Input[str]
    tags: dict[str, str]


class PrometheusCollection(pulumi.ComponentResource):
    """An Azure Monitor workspace and the data collection that sends a cluster's managed Prometheus to it."""

    workspace_id: pulumi.Output[str]

    def __init__(self, name: str, args: CollectionArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("tenant-platform:azure:PrometheusCollection", name, None, opts)
        rg, location, tags, base = args["resource_group_name"], args["location"], args["tags"], args["base_name"]
        workspace = azure.monitor.AzureMonitorWorkspace(
            f"{name}-workspace",
            resource_group_name=rg,
            location=location,
            azure_monitor_workspace_name=physical_name(base, "prometheus", 44),
            tags=tags,
            opts=child(self),
        )
        endpoint = azure.monitor.DataCollectionEndpoint(
            f"{name}-endpoint",
            resource_group_name=rg,
            location=location,
            data_collection_endpoint_name=physical_name(base, "prometheus-dce", 44),
            kind="Linux",
            tags=tags,
            opts=child(self),
        )
        rule = azure.monitor.DataCollectionRule(
            f"{name}-rule",
            resource_group_name=rg,
            location=location,
            data_collection_rule_name=physical_name(base, "prometheus-dcr", 64),
            kind="Linux",
            data_collection_endpoint_id=endpoint.id,
            data_sources={"prometheus_forwarder": [{"name": "prometheus", "streams": [PROMETHEUS_STREAM]}]},
            destinations={"monitoring_accounts": [{"name": "workspace", "account_resource_id": workspace.id}]},
            data_flows=[{"streams": [PROMETHEUS_STREAM], "destinations": ["workspace"]}],
            tags=tags,
            opts=child(self),
        )
        azure.monitor.DataCollectionRuleAssociation(
            f"{name}-association",
            resource_uri=args["cluster_id"],
            association_name=physical_name(base, "prometheus-dcra", 64),
            data_collection_rule_id=rule.id,
            opts=child(self),
        )
        self.workspace_id = workspace.id
        self.register_outputs({"workspaceId": self.workspace_id})


class SloArgs(TypedDict):
    resource_group_name: pulumi.Input[str]
    location: str
    base_name: str
    tenant_id: str
    cluster_name: pulumi.Input[str]
    namespace: str
    workspace_id: pulumi.Input[str]
    availability: float  # percent
    latency_p95: timedelta
    action_group_id: pulumi.Input[str]
    real_time: bool
    tags: dict[str, str]


class Slo(pulumi.ComponentResource):
    rule_group_id: pulumi.Output[str]

    def __init__(self, name: str, args: SloArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("tenant-platform:azure:Slo", name, None, opts)
        latency_ms = args["latency_p95"].total_seconds() * 1000
        rules: list[dict[str, Any]] = []
        for objective in objectives(args["availability"], args["latency_p95"]):
            for window in WINDOWS:
                rate = objective.effective_burn_rate(window)
                rules.append({
                    "alert": f"{args['tenant_id']}-{objective.key}-{window.name}-burn",
                    "expression": burn_alert_promql(objective, window, args["namespace"], latency_ms),
                    "severity": 1 if window.name == "fast" else 2,
                    "annotations": {
                        "description": (f"{args['tenant_id']}: {objective.description}; the error budget burns "
                                        f"at more than {rate:g}x over {promql_duration(window.long)} and "
                                        f"{promql_duration(window.short)}"),
                    },
                    "labels": {"tenant": args["tenant_id"], "slo": objective.key, "window": window.name},
                    "actions": [{"action_group_id": args["action_group_id"]}],
                    # Resolve as soon as the short look-back has recovered.
                    "resolve_configuration": {"auto_resolved": True, "time_to_resolve": "PT5M"},
                    "enabled": True,
                })
        group = azure.alertsmanagement.PrometheusRuleGroup(
            f"{name}-rules",
            resource_group_name=args["resource_group_name"],
            location=args["location"],
            rule_group_name=physical_name(args["base_name"], "slo", 260),
            description=f"SLO burn-rate alerts of tenant {args['tenant_id']}",
            scopes=[args["workspace_id"]],
            cluster_name=args["cluster_name"],
            # real_time tenants: evaluated every minute, else every five (the existing alerts' cadence).
            interval="PT1M" if args["real_time"] else "PT5M",
            enabled=True,
            rules=rules,  # type: ignore[arg-type]  # plain dicts for the rule TypedDicts
            tags=args["tags"],
            opts=child(self),
        )
        self.rule_group_id = group.id
        self.register_outputs({"ruleGroupId": self.rule_group_id})
