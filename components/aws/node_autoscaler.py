"""The cluster-autoscaler's IAM identity (IRSA): it may resize and shrink this cluster's node groups only.

Read access (Describe*) has no resource-level scoping in EC2 Auto Scaling, so it is on ``*``; the two calls
that change capacity are allowed only on Auto Scaling groups EKS tagged as owned by this cluster.
"""

from __future__ import annotations

from typing import TypedDict

import pulumi
import pulumi_aws as aws

from components.aws.cluster import irsa_role
from components.aws.common import Account, child, physical_name, policy_document
from components.kubernetes.addons import cluster_autoscaler

READ_ACTIONS = [
    "autoscaling:DescribeAutoScalingGroups",
    "autoscaling:DescribeAutoScalingInstances",
    "autoscaling:DescribeLaunchConfigurations",
    "autoscaling:DescribeScalingActivities",
    "autoscaling:DescribeTags",
    "ec2:DescribeImages",
    "ec2:DescribeInstanceTypes",
    "ec2:DescribeLaunchTemplateVersions",
    "ec2:GetInstanceTypesFromInstanceRequirements",
]
WRITE_ACTIONS = ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"]


def owner_tag(cluster_name: pulumi.Input[str]) -> pulumi.Output[str]:
    """The condition key on the tag EKS puts on every managed node group's Auto Scaling group."""
    return pulumi.Output.concat("aws:ResourceTag/k8s.io/cluster-autoscaler/", cluster_name)


def _owned(key: str) -> dict[str, dict[str, str]]:
    return {"StringEquals": {key: "owned"}}


class NodeAutoscalerRoleArgs(TypedDict):
    provider: aws.Provider
    account: Account
    base_name: str
    cluster_name: pulumi.Input[str]
    oidc_provider_arn: pulumi.Input[str]
    oidc_issuer_url: pulumi.Input[str]
    tags: dict[str, str]


class NodeAutoscalerRole(pulumi.ComponentResource):
    arn: pulumi.Output[str]

    def __init__(self, name: str, args: NodeAutoscalerRoleArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("tenant-platform:aws:NodeAutoscalerRole", name, None, opts)
        provider, acct, cluster = args["provider"], args["account"], args["cluster_name"]
        role = irsa_role(
            f"{name}-role", physical_name(args["base_name"], "cluster-autoscaler", 64), args["oidc_provider_arn"],
            args["oidc_issuer_url"], cluster_autoscaler.CHART.namespace, cluster_autoscaler.SERVICE_ACCOUNT,
            args["tags"], child(self, provider),
        )
        nodegroups = pulumi.Output.concat(
            "arn:", acct.partition, ":eks:", acct.region, ":", acct.id, ":nodegroup/", cluster, "/*"
        )
        condition = owner_tag(cluster).apply(_owned)
        aws.iam.RolePolicy(
            f"{name}-policy",
            role=role.id,
            policy=policy_document(
                [
                    {"Effect": "Allow", "Action": READ_ACTIONS, "Resource": "*"},
                    {"Effect": "Allow", "Action": "eks:DescribeNodegroup", "Resource": nodegroups},
                    {"Effect": "Allow", "Action": WRITE_ACTIONS, "Resource": "*", "Condition": condition},
                ]
            ),
            opts=child(self, provider),
        )
        self.arn = role.arn
        self.register_outputs({"arn": self.arn})
