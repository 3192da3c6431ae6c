"""Every policy of the pack, in report order."""

from __future__ import annotations

from pulumi_policy import ResourceValidationPolicy, StackValidationPolicy

from . import (
    addons,
    audit,
    autoscaling,
    aws_hardening,
    azure_hardening,
    encryption,
    gateway,
    gcp_hardening,
    isolation,
    rbac,
    residency,
    resilience,
    storage,
    tagging,
    tenancy,
    transit,
    trust,
    workloads,
)

POLICIES: list[ResourceValidationPolicy | StackValidationPolicy] = [
    *encryption.POLICIES,
    *transit.POLICIES,
    *isolation.POLICIES,
    *tenancy.POLICIES,
    *workloads.POLICIES,
    *rbac.POLICIES,
    *aws_hardening.POLICIES,
    *azure_hardening.POLICIES,
    *gcp_hardening.POLICIES,
    *storage.POLICIES,
    *trust.POLICIES,
    *tagging.POLICIES,
    *audit.POLICIES,
    *residency.POLICIES,
    *resilience.POLICIES,
    *autoscaling.POLICIES,
    *gateway.POLICIES,
    *addons.POLICIES,
]
POLICY_NAMES = frozenset(p.name for p in POLICIES)
assert len(POLICY_NAMES) == len(POLICIES), "policy names are unique"
