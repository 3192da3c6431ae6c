"""Security groups for pods: a pooled tenant's pods get their own security group on the shared EKS cluster.

On the shared cluster every node carries the same node security group, so a database that admits the
nodes admits every pooled tenant's pods. With the VPC CNI's pod ENI mode (enabled on the shared cluster,
``components/aws/cluster.py``) a ``SecurityGroupPolicy`` gives every pod of the tenant's namespace a
branch ENI with the tenant's own pod security group; the tenant's database and cache then admit only that
group, and no other tenant's pod can open a connection to them, whatever its credentials.
"""

from __future__ import annotations

import ipaddress
from typing import TypedDict

import pulumi
import pulumi_aws as aws

from components.aws.common import child, physical_name, with_name
from components.estate import NamespacedObject

DNS_PORT = 53
SGP_API_VERSION = "vpcresources.k8s.aws/v1beta1"


def vpc_resolver(cidr: str) -> str:
    """The Amazon-provided DNS resolver of a VPC: its base address plus two, as a /32."""
    return f"{ipaddress.ip_network(cidr).network_address + 2}/32"


class PodSecurityArgs(TypedDict):
    provider: aws.Provider
    base_name: str
    vpc_id: pulumi.Input[str]
    tags: dict[str, str]


class PodSecurity(pulumi.ComponentResource):
    """The tenant's pod security group; ``allow`` opens its egress once the data services' groups exist."""

    security_group_id: pulumi.Output[str]

    def __init__(self, name: str, args: PodSecurityArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("tenant-platform:aws:PodSecurity", name, None, opts)
        self._name: str = name
        self._provider: aws.Provider = args["provider"]
        self._tags: dict[str, str] = args["tags"]
        base = args["base_name"]
        # No inline rules: egress is added as separate rules (the data services' groups reference this one,
        # so inline egress towards them would be a cycle), and AWS's default allow-all egress is removed on
        # create. No ingress: kubelet probes and in-cluster traffic reach the pod through the shared cluster
        # security group, which the SecurityGroupPolicy attaches as well; nothing needs this group as a target.
        group = aws.ec2.SecurityGroup(
            name,
            name=physical_name(base, "pods", 255),
            description=f"Pods of {base} on the shared cluster: egress to its own database and cache only",
            vpc_id=args["vpc_id"],
            tags=with_name(args["tags"], f"{base}-pods"),
            opts=child(self, self._provider),
        )
        self.security_group_id = group.id
        self.register_outputs({"securityGroupId": group.id})

    def allow(self, targets: list[tuple[str, pulumi.Input[str], int]], resolver_cidr: str) -> None:
        """Egress to each (label, security group, port) over TCP, and DNS to the VPC resolver."""
        for label, group_id, port in targets:
            aws.vpc.SecurityGroupEgressRule(
                f"{self._name}-to-{label}",
                security_group_id=self.security_group_id,
                description=f"{label} of this tenant only",
                ip_protocol="tcp",
                from_port=port,
                to_port=port,
                referenced_security_group_id=group_id,
                tags=self._tags,
                opts=child(self, self._provider),
            )
        # Pod ENIs resolve through the VPC resolver when CoreDNS forwards, and CoreDNS itself is reached
        # through the cluster security group.
        for protocol in ("udp", "tcp"):
            aws.vpc.SecurityGroupEgressRule(
                f"{self._name}-dns-{protocol}",
                security_group_id=self.security_group_id,
                description="DNS to the VPC resolver",
                ip_protocol=protocol,
                from_port=DNS_PORT,
                to_port=DNS_PORT,
                cidr_ipv4=resolver_cidr,
                tags=self._tags,
                opts=child(self, self._provider),
            )


def security_group_policy(group_ids: list[pulumi.Input[str]]) -> NamespacedObject:
    """Every pod of the tenant namespace (empty podSelector) gets ``group_ids`` on its branch ENI."""
    return NamespacedObject(
        "tenant-pods",
        SGP_API_VERSION,
        "SecurityGroupPolicy",
        {"podSelector": {}, "securityGroups": {"groupIds": group_ids}},
    )
