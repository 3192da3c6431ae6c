"""The Pulumi program behind ``__main__.py``: stack config → tenant file → ``TenantPlatform``.

The same function runs under the real engine and, offline, under ``tenantctl plan``'s mocks.
"""

from __future__ import annotations

from pathlib import Path

import pulumi

from components.estate import StackSettings
from components.naming import shared_cluster_stack
from components.platform import SharedCluster, TenantPlatform
from spec.errors import SpecErrors
from spec.loader import load_tenant

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _settings(config: pulumi.Config, cloud: str, region: str) -> StackSettings:
    shared = config.get("sharedClusterStack") or (
        f"{pulumi.get_organization()}/{pulumi.get_project()}/{shared_cluster_stack(cloud, region)}"
    )
    return StackSettings(
        alert_emails=list(config.get_object("alertEmails") or []),  # type: ignore[arg-type]
        alert_webhook_url=config.get_secret("alertWebhookUrl"),
        slack_webhook_url=config.get_secret("slackWebhookUrl"),
        prometheus_address=config.get("prometheusAddress"),
        shared_cluster_stack=shared,
        monthly_budget_usd=config.get_float("monthlyBudget"),
        billing_account=config.get("billingAccount"),
    )


def run() -> None:
    config = pulumi.Config("tenant-platform")
    if config.get("mode") == "shared-cluster":
        cloud, region = config.require("cloud"), config.require("region")
        shared = SharedCluster(pulumi.get_stack(), {"cloud": cloud, "region": region})
        for key, value in shared.outputs.items():
            pulumi.export(key, value)
        return

    path = Path(config.require("tenantFile"))
    if not path.is_absolute():
        path = PROJECT_ROOT / path
    try:
        spec = load_tenant(path, str(path.relative_to(PROJECT_ROOT)) if path.is_relative_to(PROJECT_ROOT) else None).spec
    except SpecErrors as exc:
        # The engine shows this message as the program's error; no traceback, nothing deployed.
        raise pulumi.RunError(str(exc)) from None

    settings = _settings(config, spec.cloud, spec.region)
    platform = TenantPlatform(spec.tenant_id, {"spec": spec, "settings": settings})
    pulumi.export("kubeconfig", platform.kubeconfig)
    pulumi.export("namespace", platform.namespace)
    pulumi.export("databaseEndpoint", platform.database_endpoint)
    pulumi.export("cacheEndpoint", platform.cache_endpoint)
    pulumi.export("alertTarget", platform.alert_target)
