"""Tenant specification: YAML file → validated, tier-merged ``TenantSpec``.

Nothing here imports Pulumi or a cloud SDK: validating a tenant must stay cheap.
"""

from spec.errors import SpecError, SpecErrors
from spec.loader import load_tenant, load_tenants
from spec.models import TenantSpec

__all__ = ["SpecError", "SpecErrors", "TenantSpec", "load_tenant", "load_tenants"]
