"""Across clouds: every example tenant renders, names are unique, Kubernetes objects are schema-valid,
shared cluster stacks render and export what pooled tenants read, cross-cloud knobs fail cleanly."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from k8s_schema import kubernetes_objects, validate_any
from ruamel.yaml import YAML
from test_multicloud_helpers import ROOT, inputs, render

from spec.loader import load_tenants
from tenantctl.placeholders import shared_cluster_outputs
from tenantctl.render import RenderedTenant, render_shared_cluster

CLOUD_TENANTS = {"azure": ("contoso-enterprise", "fabrikam-standard"), "gcp": ("globex-enterprise", "initech-standard")}
# Physical names that are global or per-project on their cloud: two tenants must never share one.
PHYSICAL_NAME_KEYS = {
    "azure-native:keyvault:Vault": "vaultName",
    "azure-native:dbforpostgresql:Server": "serverName",
    "azure-native:redisenterprise:RedisEnterprise": "clusterName",
    "azure-native:resources:ResourceGroup": "resourceGroupName",
    "azure-native:containerservice:ManagedCluster": "resourceName",
    "gcp:container/cluster:Cluster": "name",
    "gcp:sql/databaseInstance:DatabaseInstance": "name",
    "gcp:redis/instance:Instance": "name",
    "gcp:kms/keyRing:KeyRing": "name",
    "gcp:serviceaccount/account:Account": "accountId",
    "gcp:compute/network:Network": "name",
    "gcp:logging/projectBucketConfig:ProjectBucketConfig": "bucketId",
}
CROSS_CLOUD = sorted((ROOT / "tests" / "fixtures" / "tenants" / "invalid").glob("cross-cloud-*.yaml"))


@pytest.fixture(scope="module")
def fleet() -> list[RenderedTenant]:
    tenants = load_tenants([ROOT / "tenants"], root=ROOT)
    return [render(t) for t in tenants if t.spec.cloud in CLOUD_TENANTS]


def test_each_cloud_has_an_enterprise_silo_and_a_pooled_tenant(fleet: list[RenderedTenant]) -> None:
    for cloud, ids in CLOUD_TENANTS.items():
        specs = {r.tenant_id: r.tenant.spec for r in fleet if r.tenant.spec.cloud == cloud}
        assert set(ids) <= set(specs)
        assert any(s.tier == "enterprise" and s.silo for s in specs.values()), cloud
        assert any(not s.silo for s in specs.values()), cloud


def test_example_tenants_have_modeline_and_stack_file() -> None:
    for ids in CLOUD_TENANTS.values():
        for tenant_id in ids:
            text = (ROOT / "tenants" / f"{tenant_id}.yaml").read_text(encoding="utf-8")
            assert text.splitlines()[0] == "# yaml-language-server: $schema=../spec/tenant.schema.json"
            stack = YAML(typ="safe").load((ROOT / "stacks" / f"Pulumi.{tenant_id}.yaml").read_text())["config"]
            assert stack["tenant-platform:tenantFile"] == f"tenants/{tenant_id}.yaml"
            assert stack["tenant-platform:alertEmails"]


def test_no_duplicate_urns_or_physical_names(fleet: list[RenderedTenant]) -> None:
    urns = [r.urn for t in fleet for r in t.resources]
    assert len(urns) == len(set(urns))
    for type_, key in PHYSICAL_NAME_KEYS.items():
        names = [inputs(r)[key] for t in fleet for r in t.of_type(type_)]
        assert len(names) == len(set(names)), type_


def test_kubernetes_objects_are_schema_valid(fleet: list[RenderedTenant]) -> None:
    checked = 0
    for rendered in fleet:
        minor = rendered.tenant.spec.config.cluster.kubernetes_version
        for resource in kubernetes_objects(rendered.resources):
            validate_any(resource, minor)
            checked += 1
    assert checked > 0


def test_every_kubernetes_object_goes_through_the_estate_provider(fleet: list[RenderedTenant]) -> None:
    for rendered in fleet:
        providers = [r for r in rendered.resources if r.type == "pulumi:providers:kubernetes"]
        assert len(providers) == 1
        assert providers[0].public_inputs()["kubeconfig"] == "[secret]"
        for resource in kubernetes_objects(rendered.resources):
            assert resource.provider and resource.provider.startswith(providers[0].urn)


def _render_shared(stack: str) -> tuple[list[Any], dict[str, Any]]:
    shared = render_shared_cluster(ROOT / "stacks" / f"Pulumi.{stack}.yaml")
    return shared.resources, shared.config


@pytest.mark.parametrize("stack", ["shared-azure-westeurope", "shared-gcp-us-central1"])
def test_shared_cluster_stacks_render_private_clusters(stack: str) -> None:
    recorded, config = _render_shared(stack)
    types = {r.type for r in recorded}
    cloud = config["tenant-platform:cloud"]
    if cloud == "azure":
        aks = next(inputs(r) for r in recorded if r.type == "azure-native:containerservice:ManagedCluster")
        assert aks["apiServerAccessProfile"]["enablePrivateCluster"] is True
        assert aks["securityProfile"]["azureKeyVaultKms"]["enabled"] is True
    else:
        gke = next(inputs(r) for r in recorded if r.type == "gcp:container/cluster:Cluster")
        assert gke["privateClusterConfig"]["enablePrivateEndpoint"] is True
        assert gke["databaseEncryption"]["state"] == "ENCRYPTED"
        assert "gcp:servicenetworking/connection:Connection" in types
    assert f"tenant-platform:{cloud}:SharedCluster" in types


@pytest.mark.parametrize("cloud", ["azure", "gcp"])
def test_shared_cluster_exports_the_outputs_pooled_tenants_read(cloud: str) -> None:
    """The outputs the pooled estates read exist both in the builder's exports and in the offline placeholders."""
    import importlib

    source = Path(importlib.util.find_spec(f"components.{cloud}.estate").origin).read_text()  # type: ignore[arg-type, union-attr]
    read = {part.split('"')[1] for part in source.split("get_output(")[1:]}
    shared = Path(importlib.util.find_spec(f"components.{cloud}.shared").origin).read_text()  # type: ignore[arg-type, union-attr]
    assert read, "pooled estates read the shared stack"
    for name in read:
        assert f'"{name}":' in shared, f"{cloud} shared cluster does not export {name}"
        assert name in shared_cluster_outputs(f"org/tenant-platform/shared-{cloud}-x")


@pytest.mark.parametrize("path", CROSS_CLOUD, ids=lambda p: p.stem)
def test_cross_cloud_knob_is_a_clean_validation_error(path: Path) -> None:
    expected = path.read_text(encoding="utf-8").splitlines()[0].removeprefix("# expect: ")
    relative = path.relative_to(ROOT)
    done = subprocess.run([sys.executable, "-m", "tenantctl", "validate", str(relative)], capture_output=True,
                          text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 2
    assert done.stderr.strip() == f"{relative}:{expected}"
    assert "Traceback" not in done.stderr
