"""Stub, replaced by the tenancy component."""

from __future__ import annotations

from typing import TypedDict

import pulumi
import pulumi_kubernetes as k8s

from components.naming import k8s_labels, namespace_name
from spec.models import AnyTenant


class TenancyArgs(TypedDict):
    spec: AnyTenant
    service_cidrs: list[str]
    service_account_annotations: dict[str, pulumi.Input[str]]
    prometheus_address: str | None


class TenantTenancy(pulumi.ComponentResource):
    namespace: pulumi.Output[str]

    def __init__(self, name: str, args: TenancyArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("tenant-platform:kubernetes:TenantTenancy", name, None, opts)
        spec = args["spec"]
        ns = k8s.core.v1.Namespace(
            f"{name}-namespace",
            metadata={"name": namespace_name(spec.tenant_id), "labels": k8s_labels(spec)},
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.namespace = ns.metadata.apply(lambda m: m["name"])
        self.register_outputs({"namespace": self.namespace})
