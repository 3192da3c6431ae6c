"""Tenant specification: YAML file → validated, tier-merged ``TenantSpec``.

Nothing here imports Pulumi or a cloud SDK: validating a tenant must stay cheap. The names below are
imported on first use, so ``import spec.durations`` (say, from the forecaster) does not pay for pydantic
models it never uses.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from spec.errors import SpecError, SpecErrors
    from spec.loader import load_tenant, load_tenants
    from spec.models import TenantSpec

_HOME = {
    "SpecError": "spec.errors",
    "SpecErrors": "spec.errors",
    "load_tenant": "spec.loader",
    "load_tenants": "spec.loader",
    "TenantSpec": "spec.models",
}

__all__ = ["SpecError", "SpecErrors", "TenantSpec", "load_tenant", "load_tenants"]


def __getattr__(name: str) -> Any:
    if name in _HOME:
        return getattr(importlib.import_module(_HOME[name]), name)
    raise AttributeError(f"module 'spec' has no attribute {name!r}")
