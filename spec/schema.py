"""JSON Schema of tenant files, generated from the models (editors validate with it via the modeline)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from spec.models import REGIONS, TENANT_ADAPTER

SCHEMA_PATH = Path(__file__).with_name("tenant.schema.json")
SCHEMA_ID = "https://tenant-platform.dev/schemas/tenant.schema.json"


def tenant_json_schema() -> dict[str, Any]:
    schema = TENANT_ADAPTER.json_schema(mode="validation")
    for cloud, variant in (("aws", "AwsTenant"), ("azure", "AzureTenant"), ("gcp", "GcpTenant")):
        definition = schema["$defs"][variant]
        # The loader fills tenant_config from the tier, so a file may omit it entirely.
        definition["required"] = [k for k in definition["required"] if k != "tenant_config"]
        definition["properties"]["region"]["enum"] = sorted(REGIONS[cloud])
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "tenant-platform tenant file",
        "description": "One tenant. Keys under tenant_config are optional: omitted values come from the tier.",
        **schema,
    }


def render_schema() -> str:
    return json.dumps(tenant_json_schema(), indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def write_schema(path: Path = SCHEMA_PATH) -> bool:
    """Write the schema; True when the file changed."""
    text = render_schema()
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return False
    path.write_text(text, encoding="utf-8")
    return True
