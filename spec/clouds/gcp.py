"""GCP facts for the schema."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import Field, ValidationInfo, field_validator, model_validator

from spec.base import FieldError, StrictModel
from spec.formats import private_network

EU_REGIONS = frozenset(
    {
        "europe-west1", "europe-west2", "europe-west3", "europe-west4", "europe-west6", "europe-west8",
        "europe-west9", "europe-north1", "europe-central2", "europe-southwest1",
    }
)
REGIONS = EU_REGIONS | frozenset(
    {
        "us-central1", "us-east1", "us-east4", "us-west1", "us-west2", "northamerica-northeast1",
        "southamerica-east1", "asia-east1", "asia-northeast1", "asia-south1", "asia-southeast1",
        "australia-southeast1", "me-west1",
    }
)

TIER_SIZES: dict[str, dict[str, dict[str, str]]] = {
    "free": {"cluster": {"instance_type": "e2-standard-2"}, "database": {"instance_class": "db-custom-1-3840"},
             "cache": {"node_type": "BASIC"}},
    "standard": {"cluster": {"instance_type": "e2-standard-4"}, "database": {"instance_class": "db-custom-2-7680"},
                 "cache": {"node_type": "BASIC"}},
    "premium": {"cluster": {"instance_type": "n2-standard-8"}, "database": {"instance_class": "db-custom-4-15360"},
                "cache": {"node_type": "STANDARD_HA"}},
    "enterprise": {"cluster": {"instance_type": "n2-standard-16"}, "database": {"instance_class": "db-custom-8-30720"},
                   "cache": {"node_type": "STANDARD_HA"}},
}
INSTANCE_TYPE_PATTERN = r"^[a-z0-9]+-[a-z0-9-]+$"
CIDR = r"^(\d{1,3}\.){3}\d{1,3}/\d{1,2}$"

# Machine types (https://cloud.google.com/compute/docs/machine-resource): <series>-<type>-<vCPUs>,
# the shared-core e2-micro/small/medium, f1-micro, g1-small, and custom types.
SERIES = "e2 n1 n2 n2d n4 c2 c2d c3 c3d c4 c4a c4d t2a t2d m1 m2 m3 m4 a2 a3 a4 g2 h3 z3".split()
_MACHINE = re.compile(
    rf"^(?:(?:{'|'.join(SERIES)})-(?:standard|highmem|highcpu|megamem|ultramem|hypermem|highgpu|megagpu|ultragpu"
    r"|edgegpu)-(?:[1-9][0-9]{0,2})(?:-lssd|-metal)?|e2-(?:micro|small|medium)|f1-micro|g1-small"
    r"|(?:(?:e2|n2|n2d|n4)-)?custom-[1-9][0-9]{0,2}-[1-9][0-9]{2,6}(?:-ext)?)$"
)
# Cloud SQL tiers: db-custom-<vCPUs>-<MiB>, the shared-core db-f1-micro and db-g1-small, db-perf-optimized-N-<vCPUs>.
_SQL_CUSTOM = re.compile(r"^db-custom-(?P<cpus>[0-9]{1,2})-(?P<mib>[0-9]{3,6})$")
_SQL_OTHER = re.compile(r"^(?:db-f1-micro|db-g1-small|db-perf-optimized-N-(?:2|4|8|16|32|48|64|80|96|128))$")
CACHE_TIERS = ("BASIC", "STANDARD_HA")


def check_instance_type(value: str) -> None:
    if len(value) > 40 or not _MACHINE.match(value):
        raise ValueError(f"{value[:60]!r} is not a GCE machine type (<series>-<type>-<vCPUs>, e.g. n2-standard-8)")


def check_database_class(value: str) -> None:
    if len(value) <= 40 and _SQL_OTHER.match(value):
        return
    match = _SQL_CUSTOM.match(value) if len(value) <= 40 else None
    if match is None:
        raise ValueError(f"{value[:60]!r} is not a Cloud SQL tier (db-custom-<vCPUs>-<MiB>, e.g. db-custom-2-7680)")
    cpus, mib = int(match.group("cpus")), int(match.group("mib"))
    # Cloud SQL custom machines: 1 or an even number of vCPUs up to 96; 0.9-6.5 GiB per vCPU, in 256 MiB steps.
    if not (cpus == 1 or (cpus % 2 == 0 and 2 <= cpus <= 96)):
        raise ValueError(f"{value!r}: vCPUs must be 1 or an even number up to 96")
    if mib % 256 or not max(3840, 0.9 * 1024 * cpus) <= mib <= 6.5 * 1024 * cpus:
        raise ValueError(f"{value!r}: memory must be a multiple of 256 MiB, 3840 MiB or more, 0.9-6.5 GiB per vCPU")


def check_cache_node_type(value: str) -> None:
    if value not in CACHE_TIERS:
        raise ValueError(f"{value[:60]!r} is not a Memorystore tier (BASIC or STANDARD_HA)")


PREFIXES = {"subnet_cidr": (16, 24), "pods_cidr": (9, 21), "services_cidr": (16, 24),
            "private_services_cidr": (16, 24), "master_cidr": (28, 28)}


class Options(StrictModel):
    """Knobs that exist on GCP only."""

    subnet_cidr: Annotated[
        str, Field(description="Primary IPv4 range of the tenant subnet (silo tenants): private space, /16 to /24.")
    ] = "10.2.0.0/20"
    pods_cidr: Annotated[
        str, Field(description="Secondary range of the subnet for GKE pods (VPC-native).")
    ] = "10.64.0.0/14"
    services_cidr: Annotated[
        str, Field(description="Secondary range of the subnet for GKE Services.")
    ] = "10.68.0.0/20"
    private_services_cidr: Annotated[
        str, Field(description="Range reserved for private service access (Cloud SQL, Memorystore).")
    ] = "10.69.0.0/16"
    master_cidr: Annotated[
        str, Field(description="/28 the GKE control plane's private endpoint lives in.")
    ] = "172.16.0.0/28"

    @field_validator("subnet_cidr", "pods_cidr", "services_cidr", "private_services_cidr", "master_cidr")
    @classmethod
    def _private_ranges(cls, value: str, info: ValidationInfo) -> str:
        # GKE: pods /9-/21, the control plane a /28; private service access at least a /24.
        private_network(value, *PREFIXES[str(info.field_name)])
        return value

    @model_validator(mode="after")
    def _ranges_disjoint(self) -> Options:
        names = ("subnet_cidr", "pods_cidr", "services_cidr", "private_services_cidr", "master_cidr")
        ranges = {k: getattr(self, k) for k in names}
        nets = {k: private_network(v, *PREFIXES[k]) for k, v in ranges.items()}
        for i, a in enumerate(names):
            for b in names[i + 1 :]:
                if nets[a].overlaps(nets[b]):
                    raise FieldError((b,), f"{ranges[b]} overlaps {a} ({ranges[a]})")
        return self
