"""GCP builder (pulumi-gcp): imported only when a tenant or shared stack is on GCP."""

from __future__ import annotations

import pulumi

from components.estate import Estate, StackSettings
from components.gcp.estate import GcpEstate
from components.gcp.shared import GcpSharedCluster
from spec.models import AnyTenant, GcpTenant


def build_estate(name: str, spec: AnyTenant, settings: StackSettings, parent: pulumi.ComponentResource) -> Estate:
    if not isinstance(spec, GcpTenant):
        raise TypeError(f"{spec.tenant_id}: the GCP builder got a {spec.cloud} tenant")
    return GcpEstate(name, {"spec": spec, "settings": settings}, pulumi.ResourceOptions(parent=parent)).estate


def build_shared_cluster(
    name: str, cloud: str, region: str, parent: pulumi.ComponentResource
) -> dict[str, pulumi.Input[object]]:
    return GcpSharedCluster(name, {"region": region}, pulumi.ResourceOptions(parent=parent)).outputs
