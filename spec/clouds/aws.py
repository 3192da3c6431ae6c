"""AWS facts for the schema."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import Field, field_validator

from spec.base import StrictModel
from spec.formats import private_network

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
INSTANCE_TYPE_PATTERN = r"^[a-z][a-z0-9-]*\.[a-z0-9-]+$"

# EC2 instance families (https://docs.aws.amazon.com/ec2/latest/instancetypes/instance-type-names.html);
# a type is <family>.<size>. RDS classes and ElastiCache node types reuse the EC2 family names.
EC2_FAMILIES = frozenset(
    """a1 c1 c3 c4 c5 c5a c5ad c5d c5n c6a c6g c6gd c6gn c6i c6id c6in c7a c7g c7gd c7gn c7i c7i-flex c8g c8gd
    d2 d3 d3en dl1 dl2q f1 f2 g3 g4ad g4dn g5 g5g g6 g6e gr6 h1 hpc6a hpc6id hpc7a hpc7g i2 i3 i3en i4g i4i i7i i7ie
    i8g im4gn inf1 inf2 is4gen m1 m2 m3 m4 m5 m5a m5ad m5d m5dn m5n m5zn m6a m6g m6gd m6i m6id m6idn m6in m7a m7g
    m7gd m7i m7i-flex m8g m8gd mac1 mac2 mac2-m1ultra mac2-m2 mac2-m2pro p2 p3 p3dn p4d p4de p5 p5e p5en r3 r4 r5
    r5a r5ad r5b r5d r5dn r5n r6a r6g r6gd r6i r6id r6idn r6in r7a r7g r7gd r7i r7iz r8g r8gd t1 t2 t3 t3a t4g
    trn1 trn1n trn2 u-3tb1 u-6tb1 u-9tb1 u-12tb1 u-18tb1 u-24tb1 u7i-12tb u7in-16tb vt1 x1 x1e x2gd x2idn x2iedn
    x2iezn x8g z1d""".split()
)
RDS_FAMILIES = frozenset(
    """m5 m5d m6g m6gd m6i m6id m6idn m6in m7g m7gd m7i m8g r5 r5b r5d r6g r6gd r6i r6id r6idn r6in r7g r7gd r7i
    r8g t3 t4g x2g x2idn x2iedn z1d c6gd""".split()
)
ELASTICACHE_FAMILIES = frozenset("t2 t3 t4g m4 m5 m6g m7g r4 r5 r6g r6gd r7g c7gn".split())
_SIZE = r"(?:nano|micro|small|medium|large|xlarge|(?:[2-9]|[1-9][0-9]{1,2})xlarge|metal(?:-[0-9]{2,3}xl)?)"
_TYPE = re.compile(rf"^(?P<family>[a-z][a-z0-9-]*)\.(?P<size>{_SIZE})$")
_BURSTABLE_SIZES = {"nano", "micro", "small", "medium", "large", "xlarge", "2xlarge"}


def _sized(value: str, families: frozenset[str], service: str, example: str, prefix: str = "") -> None:
    body = value[len(prefix):] if value.startswith(prefix) else None
    match = _TYPE.match(body) if body is not None and len(value) <= 48 else None
    if match is None:
        raise ValueError(f"{value[:60]!r} is not {service} ({prefix}<family>.<size>, e.g. {example})")
    family, size = match.group("family"), match.group("size")
    if family not in families:
        raise ValueError(f"{value!r} is not {service}: unknown family {family!r}")
    if family.startswith("t") and family[1:2].isdigit() and size not in _BURSTABLE_SIZES:
        raise ValueError(f"{value!r}: burstable {family} comes in {', '.join(sorted(_BURSTABLE_SIZES))} only")


def check_instance_type(value: str) -> None:
    _sized(value, EC2_FAMILIES, "an EC2 instance type", "m6i.large")


def check_database_class(value: str) -> None:
    _sized(value, RDS_FAMILIES, "an RDS instance class", "db.r6g.large", prefix="db.")


def check_cache_node_type(value: str) -> None:
    _sized(value, ELASTICACHE_FAMILIES, "an ElastiCache node type", "cache.r6g.large", prefix="cache.")


class Options(StrictModel):
    """Knobs that exist on AWS only."""

    vpc_cidr: Annotated[
        str, Field(description="IPv4 CIDR of the tenant VPC (silo tenants): private space, /16 or /17.")
    ] = "10.0.0.0/16"
    capacity_type: Annotated[
        Literal["ON_DEMAND", "SPOT"], Field(description="EKS managed node group capacity type.")
    ] = "ON_DEMAND"

    @field_validator("vpc_cidr")
    @classmethod
    def _private_vpc(cls, value: str) -> str:
        # The layout carves three /19 node subnets and a /19 for NAT out of it: at most a /17.
        private_network(value, 16, 17)
        return value
