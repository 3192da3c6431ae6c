"""Test helpers for the Kubernetes tenancy: tenants in tmp dirs, rendering, and schema validation.

Validation is independent of the component: Kubernetes objects go through the upstream OpenAPI
schemas shipped by ``kubernetes-validate`` (strict: unknown fields fail, as a typo would be
silently dropped by the API server), custom resources through their project's own CRD schema, read
at test time from ``../shared/schemas`` (provenance in its README); where that folder is absent the
custom resources go unchecked and the tests that are about them skip.
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
import pytest
import yaml
from pulumi.runtime import rpc

from components.kubernetes.ingress import IngressSettings
from components.kubernetes.tenancy import TenancyArgs, TenantTenancy
from spec.loader import TenantFile, load_tenant
from tenantctl.mocks import EstateMocks
from tenantctl.render import RecordingMonitor, RenderedResource

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SHARED_SCHEMAS = PROJECT_ROOT.parent / "shared" / "schemas"
KEDA_CRD = SHARED_SCHEMAS / "keda.sh_scaledobjects.yaml"
CRDS = SHARED_SCHEMAS / "crds"
HELM_RELEASE = "kubernetes:helm.sh/v3:Release"
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
    """Objects with declared properties accept no others (the API server would prune them silently).

    Not where the CRD keeps unknown fields (``x-kubernetes-preserve-unknown-fields``): those are free-form.
    """
    if isinstance(schema, dict):
        out = {k: _strict(v) for k, v in schema.items()}
        if (
            out.get("type") == "object"
            and "properties" in out
            and "additionalProperties" not in out
            and not out.get("x-kubernetes-preserve-unknown-fields")
        ):
            out["additionalProperties"] = False
        return out
    if isinstance(schema, list):
        return [_strict(v) for v in schema]
    return schema


def require_shared_schemas() -> None:
    """Skip the calling test where ``../shared/schemas`` is not there (it is never copied into the project)."""
    if not SHARED_SCHEMAS.is_dir():
        pytest.skip(f"{SHARED_SCHEMAS} is absent: custom resources cannot be checked against their CRDs")


@functools.cache
def _crd_documents() -> dict[tuple[str, str], dict[str, Any]]:
    """Every CRD under ../shared/schemas (its crds/ folder and the KEDA file), by (group, kind)."""
    files = [KEDA_CRD, *sorted(CRDS.rglob("*.yaml"))] if SHARED_SCHEMAS.is_dir() else []
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for path in files:
        for document in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            if isinstance(document, dict) and document.get("kind") == "CustomResourceDefinition":
                found[(document["spec"]["group"], document["spec"]["names"]["kind"])] = document
    return found


@functools.cache
def crd_validator(api_version: str, kind: str) -> jsonschema.Draft7Validator | None:
    """The upstream CRD's schema for ``api_version``/``kind``; None where ../shared is absent.

    A custom resource whose CRD is not there fails: every rendered custom resource must have its schema.
    """
    if not SHARED_SCHEMAS.is_dir():
        return None
    group, _, version = api_version.rpartition("/")
    crd = _crd_documents().get((group, kind))
    assert crd is not None, f"no CRD for {group} {kind} under {SHARED_SCHEMAS}"
    served = [v for v in crd["spec"]["versions"] if v["name"] == version]
    assert served, f"the {kind} CRD has no version {version} (it has {[v['name'] for v in crd['spec']['versions']]})"
    schema = _strict(served[0]["schema"]["openAPIV3Schema"])
    # ObjectMeta is validated by the API server itself, not by the CRD's schema.
    schema.setdefault("properties", {})["metadata"] = {"type": "object"}
    return jsonschema.Draft7Validator(schema)


def validate_custom(body: dict[str, Any]) -> None:
    """Raise if ``body`` does not satisfy its CRD's schema (no-op where ../shared is absent)."""
    validator = crd_validator(body["apiVersion"], body["kind"])
    errors = sorted(validator.iter_errors(body), key=lambda e: list(e.absolute_path)) if validator else []
    if errors:
        raise AssertionError(
            f"{body['kind']} {body.get('metadata', {}).get('name')}: "
            + "; ".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)
        )


def validate_scaled_object(body: dict[str, Any]) -> None:
    require_shared_schemas()
    validate_custom(body)
    # The CRD's one CEL rule (x-kubernetes-validations), which jsonschema does not evaluate.
    spec = body["spec"]
    if "minReplicaCount" in spec:
        assert spec["minReplicaCount"] <= spec.get("maxReplicaCount", 100), "minReplicaCount > maxReplicaCount"


# API groups the API server serves itself (dotted ones; undotted groups such as apps or policy are all built in).
# Gateway API's gateway.networking.k8s.io is a CRD despite its suffix.
BUILTIN_GROUPS = frozenset(
    """networking.k8s.io rbac.authorization.k8s.io storage.k8s.io admissionregistration.k8s.io apiextensions.k8s.io
    scheduling.k8s.io coordination.k8s.io node.k8s.io discovery.k8s.io certificates.k8s.io events.k8s.io
    flowcontrol.apiserver.k8s.io apiregistration.k8s.io resource.k8s.io""".split()
)


def is_builtin(api_version: str) -> bool:
    group = api_version.rpartition("/")[0]
    return "." not in group or group in BUILTIN_GROUPS


SECURITY_GROUP_POLICY = "kubernetes:vpcresources.k8s.aws/v1beta1:SecurityGroupPolicy"
SHARED_CRDS = CRDS
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
}


def upstream_crd_validator(type_: str) -> jsonschema.Draft7Validator | None:
    """The upstream CRD's schema for an engine type (read from ../shared at test time), or None where absent."""
    if not (SHARED_CRDS / UPSTREAM_CRDS[type_]).exists():
        return None
    group_version, kind = type_.split(":", 1)[1].rsplit(":", 1)
    return crd_validator(group_version, kind)


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
        return  # the provider's own resource, not an API object: Helm renders the chart's manifests at deploy time
    body = manifest(resource)
    if resource.type == SCALED_OBJECT:
        if SHARED_SCHEMAS.is_dir():
            validate_scaled_object(body)
    elif is_builtin(body["apiVersion"]):
        validate_kubernetes(body, minor)
    else:
        validate_custom(body)
