"""Memorystore for Redis: private service access, TLS in transit, AUTH, CMEK, STANDARD_HA with replicas by tier."""

from __future__ import annotations

from typing import TypedDict

import pulumi
import pulumi_gcp as gcp

from components.gcp.common import Project, child

# Memory per tier (GiB): read replicas need at least 5 GiB.
MEMORY_GB = {"free": 1, "standard": 2, "premium": 5, "enterprise": 10}
REDIS_VERSIONS = {"6": "REDIS_6_X", "7": "REDIS_7_0", "7.0": "REDIS_7_0", "7.1": "REDIS_7_2", "7.2": "REDIS_7_2"}


def redis_version(engine_version: str) -> str:
    return REDIS_VERSIONS.get(engine_version, "REDIS_7_2")


class CacheArgs(TypedDict):
    project: Project
    instance_name: str
    tier: str  # BASIC | STANDARD_HA
    memory_gb: int
    engine_version: str
    replicas: int
    snapshots: bool
    network_id: pulumi.Input[str]
    key_id: pulumi.Input[str]
    depends_on: list[pulumi.Resource]
    labels: dict[str, str]


class Cache(pulumi.ComponentResource):
    endpoint: pulumi.Output[str]
    instance_id: pulumi.Output[str]

    def __init__(self, name: str, args: CacheArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("tenant-platform:gcp:Cache", name, None, opts)
        proj = args["project"]
        ha = args["tier"] == "STANDARD_HA"
        extra: dict[str, object] = {}
        if ha:
            extra["replica_count"] = max(1, args["replicas"])
            extra["read_replicas_mode"] = "READ_REPLICAS_ENABLED" if args["replicas"] > 1 else "READ_REPLICAS_DISABLED"
        if args["snapshots"]:
            # Memorystore keeps its RDB snapshots itself; their retention is not configurable.
            extra["persistence_config"] = {"persistence_mode": "RDB", "rdb_snapshot_period": "TWENTY_FOUR_HOURS"}
        instance = gcp.redis.Instance(  # type: ignore[call-overload]  # nested dict inputs
            f"{name}-redis",
            name=args["instance_name"],
            project=proj.id,
            region=proj.region,
            tier=args["tier"],
            memory_size_gb=args["memory_gb"],
            redis_version=redis_version(args["engine_version"]),
            # Private service access: a private IP in the reserved range, no public endpoint exists.
            connect_mode="PRIVATE_SERVICE_ACCESS",
            authorized_network=args["network_id"],
            transit_encryption_mode="SERVER_AUTHENTICATION",  # TLS in transit
            auth_enabled=True,  # clients present the AUTH string
            customer_managed_key=args["key_id"],  # data at rest encrypted with the tenant key
            labels=args["labels"],
            opts=child(self, proj.provider, depends_on=args["depends_on"]),
            **extra,  # type: ignore[arg-type]
        )
        self.instance_id = instance.id
        self.host = instance.host  # the private IP: the tenant's NetworkPolicy egress is this /32 only
        self.endpoint = pulumi.Output.concat(instance.host, ":", instance.port.apply(str))
        self.register_outputs({"endpoint": self.endpoint})
