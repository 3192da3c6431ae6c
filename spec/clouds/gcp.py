"""GCP facts for the schema."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from spec.base import StrictModel

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


class Options(StrictModel):
    """Knobs that exist on GCP only."""

    subnet_cidr: Annotated[
        str, Field(description="Primary IPv4 range of the tenant subnet (silo tenants).", pattern=r"^10\.\d{1,3}\.0\.0/20$")
    ] = "10.2.0.0/20"
