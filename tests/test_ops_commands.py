"""new → validate, scale keeps comments, backup → restore (and a tampered archive), the seed's Python API."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import pytest
from test_fleet_support import FakeRunner, project_fixture  # noqa: F401  (fixture "project")
from typer.testing import CliRunner

from spec.errors import SpecErrors
from tenantctl.api import initialize_tenant_config_system
from tenantctl.cli import app
from tenantctl.fleet.archive import MANIFEST
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
    assert "tenants/hobby-free.yaml:1: already exists" in again.stderr
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


def _backup(project: Path) -> Path:
    result = CliRunner().invoke(app, ["backup", "--output", str(project / "bk")])
    assert result.exit_code == 0, result.stderr
    return Path(result.stdout.strip().splitlines()[-1])


def test_backup_restore_round_trip(project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    archive = _backup(project)
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        manifest = json.loads(tar.extractfile(MANIFEST).read())  # type: ignore[union-attr]
    assert "tenants/hobby-free.yaml" in names and "stacks/Pulumi.hobby-free.yaml" in names
    assert set(manifest["files"]) == set(names) - {MANIFEST}
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    (fresh / "Pulumi.yaml").write_text("name: tenant-platform\n", encoding="utf-8")
    monkeypatch.chdir(fresh)
    restored = CliRunner().invoke(app, ["restore", str(archive)])
    assert restored.exit_code == 0, restored.stderr
    for name in manifest["files"]:
        assert (fresh / name).read_bytes() == (project / name).read_bytes()
    # A local edit is not overwritten without --force.
    (fresh / "tenants" / "hobby-free.yaml").write_text("edited\n", encoding="utf-8")
    refused = CliRunner().invoke(app, ["restore", str(archive)])
    assert refused.exit_code == 2 and "tenants/hobby-free.yaml" in refused.stderr
    assert (fresh / "tenants" / "hobby-free.yaml").read_text(encoding="utf-8") == "edited\n"
    forced = CliRunner().invoke(app, ["restore", str(archive), "--force"])
    assert forced.exit_code == 0
    assert (fresh / "tenants" / "hobby-free.yaml").read_bytes() == (project / "tenants" / "hobby-free.yaml").read_bytes()


def test_restore_refuses_a_tampered_archive(project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    archive = _backup(project)
    tampered = tmp_path / "tampered.tar.gz"
    with tarfile.open(archive) as src, tarfile.open(tampered, "w:gz") as dst:
        for member in src.getmembers():
            data = src.extractfile(member).read()  # type: ignore[union-attr]
            if member.name == "tenants/hobby-free.yaml":
                data = data.replace(b"tier: free", b"tier: enterprise")
            member.size = len(data)
            dst.addfile(member, io.BytesIO(data))
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    (fresh / "Pulumi.yaml").write_text("name: tenant-platform\n", encoding="utf-8")
    monkeypatch.chdir(fresh)
    result = CliRunner().invoke(app, ["restore", str(tampered), "--force"])
    assert result.exit_code == 2
    assert "tenants/hobby-free.yaml: sha256 mismatch" in result.stderr
    assert not (fresh / "tenants").exists() and not (fresh / "stacks").exists()


def test_backup_includes_stack_exports_when_reachable(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tenantctl.commands import backup as backup_command

    def exporter(root: Path, backend: str | None):  # type: ignore[no-untyped-def]
        def export(stack: str) -> dict[str, object]:
            if stack == "shared-aws-eu-west-1":
                raise RuntimeError("backend unreachable")
            return {"version": 3, "deployment": {"stack": stack}}
        return export

    monkeypatch.setattr(backup_command, "make_exporter", exporter)
    result = CliRunner().invoke(app, ["backup", "--output", "bk"])
    assert result.exit_code == 0
    assert "shared-aws-eu-west-1: state not exported" in result.stderr
    with tarfile.open(result.stdout.strip().splitlines()[-1]) as tar:
        export = json.loads(tar.extractfile("exports/hobby-free.json").read())  # type: ignore[union-attr]
        assert "exports/shared-aws-eu-west-1.json" not in tar.getnames()
    assert export == {"version": 3, "deployment": {"stack": "hobby-free"}}


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
