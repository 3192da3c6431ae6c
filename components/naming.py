"""Names, tags and labels derived from the tenant, the same on every cloud."""

from __future__ import annotations

import hashlib
import re

from spec.models import AnyTenant

MANAGED_BY = "tenant-platform"


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
