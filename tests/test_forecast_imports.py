"""The forecaster is loaded when a forecasting command runs: starting the CLI and validating import no pandas."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_validate_imports_neither_pandas_nor_numpy() -> None:
    probe = (
        "import json, sys\n"
        "from typer.testing import CliRunner\n"
        "from tenantctl.cli import app\n"
        "result = CliRunner().invoke(app, ['validate', 'tenants'])\n"
        "assert result.exit_code == 0, result.output\n"
        "print(json.dumps({m: m in sys.modules for m in ('pandas', 'numpy', 'tenantctl.forecast.model')}))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == {
        "pandas": False, "numpy": False, "tenantctl.forecast.model": False}
