"""The Kubernetes tenancy through the whole program (``tenantctl plan``'s renderer), and the validators themselves."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import pytest
import yaml
from k8s_schema import (
    DEPLOYMENT,
    HPA,
    NAMESPACE,
    NETWORK_POLICY,
    PROJECT_ROOT,
    SCALED_OBJECT,
    kubernetes_objects,
    manifest,
    of_type,
    render_tenancy,
    validate_any,
    validate_kubernetes,
    validate_scaled_object,
    write_tenant,
)

from spec.loader import load_tenant
from tenantctl.render import RenderedTenant, render_tenant

EXAMPLES = sorted((PROJECT_ROOT / "tenants").glob("*.yaml"))
PROMETHEUS = "http://kube-prometheus.monitoring.svc:9090"


@pytest.fixture(scope="module", params=[p.stem for p in EXAMPLES])
def example(request: pytest.FixtureRequest) -> RenderedTenant:
    return render_tenant(load_tenant(PROJECT_ROOT / "tenants" / f"{request.param}.yaml"), PROJECT_ROOT)


def test_example_tenants_render_valid_tenancy(example: RenderedTenant) -> None:
    spec = example.tenant.spec
    objects = kubernetes_objects(example.resources)
    assert objects, "the tenancy rendered nothing"
    for resource in objects:
        validate_any(resource, spec.config.cluster.kubernetes_version)
        # Bound to the cluster's provider, not to whatever kubeconfig the operator happens to have.
        assert resource.provider and "pulumi:providers:kubernetes" in resource.provider, resource.type

    # The tenant's namespace; a silo tenant's stack also creates its cluster add-ons' namespaces.
    (ns,) = [n for n in of_type(example.resources, NAMESPACE) if "tenant-platform.io/addon" not in n["metadata"]["labels"]]
    assert ns["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"
    assert any(
        p["spec"]["podSelector"] == {} and sorted(p["spec"]["policyTypes"]) == ["Egress", "Ingress"]
        and not p["spec"].get("ingress") and not p["spec"].get("egress")
        for p in of_type(example.resources, NETWORK_POLICY)
    )
    # The rule from the issues: KEDA when a schedule (predictive) or latency with a Prometheus address drives
    # scaling, else a plain HPA; never both.
    scaling = spec.config.autoscaling
    prometheus = example.stack.values.get("tenant-platform:prometheusAddress")
    hpas, scaled = of_type(example.resources, HPA), of_type(example.resources, SCALED_OBJECT)
    if not scaling.enabled:
        assert (hpas, scaled) == ([], [])
        return
    keda = (scaling.strategy == "predictive" and scaling.schedule) or (
        scaling.metrics.latency_threshold is not None and prometheus
    )
    assert (len(hpas), len(scaled)) == ((0, 1) if keda else (1, 0))
    spec_ = scaled[0]["spec"] if keda else hpas[0]["spec"]
    bounds = ("minReplicaCount", "maxReplicaCount") if keda else ("minReplicas", "maxReplicas")
    assert (spec_[bounds[0]], spec_[bounds[1]]) == (scaling.min_replicas, scaling.max_replicas)


def test_seed_tenant_plan_says_predictive_runs_reactive() -> None:
    seed = render_tenant(load_tenant(PROJECT_ROOT / "tenants" / "spotify-premium.yaml"), PROJECT_ROOT)
    (deployment,) = of_type(seed.resources, DEPLOYMENT)
    annotations = deployment["metadata"]["annotations"]
    assert annotations["tenant-platform.io/autoscaling-mode"] == "hpa"
    assert "no schedule" in annotations["tenant-platform.io/autoscaling-reason"]


def test_stack_config_prometheus_address_and_schedule_render_keda(tmp_path: Path) -> None:
    """A tenant stack with ``prometheusAddress`` and a predictive schedule, rendered through the program."""
    tenant = write_tenant(
        tmp_path / "tenants",
        {
            "tenant_id": "keda-tenant",
            "tier": "premium",
            "cloud": "aws",
            "region": "eu-west-1",
            "tenant_config": {
                "autoscaling": {
                    "strategy": "predictive",
                    "min_replicas": 2,
                    "max_replicas": 16,
                    "metrics": {"latency_threshold": "400ms"},
                    "schedule_timezone": "America/New_York",
                    "schedule": [{"start": "0 8 * * *", "end": "0 20 * * *", "desired_replicas": 5}],
                }
            },
        },
    )
    root = tmp_path / "project"
    (root / "stacks").mkdir(parents=True)
    (root / "stacks" / "Pulumi.keda-tenant.yaml").write_text(
        yaml.safe_dump({"config": {"tenant-platform:prometheusAddress": PROMETHEUS,
                                   "tenant-platform:alertEmails": ["ops@example.com"]}}),
        encoding="utf-8",
    )
    rendered = render_tenant(tenant, root)
    assert not of_type(rendered.resources, HPA)
    (scaled,) = of_type(rendered.resources, SCALED_OBJECT)
    validate_scaled_object(scaled)
    triggers = scaled["spec"]["triggers"]
    assert [t["metadata"] for t in triggers if t["type"] == "cron"] == [
        {"timezone": "America/New_York", "start": "0 8 * * *", "end": "0 20 * * *", "desiredReplicas": "5"}
    ]
    (prom,) = [t for t in triggers if t["type"] == "prometheus"]
    assert prom["metadata"]["serverAddress"] == PROMETHEUS
    assert float(prom["metadata"]["threshold"]) == pytest.approx(0.4)
    assert (scaled["spec"]["minReplicaCount"], scaled["spec"]["maxReplicaCount"]) == (2, 16)


# ---- the validators reject what they should (so passing them means something) --------------------------------


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    tenant = write_tenant(
        tmp_path_factory.mktemp("sample"),
        {"tenant_id": "sample", "tier": "standard", "cloud": "aws", "region": "eu-west-1",
         "tenant_config": {"autoscaling": {"strategy": "predictive",
                                           "schedule": [{"start": "0 8 * * *", "end": "0 9 * * *",
                                                         "desired_replicas": 3}]}}},
    )
    resources, _ = render_tenancy(tenant)
    return {r.type: manifest(r) for r in resources if r.type in (DEPLOYMENT, SCALED_OBJECT, NAMESPACE)}


def _mutate(body: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    out = copy.deepcopy(body)
    node = out
    *parents, leaf = path.split(".")
    for key in parents:
        node = node[int(key)] if isinstance(node, list) else node[key]
    if value is KeyError:
        del node[leaf]
    else:
        node[leaf] = value
    return out


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("spec.replica", 3),  # typo: unknown field
        ("spec.template.spec.containers.0.securityContext.runAsNonroot", True),
        ("spec.selector", KeyError),  # required
        ("spec.replicas", "three"),
    ],
)
def test_kubernetes_validator_rejects_broken_deployment(sample: dict[str, Any], path: str, value: Any) -> None:
    validate_kubernetes(sample[DEPLOYMENT], "1.31")
    with pytest.raises(kubernetes_validate.ValidationError):
        validate_kubernetes(_mutate(sample[DEPLOYMENT], path, value), "1.31")


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("spec.triggers", KeyError),
        ("spec.triggers", []),
        ("spec.minReplicas", 2),  # HPA field name on a ScaledObject
        ("spec.triggers.0.metadata.value", 70),  # trigger metadata values are strings
        ("spec.minReplicaCount", 1000),  # above maxReplicaCount
    ],
)
def test_keda_validator_rejects_broken_scaled_object(sample: dict[str, Any], path: str, value: Any) -> None:
    validate_scaled_object(sample[SCALED_OBJECT])
    with pytest.raises((AssertionError, jsonschema.ValidationError)):
        validate_scaled_object(_mutate(sample[SCALED_OBJECT], path, value))
