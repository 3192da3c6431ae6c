"""Shared by the fleet and operations tests: a throw-away project and a fake runner (no tests here)."""

from __future__ import annotations

import json
import shutil
import sys
import threading
import time
import types
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tenantctl.fleet.runner import RunOutcome, StackRun
from tenantctl.fleet.scaffold import create_tenant

ROOT = Path(__file__).resolve().parent.parent
BASE = ("acme-standard", "hobby-free", "spotify-premium")
EXTRA = [  # (id, tier, region) on top of the three example tenants
    ("free-a", "free", "us-east-1"),
    ("free-b", "free", "us-east-1"),
    ("std-a", "standard", "eu-west-1"),
    ("prem-a", "premium", "eu-west-1"),
    ("ent-a", "enterprise", "eu-west-1"),
]


def make_project(base: Path, extra: bool = True) -> Path:
    project = base / "project"
    project.mkdir()
    shutil.copy(ROOT / "Pulumi.yaml", project / "Pulumi.yaml")
    (project / "tenants").mkdir()
    (project / "stacks").mkdir()
    for tenant_id in BASE:
        shutil.copy(ROOT / "tenants" / f"{tenant_id}.yaml", project / "tenants")
        shutil.copy(ROOT / "stacks" / f"Pulumi.{tenant_id}.yaml", project / "stacks")
    shutil.copy(ROOT / "stacks" / "Pulumi.shared-aws-eu-west-1.yaml", project / "stacks")
    (project / "policies").mkdir()
    (project / "policies" / "PulumiPolicy.yaml").write_text("runtime: python\n", encoding="utf-8")
    if extra:
        for tenant_id, tier, region in EXTRA:
            create_tenant(project, tenant_id, tier, "aws", region, alert_emails=["ops@example.com"])
    return project


@pytest.fixture(name="project")
def project_fixture(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = make_project(tmp_path)
    monkeypatch.chdir(root)
    monkeypatch.syspath_prepend(str(ROOT))  # `validate` reads the policy catalog from the checkout's policies/
    monkeypatch.delenv("PULUMI_BACKEND_URL", raising=False)

    # The pack-config writer is another module's contract: a stub keeps these tests about the fleet.
    stub = types.ModuleType("tenantctl.policy.pack_config")

    def write_pack_config(tenant, directory, today):  # type: ignore[no-untyped-def]
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / f"{tenant.spec.tenant_id}.policy-config.json"
        path.write_text(json.dumps({"tenant": tenant.spec.tenant_id, "today": today.isoformat()}), encoding="utf-8")
        return path

    stub.write_pack_config = write_pack_config  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "tenantctl.policy.pack_config", stub)
    return root


@dataclass
class FakeRunner:
    """Sleeps ``delay``; tenants in ``fail`` fail, in ``hang`` block until cancelled, in ``boom`` raise."""

    delay: float = 0.05
    fail: set[str] = field(default_factory=set)
    hang: set[str] = field(default_factory=set)
    boom: set[str] = field(default_factory=set)
    drift: dict[str, list[str]] = field(default_factory=dict)
    jobs: list[StackRun] = field(default_factory=list)
    finished: list[str] = field(default_factory=list)
    cancelled: list[str] = field(default_factory=list)
    running: int = 0
    max_running: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def run(self, job: StackRun, log, cancel: threading.Event) -> RunOutcome:  # type: ignore[no-untyped-def]
        with self.lock:
            self.jobs.append(job)
            self.running += 1
            self.max_running = max(self.max_running, self.running)
        try:
            log(f"{job.operation.value} {job.stack}")
            if job.tenant_id in self.hang:
                if cancel.wait(30):
                    self.cancelled.append(job.tenant_id)
                    return RunOutcome(ok=False, error="interrupted")
            time.sleep(self.delay)
            if job.tenant_id in self.boom:
                raise RuntimeError("runner bug")
            if job.tenant_id in self.fail:
                return RunOutcome(ok=False, error="error: resource creation failed")
            self.finished.append(job.tenant_id)
            return RunOutcome(ok=True, summary={"create": 2, "same": 5}, drifted=self.drift.get(job.tenant_id, []))
        finally:
            with self.lock:
                self.running -= 1
