"""Property: any document either validates or raises the clean ``path:line: field: message`` error."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from spec import SpecErrors, load_tenant
from spec.loader import TenantFile

ERROR_LINE = re.compile(r"^.+\.yaml:\d+:( [\w.]+:)? .+$")

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-(10**6), 10**6), st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12), st.sampled_from(["500ms", "30d", "aws", "strict", "predictive", "eu-west-1", "AES-256"]),
)
keys = st.sampled_from(
    ["autoscaling", "monitoring", "security", "cluster", "database", "cache", "workload", "compliance",
     "min_replicas", "max_replicas", "metrics", "cpu_threshold", "strategy", "metrics_retention",
     "isolation_level", "frameworks", "waivers", "aws", "gcp", "azure", "bogus"]
)
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(keys, inner, max_size=4),
                      max_leaves=12)
documents = st.fixed_dictionaries(
    {
        "tenant_id": st.sampled_from(["prop", "Prop", "prop-x"]),
        "tier": st.sampled_from(["free", "standard", "premium", "enterprise", "gold"]),
        "cloud": st.sampled_from(["aws", "azure", "gcp", "ibm"]),
        "region": st.sampled_from(["eu-west-1", "westeurope", "europe-west1", "us-east-1", "mars-1"]),
    },
    optional={"tenant_config": st.dictionaries(keys, values, max_size=5)},
)


def _check(text: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "prop.yaml"
        path.write_text(text, encoding="utf-8")
        try:
            result = load_tenant(path)
        except SpecErrors as exc:
            assert exc.errors
            for error in exc.errors:
                assert ERROR_LINE.match(str(error)), str(error)
                assert error.line >= 1
        else:
            assert isinstance(result, TenantFile)
            assert result.spec.config.autoscaling.min_replicas <= result.spec.config.autoscaling.max_replicas


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents)
def test_any_document_validates_or_fails_cleanly(document: dict[str, Any]) -> None:
    import io

    buffer = io.StringIO()
    YAML(typ="safe").dump(document, buffer)
    _check(buffer.getvalue())


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=200))
def test_any_text_validates_or_fails_cleanly(text: str) -> None:
    _check(text)
