"""Object metadata shared by every namespaced object of the tenancy."""

from __future__ import annotations

from typing import Any

import pulumi

from components.naming import k8s_labels
from spec.models import AnyTenant

# Object bodies are built as plain dicts in the engine's (camelCase) shape, the shape the schema tests
# validate; pulumi_kubernetes' TypedDicts accept them, but mypy cannot match a built dict against them.
Manifest = Any


def object_meta(
    name: str,
    namespace: pulumi.Input[str],
    spec: AnyTenant,
    labels: dict[str, str] | None = None,
    annotations: dict[str, pulumi.Input[str]] | None = None,
) -> Manifest:
    meta: dict[str, object] = {"name": name, "namespace": namespace, "labels": {**k8s_labels(spec), **(labels or {})}}
    if annotations is not None:
        meta["annotations"] = annotations
    return meta
