"""Helpers every GCP component shares: physical names, the project, the provider, service agents."""

from __future__ import annotations

import functools
import json
import math
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pulumi
import pulumi_gcp as gcp

from components.naming import MANAGED_BY, gcp_labels
from components.naming import physical_name as physical_name  # one derivation for components and fleet checks

PLACEHOLDER_PROJECT = "tenant-platform-placeholder"  # offline plans without gcp:project
ENCRYPTER_DECRYPTER = "roles/cloudkms.cryptoKeyEncrypterDecrypter"
GKE_AUTH_PLUGIN = "gke-gcloud-auth-plugin"


def shared_labels(region: str) -> dict[str, str]:
    return gcp_labels(
        {"tenant": "shared", "tier": "shared", "isolation": "standard", "managed-by": MANAGED_BY,
         "compliance": "shared", "region": region}
    )


def log_days(value: timedelta) -> int:
    """Cloud Logging buckets keep 1 to 3650 days; round up, never shorter than asked."""
    return min(max(1, math.ceil(value.total_seconds() / 86400)), 3650)


def sa_member(email: str) -> str:
    return f"serviceAccount:{email}"


def project_id() -> str:
    return pulumi.Config("gcp").get("project") or PLACEHOLDER_PROJECT


@dataclass(frozen=True)
class Project:
    id: str
    number: pulumi.Output[str]
    region: str
    provider: gcp.Provider

    def agent(self, domain: str) -> pulumi.Output[str]:
        """A Google-managed service agent of this project, e.g. ``container-engine-robot``."""
        return self.number.apply(functools.partial(agent_member, domain=domain))


def agent_member(number: str, domain: str) -> str:
    return f"serviceAccount:service-{number}@{domain}.iam.gserviceaccount.com"


def project(name: str, region: str, labels: dict[str, str], parent: pulumi.Resource) -> Project:
    pid = project_id()
    provider = gcp.Provider(
        f"{name}-gcp", project=pid, region=region, default_labels=labels, opts=pulumi.ResourceOptions(parent=parent)
    )
    info = gcp.organizations.get_project_output(
        project_id=pid, opts=pulumi.InvokeOutputOptions(provider=provider, parent=parent)
    )
    return Project(id=pid, number=info.number, region=region, provider=provider)


def child(parent: pulumi.Resource, provider: gcp.Provider, **kwargs: Any) -> pulumi.ResourceOptions:
    return pulumi.ResourceOptions(parent=parent, provider=provider, **kwargs)


def kubeconfig(values: list[Any]) -> str:
    """Cluster name, private endpoint and CA → a kubeconfig that signs in with gke-gcloud-auth-plugin (no static token)."""
    name, endpoint, ca = (str(v) for v in values)
    return json.dumps(
        {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [{"name": name, "cluster": {"server": f"https://{endpoint}", "certificate-authority-data": ca}}],
            "contexts": [{"name": name, "context": {"cluster": name, "user": name}}],
            "current-context": name,
            "users": [
                {
                    "name": name,
                    "user": {
                        "exec": {
                            "apiVersion": "client.authentication.k8s.io/v1beta1",
                            "command": GKE_AUTH_PLUGIN,
                            "provideClusterInfo": True,
                            "interactiveMode": "Never",
                        }
                    },
                }
            ],
        },
        indent=2,
    )
