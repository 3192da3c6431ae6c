"""Pooled tenants on every cloud: no other tenant's pods are admitted on a tenant's data ports.

EKS: each one's database and cache admit only that tenant's pod security group. On the shared cluster every
node carries one node security group; admitting it would admit every pooled tenant's pods. AKS and GKE: the
tenant NetworkPolicy lets the pods out only to the /32s of the tenant's own database and cache (on AKS, the
static addresses of its private endpoints), so a neighbour's pods are never let out towards them.
Expectations come from each cloud's model (security groups for pods and the upstream CRD; Azure's subnet
reservations and the shared VNet's layout), not from the components under test.
"""

from __future__ import annotations

import ipaddress
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from test_aws_helpers import ROOT, render, unwrap

from spec import load_tenant
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


# ------------------------------------------------------------- AKS and GKE: /32 egress to the tenant's own data

NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy"
PRIVATE_ENDPOINT = "azure-native:network:PrivateEndpoint"
# The data ports per cloud (PostgreSQL; Azure Managed Redis' TLS port; Memorystore's in-transit-encryption port).
IP_DATA_PORTS = {"azure": [5432, 10000], "gcp": [5432, 6378]}
# The shared westeurope VNet is 10.101.0.0/16; nodes and service subnets are in its first half, pooled data in the second.
AZURE_DATA_SUBNET = ipaddress.ip_network("10.101.128.0/17")
AZURE_SERVICE_SUBNETS = [ipaddress.ip_network(c) for c in ("10.101.0.0/20", "10.101.16.0/24", "10.101.17.0/24")]


def _pooled_examples(cloud: str) -> list[str]:
    return [p.stem for p in sorted((ROOT / "tenants").glob("*.yaml"))
            if (t := load_tenant(p).spec).cloud == cloud and t.isolation == "standard"]


def _neighbour(tmp: Path, tenant: str) -> RenderedTenant:
    """A second pooled tenant on the same shared cluster: the example under another id."""
    text = (ROOT / "tenants" / f"{tenant}.yaml").read_text(encoding="utf-8")
    path = tmp / "tenants" / f"{tenant}-neighbour.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text.replace(f"tenant_id: {tenant}", f"tenant_id: {tenant}-neighbour"), encoding="utf-8")
    return render(path)


def _data_egress(r: RenderedTenant) -> list[dict[str, Any]]:
    [policy] = [p for p in r.of_type(NETWORK_POLICY) if p.name.endswith("allow-data-services")]
    return unwrap(policy.inputs)["spec"]["egress"]  # type: ignore[no-any-return]


def _egress_networks(r: RenderedTenant) -> list[ipaddress.IPv4Network]:
    return [ipaddress.ip_network(peer["ipBlock"]["cidr"]) for rule in _data_egress(r) for peer in rule["to"]]


def _endpoint_addresses(r: RenderedTenant) -> dict[str, str]:
    """The static address of each data private endpoint, by Private Link group."""
    found = {}
    for endpoint in r.of_type(PRIVATE_ENDPOINT):
        group = endpoint.inputs["privateLinkServiceConnections"][0]["groupIds"][0]
        if group in ("postgresqlServer", "redisEnterprise"):
            [config] = endpoint.inputs["ipConfigurations"]
            found[group] = config["privateIPAddress"]
    return found


@pytest.fixture(scope="module")
def ip_pairs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[RenderedTenant, RenderedTenant]]:
    """Every pooled AKS and GKE example with a neighbour on its shared cluster."""
    tmp = tmp_path_factory.mktemp("neighbours")
    return {t: (render(ROOT / "tenants" / f"{t}.yaml"), _neighbour(tmp, t))
            for cloud in IP_DATA_PORTS for t in _pooled_examples(cloud)}


def test_every_cloud_has_a_pooled_example() -> None:
    assert all(_pooled_examples(cloud) for cloud in ("aws", "azure", "gcp"))
    assert set(POOLED) == set(_pooled_examples("aws"))


@pytest.mark.parametrize("tenant", [t for c in IP_DATA_PORTS for t in _pooled_examples(c)])
def test_pooled_pods_reach_only_their_own_data_hosts(
    ip_pairs: dict[str, tuple[RenderedTenant, RenderedTenant]], tenant: str
) -> None:
    for r in ip_pairs[tenant]:
        cloud = r.tenant.spec.cloud
        rules = _data_egress(r)
        # One host per rule, on that service's port alone: never a subnet, never both ports to both hosts.
        assert [len(rule["to"]) for rule in rules] == [1] * len(rules)
        assert sorted(int(p["port"]) for rule in rules for p in rule["ports"]) == IP_DATA_PORTS[cloud]
        assert all(net.prefixlen == 32 for net in _egress_networks(r)), _egress_networks(r)


@pytest.mark.parametrize("tenant", _pooled_examples("azure"))
def test_pooled_aks_egress_is_exactly_the_tenants_static_private_endpoints(
    ip_pairs: dict[str, tuple[RenderedTenant, RenderedTenant]], tenant: str
) -> None:
    for r in ip_pairs[tenant]:
        addresses = _endpoint_addresses(r)
        assert set(addresses) == {"postgresqlServer", "redisEnterprise"}
        by_port = {int(rule["ports"][0]["port"]): rule["to"][0]["ipBlock"]["cidr"] for rule in _data_egress(r)}
        assert by_port == {5432: f"{addresses['postgresqlServer']}/32", 10000: f"{addresses['redisEnterprise']}/32"}
        for address in map(ipaddress.ip_address, addresses.values()):
            # In the data subnet, clear of the addresses Azure keeps (first four, last) and of the dynamic subnets.
            assert address in AZURE_DATA_SUBNET
            assert AZURE_DATA_SUBNET.network_address + 4 <= address < AZURE_DATA_SUBNET.broadcast_address
            assert not any(address in net for net in AZURE_SERVICE_SUBNETS)
        pg = r.one("azure-native:dbforpostgresql:Server")
        assert "delegatedSubnetResourceId" not in pg.inputs["network"]  # not VNet-integrated: no dynamic address


@pytest.mark.parametrize("tenant", [t for c in IP_DATA_PORTS for t in _pooled_examples(c)])
def test_no_neighbour_pod_is_let_out_towards_the_tenants_data(
    ip_pairs: dict[str, tuple[RenderedTenant, RenderedTenant]], tenant: str
) -> None:
    own, other = ip_pairs[tenant]
    for a, b in ((own, other), (other, own)):
        data = [net.network_address for net in _egress_networks(a)]
        if a.tenant.spec.cloud == "azure":
            data = [ipaddress.ip_address(x) for x in _endpoint_addresses(a).values()]
        assert data and not any(address in net for address in data for net in _egress_networks(b))


@pytest.mark.parametrize("tenant", _pooled_examples("azure"))
def test_a_stacks_data_address_slot_moves_both_endpoints_and_the_egress(tenant: str) -> None:
    from tenantctl.render import render_program
    from tenantctl.stack_config import tenant_stack_config

    config = tenant_stack_config(load_tenant(ROOT / "tenants" / f"{tenant}.yaml"), ROOT)
    resources = render_program(tenant, {**config.values, "tenant-platform:dataAddressSlot": "0"}, config.secret_keys)
    r = RenderedTenant(tenant=load_tenant(ROOT / "tenants" / f"{tenant}.yaml"), stack=config, resources=resources)
    # Pair 0 is the first two addresses Azure does not keep for itself (x.0 to x.3 are reserved).
    assert _endpoint_addresses(r) == {"postgresqlServer": "10.101.128.4", "redisEnterprise": "10.101.128.5"}
    assert sorted(str(n) for n in _egress_networks(r)) == ["10.101.128.4/32", "10.101.128.5/32"]
