"""``tenantctl plan --jobs N`` renders and analyses tenants in worker processes; its plan is byte-identical
to ``--jobs 1`` (same order, same resources, same verdicts), with either pack transport."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _fleet(folder: Path) -> Path:
    """The examples, plus copies under new ids so each cloud has several tenants for the workers."""
    folder.mkdir()
    for source in sorted((ROOT / "tenants").glob("*.yaml")):
        shutil.copy(source, folder / source.name)
    for source in sorted((ROOT / "tenants").glob("*.yaml"))[:4]:
        tenant = f"{source.stem}-copy"
        text = re.sub(r"(?m)^tenant_id:.*$", f"tenant_id: {tenant}", source.read_text(encoding="utf-8"), count=1)
        (folder / f"{tenant}.yaml").write_text(text, encoding="utf-8")
    return folder


def _plan(folder: Path, out: Path, *args: str) -> bytes:
    done = subprocess.run(
        [sys.executable, "-m", "tenantctl", "plan", str(folder), "--format", "json", "--output", str(out),
         "--today", "2026-01-15", *args],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True, timeout=1200,
    )
    assert done.returncode in (0, 1), done.stderr[-3000:]
    return out.read_bytes()


@pytest.fixture(scope="module")
def fleet(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _fleet(tmp_path_factory.mktemp("jobs") / "tenants")


@pytest.fixture(scope="module")
def sequential(fleet: Path) -> bytes:
    return _plan(fleet, fleet.parent / "one.json", "--jobs", "1")


def test_two_workers_give_the_byte_identical_plan(fleet: Path, sequential: bytes) -> None:
    parallel = _plan(fleet, fleet.parent / "two.json", "--jobs", "2")
    assert parallel == sequential
    # The order is the input order (file names), not the order workers finished in.
    tenants = re.findall(rb'^    {\n      "tenant": "([^"]+)"', sequential, flags=re.M)
    assert [t.decode() for t in tenants] == [p.stem for p in sorted(fleet.glob("*.yaml"))]


def test_workers_with_a_pack_process_each_give_the_same_plan(fleet: Path, sequential: bytes) -> None:
    assert _plan(fleet, fleet.parent / "grpc.json", "--jobs", "2", "--pack-transport", "grpc") == sequential
