"""A lean CLI start: the console entry point imports only the command it runs.

``tenantctl validate`` loads neither pandas, nor the policy pack (``pulumi_policy``, its policies, gRPC),
nor Pulumi or any provider SDK; ``--help`` still lists every command.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEAVY = (
    "pandas", "numpy", "pulumi", "pulumi_policy", "grpc", "tenant_policies",
    "pulumi_aws", "pulumi_azure_native", "pulumi_gcp", "pulumi_kubernetes", "pulumi_random",
)


def _run_entry_point(*argv: str) -> tuple[subprocess.CompletedProcess[str], dict[str, bool]]:
    """Run ``tenantctl.cli:main`` as the console script does; the heavy modules it had loaded at exit."""
    probe = (
        "import atexit, json, sys\n"
        f"heavy = {HEAVY!r}\n"
        "atexit.register(lambda: print('MODULES ' + json.dumps({m: m in sys.modules for m in heavy})))\n"
        f"sys.argv = ['tenantctl', *{list(argv)!r}]\n"
        "from tenantctl.cli import main\n"
        "main()\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, env=env, timeout=300)
    line = next(x for x in done.stdout.splitlines() if x.startswith("MODULES "))
    return done, json.loads(line.removeprefix("MODULES "))


def test_validate_loads_neither_pandas_nor_the_pack_nor_a_provider_sdk(tmp_path: Path) -> None:
    done, loaded = _run_entry_point("validate", "tenants")
    assert done.returncode == 0, done.stderr
    assert "ok  tenants/" in done.stdout  # it did validate
    assert [m for m, present in loaded.items() if present] == []


def test_an_invalid_file_is_still_reported_cleanly_by_the_lean_start(tmp_path: Path) -> None:
    bad = tmp_path / "bad-one.yaml"
    bad.write_text("tenant_id: bad-one\ntier: gold\ncloud: aws\nregion: eu-west-1\n", encoding="utf-8")
    done, loaded = _run_entry_point("validate", str(bad))
    assert done.returncode == 2
    assert "bad-one.yaml:2: tier:" in done.stderr and "Traceback" not in done.stderr
    assert loaded["pulumi"] is False


def test_help_lists_every_command_module() -> None:
    done, _ = _run_entry_point("--help")
    assert done.returncode == 0, done.stderr
    modules = sorted(p.stem for p in (ROOT / "tenantctl" / "commands").glob("*.py") if not p.stem.startswith("_"))
    listed = done.stdout
    for name in ("validate", "plan", "policies", "forecast", "tiers"):
        assert name in modules and f" {name} " in listed, name
