"""The committed JSON Schema matches the models, and accepts exactly what the loader accepts on fixtures."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from ruamel.yaml import YAML

from spec.schema import SCHEMA_PATH, render_schema

ROOT = Path(__file__).resolve().parent.parent
VALID = sorted((ROOT / "tests" / "fixtures" / "tenants" / "valid").glob("*.yaml")) + sorted(
    (ROOT / "tenants").glob("*.yaml")
)


def test_committed_schema_is_fresh() -> None:
    assert SCHEMA_PATH.read_text(encoding="utf-8") == render_schema(), "stale schema: run `tenantctl schema`"


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.name)
def test_schema_accepts_valid_tenant_files(path: Path) -> None:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    # Editors see YAML dates as strings (the JSON data model); mirror that.
    document = json.loads(json.dumps(YAML(typ="safe").load(path.read_text(encoding="utf-8")), default=str))
    jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).validate(document)


def test_schema_rejects_cross_cloud_knob() -> None:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    document = {"tenant_id": "x", "tier": "free", "cloud": "aws", "region": "eu-west-1", "tenant_config": {"gcp": {}}}
    assert list(jsonschema.Draft202012Validator(schema).iter_errors(document))
