"""The one interface between ``TenantPlatform`` and a cloud builder.

A builder turns a validated tenant into that cloud's estate and hands back what
the cloud-independent Kubernetes tenancy needs. Builders are imported lazily
(``components.clouds``) so that rendering an AWS tenant never imports the Azure SDK.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

import pulumi
import pulumi_kubernetes as k8s

from spec.models import AnyTenant


@dataclass
class StackSettings:
    """Per-stack values that must not live in the tenant YAML (targets are secrets)."""

    alert_emails: list[str] = field(default_factory=list)
    alert_webhook_url: pulumi.Output[str] | None = None
    slack_webhook_url: pulumi.Output[str] | None = None
    prometheus_address: str | None = None
    shared_cluster_stack: str | None = None
    monthly_budget_usd: float | None = None  # None: the tier's default (components.budget_amount)
    billing_account: str | None = None  # GCP billing account the tenant's budget lives on
    cert_issuer: str | None = None  # cert-manager ClusterIssuer for the tenant's TLS; None: addons.contract default
    ingress_domain: str | None = None  # parent domain of the tenant's default host; None: addons.contract default
    data_address_slot: int | None = None  # pooled Azure: another address pair than the id's (components/data_addresses.py)


@dataclass(frozen=True)
class NamespacedObject:
    """A cloud-specific object that lives in the tenant namespace (e.g. EKS's SecurityGroupPolicy).

    The cloud builder describes it; the tenancy creates it once the namespace exists, so it is never
    applied before its namespace on a first deployment.
    """

    name: str
    api_version: str
    kind: str
    spec: dict[str, Any]


@dataclass
class Estate:
    """What a cloud builder hands to the Kubernetes tenancy and to the stack outputs."""

    k8s_provider: k8s.Provider
    kubeconfig: pulumi.Output[str]
    # Private CIDRs where the tenant's database and cache listen: the only egress the namespace gets besides DNS.
    service_cidrs: list[str]
    database_endpoint: pulumi.Output[str]
    cache_endpoint: pulumi.Output[str]
    alert_target: pulumi.Output[str]
    # Cloud-specific annotations for the workload's ServiceAccount (IRSA role, workload identity, ...).
    service_account_annotations: dict[str, pulumi.Input[str]] = field(default_factory=dict)
    # Resources the tenancy must wait for (node pools, CNI add-ons) before creating workload objects.
    depends_on: list[pulumi.Resource] = field(default_factory=list)
    # Objects the tenancy creates in the tenant namespace after the namespace itself.
    namespaced_objects: list[NamespacedObject] = field(default_factory=list)
    # (private address, port) of the tenant's own database and cache where the cloud knows them before
    # deployment: the namespace's data egress is then exactly these /32s (see kubernetes/network.py).
    data_endpoints: list[tuple[pulumi.Input[str], int]] = field(default_factory=list)
    # The cluster's add-on baseline where this stack creates it (silo clusters): the tenancy's custom resources
    # (ScaledObject, VerticalPodAutoscaler, ListenerSet, HTTPRoute, Certificate) wait for their CRDs and
    # controllers. Empty on the shared cluster: its stack installed them before any pooled tenant.
    addons: list[pulumi.Resource] = field(default_factory=list)


class CloudBuilder(Protocol):
    def __call__(
        self, name: str, spec: AnyTenant, settings: StackSettings, parent: pulumi.ComponentResource
    ) -> Estate: ...


class SharedClusterBuilder(Protocol):
    """Builds the shared regional cluster pooled tenants live on; returns the stack outputs to export."""

    def __call__(
        self, name: str, cloud: str, region: str, parent: pulumi.ComponentResource
    ) -> dict[str, pulumi.Input[object]]: ...
