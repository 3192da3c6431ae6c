"""The tenant schema.

Every key under ``tenant_config`` is optional in the file: the loader merges the
file over its tier's defaults (``spec.tiers``) before these models validate, so
the models themselves require every field and a missing tier default is a bug,
not a silent fallback. Cloud-specific knobs sit in a discriminated union on
``cloud``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Annotated, Any, ClassVar, Literal
from zoneinfo import available_timezones

from pydantic import ConfigDict, Field, TypeAdapter, ValidationInfo, field_validator, model_validator

from spec.base import TIER_DEFAULTED, FieldError, StrictModel
from spec.clouds import aws as aws_facts
from spec.clouds import azure as azure_facts
from spec.clouds import gcp as gcp_facts
from spec.durations import Duration
from spec.formats import cron_expression, image_reference
from spec.slo import Slo
from spec.storage import ObjectStorage
from spec.tiers import QUOTA_CEILINGS, TIER_CEILINGS, Tier
from spec.traffic import CircuitBreaker, Ingress, RateLimit

DNS_LABEL = r"^[a-z]([-a-z0-9]{0,38}[a-z0-9])?$"
QUANTITY = r"^([0-9]{1,12}(\.[0-9]{1,6})?)(m|Ki|Mi|Gi|Ti|Pi|k|M|G|T|P)?$"
CRON = r"^\S+ \S+ \S+ \S+ \S+$"
Percent = Annotated[int, Field(ge=1, le=100, description="Percent, 1 to 100.")]
Quantity = Annotated[str, Field(pattern=QUANTITY, description="Kubernetes quantity, e.g. 500m, 2, 512Mi, 4Gi.")]


class Metrics(StrictModel):
    model_config = TIER_DEFAULTED
    cpu_threshold: Annotated[Percent, Field(description="Target CPU utilisation (percent of request) for scaling.")]
    memory_threshold: Annotated[Percent, Field(description="Target memory utilisation (percent of request).")]
    latency_threshold: Annotated[
        Duration | None,
        Field(description="p95 request latency that triggers scale-out (KEDA Prometheus trigger) and an alarm."),
    ]

    @field_validator("latency_threshold")
    @classmethod
    def _latency_bounds(cls, value: timedelta | None) -> timedelta | None:
        if value is not None and not timedelta(milliseconds=1) <= value <= timedelta(minutes=1):
            raise ValueError("must be between 1ms and 60s")
        return value


class ScheduleBlock(StrictModel):
    """One block of a weekly pre-scaling schedule: a replica floor between two cron instants."""

    start: Annotated[str, Field(pattern=CRON, description="Cron instant the floor starts, e.g. '0 8 * * 1-5'.")]
    end: Annotated[str, Field(pattern=CRON, description="Cron instant the floor ends, e.g. '0 18 * * 1-5'.")]
    desired_replicas: Annotated[int, Field(ge=1, le=1000, description="Replica floor while the block is active.")]

    @field_validator("start", "end", mode="before")
    @classmethod
    def _cron(cls, value: Any) -> Any:
        # KEDA writes these into a cron trigger verbatim: refuse here what its parser would refuse there.
        return cron_expression(value) if isinstance(value, str) else value


class Autoscaling(StrictModel):
    model_config = TIER_DEFAULTED
    enabled: Annotated[bool, Field(description="Render the HorizontalPodAutoscaler (or KEDA ScaledObject).")]
    strategy: Annotated[
        Literal["reactive", "predictive"],
        Field(description="reactive: scale on load; predictive: also pre-scale ahead of forecast peaks."),
    ]
    min_replicas: Annotated[int, Field(ge=1, le=1000, description="Lower replica bound of the workload.")]
    max_replicas: Annotated[int, Field(ge=1, le=1000, description="Upper replica bound; ≥ min_replicas.")]
    metrics: Metrics
    capacity_per_replica: Annotated[
        float | None,
        Field(gt=0, description="Demand one replica serves at 100% utilisation (units of the demand metric)."),
    ]
    schedule_timezone: Annotated[
        str, Field(min_length=1, max_length=64, description="IANA timezone the schedule's cron instants use.")
    ]
    schedule: Annotated[
        list[ScheduleBlock],
        Field(
            max_length=64,
            description="Weekly replica floors for strategy predictive (written by tenantctl forecast --write).",
        ),
    ]

    @field_validator("max_replicas")
    @classmethod
    def _max_not_below_min(cls, value: int, info: ValidationInfo) -> int:
        low = info.data.get("min_replicas")
        if low is not None and value < low:
            raise ValueError(f"must be ≥ min_replicas ({low})")
        return value

    @field_validator("schedule_timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        if value not in available_timezones():
            raise ValueError(f"{value!r} is not an IANA timezone (e.g. UTC, Europe/Berlin)")
        return value

    @model_validator(mode="after")
    def _schedule_within_bounds(self) -> Autoscaling:
        for index, block in enumerate(self.schedule):
            if block.desired_replicas > self.max_replicas:
                raise FieldError(
                    ("schedule", index, "desired_replicas"), f"must be ≤ max_replicas ({self.max_replicas})"
                )
        return self


class Monitoring(StrictModel):
    model_config = TIER_DEFAULTED
    real_time: Annotated[bool, Field(description="1-minute metric resolution and alarm periods instead of 5 minutes.")]
    metrics_retention: Annotated[
        Duration, Field(description="Retention of control-plane, audit and metric logs, e.g. 30d.")
    ]
    alert_channels: Annotated[
        list[Literal["slack", "email", "webhook"]],
        Field(description="Channels alerts go to; their targets come from stack config secrets, never from YAML."),
    ]
    slo: Annotated[Slo, Field(description="Objectives the multi-window burn-rate alerts protect; tier defaults.")]

    @field_validator("metrics_retention")
    @classmethod
    def _retention_bounds(cls, value: timedelta) -> timedelta:
        if not timedelta(days=1) <= value <= timedelta(days=3653):
            raise ValueError("must be between 1d and 3653d")
        return value

    @field_validator("alert_channels")
    @classmethod
    def _unique_channels(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("channels must not repeat")
        return value


class Security(StrictModel):
    model_config = TIER_DEFAULTED
    # Invariants, not switches: the schema accepts only the secure value so a file can state it.
    encryption: Annotated[
        Literal["AES-256"], Field(description="Encryption at rest; always AES-256 with the tenant's own key.")
    ]
    isolation_level: Annotated[
        Literal["strict", "standard"],
        Field(description="strict: own network and cluster (silo); standard: namespace on a shared cluster (pool)."),
    ]
    audit_logging: Annotated[Literal[True], Field(description="Control-plane audit logs; always on.")]


def _breaker_shorthand(schema: dict[str, Any]) -> None:
    """The published schema also takes the original ``circuit_breaker: true|false`` (the loader expands it)."""
    schema.pop("required", None)
    breaker = schema["properties"]["circuit_breaker"]
    description = breaker.pop("description", None)
    schema["properties"]["circuit_breaker"] = {"anyOf": [{"type": "boolean"}, breaker], "description": description}


class Performance(StrictModel):
    model_config = ConfigDict(json_schema_extra=_breaker_shorthand)
    # cache_ttl and connection_pool are application settings (the workload's ConfigMap), not gateway configuration.
    cache_ttl: Annotated[
        int,
        Field(ge=0, le=604800, description="Cache entry TTL in seconds: an application setting for the workload, "
              "not gateway caching."),
    ]
    connection_pool: Annotated[
        int,
        Field(ge=1, le=5000, description="Database connection pool size, an application setting split across the "
              "workload's replicas; also sizes max_connections. Not the gateway's connection limit (circuit_breaker)."),
    ]
    rate_limit: Annotated[RateLimit, Field(description="The gateway's request rate limit for the tenant; tier defaults.")]
    circuit_breaker: Annotated[
        CircuitBreaker,
        Field(description="The gateway's circuit breaker, outlier detection and retries; `true`/`false` is short for enabled."),
    ]


class Cluster(StrictModel):
    model_config = TIER_DEFAULTED
    kubernetes_version: Annotated[str, Field(pattern=r"^1\.(2[89]|3[0-9])$", description="Kubernetes minor, e.g. 1.31.")]
    instance_type: Annotated[str, Field(description="Node machine type in the cloud's own naming.")]
    min_nodes: Annotated[int, Field(ge=1, le=1000, description="Lower bound of the workload node pool.")]
    max_nodes: Annotated[int, Field(ge=1, le=1000, description="Upper bound of the workload node pool; ≥ min_nodes.")]
    disk_size_gb: Annotated[int, Field(ge=20, le=2000, description="Node OS disk size in GiB (encrypted).")]
    availability_zones: Annotated[int, Field(ge=2, le=3, description="Zones the network and node pool span.")]

    @field_validator("max_nodes")
    @classmethod
    def _max_not_below_min(cls, value: int, info: ValidationInfo) -> int:
        low = info.data.get("min_nodes")
        if low is not None and value < low:
            raise ValueError(f"must be ≥ min_nodes ({low})")
        return value


class Database(StrictModel):
    model_config = TIER_DEFAULTED
    engine_version: Annotated[str, Field(pattern=r"^1[4-7]$", description="PostgreSQL major version.")]
    instance_class: Annotated[str, Field(description="Instance size in the cloud's own naming.")]
    storage_gb: Annotated[int, Field(ge=20, le=65536, description="Allocated storage in GiB.")]
    max_storage_gb: Annotated[int, Field(ge=20, le=65536, description="Storage autoscaling ceiling in GiB.")]
    high_availability: Annotated[bool, Field(description="Synchronous standby in another zone.")]
    backup_retention_days: Annotated[int, Field(ge=1, le=35, description="Automated backup retention in days.")]
    deletion_protection: Annotated[bool, Field(description="Refuse deletion of the database.")]
    performance_insights: Annotated[bool, Field(description="Query insights (encrypted with the tenant key).")]

    @field_validator("max_storage_gb")
    @classmethod
    def _max_not_below_allocated(cls, value: int, info: ValidationInfo) -> int:
        low = info.data.get("storage_gb")
        if low is not None and value < low:
            raise ValueError(f"must be ≥ storage_gb ({low})")
        return value


class Cache(StrictModel):
    model_config = TIER_DEFAULTED
    engine_version: Annotated[str, Field(pattern=r"^[67](\.[0-9])?$", description="Redis engine version.")]
    node_type: Annotated[str, Field(description="Cache node type / SKU / tier in the cloud's own naming.")]
    replicas: Annotated[int, Field(ge=0, le=5, description="Read replicas; ≥ 1 enables automatic failover.")]
    snapshot_retention_days: Annotated[int, Field(ge=0, le=35, description="Daily snapshot retention in days.")]


class Quota(StrictModel):
    model_config = TIER_DEFAULTED
    cpu: Annotated[Quantity, Field(description="Namespace total CPU requests.")]
    memory: Annotated[Quantity, Field(description="Namespace total memory requests.")]
    pods: Annotated[int, Field(ge=1, le=10000, description="Namespace pod count limit.")]
    storage: Annotated[Quantity, Field(description="Namespace total persistent volume claims.")]


_SUFFIX = {"m": Decimal("0.001"), "k": Decimal(10**3), "M": Decimal(10**6), "G": Decimal(10**9), "T": Decimal(10**12),
           "P": Decimal(10**15), "Ki": Decimal(2**10), "Mi": Decimal(2**20), "Gi": Decimal(2**30), "Ti": Decimal(2**40),
           "Pi": Decimal(2**50)}


def quantity_value(text: str) -> Decimal:
    """A Kubernetes quantity as a number (already pattern-checked by ``Quantity``)."""
    match = re.match(QUANTITY, text)
    if not match:
        raise ValueError(f"{text!r} is not a Kubernetes quantity")
    return Decimal(match.group(1)) * _SUFFIX.get(match.group(3) or "", Decimal(1))


class Workload(StrictModel):
    model_config = TIER_DEFAULTED
    name: Annotated[str, Field(pattern=DNS_LABEL, description="Deployment the autoscaler targets.")]
    image: Annotated[
        str,
        Field(
            min_length=1, max_length=512, description="Container image of the workload: an OCI reference with a tag or digest."
        ),
    ]
    port: Annotated[int, Field(ge=1024, le=65535, description="Container port (unprivileged).")]
    cpu_request: Quantity
    memory_request: Quantity
    cpu_limit: Quantity
    memory_limit: Quantity
    quota: Quota

    @field_validator("image")
    @classmethod
    def _oci_reference(cls, value: str) -> str:
        return image_reference(value)

    @model_validator(mode="after")
    def _limits_cover_requests(self) -> Workload:
        for resource in ("cpu", "memory"):
            request, limit = getattr(self, f"{resource}_request"), getattr(self, f"{resource}_limit")
            if quantity_value(limit) < quantity_value(request):
                raise FieldError((f"{resource}_limit",), f"must be ≥ {resource}_request ({request})")
        return self


class Compliance(StrictModel):
    model_config = TIER_DEFAULTED
    frameworks: Annotated[
        list[Literal["gdpr", "soc2", "iso27001"]], Field(description="Frameworks whose controls apply.")
    ]

    @model_validator(mode="before")
    @classmethod
    def _no_waivers_here(cls, data: Any, info: ValidationInfo) -> Any:
        # A tenant file must not switch its own guard rails off: exceptions are the security team's (spec/waivers.py).
        if isinstance(data, dict) and "waivers" in data:
            from spec.waivers import DEFAULT_MAX_DAYS, MOVED

            tenant = (info.context or {}).get("tenant_id") or "<tenant>"
            raise FieldError(("waivers",), MOVED.format(tenant=tenant, days=DEFAULT_MAX_DAYS))
        return data


class TenantConfigBase(StrictModel):
    model_config = TIER_DEFAULTED
    autoscaling: Autoscaling
    monitoring: Monitoring
    security: Security
    performance: Performance
    cluster: Cluster
    database: Database
    cache: Cache
    workload: Workload
    compliance: Compliance
    ingress: Ingress
    object_storage: ObjectStorage

    # The cloud's own size grammars (spec.clouds.<cloud>): each raises ValueError with the user's message.
    size_checks: ClassVar[tuple[Callable[[str], None], Callable[[str], None], Callable[[str], None]] | None] = None

    @model_validator(mode="after")
    def _sizes_of_this_cloud(self) -> TenantConfigBase:
        if self.size_checks is None:
            return self
        instance, database, cache = self.size_checks
        for loc, check, value in (
            (("cluster", "instance_type"), instance, self.cluster.instance_type),
            (("database", "instance_class"), database, self.database.instance_class),
            (("cache", "node_type"), cache, self.cache.node_type),
        ):
            try:
                check(value)
            except ValueError as exc:
                raise FieldError(loc, str(exc)) from None
        return self


def _checks(facts: Any) -> tuple[Callable[[str], None], Callable[[str], None], Callable[[str], None]]:
    return (facts.check_instance_type, facts.check_database_class, facts.check_cache_node_type)


class AwsTenantConfig(TenantConfigBase):
    size_checks = _checks(aws_facts)
    aws: Annotated[aws_facts.Options, Field(description="AWS-only knobs.")] = aws_facts.Options()


class AzureTenantConfig(TenantConfigBase):
    size_checks = _checks(azure_facts)
    azure: Annotated[azure_facts.Options, Field(description="Azure-only knobs.")] = azure_facts.Options()


class GcpTenantConfig(TenantConfigBase):
    size_checks = _checks(gcp_facts)
    gcp: Annotated[gcp_facts.Options, Field(description="GCP-only knobs.")] = gcp_facts.Options()


REGIONS = {"aws": aws_facts.REGIONS, "azure": azure_facts.REGIONS, "gcp": gcp_facts.REGIONS}
EU_REGIONS = {"aws": aws_facts.EU_REGIONS, "azure": azure_facts.EU_REGIONS, "gcp": gcp_facts.EU_REGIONS}


class TenantBase(StrictModel):
    tenant_id: Annotated[
        str, Field(pattern=DNS_LABEL, description="DNS label, equal to the file name without .yaml.")
    ]
    tier: Annotated[Tier, Field(description="Sets every default the file does not state.")]
    cloud: str
    region: Annotated[str, Field(description="Region in the cloud's own naming, e.g. eu-west-1, westeurope.")]

    @field_validator("tenant_id")
    @classmethod
    def _not_a_shared_stack(cls, value: str) -> str:
        # Stacks are named after tenant ids; shared-<cloud>-<region> names the clusters pooled tenants share.
        if re.match(r"^shared-(aws|azure|gcp)-", value):
            raise ValueError(f"{value!r} is reserved: shared-<cloud>-<region> names a shared-cluster stack")
        return value

    @field_validator("region")
    @classmethod
    def _region_of_cloud(cls, value: str, info: ValidationInfo) -> str:
        cloud = info.data.get("cloud")
        if cloud in REGIONS and value not in REGIONS[cloud]:
            raise ValueError(f"{value!r} is not a known {cloud} region")
        return value

    @model_validator(mode="after")
    def _rules_across_blocks(self) -> TenantBase:
        config: TenantConfigBase = self.tenant_config  # type: ignore[attr-defined]
        if "gdpr" in config.compliance.frameworks and self.region not in EU_REGIONS[self.cloud]:
            raise FieldError(("region",), f"gdpr tenants must be in an EU region, not {self.region!r}")
        ceilings = TIER_CEILINGS[self.tier]
        if config.autoscaling.max_replicas > ceilings["max_replicas"]:
            raise FieldError(
                ("tenant_config", "autoscaling", "max_replicas"),
                f"must be ≤ {ceilings['max_replicas']} on the {self.tier} tier",
            )
        if config.cluster.max_nodes > ceilings["max_nodes"]:
            raise FieldError(
                ("tenant_config", "cluster", "max_nodes"),
                f"must be ≤ {ceilings['max_nodes']} on the {self.tier} tier",
            )
        quota = config.workload.quota
        for key, ceiling in QUOTA_CEILINGS[self.tier].items():
            stated = getattr(quota, key)
            if (quantity_value(stated) if isinstance(stated, str) else Decimal(stated)) > quantity_value(str(ceiling)):
                raise FieldError(
                    ("tenant_config", "workload", "quota", key), f"must be ≤ {ceiling} on the {self.tier} tier"
                )
        return self

    @property
    def config(self) -> TenantConfigBase:
        return self.tenant_config  # type: ignore[attr-defined, no-any-return]

    @property
    def isolation(self) -> str:
        return self.config.security.isolation_level

    @property
    def silo(self) -> bool:
        return self.isolation == "strict"


class AwsTenant(TenantBase):
    cloud: Literal["aws"]
    tenant_config: AwsTenantConfig


class AzureTenant(TenantBase):
    cloud: Literal["azure"]
    tenant_config: AzureTenantConfig


class GcpTenant(TenantBase):
    cloud: Literal["gcp"]
    tenant_config: GcpTenantConfig


TenantSpec = Annotated[AwsTenant | AzureTenant | GcpTenant, Field(discriminator="cloud")]
TENANT_ADAPTER: TypeAdapter[AwsTenant | AzureTenant | GcpTenant] = TypeAdapter(TenantSpec)
AnyTenant = AwsTenant | AzureTenant | GcpTenant
