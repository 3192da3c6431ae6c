"""The cloud half of the SLOs, and the network and storage alarms, through the renderer on every cloud.

Every example tenant, plus one tenant per cloud whose objectives and database sizes differ from its tier's,
is rendered once. Expectations come from the tenant's spec and from the method, never from the components:
the SRE workbook's paging windows (2% of a 30-day budget in 1 h = 14.4x, with a 5 min short window; 5% in
6 h = 6x, with 30 min), error ratio threshold = burn rate x error budget (at most half of the requests),
the latency budget of a p95 objective (5% of requests may be slower), and "free below a tenth" storage.
Routing is read from the engine's property dependencies: an alert reaches the tenant's channels when its
action input was computed from the tenant's topic, action group or notification channels.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any

import pytest
from test_multicloud_helpers import ROOT, inputs, render, write_tenant

from components.naming import namespace_name
from spec.loader import load_tenant
from spec.tiers import tier_defaults
from tenantctl.render import RenderedResource, RenderedTenant, render_shared_cluster, shared_cluster_files

GIB = 2**30
# (long look-back s, short look-back s, burn rate): SRE workbook, "Alerting on SLOs", multiwindow table.
WINDOWS = {"fast": (3600, 300, 14.4), "slow": (21600, 1800, 6.0)}
LATENCY_BUDGET = 0.05  # latency_p95: 5% of requests may be slower
MAX_ERROR_RATIO = 0.5  # a page when half the requests fail, whatever the objective
STORAGE_FREE = 0.10

EXAMPLES = sorted(p.stem for p in (ROOT / "tenants").glob("*.yaml"))
# One tenant per cloud whose SLO and database sizes are not its tier's: thresholds must follow.
VARIANT_SLO = {"availability": 99.95, "latency_p95": "150ms"}
VARIANT_DB = {"storage_gb": 80, "max_storage_gb": 320}
VARIANTS = {
    "slo-aws": {"cloud": "aws", "region": "eu-west-1", "isolation": "strict"},
    "slo-azure": {"cloud": "azure", "region": "westeurope", "isolation": "strict"},
    "slo-gcp": {"cloud": "gcp", "region": "europe-west1", "isolation": "standard"},
}


@functools.cache
def _rendered(name: str, tmp: Path) -> RenderedTenant:
    if name in VARIANTS:
        v = VARIANTS[name]
        tenant = write_tenant(tmp, {
            "tenant_id": name, "tier": "premium", "cloud": v["cloud"], "region": v["region"],
            "tenant_config": {"security": {"isolation_level": v["isolation"]}, "monitoring": {"slo": VARIANT_SLO},
                              "database": VARIANT_DB},
        })
        return render(tenant)
    return render(load_tenant(ROOT / "tenants" / f"{name}.yaml"))


@pytest.fixture(scope="module")
def tmp_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("slo")


def _of_cloud(cloud: str) -> list[str]:
    examples = [n for n in EXAMPLES if load_tenant(ROOT / "tenants" / f"{n}.yaml").spec.cloud == cloud]
    return examples + [n for n, v in VARIANTS.items() if v["cloud"] == cloud]


def _threshold(rate: float, budget: float) -> float:
    return min(rate * budget, MAX_ERROR_RATIO)


def _budgets(r: RenderedTenant) -> dict[str, float]:
    slo = r.tenant.spec.config.monitoring.slo
    return {"availability": 1 - slo.availability / 100, "latency": LATENCY_BUDGET}


def _latency_ms(r: RenderedTenant) -> float:
    return r.tenant.spec.config.monitoring.slo.latency_p95.total_seconds() * 1000


def _deps(resource: RenderedResource, key: str) -> set[str]:
    return set(resource.property_dependencies.get(key, []))


def _urns(r: RenderedTenant, type_: str) -> set[str]:
    return {x.urn for x in r.of_type(type_)}


def test_variants_differ_from_their_tier() -> None:
    """Otherwise the variants would prove nothing about thresholds following the spec."""
    defaults = tier_defaults("premium", "aws")
    assert defaults["monitoring"]["slo"]["availability"] != VARIANT_SLO["availability"]
    assert defaults["monitoring"]["slo"]["latency_p95"] != VARIANT_SLO["latency_p95"]
    for cloud in ("aws", "azure", "gcp"):
        db = tier_defaults("premium", cloud)["database"]
        assert (db["storage_gb"], db["max_storage_gb"]) != (VARIANT_DB["storage_gb"], VARIANT_DB["max_storage_gb"])


def test_every_example_cloud_is_covered() -> None:
    assert {load_tenant(ROOT / "tenants" / f"{n}.yaml").spec.cloud for n in EXAMPLES} == {"aws", "azure", "gcp"}


# ---------------------------------------------------------------------------------------------------- AWS

COMPOSITE = "aws:cloudwatch/compositeAlarm:CompositeAlarm"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
TOPIC = "aws:sns/topic:Topic"


def _look_backs(alarm: dict[str, Any]) -> set[int]:
    return {q["metric"]["period"] for q in alarm.get("metricQueries", []) if "metric" in q}


@pytest.mark.parametrize("name", _of_cloud("aws"))
def test_aws_burn_rate_alarms(name: str, tmp_dir: Path) -> None:
    r = _rendered(name, tmp_dir)
    topics = _urns(r, TOPIC)
    by_name = {inputs(a)["name"]: inputs(a) for a in r.of_type(ALARM)}
    budgets, ns, latency = _budgets(r), namespace_name(r.tenant_id), _latency_ms(r)
    seen = set()
    for composite in r.of_type(COMPOSITE):
        c = inputs(composite)
        # Routed to the tenant's topic, on alarm and on recovery.
        assert c["alarmActions"] == c["okActions"] and len(c["alarmActions"]) == 1
        assert _deps(composite, "alarmActions") == topics
        long_name, short_name = re.findall(r'ALARM\("([^"]+)"\)', c["alarmRule"])
        assert " AND " in c["alarmRule"]
        long, short = by_name[long_name], by_name[short_name]
        # The look-backs page only together, through the composite.
        assert long["actionsEnabled"] is False and short["actionsEnabled"] is False
        assert not long.get("alarmActions") and not short.get("alarmActions")
        (window,) = [w for w, (lb, sb, _) in WINDOWS.items() if _look_backs(long) == {lb} and _look_backs(short) == {sb}]
        stats = {q["metric"]["stat"] for q in long["metricQueries"] if "metric" in q}
        objective = "latency" if any(s.startswith("PR(") for s in stats) else "availability"
        expected = _threshold(WINDOWS[window][2], budgets[objective])
        assert long["threshold"] == pytest.approx(expected) and short["threshold"] == pytest.approx(expected)
        assert long["comparisonOperator"] == "GreaterThanThreshold"
        if objective == "latency":
            # Percentile rank: the share of requests within the objective's latency.
            assert stats == {f"PR(:{latency:g})"}
        else:
            for q in long["metricQueries"]:
                if "metric" in q:
                    assert q["metric"]["dimensions"]["TenantNamespace"] == ns
                    assert q["metric"]["stat"] == "Sum"
        seen.add((objective, window))
    assert seen == {(o, w) for o in budgets for w in WINDOWS}
    assert len(r.of_type(COMPOSITE)) == len(seen)


@pytest.mark.parametrize("name", _of_cloud("aws"))
def test_aws_network_and_storage_alarms(name: str, tmp_dir: Path) -> None:
    r = _rendered(name, tmp_dir)
    cfg, topics = r.tenant.spec.config, _urns(r, TOPIC)
    alarms = r.of_type(ALARM)
    nats = _urns(r, "aws:ec2/natGateway:NatGateway")
    assert bool(nats) == r.tenant.spec.silo
    for metric in ("PacketsDropCount", "ErrorPortAllocation"):
        watched = [a for a in alarms if a.inputs.get("metricName") == metric]
        # One alarm per NAT gateway of the tenant's network, each on that gateway, each to the topic.
        assert set().union(*[_deps(a, "dimensions") for a in watched]) == nats if nats else watched == []
        assert all(a.inputs["namespace"] == "AWS/NATGateway" and _deps(a, "alarmActions") == topics for a in watched)
        assert len(watched) == len(nats)
    bands = [a for a in alarms if any("ANOMALY_DETECTION_BAND" in q.get("expression", "")
                                      for q in a.inputs.get("metricQueries", []))]
    directions = {q["metric"]["metricName"] for a in bands for q in a.inputs["metricQueries"] if "metric" in q}
    assert directions == {"pod_network_rx_bytes", "pod_network_tx_bytes"}
    for a in bands:
        assert a.inputs["comparisonOperator"] == "GreaterThanUpperThreshold"
        assert _deps(a, "alarmActions") == topics
        (dims,) = [q["metric"]["dimensions"] for q in a.inputs["metricQueries"] if "metric" in q]
        assert dims["Namespace"] == namespace_name(r.tenant_id)
    (storage,) = [a for a in alarms if a.inputs.get("metricName") == "FreeStorageSpace"]
    assert storage.inputs["threshold"] == cfg.database.storage_gb * GIB * STORAGE_FREE
    assert _deps(storage, "dimensions") == _urns(r, "aws:rds/instance:Instance")
    (cache,) = [a for a in alarms if a.inputs.get("metricName") == "DatabaseMemoryUsagePercentage"]
    assert cache.inputs["threshold"] == pytest.approx(100 * (1 - STORAGE_FREE))


# ---------------------------------------------------------------------------------------------------- GCP

SLO = "gcp:monitoring/slo:Slo"
POLICY = "gcp:monitoring/alertPolicy:AlertPolicy"
CHANNEL = "gcp:monitoring/notificationChannel:NotificationChannel"
GCP_MAX_GOAL = 0.9999  # Monitoring API: 0 < goal <= 0.9999


@pytest.mark.parametrize("name", _of_cloud("gcp"))
def test_gcp_service_and_slos(name: str, tmp_dir: Path) -> None:
    r = _rendered(name, tmp_dir)
    slo_spec, ns = r.tenant.spec.config.monitoring.slo, namespace_name(r.tenant_id)
    (service,) = r.of_type("gcp:monitoring/customService:CustomService")
    slos = {inputs(s)["sloId"]: inputs(s) for s in r.of_type(SLO)}
    assert set(slos) == {"availability", "latency"}
    assert all(s["service"] == inputs(service)["serviceId"] and s["rollingPeriodDays"] == 30 for s in slos.values())
    availability = slos["availability"]
    assert availability["goal"] == pytest.approx(min(slo_spec.availability / 100, GCP_MAX_GOAL))
    ratio = availability["requestBasedSli"]["goodTotalRatio"]
    assert 'envoy_response_code_class="5"' in ratio["badServiceFilter"]
    latency = slos["latency"]
    assert latency["goal"] == pytest.approx(1 - LATENCY_BUDGET)
    cut = latency["requestBasedSli"]["distributionCut"]
    assert cut["range"]["max"] == pytest.approx(_latency_ms(r))
    for f in (ratio["badServiceFilter"], ratio["totalServiceFilter"], cut["distributionFilter"]):
        # The gateway's metrics as Managed Service for Prometheus stores them, the tenant's routes only.
        assert f.startswith('metric.type="prometheus.googleapis.com/envoy_cluster_upstream_rq')
        assert f'starts_with("httproute/{ns}/")' in f and 'resource.type="prometheus_target"' in f


@pytest.mark.parametrize("name", _of_cloud("gcp"))
def test_gcp_burn_rate_policies(name: str, tmp_dir: Path) -> None:
    r = _rendered(name, tmp_dir)
    budgets, channels = _budgets(r), _urns(r, CHANNEL)
    slo_urns = {inputs(s)["sloId"]: s.urn for s in r.of_type(SLO)}
    goals = {inputs(s)["sloId"]: inputs(s)["goal"] for s in r.of_type(SLO)}
    burn = [p for p in r.of_type(POLICY) if "select_slo_burn_rate" in str(p.inputs["conditions"])]
    seen = set()
    for policy in burn:
        p = inputs(policy)
        assert p["combiner"] == "AND" and len(p["conditions"]) == 2
        assert _deps(policy, "notificationChannels") == channels and channels
        (objective,) = [k for k, urn in slo_urns.items() if urn in _deps(policy, "conditions")]
        spans = [re.fullmatch(r'select_slo_burn_rate\("[^"]+", "(\d+)([hm])"\)', c["conditionThreshold"]["filter"])
                 for c in p["conditions"]]
        seconds = {int(m[1]) * (3600 if m[2] == "h" else 60) for m in spans if m}
        (window,) = [w for w, (lb, sb, _) in WINDOWS.items() if seconds == {lb, sb}]
        # The burn rate against the goal the SLO object holds fires at the objective's error ratio.
        expected = _threshold(WINDOWS[window][2], budgets[objective]) / (1 - goals[objective])
        for c in p["conditions"]:
            assert c["conditionThreshold"]["comparison"] == "COMPARISON_GT"
            assert c["conditionThreshold"]["thresholdValue"] == pytest.approx(expected, rel=1e-4)
        seen.add((objective, window))
    assert seen == {(o, w) for o in budgets for w in WINDOWS} and len(burn) == len(seen)


@pytest.mark.parametrize("name", _of_cloud("gcp"))
def test_gcp_network_and_storage_conditions(name: str, tmp_dir: Path) -> None:
    r = _rendered(name, tmp_dir)
    cfg, channels = r.tenant.spec.config, _urns(r, CHANNEL)
    conditions = {c["displayName"]: c for p in r.of_type(POLICY) for c in inputs(p)["conditions"]}
    for p in r.of_type(POLICY):
        assert _deps(p, "notificationChannels") == channels
    threshold = {c["conditionThreshold"]["filter"].split('"')[1]: c["conditionThreshold"]["thresholdValue"]
                 for c in conditions.values() if "conditionThreshold" in c}
    assert threshold["cloudsql.googleapis.com/database/disk/utilization"] == pytest.approx(1 - STORAGE_FREE)
    assert threshold["cloudsql.googleapis.com/database/disk/bytes_used"] == pytest.approx(
        cfg.database.max_storage_gb * GIB * (1 - STORAGE_FREE))
    assert threshold["redis.googleapis.com/stats/memory/usage_ratio"] == pytest.approx(1 - STORAGE_FREE)
    promql = [c["conditionPrometheusQueryLanguage"]["query"] for c in conditions.values()
              if "conditionPrometheusQueryLanguage" in c]
    assert any("pod_network_received_bytes_count" in q and namespace_name(r.tenant_id) in q for q in promql)
    nat_filters = [f for f in threshold if f.startswith("router.googleapis.com/nat/")]
    if r.tenant.spec.silo:
        (nat,) = r.of_type("gcp:compute/routerNat:RouterNat")
        assert set(nat_filters) == {"router.googleapis.com/nat/dropped_sent_packets_count",
                                    "router.googleapis.com/nat/nat_allocation_failed"}
        nat_conditions = [c for c in conditions.values() if "conditionThreshold" in c
                          and "router.googleapis.com/nat/" in c["conditionThreshold"]["filter"]]
        assert all(f'gateway_name="{inputs(nat)["name"]}"' in c["conditionThreshold"]["filter"] for c in nat_conditions)
    else:
        assert nat_filters == []


# -------------------------------------------------------------------------------------------------- Azure

RULE_GROUP = "azure-native:alertsmanagement:PrometheusRuleGroup"
ACTION_GROUP = "azure-native:monitor:ActionGroup"
METRIC_ALERT = "azure-native:monitor:MetricAlert"


@pytest.mark.parametrize("name", _of_cloud("azure"))
def test_azure_burn_rate_rules(name: str, tmp_dir: Path) -> None:
    r = _rendered(name, tmp_dir)
    budgets, ns, latency = _budgets(r), namespace_name(r.tenant_id), _latency_ms(r)
    (group,) = r.of_type(RULE_GROUP)
    g = inputs(group)
    # The rules notify the action group every other alert of the tenant notifies.
    assert _urns(r, ACTION_GROUP) <= _deps(group, "rules")
    alert_targets = {a["actionGroupId"] for alert in r.of_type(METRIC_ALERT) for a in inputs(alert)["actions"]}
    assert len(alert_targets) == 1
    if r.tenant.spec.silo:
        # Its own workspace, fed by the collection associated with its own cluster.
        assert _deps(group, "scopes") == _urns(r, "azure-native:monitor:AzureMonitorWorkspace")
        (association,) = r.of_type("azure-native:monitor:DataCollectionRuleAssociation")
        assert _deps(association, "resourceUri") == _urns(r, "azure-native:containerservice:ManagedCluster")
    else:
        # The shared cluster stack's own workspace, the one its collection rule feeds.
        (scope,) = g["scopes"]
        workspaces = {f"/resourceGroups/{w['resourceGroupName']}/providers/Microsoft.Monitor/accounts/"
                      f"{w['azureMonitorWorkspaceName']}" for w in _shared_azure_workspaces(r.tenant.spec.region)}
        assert any(scope.endswith(w) for w in workspaces), (scope, workspaces)
    seen = set()
    for rule in g["rules"]:
        assert {a["actionGroupId"] for a in rule["actions"]} == alert_targets and len(rule["actions"]) == 1
        expression = rule["expression"]
        objective = "latency" if "envoy_cluster_upstream_rq_time" in expression else "availability"
        spans = sorted({int(n) * (3600 if u == "h" else 60) for n, u in re.findall(r"\[(\d+)([hm])\]", expression)})
        (window,) = [w for w, (lb, sb, _) in WINDOWS.items() if spans == sorted({lb, sb})]
        thresholds = [float(x) for x in re.findall(r"\) > ([0-9.e-]+)", expression)]
        assert len(thresholds) == 2
        assert thresholds == pytest.approx([_threshold(WINDOWS[window][2], budgets[objective])] * 2, rel=1e-5)
        assert f'envoy_cluster_name=~"httproute/{ns}/.*"' in expression
        if objective == "latency":
            assert f'le="{latency:g}"' in expression or _between_buckets(expression, latency)
        seen.add((objective, window))
    assert seen == {(o, w) for o in budgets for w in WINDOWS} and len(g["rules"]) == len(seen)


@functools.cache
def _shared_azure_workspaces(region: str) -> list[dict[str, Any]]:
    (stack_file,) = [f for f in shared_cluster_files(ROOT) if f.name == f"Pulumi.shared-azure-{region}.yaml"]
    shared = render_shared_cluster(stack_file)
    (association,) = shared.of_type("azure-native:monitor:DataCollectionRuleAssociation")
    assert association.property_dependencies["resourceUri"] == [
        c.urn for c in shared.of_type("azure-native:containerservice:ManagedCluster")]
    return [inputs(w) for w in shared.of_type("azure-native:monitor:AzureMonitorWorkspace")]


def _between_buckets(expression: str, latency_ms: float) -> bool:
    """A latency between two histogram bounds is read between the two buckets around it."""
    bounds = sorted({float(b) for b in re.findall(r'le="([0-9.]+)"', expression)})
    return len(bounds) == 2 and bounds[0] < latency_ms < bounds[1]


@pytest.mark.parametrize("name", _of_cloud("azure"))
def test_azure_network_and_storage_alerts(name: str, tmp_dir: Path) -> None:
    r = _rendered(name, tmp_dir)
    cfg = r.tenant.spec.config
    (action_group,) = _urns(r, ACTION_GROUP)
    criteria: dict[str, tuple[dict[str, Any], RenderedResource]] = {}
    for alert in r.of_type(METRIC_ALERT):
        assert _deps(alert, "actions") == {action_group}
        for c in inputs(alert)["criteria"]["allOf"]:
            criteria[c["metricName"]] = (c, alert)
    servers = _urns(r, "azure-native:dbforpostgresql:Server")
    used, alert = criteria["storage_used"]
    assert used["threshold"] == pytest.approx(cfg.database.max_storage_gb * GIB * (1 - STORAGE_FREE))
    assert _deps(alert, "scopes") == servers
    percent, alert = criteria["storage_percent"]
    assert percent["threshold"] == pytest.approx(100 * (1 - STORAGE_FREE)) and _deps(alert, "scopes") == servers
    if r.tenant.spec.silo:
        drops, alert = criteria["PacketDropCount"]
        assert drops["threshold"] == 0 and _deps(alert, "scopes") == _urns(r, "azure-native:network:NatGateway")
        for metric in ("node_network_in_bytes", "node_network_out_bytes"):
            c, alert = criteria[metric]
            assert c["criterionType"] == "DynamicThresholdCriterion"
            assert _deps(alert, "scopes") == _urns(r, "azure-native:containerservice:ManagedCluster")
    else:
        assert "PacketDropCount" not in criteria
