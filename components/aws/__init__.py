"""Stub AWS builder."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from components.estate import Estate, StackSettings
from spec.models import AnyTenant


def build_estate(name: str, spec: AnyTenant, settings: StackSettings, parent: pulumi.ComponentResource) -> Estate:
    key = aws.kms.Key(f"{name}-key", enable_key_rotation=True, opts=pulumi.ResourceOptions(parent=parent))
    kubeconfig = key.arn.apply(lambda a: "kubeconfig " + a)
    provider = k8s.Provider(f"{name}-k8s", kubeconfig=kubeconfig, opts=pulumi.ResourceOptions(parent=parent))
    return Estate(k8s_provider=provider, kubeconfig=kubeconfig, service_cidrs=["10.0.0.0/16"],
                  database_endpoint=key.arn, cache_endpoint=key.arn, alert_target=key.arn)


def build_shared_cluster(name: str, cloud: str, region: str, parent: pulumi.ComponentResource) -> dict[str, object]:
    return {}
