"""Azure facts for the schema."""

from __future__ import annotations

import ipaddress
from typing import Annotated, Literal

from pydantic import Field, model_validator

from spec.base import FieldError, StrictModel

EU_REGIONS = frozenset(
    {
        "westeurope", "northeurope", "francecentral", "germanywestcentral", "swedencentral",
        "italynorth", "polandcentral", "spaincentral",
    }
)
REGIONS = EU_REGIONS | frozenset(
    {
        "eastus", "eastus2", "westus2", "westus3", "centralus", "canadacentral", "brazilsouth",
        "uksouth", "switzerlandnorth", "norwayeast", "japaneast", "australiaeast", "southeastasia",
        "centralindia", "koreacentral",
    }
)

TIER_SIZES: dict[str, dict[str, dict[str, str]]] = {
    "free": {"cluster": {"instance_type": "Standard_D2s_v5"}, "database": {"instance_class": "Standard_B1ms"},
             "cache": {"node_type": "Standard_C1"}},
    "standard": {"cluster": {"instance_type": "Standard_D4s_v5"}, "database": {"instance_class": "Standard_D2ds_v5"},
                 "cache": {"node_type": "Standard_C2"}},
    "premium": {"cluster": {"instance_type": "Standard_D8s_v5"}, "database": {"instance_class": "Standard_D4ds_v5"},
                "cache": {"node_type": "Premium_P1"}},
    "enterprise": {"cluster": {"instance_type": "Standard_D16s_v5"}, "database": {"instance_class": "Standard_E8ds_v5"},
                   "cache": {"node_type": "Premium_P2"}},
}
INSTANCE_TYPE_PATTERN = r"^(Standard|Premium|Basic)_[A-Za-z0-9_]+$"
CIDR = r"^(\d{1,3}\.){3}\d{1,3}/\d{1,2}$"


class Options(StrictModel):
    """Knobs that exist on Azure only."""

    vnet_cidr: Annotated[
        str, Field(description="IPv4 address space of the tenant VNet (silo tenants).", pattern=r"^10\.\d{1,3}\.0\.0/16$")
    ] = "10.1.0.0/16"
    pod_cidr: Annotated[
        str, Field(description="Azure CNI Overlay pod address space (never routed outside the cluster).", pattern=CIDR)
    ] = "192.168.0.0/16"
    service_cidr: Annotated[
        str, Field(description="Kubernetes Service address space; must not overlap the VNet or pod ranges.", pattern=CIDR)
    ] = "172.16.0.0/16"
    sku_tier: Annotated[
        Literal["Free", "Standard", "Premium"] | None,
        Field(description="AKS control-plane tier; unset: Standard (uptime SLA) on premium/enterprise, Free otherwise."),
    ] = None

    @model_validator(mode="after")
    def _ranges_disjoint(self) -> Options:
        ranges = {"vnet_cidr": self.vnet_cidr, "pod_cidr": self.pod_cidr, "service_cidr": self.service_cidr}
        nets = {k: ipaddress.ip_network(v, strict=False) for k, v in ranges.items()}
        keys = list(nets)
        for i, a in enumerate(keys):
            for b in keys[i + 1 :]:
                if nets[a].overlaps(nets[b]):
                    raise FieldError((b,), f"{ranges[b]} overlaps {a} ({ranges[a]})")
        return self
