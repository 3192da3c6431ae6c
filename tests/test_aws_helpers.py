"""Shared helpers of the AWS tests (rendering generated tenants, taggability from the SDK)."""

from __future__ import annotations

import importlib
import inspect
import json
from functools import cache
from pathlib import Path
from typing import Any

from pulumi.runtime import rpc

from spec.loader import load_tenant
from tenantctl.render import RenderedResource, RenderedTenant, render_tenant

ROOT = Path(__file__).resolve().parents[1]


def write_tenant(folder: Path, tenant_id: str, tier: str, config: dict[str, Any] | None = None,
                 region: str = "eu-west-1") -> Path:
    body: dict[str, Any] = {"tenant_id": tenant_id, "tier": tier, "cloud": "aws", "region": region}
    if config:
        body["tenant_config"] = config
    path = folder / f"{tenant_id}.yaml"
    path.write_text(json.dumps(body), encoding="utf-8")  # JSON is YAML
    return path


def render(path: Path) -> RenderedTenant:
    return render_tenant(load_tenant(path), ROOT)


@cache
def is_taggable(type_token: str) -> bool:
    """Whether the pulumi_aws resource behind a type token accepts ``tags`` (read from the SDK itself)."""
    _, module_path, cls_name = type_token.split(":")
    module = module_path.split("/")[0]
    if module == "lambda":
        module = "lambda_"
    mod = importlib.import_module(f"pulumi_aws.{module}" if module != "index" else "pulumi_aws")
    cls = getattr(mod, cls_name)
    return "tags" in inspect.signature(cls._internal_init).parameters


def aws_resources(rendered: RenderedTenant) -> list[RenderedResource]:
    return [r for r in rendered.resources if r.type.startswith("aws:")]


def unwrap(value: Any) -> Any:
    """Secrets' plain values (tests only look, nothing is printed)."""
    if rpc.is_rpc_secret(value):
        return unwrap(value["value"])
    if isinstance(value, dict):
        return {k: unwrap(v) for k, v in value.items()}
    if isinstance(value, list):
        return [unwrap(v) for v in value]
    return value


def by_name_suffix(rendered: RenderedTenant, type_: str, suffix: str) -> RenderedResource:
    found = [r for r in rendered.of_type(type_) if r.name.endswith(suffix)]
    assert len(found) == 1, f"{rendered.tenant_id}: {type_} *{suffix}: {[r.name for r in found]}"
    return found[0]
