"""Shared helpers for the Azure, GCP and multi-cloud tests (no tests here): tenants in tmp dirs, rendering."""

from __future__ import annotations

import functools
import importlib
import inspect
from pathlib import Path
from typing import Any

import yaml
from pulumi.runtime import rpc

from spec.loader import TenantFile, load_tenant
from tenantctl.render import RenderedTenant, render_tenant

ROOT = Path(__file__).resolve().parent.parent


def write_tenant(directory: Path, document: dict[str, Any]) -> TenantFile:
    path = directory / f"{document['tenant_id']}.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return load_tenant(path)


def render(tenant: TenantFile) -> RenderedTenant:
    return render_tenant(tenant, ROOT)


def unwrap(value: Any) -> Any:
    """Secrets unwrapped (tests look inside them), everything else as the engine got it."""
    if rpc.is_rpc_secret(value):
        return unwrap(value["value"])
    if isinstance(value, dict):
        return {k: unwrap(v) for k, v in value.items()}
    if isinstance(value, list):
        return [unwrap(v) for v in value]
    return value


def inputs(resource: Any) -> dict[str, Any]:
    return unwrap(resource.inputs)  # type: ignore[no-any-return]


@functools.cache
def accepts_tags(type_: str, argument: str) -> bool:
    """Whether the SDK class behind ``type_`` takes ``argument`` (tags / labels): read from the SDK, not our code."""
    package, module, name = type_.split(":")
    sdk = {"azure-native": "pulumi_azure_native", "gcp": "pulumi_gcp"}[package]
    mod = importlib.import_module(f"{sdk}.{module.split('/')[0]}")
    cls = getattr(mod, name, None)
    if cls is None:
        return False
    return argument in inspect.signature(cls._internal_init).parameters
