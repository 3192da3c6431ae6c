"""The add-on baseline of every cluster the package creates, through the renderer.

Expectations come from the issue (which add-on runs where), the gateway contract, the clouds' documented
annotations and Helm's own rules (one exact version, https or oci sources), never from the add-on modules.
Custom resources are checked against their upstream CRDs in ../shared/schemas.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from k8s_schema import (
    HELM_RELEASE,
    SHARED_SCHEMAS,
    is_builtin,
    manifest,
    require_shared_schemas,
    validate_any,
    validate_custom,
)

from components.kubernetes.addons import contract
from spec.loader import load_tenant
from tenantctl.render import (
    RenderedResource,
    RenderedStack,
    RenderedTenant,
    render_shared_cluster,
    render_tenant,
    shared_cluster_files,
)

ROOT = Path(__file__).resolve().parent.parent
NAMESPACE = "kubernetes:core/v1:Namespace"
GATEWAY = "kubernetes:gateway.networking.k8s.io/v1:Gateway"
GATEWAY_CLASS = "kubernetes:gateway.networking.k8s.io/v1:GatewayClass"
HTTP_ROUTE = "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute"
ENVOY_PROXY = "kubernetes:gateway.envoyproxy.io/v1alpha1:EnvoyProxy"
CLIENT_TRAFFIC_POLICY = "kubernetes:gateway.envoyproxy.io/v1alpha1:ClientTrafficPolicy"
CLUSTER_ISSUER = "kubernetes:cert-manager.io/v1:ClusterIssuer"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
ROLE = "aws:iam/role:Role"
# Which charts each cloud needs (the issue): AKS and GKE ship metrics-server and a VPA, and scale nodes themselves.
EVERYWHERE = {"keda", "envoy-gateway", "cert-manager"}
EXPECTED = {"aws": EVERYWHERE | {"metrics-server", "vpa", "cluster-autoscaler"}, "azure": EVERYWHERE, "gcp": EVERYWHERE}
# The clouds' documented Service annotations for a private-address load balancer.
INTERNAL = {
    "aws": ("service.beta.kubernetes.io/aws-load-balancer-scheme", "internal"),
    "azure": ("service.beta.kubernetes.io/azure-load-balancer-internal", "true"),
    "gcp": ("networking.gke.io/load-balancer-type", "Internal"),
}
# Helm: one exact SemVer 2 release (the optional v is how some projects tag their charts).
SEMVER = re.compile(r"^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$")
SILO_EXAMPLES = ("spotify-premium", "contoso-enterprise", "globex-enterprise")
POOLED_EXAMPLES = ("acme-standard", "fabrikam-standard", "initech-standard", "hobby-free")

Rendered = RenderedTenant | RenderedStack


def _cloud(rendered: Rendered) -> str:
    return rendered.tenant.spec.cloud if isinstance(rendered, RenderedTenant) else rendered.config["tenant-platform:cloud"]


def _name(rendered: Rendered) -> str:
    return rendered.tenant_id if isinstance(rendered, RenderedTenant) else rendered.stack


@pytest.fixture(scope="module")
def silos() -> dict[str, RenderedTenant]:
    return {t: render_tenant(load_tenant(ROOT / "tenants" / f"{t}.yaml"), ROOT) for t in SILO_EXAMPLES}


@pytest.fixture(scope="module")
def shared() -> dict[str, RenderedStack]:
    return {path.stem.removeprefix("Pulumi."): render_shared_cluster(path) for path in shared_cluster_files(ROOT)}


@pytest.fixture(scope="module")
def clusters(silos: dict[str, RenderedTenant], shared: dict[str, RenderedStack]) -> list[Rendered]:
    return [*silos.values(), *shared.values()]


@pytest.fixture(scope="module")
def custom(tmp_path_factory: pytest.TempPathFactory) -> RenderedTenant:
    """A silo tenant that asks for a public gateway, on a stack whose config names its own issuer."""
    root = tmp_path_factory.mktemp("project")
    (root / "tenants").mkdir()
    (root / "stacks").mkdir()
    body = {"tenant_id": "pub-silo", "tier": "premium", "cloud": "aws", "region": "eu-west-1",
            "tenant_config": {"security": {"isolation_level": "strict"}, "ingress": {"load_balancer": "public"}}}
    path = root / "tenants" / "pub-silo.yaml"
    path.write_text(json.dumps(body), encoding="utf-8")
    (root / "stacks" / "Pulumi.pub-silo.yaml").write_text(
        yaml.safe_dump({"config": {"tenant-platform:certIssuer": "corp-ca",
                                   "tenant-platform:alertEmails": ["ops@example.com"]}}),
        encoding="utf-8",
    )
    return render_tenant(load_tenant(path), root)


def _releases(rendered: Rendered) -> dict[str, dict[str, Any]]:
    return {r.inputs["name"]: r.inputs for r in rendered.of_type(HELM_RELEASE)}


def _walk(value: Any, key: str) -> Iterator[Any]:
    if isinstance(value, dict):
        for k, v in value.items():
            if k == key:
                yield v
            yield from _walk(v, key)
    elif isinstance(value, list):
        for v in value:
            yield from _walk(v, key)


def _by_urn(rendered: Rendered) -> dict[str, RenderedResource]:
    return {r.urn: r for r in rendered.resources}


def _depends_on(rendered: Rendered, resource: RenderedResource, target: str) -> bool:
    """Whether ``resource`` waits for ``target`` (directly or through what it waits for)."""
    index, seen, todo = _by_urn(rendered), set(), [resource.urn]
    while todo:
        urn = todo.pop()
        if urn == target:
            return True
        if urn in seen or urn not in index:
            continue
        seen.add(urn)
        node = index[urn]
        todo += [*node.dependencies, *(u for urns in node.property_dependencies.values() for u in urns)]
    return False


# ---------------------------------------------------------------------------------------------- which add-ons


def test_every_cluster_gets_its_clouds_add_ons(clusters: list[Rendered]) -> None:
    assert {_cloud(c) for c in clusters} == {"aws", "azure", "gcp"}
    for rendered in clusters:
        assert set(_releases(rendered)) == EXPECTED[_cloud(rendered)], _name(rendered)


def test_pooled_tenants_install_nothing_cluster_wide() -> None:
    for tenant in POOLED_EXAMPLES:
        rendered = render_tenant(load_tenant(ROOT / "tenants" / f"{tenant}.yaml"), ROOT)
        assert rendered.of_type(HELM_RELEASE) == [] and rendered.of_type(GATEWAY) == [], tenant


# ---------------------------------------------------------------------------------------------- releases


def test_releases_are_pinned_from_tls_sources_into_restricted_namespaces(clusters: list[Rendered]) -> None:
    for rendered in clusters:
        namespaces = {r.inputs["metadata"]["name"]: r.inputs["metadata"]["labels"] for r in rendered.of_type(NAMESPACE)}
        for name, release in _releases(rendered).items():
            where = f"{_name(rendered)}: {name}"
            assert SEMVER.match(release["version"]), where
            repo = (release.get("repositoryOpts") or {}).get("repo")
            assert (repo or "").startswith("https://") or (not repo and release["chart"].startswith("oci://")), where
            assert release.get("createNamespace") is False, where
            labels = namespaces[release["namespace"]]
            assert release["namespace"] not in ("default", "kube-system"), where
            for mode in ("enforce", "audit", "warn"):
                assert labels[f"pod-security.kubernetes.io/{mode}"] == "restricted", where


def test_each_add_on_has_its_own_namespace(clusters: list[Rendered]) -> None:
    for rendered in clusters:
        used = [r["namespace"] for r in _releases(rendered).values()]
        assert len(used) == len(set(used)), _name(rendered)


def test_release_values_are_hardened(clusters: list[Rendered]) -> None:
    """Requests and limits on every resources block, a disruption budget, non-root pods with no escalation."""
    for rendered in clusters:
        for name, release in _releases(rendered).items():
            values, where = release["values"], f"{_name(rendered)}: {name}"
            blocks = list(_walk(values, "resources"))
            assert blocks, where
            for block in blocks:
                # Either one block, or one per component (KEDA: operator, metricServer, webhooks).
                for part in [block] if "requests" in block else list(block.values()):
                    assert part["requests"]["cpu"] and part["requests"]["memory"] and part["limits"]["memory"], where
            budgets = list(_walk(values, "podDisruptionBudget"))
            assert budgets, where
            flat = json.dumps(budgets)
            assert "minAvailable" in flat or "maxUnavailable" in flat, where
            contexts = [*_walk(values, "securityContext"), *_walk(values, "containerSecurityContext"),
                        *_walk(values, "podSecurityContext")]
            assert contexts, where
            for context in contexts:
                found = json.dumps(context)
                assert '"runAsNonRoot": true' in found, where
                assert '"privileged": true' not in found and '"allowPrivilegeEscalation": true' not in found, where


def test_releases_wait_for_the_node_pools(silos: dict[str, RenderedTenant]) -> None:
    pools = {"aws": "aws:eks/nodeGroup:NodeGroup", "azure": "azure-native:containerservice:AgentPool",
             "gcp": "gcp:container/nodePool:NodePool"}
    for rendered in silos.values():
        nodes = [r.urn for r in rendered.resources if r.type.startswith(pools[_cloud(rendered)])]
        assert nodes, rendered.tenant_id
        for release in rendered.of_type(HELM_RELEASE):
            assert any(_depends_on(rendered, release, n) for n in nodes), (rendered.tenant_id, release.name)


def test_tenancy_objects_wait_for_the_add_ons(silos: dict[str, RenderedTenant]) -> None:
    """The tenancy's custom resources need KEDA, the VPA and the Gateway installed first."""
    for rendered in silos.values():
        keda = next(r.urn for r in rendered.of_type(HELM_RELEASE) if r.inputs["name"] == "keda")
        tenancy = [r for r in rendered.resources if r.custom and "-tenancy-" in r.name]
        assert tenancy and all(_depends_on(rendered, r, keda) for r in tenancy), rendered.tenant_id


# ---------------------------------------------------------------------------------------------- gateway


def test_one_gateway_with_only_the_acme_listener_and_labelled_namespaces(clusters: list[Rendered]) -> None:
    key, value = contract.INGRESS_NAMESPACE_LABEL
    selector = {"from": "Selector", "selector": {"matchLabels": {key: value}}}
    for rendered in clusters:
        (gateway,) = [manifest(r) for r in rendered.of_type(GATEWAY)]
        assert gateway["metadata"]["name"] == contract.GATEWAY_NAME
        assert gateway["metadata"]["namespace"] == contract.GATEWAY_NAMESPACE
        assert gateway["spec"]["gatewayClassName"] == contract.GATEWAY_CLASS
        assert gateway["spec"]["allowedListeners"]["namespaces"] == selector
        (listener,) = gateway["spec"]["listeners"]
        assert (listener["protocol"], listener["port"]) == ("HTTP", 80)
        assert listener["allowedRoutes"]["namespaces"] == selector
        (gateway_class,) = [manifest(r) for r in rendered.of_type(GATEWAY_CLASS)]
        assert gateway_class["metadata"]["name"] == contract.GATEWAY_CLASS
        assert gateway_class["spec"]["controllerName"] == "gateway.envoyproxy.io/gatewayclass-controller"


def test_plain_http_only_redirects(clusters: list[Rendered]) -> None:
    for rendered in clusters:
        # The gateway's own route (a silo stack also renders its tenant's HTTPRoute, in the tenant namespace).
        (route,) = [m for m in map(manifest, rendered.of_type(HTTP_ROUTE))
                    if m["metadata"]["namespace"] == contract.GATEWAY_NAMESPACE]
        filters = [f for rule in route["spec"]["rules"] for f in rule.get("filters", [])]
        assert filters and all(f["requestRedirect"]["scheme"] == "https" for f in filters)
        assert not any(rule.get("backendRefs") for rule in route["spec"]["rules"])


def test_tls_floor_on_the_gateway(clusters: list[Rendered]) -> None:
    for rendered in clusters:
        (policy,) = [manifest(r) for r in rendered.of_type(CLIENT_TRAFFIC_POLICY)]
        assert policy["spec"]["tls"]["minVersion"] in ("1.2", "1.3")
        assert {"kind": "Gateway", "name": contract.GATEWAY_NAME} in [
            {k: ref[k] for k in ("kind", "name")} for ref in policy["spec"]["targetRefs"]
        ]
        assert policy["metadata"]["namespace"] == contract.GATEWAY_NAMESPACE


def _service(rendered: Rendered) -> dict[str, Any]:
    (proxy,) = [manifest(r) for r in rendered.of_type(ENVOY_PROXY)]
    return dict(proxy["spec"]["provider"]["kubernetes"]["envoyService"])


def test_strict_clusters_get_an_internal_load_balancer(silos: dict[str, RenderedTenant]) -> None:
    for rendered in silos.values():
        key, value = INTERNAL[_cloud(rendered)]
        assert _service(rendered)["annotations"].get(key) == value, rendered.tenant_id


def test_shared_and_opted_out_gateways_are_public(shared: dict[str, RenderedStack], custom: RenderedTenant) -> None:
    for rendered in [*shared.values(), custom]:
        annotations = _service(rendered).get("annotations") or {}
        key, value = INTERNAL[_cloud(rendered)]
        assert annotations.get(key) != value, _name(rendered)
        assert annotations.get("service.beta.kubernetes.io/aws-load-balancer-internal") != "true"


def test_proxy_pods_carry_the_contract_labels(clusters: list[Rendered]) -> None:
    """The tenant NetworkPolicy admits the proxies by these labels; the spread constraint must select the same pods."""
    for rendered in clusters:
        (proxy,) = [manifest(r) for r in rendered.of_type(ENVOY_PROXY)]
        pod = proxy["spec"]["provider"]["kubernetes"]["envoyDeployment"]["pod"]
        selectors = [c["labelSelector"]["matchLabels"] for c in pod["topologySpreadConstraints"]]
        assert selectors == [contract.PROXY_POD_LABELS]


# ---------------------------------------------------------------------------------------------- certificates


def test_default_issuer_solves_http01_on_the_gateway(clusters: list[Rendered]) -> None:
    for rendered in clusters:
        (issuer,) = [manifest(r) for r in rendered.of_type(CLUSTER_ISSUER)]
        assert issuer["metadata"]["name"] == contract.DEFAULT_CERT_ISSUER
        acme = issuer["spec"]["acme"]
        assert acme["server"].startswith("https://") and not acme.get("skipTLSVerify")
        (solver,) = acme["solvers"]
        (parent,) = solver["http01"]["gatewayHTTPRoute"]["parentRefs"]
        assert (parent["name"], parent["namespace"]) == (contract.GATEWAY_NAME, contract.GATEWAY_NAMESPACE)
        gateway = manifest(rendered.of_type(GATEWAY)[0])
        assert parent["sectionName"] in [listener["name"] for listener in gateway["spec"]["listeners"]]


def test_a_configured_issuer_is_not_created(custom: RenderedTenant) -> None:
    """Stack config names the platform team's own ClusterIssuer: the package creates no default beside it."""
    assert custom.of_type(CLUSTER_ISSUER) == []
    assert "cert-manager" in _releases(custom)


# ---------------------------------------------------------------------------------------------- node scaling


def test_cluster_autoscaler_identity_is_scoped_to_its_cluster(silos: dict[str, RenderedTenant]) -> None:
    rendered = silos["spotify-premium"]
    release = _releases(rendered)["cluster-autoscaler"]
    account = release["values"]["rbac"]["serviceAccount"]
    role_arn = account["annotations"]["eks.amazonaws.com/role-arn"]
    (role,) = [r for r in rendered.of_type(ROLE) if r.inputs.get("arn", "") == role_arn or
               "cluster-autoscaler" in r.inputs.get("name", "")]
    trust = json.loads(role.inputs["assumeRolePolicy"])
    (statement,) = trust["Statement"]
    subjects = [v for k, v in statement["Condition"]["StringEquals"].items() if k.endswith(":sub")]
    assert subjects == [f"system:serviceaccount:{release['namespace']}:{account['name']}"]
    (policy,) = [r for r in rendered.of_type(ROLE_POLICY) if "autoscaler" in r.name]
    document = json.loads(policy.inputs["policy"])
    writes = [s for s in document["Statement"] if any(":Set" in a or ":Terminate" in a for a in s["Action"])]
    assert writes
    cluster = release["values"]["autoDiscovery"]["clusterName"]
    for statement in writes:
        assert statement["Condition"]["StringEquals"] == {f"aws:ResourceTag/k8s.io/cluster-autoscaler/{cluster}": "owned"}
    assert not any(a in ("*", "autoscaling:*", "ec2:*") for s in document["Statement"] for a in s["Action"])


def test_autoscaler_version_follows_the_cluster(silos: dict[str, RenderedTenant]) -> None:
    rendered = silos["spotify-premium"]
    tag = _releases(rendered)["cluster-autoscaler"]["values"]["image"]["tag"]
    assert tag.startswith(f"v{rendered.tenant.spec.config.cluster.kubernetes_version}.")


def test_node_groups_scale_in_only_through_the_autoscaler(silos: dict[str, RenderedTenant]) -> None:
    """Auto Scaling scale-in terminates nodes without draining them; the autoscaler drains first."""
    for policy in silos["spotify-premium"].of_type("aws:autoscaling/policy:Policy"):
        tracking = policy.inputs.get("targetTrackingConfiguration")
        if tracking:
            assert tracking["disableScaleIn"] is True


def test_managed_vpa_and_autoscaler_profiles(silos: dict[str, RenderedTenant], shared: dict[str, RenderedStack]) -> None:
    clusters = [*silos.values(), *shared.values()]
    aks = [r.inputs for c in clusters for r in c.resources if r.type.startswith("azure-native:containerservice:ManagedCluster")]
    gke = [r.inputs for c in clusters for r in c.of_type("gcp:container/cluster:Cluster")]
    assert aks and gke
    for cluster in aks:
        profile = cluster["workloadAutoScalerProfile"]
        assert profile["verticalPodAutoscaler"]["enabled"] is True
        assert profile["keda"]["enabled"] is False  # the chart's KEDA is the one operator
        assert cluster["autoScalerProfile"]["expander"] in ("least-waste", "random", "most-pods", "priority")
        assert cluster["autoScalerProfile"]["scaleDownUnneededTime"]
    for cluster in gke:
        assert cluster["verticalPodAutoscaling"]["enabled"] is True
        assert cluster["clusterAutoscaling"]["autoscalingProfile"] in ("BALANCED", "OPTIMIZE_UTILIZATION")


# ---------------------------------------------------------------------------------------------- schemas


def test_every_custom_resource_validates_against_its_crd(clusters: list[Rendered], custom: RenderedTenant) -> None:
    require_shared_schemas()
    kinds: set[str] = set()
    for rendered in [*clusters, custom]:
        for resource in rendered.resources:
            if not resource.custom or not resource.type.startswith("kubernetes:") or resource.type == HELM_RELEASE:
                continue
            body = manifest(resource)
            validate_any(resource, "1.31")
            if not is_builtin(body["apiVersion"]):
                kinds.add(body["kind"])
    assert {"GatewayClass", "Gateway", "HTTPRoute", "EnvoyProxy", "ClientTrafficPolicy", "ClusterIssuer"} <= kinds


def _one(clusters: list[Rendered], type_: str) -> dict[str, Any]:
    return manifest(next(r for c in clusters for r in c.of_type(type_)))


def _edit(body: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    out = copy.deepcopy(body)
    node: Any = out
    *parents, leaf = path.split(".")
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node[part]
    node[leaf] = value
    return out


@pytest.mark.parametrize(
    ("type_", "path", "value"),
    [
        (GATEWAY, "spec.listeners.0.protocol", 443),  # a protocol is a string
        (GATEWAY, "spec.listeners.0.port", 70000),  # above the port range
        (GATEWAY, "spec.allowedListeners.namespaces.from", "Everywhere"),  # not an enum value
        (ENVOY_PROXY, "spec.provider.type", "Docker"),
        (CLIENT_TRAFFIC_POLICY, "spec.tls.minVersion", "1.4"),
        (CLIENT_TRAFFIC_POLICY, "spec.tls.minimumVersion", "1.2"),  # a typo the API server would prune
        (CLUSTER_ISSUER, "spec.acme.solvers.0.http01.gatewayHTTPRoute.parentRefs.0.port", "eighty"),
        (GATEWAY_CLASS, "spec.controllerName", ""),
    ],
)
def test_crd_validation_rejects_broken_resources(clusters: list[Rendered], type_: str, path: str, value: Any) -> None:
    require_shared_schemas()
    body = _one(clusters, type_)
    validate_custom(body)
    with pytest.raises((AssertionError, jsonschema.ValidationError)):
        validate_custom(_edit(body, path, value))


def test_crds_are_read_from_shared_not_copied() -> None:
    assert not list((ROOT / "tests").rglob("*.k8s.io_*.yaml")) and not list((ROOT / "tests").rglob("*scaledobjects*"))
    assert SHARED_SCHEMAS == ROOT.parent / "shared" / "schemas"
