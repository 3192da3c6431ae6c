"""One recommendation: which field of the tenant file changes, from what to what, what it saves and what it risks."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any


@dataclass(frozen=True)
class Recommendation:
    kind: str  # replicas | nodes | node-size | database | cache | spot
    changes: dict[tuple[str, ...], Any]  # tenant_config paths → proposed values
    current: dict[tuple[str, ...], Any]
    reason: str
    risk: str
    monthly_saving_usd: float | None = None  # None: the change is not priced (e.g. no cited spot price)
    evidence: dict[str, Any] = field(default_factory=dict)

    def priced(self, saving: float | None) -> Recommendation:
        return replace(self, monthly_saving_usd=saving)

    def summary(self) -> str:
        return ", ".join(f"{'.'.join(path)}: {self.current.get(path)} → {value}" for path, value in self.changes.items())

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "changes": [
                {"field": ".".join(("tenant_config", *path)), "from": self.current.get(path), "to": value}
                for path, value in self.changes.items()
            ],
            "monthly_saving_usd": None if self.monthly_saving_usd is None else round(self.monthly_saving_usd, 2),
            "reason": self.reason,
            "risk": self.risk,
            "evidence": self.evidence,
        }
