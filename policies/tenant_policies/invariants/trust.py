"""Invariants of tenant trust: a pooled tenant's data services admit only its own pods (see the package docstring)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from . import Invariant, Set

SG = "aws:ec2/securityGroup:SecurityGroup"
DATA_PORTS = (5432, 6379)
SHARED_NODE_SG = "placeholder-shared-aws-eu-west-1-node-sg"


def _fronts_data(props: Mapping[str, Any]) -> bool:
    """A database's or cache's group: its ingress opens PostgreSQL or Redis."""
    return any(
        isinstance(rule, Mapping) and rule.get("fromPort") in DATA_PORTS for rule in props.get("ingress") or []
    )


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
]
