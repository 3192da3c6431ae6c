"""TenantTenancy rendered alone under Pulumi's mocks, for generated tenants of every shape.

Expectations come from the tenant documents written here and from the tier table
(``spec.tiers.tier_defaults``), never from the component's own helpers.
"""

from __future__ import annotations

import math
import re
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from k8s_schema import (
    DEPLOYMENT,
    HPA,
    IGNORE_CHANGES,
    NAMESPACE,
    NETWORK_POLICY,
    QUOTA,
    SA_ANNOTATIONS,
    SCALED_OBJECT,
    SERVICE_CIDRS,
    kubernetes_objects,
    manifest,
    of_type,
    render_tenancy,
    validate_any,
    write_tenant,
)

from components.kubernetes.addons.contract import GATEWAY_NAMESPACE, PROXY_POD_LABELS
from components.kubernetes.network import DATA_PORTS
from components.naming import namespace_name, tenant_group
from spec.tiers import TIERS, tier_defaults

PROMETHEUS = "http://prometheus.monitoring.svc:9090"
REGIONS = {"aws": "eu-west-1", "azure": "westeurope", "gcp": "europe-west1"}
SCHEDULE = [
    {"start": "0 7 * * 1-5", "end": "0 19 * * 1-5", "desired_replicas": 6},
    {"start": "30 9 * * 6", "end": "0 13 * * 6", "desired_replicas": 4},
]


def document(tenant_id: str, tier: str, config: dict[str, Any] | None = None, cloud: str = "aws") -> dict[str, Any]:
    doc: dict[str, Any] = {"tenant_id": tenant_id, "tier": tier, "cloud": cloud, "region": REGIONS[cloud]}
    if config:
        doc["tenant_config"] = config
    return doc


# name → (document, prometheus address, expected autoscaler: "hpa" | "keda" | "disabled")
SCENARIOS: dict[str, tuple[dict[str, Any], str | None, str]] = {
    **{f"tier-{tier}": (document(f"tier-{tier}", tier), None, "hpa") for tier in TIERS},
    "strict-free": (document("strict-free", "free", {"security": {"isolation_level": "strict"}}), None, "hpa"),
    "pooled-premium": (
        document("pooled-premium", "premium", {"security": {"isolation_level": "standard"}}), None, "hpa"
    ),
    "predictive-schedule": (
        document(
            "predictive-schedule",
            "premium",
            {"autoscaling": {"strategy": "predictive", "min_replicas": 3, "max_replicas": 12,
                             "schedule_timezone": "Europe/Madrid", "schedule": SCHEDULE}},
        ),
        None,
        "keda",
    ),
    "predictive-no-schedule": (
        document("predictive-no-schedule", "standard", {"autoscaling": {"strategy": "predictive"}}), None, "hpa"
    ),
    "reactive-with-schedule": (
        document("reactive-with-schedule", "standard", {"autoscaling": {"strategy": "reactive", "schedule": SCHEDULE}}),
        None,
        "hpa",
    ),
    "latency-prometheus": (
        document(
            "latency-prometheus",
            "enterprise",
            {"autoscaling": {"min_replicas": 4, "max_replicas": 40,
                             "metrics": {"cpu_threshold": 55, "memory_threshold": 65, "latency_threshold": "350ms"}}},
        ),
        PROMETHEUS,
        "keda",
    ),
    "latency-no-prometheus": (
        document("latency-no-prometheus", "premium", {"autoscaling": {"metrics": {"latency_threshold": "2s"}}}),
        None,
        "hpa",
    ),
    "predictive-latency": (
        document(
            "predictive-latency",
            "enterprise",
            {"autoscaling": {"strategy": "predictive", "schedule": SCHEDULE[:1],
                             "metrics": {"latency_threshold": "500ms"}}},
        ),
        PROMETHEUS,
        "keda",
    ),
    "disabled": (document("disabled", "standard", {"autoscaling": {"enabled": False}}), PROMETHEUS, "disabled"),
    "azure-tenant": (document("azure-tenant", "premium", cloud="azure"), None, "hpa"),
    "gcp-tenant": (
        document("gcp-tenant", "standard", {"workload": {"name": "api", "port": 9000, "cpu_request": "300m",
                                                         "cpu_limit": "750m", "memory_request": "384Mi",
                                                         "memory_limit": "1Gi"}}, cloud="gcp"),
        None,
        "hpa",
    ),
}


def merged(doc: dict[str, Any], *path: str) -> Any:
    """The value the tenant states at ``path``, else its tier's default: what the component must render."""
    value: Any = doc.get("tenant_config", {})
    default: Any = tier_defaults(doc["tier"], doc["cloud"])
    for key in path:
        value = value.get(key, {}) if isinstance(value, dict) else {}
        default = default[key]
    return value if value != {} else default


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = {}
    for name, (doc, prometheus, _) in SCENARIOS.items():
        tenant = write_tenant(tmp_path_factory.mktemp(name), doc)
        resources, outputs = render_tenancy(tenant, prometheus)
        out[name] = (tenant, resources, outputs)
    return out


def parse_quantity(text: str) -> Fraction:
    units: dict[str, Fraction | int] = {
        "m": Fraction(1, 1000), "": 1, "k": 10**3, "M": 10**6, "G": 10**9, "T": 10**12,
        "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40,
    }
    match = re.fullmatch(r"([0-9.]+)([A-Za-z]*)", text)
    assert match, text
    return Fraction(match.group(1)) * units[match.group(2)]


@pytest.mark.parametrize("name", SCENARIOS)
def test_every_object_valid_against_its_schema(rendered: dict[str, Any], name: str) -> None:
    tenant, resources, _ = rendered[name]
    objects = kubernetes_objects(resources)
    assert len(objects) >= 14
    for resource in objects:
        validate_any(resource, tenant.spec.config.cluster.kubernetes_version)


@pytest.mark.parametrize("name", SCENARIOS)
def test_namespace_psa_restricted_and_labelled(rendered: dict[str, Any], name: str) -> None:
    _, resources, outputs = rendered[name]
    doc = SCENARIOS[name][0]
    (ns,) = of_type(resources, NAMESPACE)
    assert ns["metadata"]["name"] == f"tenant-{doc['tenant_id']}" == outputs["namespace"]
    labels = ns["metadata"]["labels"]
    version = f"v{merged(doc, 'cluster', 'kubernetes_version')}"
    for mode in ("enforce", "audit", "warn"):
        assert labels[f"pod-security.kubernetes.io/{mode}"] == "restricted"
        assert labels[f"pod-security.kubernetes.io/{mode}-version"] == version
    assert labels["tenant-platform.io/tenant"] == doc["tenant_id"]
    assert labels["tenant-platform.io/tier"] == doc["tier"]
    assert labels["tenant-platform.io/isolation"] == merged(doc, "security", "isolation_level")
    # Every namespaced object lives in that namespace and carries the tenant label.
    for resource in kubernetes_objects(resources):
        body = manifest(resource)
        if body["kind"] != "Namespace":
            assert body["metadata"]["namespace"] == ns["metadata"]["name"], body["kind"]
        assert body["metadata"]["labels"]["tenant-platform.io/tenant"] == doc["tenant_id"], body["kind"]


@pytest.mark.parametrize("name", SCENARIOS)
def test_quota_from_tier_table(rendered: dict[str, Any], name: str) -> None:
    _, resources, _ = rendered[name]
    doc = SCENARIOS[name][0]
    (quota,) = of_type(resources, QUOTA)
    hard = quota["spec"]["hard"]
    table = tier_defaults(doc["tier"], doc["cloud"])["workload"]["quota"]  # no scenario overrides the quota
    assert hard["requests.cpu"] == table["cpu"]
    assert hard["requests.memory"] == table["memory"]
    assert hard["pods"] == str(table["pods"])
    assert hard["requests.storage"] == table["storage"]
    # Limits quota admits the request quota at the workload's own limit/request ratio (never less).
    cpu_ratio = max(Fraction(1), parse_quantity(merged(doc, "workload", "cpu_limit")) / parse_quantity(
        merged(doc, "workload", "cpu_request")))
    mem_ratio = max(Fraction(1), parse_quantity(merged(doc, "workload", "memory_limit")) / parse_quantity(
        merged(doc, "workload", "memory_request")))
    assert parse_quantity(hard["limits.cpu"]) >= parse_quantity(table["cpu"]) * cpu_ratio
    assert parse_quantity(hard["limits.memory"]) >= parse_quantity(table["memory"]) * mem_ratio
    assert parse_quantity(hard["limits.cpu"]) - parse_quantity(table["cpu"]) * cpu_ratio < Fraction(1, 1000)
    assert hard["services.nodeports"] == "0"
    if merged(doc, "security", "isolation_level") == "strict":
        assert hard["services.loadbalancers"] == "0"
    else:
        assert "services.loadbalancers" not in hard


def test_quota_admits_the_autoscaler_ceiling_on_every_tier(rendered: dict[str, Any]) -> None:
    """Tier table coherence: max replicas plus a rollout surge fit the namespace quota."""
    for tier in TIERS:
        _, resources, _ = rendered[f"tier-{tier}"]
        hard = of_type(resources, QUOTA)[0]["spec"]["hard"]
        table = tier_defaults(tier, "aws")
        replicas = table["autoscaling"]["max_replicas"]
        surge = math.ceil(replicas * 0.25)
        pods = replicas + surge
        assert pods <= int(hard["pods"]), tier
        assert pods * parse_quantity(table["workload"]["cpu_request"]) <= parse_quantity(hard["requests.cpu"]), tier
        assert pods * parse_quantity(table["workload"]["cpu_limit"]) <= parse_quantity(hard["limits.cpu"]), tier


@pytest.mark.parametrize("name", SCENARIOS)
def test_network_policies(rendered: dict[str, Any], name: str) -> None:
    tenant, resources, _ = rendered[name]
    policies = {p["metadata"]["name"]: p["spec"] for p in of_type(resources, NETWORK_POLICY)}
    deny = [s for s in policies.values() if s["podSelector"] == {} and sorted(s["policyTypes"]) == ["Egress", "Ingress"]
            and not s.get("ingress") and not s.get("egress")]
    assert len(deny) == 1, "one default-deny policy selecting all pods, both directions, no rules"

    egress = [(rule, p) for p in policies.values() for rule in p.get("egress", [])]
    ingress = [rule for p in policies.values() for rule in p.get("ingress", [])]
    # Ingress from pods of the same namespace, and from outside it only the gateway's proxy pods (one peer
    # with both selectors) on the workload's port into the workload's pods.
    gateway_peer = {
        "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": GATEWAY_NAMESPACE}},
        "podSelector": {"matchLabels": PROXY_POD_LABELS},
    }
    assert ingress and all(peer in ({"podSelector": {}}, gateway_peer) for rule in ingress for peer in rule["from"])
    from_gateway = [(name, p) for name, p in policies.items() if gateway_peer in p.get("ingress", [{}])[0].get("from", [])]
    assert len(from_gateway) == 1
    (_, gateway_policy), port = from_gateway[0], merged(SCENARIOS[name][0], "workload", "port")
    assert gateway_policy["policyTypes"] == ["Ingress"]
    assert [(p["protocol"], int(p["port"])) for p in gateway_policy["ingress"][0]["ports"]] == [("TCP", port)]
    assert gateway_policy["podSelector"]["matchLabels"]["app.kubernetes.io/instance"] == tenant.spec.tenant_id
    # Every egress rule names its peers; ports off the namespace are DNS to kube-dns or the cloud's PostgreSQL
    # and cache ports (5432 and 6379 / 6378 / 10000) to the CIDRs.
    allowed: set[tuple[str, str, int]] = set()
    for rule, _ in egress:
        assert rule.get("to"), "an egress rule without peers allows everything"
        for peer in rule["to"]:
            if peer == {"podSelector": {}}:
                assert "ports" not in rule or rule["ports"]
                continue
            ports = rule.get("ports")
            assert ports, f"egress to {peer} on every port"
            if "ipBlock" in peer:
                assert peer["ipBlock"]["cidr"] in SERVICE_CIDRS
                assert "except" not in peer["ipBlock"]
                allowed |= {("cidr", peer["ipBlock"]["cidr"], int(p["port"])) for p in ports}
                assert {p["protocol"] for p in ports} == {"TCP"}
            else:
                assert peer["namespaceSelector"] == {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}}
                assert peer["podSelector"] == {"matchLabels": {"k8s-app": "kube-dns"}}
                assert {(p["protocol"], int(p["port"])) for p in ports} == {("UDP", 53), ("TCP", 53)}
                allowed.add(("dns", "kube-dns", 53))
    ports = {"aws": (5432, 6379), "azure": (5432, 10000), "gcp": (5432, 6378)}[tenant.spec.cloud]
    assert DATA_PORTS[tenant.spec.cloud] == ports
    assert allowed == {("dns", "kube-dns", 53)} | {("cidr", c, p) for c in SERVICE_CIDRS for p in ports}


def test_no_service_cidrs_means_no_data_egress(tmp_path: Path) -> None:
    tenant = write_tenant(tmp_path, document("no-cidrs", "free"))
    resources, _ = render_tenancy(tenant, service_cidrs=[])
    for policy in of_type(resources, NETWORK_POLICY):
        for rule in policy["spec"].get("egress", []):
            assert all("ipBlock" not in peer for peer in rule["to"])
            assert rule.get("to")


@pytest.mark.parametrize("name", ["tier-free", "tier-enterprise", "gcp-tenant"])
def test_rbac_least_privilege(rendered: dict[str, Any], name: str) -> None:
    _, resources, _ = rendered[name]
    doc = SCENARIOS[name][0]
    (role,) = of_type(resources, "kubernetes:rbac.authorization.k8s.io/v1:Role")
    (binding,) = of_type(resources, "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding")
    assert binding["roleRef"] == {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role",
                                  "name": role["metadata"]["name"]}
    assert binding["subjects"] == [{"apiGroup": "rbac.authorization.k8s.io", "kind": "Group",
                                    "name": tenant_group(doc["tenant_id"])}]
    assert not of_type(resources, "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding")
    for rule in role["rules"]:
        assert "*" not in rule["verbs"] and "*" not in rule["resources"] and "*" not in rule["apiGroups"]
        assert not {"escalate", "bind", "impersonate"} & set(rule["verbs"])
        assert not {"roles", "rolebindings", "clusterroles", "clusterrolebindings"} & set(rule["resources"])
        assert "secrets" not in rule["resources"]
        assert not {"pods/exec", "pods/attach", "serviceaccounts/token"} & set(rule["resources"])
        if {"resourcequotas", "limitranges", "networkpolicies"} & set(rule["resources"]):
            assert set(rule["verbs"]) <= {"get", "list", "watch"}


@pytest.mark.parametrize("name", SCENARIOS)
def test_workload(rendered: dict[str, Any], name: str) -> None:
    _, resources, _ = rendered[name]
    doc = SCENARIOS[name][0]
    (sa,) = of_type(resources, "kubernetes:core/v1:ServiceAccount")
    assert sa["automountServiceAccountToken"] is False
    assert sa["metadata"]["annotations"] == SA_ANNOTATIONS

    (deployment,) = of_type(resources, DEPLOYMENT)
    workload_name = merged(doc, "workload", "name")
    assert deployment["metadata"]["name"] == workload_name
    pod = deployment["spec"]["template"]["spec"]
    assert pod["serviceAccountName"] == sa["metadata"]["name"]
    assert pod["automountServiceAccountToken"] is False
    assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    selector = deployment["spec"]["selector"]["matchLabels"]
    assert selector.items() <= deployment["spec"]["template"]["metadata"]["labels"].items()
    zones = [c for c in pod["topologySpreadConstraints"] if c["topologyKey"] == "topology.kubernetes.io/zone"]
    assert zones and zones[0]["labelSelector"]["matchLabels"] == selector
    (container,) = pod["containers"]
    assert container["image"] == merged(doc, "workload", "image")
    assert [int(p["containerPort"]) for p in container["ports"]] == [merged(doc, "workload", "port")]
    assert container["resources"] == {
        "requests": {"cpu": merged(doc, "workload", "cpu_request"), "memory": merged(doc, "workload", "memory_request")},
        "limits": {"cpu": merged(doc, "workload", "cpu_limit"), "memory": merged(doc, "workload", "memory_limit")},
    }
    security = container["securityContext"]
    assert security["runAsNonRoot"] is True
    assert security["allowPrivilegeEscalation"] is False
    assert security["readOnlyRootFilesystem"] is True
    assert security["capabilities"] == {"drop": ["ALL"]}
    assert pod["securityContext"].get("runAsNonRoot") is True or security["runAsNonRoot"] is True
    for probe in ("readinessProbe", "livenessProbe"):
        assert probe in container

    # The performance block reaches the container through envFrom.
    (config_map,) = of_type(resources, "kubernetes:core/v1:ConfigMap")
    assert {"configMapRef": {"name": config_map["metadata"]["name"]}} in container["envFrom"]
    data = config_map["data"]
    assert data["CACHE_TTL_SECONDS"] == str(merged(doc, "performance", "cache_ttl"))
    assert data["CIRCUIT_BREAKER_ENABLED"] == str(merged(doc, "performance", "circuit_breaker", "enabled")).lower()
    pool = merged(doc, "performance", "connection_pool")
    enabled = merged(doc, "autoscaling", "enabled")
    replicas = merged(doc, "autoscaling", "max_replicas" if enabled else "min_replicas")
    assert 1 <= int(data["DB_POOL_SIZE"]) and (int(data["DB_POOL_SIZE"]) * replicas <= pool or data["DB_POOL_SIZE"] == "1")

    (service,) = of_type(resources, "kubernetes:core/v1:Service")
    assert service["spec"]["type"] == "ClusterIP"
    assert service["spec"]["selector"] == selector
    (pdb,) = of_type(resources, "kubernetes:policy/v1:PodDisruptionBudget")
    assert pdb["spec"]["selector"]["matchLabels"] == selector
    # A PDB must let a node drain proceed even at one replica.
    assert pdb["spec"].get("maxUnavailable") == 1 or pdb["spec"].get("minAvailable") in (None, 0)


def expected_behaviour_ok(behavior: dict[str, Any]) -> None:
    window = behavior["scaleDown"]["stabilizationWindowSeconds"]
    assert 60 <= window <= 3600


@pytest.mark.parametrize("name", SCENARIOS)
def test_exactly_one_autoscaler_of_the_expected_kind(rendered: dict[str, Any], name: str) -> None:
    _, resources, outputs = rendered[name]
    doc, _, expected = SCENARIOS[name]
    hpas, scaled = of_type(resources, HPA), of_type(resources, SCALED_OBJECT)
    (deployment,) = of_type(resources, DEPLOYMENT)
    assert outputs["autoscaling_mode"] == expected
    assert deployment["metadata"]["annotations"]["tenant-platform.io/autoscaling-mode"] == expected
    assert (len(hpas), len(scaled)) == {"hpa": (1, 0), "keda": (0, 1), "disabled": (0, 0)}[expected]
    low, high = merged(doc, "autoscaling", "min_replicas"), merged(doc, "autoscaling", "max_replicas")
    cpu, memory = merged(doc, "autoscaling", "metrics", "cpu_threshold"), merged(
        doc, "autoscaling", "metrics", "memory_threshold")
    target = {"apiVersion": "apps/v1", "kind": "Deployment", "name": deployment["metadata"]["name"]}
    assert deployment["spec"]["replicas"] == low
    if expected == "hpa":
        spec = hpas[0]["spec"]
        assert spec["scaleTargetRef"] == target
        assert (spec["minReplicas"], spec["maxReplicas"]) == (low, high)
        targets = {m["resource"]["name"]: m["resource"]["target"] for m in spec["metrics"]}
        assert targets == {"cpu": {"type": "Utilization", "averageUtilization": cpu},
                           "memory": {"type": "Utilization", "averageUtilization": memory}}
        expected_behaviour_ok(spec["behavior"])
    if expected == "keda":
        spec = scaled[0]["spec"]
        assert spec["scaleTargetRef"] == target
        assert (spec["minReplicaCount"], spec["maxReplicaCount"]) == (low, high)
        triggers = spec["triggers"]
        by_type: dict[str, list[dict[str, Any]]] = {}
        for trigger in triggers:
            by_type.setdefault(trigger["type"], []).append(trigger)
        assert by_type["cpu"] == [{"type": "cpu", "metricType": "Utilization", "metadata": {"value": str(cpu)}}]
        assert by_type["memory"] == [{"type": "memory", "metricType": "Utilization",
                                      "metadata": {"value": str(memory)}}]
        expected_behaviour_ok(spec["advanced"]["horizontalPodAutoscalerConfig"]["behavior"])


@pytest.mark.parametrize("name", [n for n, s in SCENARIOS.items() if s[2] == "keda"])
def test_scaled_object_triggers_follow_the_spec(rendered: dict[str, Any], name: str) -> None:
    _, resources, _ = rendered[name]
    doc, prometheus, _ = SCENARIOS[name]
    (scaled,) = of_type(resources, SCALED_OBJECT)
    triggers = scaled["spec"]["triggers"]
    scaling = doc["tenant_config"]["autoscaling"]
    cron = [t["metadata"] for t in triggers if t["type"] == "cron"]
    if scaling.get("strategy") == "predictive":
        timezone = scaling.get("schedule_timezone", tier_defaults(doc["tier"], doc["cloud"])["autoscaling"][
            "schedule_timezone"])
        assert cron == [{"timezone": timezone, "start": b["start"], "end": b["end"],
                         "desiredReplicas": str(b["desired_replicas"])} for b in scaling["schedule"]]
    else:
        assert cron == []
    latency = scaling.get("metrics", {}).get("latency_threshold")
    prom = [t for t in triggers if t["type"] == "prometheus"]
    if latency and prometheus:
        (trigger,) = prom
        number, unit = (latency[:-2], 0.001) if latency.endswith("ms") else (latency[:-1], 1.0)
        assert float(trigger["metadata"]["threshold"]) == pytest.approx(float(number) * unit)
        assert trigger["metadata"]["serverAddress"] == prometheus
        query = trigger["metadata"]["query"]
        assert "0.95" in query and f'namespace="{namespace_name(doc["tenant_id"])}"' in query
        assert trigger["metricType"] == "Value"  # latency does not divide by replica count
    else:
        assert prom == []


def test_predictive_without_schedule_says_so(rendered: dict[str, Any]) -> None:
    _, _, outputs = rendered["predictive-no-schedule"]
    assert outputs["autoscaling_mode"] == "hpa"
    assert "predictive" in outputs["autoscaling_reason"] and "no schedule" in outputs["autoscaling_reason"]
    _, _, latency_outputs = rendered["latency-no-prometheus"]
    assert "prometheusAddress" in latency_outputs["autoscaling_reason"]


def test_autoscaled_replicas_left_to_the_autoscaler(rendered: dict[str, Any]) -> None:
    """Re-applying the program must not reset the replica count the autoscaler chose; a fixed count stays managed."""
    for name, (_, _, expected) in SCENARIOS.items():
        _, resources, _ = rendered[name]
        (deployment,) = [r for r in resources if r.type == DEPLOYMENT]
        ignored = IGNORE_CHANGES[deployment.name]
        assert ("spec.replicas" in ignored) == (expected != "disabled"), name
