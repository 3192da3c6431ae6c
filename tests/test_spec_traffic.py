"""Ingress host names, rate limits, circuit breakers, SLOs and object storage in the tenant schema."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from spec import SpecErrors, load_tenant

BASE = "tenant_id: shop-standard\ntier: standard\ncloud: gcp\nregion: europe-west1\ntenant_config:\n"


def _load(tmp_path: Path, body: str):  # type: ignore[no-untyped-def]
    path = tmp_path / "shop-standard.yaml"
    path.write_text(BASE + body)
    return load_tenant(path, "shop-standard.yaml").spec.config


def _errors(tmp_path: Path, body: str) -> list[str]:
    with pytest.raises(SpecErrors) as caught:
        _load(tmp_path, body)
    return [str(e) for e in caught.value.errors]


def test_tier_defaults_fill_the_new_blocks(tmp_path: Path) -> None:
    config = _load(tmp_path, "  {}\n")
    assert config.ingress.hostnames == [] and config.ingress.load_balancer is None
    assert config.performance.rate_limit.burst >= config.performance.rate_limit.requests_per_second
    assert config.performance.circuit_breaker.enabled
    assert 90 <= config.monitoring.slo.availability < 100
    assert config.object_storage.noncurrent_version_days >= 1


@pytest.mark.parametrize("flag", [True, False])
def test_boolean_circuit_breaker_is_shorthand_for_the_tier_breaker(tmp_path: Path, flag: bool) -> None:
    breaker = _load(tmp_path, f"  performance:\n    circuit_breaker: {str(flag).lower()}\n").performance.circuit_breaker
    assert breaker.enabled is flag
    assert breaker.max_connections >= 1 and breaker.retries.attempts >= 0  # the rest still comes from the tier


def test_enterprise_slo_is_the_specification_target(tmp_path: Path) -> None:
    path = tmp_path / "big-enterprise.yaml"
    path.write_text("tenant_id: big-enterprise\ntier: enterprise\ncloud: aws\nregion: eu-west-1\n")
    slo = load_tenant(path, "big-enterprise.yaml").spec.config.monitoring.slo
    assert slo.availability == 99.99 and slo.latency_p95 < timedelta(milliseconds=101)


@pytest.mark.parametrize(
    ("host", "message"),
    [
        ("*.example.com", "wildcards are not allowed"),
        ("Shop.example.com", "not a lowercase fully qualified host name"),
        ("localhost", "not a lowercase fully qualified host name"),
        ("-bad.example.com", "not a lowercase fully qualified host name"),
        ("10.0.0.1", "is an IP address"),
        ("a" * 64 + ".example.com", "not a lowercase fully qualified host name"),
        ("x." * 130 + "com", "longer than 253"),
    ],
)
def test_hostile_host_names_are_refused_at_their_line(tmp_path: Path, host: str, message: str) -> None:
    errors = _errors(tmp_path, f"  ingress:\n    hostnames: [ok.example.com, '{host}']\n")
    assert len(errors) == 1 and message in errors[0]
    assert errors[0].startswith("shop-standard.yaml:7: tenant_config.ingress.hostnames.1:")


def test_repeated_host_names_and_too_many_are_refused(tmp_path: Path) -> None:
    assert "must not repeat" in _errors(tmp_path, "  ingress:\n    hostnames: [a.example.com, a.example.com]\n")[0]
    many = ", ".join(f"h{i}.example.com" for i in range(17))
    assert "at most 16" in _errors(tmp_path, f"  ingress:\n    hostnames: [{many}]\n")[0]


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ("  performance:\n    rate_limit: {requests_per_second: 100, burst: 10}\n", "rate_limit.burst", "≥ requests_per_second"),
        ("  performance:\n    rate_limit: {requests_per_second: 0}\n", "requests_per_second", "greater than or equal to 1"),
        ("  performance:\n    circuit_breaker: {retries: {attempts: 9}}\n", "retries.attempts", "less than or equal to 5"),
        ("  performance:\n    circuit_breaker: {ejection_time: 5h}\n", "ejection_time", "between 1s and 1h"),
        ("  monitoring:\n    slo: {availability: 100}\n", "slo.availability", "less than or equal to 99.999"),
        ("  monitoring:\n    slo: {latency_p95: 2m}\n", "slo.latency_p95", "between 1ms and 60s"),
        ("  object_storage: {noncurrent_version_days: 0}\n", "noncurrent_version_days", "greater than or equal to 1"),
        ("  ingress: {load_balancer: external}\n", "ingress.load_balancer", "'internal' or 'public'"),
    ],
)
def test_out_of_range_values_name_their_field(tmp_path: Path, body: str, field: str, message: str) -> None:
    errors = _errors(tmp_path, body)
    assert any(field in e and message in e for e in errors), errors
