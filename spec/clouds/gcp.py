"""GCP facts for the schema."""

from __future__ import annotations

import ipaddress
from typing import Annotated

from pydantic import Field, model_validator

from spec.base import FieldError, StrictModel

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


class Options(StrictModel):
    """Knobs that exist on GCP only."""

    subnet_cidr: Annotated[
        str, Field(description="Primary IPv4 range of the tenant subnet (silo tenants).", pattern=r"^10\.\d{1,3}\.0\.0/20$")
    ] = "10.2.0.0/20"
    pods_cidr: Annotated[
        str, Field(description="Secondary range of the subnet for GKE pods (VPC-native).", pattern=CIDR)
    ] = "10.64.0.0/14"
    services_cidr: Annotated[
        str, Field(description="Secondary range of the subnet for GKE Services.", pattern=CIDR)
    ] = "10.68.0.0/20"
    private_services_cidr: Annotated[
        str, Field(description="Range reserved for private service access (Cloud SQL, Memorystore).", pattern=CIDR)
    ] = "10.69.0.0/16"
    master_cidr: Annotated[
        str, Field(description="/28 the GKE control plane's private endpoint lives in.", pattern=r"^(\d{1,3}\.){3}\d{1,3}/28$")
    ] = "172.16.0.0/28"

    @model_validator(mode="after")
    def _ranges_disjoint(self) -> Options:
        names = ("subnet_cidr", "pods_cidr", "services_cidr", "private_services_cidr", "master_cidr")
        ranges = {k: getattr(self, k) for k in names}
        nets = {k: ipaddress.ip_network(v, strict=False) for k, v in ranges.items()}
        for i, a in enumerate(names):
            for b in names[i + 1 :]:
                if nets[a].overlaps(nets[b]):
                    raise FieldError((b,), f"{ranges[b]} overlaps {a} ({ranges[a]})")
        return self
