"""The price catalogue: cited, dated on-demand list prices for the SKUs the tiers and examples use.

``catalogue.csv`` holds one row per price with its source (URL or ``github:owner/repo@commit:path``),
the line read (``source_detail``), the date the source prints and its licence. The rows were taken
from the platform's pricing research (list prices, 730 hours a month, as Infracost); nothing in it
is estimated. Lookup: exact (cloud, service, sku, region), else the ``global`` row of the same SKU,
else the item is unpriced (a visible line, never $0).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

HOURS_PER_MONTH = 730  # the Infracost convention (HourToMonthUnitMultiplier)
CATALOGUE = Path(__file__).resolve().parent / "catalogue.csv"
COLUMNS = ("cloud", "service", "sku", "region", "unit", "usd", "price_date", "source", "source_detail", "licence")


@dataclass(frozen=True)
class Price:
    cloud: str
    service: str
    sku: str
    region: str
    unit: str
    usd: float
    price_date: str
    source: str
    source_detail: str
    licence: str

    @property
    def citation(self) -> str:
        return f"{self.source} ({self.price_date})"


def read(path: Path = CATALOGUE) -> list[Price]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if tuple(reader.fieldnames or ()) != COLUMNS:
            raise ValueError(f"{path}: columns must be {', '.join(COLUMNS)}")
        return [Price(**{**row, "usd": float(row["usd"])}) for row in reader]  # type: ignore[arg-type]


@cache
def _index() -> dict[tuple[str, str, str, str], Price]:
    return {(p.cloud, p.service, p.sku, p.region): p for p in read()}


def lookup(cloud: str, service: str, sku: str, region: str) -> Price | None:
    """The row for the region, else the SKU's global row, else None (unpriced)."""
    index = _index()
    return index.get((cloud, service, sku, region)) or index.get((cloud, service, sku, "global"))
