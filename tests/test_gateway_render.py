"""The tenant's way in and its SLOs, rendered alone under the mocks: objects against the upstream CRDs, and values
from the tenant document.

Expectations come from the documents written here, the tier table and the gateway contract
(``components/kubernetes/addons/contract.py``, the interface both sides build to); the burn-rate thresholds
from the SRE workbook's table and the availability target, never from the component's helpers.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from k8s_schema import (
    HPA,
    NAMESPACE,
    SHARED_CRDS,
    UPSTREAM_CRDS,
    of_type,
    render_tenancy,
    validate_upstream,
    write_tenant,
)

from components.kubernetes.addons.contract import (
    DEFAULT_CERT_ISSUER,
    DEFAULT_INGRESS_DOMAIN,
    GATEWAY_NAME,
    GATEWAY_NAMESPACE,
    INGRESS_NAMESPACE_LABEL,
)
from components.kubernetes.ingress import IngressSettings
from spec.tiers import TIERS, tier_defaults

CERTIFICATE = "kubernetes:cert-manager.io/v1:Certificate"
LISTENER_SET = "kubernetes:gateway.networking.k8s.io/v1:ListenerSet"
HTTP_ROUTE = "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute"
TRAFFIC_POLICY = "kubernetes:gateway.envoyproxy.io/v1alpha1:BackendTrafficPolicy"
VPA = "kubernetes:autoscaling.k8s.io/v1:VerticalPodAutoscaler"
PROMETHEUS_RULE = "kubernetes:monitoring.coreos.com/v1:PrometheusRule"
SERVICE = "kubernetes:core/v1:Service"
RENDERED_KINDS = (CERTIFICATE, LISTENER_SET, HTTP_ROUTE, TRAFFIC_POLICY, VPA, PROMETHEUS_RULE)
# Google SRE workbook, "Alerting on SLOs", multiwindow multi-burn-rate: (burn rate, long, short, pages?).
WORKBOOK = [(14.4, "1h", "5m", True), (6.0, "6h", "30m", True), (3.0, "1d", "2h", False), (1.0, "3d", "6h", False)]
HOSTS = ["shop.example.com", "api.shop.example.com"]
BREAKER = {
    "max_connections": 300, "max_pending_requests": 70, "max_parallel_requests": 900, "consecutive_5xx": 7,
    "ejection_time": "1.5m", "max_ejection_percent": 33,
    "retries": {"attempts": 3, "per_try_timeout": "1500ms", "max_parallel": 11},
}


def doc(tenant_id: str, tier: str, config: dict[str, Any] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"tenant_id": tenant_id, "tier": tier, "cloud": "aws", "region": "eu-west-1"}
    if config:
        out["tenant_config"] = config
    return out


SCENARIOS: dict[str, dict[str, Any]] = {
    **{f"tier-{tier}": doc(f"gw-{tier}", tier) for tier in TIERS},
    "hosts-and-limits": doc(
        "gw-hosts",
        "premium",
        {
            "ingress": {"hostnames": HOSTS},
            "performance": {"rate_limit": {"requests_per_second": 123, "burst": 456}, "circuit_breaker": BREAKER},
            "monitoring": {"alert_channels": ["slack", "email"], "slo": {"availability": 99.95, "latency_p95": "250ms"}},
            "workload": {"name": "shop", "port": 9000},
        },
    ),
    "breaker-off": doc("gw-off", "standard", {"performance": {"circuit_breaker": False}}),
    "keda": doc("gw-keda", "premium", {"autoscaling": {"strategy": "predictive", "schedule": [
        {"start": "0 7 * * 1-5", "end": "0 19 * * 1-5", "desired_replicas": 4}]}}),
}
SETTINGS = IngressSettings(cert_issuer="letsencrypt-prod", ingress_domain="apps.example.org")


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = {}
    for name, document in SCENARIOS.items():
        tenant = write_tenant(tmp_path_factory.mktemp(name), document)
        out[name] = (tenant, render_tenancy(tenant)[0])
    tenant = write_tenant(tmp_path_factory.mktemp("settings"), doc("gw-settings", "standard"))
    out["settings"] = (tenant, render_tenancy(tenant, ingress=SETTINGS)[0])
    return out


def one(resources: list[Any], type_: str) -> dict[str, Any]:
    found = of_type(resources, type_)
    assert len(found) == 1, (type_, len(found))
    return found[0]


def stated(document: dict[str, Any], *path: str) -> Any:
    value: Any = document.get("tenant_config", {})
    default: Any = tier_defaults(document["tier"], document["cloud"])
    for key in path:
        value = value.get(key, {}) if isinstance(value, dict) else {}
        default = default[key]
    return value if value != {} else default


# ---- the upstream CRDs ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", [*SCENARIOS, "settings"])
def test_every_custom_resource_matches_its_upstream_crd(rendered: dict[str, Any], name: str) -> None:
    if not SHARED_CRDS.exists():
        pytest.skip("../shared/schemas/crds is not present")
    _, resources = rendered[name]
    for type_ in RENDERED_KINDS:
        assert validate_upstream(type_, one(resources, type_)), type_


def test_every_rendered_custom_kind_has_an_upstream_crd() -> None:
    assert set(RENDERED_KINDS) <= set(UPSTREAM_CRDS)
    if SHARED_CRDS.exists():
        assert all((SHARED_CRDS / path).exists() for path in UPSTREAM_CRDS.values())


@pytest.mark.parametrize(
    ("type_", "path", "value"),
    [
        (LISTENER_SET, ("spec", "listeners", 0, "protocol"), "HTTPS!"),
        (LISTENER_SET, ("spec", "listeners", 0, "tls", "mode"), "Offload"),
        (HTTP_ROUTE, ("spec", "parentRefs", 0, "sectionName"), "Not_A_Name"),
        (TRAFFIC_POLICY, ("spec", "rateLimit", "local", "rules", 0, "limit", "unit"), "Fortnight"),
        (TRAFFIC_POLICY, ("spec", "healthCheck", "passive", "baseEjectionTime"), "30 seconds"),
        (VPA, ("spec", "updatePolicy", "updateMode"), "Sometimes"),
        (CERTIFICATE, ("spec", "privateKey", "rotationPolicy"), "Sometimes"),
        (PROMETHEUS_RULE, ("spec", "groups", 0, "rules", 0, "unknownField"), "x"),
    ],
)
def test_the_crd_validator_refuses_a_broken_object(
    rendered: dict[str, Any], type_: str, path: tuple[Any, ...], value: Any
) -> None:
    """The validation above can fail: one wrong field of each kind is refused."""
    if not SHARED_CRDS.exists():
        pytest.skip("../shared/schemas/crds is not present")
    body = one(rendered["tier-premium"][1], type_)
    node: Any = body
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    with pytest.raises(AssertionError):
        validate_upstream(type_, body)


# ---- hosts, certificate, listeners, route ----------------------------------------------------------------------


@pytest.mark.parametrize("name", [*SCENARIOS, "settings"])
def test_tls_only_path_to_the_workload_service(rendered: dict[str, Any], name: str) -> None:
    _, resources = rendered[name]
    document = SCENARIOS.get(name) or doc("gw-settings", "standard")
    settings = SETTINGS if name == "settings" else IngressSettings()
    expected_hosts = stated(document, "ingress", "hostnames") or [f"{document['tenant_id']}.{settings.ingress_domain}"]
    namespace = f"tenant-{document['tenant_id']}"

    cert, listeners, route = one(resources, CERTIFICATE), one(resources, LISTENER_SET), one(resources, HTTP_ROUTE)
    assert {o["metadata"]["namespace"] for o in (cert, listeners, route)} == {namespace}
    assert cert["spec"]["dnsNames"] == expected_hosts
    assert cert["spec"]["issuerRef"] == {"group": "cert-manager.io", "kind": "ClusterIssuer", "name": settings.cert_issuer}

    # The ListenerSet hangs off the contract's Gateway, one HTTPS listener per host with the tenant's own secret.
    assert listeners["spec"]["parentRef"] == {
        "group": "gateway.networking.k8s.io", "kind": "Gateway", "name": GATEWAY_NAME, "namespace": GATEWAY_NAMESPACE
    }
    by_name = {listener["name"]: listener for listener in listeners["spec"]["listeners"]}
    assert len(by_name) == len(listeners["spec"]["listeners"])  # the CRD's unique-name rule (CEL, unchecked above)
    assert sorted(listener["hostname"] for listener in by_name.values()) == sorted(expected_hosts)
    for listener in by_name.values():
        assert (listener["protocol"], int(listener["port"])) == ("HTTPS", 443)
        assert listener["tls"]["mode"] == "Terminate"
        assert listener["tls"]["certificateRefs"] == [{"group": "", "kind": "Secret", "name": cert["spec"]["secretName"]}]
        assert listener["allowedRoutes"]["namespaces"] == {"from": "Same"}

    # The route attaches to exactly those listeners by section name, and reaches the workload's Service port.
    assert route["spec"]["hostnames"] == expected_hosts
    refs = route["spec"]["parentRefs"]
    assert all(ref["kind"] == "ListenerSet" and ref["name"] == listeners["metadata"]["name"] and "namespace" not in ref
               for ref in refs)
    assert sorted(ref["sectionName"] for ref in refs) == sorted(by_name)
    (service,) = of_type(resources, SERVICE)
    backends = [b for rule in route["spec"]["rules"] for b in rule["backendRefs"]]
    assert [(b["kind"], b["name"], int(b["port"])) for b in backends] == [
        ("Service", service["metadata"]["name"], int(service["spec"]["ports"][0]["port"]))
    ]
    assert int(service["spec"]["ports"][0]["port"]) == stated(document, "workload", "port")

    (ns,) = of_type(resources, NAMESPACE)
    assert ns["metadata"]["labels"][INGRESS_NAMESPACE_LABEL[0]] == INGRESS_NAMESPACE_LABEL[1]


def test_default_settings_are_the_contracts(rendered: dict[str, Any]) -> None:
    cert = one(rendered["tier-free"][1], CERTIFICATE)
    assert cert["spec"]["issuerRef"]["name"] == DEFAULT_CERT_ISSUER
    assert cert["spec"]["dnsNames"] == [f"gw-free.{DEFAULT_INGRESS_DOMAIN}"]


# ---- traffic policy from performance -----------------------------------------------------------------------------


def go_duration_seconds(text: str) -> float:
    units = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 0.001}
    parts = re.findall(r"([0-9]+)(ms|h|m|s)", text)
    assert "".join(n + u for n, u in parts) == text, text
    return sum(int(n) * units[u] for n, u in parts)


@pytest.mark.parametrize("name", SCENARIOS)
def test_traffic_policy_follows_the_performance_block(rendered: dict[str, Any], name: str) -> None:
    document = SCENARIOS[name]
    _, resources = rendered[name]
    policy, route = one(resources, TRAFFIC_POLICY)["spec"], one(resources, HTTP_ROUTE)
    assert policy["targetRefs"] == [
        {"group": "gateway.networking.k8s.io", "kind": "HTTPRoute", "name": route["metadata"]["name"]}
    ]
    rate = stated(document, "performance", "rate_limit")
    assert policy["rateLimit"]["type"] == "Local"
    (rule,) = policy["rateLimit"]["local"]["rules"]
    assert "clientSelectors" not in rule  # every request of the route counts
    assert (int(rule["limit"]["requests"]), rule["limit"]["unit"]) == (rate["requests_per_second"], "Second")

    breaker = stated(document, "performance", "circuit_breaker")
    if breaker is False or (isinstance(breaker, dict) and breaker.get("enabled") is False):
        assert not {"circuitBreaker", "healthCheck", "retry"} & set(policy)
        return
    defaults = tier_defaults(document["tier"], "aws")["performance"]["circuit_breaker"]

    def value(*path: str) -> Any:
        node: Any = breaker
        fallback: Any = defaults
        for key in path:
            node = node.get(key) if isinstance(node, dict) else None
            fallback = fallback[key]
        return fallback if node is None else node

    assert {k: int(v) for k, v in policy["circuitBreaker"].items()} == {
        "maxConnections": value("max_connections"),
        "maxPendingRequests": value("max_pending_requests"),
        "maxParallelRequests": value("max_parallel_requests"),
        "maxParallelRetries": value("retries", "max_parallel"),
    }
    passive = policy["healthCheck"]["passive"]
    assert int(passive["consecutive5XxErrors"]) == value("consecutive_5xx")
    assert int(passive["maxEjectionPercent"]) == value("max_ejection_percent")
    durations = {"30s": 30.0, "1.5m": 90.0, "2s": 2.0, "1500ms": 1.5}
    assert go_duration_seconds(passive["baseEjectionTime"]) == durations[value("ejection_time")]
    assert int(policy["retry"]["numRetries"]) == value("retries", "attempts")
    assert go_duration_seconds(policy["retry"]["perRetry"]["timeout"]) == durations[value("retries", "per_try_timeout")]
    assert {"5xx", "connect-failure"} <= set(policy["retry"]["retryOn"]["triggers"])


def test_changing_the_spec_changes_the_policy(tmp_path: Path) -> None:
    """Same tenant, two documents: the rendered limits move with the document and nothing else."""
    base = doc("gw-change", "standard")
    changed = doc("gw-change", "standard", {"performance": {
        "rate_limit": {"requests_per_second": 777, "burst": 1554},
        "circuit_breaker": {"max_connections": 5, "retries": {"max_parallel": 2}}}})
    before = one(render_tenancy(write_tenant(tmp_path / "a", base))[0], TRAFFIC_POLICY)["spec"]
    after = one(render_tenancy(write_tenant(tmp_path / "b", changed))[0], TRAFFIC_POLICY)["spec"]
    assert int(after["rateLimit"]["local"]["rules"][0]["limit"]["requests"]) == 777
    assert int(before["rateLimit"]["local"]["rules"][0]["limit"]["requests"]) == 200
    assert (int(after["circuitBreaker"]["maxConnections"]), int(after["circuitBreaker"]["maxParallelRetries"])) == (5, 2)
    assert after["circuitBreaker"]["maxPendingRequests"] == before["circuitBreaker"]["maxPendingRequests"]
    assert after["healthCheck"] == before["healthCheck"] and after["retry"] == before["retry"]


# ---- VPA ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", SCENARIOS)
def test_vpa_recommends_for_the_autoscaled_workload(rendered: dict[str, Any], name: str) -> None:
    _, resources = rendered[name]
    vpa = one(resources, VPA)["spec"]
    # The HPA (or KEDA's) scales on CPU and memory utilisation of the requests: the VPA must not move them.
    assert vpa["updatePolicy"]["updateMode"] == "Off"
    deployment = one(resources, "kubernetes:apps/v1:Deployment")
    assert vpa["targetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": deployment["metadata"]["name"]}
    for hpa in of_type(resources, HPA):
        assert hpa["spec"]["scaleTargetRef"] == vpa["targetRef"]
    containers = {c["name"] for c in deployment["spec"]["template"]["spec"]["containers"]}
    assert {p["containerName"] for p in vpa["resourcePolicy"]["containerPolicies"]} <= containers


# ---- SLO burn-rate alerts ----------------------------------------------------------------------------------------


def alerts(resources: list[Any]) -> list[dict[str, Any]]:
    rule = one(resources, PROMETHEUS_RULE)
    return [r for group in rule["spec"]["groups"] for r in group["rules"] if "alert" in r]


def records(resources: list[Any]) -> dict[str, dict[str, Any]]:
    rule = one(resources, PROMETHEUS_RULE)
    return {r["record"]: r for group in rule["spec"]["groups"] for r in group["rules"] if "record" in r}


@pytest.mark.parametrize("name", SCENARIOS)
def test_burn_rate_thresholds_come_from_the_targets(rendered: dict[str, Any], name: str) -> None:
    document = SCENARIOS[name]
    _, resources = rendered[name]
    slo = stated(document, "monitoring", "slo")
    budgets = {"availability": 1 - slo["availability"] / 100, "latency": 0.05}
    found = alerts(resources)
    assert len(found) == 2 * len(WORKBOOK)
    recorded = records(resources)
    for kind, budget in budgets.items():
        mine = [a for a in found if a["labels"]["slo"] == kind]
        by_windows = {(a["labels"]["long_window"], a["labels"]["short_window"]): a for a in mine}
        assert set(by_windows) == {(long, short) for _, long, short, _ in WORKBOOK}
        for burn, long, short, pages in WORKBOOK:
            alert = by_windows[(long, short)]
            # Both windows must exceed burn × budget: two comparisons, one per window, the same threshold.
            comparisons = re.findall(r"([a-z_:0-9]+)\{[^}]*\} > ([0-9.e+-]+)", alert["expr"])
            assert len(comparisons) == 2 and " and " in alert["expr"], alert["expr"]
            windows = sorted(re.search(r"ratio_rate(\w+)$", series).group(1) for series, _ in comparisons)  # type: ignore[union-attr]
            assert windows == sorted([long, short])
            for series, threshold in comparisons:
                assert float(threshold) == pytest.approx(burn * budget, rel=1e-9)
                assert series in recorded and recorded[series]["labels"]["tenant"] == document["tenant_id"]
            assert alert["labels"]["severity"] == ("critical" if pages else "warning")


@pytest.mark.parametrize("name", SCENARIOS)
def test_alerts_route_to_the_tenants_channels(rendered: dict[str, Any], name: str) -> None:
    document = SCENARIOS[name]
    _, resources = rendered[name]
    channels = stated(document, "monitoring", "alert_channels")
    for alert in alerts(resources):
        assert alert["labels"]["tenant"] == document["tenant_id"]
        assert alert["labels"]["alert_channels"].split(",") == channels


@pytest.mark.parametrize("name", SCENARIOS)
def test_ratios_read_the_gateways_series_for_the_tenants_route(rendered: dict[str, Any], name: str) -> None:
    document = SCENARIOS[name]
    _, resources = rendered[name]
    route = one(resources, HTTP_ROUTE)["metadata"]["name"]
    cluster = f"httproute/tenant-{document['tenant_id']}/{route}/rule/"
    latency_ms = go_duration_seconds(stated(document, "monitoring", "slo", "latency_p95")) * 1000
    envoy_buckets = [0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000]
    for record in records(resources).values():
        expr = record["expr"]
        assert cluster in expr
        if record["labels"]["slo"] == "availability":
            assert 'envoy_cluster_upstream_rq_xx{' in expr and 'envoy_response_code_class="5"' in expr
        else:
            (bound,) = re.findall(r'le="([0-9.]+)"', expr)
            # A bucket bound of Envoy's within the target (never a looser one).
            assert float(bound) in envoy_buckets and float(bound) <= latency_ms
            assert "envoy_cluster_upstream_rq_time_bucket" in expr and "envoy_cluster_upstream_rq_time_count" in expr



def test_the_pack_uses_the_gateway_contracts_names() -> None:
    """The pack cannot import the components: its copies of the contract's names must not drift."""
    from tenantctl.policy.catalog import import_pack

    import_pack()
    from tenant_policies import gateway as pack

    from components.kubernetes.addons import contract

    assert pack.GATEWAY_NAMESPACE == contract.GATEWAY_NAMESPACE
    assert pack.PROXY_POD_LABELS == contract.PROXY_POD_LABELS
    assert pack.DEFAULT_INGRESS_DOMAIN == contract.DEFAULT_INGRESS_DOMAIN
