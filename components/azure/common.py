"""Helpers every Azure component shares: physical names, ids, role definitions, the deployer's identity."""

from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass
from datetime import timedelta

import pulumi
import pulumi_azure_native as azure

from components.naming import MANAGED_BY

# Built-in role definition ids (the same in every Azure tenant).
ROLE_KEY_VAULT_CRYPTO_SERVICE_ENCRYPTION_USER = "e147488a-f6f5-4113-8e2d-b22465e65bf6"  # wrap/unwrap only
ROLE_KEY_VAULT_CRYPTO_USER = "12338af0-0e69-4776-bea7-57ae8d297424"  # AKS KMS: encrypt/decrypt with the key
ROLE_KEY_VAULT_CONTRIBUTOR = "f25e0fa2-a7c8-4377-a976-54943a77a395"  # AKS KMS: manage the private link to a private vault
ROLE_NETWORK_CONTRIBUTOR = "4d97b98b-1d4f-4761-9f08-d69cb3f5a1db"  # AKS: join nodes and load balancers to the subnets

# Entra ID application every AKS cluster with managed Entra integration issues tokens for.
AKS_SERVER_APP_ID = "6dae42f8-4368-4678-94ff-3960e28e3630"

# Private DNS zones of the private endpoints and of the VNet-integrated PostgreSQL servers.
ZONE_VAULT = "privatelink.vaultcore.azure.net"
# Azure Managed Redis (redisenterprise) private endpoints resolve in this zone.
ZONE_REDIS = "privatelink.redis.azure.net"
ZONE_POSTGRES = "private.postgres.database.azure.com"
# Pooled tenants' flexible servers are reached through a private endpoint, which resolves in this zone.
ZONE_POSTGRES_LINK = "privatelink.postgres.database.azure.com"
# The tenant storage account's blob private endpoint.
ZONE_BLOB = "privatelink.blob.core.windows.net"
PRIVATE_ZONES = (ZONE_VAULT, ZONE_REDIS, ZONE_POSTGRES, ZONE_POSTGRES_LINK, ZONE_BLOB)

# Log Analytics keeps interactive retention between 30 and 730 days.
LOG_ANALYTICS_MIN_DAYS, LOG_ANALYTICS_MAX_DAYS = 30, 730


def physical_name(base: str, suffix: str, max_len: int = 63, alnum: bool = False) -> str:
    """``<base>-<suffix>`` within a service's length limit, still unique per tenant.

    Too long a base is cut and given a short hash of the whole base, so two tenants sharing a
    long prefix never collide. ``alnum`` drops hyphens for services that refuse them.
    """
    sep = "" if alnum else "-"
    clean = re.sub(r"[^a-z0-9]", "", base.lower()) if alnum else base
    full = f"{clean}{sep}{suffix}" if suffix else clean
    if len(full) <= max_len:
        return full
    digest = hashlib.sha256(base.encode()).hexdigest()[:6]
    keep = max_len - len(suffix) - len(digest) - (2 * len(sep) if suffix else len(sep))
    cut = clean[:keep].rstrip("-")
    return f"{cut}{sep}{digest}{sep}{suffix}" if suffix else f"{cut}{sep}{digest}"


def vault_name(base: str) -> str:
    """Key Vault names are global, 3-24 characters, letters, digits and hyphens, starting with a letter."""
    return physical_name(f"kv-{base}", "", max_len=24)


def shared_tags(region: str) -> dict[str, str]:
    """Tags of the shared regional cluster stack: the same keys as ``tenant_tags``, owned by no tenant."""
    return {
        "tenant": "shared",
        "tier": "shared",
        "isolation": "standard",
        "managed-by": MANAGED_BY,
        "compliance": "shared",
        "region": region,
    }


def log_analytics_days(value: timedelta) -> int:
    """Round up into what Log Analytics accepts: retention may exceed the request, never fall short of it.

    Beyond 730 days the interactive retention stays at 730; longer history needs table-level archive.
    """
    wanted = max(1, math.ceil(value.total_seconds() / 86400))
    return min(max(wanted, LOG_ANALYTICS_MIN_DAYS), LOG_ANALYTICS_MAX_DAYS)


def role_definition_id(subscription_id: str, role: str) -> str:
    return f"/subscriptions/{subscription_id}/providers/Microsoft.Authorization/roleDefinitions/{role}"


def private_zone_id(subscription_id: str, resource_group: str, zone: str) -> str:
    return f"/subscriptions/{subscription_id}/resourceGroups/{resource_group}/providers/Microsoft.Network/privateDnsZones/{zone}"


def shared_resource_group(stack: str) -> str:
    """Resource group of a shared regional cluster stack: a pure function of the stack name.

    Pooled tenants derive the shared network's private DNS zones from it, without an extra stack output.
    """
    return f"{stack.rsplit('/', 1)[-1]}-rg"


@dataclass(frozen=True)
class ClientConfig:
    """Who deploys: the Entra tenant and subscription come from the provider, never hard-coded."""

    tenant_id: pulumi.Output[str]
    subscription_id: pulumi.Output[str]


def client_config(parent: pulumi.Resource) -> ClientConfig:
    config = azure.authorization.get_client_config_output(opts=pulumi.InvokeOutputOptions(parent=parent))
    return ClientConfig(tenant_id=config.tenant_id, subscription_id=config.subscription_id)


def role_id(config: ClientConfig, role: str) -> pulumi.Output[str]:
    return config.subscription_id.apply(lambda sub: role_definition_id(sub, role))


def child(parent: pulumi.Resource, **kwargs: object) -> pulumi.ResourceOptions:
    return pulumi.ResourceOptions(parent=parent, **kwargs)  # type: ignore[arg-type]


def private_endpoint(
    name: str,
    parent: pulumi.Resource,
    *,
    resource_group_name: pulumi.Input[str],
    location: pulumi.Input[str],
    subnet_id: pulumi.Input[str],
    target_id: pulumi.Input[str],
    label: str,
    group_id: str,
    zone_id: pulumi.Input[str] | None,
    tags: dict[str, str],
    static_address: str | None = None,
) -> azure.network.PrivateEndpoint:
    """A private endpoint for ``target_id`` in the endpoints subnet, registered in its private DNS zone when given.

    ``static_address``: the endpoint's one address, chosen before deployment (pooled tenants' data endpoints).
    """
    endpoint = azure.network.PrivateEndpoint(
        f"{name}-endpoint",
        resource_group_name=resource_group_name,
        location=location,
        subnet={"id": subnet_id},
        private_link_service_connections=[
            {"name": f"{name}-{label}", "private_link_service_id": target_id, "group_ids": [group_id]}
        ],
        ip_configurations=[
            {"name": f"{label}-static", "group_id": group_id, "member_name": group_id, "private_ip_address": static_address}
        ] if static_address else None,
        tags=tags,
        opts=child(parent),
    )
    if zone_id is not None:
        azure.network.PrivateDnsZoneGroup(
            f"{name}-endpoint-dns",
            resource_group_name=resource_group_name,
            private_endpoint_name=endpoint.name,
            private_dns_zone_configs=[{"name": label, "private_dns_zone_id": zone_id}],
            opts=child(parent),
        )
    return endpoint
