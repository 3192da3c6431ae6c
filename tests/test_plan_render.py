"""``tenantctl plan`` end to end: JSON shape, masking, placeholders, determinism, unique names, bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
TENANTS = sorted((ROOT / "tenants").glob("*.yaml"))
RESOURCE_KEYS = {"urn", "type", "name", "parent", "custom", "inputs"}
# Inputs that carry a physical (cloud-side) name, and the inputs that scope it.
NAME_KEYS = ("name", "identifier", "replicationGroupId", "clusterName", "nodeGroupName", "functionName", "roleName",
             "resourceName", "vaultName", "serverName", "accountId", "secretId", "keyRingId", "cryptoKeyId", "instanceId")
SCOPE_KEYS = ("resourceGroupName", "vaultName", "serverName", "virtualNetworkName", "keyRing", "network", "instance",
              "cluster", "workspaceName", "project", "location", "region")


def plan(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "tenantctl", "plan", *args], capture_output=True, text=True, cwd=cwd)


@pytest.fixture(scope="module")
def fleet_plan() -> dict[str, Any]:
    proc = plan(str(ROOT / "tenants"), "--format", "json")
    assert proc.returncode in (0, 1), proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr
    return json.loads(proc.stdout)  # type: ignore[no-any-return]


def test_json_has_exactly_the_documented_shape(fleet_plan: dict[str, Any]) -> None:
    tenants = fleet_plan["tenants"]
    assert sorted(t["tenant"] for t in tenants) == sorted(p.stem for p in TENANTS)
    for tenant in tenants:
        assert {"tenant", "cloud", "stack", "resources"} <= set(tenant)
        assert tenant["stack"] == tenant["tenant"]
        assert tenant["resources"], tenant["tenant"]
        for resource in tenant["resources"]:
            assert RESOURCE_KEYS <= set(resource)
            assert resource["urn"].endswith("::" + resource["name"])
            assert resource["urn"].split("::")[2].split("$")[-1] == resource["type"]
            assert isinstance(resource["custom"], bool)


def test_parents_are_urns_of_the_same_plan(fleet_plan: dict[str, Any]) -> None:
    for tenant in fleet_plan["tenants"]:
        urns = {r["urn"] for r in tenant["resources"]}
        for resource in tenant["resources"]:
            parent = resource["parent"]
            assert parent is None or parent in urns or parent.split("::")[2] == "pulumi:pulumi:Stack"


def test_secret_values_never_appear_in_the_report(fleet_plan: dict[str, Any]) -> None:
    text = json.dumps(fleet_plan)
    assert "[secret]" in text
    for key in ("slackWebhookUrl", "alertWebhookUrl"):
        assert f"https://placeholder.invalid/tenant-platform/{key}" not in text


def test_urns_are_unique_across_the_fleet(fleet_plan: dict[str, Any]) -> None:
    urns = Counter(r["urn"] for t in fleet_plan["tenants"] for r in t["resources"])
    assert [u for u, n in urns.items() if n > 1] == []


def _physical(resource: dict[str, Any]) -> tuple[Any, ...] | None:
    inputs = resource["inputs"]
    if resource["type"].startswith("kubernetes:"):
        meta = inputs.get("metadata") or {}
        if (meta.get("labels") or {}).get("tenant-platform.io/addon"):
            return None  # a cluster add-on's fixed names, once per silo cluster: each tenant's cluster is its own
        return (resource["type"], meta.get("namespace"), meta.get("name")) if meta.get("name") else None
    for key in NAME_KEYS:
        if isinstance(inputs.get(key), str):
            scope = tuple(str(inputs.get(s)) for s in SCOPE_KEYS)
            return (resource["type"], key, inputs[key], scope)
    return None


def _addon(resource: dict[str, Any]) -> bool:
    return bool(((resource["inputs"].get("metadata") or {}).get("labels") or {}).get("tenant-platform.io/addon"))


def test_physical_names_are_unique_across_the_fleet(fleet_plan: dict[str, Any]) -> None:
    seen: dict[tuple[Any, ...], str] = {}
    clashes = []
    for tenant in fleet_plan["tenants"]:
        for resource in tenant["resources"]:
            key = _physical(resource) if resource["custom"] else None
            if key is None:
                continue
            if key in seen and seen[key] != tenant["tenant"]:
                clashes.append((key, seen[key], tenant["tenant"]))
            seen.setdefault(key, tenant["tenant"])
    assert clashes == []


def test_plan_is_deterministic() -> None:
    # The seed tenant lists every alert channel, so its plan includes the Slack forwarder's code archive.
    seed = str(ROOT / "tenants" / "spotify-premium.yaml")
    first = plan(seed, "--format", "json")
    second = plan(seed, "--format", "json")
    assert first.returncode == second.returncode
    assert first.stdout == second.stdout


def test_a_tenant_file_alone_renders_with_placeholders_and_warnings(tmp_path: Path) -> None:
    seed = (ROOT / "tenants" / "spotify-premium.yaml").read_text(encoding="utf-8")
    alone = tmp_path / "lonely-tenant.yaml"  # no stacks/Pulumi.lonely-tenant.yaml anywhere
    alone.write_text(seed.replace("tenant_id: spotify-premium", "tenant_id: lonely-tenant"), encoding="utf-8")
    proc = plan(str(alone), "--format", "json")
    assert proc.returncode in (0, 1), proc.stderr[-3000:]
    document = json.loads(proc.stdout)
    assert [t["tenant"] for t in document["tenants"]] == ["lonely-tenant"]
    assert "no stack file" in proc.stderr
    for key in ("slackWebhookUrl", "alertWebhookUrl"):
        assert f"tenant-platform:{key} is not set" in proc.stderr


def test_bad_input_exits_2_and_renders_nothing() -> None:
    invalid = ROOT / "tests" / "fixtures" / "tenants" / "invalid" / "max-below-min.yaml"
    proc = plan(str(ROOT / "tenants"), str(invalid), "--format", "json")
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert "Traceback" not in proc.stderr
    assert proc.stderr.strip().endswith("tenant_config.autoscaling.max_replicas: must be ≥ min_replicas (5)")


def _is_stack_reference(urn: str) -> bool:
    return urn.split("::")[2].split("$")[-1] == "pulumi:pulumi:StackReference"


def test_every_resource_carries_its_dependencies_as_urns_of_the_plan(fleet_plan: dict[str, Any]) -> None:
    """What a replay, or another scanner, needs to rebuild the stack view the engine gives AnalyzeStack."""
    with_property_deps = 0
    for tenant in fleet_plan["tenants"]:
        by_urn = {r["urn"]: r for r in tenant["resources"]}
        for resource in tenant["resources"]:
            deps = resource["dependencies"]
            assert deps == sorted(set(deps)), resource["urn"]
            # A dependency is another registration of this plan, or the shared stack read by reference.
            assert [d for d in deps if d not in by_urn and not _is_stack_reference(d)] == [], resource["urn"]
            for key, urns in resource["propertyDependencies"].items():
                assert key in resource["inputs"], (resource["urn"], key)
                assert urns and set(urns) <= set(deps), (resource["urn"], key)
                with_property_deps += 1
            provider = resource["provider"]
            if provider is not None:
                assert by_urn[provider]["type"].startswith("pulumi:providers:"), resource["urn"]
            assert all(isinstance(name, str) for name in resource["additionalSecretOutputs"])
        kinds = {r["type"]: r for r in tenant["resources"]}
        # Every Kubernetes object depends on its namespace through its metadata (the namespace is created first).
        namespace = next(
            r["urn"] for r in tenant["resources"]
            if r["type"] == "kubernetes:core/v1:Namespace" and not _addon(r)
        )
        for resource in tenant["resources"]:
            if resource["type"].startswith("kubernetes:") and resource["type"] != "kubernetes:core/v1:Namespace":
                if _addon(resource) or resource["type"] == "kubernetes:helm.sh/v3:Release":
                    continue  # a silo cluster's add-ons wait for their own namespaces (tests/test_cluster_addons.py)
                assert namespace in resource["propertyDependencies"].get("metadata", []), resource["urn"]
        assert "pulumi:providers:kubernetes" in kinds
    assert with_property_deps > 0


def test_encrypted_stores_depend_on_the_tenant_key_through_their_key_property(fleet_plan: dict[str, Any]) -> None:
    key_types = {"aws:kms/key:Key", "gcp:kms/cryptoKey:CryptoKey", "azure-native:keyvault:Key"}
    checked = 0
    for tenant in fleet_plan["tenants"]:
        keys = {r["urn"] for r in tenant["resources"] if r["type"] in key_types}
        for resource in tenant["resources"]:
            if resource["type"] == "aws:rds/instance:Instance":
                assert set(resource["propertyDependencies"]["kmsKeyId"]) & keys, resource["urn"]
                assert "password" in resource["additionalSecretOutputs"]
                checked += 1
    assert checked


def test_property_dependencies_and_options_reach_analyze_stack() -> None:
    """The request built for the pack carries what the plan JSON records, under analyzer.proto's field names."""
    from tenantctl.policy.client import AnalyzedResource, PackClient

    key = "urn:pulumi:s::p::aws:kms/key:Key::k"
    db = AnalyzedResource(
        type="aws:rds/instance:Instance",
        urn="urn:pulumi:s::p::aws:rds/instance:Instance::db",
        name="db",
        properties={"kmsKeyId": "arn:aws:kms:eu-west-1:1:key/x"},
        dependencies=(key,),
        property_dependencies={"kmsKeyId": (key,)},
        additional_secret_outputs=("password",),
    )
    request = PackClient.stack_request([db])
    sent = request.resources[0]
    assert list(sent.dependencies) == [key]
    assert {k: list(v.urns) for k, v in sent.propertyDependencies.items()} == {"kmsKeyId": [key]}
    assert list(sent.options.additionalSecretOutputs) == ["password"]


def test_a_saved_plan_replays_through_the_pack_with_the_same_verdict(fleet_plan: dict[str, Any]) -> None:
    """``tenantctl replay``: the plan JSON alone (inputs, dependencies, providers, policyConfig) is enough to
    get the verdict again, and a weakened resource in it is refused."""
    import copy

    from tenantctl.policy.client import PackClient
    from tenantctl.policy.enforce import replay

    acme = next(t for t in fleet_plan["tenants"] if t["tenant"] == "acme-standard")
    assert acme["policyConfig"]["aws-rds-storage-encryption"]["tenant"] == "acme-standard"
    weakened = copy.deepcopy(acme)
    db = next(r for r in weakened["resources"] if r["type"] == "aws:rds/instance:Instance")
    db["inputs"]["storageEncrypted"] = False
    with PackClient() as client:
        as_planned = replay({"tenants": [acme]}, client)[acme["tenant"]]
        found = replay({"tenants": [weakened]}, client)[acme["tenant"]]
    mandatory = sorted((d.policy, d.urn) for d in as_planned if d.level == "mandatory")
    assert mandatory == sorted((v["policy"], v["urn"]) for v in acme["violations"] if v["level"] == "mandatory")
    assert ("aws-rds-storage-encryption", db["urn"]) in {(d.policy, d.urn) for d in found if d.level == "mandatory"}
