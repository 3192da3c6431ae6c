"""Helpers every AWS component shares: physical names, the account facts, IAM documents."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from components.naming import MANAGED_BY
from components.naming import physical_name as physical_name  # one derivation for components and fleet checks


def shared_tags(region: str) -> dict[str, str]:
    """Tags of the shared regional cluster stack: the same keys as ``tenant_tags``, owned by no tenant."""
    return {
        "tenant": "shared",
        "tier": "shared",
        "isolation": "standard",
        "managed-by": MANAGED_BY,
        "compliance": "shared",
        "region": region,
    }


def with_name(tags: dict[str, str], name: str) -> dict[str, str]:
    return {**tags, "Name": name}


@dataclass(frozen=True)
class Account:
    """Who and where the stack deploys: from the provider, never hard-coded."""

    id: pulumi.Output[str]
    partition: pulumi.Output[str]
    region: str


def account(provider: aws.Provider, region: str) -> Account:
    opts = pulumi.InvokeOutputOptions(provider=provider)
    identity = aws.get_caller_identity_output(opts=opts)
    partition = aws.get_partition_output(opts=opts)
    return Account(id=identity.account_id, partition=partition.partition, region=region)


def child(parent: pulumi.Resource, provider: aws.Provider, **kwargs: Any) -> pulumi.ResourceOptions:
    """Options of an AWS child: owned by its component, created through the tenant's provider."""
    return pulumi.ResourceOptions(parent=parent, provider=provider, **kwargs)


def service_trust(*services: str) -> str:
    """Trust policy letting only the named AWS service(s) assume a role."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": list(services) if len(services) > 1 else services[0]},
                    "Action": ["sts:AssumeRole", "sts:TagSession"] if "eks.amazonaws.com" in services
                    else "sts:AssumeRole",
                }
            ],
        }
    )


def managed_policy(partition: pulumi.Input[str], policy: str) -> pulumi.Output[str]:
    return pulumi.Output.concat("arn:", partition, ":iam::aws:policy/", policy)


def policy_document(statements: list[dict[str, Any]]) -> pulumi.Output[str]:
    return pulumi.Output.json_dumps({"Version": "2012-10-17", "Statement": statements})



def data_service_security_group(
    name: str,
    parent: pulumi.Resource,
    provider: aws.Provider,
    *,
    base: str,
    suffix: str,
    service: str,
    port: int,
    vpc_id: pulumi.Input[str],
    client_security_group_id: pulumi.Input[str],
    tags: dict[str, str],
) -> aws.ec2.SecurityGroup:
    """A database's or cache's security group: ``port`` from the cluster nodes' group only, nothing else."""
    return aws.ec2.SecurityGroup(
        name,
        name=physical_name(base, suffix, 255),
        description=f"{service} of {base}: {port} from the cluster nodes only",
        vpc_id=vpc_id,
        # Only the nodes' security group may connect, and only to this service's port.
        ingress=[
            {
                "description": f"{service} from the cluster nodes",
                "protocol": "tcp",
                "from_port": port,
                "to_port": port,
                "security_groups": [client_security_group_id],
            }
        ],
        # A data service never opens connections: no egress at all.
        egress=[],
        tags=with_name(tags, f"{base}-{suffix}"),
        opts=child(parent, provider),
    )
