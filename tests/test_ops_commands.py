"""new → validate, scale keeps comments, the seed's Python API (backup and restore: test_backup_restore.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_fleet_support import FakeRunner, project_fixture  # noqa: F401  (fixture "project")
from typer.testing import CliRunner

from spec.errors import SpecErrors
from tenantctl.api import initialize_tenant_config_system
from tenantctl.cli import app
from tenantctl.fleet.runner import Operation


def test_new_then_validate(project: Path) -> None:
    made = CliRunner().invoke(
        app, ["new", "delta-co", "--tier", "premium", "--region", "eu-west-1", "--isolation", "standard",
              "--alert-email", "ops@delta.example"],
    )
    assert made.exit_code == 0, made.stderr
    text = (project / "tenants" / "delta-co.yaml").read_text(encoding="utf-8")
    assert text.splitlines()[0] == "# yaml-language-server: $schema=../spec/tenant.schema.json"
    assert "isolation_level: standard" in text  # differs from premium's strict
    assert "min_replicas" not in text and "backup_retention_days" not in text  # tier defaults are not copied
    stack = (project / "stacks" / "Pulumi.delta-co.yaml").read_text(encoding="utf-8")
    assert "tenant-platform:tenantFile: tenants/delta-co.yaml" in stack and "ops@delta.example" in stack
    checked = CliRunner().invoke(app, ["validate", "tenants/delta-co.yaml"])
    assert checked.exit_code == 0, checked.stderr
    assert "delta-co (premium, aws eu-west-1, standard)" in checked.stdout


def test_new_states_nothing_the_tier_already_says(project: Path) -> None:
    made = CliRunner().invoke(app, ["new", "echo-co", "--tier", "premium", "--region", "eu-west-1",
                                    "--isolation", "strict"])
    assert made.exit_code == 0, made.stderr
    assert "tenant_config" not in (project / "tenants" / "echo-co.yaml").read_text(encoding="utf-8")


def test_new_refuses_to_overwrite_and_rejects_invalid(project: Path) -> None:
    before = (project / "tenants" / "hobby-free.yaml").read_bytes()
    again = CliRunner().invoke(app, ["new", "hobby-free", "--tier", "free"])
    assert again.exit_code == 2
    assert "tenants/hobby-free.yaml:1: document: already exists" in again.stderr
    assert (project / "tenants" / "hobby-free.yaml").read_bytes() == before
    bad = CliRunner().invoke(app, ["new", "foxtrot", "--region", "mars-1"])
    assert bad.exit_code == 2
    assert "tenants/foxtrot.yaml:5: region:" in bad.stderr
    assert not (project / "tenants" / "foxtrot.yaml").exists()
    assert not (project / "stacks" / "Pulumi.foxtrot.yaml").exists()


def test_scale_keeps_comments_and_order(project: Path) -> None:
    path = project / "tenants" / "spotify-premium.yaml"
    before = path.read_text(encoding="utf-8")
    result = CliRunner().invoke(app, ["scale", "spotify-premium", "--min", "4", "--max", "40", "--nodes-max", "25"])
    assert result.exit_code == 0, result.stderr
    after = path.read_text(encoding="utf-8")
    assert "-    min_replicas: 2\n" in result.stdout and "+    min_replicas: 4\n" in result.stdout
    assert "+    max_nodes: 25\n" in result.stdout
    assert "tier: enterprise          # free | standard | premium | enterprise" in after
    assert 'strategy: "predictive"' in after  # quoting survives
    changed = {"    min_replicas: 2": "    min_replicas: 4", "    max_replicas: 50": "    max_replicas: 40"}
    expected = before
    for old, new in changed.items():
        expected = expected.replace(old, new)
    assert after == expected + "  cluster:\n    max_nodes: 25\n"
    assert CliRunner().invoke(app, ["validate", "tenants/spotify-premium.yaml"]).exit_code == 0


def test_scale_refuses_invalid_bounds_and_changes_nothing(project: Path) -> None:
    path = project / "tenants" / "hobby-free.yaml"
    before = path.read_bytes()
    result = CliRunner().invoke(app, ["scale", "hobby-free", "--max", "9"])
    assert result.exit_code == 2
    assert "max_replicas: must be ≤ 5 on the free tier" in result.stderr
    assert path.read_bytes() == before
    dry = CliRunner().invoke(app, ["scale", "hobby-free", "--max", "4", "--dry-run"])
    assert dry.exit_code == 0 and "+    max_replicas: 4" in dry.stdout
    assert path.read_bytes() == before


def test_seed_python_api(project: Path) -> None:
    config_manager, autoscaling_engine = initialize_tenant_config_system()
    config = config_manager.create_tenant_config(tenant_id="golf-co", tier="premium", region="eu-west-1")
    assert config.spec.tier == "premium" and config.spec.isolation == "strict"
    assert (project / "stacks" / "Pulumi.golf-co.yaml").exists()
    with pytest.raises(SpecErrors):
        config_manager.create_tenant_config(tenant_id="golf-co", tier="premium", region="eu-west-1")
    runner = FakeRunner()
    autoscaling_engine.runner_factory = lambda: runner
    result = autoscaling_engine.start_autoscaling(config)
    assert result.exit_code == 0
    ((job,),) = [runner.jobs]
    assert (job.tenant_id, job.operation) == ("golf-co", Operation.up)
    assert job.policy_pack == project / "policies" and job.policy_pack_config is not None
