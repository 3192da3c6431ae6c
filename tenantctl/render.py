"""Offline rendering: run the real program under Pulumi's mocks and record every registration.

Per tenant: a fresh event loop, ``reset_options``, its stack config, ``set_mocks``
with ``preview=False``, then the program. What is recorded is what the engine
would receive: type, name, parent, custom flag, dependencies and the inputs by
their engine (camelCase) names, the same names policies see.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
from pulumi.runtime import rpc
from pulumi.runtime.mocks import MockMonitor

from components import program
from spec.loader import TenantFile
from tenantctl.errors import RenderError
from tenantctl.mocks import EstateMocks
from tenantctl.stack_config import StackConfig, tenant_stack_config

PROJECT = "tenant-platform"
SECRET = "[secret]"
UNKNOWN = "[unknown]"


@dataclass
class RenderedResource:
    urn: str
    type: str
    name: str
    parent: str | None
    custom: bool
    inputs: dict[str, Any]  # secrets still wrapped; ``public_inputs`` masks them
    dependencies: list[str] = field(default_factory=list)
    provider: str | None = None

    def public_inputs(self) -> dict[str, Any]:
        return mask_secrets(self.inputs)

    def to_json(self) -> dict[str, Any]:
        return {
            "urn": self.urn,
            "type": self.type,
            "name": self.name,
            "parent": self.parent,
            "custom": self.custom,
            "inputs": self.public_inputs(),
        }


@dataclass
class RenderedTenant:
    tenant: TenantFile
    stack: StackConfig
    resources: list[RenderedResource]

    @property
    def tenant_id(self) -> str:
        return self.tenant.spec.tenant_id

    def of_type(self, type_: str) -> list[RenderedResource]:
        return [r for r in self.resources if r.type == type_]

    def one(self, type_: str) -> RenderedResource:
        found = self.of_type(type_)
        if len(found) != 1:
            raise LookupError(f"{self.tenant_id}: expected one {type_}, found {len(found)}")
        return found[0]


def mask_secrets(value: Any) -> Any:
    if rpc.is_rpc_secret(value):
        return SECRET
    if value is rpc.UNKNOWN or isinstance(value, rpc.Unknown if hasattr(rpc, "Unknown") else ()):
        return UNKNOWN
    if isinstance(value, dict):
        return {k: mask_secrets(v) for k, v in value.items()}
    if isinstance(value, list):
        return [mask_secrets(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, (pulumi.Asset, pulumi.Archive)):
        return _asset(value)
    return str(value)


def _asset(value: pulumi.Asset | pulumi.Archive) -> dict[str, Any]:
    """Assets by content, not by object identity, so a plan is the same on every run."""
    if isinstance(value, pulumi.StringAsset):
        return {"asset": "string", "sha256": hashlib.sha256(value.text.encode()).hexdigest()}
    if isinstance(value, pulumi.AssetArchive):
        return {"archive": {name: mask_secrets(item) for name, item in sorted(value.assets.items())}}
    for attribute in ("path", "uri"):
        if isinstance(getattr(value, attribute, None), str):
            return {type(value).__name__: getattr(value, attribute)}
    return {type(value).__name__: None}


class RecordingMonitor(MockMonitor):
    """The SDK's mock monitor, also keeping what it was asked to register."""

    def __init__(self, mocks: pulumi.runtime.Mocks) -> None:
        super().__init__(mocks)
        self.recorded: list[RenderedResource] = []

    def RegisterResource(self, request: Any) -> Any:  # noqa: N802 (gRPC method name)
        response = super().RegisterResource(request)
        if request.type != "pulumi:pulumi:Stack":
            self.recorded.append(
                RenderedResource(
                    urn=response.urn,
                    type=request.type,
                    name=request.name,
                    parent=request.parent or None,
                    custom=bool(request.custom),
                    inputs=rpc.deserialize_properties(request.object, keep_unknowns=True),
                    dependencies=list(request.dependencies),
                    provider=request.provider or None,
                )
            )
        return response


class _Quiet(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return False


def render_program(
    stack: str, values: dict[str, str], secret_keys: list[str], tenants_dir: Path | None = None
) -> list[RenderedResource]:
    """Run the program for ``stack`` with this config under the mocks; every registration, in URN order.

    ``tenants_dir`` is the folder the stack's ``<stack>.yaml`` is read from (default: the project's
    ``tenants/``), so fixtures elsewhere render while the program still loads only the stack's own file."""
    mocks = EstateMocks(stack)
    monitor = RecordingMonitor(mocks)
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        pulumi.runtime.reset_options(project=PROJECT, stack=stack, preview=False)
        pulumi.runtime.set_all_config(values, secret_keys)
        pulumi.runtime.set_mocks(mocks, project=PROJECT, stack=stack, preview=False, monitor=monitor)
        pulumi.runtime.test(lambda: program.run(tenants_dir))()
    finally:
        loop.close()
        asyncio.set_event_loop(None)
    # Registration order depends on output resolution timing; URN order makes plans diffable and deterministic.
    return sorted(monitor.recorded, key=lambda r: r.urn)


def render_tenant(tenant: TenantFile, root: Path) -> RenderedTenant:
    stack = tenant_stack_config(tenant, root)
    try:
        resources = render_program(stack.stack, stack.values, stack.secret_keys, tenant.path.resolve().parent)
    except Exception as exc:
        raise RenderError(tenant.path, tenant.spec.tenant_id, exc) from exc
    return RenderedTenant(tenant=tenant, stack=stack, resources=resources)


def render_all(tenants: list[TenantFile], root: Path) -> list[RenderedTenant]:
    return [render_tenant(t, root) for t in tenants]
