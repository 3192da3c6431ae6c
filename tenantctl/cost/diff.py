"""A pull request's cost change: the head estimate against the base branch's cost JSON, per tenant and per resource item."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MAX_BASE_BYTES = 64 << 20


class BaseError(Exception):
    """The base cost JSON is unreadable or of the wrong shape (exit 2)."""


@dataclass(frozen=True)
class ItemDelta:
    key: str
    item: str
    expected: float


@dataclass
class Delta:
    tenant: str
    expected: float
    min: float
    max: float
    resources: list[ItemDelta] = field(default_factory=list)


def _monthly(entry: dict[str, Any]) -> dict[str, float]:
    value = entry.get("monthly_usd") or {}
    return {k: float(value.get(k) or 0.0) for k in ("min", "expected", "max")}


def _items(tenant: dict[str, Any]) -> dict[str, tuple[str, float]]:
    out: dict[str, tuple[str, float]] = {}
    for line in tenant.get("lines") or []:
        monthly = line.get("monthly_usd") or {}
        key = f"{line.get('urn')}#{str(line.get('item', '')).split(':', 1)[0]}"
        previous = out.get(key, ("", 0.0))[1]
        out[key] = (str(line.get("item", "")), previous + float(monthly.get("expected") or 0.0))
    return out


def load_base(path: Path) -> dict[str, dict[str, Any]]:
    try:
        if path.stat().st_size > MAX_BASE_BYTES:
            raise BaseError(f"{path}:1: base cost: larger than {MAX_BASE_BYTES} bytes")
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise BaseError(f"{path}:1: base cost: cannot read ({exc})") from None
    except (ValueError, RecursionError) as exc:
        raise BaseError(f"{path}:1: base cost: not JSON ({type(exc).__name__})") from None
    tenants = document.get("tenants") if isinstance(document, dict) else None
    if not isinstance(tenants, list) or not all(isinstance(t, dict) and isinstance(t.get("tenant"), str) for t in tenants):
        raise BaseError(f"{path}:1: base cost: not a `tenantctl cost --format json` document (a `tenants` list)")
    return {t["tenant"]: t for t in tenants}


def compare(head: list[dict[str, Any]], base: dict[str, dict[str, Any]]) -> list[Delta]:
    """Deltas for every tenant in head or base (a removed tenant shows its whole cost as negative)."""
    head_by = {t["tenant"]: t for t in head}
    deltas = []
    for tenant in sorted(set(head_by) | set(base)):
        new, old = head_by.get(tenant, {}), base.get(tenant, {})
        now, before = _monthly(new), _monthly(old)
        delta = Delta(tenant, now["expected"] - before["expected"], now["min"] - before["min"], now["max"] - before["max"])
        new_items, old_items = _items(new), _items(old)
        for key in sorted(set(new_items) | set(old_items)):
            item = (new_items.get(key) or old_items[key])[0]
            change = new_items.get(key, ("", 0.0))[1] - old_items.get(key, ("", 0.0))[1]
            if abs(change) >= 0.005:
                delta.resources.append(ItemDelta(key, item, change))
        if tenant in head_by:
            deltas.append(delta)
        else:
            deltas.append(Delta(f"{tenant} (removed)", delta.expected, delta.min, delta.max, delta.resources))
    return deltas
