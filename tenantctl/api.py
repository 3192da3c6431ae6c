"""The seed's Python API, delegating to the same pieces as ``tenantctl new`` and ``tenantctl up``.

    config_manager, autoscaling_engine = initialize_tenant_config_system()
    config = config_manager.create_tenant_config(tenant_id="acme", tier="premium", region="eu-west-1")
    result = autoscaling_engine.start_autoscaling(config)   # = tenantctl up acme
    assert result.exit_code == 0, result.failed
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from spec.loader import TenantFile, load_tenant
from tenantctl.common import project_root
from tenantctl.fleet import options
from tenantctl.fleet.execute import FleetResult
from tenantctl.fleet.runner import Operation, Runner
from tenantctl.fleet.scaffold import create_tenant


class ConfigManager:
    """Creates and loads tenant files (``tenantctl new`` / ``validate``)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def create_tenant_config(
        self,
        tenant_id: str,
        tier: str = "standard",
        region: str = "us-east-1",
        cloud: str = "aws",
        isolation: str | None = None,
        alert_emails: list[str] | None = None,
    ) -> TenantFile:
        """Write ``tenants/<id>.yaml`` and its stack file; raises ``SpecErrors`` if invalid or present."""
        return create_tenant(self.root, tenant_id, tier, cloud, region, isolation, alert_emails).tenant

    def load_tenant_config(self, tenant_id: str) -> TenantFile:
        return load_tenant(self.root / "tenants" / f"{tenant_id}.yaml", f"tenants/{tenant_id}.yaml")


class AutoscalingEngine:
    """Deploys tenants: ``start_autoscaling`` is ``tenantctl up`` for one tenant (its HPA/KEDA and node pools)."""

    def __init__(self, root: Path, runner_factory: Callable[[], Runner] | None = None) -> None:
        self.root = root
        self.runner_factory = runner_factory or options.make_runner

    def start_autoscaling(self, config: TenantFile | str, backend: str | None = None, timeout: str = "1h") -> FleetResult:
        tenant = config if isinstance(config, TenantFile) else ConfigManager(self.root).load_tenant_config(config)
        opts = options.FleetOptions(tenants=[tenant.spec.tenant_id], backend=backend, timeout=timeout, parallel=1)
        return options.operate(self.root, Operation.up, [tenant], opts, self.runner_factory())


def initialize_tenant_config_system(root: Path | None = None) -> tuple[ConfigManager, AutoscalingEngine]:
    """``(config_manager, autoscaling_engine)`` bound to the project at ``root`` (default: the current one)."""
    base = root or project_root()
    return ConfigManager(base), AutoscalingEngine(base)
