"""Pooled AWS tenants: each one's database and cache admit only that tenant's pod security group.

On the shared cluster every node carries one node security group; admitting it would admit every pooled
tenant's pods. Expectations come from AWS's security-groups-for-pods model and the upstream CRD, not from
the components under test.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml
from test_aws_helpers import ROOT, render, unwrap

from tenantctl.render import RenderedResource, RenderedTenant, render_shared_cluster

SG = "aws:ec2/securityGroup:SecurityGroup"
SGP = "kubernetes:vpcresources.k8s.aws/v1beta1:SecurityGroupPolicy"
DATA_PORTS = {5432, 6379}
POOLED = ["acme-standard", "hobby-free"]
CRD = ROOT.parent / "shared" / "schemas" / "crds" / "amazon-vpc-resource-controller-k8s" / (
    "vpcresources.k8s.aws_securitygrouppolicies.yaml"
)


@pytest.fixture(scope="module")
def rendered() -> dict[str, RenderedTenant]:
    return {t: render(ROOT / "tenants" / f"{t}.yaml") for t in POOLED}


def _data_groups(r: RenderedTenant) -> list[RenderedResource]:
    return [g for g in r.of_type(SG) if any(rule.get("fromPort") in DATA_PORTS for rule in g.inputs.get("ingress") or [])]


def _pod_group(r: RenderedTenant) -> RenderedResource:
    found = [g for g in r.of_type(SG) if g.inputs.get("name") == f"{r.tenant_id}-pods"]
    assert len(found) == 1
    return found[0]


def _sources(group: RenderedResource) -> set[str]:
    return {str(s) for rule in group.inputs["ingress"] for s in rule.get("securityGroups") or []}


def _policy(r: RenderedTenant) -> RenderedResource:
    found = r.of_type(SGP)
    assert len(found) == 1, [x.name for x in found]
    return found[0]


@pytest.mark.parametrize("tenant", POOLED)
def test_data_groups_admit_only_the_tenant_pod_group(rendered: dict[str, RenderedTenant], tenant: str) -> None:
    r = rendered[tenant]
    groups = _data_groups(r)
    assert len(groups) == 2  # PostgreSQL and Redis
    pods = _pod_group(r)
    for group in groups:
        for rule in group.inputs["ingress"]:
            assert not rule.get("cidrBlocks") and not rule.get("ipv6CidrBlocks") and not rule.get("prefixListIds")
            assert rule.get("fromPort") == rule.get("toPort") and rule["fromPort"] in DATA_PORTS
        # The ingress value comes from the pod group alone: not the shared stack's node group.
        assert group.property_dependencies["ingress"] == [pods.urn]
        assert len(_sources(group)) == 1 and not any("placeholder" in s for s in _sources(group))


@pytest.mark.parametrize("tenant", POOLED)
def test_pods_carry_the_admitted_group(rendered: dict[str, RenderedTenant], tenant: str) -> None:
    r = rendered[tenant]
    spec = unwrap(_policy(r).inputs)["spec"]
    admitted = set.union(*(_sources(g) for g in _data_groups(r)))
    assert spec["podSelector"] == {}  # every pod of the namespace
    assert admitted <= set(spec["securityGroups"]["groupIds"])
    assert unwrap(_policy(r).inputs)["metadata"]["namespace"] == f"tenant-{tenant}"


def test_two_pooled_tenants_get_different_pod_groups(rendered: dict[str, RenderedTenant]) -> None:
    a, b = (set.union(*(_sources(g) for g in _data_groups(rendered[t]))) for t in POOLED)
    assert a and b and not a & b
    assert _pod_group(rendered[POOLED[0]]).inputs["name"] != _pod_group(rendered[POOLED[1]]).inputs["name"]


@pytest.mark.parametrize("tenant", POOLED)
def test_security_group_policy_matches_the_upstream_crd(rendered: dict[str, RenderedTenant], tenant: str) -> None:
    if not CRD.exists():
        pytest.skip("../shared/schemas/crds is not present")
    jsonschema = pytest.importorskip("jsonschema")
    crd = yaml.safe_load(CRD.read_text(encoding="utf-8"))
    version = next(v for v in crd["spec"]["versions"] if v["name"] == "v1beta1")
    schema: dict[str, Any] = version["schema"]["openAPIV3Schema"]["properties"]["spec"]
    spec = unwrap(_policy(rendered[tenant]).inputs)["spec"]
    jsonschema.validate(spec, schema)


def test_shared_cluster_enables_pod_eni() -> None:
    stack = render_shared_cluster(ROOT / "stacks" / "Pulumi.shared-aws-eu-west-1.yaml")
    cni = [a for a in stack.of_type("aws:eks/addon:Addon") if a.inputs.get("addonName") == "vpc-cni"]
    assert len(cni) == 1
    values = json.loads(cni[0].inputs["configurationValues"])
    assert values["env"]["ENABLE_POD_ENI"] == "true"
    assert values["env"]["POD_SECURITY_GROUP_ENFORCING_MODE"] == "standard"
    attached = {str(a.inputs.get("policyArn")) for a in stack.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")}
    assert any(p.endswith(":policy/AmazonEKSVPCResourceController") for p in attached)
