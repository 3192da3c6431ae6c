"""Offline rendering: run the real program under Pulumi's mocks and record every registration.

Per tenant: a fresh event loop, ``reset_options``, its stack config, ``set_mocks``
with ``preview=False``, then the program. What is recorded is what the engine
would receive: type, name, parent, custom flag, dependencies and the inputs by
their engine (camelCase) names, the same names policies see.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
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
from tenantctl.sdk_offline import drop_aliases, no_stack_traces
from tenantctl.stack_config import StackConfig, read_stack_file, tenant_stack_config

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
    provider: str | None = None  # provider reference as registered: ``<provider URN>::<id>``
    # Only the properties whose value came from another resource's output, each with those URNs.
    property_dependencies: dict[str, list[str]] = field(default_factory=dict)
    additional_secret_outputs: list[str] = field(default_factory=list)

    def public_inputs(self) -> dict[str, Any]:
        return mask_secrets(self.inputs)

    @property
    def provider_urn(self) -> str | None:
        return self.provider.rsplit("::", 1)[0] if self.provider else None

    def to_json(self) -> dict[str, Any]:
        """One resource of the plan JSON; keys are only ever added (replay and other scanners read them)."""
        return {
            "urn": self.urn,
            "type": self.type,
            "name": self.name,
            "parent": self.parent,
            "custom": self.custom,
            "inputs": self.public_inputs(),
            "dependencies": list(self.dependencies),
            "propertyDependencies": {k: list(v) for k, v in self.property_dependencies.items()},
            "provider": self.provider_urn,
            "additionalSecretOutputs": list(self.additional_secret_outputs),
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
    # ``==``, not ``is``: the sentinel is a string, and a plan rendered in a worker process arrives unpickled.
    if (isinstance(value, str) and value == rpc.UNKNOWN) or isinstance(value, rpc.Unknown if hasattr(rpc, "Unknown") else ()):
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
        self.outputs: dict[str, Any] = {}  # the stack's exports, resolved (filled by ``_run_program``)

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
                    # Sorted: the SDK collects dependencies in sets, and a plan must be the same on every run.
                    dependencies=sorted(set(request.dependencies)),
                    provider=request.provider or None,
                    property_dependencies={
                        key: sorted(set(deps.urns)) for key, deps in sorted(request.propertyDependencies.items()) if deps.urns
                    },
                    additional_secret_outputs=sorted(request.additionalSecretOutputs),
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
    return _run_program(stack, values, secret_keys, tenants_dir).recorded


def _exports(monitor: RecordingMonitor, tenants_dir: Path | None) -> pulumi.Output[Any] | None:
    """Run the program, then resolve what it exported (the root stack keeps exports after its registration)."""
    # Offline nothing reads aliases: drop them before the SDK builds a URN for each (see sdk_offline).
    pulumi.runtime.register_stack_transformation(drop_aliases)
    program.run(tenants_dir)
    root = pulumi.runtime.get_root_resource()
    exported = dict(getattr(root, "outputs", None) or {})
    if not exported:
        return None
    return pulumi.Output.all(**exported).apply(monitor.outputs.update)


def _run_program(
    stack: str, values: dict[str, str], secret_keys: list[str], tenants_dir: Path | None = None
) -> RecordingMonitor:
    mocks = EstateMocks(stack)
    monitor = RecordingMonitor(mocks)
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        pulumi.runtime.reset_options(project=PROJECT, stack=stack, preview=False)
        pulumi.runtime.set_all_config(values, secret_keys)
        pulumi.runtime.set_mocks(mocks, project=PROJECT, stack=stack, preview=False, monitor=monitor)
        with no_stack_traces():
            pulumi.runtime.test(lambda: _exports(monitor, tenants_dir))()
    finally:
        loop.close()
        asyncio.set_event_loop(None)
    # Registration order depends on output resolution timing; URN order makes plans diffable and deterministic.
    monitor.recorded.sort(key=lambda r: r.urn)
    return monitor


def render_tenant(tenant: TenantFile, root: Path) -> RenderedTenant:
    stack = tenant_stack_config(tenant, root)
    try:
        resources = render_program(stack.stack, stack.values, stack.secret_keys, tenant.path.resolve().parent)
    except Exception as exc:
        raise RenderError(tenant.path, tenant.spec.tenant_id, exc) from exc
    return RenderedTenant(tenant=tenant, stack=stack, resources=resources)


def render_all(tenants: list[TenantFile], root: Path) -> list[RenderedTenant]:
    return [render_tenant(t, root) for t in tenants]


@dataclass
class RenderedStack:
    """A shared-cluster stack (``stacks/Pulumi.shared-<cloud>-<region>.yaml``) rendered like a tenant."""

    stack: str
    stack_file: Path
    config: dict[str, str]  # the stack file's config, every value as the program reads it
    resources: list[RenderedResource]
    outputs: dict[str, Any]  # what the stack exports (pooled tenants read these)

    @property
    def cloud(self) -> str:
        return self.config.get("tenant-platform:cloud", "")

    @property
    def region(self) -> str:
        return self.config.get("tenant-platform:region", "")

    def of_type(self, type_: str) -> list[RenderedResource]:
        return [r for r in self.resources if r.type == type_]


def shared_cluster_files(root: Path) -> list[Path]:
    """Every shared-cluster stack file of the project, by name."""
    return sorted((root / "stacks").glob("Pulumi.shared-*.yaml"))


def render_shared_cluster(stack_file: Path) -> RenderedStack:
    """Run the program with a shared-cluster stack file's config (``mode: shared-cluster``) under the mocks."""
    stack = stack_file.name.removeprefix("Pulumi.").removesuffix(".yaml")
    config = {k: v if isinstance(v, str) else json.dumps(v) for k, v in read_stack_file(stack_file).items()}
    if config.get("tenant-platform:mode") != "shared-cluster":
        raise ValueError(f"{stack_file}: not a shared-cluster stack (tenant-platform:mode is not shared-cluster)")
    try:
        monitor = _run_program(stack, config, [])
    except Exception as exc:
        raise RenderError(stack_file, stack, exc) from exc
    return RenderedStack(stack, stack_file, config, monitor.recorded, monitor.outputs)
