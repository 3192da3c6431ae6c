"""The VNet: subnets for nodes, private endpoints and the delegated PostgreSQL subnet, NSGs, NAT, private DNS.

The shared regional VNet also has the pooled tenants' data subnet (``components/data_addresses.py``): their
database and cache private endpoints, each at a static address of its tenant's own.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Any, NotRequired, TypedDict

import pulumi
import pulumi_azure_native as azure

from components.azure.cache import DATABASE_PORT
from components.azure.common import PRIVATE_ZONES, ZONE_POSTGRES_LINK, child
from components.data_addresses import data_subnet

# Layout of every VNet this package builds, a pure function of its CIDR so that pooled tenants can
# derive the shared network's private ranges without waiting for the shared stack.
NODE_PREFIX = 20  # nodes only: Azure CNI Overlay gives pods addresses from the overlay range, not the VNet
SERVICE_PREFIX = 24


@dataclass(frozen=True)
class Layout:
    nodes: str
    endpoints: str
    database: str


def layout(vnet_cidr: str) -> Layout:
    net = ipaddress.IPv4Network(vnet_cidr)
    blocks = list(net.subnets(new_prefix=NODE_PREFIX))
    services = list(blocks[1].subnets(new_prefix=SERVICE_PREFIX))
    return Layout(nodes=str(blocks[0]), endpoints=str(services[0]), database=str(services[1]))


def _rule(name: str, priority: int, access: str, port: str, source: str, destination: str) -> dict[str, Any]:
    return {
        "name": name,
        "priority": priority,
        "direction": "Inbound",
        "access": access,
        "protocol": "Tcp" if port != "*" else "*",
        "source_address_prefix": source,
        "source_port_range": "*",
        "destination_address_prefix": destination,
        "destination_port_range": port,
    }


def _deny_rest(priority: int = 4096) -> dict[str, Any]:
    return _rule("deny-all-inbound", priority, "Deny", "*", "*", "*")


class NetworkArgs(TypedDict):
    resource_group_name: pulumi.Input[str]
    location: str
    base_name: str
    cidr: str
    tags: dict[str, str]
    pooled_data: NotRequired[bool]  # the shared VNet: add the pooled tenants' data subnet


class Network(pulumi.ComponentResource):
    vnet_id: pulumi.Output[str]
    nat_gateway_id: pulumi.Output[str]
    node_subnet_id: pulumi.Output[str]
    endpoint_subnet_id: pulumi.Output[str]
    database_subnet_id: pulumi.Output[str]
    data_subnet_id: pulumi.Output[str] | None  # the shared VNet's pooled data subnet
    zone_ids: dict[str, pulumi.Output[str]]
    layout: Layout

    def __init__(self, name: str, args: NetworkArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("tenant-platform:azure:Network", name, None, opts)
        rg, location, tags = args["resource_group_name"], args["location"], args["tags"]
        plan = self.layout = layout(args["cidr"])

        vnet = azure.network.VirtualNetwork(
            f"{name}-vnet",
            resource_group_name=rg,
            location=location,
            address_space={"address_prefixes": [args["cidr"]]},
            tags=tags,
            opts=child(self),
        )

        # Explicit egress through a NAT gateway: no node has a public address and default outbound is off.
        egress_ip = azure.network.PublicIPAddress(
            f"{name}-nat-ip",
            resource_group_name=rg,
            location=location,
            sku={"name": "Standard", "tier": "Regional"},
            public_ip_allocation_method="Static",
            tags=tags,
            opts=child(self),
        )
        nat = azure.network.NatGateway(
            f"{name}-nat",
            resource_group_name=rg,
            location=location,
            sku={"name": "Standard"},
            public_ip_addresses=[{"id": egress_ip.id}],
            idle_timeout_in_minutes=4,
            tags=tags,
            opts=child(self),
        )

        nsg_rules = {
            # Nodes: nothing from the internet (no public LoadBalancer Service can expose the tenant).
            "nodes": [_rule("deny-internet-inbound", 4000, "Deny", "*", "Internet", "*")],
            # Private endpoints (Key Vault HTTPS, the Redis database's TLS port): reachable from inside the VNet only.
            "endpoints": [
                _rule("allow-vnet-https", 100, "Allow", "443", "VirtualNetwork", plan.endpoints),
                # Azure Managed Redis listens on its database port (10000), not Azure Cache for Redis' 6380.
                _rule("allow-vnet-redis-tls", 110, "Allow", str(DATABASE_PORT), "VirtualNetwork", plan.endpoints),
                _deny_rest(),
            ],
            # PostgreSQL: port 5432 from inside the VNet only.
            "database": [
                _rule("allow-vnet-postgres", 100, "Allow", "5432", "VirtualNetwork", plan.database),
                _deny_rest(),
            ],
        }
        pooled = data_subnet(args["cidr"]) if args.get("pooled_data") else None
        if pooled:
            # Pooled tenants' database and cache private endpoints: their two data ports from inside the VNet only.
            # Nodes' addresses carry every pooled tenant's pods (overlay SNAT), so the per-tenant fence is the
            # tenant NetworkPolicy's /32s; this NSG keeps the rest of the VNet's traffic to those ports.
            nsg_rules["data"] = [
                _rule("allow-vnet-postgres", 100, "Allow", "5432", "VirtualNetwork", pooled),
                _rule("allow-vnet-redis-tls", 110, "Allow", str(DATABASE_PORT), "VirtualNetwork", pooled),
                _deny_rest(),
            ]
        nsgs = {
            key: azure.network.NetworkSecurityGroup(
                f"{name}-{key}-nsg",
                resource_group_name=rg,
                location=location,
                security_rules=rules,  # type: ignore[arg-type]
                tags=tags,
                opts=child(self),
            )
            for key, rules in nsg_rules.items()
        }
        self._name, self._nsgs = name, nsgs

        # Subnets one after another: Azure refuses concurrent changes to the subnets of one VNet.
        nodes = azure.network.Subnet(
            f"{name}-nodes",
            resource_group_name=rg,
            virtual_network_name=vnet.name,
            address_prefix=plan.nodes,
            network_security_group={"id": nsgs["nodes"].id},
            nat_gateway={"id": nat.id},
            default_outbound_access=False,  # no implicit public egress: only through the NAT gateway
            opts=child(self),
        )
        endpoints = azure.network.Subnet(
            f"{name}-endpoints",
            resource_group_name=rg,
            virtual_network_name=vnet.name,
            address_prefix=plan.endpoints,
            network_security_group={"id": nsgs["endpoints"].id},
            default_outbound_access=False,
            # NSG rules apply to private endpoints too (they are bypassed when this is Disabled).
            private_endpoint_network_policies="Enabled",
            opts=child(self, depends_on=[nodes]),
        )
        database = azure.network.Subnet(
            f"{name}-database",
            resource_group_name=rg,
            virtual_network_name=vnet.name,
            address_prefix=plan.database,
            network_security_group={"id": nsgs["database"].id},
            default_outbound_access=False,
            delegations=[{"name": "postgres", "service_name": "Microsoft.DBforPostgreSQL/flexibleServers"}],
            opts=child(self, depends_on=[endpoints]),
        )
        self.data_subnet_id = None
        if pooled:
            # Static addresses only (``ipConfigurations``): no dynamic allocation can take a tenant's address.
            self.data_subnet_id = azure.network.Subnet(
                f"{name}-data",
                resource_group_name=rg,
                virtual_network_name=vnet.name,
                address_prefix=pooled,
                network_security_group={"id": nsgs["data"].id},
                default_outbound_access=False,
                private_endpoint_network_policies="Enabled",  # the NSG applies to the private endpoints
                opts=child(self, depends_on=[database]),
            ).id

        # Private DNS zones resolve the private endpoints and the VNet-integrated servers inside the VNet.
        self.zone_ids = {}
        for index, zone_name in enumerate(PRIVATE_ZONES):
            if zone_name == ZONE_POSTGRES_LINK and not pooled:
                continue  # only pooled tenants' servers are reached through private endpoints
            zone = azure.privatedns.PrivateZone(
                f"{name}-zone-{index}",
                resource_group_name=rg,
                location="global",
                private_zone_name=zone_name,
                tags=tags,
                opts=child(self),
            )
            azure.privatedns.VirtualNetworkLink(
                f"{name}-zone-{index}-link",
                resource_group_name=rg,
                location="global",
                private_zone_name=zone.name,
                virtual_network={"id": vnet.id},
                registration_enabled=False,
                tags=tags,
                opts=child(self),
            )
            self.zone_ids[zone_name] = zone.id

        self.vnet_id = vnet.id
        self.nat_gateway_id = nat.id  # its drop alert (azure/estate.py)
        self.node_subnet_id = nodes.id
        self.endpoint_subnet_id = endpoints.id
        self.database_subnet_id = database.id
        self.register_outputs(
            {
                "vnetId": self.vnet_id,
                "nodeSubnetId": self.node_subnet_id,
                "endpointSubnetId": self.endpoint_subnet_id,
                "databaseSubnetId": self.database_subnet_id,
                "dataSubnetId": self.data_subnet_id,
            }
        )

    def send_logs_to(self, workspace_id: pulumi.Input[str]) -> None:
        """NSG event and rule-counter logs to the workspace (NSG flow logs are retired for new deployments).

        Separate from construction: the workspace is CMK-encrypted with the vault key, and the vault's private
        endpoint needs this network first.
        """
        for key, nsg in self._nsgs.items():
            azure.monitor.DiagnosticSetting(
                f"{self._name}-{key}-nsg-diagnostics",
                resource_uri=nsg.id,
                workspace_id=workspace_id,
                logs=[{"category_group": "allLogs", "enabled": True}],
                opts=child(self),
            )
