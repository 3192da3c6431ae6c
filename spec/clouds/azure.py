"""Azure facts for the schema."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from spec.base import StrictModel

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


class Options(StrictModel):
    """Knobs that exist on Azure only."""

    vnet_cidr: Annotated[
        str, Field(description="IPv4 address space of the tenant VNet (silo tenants).", pattern=r"^10\.\d{1,3}\.0\.0/16$")
    ] = "10.1.0.0/16"
