"""Managed node group: launch template (IMDSv2, encrypted gp3), bounds from the spec, ASG scaling policy."""

from __future__ import annotations

import re
from typing import Any, Literal, TypedDict

import pulumi
import pulumi_aws as aws

from components.aws.common import Account, child, managed_policy, physical_name, service_trust, with_name

# Graviton families carry a "g" in the suffix after the generation digit (m7g, c6gn, r7gd, t4g).
_ARM = re.compile(r"^[a-z]+\d+[a-z-]*g[a-z-]*\.")


def ami_type(instance_type: str) -> str:
    return "AL2023_ARM_64_STANDARD" if _ARM.match(instance_type) else "AL2023_x86_64_STANDARD"


def asg_name(resources: Any) -> str:
    """The Auto Scaling group EKS created for the node group."""
    first = resources[0]
    groups = first.autoscaling_groups if hasattr(first, "autoscaling_groups") else first["autoscalingGroups"]
    group = groups[0]
    return str(group.name if hasattr(group, "name") else group["name"])


class NodePoolArgs(TypedDict):
    provider: aws.Provider
    account: Account
    base_name: str
    cluster_name: pulumi.Input[str]
    cluster_security_group_id: pulumi.Input[str]
    vpc_id: pulumi.Input[str]
    subnet_ids: list[pulumi.Output[str]]
    key_arn: pulumi.Input[str]
    kubernetes_version: str
    instance_type: str
    capacity_type: str
    min_nodes: int
    max_nodes: int
    disk_size_gb: int
    strategy: Literal["reactive", "predictive"]
    cpu_threshold: int
    cloudwatch_agent_role_arn: pulumi.Input[str]
    after: list[pulumi.Resource]  # add-ons the nodes need when they boot (VPC CNI)
    tags: dict[str, str]


class NodePool(pulumi.ComponentResource):
    node_group: aws.eks.NodeGroup
    security_group_id: pulumi.Output[str]
    asg_name: pulumi.Output[str]
    role_arn: pulumi.Output[str]

    def __init__(self, name: str, args: NodePoolArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("tenant-platform:aws:NodePool", name, None, opts)
        provider, acct, tags, base = args["provider"], args["account"], args["tags"], args["base_name"]

        role = aws.iam.Role(
            f"{name}-role",
            name=physical_name(base, "eks-nodes", 64),
            assume_role_policy=service_trust("ec2.amazonaws.com"),
            tags=tags,
            opts=child(self, provider),
        )
        # Least privilege for nodes: join the cluster and pull images; the CNI and the metrics agent
        # have their own IRSA roles.
        attachments = [
            aws.iam.RolePolicyAttachment(
                f"{name}-role-{policy.lower().replace('_', '-')}",
                role=role.name,
                policy_arn=managed_policy(acct.partition, policy),
                opts=child(self, provider),
            )
            for policy in ("AmazonEKSWorkerNodePolicy", "AmazonEC2ContainerRegistryPullOnly")
        ]

        # Identity of the node fleet for data-store rules (database, cache): no rules of its own; the
        # cluster security group carries node ↔ control-plane traffic.
        node_sg = aws.ec2.SecurityGroup(
            f"{name}-sg",
            name=physical_name(base, "eks-nodes", 255),
            description=f"EKS worker nodes of {base}: source identity for database and cache rules",
            vpc_id=args["vpc_id"],
            tags=with_name(tags, f"{base}-eks-nodes"),
            opts=child(self, provider),
        )
        instance_tags = with_name(tags, f"{base}-eks-node")
        template = aws.ec2.LaunchTemplate(
            f"{name}-lt",
            name=physical_name(base, "eks-nodes", 128),
            description=f"EKS worker nodes of {base}",
            update_default_version=True,
            metadata_options={
                "http_endpoint": "enabled",
                # IMDSv2 only: session tokens defeat SSRF-style credential theft from the metadata service.
                "http_tokens": "required",
                # Hop limit 1: pods (one network hop further) cannot reach node credentials at all.
                "http_put_response_hop_limit": 1,
                "instance_metadata_tags": "disabled",
            },
            block_device_mappings=[
                {
                    "device_name": "/dev/xvda",
                    "ebs": {
                        "volume_size": args["disk_size_gb"],
                        "volume_type": "gp3",
                        # Root volumes (images, emptyDir, logs) encrypted with the tenant key.
                        "encrypted": "true",
                        "kms_key_id": args["key_arn"],
                        "delete_on_termination": "true",
                    },
                }
            ],
            vpc_security_group_ids=[args["cluster_security_group_id"], node_sg.id],
            monitoring={"enabled": True},
            tag_specifications=[
                {"resource_type": kind, "tags": instance_tags} for kind in ("instance", "volume", "network-interface")
            ],
            tags=tags,
            opts=child(self, provider),
        )
        node_group = aws.eks.NodeGroup(
            f"{name}-ng",
            cluster_name=args["cluster_name"],
            node_group_name=physical_name(base, "workers", 63),
            node_role_arn=role.arn,
            subnet_ids=args["subnet_ids"],
            version=args["kubernetes_version"],
            ami_type=ami_type(args["instance_type"]),
            instance_types=[args["instance_type"]],
            capacity_type=args["capacity_type"],
            launch_template={"id": template.id, "version": template.latest_version.apply(str)},
            scaling_config={
                "min_size": args["min_nodes"],
                "max_size": args["max_nodes"],
                "desired_size": args["min_nodes"],
            },
            update_config={"max_unavailable_percentage": 33},
            labels={"tenant-platform.io/pool": "workers"},
            tags=tags,
            # The Auto Scaling policies below own the desired size after creation.
            opts=child(
                self, provider, depends_on=[*attachments, *args["after"]], ignore_changes=["scalingConfig.desiredSize"]
            ),
        )
        group = node_group.resources.apply(asg_name)
        cpu = float(args["cpu_threshold"])
        # Target tracking on average CPU, for both strategies: it reacts to load no forecast foresaw.
        aws.autoscaling.Policy(
            f"{name}-cpu-target",
            name=physical_name(base, "cpu-target", 255),
            autoscaling_group_name=group,
            policy_type="TargetTrackingScaling",
            estimated_instance_warmup=300,
            target_tracking_configuration={
                "predefined_metric_specification": {"predefined_metric_type": "ASGAverageCPUUtilization"},
                "target_value": cpu,
                # Only the cluster-autoscaler removes nodes: it drains them within their pods' budgets, where an
                # Auto Scaling scale-in would terminate a node with its pods still on it.
                "disable_scale_in": True,
            },
            opts=child(self, provider),
        )
        if args["strategy"] == "predictive":
            # Predictive: capacity launched ahead of the forecast load from 14 days of CPU history.
            aws.autoscaling.Policy(
                f"{name}-predictive",
                name=physical_name(base, "predictive", 255),
                autoscaling_group_name=group,
                policy_type="PredictiveScaling",
                predictive_scaling_configuration={
                    "mode": "ForecastAndScale",
                    "scheduling_buffer_time": "300",
                    # Never exceed the tenant's max_nodes, whatever the forecast says.
                    "max_capacity_breach_behavior": "HonorMaxCapacity",
                    "metric_specification": {
                        "target_value": cpu,
                        "predefined_metric_pair_specification": {"predefined_metric_type": "ASGCPUUtilization"},
                    },
                },
                opts=child(self, provider),
            )
        # Container Insights agent: node and namespace CPU/memory metrics the alarms watch.
        aws.eks.Addon(
            f"{name}-cloudwatch-observability",
            cluster_name=args["cluster_name"],
            addon_name="amazon-cloudwatch-observability",
            service_account_role_arn=args["cloudwatch_agent_role_arn"],
            resolve_conflicts_on_create="OVERWRITE",
            resolve_conflicts_on_update="OVERWRITE",
            tags=tags,
            opts=child(self, provider, depends_on=[node_group]),
        )

        self.node_group = node_group
        self.security_group_id = node_sg.id
        self.asg_name = group
        self.role_arn = role.arn
        self.register_outputs(
            {"nodeGroup": node_group.node_group_name, "securityGroupId": node_sg.id, "autoScalingGroup": group}
        )
