"""The Pulumi program behind ``__main__.py``: stack config → tenant file → ``TenantPlatform``.

The same function runs under the real engine and, offline, under ``tenantctl plan``'s mocks.
"""

from __future__ import annotations

from pathlib import Path
from typing import NoReturn

import pulumi

from components.estate import StackSettings
from components.naming import shared_cluster_stack
from components.platform import SharedCluster, TenantPlatform
from spec.errors import SpecErrors
from spec.loader import load_tenant

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _fail(message: str) -> NoReturn:
    # The engine shows this message as the program's error; no traceback, nothing deployed.
    raise pulumi.RunError(message)


def tenant_file_of(stack: str, configured: str | None, tenants_dir: Path | None = None) -> Path:
    """The one file a tenant stack may deploy: ``tenants/<stack>.yaml``.

    ``tenant-platform:tenantFile`` is optional; when set it must name that same file, so no stack
    config can point a stack at another tenant's estate (acme's stack rendering spotify's file).
    """
    folder = (tenants_dir or PROJECT_ROOT / "tenants").resolve()
    expected = folder / f"{stack}.yaml"
    if configured:
        path = Path(configured)
        given = (path if path.is_absolute() else PROJECT_ROOT / path).resolve()
        if given != expected:
            _fail(
                f"stack {stack!r} deploys only {_shown(expected)}, but tenant-platform:tenantFile names "
                f"{configured!r}: a stack deploys exactly the tenant whose id is its name"
            )
    return expected


def shared_stack_of(stack: str, configured: str | None, cloud: str, region: str) -> str:
    """The shared cluster a pooled tenant joins: that of its own cloud and region, in this organization and project."""
    name = shared_cluster_stack(cloud, region)
    # Self-managed backends (and the offline mocks) have no organization; theirs is named "organization".
    org, project = pulumi.get_organization() or "organization", pulumi.get_project()
    if configured and configured not in (name, f"{org}/{project}/{name}"):
        _fail(
            f"stack {stack!r}: tenant-platform:sharedClusterStack {configured!r} must be the shared cluster of the "
            f"tenant's own cloud and region, {org}/{project}/{name}"
        )
    return f"{org}/{project}/{name}"


def _shown(path: Path) -> str:
    return str(path.relative_to(PROJECT_ROOT)) if path.is_relative_to(PROJECT_ROOT) else str(path)


def _settings(config: pulumi.Config, stack: str, cloud: str, region: str) -> StackSettings:
    return StackSettings(
        alert_emails=list(config.get_object("alertEmails") or []),  # type: ignore[arg-type]
        alert_webhook_url=config.get_secret("alertWebhookUrl"),
        slack_webhook_url=config.get_secret("slackWebhookUrl"),
        prometheus_address=config.get("prometheusAddress"),
        shared_cluster_stack=shared_stack_of(stack, config.get("sharedClusterStack"), cloud, region),
        monthly_budget_usd=config.get_float("monthlyBudget"),
        billing_account=config.get("billingAccount"),
        cert_issuer=config.get("certIssuer"),
        ingress_domain=config.get("ingressDomain"),
        data_address_slot=config.get_int("dataAddressSlot"),
    )


def run(tenants_dir: Path | None = None) -> None:
    """``tenants_dir`` (default ``<project>/tenants``) is where the stack's tenant file lives; only the offline
    renderer passes another folder (fixtures), never stack config."""
    config = pulumi.Config("tenant-platform")
    stack = pulumi.get_stack()
    if config.get("mode") == "shared-cluster":
        cloud, region = config.require("cloud"), config.require("region")
        if stack != shared_cluster_stack(cloud, region):
            _fail(f"a shared-cluster stack is named {shared_cluster_stack(cloud, region)!r}, not {stack!r}")
        shared = SharedCluster(stack, {"cloud": cloud, "region": region})
        for key, value in shared.outputs.items():
            pulumi.export(key, value)
        return

    path = tenant_file_of(stack, config.get("tenantFile"), tenants_dir)
    try:
        spec = load_tenant(path, _shown(path)).spec
    except SpecErrors as exc:
        _fail(str(exc))
    except FileNotFoundError:
        _fail(f"stack {stack!r} has no tenant file {_shown(path)}")
    if spec.tenant_id != stack:
        _fail(f"stack {stack!r} must deploy the tenant whose id is its name, not {spec.tenant_id!r} ({_shown(path)})")

    settings = _settings(config, stack, spec.cloud, spec.region)
    platform = TenantPlatform(spec.tenant_id, {"spec": spec, "settings": settings})
    pulumi.export("kubeconfig", platform.kubeconfig)
    pulumi.export("namespace", platform.namespace)
    pulumi.export("databaseEndpoint", platform.database_endpoint)
    pulumi.export("cacheEndpoint", platform.cache_endpoint)
    pulumi.export("alertTarget", platform.alert_target)
