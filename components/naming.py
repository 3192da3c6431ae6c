"""Names, tags and labels derived from the tenant, the same on every cloud."""

from __future__ import annotations

import hashlib
import re

from spec.models import AnyTenant

MANAGED_BY = "tenant-platform"


# Longest name each service accepts: RDS identifiers and flexible servers 63 characters, Cloud SQL instances 95;
# ElastiCache replication groups and Memorystore instances 40, Azure Managed Redis clusters 60.
DATABASE_NAME_LIMIT = {"aws": 63, "azure": 63, "gcp": 95}
CACHE_NAME_LIMIT = {"aws": 40, "azure": 60, "gcp": 40}


def physical_name(base: str, suffix: str, max_len: int = 63) -> str:
    """``<base>-<suffix>`` within a service's length limit, still unique per tenant.

    Too long a base is cut and given a short hash of the whole base, so two tenants sharing a long
    prefix never collide.
    """
    full = f"{base}-{suffix}" if suffix else base
    if len(full) <= max_len:
        return full
    digest = hashlib.sha256(base.encode()).hexdigest()[:6]
    keep = max_len - len(suffix) - len(digest) - (2 if suffix else 1)
    cut = base[:keep].rstrip("-")
    return f"{cut}-{digest}-{suffix}" if suffix else f"{cut}-{digest}"


def database_name(tenant_id: str, cloud: str) -> str:
    """The tenant's PostgreSQL instance: RDS identifier, flexible server or Cloud SQL instance name."""
    return physical_name(tenant_id, "pg", DATABASE_NAME_LIMIT[cloud])


def cache_name(tenant_id: str, cloud: str) -> str:
    """The tenant's cache: ElastiCache replication group, Azure Managed Redis cluster or Memorystore instance."""
    return physical_name(tenant_id, "redis", CACHE_NAME_LIMIT[cloud])


def namespace_name(tenant_id: str) -> str:
    """Prefixed so that no tenant id (say ``kube-system``) can name a system namespace."""
    return f"tenant-{tenant_id}"


def tenant_group(tenant_id: str) -> str:
    """The identity-provider group bound to the tenant's namespace Role."""
    return f"tenant:{tenant_id}:developers"


def tenant_tags(spec: AnyTenant) -> dict[str, str]:
    """Tags every taggable resource carries (policy ``*-tenant-tag`` checks them)."""
    frameworks = spec.config.compliance.frameworks
    return {
        "tenant": spec.tenant_id,
        "tier": spec.tier,
        "isolation": spec.isolation,
        "managed-by": MANAGED_BY,
        "compliance": "+".join(frameworks) if frameworks else "none",
    }


def gcp_labels(tags: dict[str, str]) -> dict[str, str]:
    """GCP label rules: lowercase letters, digits, ``_`` and ``-``; at most 63 characters."""
    clean = {}
    for key, value in tags.items():
        k = re.sub(r"[^a-z0-9_-]", "_", key.lower())[:63]
        clean[k] = re.sub(r"[^a-z0-9_-]", "_", value.lower())[:63]
    return clean


def k8s_labels(spec: AnyTenant) -> dict[str, str]:
    return {
        "app.kubernetes.io/managed-by": MANAGED_BY,
        "tenant-platform.io/tenant": spec.tenant_id,
        "tenant-platform.io/tier": spec.tier,
        "tenant-platform.io/isolation": spec.isolation,
    }


def shared_cluster_stack(cloud: str, region: str) -> str:
    """Stack name of the shared regional cluster pooled tenants live on."""
    return f"shared-{cloud}-{region}"


def bucket_name(tenant_id: str, cloud: str) -> str:
    """The tenant's object storage: an S3/GCS bucket, or an Azure Storage account (3–24 lowercase alphanumerics).

    Globally unique namespaces: the Azure name keeps a hash of the full id, since the id itself may be cut.
    """
    if cloud == "azure":
        digest = hashlib.sha256(tenant_id.encode()).hexdigest()[:4]
        return "tp" + re.sub(r"[^a-z0-9]", "", tenant_id)[:18] + digest
    return f"tp-{tenant_id}-objects"
