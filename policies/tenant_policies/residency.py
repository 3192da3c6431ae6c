"""Residency: a tenant under GDPR keeps every regional resource in an EU region."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import Severity

from .base import RESIDENCY, Context, Meta, as_list, get, resource_policy

EU_REGIONS = {
    "aws": ["eu-west-1", "eu-west-2", "eu-west-3", "eu-central-1", "eu-central-2", "eu-north-1", "eu-south-1", "eu-south-2"],
    "azure": [
        "westeurope",
        "northeurope",
        "francecentral",
        "germanywestcentral",
        "swedencentral",
        "italynorth",
        "polandcentral",
        "spaincentral",
    ],
    "gcp": [
        "europe-west1",
        "europe-west2",
        "europe-west3",
        "europe-west4",
        "europe-west6",
        "europe-west8",
        "europe-west9",
        "europe-north1",
        "europe-central2",
        "europe-southwest1",
    ],
}
SCHEMA = {
    "euRegions": {
        "type": "array",
        "items": {"type": "string"},
        "description": "Regions that count as EU for GDPR residency (default: the platform's EU list).",
    }
}
ZONE = re.compile(r"^(?P<region>.+?)(-?[a-z]|-[a-z]\d?|-\d)$")


def _meta(name: str, description: str) -> Meta:
    return Meta(
        name,
        description,
        Severity.HIGH,
        "Deploy the resource in the tenant's EU region (region in the tenant file).",
        RESIDENCY,
        "residency",
        True,
        SCHEMA,
    )


def _places(cloud: str, props: Mapping[str, Any], provider: Mapping[str, Any]) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    if cloud == "aws":
        for key in ("region",):
            if isinstance(provider.get(key), str):
                found.append(("provider region", provider[key]))
        for key in ("region", "availabilityZone"):
            if isinstance(props.get(key), str):
                found.append((key, props[key]))
        for key in ("availabilityZones", "preferredCacheClusterAzs"):
            found.extend((key, str(z)) for z in as_list(props.get(key)) if isinstance(z, str))
    elif cloud == "azure":
        if isinstance(props.get("location"), str):
            found.append(("location", props["location"]))
    else:
        for key in ("region", "location", "zone", "locationId", "alternativeLocationId"):
            if isinstance(props.get(key), str):
                found.append((key, props[key]))
        found.extend(("nodeLocations", str(z)) for z in as_list(props.get("nodeLocations")) if isinstance(z, str))
        if isinstance(get(provider, "region"), str):
            found.append(("provider region", provider["region"]))
    return found


def _in_eu(cloud: str, place: str, eu: list[str]) -> bool:
    place = place.lower().replace(" ", "")
    if place in eu or place in {"global", "eu", "europe"}:
        return True
    match = ZONE.match(place)  # a zone (eu-west-1a, europe-west4-b) lies in its region
    return bool(match and match.group("region") in eu)


def _residency(cloud: str) -> Any:
    def check(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
        if "gdpr" not in ctx.frameworks:
            return
        eu = [r.lower() for r in ctx.setting("euRegions", EU_REGIONS[cloud])]
        places = _places(cloud, props, ctx.provider)
        if ctx.region:
            places.append(("tenant region", ctx.region))
        for key, place in places:
            if not _in_eu(cloud, place, eu):
                yield f"Resource of a GDPR tenant must be in an EU region ({key} is {place!r})."
                return

    return check


POLICIES = [
    resource_policy(
        _meta("aws-region-gdpr-residency", "Checks that a GDPR tenant's AWS resources stay in EU regions."),
        lambda t: t.startswith("aws:"),
        _residency("aws"),
    ),
    resource_policy(
        _meta("azure-location-gdpr-residency", "Checks that a GDPR tenant's Azure resources stay in EU regions."),
        lambda t: t.startswith("azure-native:"),
        _residency("azure"),
    ),
    resource_policy(
        _meta("gcp-location-gdpr-residency", "Checks that a GDPR tenant's Google Cloud resources stay in EU regions."),
        lambda t: t.startswith("gcp:"),
        _residency("gcp"),
    ),
]
