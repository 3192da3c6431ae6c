"""Invariants of tenant trust: a pooled tenant's data services admit only its own pods, and a pooled AKS tenant's
pods reach only its own data addresses (see the package docstring)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from . import Invariant, Set, Unset

SG = "aws:ec2/securityGroup:SecurityGroup"
DATA_PORTS = (5432, 6379)
SHARED_NODE_SG = "placeholder-shared-aws-eu-west-1-node-sg"
NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy"
PRIVATE_ENDPOINT = "azure-native:network:PrivateEndpoint"
AZURE_CACHE_PORT = 10000
# The shared westeurope VNet's pooled data subnet, and an address in it that is no example tenant's own.
SHARED_DATA_SUBNET = "10.101.128.0/17"
NEIGHBOUR_ADDRESS = "10.101.128.4/32"


def _fronts_data(props: Mapping[str, Any]) -> bool:
    """A database's or cache's group: its ingress opens PostgreSQL or Redis."""
    return any(
        isinstance(rule, Mapping) and rule.get("fromPort") in DATA_PORTS for rule in props.get("ingress") or []
    )


def _pooled_azure_data_egress(props: Mapping[str, Any]) -> bool:
    """A pooled AKS tenant's allow-data-services policy (Azure Managed Redis' port among its egress ports)."""
    metadata, spec = props.get("metadata") or {}, props.get("spec") or {}
    ports = {p.get("port") for rule in spec.get("egress") or [] for p in rule.get("ports") or [] if isinstance(p, Mapping)}
    return (
        metadata.get("name") == "allow-data-services"
        and (metadata.get("labels") or {}).get("tenant-platform.io/isolation") == "standard"
        and AZURE_CACHE_PORT in ports
    )


def _static_endpoint(props: Mapping[str, Any]) -> bool:
    return bool(props.get("ipConfigurations"))


ROWS: list[Invariant] = [
    Invariant(
        SG, "ingress.*.securityGroups", "[the tenant's pod security group]", "aws-data-pooled-source",
        (Set("ingress.*.securityGroups", [SHARED_NODE_SG]),),
        "the shared cluster's node group carries every pooled tenant's pods: any of them reaches this data",
        ("CKV_AWS_23", "CIS AWS 5.4"), where=_fronts_data,
    ),
    Invariant(
        SG, "ingress.*.cidrBlocks", "(unset: sources are security groups)", "aws-data-pooled-source",
        (Set("ingress.*.cidrBlocks", ["10.100.0.0/16"]),),
        "a CIDR admits every pod and node in the range, whichever tenant it belongs to",
        ("CKV_AWS_23", "CIS AWS 5.4"), where=_fronts_data,
    ),
    Invariant(
        NETWORK_POLICY, "spec.egress.*.to", "[ipBlock <tenant's own private-endpoint address>/32]",
        "azure-data-pooled-egress",
        (Set("spec.egress.*.to", [{"ipBlock": {"cidr": SHARED_DATA_SUBNET}}]),),
        "the shared data subnet holds every pooled tenant's database and cache: any pod of this tenant reaches them",
        ("CIS AKS 5.4.4",), where=_pooled_azure_data_egress,
    ),
    Invariant(
        NETWORK_POLICY, "spec.egress.*.to.*.ipBlock.cidr", "<tenant's own private-endpoint address>/32",
        "azure-data-pooled-egress",
        (Set("spec.egress.*.to.*.ipBlock.cidr", NEIGHBOUR_ADDRESS),),
        "a /32 that is not this stack's own endpoint may be a neighbour's database or cache",
        ("CIS AKS 5.4.4",), where=_pooled_azure_data_egress,
    ),
    Invariant(
        PRIVATE_ENDPOINT, "ipConfigurations", "[{privateIPAddress: <the tenant's static address>}]",
        "azure-data-pooled-egress",
        (Unset("ipConfigurations"),),
        "a dynamic address is unknown before deployment: the egress /32 would name an address Azure may give another "
        "tenant's endpoint",
        ("CIS AKS 5.4.4",), where=_static_endpoint,
    ),
]
