"""Refresh the catalogue from the vendors' public price endpoints (run by hand, with network access).

Three endpoint formats, each parsed into quotes and matched to catalogue rows by the same keys:

- AWS Price List bulk offer file
  (``https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/<offer>/current/<region>/index.json``):
  ``products.<sku>.attributes`` joined to ``terms.OnDemand.<sku>.*.priceDimensions.*.pricePerUnit.USD``,
  dated by ``publicationDate``.
- Azure Retail Prices API (``https://prices.azure.com/api/retail/prices?...``): ``Items[]`` with
  ``armRegionName``, ``armSkuName``/``skuName``/``meterName``, ``retailPrice``, ``type: Consumption``,
  ``tierMinimumUnits`` 0, ``effectiveStartDate``.
- GCP Cloud Billing Catalog API (``https://cloudbilling.googleapis.com/v1/services/<id>/skus``): ``skus[]`` with
  ``description``, ``serviceRegions``, ``category.usageType: OnDemand``,
  ``pricingInfo[0].pricingExpression.tieredRates[-1].unitPrice``, ``effectiveTime``.

Only rows whose key matches a quote change; each changed row gets the endpoint URL as source, the field
read as detail and the endpoint's date. Nothing is fetched here: ``fetch`` is the caller's (``urllib``),
so the parsers are tested against recorded responses.

    python -m tenantctl.cost.refresh --aws offer.json --azure retail.json --gcp skus.json [--write]
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from tenantctl.cost.catalogue import CATALOGUE, COLUMNS, Price, read


@dataclass(frozen=True)
class Quote:
    cloud: str
    key: tuple[str, ...]  # what identifies the SKU at the endpoint, matched by ``key_of``
    region: str
    usd: float
    date: str
    source: str
    detail: str


def key_of(row: Price) -> tuple[str, ...] | None:
    """The endpoint key a catalogue row is refreshed by, or None (refreshed by hand)."""
    name = row.sku.split(" (", 1)[0]
    if row.cloud == "aws" and row.service == "EC2":
        return ("AmazonEC2", name)
    if row.cloud == "azure" and row.service == "Virtual Machines":
        return ("Virtual Machines", name)
    if row.cloud == "gcp" and row.service == "Cloud SQL":
        return ("Cloud SQL", row.sku)
    if row.cloud == "gcp" and row.service == "Memorystore for Redis":
        return ("Memorystore", row.sku)
    return None


def aws_quotes(offer: Mapping[str, Any], url: str) -> list[Quote]:
    """EC2 Linux shared on-demand instance-hours from a bulk offer file."""
    out = []
    date = str(offer.get("publicationDate", ""))
    terms = (offer.get("terms") or {}).get("OnDemand") or {}
    for sku, product in (offer.get("products") or {}).items():
        attrs = product.get("attributes") or {}
        wanted = {"operatingSystem": "Linux", "tenancy": "Shared", "preInstalledSw": "NA", "capacitystatus": "Used"}
        if not attrs.get("instanceType") or any(attrs.get(k) != v for k, v in wanted.items()):
            continue
        for term in (terms.get(sku) or {}).values():
            for dimension in (term.get("priceDimensions") or {}).values():
                usd = float((dimension.get("pricePerUnit") or {}).get("USD", "nan"))
                if dimension.get("unit") == "Hrs" and usd > 0:
                    region = str(attrs.get("regionCode", ""))
                    out.append(
                        Quote(
                            "aws",
                            ("AmazonEC2", attrs["instanceType"]),
                            region,
                            usd,
                            date,
                            url,
                            f"products[{sku}] terms.OnDemand priceDimensions {dimension.get('rateCode', '')}",
                        )
                    )
    return out


def azure_quotes(response: Mapping[str, Any], url: str) -> list[Quote]:
    """Linux pay-as-you-go VM hours from a Retail Prices API page."""
    out = []
    for item in response.get("Items") or []:
        if item.get("type") != "Consumption" or float(item.get("tierMinimumUnits", 0)) != 0:
            continue
        name = str(item.get("productName", ""))
        sku = str(item.get("skuName", ""))
        if item.get("serviceName") != "Virtual Machines" or "Windows" in name or "Spot" in sku or "Low Priority" in sku:
            continue
        out.append(
            Quote(
                "azure",
                ("Virtual Machines", str(item.get("armSkuName", ""))),
                str(item.get("armRegionName", "")),
                float(item["retailPrice"]),
                str(item.get("effectiveStartDate", ""))[:10],
                url,
                f"meterId {item.get('meterId', '?')} productName {name!r} retailPrice {item['retailPrice']}",
            )
        )
    return out


_GCP_SQL = re.compile(r"Cloud SQL for PostgreSQL: (Zonal|Regional) - (vCPU|RAM) in (.+)")
_GCP_REGIONS = {"Iowa": "us-central1", "Netherlands": "europe-west4", "Belgium": "europe-west1"}


def gcp_quotes(response: Mapping[str, Any], url: str) -> list[Quote]:
    """Cloud SQL vCPU/RAM and Memorystore capacity prices from a Cloud Billing Catalog SKU list."""
    out = []
    for sku in response.get("skus") or []:
        if (sku.get("category") or {}).get("usageType") != "OnDemand":
            continue
        info = (sku.get("pricingInfo") or [{}])[0]
        rates = (info.get("pricingExpression") or {}).get("tieredRates") or []
        if not rates:
            continue
        price = rates[-1].get("unitPrice") or {}
        usd = float(price.get("units", 0) or 0) + float(price.get("nanos", 0) or 0) / 1e9
        description = str(sku.get("description", ""))
        date = str(info.get("effectiveTime", ""))[:10]
        detail = f"skuId {sku.get('skuId', '?')} {description!r}"
        if match := _GCP_SQL.fullmatch(description):
            availability, what, place = match.groups()
            kind = "zonal" if availability == "Zonal" else "regional (HA)"
            name = f"PostgreSQL Enterprise {'vCPU' if what == 'vCPU' else 'memory'}; {kind}"
            region = _GCP_REGIONS.get(place, place)
            out.append(Quote("gcp", ("Cloud SQL", name), region, usd, date, url, detail))
        elif match := re.fullmatch(r"Redis Capacity (Basic|Standard) (M[1-5]) (.+)", description):
            tier, capacity, place = match.groups()
            name = f"{tier} tier; capacity tier {capacity}"
            out.append(Quote("gcp", ("Memorystore", name), _GCP_REGIONS.get(place, place), usd, date, url, detail))
    return out


@dataclass(frozen=True)
class Change:
    before: Price
    after: Price


def apply(rows: Iterable[Price], quotes: Iterable[Quote]) -> tuple[list[Price], list[Change]]:
    by_key = {(q.cloud, q.key, q.region): q for q in quotes}
    updated, changes = [], []
    for row in rows:
        key = key_of(row)
        quote = by_key.get((row.cloud, key, row.region)) if key else None
        if quote is None:
            updated.append(row)
            continue
        new = replace(row, usd=quote.usd, price_date=quote.date or "not printed", source=quote.source, source_detail=quote.detail)
        updated.append(new)
        if new != row:
            changes.append(Change(row, new))
    return updated, changes


def write(rows: Iterable[Price], path: Path = CATALOGUE) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(COLUMNS), lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({c: (repr(row.usd) if c == "usd" else getattr(row, c)) for c in COLUMNS})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Refresh catalogue prices from recorded or fetched endpoint responses.")
    for cloud in ("aws", "azure", "gcp"):
        parser.add_argument(f"--{cloud}", type=Path, action="append", default=[], help=f"{cloud} endpoint response (JSON)")
    parser.add_argument("--url", default="", help="the endpoint URL the responses came from (recorded as source)")
    parser.add_argument("--write", action="store_true", help="rewrite tenantctl/cost/catalogue.csv")
    args = parser.parse_args(argv)
    quotes: list[Quote] = []
    for cloud, parse in (("aws", aws_quotes), ("azure", azure_quotes), ("gcp", gcp_quotes)):
        for path in getattr(args, cloud):
            try:
                quotes += parse(json.loads(path.read_text(encoding="utf-8")), args.url or str(path))
            except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
                print(f"{path}:1: {cloud} response: not readable ({type(exc).__name__}: {exc})", file=sys.stderr)
                return 2
    rows, changes = apply(read(), quotes)
    for change in changes:
        print(
            f"{change.before.cloud} {change.before.service} {change.before.sku} {change.before.region}: "
            f"{change.before.usd:g} → {change.after.usd:g} ({change.after.price_date})"
        )
    if args.write:
        write(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
