"""Stack files (``stacks/Pulumi.<stack>.yaml``) → the config map a rendering runs with.

Offline, values that cannot be known (encrypted secrets, targets not configured,
the shared cluster's outputs) become placeholders plus a warning.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap

from components.data_addresses import slot_count
from components.naming import shared_cluster_stack
from spec.errors import SpecError, SpecErrors
from spec.formats import MAX_HOSTNAME, hostname
from spec.loader import TenantFile, line_of
from spec.safe_yaml import load_document, plain, require_mapping
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


# Pulumi config keys are `namespace:name`; the namespace is optional for the project's own keys.
CONFIG_KEY = re.compile(r"^(?:[A-Za-z][A-Za-z0-9_.-]{0,63}:)?[A-Za-z][A-Za-z0-9_.-]{0,127}$")
EMAIL = re.compile(r"^[^@\s,;<>\"]{1,64}@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+$")
URL = re.compile(r"^https://[^\s\"'<>]{1,2000}$")
# A Kubernetes object name (RFC 1123 subdomain), as a ClusterIssuer's.
K8S_NAME = re.compile(r"^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
MAX_TENANT_ID = 40  # spec.models.DNS_LABEL


def _key_field(key: str) -> str:
    """``tenant-platform:alertEmails`` → ``config.tenant-platform.alertEmails`` (a field name has no colon)."""
    return "config." + key.replace(":", ".")


def _value_problem(key: str, value: Any) -> str | None:
    short = key.split(":", 1)[1] if key.startswith(f"{NS}:") else key
    if isinstance(value, dict):
        if set(value) == {"secure"} and isinstance(value["secure"], str):
            return None
        if "secure" in value:
            return "an encrypted value is {secure: <ciphertext>} and nothing else"
    if short == "alertEmails" and (
        not isinstance(value, list) or not all(isinstance(v, str) and len(v) <= 254 and EMAIL.match(v) for v in value)
    ):
        return "must be a list of email addresses"
    if short in SECRET_KEYS and not (isinstance(value, str) and URL.match(value)):
        return "must be an https:// URL (set it with `pulumi config set --secret`)"
    if short in {"tenantFile", "sharedClusterStack", "mode", "cloud", "region", "prometheusAddress"} and not isinstance(
        value, str
    ):
        return "must be a string"
    if short == "ingressDomain":
        return _ingress_domain_problem(value)
    if short == "certIssuer" and not (isinstance(value, str) and K8S_NAME.match(value)):
        return "must be the name of a cert-manager ClusterIssuer (lowercase letters, digits, '-' and '.', at most 253)"
    if short == "dataAddressSlot" and not (
        isinstance(value, int) and not isinstance(value, bool) and 0 <= value < slot_count()
    ):
        return f"must be a whole number from 0 to {slot_count() - 1} (a free address pair of the shared VNet's data subnet)"
    return None


def _ingress_domain_problem(value: Any) -> str | None:
    """The parent of every tenant's default host ``<tenant_id>.<domain>``: an exact domain, room for the id."""
    if not isinstance(value, str):
        return "must be a string"
    try:
        hostname(value)
    except ValueError as exc:
        return str(exc)
    if len(value) > MAX_HOSTNAME - MAX_TENANT_ID - 1:
        return f"must be at most {MAX_HOSTNAME - MAX_TENANT_ID - 1} characters, so that <tenant_id>.<domain> is a host name"
    return None


def read_stack_file(path: Path, shown: str | None = None) -> dict[str, Any]:
    """The ``config:`` map of a stack file, or ``SpecErrors`` as ``path:line: field: message``.

    Loaded with the tenant loader's bounds (size, depth, anchors, tags, duplicate keys); the
    values the program reads with a type are checked here, so a wrong type is an input error
    rather than a failure inside the program.
    """
    shown = shown or str(path)
    document = require_mapping(load_document(path, shown, "stack files"), shown, "a stack file")
    config = document.get("config")
    if config is None:
        return {}
    if not isinstance(config, CommentedMap):
        raise SpecErrors([SpecError(shown, line_of(document, ("config",)), "config", "must be a mapping of keys to values")])
    errors: list[SpecError] = []
    values: dict[str, Any] = {}
    for key, value in config.items():
        line = line_of(document, ("config", key))
        if not isinstance(key, str) or not CONFIG_KEY.match(key):
            errors.append(SpecError(shown, line, "config", f"{str(key)[:60]!r} is not a config key (namespace:name)"))
            continue
        value = plain(value)
        problem = _value_problem(key, value)
        if problem:
            errors.append(SpecError(shown, line, _key_field(key), problem))
            continue
        # Dates and times become their ISO text: config values are strings or JSON to the program.
        values[key] = json.loads(json.dumps(value, default=str))
    if errors:
        raise SpecErrors(errors)
    return values


def _shown(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def tenant_stack_config(tenant: TenantFile, root: Path) -> StackConfig:
    spec = tenant.spec
    stack = spec.tenant_id
    path = stack_file(root, stack)
    result = StackConfig(stack=stack, stack_file=path if path.exists() else None)
    raw = read_stack_file(path, _shown(path, root)) if path.exists() else {}
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
