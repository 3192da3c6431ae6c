"""Every taggable resource carries the tenant tag (label on GCP and Kubernetes)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import Severity

from .base import INVENTORY, TAGGABLE, Context, Meta, get, resource_policy, tags_of

REMEDIATE = "Pass the tenant's tags (components.naming.tenant_tags / k8s_labels) to the resource."


def _meta(name: str, description: str) -> Meta:
    # The tenant tag is what every cross-tenant check keys on: critical, never waivable.
    return Meta(name, description, Severity.MEDIUM, REMEDIATE, INVENTORY, "isolation", True, critical=True)


def _tenant_tag(noun: str, where: str) -> Any:
    def check(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
        tags = tags_of(ctx.resource_type, props) or {}
        if ctx.resource_type.startswith("aws:") and not tags.get("tenant"):
            tags = dict(get(ctx.provider, "defaultTags", "tags") or {})  # the provider's default tags count
        if not tags.get("tenant") or (ctx.config.get("tenant") and tags["tenant"] != ctx.config["tenant"]):
            expected = ctx.config.get("tenant") or "<tenant id>"
            yield f"{noun} must carry the {where} {expected!r}."

    return check


def _is_k8s_object(type_: str) -> bool:
    return type_.startswith("kubernetes:") and not type_.startswith("kubernetes:helm")


POLICIES = [
    resource_policy(
        _meta("aws-resource-tenant-tag", "Checks that every taggable AWS resource carries the tenant tag."),
        TAGGABLE["aws"],
        _tenant_tag("AWS resource", "tag tenant:"),
    ),
    resource_policy(
        _meta("azure-resource-tenant-tag", "Checks that every taggable Azure resource carries the tenant tag."),
        TAGGABLE["azure"],
        _tenant_tag("Azure resource", "tag tenant:"),
    ),
    resource_policy(
        _meta("gcp-resource-tenant-label", "Checks that every labelable Google Cloud resource carries the tenant label."),
        TAGGABLE["gcp"],
        _tenant_tag("Google Cloud resource", "label tenant:"),
    ),
    resource_policy(
        _meta("kubernetes-object-tenant-label", "Checks that every Kubernetes object carries the tenant label."),
        _is_k8s_object,
        _tenant_tag("Kubernetes object", "label tenant-platform.io/tenant:"),
    ),
]
