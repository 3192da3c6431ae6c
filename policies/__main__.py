"""Builds the policy pack: the Pulumi CLI (and ``tenantctl plan``) run this as the pack's program.

Started as ``python -m pulumi.policy <engine> <this folder>``, so this folder is on ``sys.path``
and the policies import as ``tenant_policies``. Constructing ``PolicyPack`` starts the analyzer server and
blocks; nothing else belongs here.
"""

from pulumi_policy import EnforcementLevel, PolicyPack
from tenant_policies.catalog import POLICIES

PolicyPack(
    name="tenant-platform",
    policies=POLICIES,
    enforcement_level=EnforcementLevel.MANDATORY,
    description="Encryption, isolation, audit, resilience and residency of every tenant estate.",
    display_name="tenant-platform guard rails",
    tags=["tenant-platform", "gdpr", "soc2", "iso27001"],
)
