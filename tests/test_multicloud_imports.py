"""Cloud SDKs are imported lazily: validating imports none, planning imports only the clouds in use."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

from test_multicloud_helpers import ROOT

SDKS = ("pulumi_aws", "pulumi_azure_native", "pulumi_gcp")


def _modules_after(code: str) -> dict[str, bool]:
    probe = textwrap.dedent(code) + textwrap.dedent(
        f"""
        import json, sys
        print(json.dumps({{m: m in sys.modules for m in {SDKS!r}}}))
        """
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def test_validate_imports_no_cloud_sdk() -> None:
    loaded = _modules_after(
        """
        from typer.testing import CliRunner
        from tenantctl.cli import app
        result = CliRunner().invoke(app, ["validate", "tenants"])
        assert result.exit_code == 0, result.output
        """
    )
    assert loaded == dict.fromkeys(SDKS, False)


def test_plan_of_aws_tenants_imports_neither_azure_nor_gcp() -> None:
    loaded = _modules_after(
        """
        from pathlib import Path
        from spec.loader import load_tenants
        from tenantctl.render import render_all
        tenants = [t for t in load_tenants([Path("tenants")], root=Path(".")) if t.spec.cloud == "aws"]
        assert tenants
        render_all(tenants, Path("."))
        """
    )
    assert loaded["pulumi_azure_native"] is False and loaded["pulumi_gcp"] is False


def test_plan_of_an_azure_tenant_imports_azure_only() -> None:
    loaded = _modules_after(
        """
        from pathlib import Path
        from spec.loader import load_tenant
        from tenantctl.render import render_tenant
        render_tenant(load_tenant(Path("tenants/fabrikam-standard.yaml")), Path("."))
        """
    )
    assert loaded == {"pulumi_aws": False, "pulumi_azure_native": True, "pulumi_gcp": False}


def test_plan_of_a_gcp_tenant_imports_gcp_only() -> None:
    loaded = _modules_after(
        """
        from pathlib import Path
        from spec.loader import load_tenant
        from tenantctl.render import render_tenant
        render_tenant(load_tenant(Path("tenants/initech-standard.yaml")), Path("."))
        """
    )
    assert loaded == {"pulumi_aws": False, "pulumi_azure_native": False, "pulumi_gcp": True}
