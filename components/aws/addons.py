"""The add-on baseline of an EKS cluster (silo or shared): the autoscaler's IRSA role, then the charts."""

from __future__ import annotations

from typing import TypedDict

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from components.aws.common import Account, child
from components.aws.node_autoscaler import NodeAutoscalerRole, NodeAutoscalerRoleArgs
from components.kubernetes.addons.baseline import AddonBaseline, AddonBaselineArgs
from components.kubernetes.addons.envoy_gateway import LoadBalancer


class EksAddonsArgs(TypedDict):
    provider: aws.Provider
    k8s_provider: k8s.Provider
    account: Account
    base_name: str
    region: str
    cluster_name: pulumi.Input[str]
    oidc_provider_arn: pulumi.Input[str]
    oidc_issuer_url: pulumi.Input[str]
    kubernetes_version: str
    silo: bool
    load_balancer: LoadBalancer | None
    cert_issuer: str | None
    labels: dict[str, str]
    real_time: bool
    proxy_replicas: int
    after: list[pulumi.Resource]
    tags: dict[str, str]


def eks_addons(name: str, args: EksAddonsArgs, parent: pulumi.Resource) -> AddonBaseline:
    role_args: NodeAutoscalerRoleArgs = {
        "provider": args["provider"],
        "account": args["account"],
        "base_name": args["base_name"],
        "cluster_name": args["cluster_name"],
        "oidc_provider_arn": args["oidc_provider_arn"],
        "oidc_issuer_url": args["oidc_issuer_url"],
        "tags": args["tags"],
    }
    role = NodeAutoscalerRole(f"{name}-autoscaler", role_args, child(parent, args["provider"]))
    baseline: AddonBaselineArgs = {
        "cloud": "aws",
        "kubernetes_version": args["kubernetes_version"],
        "silo": args["silo"],
        "load_balancer": args["load_balancer"],
        "cert_issuer": args["cert_issuer"],
        "labels": args["labels"],
        "real_time": args["real_time"],
        "proxy_replicas": args["proxy_replicas"],
        "eks": {"cluster_name": args["cluster_name"], "region": args["region"], "role_arn": role.arn},
        "after": args["after"],
    }
    return AddonBaseline(name, baseline, pulumi.ResourceOptions(parent=parent, providers=[args["k8s_provider"]]))
