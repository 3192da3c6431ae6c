"""The VPC: one subnet with pod and Service secondary ranges, flow logs, Cloud Router and NAT, private service access."""

from __future__ import annotations

import ipaddress
from typing import TypedDict

import pulumi
import pulumi_gcp as gcp

from components.gcp.common import Project, child

PODS_RANGE, SERVICES_RANGE = "pods", "services"


class NetworkArgs(TypedDict):
    project: Project
    base_name: str
    subnet_cidr: str
    pods_cidr: str
    services_cidr: str
    private_services_cidr: str  # Cloud SQL and Memorystore get their private addresses here
    labels: dict[str, str]


class Network(pulumi.ComponentResource):
    network_id: pulumi.Output[str]
    subnet_id: pulumi.Output[str]
    peering: gcp.servicenetworking.Connection

    def __init__(self, name: str, args: NetworkArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("tenant-platform:gcp:Network", name, None, opts)
        proj, base = args["project"], args["base_name"]
        opts_ = child(self, proj.provider)
        network = gcp.compute.Network(
            f"{name}-vpc",
            name=base,
            project=proj.id,
            auto_create_subnetworks=False,  # no default subnets in every region
            routing_mode="REGIONAL",
            delete_default_routes_on_create=False,
            opts=opts_,
        )
        subnet = gcp.compute.Subnetwork(
            f"{name}-subnet",
            name=f"{base}-nodes",
            project=proj.id,
            region=proj.region,
            network=network.id,
            ip_cidr_range=args["subnet_cidr"],
            secondary_ip_ranges=[
                {"range_name": PODS_RANGE, "ip_cidr_range": args["pods_cidr"]},
                {"range_name": SERVICES_RANGE, "ip_cidr_range": args["services_cidr"]},
            ],
            # Nodes without external addresses still reach Google APIs privately.
            private_ip_google_access=True,
            # VPC flow logs for every subnet this package builds.
            log_config={"aggregation_interval": "INTERVAL_5_SEC", "flow_sampling": 0.5, "metadata": "INCLUDE_ALL_METADATA"},
            opts=opts_,
        )
        router = gcp.compute.Router(
            f"{name}-router", name=f"{base}-router", project=proj.id, region=proj.region, network=network.id, opts=opts_
        )
        # Egress only through Cloud NAT: nodes have no external IPs.
        gcp.compute.RouterNat(
            f"{name}-nat",
            name=f"{base}-nat",
            project=proj.id,
            region=proj.region,
            router=router.name,
            nat_ip_allocate_option="AUTO_ONLY",
            source_subnetwork_ip_ranges_to_nat="LIST_OF_SUBNETWORKS",
            subnetworks=[{"name": subnet.id, "source_ip_ranges_to_nats": ["ALL_IP_RANGES"]}],
            log_config={"enable": True, "filter": "ERRORS_ONLY"},
            opts=opts_,
        )
        psa = ipaddress.ip_network(args["private_services_cidr"])
        reserved = gcp.compute.GlobalAddress(
            f"{name}-private-services",
            name=f"{base}-psa",
            project=proj.id,
            purpose="VPC_PEERING",
            address_type="INTERNAL",
            address=str(psa.network_address),
            prefix_length=psa.prefixlen,
            network=network.id,
            labels=args["labels"],
            opts=opts_,
        )
        # Private service access: Cloud SQL and Memorystore live on a peered Google network, private IPs only.
        self.peering = gcp.servicenetworking.Connection(
            f"{name}-private-services-peering",
            network=network.id,
            service="servicenetworking.googleapis.com",
            reserved_peering_ranges=[reserved.name],
            opts=opts_,
        )
        self.network_id = network.id
        self.subnet_id = subnet.id
        self.register_outputs({"networkId": self.network_id, "subnetId": self.subnet_id})
