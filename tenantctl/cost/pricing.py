"""One pricing function per resource type that costs money, over the rendered inputs (engine camelCase names).

Each function turns a resource into cost lines: what is billed, its monthly quantity at the
estate's minimum, expected and maximum size, and the catalogue row that prices it, or none (an
unpriced line, shown as such). Min/max come from the resource itself (node-pool bounds,
storage autoscaling ceilings); "expected" from the usage preset or file. Types without a
function cost nothing by themselves (IAM, policies, Kubernetes objects, subnets, ...).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from tenantctl.cost.catalogue import HOURS_PER_MONTH, lookup
from tenantctl.cost.instances import nodes_needed
from tenantctl.cost.lines import Line, Quantity
from tenantctl.cost.usage import Usage


@dataclass(frozen=True)
class Resource:
    type: str
    urn: str
    name: str
    inputs: Mapping[str, Any]


@dataclass(frozen=True)
class Context:
    cloud: str
    region: str
    usage: Usage
    stack: tuple[Resource, ...] = ()  # the whole stack, for the few items priced from a neighbour (node volumes)
    # A shared cluster's expected size comes from its tenants' requests, not from one tenant's usage preset.
    demand: tuple[Fraction, Fraction] | None = None  # (CPU cores, memory bytes) requested on the cluster

    def of_type(self, type_: str) -> list[Resource]:
        return [r for r in self.stack if normalize_type(r.type) == type_]


Pricer = Callable[[Resource, Context], list[Line]]
PRICERS: dict[str, Pricer] = {}


def prices(*types: str) -> Callable[[Pricer], Pricer]:
    def register(function: Pricer) -> Pricer:
        for type_ in types:
            PRICERS[type_] = function
        return function

    return register


_NODE_SERVICES = {"aws": ("EC2", "Linux; on-demand"), "azure": ("Virtual Machines", "Linux; pay-as-you-go"),
                  "gcp": ("Compute Engine", "on-demand hourly list")}


def node_sku(cloud: str, instance: str) -> tuple[str, str]:
    """(service, catalogue SKU) of one node of ``instance``: the same row for a node pool and for ``optimize``."""
    service, terms = _NODE_SERVICES[cloud]
    return service, f"{instance} ({terms})"


def normalize_type(type_: str) -> str:
    """``azure-native:dbforpostgresql/v20240801:Server`` → ``azure-native:dbforpostgresql:Server``.

    The same rule as the pack's ``tenant_policies.base.normalize_type``; the pack keeps its own copy because it
    runs in its own virtualenv and never imports ``tenantctl``.
    """
    return re.sub(r"^(azure-native:[a-z0-9]+)/v[0-9a-z]+:", r"\1:", type_)


def price_resource(resource: Resource, ctx: Context) -> list[Line]:
    pricer = PRICERS.get(normalize_type(resource.type))
    return pricer(resource, ctx) if pricer else []


def _num(value: Any, default: float = 0.0) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return default
    return float(value) if math.isfinite(value) else default


def _get(value: Any, *path: str) -> Any:
    for part in path:
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def _line(r: Resource, ctx: Context, item: str, service: str, sku: str, unit: str, quantity: Quantity, note: str = "") -> Line:
    return Line(
        r.urn,
        normalize_type(r.type),
        r.name,
        item,
        service,
        sku,
        unit,
        quantity,
        lookup(ctx.cloud, service, sku, ctx.region),
        note=note,
    )


def expected_between(low: float, high: float, ctx: Context, floor: float | None = None) -> float:
    """The usage preset's point between a minimum and a maximum (never below an explicit desired size)."""
    point = low + ctx.usage.expected_scale * (high - low)
    return max(point, floor) if floor is not None else point


def expected_nodes(low: float, high: float, instance: str, ctx: Context, floor: float | None = None) -> float:
    """Nodes a pool is expected to run: its tenants' requests bin-packed on the SKU when known, else the usage preset."""
    if ctx.demand is not None:
        needed = nodes_needed(instance, *ctx.demand)
        if needed is not None:
            return float(min(high, max(low, needed)))
    return expected_between(low, high, ctx, floor)


def _retention(
    r: Resource, ctx: Context, item: str, service: str, sku: str, unit: str, monthly: float, days: float, included: float
) -> list[Line]:
    """Logs kept past what ingestion includes: at steady state, ``days - included`` days' worth stored (none if none)."""
    stored = max(0.0, days - included) / 30 * monthly
    return [_line(r, ctx, item, service, sku, unit, Quantity.usage(stored))] if stored else []


def _hours(nodes: Quantity) -> Quantity:
    return nodes.scaled(HOURS_PER_MONTH)


# ------------------------------------------------------------------ AWS


@prices("aws:eks/cluster:Cluster")
def _eks(r: Resource, ctx: Context) -> list[Line]:
    return [_line(r, ctx, "cluster fee", "EKS", "cluster fee; standard support", "cluster-hour", Quantity.fixed(HOURS_PER_MONTH))]


@prices("aws:eks/nodeGroup:NodeGroup")
def _eks_nodes(r: Resource, ctx: Context) -> list[Line]:
    scaling = r.inputs.get("scalingConfig") or {}
    low, high = _num(scaling.get("minSize"), 1), _num(scaling.get("maxSize"), 1)
    types = r.inputs.get("instanceTypes") or ["(from the launch template)"]
    instance = str(types[0])
    nodes = Quantity(low, expected_nodes(low, high, instance, ctx, _num(scaling.get("desiredSize"), low)), high)
    note = "first of several instance types" if len(types) > 1 else ""
    lines = [
        _line(
            r, ctx, f"nodes: {low:g}–{high:g} × {instance}", *node_sku("aws", instance), "hour", _hours(nodes), note
        )
    ]
    templates = ctx.of_type("aws:ec2/launchTemplate:LaunchTemplate")
    if len(templates) == 1:  # the node group's own template (its id is only known after creation)
        for mapping in templates[0].inputs.get("blockDeviceMappings") or []:
            ebs = _get(mapping, "ebs") or {}
            size, kind = _num(ebs.get("volumeSize")), str(ebs.get("volumeType") or "gp3")
            if size:
                lines.append(
                    _line(
                        r,
                        ctx,
                        f"node volumes: {size:g} GB {kind} per node",
                        "EBS",
                        f"{kind} volume",
                        "GB-month",
                        nodes.scaled(size),
                    )
                )
    return lines


@prices("aws:ec2/natGateway:NatGateway")
def _aws_nat(r: Resource, ctx: Context) -> list[Line]:
    gb = ctx.usage.nat_gb_processed
    return [
        _line(
            r, ctx, "NAT gateway hours", "VPC NAT gateway", "NAT gateway hour", "gateway-hour", Quantity.fixed(HOURS_PER_MONTH)
        ),
        _line(r, ctx, f"NAT data processed: {gb:g} GB", "VPC NAT gateway", "data processed", "GB", Quantity.usage(gb)),
    ]


@prices("aws:ec2/eip:Eip")
def _eip(r: Resource, ctx: Context) -> list[Line]:
    return [_line(r, ctx, "public IPv4 address", "VPC", "public IPv4 address", "hour", Quantity.fixed(HOURS_PER_MONTH))]


@prices("aws:rds/instance:Instance")
def _rds(r: Resource, ctx: Context) -> list[Line]:
    cls = str(r.inputs.get("instanceClass") or "?")
    multi = r.inputs.get("multiAz") is True
    deployment = "Multi-AZ" if multi else "Single-AZ"
    storage = _num(r.inputs.get("allocatedStorage"), 20)
    ceiling = max(storage, _num(r.inputs.get("maxAllocatedStorage"), storage))
    kind = str(r.inputs.get("storageType") or "gp2")
    return [
        _line(
            r,
            ctx,
            f"instance: {cls} {deployment}",
            "RDS",
            f"{cls} PostgreSQL; {deployment}",
            "hour",
            Quantity.fixed(HOURS_PER_MONTH),
            "Multi-AZ bills the standby too" if multi else "",
        ),
        _line(
            r,
            ctx,
            f"storage: {storage:g}–{ceiling:g} GB {kind}",
            "RDS",
            f"{kind} storage; {deployment} (source row is engine mysql)",
            "GB-month",
            Quantity(storage, storage, ceiling),
        ),
    ]


@prices("aws:elasticache/replicationGroup:ReplicationGroup")
def _elasticache(r: Resource, ctx: Context) -> list[Line]:
    node = str(r.inputs.get("nodeType") or "?")
    count = _num(r.inputs.get("numCacheClusters"), 1) or _num(r.inputs.get("numNodeGroups"), 1) * (
        1 + _num(r.inputs.get("replicasPerNodeGroup"))
    )
    return [
        _line(
            r,
            ctx,
            f"cache nodes: {count:g} × {node}",
            "ElastiCache",
            f"{node} (Redis OSS / Valkey)",
            "hour",
            _hours(Quantity.fixed(count)),
        )
    ]


@prices("aws:kms/key:Key")
def _kms(r: Resource, ctx: Context) -> list[Line]:
    return [_line(r, ctx, "customer managed key", "KMS", "customer managed KMS key", "key-month", Quantity.fixed(1))]


@prices("aws:secretsmanager/secret:Secret")
def _secret(r: Resource, ctx: Context) -> list[Line]:
    return [_line(r, ctx, "secret", "Secrets Manager", "secret", "secret-month", Quantity.fixed(1))]


@prices("aws:cloudwatch/logGroup:LogGroup")
def _log_group(r: Resource, ctx: Context) -> list[Line]:
    gb, days = ctx.usage.log_gb_ingested, _num(r.inputs.get("retentionInDays"), 3653)
    return [
        _line(
            r,
            ctx,
            f"log ingestion: {gb:g} GB",
            "CloudWatch Logs",
            "data ingested (standard log class)",
            "GB",
            Quantity.usage(gb),
        ),
        # Nothing is included in ingestion; "never expire" (no retention) is counted as ten years.
        *_retention(
            r, ctx, f"log storage: {days:g} days", "CloudWatch Logs", "archival storage", "GB-month", gb, min(days, 3653), 0
        ),
    ]


@prices("aws:cloudwatch/metricAlarm:MetricAlarm")
def _alarm(r: Resource, ctx: Context) -> list[Line]:
    return [
        _line(
            r,
            ctx,
            "standard-resolution alarm",
            "CloudWatch",
            "alarm metric (standard resolution)",
            "alarm-month",
            Quantity.fixed(1),
        )
    ]


@prices("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2")
def _s3(r: Resource, ctx: Context) -> list[Line]:
    gb = ctx.usage.object_gb_stored
    return [_line(r, ctx, f"object storage: {gb:g} GB", "S3", "Standard storage (first tier)", "GB-month", Quantity.usage(gb))]


# ------------------------------------------------------------------ Azure


def _azure_vm_lines(r: Resource, ctx: Context, pool: Mapping[str, Any], label: str) -> list[Line]:
    size = str(pool.get("vmSize") or "?")
    count = _num(pool.get("count"), 1)
    if pool.get("enableAutoScaling") is True:
        low, high = _num(pool.get("minCount"), count), _num(pool.get("maxCount"), count)
    else:
        low = high = count
    if pool.get("mode") == "System":  # system pools run add-ons, not tenant pods: they stay at their minimum
        nodes = Quantity(low, max(low, count), high)
    else:
        nodes = Quantity(low, expected_nodes(low, high, size, ctx, count), high)
    lines = [
        _line(
            r,
            ctx,
            f"{label}: {low:g}–{high:g} × {size}",
            *node_sku("azure", size),
            "hour",
            _hours(nodes),
        )
    ]
    disk = _num(pool.get("osDiskSizeGB"), 128)
    if pool.get("osDiskType") != "Ephemeral":  # ephemeral OS disks live on the VM's cache: no disk to pay for
        lines.append(
            _line(
                r,
                ctx,
                f"{label} OS disks: {disk:g} GB managed per node",
                "Managed Disks",
                "OS disk (Premium SSD, managed)",
                "GB-month",
                nodes.scaled(disk),
            )
        )
    return lines


@prices("azure-native:containerservice:ManagedCluster")
def _aks(r: Resource, ctx: Context) -> list[Line]:
    lines = []
    if _get(r.inputs, "sku", "tier") in ("Standard", "Premium"):
        lines.append(
            _line(
                r,
                ctx,
                "cluster fee (Standard tier)",
                "AKS",
                "Standard tier (Uptime SLA) cluster fee",
                "cluster-hour",
                Quantity.fixed(HOURS_PER_MONTH),
            )
        )
    for pool in r.inputs.get("agentPoolProfiles") or []:
        lines.extend(_azure_vm_lines(r, ctx, pool, f"node pool {pool.get('name', '?')}"))
    return lines


@prices("azure-native:containerservice:AgentPool")
def _aks_pool(r: Resource, ctx: Context) -> list[Line]:
    return _azure_vm_lines(r, ctx, r.inputs, "node pool")


@prices("azure-native:network:NatGateway")
def _azure_nat(r: Resource, ctx: Context) -> list[Line]:
    gb = ctx.usage.nat_gb_processed
    return [
        _line(r, ctx, "NAT gateway hours", "NAT Gateway", "NAT gateway hour", "gateway-hour", Quantity.fixed(HOURS_PER_MONTH)),
        _line(r, ctx, f"NAT data processed: {gb:g} GB", "NAT Gateway", "data processed", "GB", Quantity.usage(gb)),
    ]


@prices("azure-native:network:PublicIPAddress")
def _azure_ip(r: Resource, ctx: Context) -> list[Line]:
    return [
        _line(
            r,
            ctx,
            "public IP address (Standard)",
            "Virtual Network",
            "Standard static public IPv4",
            "hour",
            Quantity.fixed(HOURS_PER_MONTH),
        )
    ]


@prices("azure-native:network:PrivateEndpoint")
def _azure_endpoint(r: Resource, ctx: Context) -> list[Line]:
    return [_line(r, ctx, "private endpoint", "Private Link", "private endpoint hour", "hour", Quantity.fixed(HOURS_PER_MONTH))]


@prices("azure-native:dbforpostgresql:Server")
def _azure_pg(r: Resource, ctx: Context) -> list[Line]:
    sku = str(_get(r.inputs, "sku", "name") or "?")
    ha = _get(r.inputs, "highAvailability", "mode") in ("ZoneRedundant", "SameZone")
    size = _num(_get(r.inputs, "storage", "storageSizeGB"), 32)
    return [
        _line(
            r,
            ctx,
            f"compute: {sku}{' + HA standby' if ha else ''}",
            "Azure Database for PostgreSQL",
            f"{sku} Flexible Server compute",
            "hour",
            Quantity.fixed(HOURS_PER_MONTH * (2 if ha else 1)),
            "HA doubles compute (the standby)" if ha else "",
        ),
        _line(
            r,
            ctx,
            f"storage: {size:g} GB{' × 2 (HA)' if ha else ''}",
            "Azure Database for PostgreSQL",
            "Flexible Server storage",
            "GB-month",
            Quantity.fixed(size * (2 if ha else 1)),
        ),
    ]


@prices("azure-native:redisenterprise:RedisEnterprise")
def _azure_redis(r: Resource, ctx: Context) -> list[Line]:
    sku = str(_get(r.inputs, "sku", "name") or "?")
    return [
        _line(
            r,
            ctx,
            f"Azure Managed Redis {sku}",
            "Azure Managed Redis",
            f"{sku} instance",
            "hour",
            Quantity.fixed(HOURS_PER_MONTH),
        )
    ]


@prices("azure-native:keyvault:Key")
def _azure_key(r: Resource, ctx: Context) -> list[Line]:
    hsm = str(_get(r.inputs, "properties", "kty") or "").endswith("-HSM")
    sku = "Premium HSM-protected key" if hsm else "software-protected key"
    return [_line(r, ctx, sku, "Key Vault", sku, "key-month", Quantity.fixed(1))]


@prices("azure-native:operationalinsights:Cluster")
def _azure_log_cluster(r: Resource, ctx: Context) -> list[Line]:
    capacity = _num(_get(r.inputs, "sku", "capacity"), 100)
    return [
        _line(
            r,
            ctx,
            f"dedicated cluster: {capacity:g} GB/day commitment",
            "Log Analytics",
            f"{capacity:g} GB/day commitment tier",
            "day",
            Quantity.fixed(HOURS_PER_MONTH / 24),
            "a dedicated cluster bills its commitment tier whatever is ingested",
        )
    ]


@prices("azure-native:operationalinsights:Workspace")
def _azure_workspace(r: Resource, ctx: Context) -> list[Line]:
    gb, days = ctx.usage.log_gb_ingested, _num(r.inputs.get("retentionInDays"), 30)
    lines = []
    if not _get(r.inputs, "features", "clusterResourceId"):  # linked workspaces are billed by their cluster
        lines.append(
            _line(
                r,
                ctx,
                f"log ingestion: {gb:g} GB",
                "Log Analytics",
                "Analytics log data ingestion; PerGB2018",
                "GB",
                Quantity.usage(gb),
            )
        )
    lines += _retention(  # the first 31 days are included
        r,
        ctx,
        f"retention: {days:g} days",
        "Log Analytics",
        "log data retention beyond included period",
        "GB-month",
        gb,
        days,
        31,
    )
    return lines


@prices("azure-native:storage:StorageAccount")
def _azure_storage(r: Resource, ctx: Context) -> list[Line]:
    gb = ctx.usage.object_gb_stored
    return [_line(r, ctx, f"object storage: {gb:g} GB", "Storage", "Blob hot LRS", "GB-month", Quantity.usage(gb))]


# ------------------------------------------------------------------ GCP


def _zones(r: Resource, ctx: Context) -> int:
    locations = r.inputs.get("nodeLocations")
    if isinstance(locations, list) and locations:
        return len(locations)
    location = str(r.inputs.get("location") or ctx.region)
    return 3 if re.fullmatch(r"[a-z]+-[a-z]+\d+", location) else 1  # a regional pool spans the region's three zones


@prices("gcp:container/cluster:Cluster")
def _gke(r: Resource, ctx: Context) -> list[Line]:
    lines = [
        _line(
            r,
            ctx,
            "cluster management fee",
            "GKE",
            "cluster management fee",
            "cluster-hour",
            Quantity.fixed(HOURS_PER_MONTH),
            "GKE's monthly free-tier credit is not subtracted",
        )
    ]
    if r.inputs.get("removeDefaultNodePool") is not True:
        count = _num(r.inputs.get("initialNodeCount"), 1) * _zones(r, ctx)
        machine = str(_get(r.inputs, "nodeConfig", "machineType") or "e2-medium")
        lines.append(
            _line(
                r,
                ctx,
                f"default node pool: {count:g} × {machine}",
                *node_sku("gcp", machine),
                "hour",
                _hours(Quantity.fixed(count)),
            )
        )
    return lines


def _gke_nodes(r: Resource, ctx: Context) -> Quantity:
    machine = str(_get(r.inputs, "nodeConfig", "machineType") or "e2-medium")
    system = any(
        _get(t, "key") == "components.gke.io/gke-managed-components" for t in _get(r.inputs, "nodeConfig", "taints") or []
    )
    scaling = r.inputs.get("autoscaling") or {}
    zones = _zones(r, ctx)
    if "totalMinNodeCount" in scaling or "totalMaxNodeCount" in scaling:
        low, high = _num(scaling.get("totalMinNodeCount")), _num(scaling.get("totalMaxNodeCount"))
    elif scaling:
        low, high = _num(scaling.get("minNodeCount")) * zones, _num(scaling.get("maxNodeCount")) * zones
    else:
        low = high = _num(r.inputs.get("nodeCount"), _num(r.inputs.get("initialNodeCount"), 1)) * zones
    if system:  # the pool tainted for GKE's own components does not take tenant pods
        return Quantity(low, low, high)
    return Quantity(low, expected_nodes(low, high, machine, ctx), high)


@prices("gcp:container/nodePool:NodePool")
def _gke_pool(r: Resource, ctx: Context) -> list[Line]:
    machine = str(_get(r.inputs, "nodeConfig", "machineType") or "e2-medium")
    nodes = _gke_nodes(r, ctx)
    low, high = nodes.min, nodes.max
    disk, kind = (
        _num(_get(r.inputs, "nodeConfig", "diskSizeGb"), 100),
        str(_get(r.inputs, "nodeConfig", "diskType") or "pd-balanced"),
    )
    return [
        _line(
            r,
            ctx,
            f"nodes: {low:g}–{high:g} × {machine}",
            *node_sku("gcp", machine),
            "hour",
            _hours(nodes),
        ),
        _line(
            r,
            ctx,
            f"node boot disks: {disk:g} GB {kind} per node",
            "Compute Engine",
            f"{kind} persistent disk",
            "GB-month",
            nodes.scaled(disk),
        ),
    ]


@prices("gcp:compute/routerNat:RouterNat")
def _cloud_nat(r: Resource, ctx: Context) -> list[Line]:
    gb = ctx.usage.nat_gb_processed
    pools = [_gke_nodes(pool, ctx) for pool in ctx.of_type("gcp:container/nodePool:NodePool")]
    vms = Quantity(*(min(32.0, max(1.0, sum(getattr(q, f) for q in pools))) for f in ("min", "expected", "max")))
    return [
        _line(
            r,
            ctx,
            f"NAT gateway uptime: {vms.min:g}–{vms.max:g} VMs",
            "Cloud NAT",
            "gateway uptime per assigned VM (first 32 VMs)",
            "VM-hour",
            _hours(vms),
            "billed per VM using the gateway, capped at 32 VMs",
        ),
        _line(r, ctx, f"NAT data processed: {gb:g} GB", "Cloud NAT", "data processed", "GB", Quantity.usage(gb)),
    ]


_CUSTOM_TIER = re.compile(r"db-custom-(\d+)-(\d+)")


@prices("gcp:sql/databaseInstance:DatabaseInstance")
def _cloud_sql(r: Resource, ctx: Context) -> list[Line]:
    settings = r.inputs.get("settings") or {}
    tier = str(settings.get("tier") or "?")
    regional = settings.get("availabilityType") == "REGIONAL"
    kind = "regional (HA)" if regional else "zonal"
    size = _num(settings.get("diskSize"), 10)
    ceiling = max(size, _num(settings.get("diskAutoresizeLimit"), size))
    match = _CUSTOM_TIER.fullmatch(tier)
    if not match:
        return [
            _line(r, ctx, f"instance: {tier}", "Cloud SQL", f"PostgreSQL {tier}; {kind}", "hour", Quantity.fixed(HOURS_PER_MONTH))
        ]
    vcpu, memory_gb = float(match.group(1)), float(match.group(2)) / 1024
    return [
        _line(
            r,
            ctx,
            f"vCPU: {vcpu:g} {kind}",
            "Cloud SQL",
            f"PostgreSQL Enterprise vCPU; {kind}",
            "vCPU-hour",
            Quantity.fixed(vcpu * HOURS_PER_MONTH),
            "regional (HA) rates cover the standby" if regional else "",
        ),
        _line(
            r,
            ctx,
            f"memory: {memory_gb:g} GB {kind}",
            "Cloud SQL",
            f"PostgreSQL Enterprise memory; {kind}",
            "GB-hour",
            Quantity.fixed(memory_gb * HOURS_PER_MONTH),
        ),
        _line(
            r,
            ctx,
            f"storage: {size:g}–{ceiling:g} GB SSD {kind}",
            "Cloud SQL",
            f"SSD storage; {kind}",
            "GB-month",
            Quantity(size, size, ceiling),
        ),
    ]


def _memorystore_capacity_tier(gb: float) -> str:
    """Memorystore bills by capacity tier: M1 1–4 GB, M2 5–10, M3 11–35, M4 36–100, M5 over 100."""
    for bound, name in ((4, "M1"), (10, "M2"), (35, "M3"), (100, "M4")):
        if gb <= bound:
            return name
    return "M5"


@prices("gcp:redis/instance:Instance")
def _memorystore(r: Resource, ctx: Context) -> list[Line]:
    gb = _num(r.inputs.get("memorySizeGb"), 1)
    standard = r.inputs.get("tier") == "STANDARD_HA"
    label = "Standard" if standard else "Basic"
    capacity = _memorystore_capacity_tier(gb)
    lines = [
        _line(
            r,
            ctx,
            f"{label} tier {gb:g} GB ({capacity})",
            "Memorystore for Redis",
            f"{label} tier; capacity tier {capacity}",
            "GB-hour",
            Quantity.fixed(gb * HOURS_PER_MONTH),
        )
    ]
    extra = _num(r.inputs.get("replicaCount"), 1) - 1
    if standard and extra > 0:
        lines.append(
            _line(
                r,
                ctx,
                f"{extra:g} read replica(s) beyond the first",
                "Memorystore for Redis",
                "read replica node",
                "GB-hour",
                Quantity.fixed(extra * gb * HOURS_PER_MONTH),
            )
        )
    return lines


@prices("gcp:kms/cryptoKey:CryptoKey")
def _cloud_kms(r: Resource, ctx: Context) -> list[Line]:
    hsm = _get(r.inputs, "versionTemplate", "protectionLevel") == "HSM"
    sku = "active key version; HSM protection (AES-256; RSA 2048)" if hsm else "active key version; SOFTWARE protection"
    period = str(r.inputs.get("rotationPeriod") or "")
    seconds = float(period[:-1]) if re.fullmatch(r"\d+(\.\d+)?s", period) else 0.0
    # Rotation adds a version; old versions stay active (and billed) until destroyed: a year in, 1 + 365 / period.
    year = 1 + math.floor(365 * 86400 / seconds) if seconds else 1
    return [
        _line(
            r,
            ctx,
            f"key versions: 1 now, {year} after a year of rotation",
            "Cloud KMS",
            sku,
            "key-version-month",
            Quantity(1, year, year),
        )
    ]


@prices("gcp:logging/projectBucketConfig:ProjectBucketConfig")
def _log_bucket(r: Resource, ctx: Context) -> list[Line]:
    gib, days = ctx.usage.log_gb_ingested, _num(r.inputs.get("retentionDays"), 30)
    lines = [
        _line(
            r,
            ctx,
            f"log ingestion: {gib:g} GiB",
            "Cloud Logging",
            "log ingestion (Logging storage; incl. 30 days)",
            "GiB",
            Quantity.usage(gib),
            "the first 50 GiB per project per month are free; not subtracted",
        )
    ]
    lines += _retention(
        r, ctx, f"retention: {days:g} days", "Cloud Logging", "retention beyond 30 days", "GiB-month", gib, days, 30
    )
    return lines


@prices("gcp:storage/bucket:Bucket")
def _gcs(r: Resource, ctx: Context) -> list[Line]:
    gb = ctx.usage.object_gb_stored
    return [_line(r, ctx, f"object storage: {gb:g} GB", "Cloud Storage", "Standard storage", "GB-month", Quantity.usage(gb))]
