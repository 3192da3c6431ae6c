"""The VPC: private subnets for nodes, database and cache; public subnets only for NAT; flow logs."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from typing import TypedDict

import pulumi
import pulumi_aws as aws

from components.aws.common import Account, child, physical_name, policy_document, with_name
from components.retention import cloudwatch_days

# Layout of every VPC this package builds, a pure function of its CIDR so that pooled tenants can
# derive the shared network's private ranges without waiting for the shared stack.
PRIVATE_PREFIX = 19  # 8k addresses per zone: the VPC CNI gives every pod a VPC address
PUBLIC_PREFIX = 24  # NAT gateways only


@dataclass(frozen=True)
class Layout:
    private: list[str]
    public: list[str]


def layout(vpc_cidr: str, zones: int) -> Layout:
    net = ipaddress.IPv4Network(vpc_cidr)
    private = [str(s) for s in list(net.subnets(new_prefix=PRIVATE_PREFIX))[:zones]]
    # Public /24s come from the top /19 of the VPC, far from the private ranges.
    top = list(net.subnets(new_prefix=PRIVATE_PREFIX))[-1]
    public = [str(s) for s in list(top.subnets(new_prefix=PUBLIC_PREFIX))[:zones]]
    return Layout(private=private, public=public)


class NetworkArgs(TypedDict):
    provider: aws.Provider
    account: Account
    base_name: str  # physical-name prefix, unique per tenant (or per shared region)
    cidr: str
    zones: int
    nat_per_zone: bool  # HA tiers: one NAT per zone so losing a zone never cuts egress elsewhere
    key_arn: pulumi.Input[str]
    log_retention: timedelta
    tags: dict[str, str]


def _pick(index: int, names: list[str]) -> str:
    """The index-th zone the region offers (zones are listed in name order)."""
    return names[index]


class Network(pulumi.ComponentResource):
    vpc_id: pulumi.Output[str]
    private_subnet_ids: list[pulumi.Output[str]]
    private_subnet_cidrs: list[str]
    flow_log_group: pulumi.Output[str]
    nat_gateway_ids: list[pulumi.Output[str]]

    def __init__(self, name: str, args: NetworkArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("tenant-platform:aws:Network", name, None, opts)
        provider, tags, base = args["provider"], args["tags"], args["base_name"]
        plan = layout(args["cidr"], args["zones"])
        zones = aws.get_availability_zones_output(
            region=args["account"].region,
            state="available",
            # Regular zones only: Local and Wavelength zones lack EKS, RDS and ElastiCache.
            filters=[{"name": "opt-in-status", "values": ["opt-in-not-required"]}],
            opts=pulumi.InvokeOutputOptions(provider=provider, parent=self),
        ).names

        vpc = aws.ec2.Vpc(
            f"{name}-vpc",
            cidr_block=args["cidr"],
            # Private DNS is required by the private-only EKS endpoint and by RDS/ElastiCache names.
            enable_dns_support=True,
            enable_dns_hostnames=True,
            tags=with_name(tags, base),
            opts=child(self, provider),
        )
        # Adopting the default security group with no rules strips it: nothing can use it by accident.
        aws.ec2.DefaultSecurityGroup(
            f"{name}-default-sg", vpc_id=vpc.id, tags=with_name(tags, f"{base}-default-deny"),
            opts=child(self, provider),
        )
        igw = aws.ec2.InternetGateway(
            f"{name}-igw", vpc_id=vpc.id, tags=with_name(tags, f"{base}-igw"), opts=child(self, provider)
        )
        public_rt = aws.ec2.RouteTable(
            f"{name}-public-rt",
            vpc_id=vpc.id,
            routes=[{"cidr_block": "0.0.0.0/0", "gateway_id": igw.id}],
            tags=with_name(tags, f"{base}-public"),
            opts=child(self, provider),
        )

        nats: list[aws.ec2.NatGateway] = []
        public_ids: list[pulumi.Output[str]] = []
        for i, cidr in enumerate(plan.public):
            subnet = aws.ec2.Subnet(
                f"{name}-public-{i}",
                vpc_id=vpc.id,
                cidr_block=cidr,
                availability_zone=zones.apply(partial(_pick, i)),
                # Only NAT gateways live here, with their own Elastic IPs: no instance gets a public address.
                map_public_ip_on_launch=False,
                tags=with_name(tags, f"{base}-public-{i}"),
                opts=child(self, provider),
            )
            aws.ec2.RouteTableAssociation(
                f"{name}-public-{i}-rta", subnet_id=subnet.id, route_table_id=public_rt.id,
                opts=child(self, provider),
            )
            public_ids.append(subnet.id)
            if i == 0 or args["nat_per_zone"]:
                eip = aws.ec2.Eip(
                    f"{name}-nat-{i}-eip", domain="vpc", tags=with_name(tags, f"{base}-nat-{i}"),
                    opts=child(self, provider),
                )
                nats.append(
                    aws.ec2.NatGateway(
                        f"{name}-nat-{i}",
                        allocation_id=eip.allocation_id,
                        subnet_id=subnet.id,
                        connectivity_type="public",
                        tags=with_name(tags, f"{base}-nat-{i}"),
                        opts=child(self, provider, depends_on=[igw]),
                    )
                )

        self.private_subnet_ids = []
        for i, cidr in enumerate(plan.private):
            subnet = aws.ec2.Subnet(
                f"{name}-private-{i}",
                vpc_id=vpc.id,
                cidr_block=cidr,
                availability_zone=zones.apply(partial(_pick, i)),
                map_public_ip_on_launch=False,
                # Internal load balancers only; the public role tag is never set.
                tags={**with_name(tags, f"{base}-private-{i}"), "kubernetes.io/role/internal-elb": "1"},
                opts=child(self, provider),
            )
            nat = nats[i] if args["nat_per_zone"] else nats[0]
            rt = aws.ec2.RouteTable(
                f"{name}-private-{i}-rt",
                vpc_id=vpc.id,
                routes=[{"cidr_block": "0.0.0.0/0", "nat_gateway_id": nat.id}],
                tags=with_name(tags, f"{base}-private-{i}"),
                opts=child(self, provider),
            )
            aws.ec2.RouteTableAssociation(
                f"{name}-private-{i}-rta", subnet_id=subnet.id, route_table_id=rt.id, opts=child(self, provider)
            )
            self.private_subnet_ids.append(subnet.id)

        # Flow logs: every accepted and rejected flow, into a log group encrypted with the tenant key.
        log_group = aws.cloudwatch.LogGroup(
            f"{name}-flow-logs",
            name=f"/tenant-platform/{base}/vpc-flow-logs",
            retention_in_days=cloudwatch_days(args["log_retention"]),
            kms_key_id=args["key_arn"],
            tags=tags,
            opts=child(self, provider),
        )
        role = aws.iam.Role(
            f"{name}-flow-logs-role",
            name=physical_name(base, "vpc-flow-logs", 64),
            assume_role_policy=_flow_logs_trust(args["account"].id),
            tags=tags,
            opts=child(self, provider),
        )
        aws.iam.RolePolicy(
            f"{name}-flow-logs-policy",
            role=role.id,
            # Least privilege: write streams and events into this one log group.
            policy=policy_document(
                [
                    {
                        "Effect": "Allow",
                        "Action": ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                        "Resource": [log_group.arn, pulumi.Output.concat(log_group.arn, ":*")],
                    }
                ]
            ),
            opts=child(self, provider),
        )
        aws.ec2.FlowLog(
            f"{name}-flow-log",
            vpc_id=vpc.id,
            traffic_type="ALL",
            log_destination_type="cloud-watch-logs",
            log_destination=log_group.arn,
            iam_role_arn=role.arn,
            max_aggregation_interval=60,
            tags=with_name(tags, f"{base}-flow-log"),
            opts=child(self, provider),
        )

        self.vpc_id = vpc.id
        self.private_subnet_cidrs = plan.private
        self.public_subnet_ids = public_ids
        self.flow_log_group = log_group.name
        self.nat_gateway_ids = [n.id for n in nats]  # their drop and port-allocation alarms (aws/alerting.py)
        self.register_outputs(
            {"vpcId": self.vpc_id, "privateSubnetIds": self.private_subnet_ids, "privateSubnetCidrs": plan.private}
        )


def _flow_logs_trust(account_id: pulumi.Input[str]) -> pulumi.Output[str]:
    # Confused-deputy guard: the flow-logs service may assume the role only for this account.
    return policy_document(
        [
            {
                "Effect": "Allow",
                "Principal": {"Service": "vpc-flow-logs.amazonaws.com"},
                "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"aws:SourceAccount": account_id}},
            }
        ]
    )
