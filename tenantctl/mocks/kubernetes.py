"""pulumi_kubernetes under mocks: objects come back as sent, with the metadata the API server adds."""

from __future__ import annotations

from typing import Any


def outputs(type_: str, name: str, inputs: dict[str, Any], rid: str) -> dict[str, Any]:
    metadata = dict(inputs.get("metadata") or {})
    metadata.setdefault("name", name)
    metadata.setdefault("uid", rid)
    return {"metadata": metadata} if type_.startswith("kubernetes:") and "metadata" in inputs else {}


def invoke(token: str, args: dict[str, Any]) -> dict[str, Any] | None:
    return None
