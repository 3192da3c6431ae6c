"""The pack's policies as ``tenantctl`` sees them, without starting the pack.

Imports the pack's own modules (they only need ``pulumi_policy``), so the names a waiver
may use are exactly the pack's.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path

PACK_DIR = Path(__file__).resolve().parents[2] / "policies"


def import_pack() -> None:
    """Put the pack folder on ``sys.path`` as the CLI does, so its ``tenant_policies`` package imports."""
    if str(PACK_DIR) not in sys.path:
        sys.path.insert(0, str(PACK_DIR))


@dataclass(frozen=True)
class PolicyEntry:
    name: str
    description: str
    severity: str
    mandatory: bool
    category: str
    remediation: str
    frameworks: tuple[str, ...]  # "gdpr:Art.32(1)(a)", "soc2:CC6.1", "iso27001:A.8.24"
    config_keys: tuple[str, ...]
    stack: bool
    critical: bool = False  # never waivable (encryption at rest, public exposure, tagging, cross-tenant, ...)


@cache
def policies() -> tuple[PolicyEntry, ...]:
    from pulumi_policy import StackValidationPolicy

    import_pack()

    from tenant_policies.base import CONTEXT_SCHEMA, meta_of
    from tenant_policies.catalog import POLICIES

    entries = []
    for policy in POLICIES:
        meta = meta_of(policy)
        entries.append(
            PolicyEntry(
                name=meta.name,
                description=meta.description,
                severity=meta.severity.value,
                mandatory=meta.mandatory,
                category=meta.category,
                remediation=meta.remediation,
                frameworks=tuple(t for t in meta.controls.tags() if ":" in t),
                config_keys=tuple([*CONTEXT_SCHEMA, *meta.config]),
                stack=isinstance(policy, StackValidationPolicy),
                critical=meta.critical,
            )
        )
    return tuple(entries)


def policy_names() -> frozenset[str]:
    return frozenset(p.name for p in policies())


def critical_policy_names() -> frozenset[str]:
    return frozenset(p.name for p in policies() if p.critical)


def by_name() -> dict[str, PolicyEntry]:
    return {p.name: p for p in policies()}
