"""Azure builder (pulumi-azure-native): imported only when a tenant or shared stack is on Azure."""

from __future__ import annotations

import pulumi

from components.azure.estate import AzureEstate
from components.azure.shared import AzureSharedCluster
from components.estate import Estate, StackSettings
from spec.models import AnyTenant, AzureTenant


def build_estate(name: str, spec: AnyTenant, settings: StackSettings, parent: pulumi.ComponentResource) -> Estate:
    if not isinstance(spec, AzureTenant):
        raise TypeError(f"{spec.tenant_id}: the Azure builder got a {spec.cloud} tenant")
    return AzureEstate(name, {"spec": spec, "settings": settings}, pulumi.ResourceOptions(parent=parent)).estate


def build_shared_cluster(
    name: str, cloud: str, region: str, parent: pulumi.ComponentResource
) -> dict[str, pulumi.Input[object]]:
    shared = AzureSharedCluster(name, {"region": region}, pulumi.ResourceOptions(parent=parent))
    return shared.outputs
