"""Selection on a real git repo, the real runner's exact arguments (no CLI), and the CLI-absent error."""

from __future__ import annotations

import json
import subprocess
import threading
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML
from test_fleet_support import project_fixture  # noqa: F401  (fixture "project")
from typer.testing import CliRunner

from spec.loader import load_tenants
from tenantctl.cli import app
from tenantctl.fleet import automation, selection
from tenantctl.fleet.options import prepare_jobs
from tenantctl.fleet.runner import FleetError, Operation, StackRun


def git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=root, check=True, capture_output=True, text=True,
    ).stdout.strip()


@pytest.fixture
def repo(project: Path) -> Path:
    git(project, "init", "-q", "-b", "main")
    (project / "components").mkdir()
    (project / "components" / "network.py").write_text("X = 1\n", encoding="utf-8")
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "base")
    git(project, "checkout", "-q", "-b", "change")
    return project


def test_changed_since_tenant_and_stack_files(repo: Path) -> None:
    with (repo / "tenants" / "hobby-free.yaml").open("a", encoding="utf-8") as handle:
        handle.write("# edited\n")
    git(repo, "commit", "-qam", "edit hobby")
    with (repo / "stacks" / "Pulumi.std-a.yaml").open("a", encoding="utf-8") as handle:
        handle.write("# uncommitted edit\n")
    chosen = selection.select(repo, [], False, "main")
    assert chosen.tenant_ids == ["hobby-free", "std-a"]
    assert chosen.reasons["hobby-free"] == "tenants/hobby-free.yaml changed"


def test_changed_since_new_and_removed_tenants(repo: Path) -> None:
    from tenantctl.fleet.scaffold import create_tenant

    create_tenant(repo, "brand-new", "free", "aws", "us-east-1")  # untracked files count
    git(repo, "rm", "-q", "tenants/free-a.yaml")
    chosen = selection.select(repo, [], False, "main")
    assert chosen.tenant_ids == ["brand-new"]
    assert any("free-a was removed" in note for note in chosen.notes)


def test_changed_since_shared_code_selects_all(repo: Path) -> None:
    (repo / "components" / "network.py").write_text("X = 2\n", encoding="utf-8")
    chosen = selection.select(repo, [], False, "main")
    assert chosen.tenant_ids == selection.all_tenant_ids(repo)
    assert len(chosen.tenant_ids) == 8


def test_changed_since_nothing_and_bad_ref(repo: Path) -> None:
    assert selection.select(repo, [], False, "main").tenant_ids == []
    with pytest.raises(FleetError, match="no-such-ref"):
        selection.select(repo, [], False, "no-such-ref")


def test_list_json_for_ci(repo: Path) -> None:
    with (repo / "tenants" / "ent-a.yaml").open("a", encoding="utf-8") as handle:
        handle.write("# edited\n")
    result = CliRunner().invoke(app, ["up", "--changed-since", "main", "--list", "--format", "json"])
    assert result.exit_code == 0, result.stderr
    listing = json.loads(result.stdout)
    assert listing["tenants"] == [
        {"tenant": "ent-a", "path": "tenants/ent-a.yaml", "tier": "enterprise", "cloud": "aws",
         "region": "eu-west-1", "wave": 1, "reason": "tenants/ent-a.yaml changed"}
    ]


class FakeStack:
    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def _record(self, name: str, kwargs: dict[str, Any]) -> Any:
        self.calls.append((name, kwargs))
        kwargs["on_output"]("engine output line")
        return type("Result", (), {"change_summary": {"create": 4}})()

    def preview(self, **kwargs: Any) -> Any:
        return self._record("preview", kwargs)

    def up(self, **kwargs: Any) -> Any:
        return self._record("up", kwargs)

    def refresh(self, **kwargs: Any) -> Any:
        return self._record("refresh", kwargs)

    def destroy(self, **kwargs: Any) -> Any:
        return self._record("destroy", kwargs)


@pytest.fixture
def captured(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    from pulumi import automation as auto

    seen: dict[str, Any] = {"stack": FakeStack()}

    def create_or_select_stack(**kwargs: Any) -> FakeStack:
        seen.update(kwargs)
        return seen["stack"]  # type: ignore[no-any-return]

    monkeypatch.setattr(auto, "create_or_select_stack", create_or_select_stack)
    monkeypatch.setattr(automation, "_tracked_command", lambda tracker: "tracked-command")
    return seen


def _jobs(root: Path, operation: Operation, tmp: Path) -> list[StackRun]:
    tenant = load_tenants([root / "tenants" / "spotify-premium.yaml"])
    return prepare_jobs(root, operation, [tenant], "file:///state", tmp / "logs")[0]


@pytest.mark.parametrize("operation", [Operation.preview, Operation.up])
def test_real_runner_arguments_with_policy_pack(
    project: Path, captured: dict[str, Any], operation: Operation, tmp_path: Path
) -> None:
    (job,) = _jobs(project, operation, tmp_path)
    lines: list[str] = []
    outcome = automation.AutomationRunner().run(job, lines.append, threading.Event())
    assert outcome.ok and outcome.summary == {"create": 4}
    assert captured["stack_name"] == "spotify-premium"
    assert captured["work_dir"] == str(project)
    opts = captured["opts"]
    assert opts.work_dir == str(project)
    assert opts.env_vars == {"PULUMI_BACKEND_URL": "file:///state"}
    assert opts.secrets_provider == "passphrase"
    assert opts.pulumi_command == "tracked-command"
    ((method, kwargs),) = captured["stack"].calls
    assert method == operation.value
    assert kwargs["config_file"] == str(project / "stacks" / "Pulumi.spotify-premium.yaml")
    assert kwargs["policy_packs"] == [str(project / "policies")]
    config = Path(kwargs["policy_pack_configs"][0])
    assert config == tmp_path / "logs" / "policy-config" / "spotify-premium" / "spotify-premium.policy-config.json"
    assert json.loads(config.read_text(encoding="utf-8"))["tenant"] == "spotify-premium"
    assert lines == ["engine output line"]
    # The CLI finds stacks/ through the project settings the workspace runs in.
    assert YAML(typ="safe").load((project / "Pulumi.yaml").read_text(encoding="utf-8"))["stackConfigDir"] == "stacks"


@pytest.mark.parametrize(
    ("operation", "method", "extra"),
    [(Operation.drift, "refresh", {"preview_only": True}), (Operation.refresh, "refresh", {}),
     (Operation.destroy, "destroy", {})],
)
def test_real_runner_arguments_without_policy_pack(
    project: Path, captured: dict[str, Any], operation: Operation, method: str, extra: dict[str, Any],
    tmp_path: Path,
) -> None:
    (job,) = _jobs(project, operation, tmp_path)
    automation.AutomationRunner().run(job, lambda _line: None, threading.Event())
    ((called, kwargs),) = captured["stack"].calls
    assert called == method
    assert "policy_packs" not in kwargs and "policy_pack_configs" not in kwargs
    assert kwargs["config_file"] == str(project / "stacks" / "Pulumi.spotify-premium.yaml")
    for key, value in extra.items():
        assert kwargs[key] == value


def test_backend_resolution(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert automation.resolve_backend(project, None) == f"file://{project.resolve() / 'state'}"
    monkeypatch.setenv("PULUMI_BACKEND_URL", "s3://bucket/state")
    assert automation.resolve_backend(project, None) == "s3://bucket/state"
    assert automation.resolve_backend(project, "https://api.pulumi.com") == "https://api.pulumi.com"
    assert automation.secrets_provider("https://api.pulumi.com") is None
    monkeypatch.delenv("PULUMI_CONFIG_PASSPHRASE", raising=False)
    monkeypatch.delenv("PULUMI_CONFIG_PASSPHRASE_FILE", raising=False)
    assert "PULUMI_CONFIG_PASSPHRASE" in (automation.passphrase_note("file:///x") or "")


@pytest.mark.parametrize("command", ["preview", "up", "refresh", "drift"])
def test_cli_absent_is_one_clear_line_and_exit_2(
    project: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, command: str
) -> None:
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.setenv("PULUMI_HOME", str(tmp_path / "no-pulumi-home"))
    assert automation.pulumi_cli() is None
    result = CliRunner().invoke(app, [command, "hobby-free"])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "Pulumi CLI is not installed" in lines[0] and "https://get.pulumi.com" in lines[0]
    assert not (project / "state").exists()  # nothing was set up before the check
