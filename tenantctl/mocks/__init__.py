"""Pulumi mocks that answer like the clouds would, so downstream inputs are concrete.

Each cloud module exposes ``outputs(type_, name, inputs) -> dict`` (extra state a
resource of that type reports after creation) and ``invoke(token, args) -> dict | None``.
Modules are imported lazily, like the builders.
"""

from __future__ import annotations

import hashlib
import importlib
from typing import Any

import pulumi

from tenantctl.placeholders import shared_cluster_outputs

_PROVIDER_MODULES = {
    "aws": "tenantctl.mocks.aws",
    "azure-native": "tenantctl.mocks.azure",
    "gcp": "tenantctl.mocks.gcp",
    "kubernetes": "tenantctl.mocks.kubernetes",
    "random": "tenantctl.mocks.random",
}


def fake_id(*parts: str) -> str:
    """Deterministic, plausible resource id: the same inputs render the same plan."""
    return hashlib.sha256("/".join(parts).encode()).hexdigest()[:17]


def _module(token: str) -> Any | None:
    package = token.split(":", 1)[0]
    if package == "pulumi" and token.startswith("pulumi:providers:"):
        return None
    name = _PROVIDER_MODULES.get(package)
    return importlib.import_module(name) if name else None


class EstateMocks(pulumi.runtime.Mocks):
    def __init__(self, stack: str) -> None:
        self.stack = stack

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        if args.typ == "pulumi:pulumi:StackReference":
            return args.name, {"name": args.name, "outputs": shared_cluster_outputs(args.name)}
        state = dict(args.inputs)
        rid = fake_id(self.stack, args.typ, args.name)
        module = _module(args.typ)
        if module is not None:
            state.update(module.outputs(args.typ, args.name, args.inputs, rid))
        return state.pop("id", None) or f"{args.name}-{rid}", state

    def call(self, args: pulumi.runtime.MockCallArgs) -> dict[str, Any]:  # type: ignore[override]
        # A plain dict means "no check failures" to MockMonitor (a (dict, None) tuple would crash it).
        module = _module(args.token)
        result = module.invoke(args.token, args.args) if module is not None else None
        return result if result is not None else {}
