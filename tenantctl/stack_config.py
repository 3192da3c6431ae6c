"""Stack files (``stacks/Pulumi.<stack>.yaml``) → the config map a rendering runs with.

Offline, values that cannot be known (encrypted secrets, targets not configured,
the shared cluster's outputs) become placeholders plus a warning.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from components.naming import shared_cluster_stack
from spec.loader import TenantFile
from tenantctl import placeholders

NS = "tenant-platform"
CHANNEL_KEYS = {"email": "alertEmails", "webhook": "alertWebhookUrl", "slack": "slackWebhookUrl"}
SECRET_KEYS = {"alertWebhookUrl", "slackWebhookUrl"}


@dataclass
class StackConfig:
    stack: str
    stack_file: Path | None
    values: dict[str, str] = field(default_factory=dict)
    secret_keys: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def stack_file(root: Path, stack: str) -> Path:
    return root / "stacks" / f"Pulumi.{stack}.yaml"


def read_stack_file(path: Path) -> dict[str, Any]:
    data = YAML(typ="safe").load(path.read_text(encoding="utf-8")) or {}
    config = data.get("config") or {}
    return {str(k): v for k, v in config.items()}


def tenant_stack_config(tenant: TenantFile, root: Path) -> StackConfig:
    spec = tenant.spec
    stack = spec.tenant_id
    path = stack_file(root, stack)
    result = StackConfig(stack=stack, stack_file=path if path.exists() else None)
    raw = read_stack_file(path) if path.exists() else {}
    if not path.exists():
        result.warnings.append(f"no stack file {path.relative_to(root)}: rendering from the tenant file alone")

    for key, value in raw.items():
        short = key.split(":", 1)[1] if key.startswith(f"{NS}:") else key
        if isinstance(value, dict) and "secure" in value:
            # Encrypted with the stack's secrets provider; offline we only know that it is set.
            result.values[key] = placeholders.url(short)
            result.secret_keys.append(key)
        else:
            result.values[key] = value if isinstance(value, str) else json.dumps(value)
            if short in SECRET_KEYS:
                result.secret_keys.append(key)

    # Offline the file planned is the file given, wherever it lives (the program accepts absolute paths).
    result.values[f"{NS}:tenantFile"] = str(tenant.path.resolve())

    for channel in spec.config.monitoring.alert_channels:
        key = f"{NS}:{CHANNEL_KEYS[channel]}"
        if key in result.values:
            continue
        if channel == "email":
            result.values[key] = json.dumps([placeholders.EMAIL])
        else:
            result.values[key] = placeholders.url(CHANNEL_KEYS[channel])
            result.secret_keys.append(key)
        result.warnings.append(f"{key} is not set: alerts to {channel} render with a placeholder target")

    autoscaling = spec.config.autoscaling
    if autoscaling.enabled and autoscaling.strategy == "predictive" and not autoscaling.schedule:
        result.warnings.append(
            "strategy predictive has no schedule yet: the workload scales reactively (HPA) until "
            "`tenantctl forecast TENANT --metrics FILE --write` stores one"
        )

    if not spec.silo:
        ref = result.values.get(f"{NS}:sharedClusterStack") or shared_cluster_stack(spec.cloud, spec.region)
        result.warnings.append(f"pooled tenant: shared cluster outputs (stack {ref}) render as placeholders")
    return result
