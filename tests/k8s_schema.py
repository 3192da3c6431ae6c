"""Test helpers for the Kubernetes tenancy: tenants in tmp dirs, rendering, and schema validation.

Validation is independent of the component: Kubernetes objects go through the upstream OpenAPI
schemas shipped by ``kubernetes-validate`` (strict: unknown fields fail, as a typo would be
silently dropped by the API server), the ScaledObject through the KEDA CRD's own schema.
"""

from __future__ import annotations

import asyncio
import copy
import functools
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import kubernetes_validate.utils
import pulumi
import pulumi_kubernetes as k8s
import yaml
from pulumi.runtime import rpc

from components.kubernetes.ingress import IngressSettings
from components.kubernetes.tenancy import TenancyArgs, TenantTenancy
from spec.loader import TenantFile, load_tenant
from tenantctl.mocks import EstateMocks
from tenantctl.render import RecordingMonitor, RenderedResource

PROJECT_ROOT = Path(__file__).resolve().parent.parent
KEDA_CRD = Path(__file__).resolve().parent / "fixtures" / "schemas" / "keda.sh_scaledobjects.yaml"
SCALED_OBJECT = "kubernetes:keda.sh/v1alpha1:ScaledObject"
HPA = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler"
DEPLOYMENT = "kubernetes:apps/v1:Deployment"
NAMESPACE = "kubernetes:core/v1:Namespace"
QUOTA = "kubernetes:core/v1:ResourceQuota"
NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy"
SERVICE_CIDRS = ["10.20.0.0/20", "10.20.16.0/20"]
SA_ANNOTATIONS = {"eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/test-workload"}


# ---- tenants -----------------------------------------------------------------------------------------------


def write_tenant(directory: Path, document: dict[str, Any]) -> TenantFile:
    """Write ``document`` as ``<tenant_id>.yaml`` under ``directory`` and load it like any tenant file."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{document['tenant_id']}.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return load_tenant(path)


# ---- rendering ---------------------------------------------------------------------------------------------


def unwrap(value: Any) -> Any:
    """Engine values → plain JSON: secrets unwrapped (the schema sees what the API server would)."""
    if isinstance(value, dict) and value.get(rpc._special_sig_key) == rpc._special_secret_sig:
        return unwrap(value["value"])
    if isinstance(value, dict):
        return {k: unwrap(v) for k, v in value.items()}
    if isinstance(value, list):
        return [unwrap(v) for v in value]
    return value


class _Monitor(RecordingMonitor):
    """Also keeps each resource's ``ignoreChanges``, which the recorded inputs do not show."""

    def __init__(self, mocks: pulumi.runtime.Mocks) -> None:
        super().__init__(mocks)
        self.ignore_changes: dict[str, list[str]] = {}

    def RegisterResource(self, request: Any) -> Any:  # noqa: N802 (gRPC method name)
        response = super().RegisterResource(request)
        self.ignore_changes[request.name] = list(request.ignoreChanges)
        return response


IGNORE_CHANGES: dict[str, list[str]] = {}  # resource name → ignoreChanges, of the last render_tenancy calls


def render_tenancy(
    tenant: TenantFile,
    prometheus_address: str | None = None,
    service_cidrs: list[str] | None = None,
    ingress: IngressSettings | None = None,
) -> tuple[list[RenderedResource], dict[str, str]]:
    """Run ``TenantTenancy`` alone under Pulumi's mocks; returns what was registered and its outputs."""
    spec = tenant.spec
    mocks = EstateMocks(spec.tenant_id)
    monitor = _Monitor(mocks)
    outputs: dict[str, str] = {}
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)

    def program() -> pulumi.Output[Any]:
        provider = k8s.Provider("cluster", kubeconfig="{}")
        args: TenancyArgs = {
            "spec": spec,
            "service_cidrs": SERVICE_CIDRS if service_cidrs is None else service_cidrs,
            "service_account_annotations": dict(SA_ANNOTATIONS),
            "prometheus_address": prometheus_address,
        }
        if ingress is not None:
            args["ingress"] = ingress
        tenancy = TenantTenancy(
            f"{spec.tenant_id}-tenancy",
            args,
            pulumi.ResourceOptions(providers=[provider]),
        )
        keys = ("namespace", "autoscaling_mode", "autoscaling_reason")
        return pulumi.Output.all(tenancy.namespace, tenancy.autoscaling_mode, tenancy.autoscaling_reason).apply(
            lambda values: outputs.update(zip(keys, values, strict=True))
        )

    try:
        pulumi.runtime.reset_options(project="test", stack=spec.tenant_id, preview=False)
        pulumi.runtime.set_mocks(mocks, project="test", stack=spec.tenant_id, preview=False, monitor=monitor)
        pulumi.runtime.test(program)()
    finally:
        loop.close()
        asyncio.set_event_loop(None)
    IGNORE_CHANGES.update(monitor.ignore_changes)
    return monitor.recorded, outputs


def kubernetes_objects(resources: list[RenderedResource]) -> list[RenderedResource]:
    return [r for r in resources if r.type.startswith("kubernetes:") and r.custom]


def of_type(resources: list[RenderedResource], type_: str) -> list[dict[str, Any]]:
    return [manifest(r) for r in resources if r.type == type_]


def manifest(resource: RenderedResource) -> dict[str, Any]:
    """A rendered resource's inputs as the manifest the API server receives."""
    body = unwrap(copy.deepcopy(resource.inputs))
    group_version, kind = resource.type.split(":", 1)[1].rsplit(":", 1)
    group, version = group_version.split("/")
    expected_api = version if group == "core" else f"{group}/{version}"
    assert body.get("apiVersion") == expected_api, (resource.type, body.get("apiVersion"))
    assert body.get("kind") == kind, (resource.type, body.get("kind"))
    return dict(body)


# ---- schemas -----------------------------------------------------------------------------------------------


def kubernetes_schema_version(minor: str) -> str:
    """The cluster's minor if the package ships it, else the newest it ships (its schemas are per minor)."""
    shipped = kubernetes_validate.utils.all_versions()
    wanted = [v for v in shipped if kubernetes_validate.utils.major_minor(v) == minor]
    return wanted[-1] if wanted else shipped[-1]


def validate_kubernetes(body: dict[str, Any], minor: str) -> None:
    """Raise if ``body`` is not a valid object of its kind for Kubernetes ``minor`` (unknown fields fail)."""
    kubernetes_validate.validate(body, kubernetes_schema_version(minor), strict=True)


def _strict(schema: Any) -> Any:
    """Objects with declared properties accept no others (the API server would prune them silently)."""
    if isinstance(schema, dict):
        out = {k: _strict(v) for k, v in schema.items()}
        if out.get("type") == "object" and "properties" in out and "additionalProperties" not in out:
            out["additionalProperties"] = False
        return out
    if isinstance(schema, list):
        return [_strict(v) for v in schema]
    return schema


@functools.cache
def keda_validator() -> jsonschema.Draft7Validator:
    crd = yaml.safe_load(KEDA_CRD.read_text(encoding="utf-8"))
    version = next(v for v in crd["spec"]["versions"] if v["name"] == "v1alpha1")
    schema = _strict(version["schema"]["openAPIV3Schema"])
    schema["properties"]["metadata"] = {"type": "object"}  # ObjectMeta is validated by the API server, not the CRD
    return jsonschema.Draft7Validator(schema)


def validate_scaled_object(body: dict[str, Any]) -> None:
    errors = sorted(keda_validator().iter_errors(body), key=lambda e: list(e.absolute_path))
    if errors:
        raise AssertionError("; ".join(f"{list(e.absolute_path)}: {e.message}" for e in errors))
    # The CRD's one CEL rule (x-kubernetes-validations), which jsonschema does not evaluate.
    spec = body["spec"]
    if "minReplicaCount" in spec:
        assert spec["minReplicaCount"] <= spec.get("maxReplicaCount", 100), "minReplicaCount > maxReplicaCount"


SECURITY_GROUP_POLICY = "kubernetes:vpcresources.k8s.aws/v1beta1:SecurityGroupPolicy"
SHARED_CRDS = Path(__file__).resolve().parent.parent.parent / "shared" / "schemas" / "crds"
SGP_CRD = SHARED_CRDS / "amazon-vpc-resource-controller-k8s/vpcresources.k8s.aws_securitygrouppolicies.yaml"
# Custom resources the components render → the upstream CRD file (under ../shared/schemas/crds) holding their kind.
UPSTREAM_CRDS: dict[str, str] = {
    SECURITY_GROUP_POLICY: "amazon-vpc-resource-controller-k8s/vpcresources.k8s.aws_securitygrouppolicies.yaml",
    "kubernetes:cert-manager.io/v1:Certificate": "cert-manager/cert-manager.io_certificates.yaml",
    "kubernetes:gateway.networking.k8s.io/v1:ListenerSet": "gateway-api/gateway.networking.k8s.io_listenersets.yaml",
    "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute": "gateway-api/gateway.networking.k8s.io_httproutes.yaml",
    "kubernetes:gateway.envoyproxy.io/v1alpha1:BackendTrafficPolicy": (
        "envoy-gateway/gateway.envoyproxy.io_backendtrafficpolicies.yaml"
    ),
    "kubernetes:autoscaling.k8s.io/v1:VerticalPodAutoscaler": "vertical-pod-autoscaler/vpa-v1-crd-gen.yaml",
    "kubernetes:monitoring.coreos.com/v1:PrometheusRule": "prometheus-operator/monitoring.coreos.com_prometheusrules.yaml",
    # The cluster add-ons' objects in a silo tenant's stack.
    "kubernetes:cert-manager.io/v1:ClusterIssuer": "cert-manager/cert-manager.io_clusterissuers.yaml",
    "kubernetes:gateway.networking.k8s.io/v1:Gateway": "gateway-api/gateway.networking.k8s.io_gateways.yaml",
    "kubernetes:gateway.networking.k8s.io/v1:GatewayClass": "gateway-api/gateway.networking.k8s.io_gatewayclasses.yaml",
    "kubernetes:gateway.envoyproxy.io/v1alpha1:ClientTrafficPolicy": (
        "envoy-gateway/gateway.envoyproxy.io_clienttrafficpolicies.yaml"
    ),
    "kubernetes:gateway.envoyproxy.io/v1alpha1:EnvoyProxy": "envoy-gateway/gateway.envoyproxy.io_envoyproxies.yaml",
    "kubernetes:karpenter.sh/v1:NodePool": "karpenter/karpenter.sh_nodepools.yaml",
    "kubernetes:karpenter.k8s.aws/v1:EC2NodeClass": "karpenter/karpenter.k8s.aws_ec2nodeclasses.yaml",
}
# A Helm release is Pulumi's record of a chart install, not an object the API server receives.
HELM_RELEASE = "kubernetes:helm.sh/v3:Release"


@functools.cache
def upstream_crd_validator(type_: str) -> jsonschema.Draft7Validator | None:
    """The upstream CRD's schema for an engine type (read from ../shared at test time), or None where absent.

    The document whose ``spec.names.kind`` is the type's kind, the version named by the type; objects with
    declared properties take no others (as for KEDA), ObjectMeta is the API server's to check.
    """
    path = SHARED_CRDS / UPSTREAM_CRDS[type_]
    if not path.exists():
        return None
    group_version, kind = type_.split(":", 1)[1].rsplit(":", 1)
    version_name = group_version.rsplit("/", 1)[1]
    crd = next(d for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if d and d["spec"]["names"]["kind"] == kind)
    version = next(v for v in crd["spec"]["versions"] if v["name"] == version_name)
    schema = _strict(version["schema"]["openAPIV3Schema"])
    schema.setdefault("properties", {})["metadata"] = {"type": "object"}
    return jsonschema.Draft7Validator(schema)


def security_group_policy_validator() -> jsonschema.Draft7Validator | None:
    return upstream_crd_validator(SECURITY_GROUP_POLICY)


def validate_upstream(type_: str, body: dict[str, Any]) -> bool:
    """Validate ``body`` against its upstream CRD; False (nothing checked) where ../shared is absent."""
    validator = upstream_crd_validator(type_)
    if validator is None:
        return False
    errors = sorted(validator.iter_errors(body), key=lambda e: list(e.absolute_path))
    if errors:
        raise AssertionError("; ".join(f"{list(e.absolute_path)}: {e.message}" for e in errors))
    return True


def validate_any(resource: RenderedResource, minor: str) -> None:
    if resource.type == HELM_RELEASE:
        return
    body = manifest(resource)
    if resource.type == SCALED_OBJECT:
        validate_scaled_object(body)
    elif resource.type in UPSTREAM_CRDS:
        validate_upstream(resource.type, body)
    else:
        validate_kubernetes(body, minor)
