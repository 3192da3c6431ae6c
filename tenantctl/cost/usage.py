"""Usage-based quantities: presets per tier, overridden per tenant by an optional usage file (as Infracost's).

A usage file (YAML)::

    defaults:                  # every tenant
      log_gb_ingested: 20
    tenants:
      spotify-premium:
        log_gb_ingested: 300   # GB of logs ingested per month, per log group / workspace / bucket
        nat_gb_processed: 2000 # GB through each NAT gateway per month
        object_gb_stored: 500  # GB in each object-storage bucket
        expected_scale: 0.5    # where "expected" sits between the min and max of nodes and replicas (0–1)
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

MAX_USAGE_FILE = 256 * 1024


class Usage(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    log_gb_ingested: Annotated[float, Field(ge=0, le=1e7, description="GB of logs ingested per month per log sink.")]
    nat_gb_processed: Annotated[float, Field(ge=0, le=1e8, description="GB processed per NAT gateway per month.")]
    object_gb_stored: Annotated[float, Field(ge=0, le=1e9, description="GB stored per object-storage bucket.")]
    expected_scale: Annotated[
        float, Field(ge=0, le=1, description="Expected point between min (0) and max (1) of nodes and replicas.")
    ]


class _Partial(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    log_gb_ingested: Annotated[float | None, Field(ge=0, le=1e7)] = None
    nat_gb_processed: Annotated[float | None, Field(ge=0, le=1e8)] = None
    object_gb_stored: Annotated[float | None, Field(ge=0, le=1e9)] = None
    expected_scale: Annotated[float | None, Field(ge=0, le=1)] = None


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    defaults: _Partial = _Partial()
    tenants: Annotated[dict[str, _Partial], Field(max_length=10_000)] = {}


# Tier presets: a free tenant is a hobby project, an enterprise tenant a production service with real traffic.
PRESETS: dict[str, Usage] = {
    "free": Usage(log_gb_ingested=1, nat_gb_processed=5, object_gb_stored=5, expected_scale=0.0),
    "standard": Usage(log_gb_ingested=10, nat_gb_processed=50, object_gb_stored=50, expected_scale=0.25),
    "premium": Usage(log_gb_ingested=50, nat_gb_processed=200, object_gb_stored=250, expected_scale=0.25),
    "enterprise": Usage(log_gb_ingested=200, nat_gb_processed=1000, object_gb_stored=1000, expected_scale=0.25),
}


class UsageError(Exception):
    """A bad usage file: ``path:line: field: message`` (exit 2)."""


class UsageFile:
    def __init__(self, defaults: _Partial | None = None, tenants: dict[str, _Partial] | None = None) -> None:
        self.defaults = defaults or _Partial()
        self.tenants = tenants or {}

    def for_tenant(self, tenant: str, tier: str) -> Usage:
        merged = PRESETS[tier].model_dump()
        for layer in (self.defaults, self.tenants.get(tenant)):
            if layer is not None:
                merged.update({k: v for k, v in layer.model_dump().items() if v is not None})
        return Usage(**merged)


def _numbers_as_floats(value: object) -> object:
    if isinstance(value, dict):
        return {k: _numbers_as_floats(v) for k, v in value.items()}
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value


def load_usage(path: Path | None) -> UsageFile:
    if path is None:
        return UsageFile()
    try:
        if path.stat().st_size > MAX_USAGE_FILE:
            raise UsageError(f"{path}:1: usage file: larger than {MAX_USAGE_FILE} bytes")
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}:1: usage file: cannot read ({exc})") from None
    yaml = YAML(typ="safe", pure=True)
    yaml.allow_duplicate_keys = False
    try:
        data = yaml.load(text) or {}
    except (YAMLError, RecursionError, ValueError) as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", 0) + 1
        raise UsageError(f"{path}:{line}: usage file: not valid YAML") from None
    try:
        parsed = _File.model_validate(_numbers_as_floats(data))
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"])
        raise UsageError(f"{path}:1: {field}: {first['msg']}") from None
    return UsageFile(parsed.defaults, parsed.tenants)
