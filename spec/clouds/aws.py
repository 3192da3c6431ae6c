"""AWS facts for the schema."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from spec.base import StrictModel

EU_REGIONS = frozenset(
    {"eu-west-1", "eu-west-2", "eu-west-3", "eu-central-1", "eu-central-2", "eu-north-1", "eu-south-1", "eu-south-2"}
)
REGIONS = EU_REGIONS | frozenset(
    {
        "us-east-1", "us-east-2", "us-west-1", "us-west-2", "ca-central-1", "sa-east-1",
        "ap-south-1", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-southeast-1",
        "ap-southeast-2", "me-central-1", "af-south-1",
    }
)

# Graviton-free x86 defaults so that any AMI works; tenants override per key.
TIER_SIZES: dict[str, dict[str, dict[str, str]]] = {
    "free": {"cluster": {"instance_type": "t3.large"}, "database": {"instance_class": "db.t4g.micro"},
             "cache": {"node_type": "cache.t4g.micro"}},
    "standard": {"cluster": {"instance_type": "m6i.large"}, "database": {"instance_class": "db.t4g.medium"},
                 "cache": {"node_type": "cache.t4g.small"}},
    "premium": {"cluster": {"instance_type": "m6i.xlarge"}, "database": {"instance_class": "db.r6g.large"},
                "cache": {"node_type": "cache.r6g.large"}},
    "enterprise": {"cluster": {"instance_type": "m6i.2xlarge"}, "database": {"instance_class": "db.r6g.xlarge"},
                   "cache": {"node_type": "cache.r6g.xlarge"}},
}
INSTANCE_TYPE_PATTERN = r"^[a-z][a-z0-9-]*\.[a-z0-9]+$"


class Options(StrictModel):
    """Knobs that exist on AWS only."""

    vpc_cidr: Annotated[
        str, Field(description="IPv4 CIDR of the tenant VPC (silo tenants).", pattern=r"^10\.\d{1,3}\.0\.0/16$")
    ] = "10.0.0.0/16"
    capacity_type: Annotated[
        Literal["ON_DEMAND", "SPOT"], Field(description="EKS managed node group capacity type.")
    ] = "ON_DEMAND"
