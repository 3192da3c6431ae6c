"""Tenant files: happy fixtures validate; each error fixture fails with exactly the message beside it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from spec import SpecErrors, load_tenant
from spec.loader import load_tenants
from spec.tiers import TIER_CEILINGS, tier_defaults

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "tenants"
VALID = sorted((FIXTURES / "valid").glob("*.yaml"))
INVALID = sorted((FIXTURES / "invalid").glob("*.yaml"))
ROOT = Path(__file__).resolve().parent.parent


def expected_error(path: Path) -> str:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# expect: "), f"{path.name}: first line must be '# expect: <line>: <field>: <message>'"
    return f"{path}:{first.removeprefix('# expect: ')}"


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.stem)
def test_valid_fixture_loads(path: Path) -> None:
    assert load_tenant(path).spec.tenant_id == path.stem


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.stem)
def test_invalid_fixture_reports_expected_error(path: Path) -> None:
    with pytest.raises(SpecErrors) as caught:
        load_tenant(path)
    assert [str(e) for e in caught.value.errors] == [expected_error(path)]


def test_seed_configuration_validates_verbatim() -> None:
    spec = load_tenant(FIXTURES / "valid" / "spotify-premium.yaml").spec
    autoscaling = spec.config.autoscaling
    assert (autoscaling.strategy, autoscaling.min_replicas, autoscaling.max_replicas) == ("predictive", 2, 50)
    assert autoscaling.metrics.latency_threshold is not None
    assert autoscaling.metrics.latency_threshold.total_seconds() == 0.5
    assert spec.config.monitoring.metrics_retention.days == 30
    assert spec.isolation == "strict" and spec.silo


@pytest.mark.parametrize("tier", ["free", "standard", "premium", "enterprise"])
def test_omitted_values_come_from_the_tier(tier: str, tmp_path: Path) -> None:
    path = tmp_path / "bare.yaml"
    path.write_text(f"tenant_id: bare\ntier: {tier}\ncloud: aws\nregion: eu-west-1\n", encoding="utf-8")
    config = load_tenant(path).spec.config
    defaults = tier_defaults(tier, "aws")
    assert config.database.backup_retention_days == defaults["database"]["backup_retention_days"]
    assert config.database.high_availability == defaults["database"]["high_availability"]
    assert config.cluster.instance_type == defaults["cluster"]["instance_type"]
    assert config.autoscaling.max_replicas <= TIER_CEILINGS[tier]["max_replicas"]
    assert config.security.isolation_level == defaults["security"]["isolation_level"]


def test_stated_value_overrides_only_that_key(tmp_path: Path) -> None:
    path = tmp_path / "partial.yaml"
    path.write_text(
        "tenant_id: partial\ntier: premium\ncloud: aws\nregion: eu-west-1\n"
        "tenant_config:\n  database:\n    backup_retention_days: 3\n",
        encoding="utf-8",
    )
    database = load_tenant(path).spec.config.database
    defaults = tier_defaults("premium", "aws")["database"]
    assert database.backup_retention_days == 3
    assert database.high_availability == defaults["high_availability"]
    assert database.storage_gb == defaults["storage_gb"]


def test_all_errors_of_all_files_are_reported_together() -> None:
    with pytest.raises(SpecErrors) as caught:
        load_tenants([FIXTURES / "invalid"])
    reported = {Path(e.path).name for e in caught.value.errors}
    assert reported == {p.name for p in INVALID}


def test_every_example_tenant_validates_and_has_the_schema_modeline() -> None:
    tenants = sorted((ROOT / "tenants").glob("*.yaml"))
    assert len(tenants) >= 3
    for path in tenants:
        assert load_tenant(path).spec.tenant_id == path.stem
        assert path.read_text(encoding="utf-8").startswith("# yaml-language-server: $schema=../spec/tenant.schema.json")


def test_every_example_tenant_has_a_stack_file() -> None:
    for path in sorted((ROOT / "tenants").glob("*.yaml")):
        stack = ROOT / "stacks" / f"Pulumi.{path.stem}.yaml"
        assert stack.exists(), f"{path.name} has no {stack.relative_to(ROOT)}"
        assert f"tenants/{path.name}" in stack.read_text(encoding="utf-8")


def test_cli_validate_exit_codes_and_no_traceback() -> None:
    ok = subprocess.run(
        [sys.executable, "-m", "tenantctl", "validate", str(FIXTURES / "valid")], capture_output=True, text=True, cwd=ROOT
    )
    assert ok.returncode == 0, ok.stderr
    bad = subprocess.run(
        [sys.executable, "-m", "tenantctl", "validate", str(FIXTURES / "invalid")], capture_output=True, text=True, cwd=ROOT
    )
    assert bad.returncode == 2
    assert "Traceback" not in bad.stderr
    assert len(bad.stderr.strip().splitlines()) == len(INVALID)
    assert bad.stdout == ""
