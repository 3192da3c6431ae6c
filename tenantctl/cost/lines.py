"""A cost line: one billable item of one resource, with its monthly quantity at min / expected / max."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tenantctl.cost.catalogue import Price


@dataclass(frozen=True)
class Quantity:
    """Monthly quantity in the price's unit (hours, GB, GB-month, key-month, ...)."""

    min: float
    expected: float
    max: float

    @classmethod
    def fixed(cls, value: float) -> Quantity:
        return cls(value, value, value)

    @classmethod
    def usage(cls, expected: float) -> Quantity:
        """A usage-based quantity: none at the minimum, the preset at expected, a busy month (4×) at the maximum."""
        return cls(0, expected, expected * 4)

    def scaled(self, factor: float) -> Quantity:
        return Quantity(self.min * factor, self.expected * factor, self.max * factor)


@dataclass(frozen=True)
class Line:
    urn: str
    type: str
    name: str
    item: str  # what is billed: "cluster fee", "nodes: 3–20 × m6i.2xlarge", "storage: 200–4000 GB gp3"
    service: str
    sku: str  # what was looked up; for an unpriced line, what would need a price
    unit: str
    quantity: Quantity
    price: Price | None
    share: float = 1.0  # a pooled tenant's share of a shared resource (1 = its own)
    note: str = ""

    @property
    def priced(self) -> bool:
        return self.price is not None

    @property
    def key(self) -> str:
        """Identity across two estimates (a pull request's base and head)."""
        return f"{self.urn}#{self.item.split(':', 1)[0]}"

    def monthly(self) -> Quantity | None:
        if self.price is None:
            return None
        return self.quantity.scaled(self.price.usd * self.share)

    def to_json(self) -> dict[str, Any]:
        monthly = self.monthly()
        return {
            "urn": self.urn,
            "type": self.type,
            "name": self.name,
            "item": self.item,
            "service": self.service,
            "sku": self.sku,
            "unit": self.unit,
            "quantity": {"min": self.quantity.min, "expected": self.quantity.expected, "max": self.quantity.max},
            "share": round(self.share, 6),
            "priced": self.priced,
            "unit_usd": self.price.usd if self.price else None,
            "monthly_usd": None
            if monthly is None
            else {"min": round(monthly.min, 2), "expected": round(monthly.expected, 2), "max": round(monthly.max, 2)},
            "source": self.price.citation if self.price else None,
            "note": self.note,
        }
