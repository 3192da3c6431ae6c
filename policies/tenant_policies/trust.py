"""Tenant trust: what keeps one tenant's stack from reaching another tenant's data.

Importing this module also installs the pack's config guard (``guard.py``): a config that lowers a
critical policy's enforcement level is refused, whoever wrote it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from pulumi_policy import ResourceValidationPolicy, Severity, StackValidationPolicy

from . import guard
from .base import SEGREGATION, Context, Meta, Resource, as_int, as_list, is_set, meta_of, stack_policy


def _critical() -> frozenset[str]:
    from .catalog import POLICIES as ALL  # the catalog imports this module: look it up when the pack is configured

    return frozenset(meta_of(p).name for p in ALL if meta_of(p).critical)


guard.install(_critical)

SG = "aws:ec2/securityGroup:SecurityGroup"
SG_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"
INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
# The data services and the input naming the security groups in front of them.
DATA_SERVICES = {
    "aws:rds/instance:Instance": "vpcSecurityGroupIds",
    "aws:elasticache/replicationGroup:ReplicationGroup": "securityGroupIds",
}
CIDR_KEYS = ("cidrBlocks", "ipv6CidrBlocks", "prefixListIds", "cidrIpv4", "cidrIpv6", "prefixListId")
SOURCE_KEYS = ("securityGroups", "sourceSecurityGroupId", "referencedSecurityGroupId")


def _names_of(sg: Resource) -> set[str]:
    return {str(v) for v in (sg.props.get("id"), sg.props.get("name")) if is_set(v)}


def _fronting(resources: Sequence[Resource]) -> list[Resource]:
    """Security groups named by a database's or cache's security-group input, by dependency or id/name."""
    groups = [r for r in resources if r.type == SG]
    found: dict[str, Resource] = {}
    for data in (r for r in resources if r.type in DATA_SERVICES):
        ids = {str(v) for v in as_list(data.props.get(DATA_SERVICES[data.type]))}
        for sg in groups:
            if sg.urn in data.dependencies or ids & _names_of(sg):
                found[sg.urn] = sg
    return list(found.values())


def _rules(sg: Resource, resources: Sequence[Resource]) -> Iterator[tuple[Resource, Mapping[str, Any]]]:
    """Every ingress rule of ``sg``: inline, and separate rule resources pointing at it."""
    for rule in as_list(sg.props.get("ingress")):
        if isinstance(rule, Mapping):
            yield sg, rule
    for r in resources:
        separate = r.type == INGRESS_RULE or (r.type == SG_RULE and str(r.props.get("type") or "").lower() == "ingress")
        target = r.props.get("securityGroupId")
        if separate and is_set(target) and (sg.urn in r.dependencies or str(target) in _names_of(sg)):
            yield r, r.props


def _own_sources(owner: Resource, sg: Resource, sources: list[str], groups: Sequence[Resource]) -> bool:
    """Are ``sources`` security groups of this stack? By id or name when known; under preview, where ids are
    not inputs, by the rule depending on as many of this stack's other groups as it names sources."""
    named = {n for g in groups for n in _names_of(g)}
    unknown = {s for s in sources if s not in named}
    if any("placeholder" in s for s in unknown):  # an offline stand-in for another stack's output
        return False
    in_stack = {g.urn for g in groups if g.urn != sg.urn and g.urn in owner.dependencies}
    return len(unknown) <= len(in_stack)


def _data_sources(resources: Sequence[Resource], ctx: Context) -> Iterator[tuple[str, str | None]]:
    groups = [r for r in resources if r.type == SG]
    for sg in _fronting(resources):
        bad = False
        for owner, rule in _rules(sg, resources):
            sources = [str(s) for key in SOURCE_KEYS for s in as_list(rule.get(key)) if is_set(s)]
            if any(as_list(rule.get(k)) for k in CIDR_KEYS if is_set(rule.get(k))) or not _own_sources(
                owner, sg, sources, groups
            ):
                bad = True
        if bad:
            yield (
                f"Security group {sg.name} fronts the tenant's database or cache: its ingress sources must be only "
                "security groups created in this stack (the tenant's pod security group), never a shared node "
                "group, another stack's group or a CIDR.",
                sg.urn,
            )


NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy"
PRIVATE_ENDPOINT = "azure-native:network:PrivateEndpoint"
# A pooled Azure tenant's stack: it owns a database or cache but no AKS cluster (it joins the shared one).
AZURE_DATA = ("azure-native:dbforpostgresql:Server", "azure-native:redisenterprise:RedisEnterprise")
AKS = "azure-native:containerservice:ManagedCluster"


def _static_addresses(resources: Sequence[Resource]) -> set[str]:
    """The private addresses this stack's private endpoints are given before deployment (``ipConfigurations``)."""
    return {
        str(config.get("privateIPAddress"))
        for r in resources
        if r.type == PRIVATE_ENDPOINT
        for config in as_list(r.props.get("ipConfigurations"))
        if isinstance(config, Mapping) and is_set(config.get("privateIPAddress"))
    }


def _pooled_azure(resources: Sequence[Resource]) -> bool:
    """By the stack's shape, not its config: Azure data without a cluster of its own lives on a shared cluster."""
    types = {r.type for r in resources}
    return bool(types & set(AZURE_DATA)) and AKS not in types


# PostgreSQL and Azure Managed Redis' TLS port: what a pooled AKS tenant's data egress opens.
AZURE_DATA_PORTS = (5432, 10000)


def _opens_data_ports(rule: Mapping[str, Any]) -> bool:
    """Does the egress rule reach a data port? No ports means every port; a named port may be any."""
    ports = [p for p in as_list(rule.get("ports")) if isinstance(p, Mapping)]
    if not ports:
        return True
    for port in ports:
        first, last = as_int(port.get("port")), as_int(port.get("endPort"))
        if first is None or any(first <= data <= (last or first) for data in AZURE_DATA_PORTS):
            return True
    return False


def _egress_problems(policy: Resource, own: set[str]) -> Iterator[str]:
    for rule in as_list((policy.props.get("spec") or {}).get("egress")):
        if not isinstance(rule, Mapping) or not _opens_data_ports(rule):
            continue
        peers = [p for p in as_list(rule.get("to")) if isinstance(p, Mapping)]
        if not peers:
            yield "an egress rule to the data ports with no destination (every address)"
        for peer in peers:
            block = peer.get("ipBlock")
            if not isinstance(block, Mapping):
                continue
            cidr = str(block.get("cidr"))
            address, _, prefix = cidr.partition("/")
            if prefix != "32":
                yield f"ipBlock {cidr} (a range: every address in it, a neighbour's data too)"
            elif address not in own:
                yield f"ipBlock {cidr} (not a static address of this stack's own private endpoints)"


def _pooled_azure_egress(resources: Sequence[Resource], ctx: Context) -> Iterator[tuple[str, str | None]]:
    if not _pooled_azure(resources):
        return
    own = _static_addresses(resources)
    for policy in (r for r in resources if r.type == NETWORK_POLICY):
        problems = list(_egress_problems(policy, own))
        if problems:
            yield (
                f"NetworkPolicy {policy.name} of a pooled AKS tenant lets its pods out beyond the tenant's own "
                f"database and cache: {'; '.join(problems)}. Egress to data must be exactly the /32s of the tenant's "
                "private endpoints, whose addresses are fixed in this stack (ipConfigurations).",
                policy.urn,
            )


POLICIES: list[ResourceValidationPolicy | StackValidationPolicy] = [
    stack_policy(
        Meta(
            "aws-data-pooled-source",
            "Checks that the security groups in front of a tenant's RDS instance and ElastiCache replication group "
            "admit only security groups created in the tenant's own stack.",
            Severity.CRITICAL,
            "Admit the tenant's pod security group (components/aws/pod_security.py), never the shared cluster's "
            "node security group or a CIDR: on a shared cluster every pooled tenant's pods carry the node group.",
            SEGREGATION,
            "isolation",
            True,
            {},
            True,
        ),
        _data_sources,
    ),
    stack_policy(
        Meta(
            "azure-data-pooled-egress",
            "Checks that a pooled AKS tenant's NetworkPolicies open egress to the data ports (PostgreSQL, Redis) only "
            "towards /32s of the static addresses of the tenant's own private endpoints, never a subnet.",
            Severity.CRITICAL,
            "Give the tenant's database and cache private endpoints static addresses (components/data_addresses.py, "
            "ipConfigurations) and open exactly those /32s: the shared data subnets hold every pooled tenant's data.",
            SEGREGATION,
            "isolation",
            True,
            {},
            True,
        ),
        _pooled_azure_egress,
    ),
]
