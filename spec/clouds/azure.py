"""Azure facts for the schema."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from spec.base import FieldError, StrictModel
from spec.formats import private_network

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

# VM size names (https://learn.microsoft.com/azure/virtual-machines/vm-naming-conventions):
# Standard_<family><vCPUs>[-<constrained vCPUs>]<features>[_<accelerator>][_v<version>].
VM_FAMILIES = frozenset(
    "A B D DC DS E EB EC F FX G GS H HB HC HX L M MS NC ND NG NP NV".split()
)
_VM_SIZE = re.compile(
    r"^Standard_(?P<family>[A-Z]{1,3})(?P<vcpus>[0-9]{1,3})(?:-[0-9]{1,3})?(?P<features>[a-z]{0,6})"
    r"(?:_[A-Z][A-Za-z0-9]{1,7})?(?:_v[1-7])?(?:_Promo)?$"
)
# PostgreSQL Flexible Server compute: Burstable B*, General Purpose D*, Memory Optimized E* (VM size names).
DATABASE_FAMILIES = frozenset({"B", "D", "E"})
# Azure Cache for Redis (Basic/Standard C0-C6, Premium P1-P5) or an Azure Managed Redis SKU.
_CACHE_SKU = re.compile(
    r"^(?:(?:Basic|Standard)_C[0-6]|Premium_P[1-5]"
    r"|Balanced_B(?:0|1|3|5|10|20|50|100|150|250|350|500|700|1000)"
    r"|MemoryOptimized_M(?:10|20|50|100|150|250|350|500|700|1000|1500|2000)"
    r"|ComputeOptimized_X(?:3|5|10|20|50|100|150|250|350|500|700)"
    r"|FlashOptimized_A(?:250|500|700|1000|1500|2000|4500))$"
)


def _vm_size(value: str, families: frozenset[str], service: str) -> None:
    match = _VM_SIZE.match(value) if len(value) <= 40 else None
    if match is None or match.group("family") not in families:
        raise ValueError(f"{value[:60]!r} is not {service} (Standard_<family><vCPUs><features>[_v<n>], e.g. Standard_D4s_v5)")
    if int(match.group("vcpus")) == 0 and match.group("family") != "A":
        raise ValueError(f"{value!r}: a size has at least one vCPU")


def check_instance_type(value: str) -> None:
    _vm_size(value, VM_FAMILIES, "an Azure VM size")


def check_database_class(value: str) -> None:
    _vm_size(value, DATABASE_FAMILIES, "a PostgreSQL Flexible Server compute size (B, D or E series)")


def check_cache_node_type(value: str) -> None:
    if not _CACHE_SKU.match(value):
        raise ValueError(
            f"{value[:60]!r} is not an Azure Redis SKU (Basic_C0-C6, Standard_C0-C6, Premium_P1-P5, or a Managed "
            "Redis SKU such as Balanced_B5)"
        )


PREFIXES = {"vnet_cidr": (16, 19), "pod_cidr": (8, 20), "service_cidr": (12, 24)}


class Options(StrictModel):
    """Knobs that exist on Azure only."""

    vnet_cidr: Annotated[
        str, Field(description="IPv4 address space of the tenant VNet (silo tenants): private space, /16 to /19.")
    ] = "10.1.0.0/16"
    pod_cidr: Annotated[
        str, Field(description="Azure CNI Overlay pod address space (never routed outside the cluster): /8 to /20.")
    ] = "192.168.0.0/16"
    service_cidr: Annotated[
        str, Field(description="Kubernetes Service address space, /12 to /24; must not overlap the VNet or pod ranges.")
    ] = "172.16.0.0/16"
    sku_tier: Annotated[
        Literal["Free", "Standard", "Premium"] | None,
        Field(description="AKS control-plane tier; unset: Standard (uptime SLA) on premium/enterprise, Free otherwise."),
    ] = None

    @field_validator("vnet_cidr", "pod_cidr", "service_cidr")
    @classmethod
    def _private_ranges(cls, value: str, info: ValidationInfo) -> str:
        # The VNet layout takes two /20 blocks (nodes; endpoints and database); AKS wants services smaller than /12.
        private_network(value, *PREFIXES[str(info.field_name)])
        return value

    @model_validator(mode="after")
    def _ranges_disjoint(self) -> Options:
        ranges = {"vnet_cidr": self.vnet_cidr, "pod_cidr": self.pod_cidr, "service_cidr": self.service_cidr}
        nets = {k: private_network(v, *PREFIXES[k]) for k, v in ranges.items()}
        keys = list(nets)
        for i, a in enumerate(keys):
            for b in keys[i + 1 :]:
                if nets[a].overlaps(nets[b]):
                    raise FieldError((b,), f"{ranges[b]} overlaps {a} ({ranges[a]})")
        return self
