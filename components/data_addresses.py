"""Static private addresses of pooled Azure tenants' database and cache private endpoints.

On AKS a pooled tenant's NetworkPolicy may open exactly its own database and cache only if their
addresses are known before deployment. A PostgreSQL flexible server publishes only its FQDN, and a
private endpoint's address is not an output once it is registered in a private DNS zone (its
``customDnsConfigs`` are then empty), so each pooled tenant's private endpoints take static addresses
(``ipConfigurations``) from a subnet of the shared VNet that nothing else allocates from. The address
pair is a pure function of the tenant id, so tenant stacks, ``tenantctl validate`` and the policy pack
agree on it without a shared allocation table; two tenants of a region hashing to one pair are refused by
``tenantctl validate``/``plan`` (``tenantctl/trust.py``), naming both files, and the platform team gives
the newer one another pair with ``tenant-platform:dataAddressSlot`` in its stack file.

Pure Python: ``tenantctl`` imports this without the Azure SDK.
"""

from __future__ import annotations

import hashlib
import ipaddress
from dataclasses import dataclass

# The shared regional VNet's address space (tenantctl/placeholders.py shows the same range offline).
SHARED_VNET_CIDR = "10.101.0.0/16"
# The VNet's second half: the first holds the node subnet (/20) and the service subnets (/24s). As large as the
# VNet allows, to make two tenants' addresses coinciding rare (about 3 % for 30 pooled tenants in a region).
DATA_PREFIX = 17
# Azure keeps the first four and the last address of every subnet.
RESERVED_FIRST, RESERVED_LAST = 4, 1


@dataclass(frozen=True)
class DataAddresses:
    slot: int
    database: str
    cache: str


def data_subnet(vnet_cidr: str = SHARED_VNET_CIDR) -> str:
    """The subnet pooled tenants' data private endpoints live in: static addresses only, nothing dynamic."""
    return str(list(ipaddress.IPv4Network(vnet_cidr).subnets(new_prefix=DATA_PREFIX))[1])


def slot_count(vnet_cidr: str = SHARED_VNET_CIDR) -> int:
    """Address pairs the data subnet holds (16381 in a /17)."""
    size = ipaddress.IPv4Network(data_subnet(vnet_cidr)).num_addresses
    return (size - RESERVED_FIRST - RESERVED_LAST) // 2


def slot_of(tenant_id: str, vnet_cidr: str = SHARED_VNET_CIDR) -> int:
    """Stable across runs and machines (sha256, not ``hash``): a tenant's addresses never move."""
    return int(hashlib.sha256(tenant_id.encode()).hexdigest(), 16) % slot_count(vnet_cidr)


def data_addresses(tenant_id: str, slot: int | None = None, vnet_cidr: str = SHARED_VNET_CIDR) -> DataAddresses:
    """The tenant's database and cache private-endpoint addresses: two adjacent usable addresses.

    ``slot``: the stack's ``dataAddressSlot``, set only to resolve a clash; default the tenant id's hash.
    """
    slot = slot_of(tenant_id, vnet_cidr) if slot is None else slot
    if not 0 <= slot < slot_count(vnet_cidr):
        raise ValueError(f"data address slot {slot} is outside 0..{slot_count(vnet_cidr) - 1}")
    net = ipaddress.IPv4Network(data_subnet(vnet_cidr))
    first = RESERVED_FIRST + 2 * slot
    return DataAddresses(slot, str(net[first]), str(net[first + 1]))
